"""A leaf's history starts from a baseline (demo data, an import, or the state first recorded),
so the first real change shows as that change, by its author, and nobody is shown entering
figures they never typed."""

from decimal import Decimal

from django.urls import reverse

from scoring import selectors
from scoring.models import FrameworkNode, LeafScore
from scoring.services import LeafEntry, save_leaves
from units.roles import roles_of

from .appraisal_helpers import HL, VQ, appraise, assessment_of, entry, leaf, node_of

DEMO = "Dữ liệu mẫu"


def history(year, code, unit, *, with_appraisal=True):
    return selectors.leaf_history(
        assessment_of(year, unit), node_of(year, code), with_appraisal=with_appraisal
    )


def fields(change) -> dict:
    return {str(item.label): (item.old, item.new) for item in change.changes}


def test_a_demo_leaf_starts_with_its_baseline_and_nobody_as_its_author(year_2023):
    (baseline,) = history(year_2023, "2.1.1", HL)
    assert baseline.baseline and baseline.note == DEMO and baseline.who is None
    assert fields(baseline)["điểm thẩm định"] == (None, leaf(year_2023, "2.1.1", HL).r1_score)


def test_an_appraisal_of_a_demo_leaf_shows_only_what_the_appraiser_changed(appraiser, year_2023):
    before = leaf(year_2023, "2.1.1", HL)
    appraise(
        appraiser, year_2023, entry(year_2023, "2.1.1", "1", "target-not-reached", unit=HL), unit=HL
    )

    change, baseline = history(year_2023, "2.1.1", HL)

    assert (baseline.baseline, baseline.note, baseline.who) == (True, DEMO, None)
    assert not change.baseline and change.who == appraiser
    assert fields(change) == {
        "điểm thẩm định": (before.r1_score, Decimal("1.00")),
        "lý do": (before.r1_reason, "Không đạt chỉ tiêu"),
    }


def test_the_history_page_shows_the_baseline_then_the_change_by_its_author(
    as_user, appraiser, year_2023
):
    appraise(
        appraiser, year_2023, entry(year_2023, "2.1.1", "1", "target-not-reached", unit=HL), unit=HL
    )
    html = (
        as_user(appraiser)
        .get(reverse("leaf_history", args=[year_2023.pk, HL, "2.1.1"]))
        .content.decode()
    )
    table = html[html.index("<tbody>") : html.index("</tbody>")]
    assert 'data-testid="baseline"' in table and DEMO in table
    assert table.index(appraiser.get_full_name()) < table.index(DEMO)  # newest first
    # The unit's own figures are in the baseline, not under the appraiser's name.
    assert table.count(appraiser.get_full_name()) == 2  # score and reason
    assert "Giá trị ban đầu" in table


def test_a_units_change_to_a_demo_leaf_is_its_own_change_only(officer_a, year_2024):
    assessment = assessment_of(year_2024, VQ)
    node = node_of(year_2024, "1.1.1")
    stored = leaf(year_2024, "1.1.1")
    save_leaves(
        assessment=assessment,
        roles=roles_of(officer_a),
        user=officer_a,
        entries=[
            LeafEntry(
                node_id=node.id,
                version=stored.version,
                declared=stored.declared,
                explanation="Đã bổ sung báo cáo quý IV.",
            )
        ],
    )

    change, baseline = selectors.leaf_history(assessment, node, with_appraisal=False)

    assert baseline.baseline and baseline.note == DEMO
    assert change.who == officer_a and not change.baseline
    assert fields(change) == {
        "thuyết minh": ("Có tài liệu kiểm chứng kèm theo.", "Đã bổ sung báo cáo quý IV.")
    }


def test_a_row_older_than_its_history_starts_from_the_state_first_recorded(appraiser, year_2023):
    """A database from before baselines: the row's first record is someone's update. It is
    shown as the state first recorded, not as that person entering every field."""
    LeafScore.history.filter(
        assessment_id=assessment_of(year_2023, HL).id, node_id=node_of(year_2023, "2.1.1").id
    ).delete()
    appraise(
        appraiser, year_2023, entry(year_2023, "2.1.1", "1", "target-not-reached", unit=HL), unit=HL
    )

    (first,) = history(year_2023, "2.1.1", HL)

    assert first.baseline
    assert "Trạng thái khi bắt đầu ghi nhận lịch sử" in first.note
    assert all(item.old is None for item in first.changes)


def test_a_unit_still_does_not_see_appraisal_values_in_the_baseline(year_2023):
    (baseline,) = history(year_2023, "2.1.1", HL, with_appraisal=False)
    assert "điểm thẩm định" not in fields(baseline)
    assert "số liệu kê khai" in fields(baseline)


def test_every_demo_leaf_has_exactly_one_baseline_record(year_2022, year_2023, year_2024):
    leaves = LeafScore.objects.filter(assessment__year__in=[year_2022, year_2023, year_2024])
    records = LeafScore.history.filter(id__in=leaves.values("id"), history_type="+")
    assert records.count() == leaves.count()
    assert set(records.values_list("history_change_reason", "history_user")) == {(DEMO, None)}


def test_a_leaf_created_by_the_unit_is_still_shown_as_entered_by_it(officer_a, year_2024):
    """Not a baseline: a row the unit created itself shows its figures as entered by it."""
    assessment = assessment_of(year_2024, VQ)
    node = FrameworkNode.objects.get(framework_id=year_2024.framework_id, code="2.2.2")
    assert leaf(year_2024, "2.2.2") is None
    save_leaves(
        assessment=assessment,
        roles=roles_of(officer_a),
        user=officer_a,
        entries=[LeafEntry(node_id=node.id, version=0, declared={"done": 3, "total": 4})],
    )
    (created,) = selectors.leaf_history(assessment, node, with_appraisal=False)
    assert not created.baseline and created.who == officer_a
    assert fields(created)["điểm tự chấm"] == (None, Decimal("0.75"))
