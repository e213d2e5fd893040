"""The unit's side of the year: saving leaves, evidence, submitting and withdrawing (demo data).

Vũ Quang's 2024 assessment is a draft whose field 2 is empty; the 2024 window is open now.
Tests that depend on how much of the draft is filled clear it first.
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from scoring import selectors
from scoring.models import Assessment, Evidence, EvidenceLink, FrameworkNode, LeafScore
from scoring.selectors import is_open, why_locked, window_open
from scoring.services import (
    Attachment,
    ConflictError,
    LeafEntry,
    NodeSpec,
    add_evidence,
    create_framework,
    remove_evidence_link,
    save_field,
    save_leaves,
    submit_assessment,
    withdraw_assessment,
)
from tests.samples import PDF
from units.roles import SYSTEM_ADMIN, roles_of

D = Decimal
CLOSED = "Thời gian tự đánh giá của năm 2024 không mở."
SUBMITTED = "Bản tự đánh giá đã được gửi; chỉ lãnh đạo đơn vị có thể rút lại để sửa."
NOT_IN_FRAMEWORK = "Tiêu chí không thuộc bộ chỉ số của năm này."
UNIT_LEAVES = 43  # unit-filled leaves of the demo framework


# --- helpers ----------------------------------------------------------------------------------


@pytest.fixture
def assessment(year_2024):
    return Assessment.objects.select_related("year", "unit").get(
        year=year_2024, unit__code="vu-quang"
    )


@pytest.fixture
def other_assessment(year_2024):
    return Assessment.objects.select_related("year", "unit").get(
        year=year_2024, unit__code="tx-hong-linh"
    )


@pytest.fixture
def node(year_2024):
    def get(code):
        return FrameworkNode.objects.get(framework=year_2024.framework, code=code)

    return get


def pdf(name="plan.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def leaf(assessment, node):
    return LeafScore.objects.filter(assessment=assessment, node=node).first()


def save(assessment, user, *entries):
    return save_leaves(assessment=assessment, roles=roles_of(user), user=user, entries=entries)


def ratio(node, done, total, version=0, **kwargs):
    return LeafEntry(
        node_id=node.id, version=version, declared={"done": done, "total": total}, **kwargs
    )


def attach(assessment, user, node, **kwargs):
    kwargs.setdefault("upload", None if "existing" in kwargs else pdf())
    return add_evidence(assessment=assessment, roles=roles_of(user), user=user, node=node, **kwargs)


def mark_submitted(assessment, user):
    Assessment.objects.filter(pk=assessment.pk).update(
        status=Assessment.Status.SUBMITTED, submitted_at=dt.datetime.now(dt.UTC), submitted_by=user
    )
    assessment.refresh_from_db()


def clear(assessment):
    """Start from a blank draft, whatever the demo filled in."""
    LeafScore.objects.filter(assessment=assessment).delete()


def unit_leaves(assessment):
    return FrameworkNode.objects.filter(
        framework_id=assessment.year.framework_id, filled_by=FrameworkNode.FilledBy.UNIT
    ).exclude(rule="")


def full_entries(assessment, explanation=""):
    """An entry earning its max for every unit-filled leaf, over the stored versions."""
    versions = dict(
        LeafScore.objects.filter(assessment=assessment).values_list("node_id", "version")
    )
    entries = []
    for n in unit_leaves(assessment):
        declared, typed = {}, None
        if n.rule == "binary":
            declared = {"done": True}
        elif n.rule == "timeliness":
            declared = {"due": "2024-01-15", "done_on": "2024-01-10"}
        elif n.rule in ("percent_tiers", "proportional"):
            declared = {"done": 20, "total": 20}
        elif n.rule == "count_tiers":
            declared = {"count": 1000}
        elif n.rule == "deduction":
            declared = {"count": 0}
        else:
            typed = n.max_points
        entries.append(
            LeafEntry(
                node_id=n.id,
                version=versions.get(n.id, 0),
                declared=declared,
                typed_score=typed,
                explanation=explanation,
            )
        )
    return entries


def fill_everything(assessment, user, explanation=""):
    return save(assessment, user, *full_entries(assessment, explanation))


# --- window and lock --------------------------------------------------------------------------


def test_a_draft_in_the_open_window_is_open_and_not_locked(assessment):
    assert window_open(assessment) is True
    assert is_open(assessment) is True
    assert why_locked(assessment) is None


def test_a_submitted_assessment_is_locked_though_the_window_is_open(assessment, leader_a):
    mark_submitted(assessment, leader_a)

    assert window_open(assessment) is True
    assert is_open(assessment) is False
    assert why_locked(assessment) == SUBMITTED


def test_the_window_closes_exactly_at_the_deadline(assessment):
    closes = assessment.year.self_assessment_closes

    assert window_open(assessment, closes - dt.timedelta(seconds=1)) is True
    assert window_open(assessment, closes) is False
    assert why_locked(assessment, closes) == CLOSED


# --- save_leaves ------------------------------------------------------------------------------


def test_save_leaves_creates_a_leaf_with_the_computed_self_score(assessment, officer_a, node):
    n = node("2.2.2")

    changed = save(assessment, officer_a, ratio(n, 3, 4, explanation="  Đã xử lý 3/4.  "))

    assert changed == 1
    row = leaf(assessment, n)
    assert row.self_score == D("0.75")
    assert row.declared == {"done": 3, "total": 4}
    assert row.version == 1
    assert row.updated_by == officer_a
    assert row.not_applicable is False
    assert row.explanation == "Đã xử lý 3/4."


def test_save_leaves_bumps_the_version_on_each_change(assessment, officer_a, leader_a, node):
    n = node("2.2.2")
    save(assessment, officer_a, ratio(n, 3, 4))

    changed = save(assessment, leader_a, ratio(n, 4, 4, version=1))

    assert changed == 1
    row = leaf(assessment, n)
    assert row.self_score == D("1.00")
    assert row.declared == {"done": 4, "total": 4}
    assert row.version == 2
    assert row.updated_by == leader_a


def test_save_leaves_an_entry_equal_to_the_stored_one_changes_nothing(
    assessment, officer_a, leader_a, node
):
    n = node("2.2.2")
    save(assessment, officer_a, ratio(n, 3, 4, explanation="Đã xử lý."))
    history_before = LeafScore.history.filter(assessment_id=assessment.id, node_id=n.id).count()

    # Surrounding spaces are not a change: the explanation is stored stripped.
    changed = save(assessment, leader_a, ratio(n, 3, 4, version=1, explanation=" Đã xử lý. "))

    assert changed == 0
    row = leaf(assessment, n)
    assert row.version == 1
    assert row.updated_by == officer_a
    assert (
        LeafScore.history.filter(assessment_id=assessment.id, node_id=n.id).count()
        == history_before
        == 1
    )


def test_save_leaves_keeps_a_manual_leafs_typed_score(assessment, officer_a, node):
    n = node("2.3.1")

    save(assessment, officer_a, LeafEntry(node_id=n.id, version=0, typed_score=D("1.75")))

    row = leaf(assessment, n)
    assert row.self_score == D("1.75")
    assert row.declared == {}
    assert row.version == 1


def test_save_leaves_binary_leaf_scores_its_max_when_done(assessment, officer_a, node):
    n = node("2.2.1")

    save(assessment, officer_a, LeafEntry(node_id=n.id, version=0, declared={"done": True}))

    assert leaf(assessment, n).self_score == D("0.5")


def test_save_leaves_not_applicable_stores_no_score_and_clears_the_figures(
    assessment, officer_a, node
):
    n = node("2.2.2")
    save(assessment, officer_a, ratio(n, 3, 4))

    changed = save(
        assessment,
        officer_a,
        ratio(n, 3, 4, version=1, not_applicable=True, na_reason="  Không phát hiện văn bản.  "),
    )

    assert changed == 1
    row = leaf(assessment, n)
    assert row.not_applicable is True
    assert row.self_score is None
    assert row.declared == {}
    assert row.na_reason == "Không phát hiện văn bản."
    assert row.version == 2


def test_save_leaves_not_applicable_without_a_reason_is_refused(assessment, officer_a, node):
    n = node("2.2.2")

    with pytest.raises(ValidationError) as exc:
        save(assessment, officer_a, ratio(n, 3, 4, not_applicable=True, na_reason="   "))

    assert exc.value.messages == ["2.2.2: Cần nêu lý do không áp dụng."]
    assert leaf(assessment, n) is None


def test_save_leaves_not_applicable_on_a_leaf_that_does_not_allow_it_is_refused(
    assessment, officer_a, node
):
    n = node("2.2.1")

    with pytest.raises(ValidationError) as exc:
        save(
            assessment,
            officer_a,
            LeafEntry(node_id=n.id, version=0, not_applicable=True, na_reason="Không có."),
        )

    assert exc.value.messages == ["2.2.1: Tiêu chí này không được đánh dấu không áp dụng."]
    assert leaf(assessment, n) is None


def test_save_leaves_stale_version_on_a_changed_leaf_is_a_conflict_and_saves_nothing(
    assessment, officer_a, leader_a, node
):
    contested, other = node("2.2.2"), node("2.2.1")
    save(assessment, officer_a, ratio(contested, 3, 4))

    # The leader opened the form before the officer saved: both leaves at version 0.
    with pytest.raises(ConflictError) as exc:
        save(
            assessment,
            leader_a,
            LeafEntry(node_id=other.id, version=0, declared={"done": True}),
            ratio(contested, 1, 4, version=0),
        )

    [conflict] = exc.value.conflicts
    assert conflict.node.code == "2.2.2"
    assert conflict.theirs.version == 1
    assert conflict.theirs.updated_by == officer_a
    assert conflict.theirs.declared == {"done": 3, "total": 4}
    assert conflict.theirs.self_score == D("0.75")
    row = leaf(assessment, contested)
    assert (row.version, row.self_score, row.updated_by) == (1, D("0.75"), officer_a)
    assert leaf(assessment, other) is None


def test_save_leaves_stale_version_on_an_unchanged_leaf_is_not_a_conflict(
    assessment, officer_a, leader_a, node
):
    same, other = node("2.2.2"), node("2.2.1")
    save(assessment, officer_a, ratio(same, 3, 4))

    changed = save(
        assessment,
        leader_a,
        ratio(same, 3, 4, version=0),
        LeafEntry(node_id=other.id, version=0, declared={"done": True}),
    )

    assert changed == 1
    row = leaf(assessment, same)
    assert (row.version, row.updated_by) == (1, officer_a)
    new = leaf(assessment, other)
    assert (new.version, new.self_score, new.updated_by) == (1, D("0.5"), leader_a)


def test_save_leaves_an_invalid_entry_refuses_the_whole_batch(assessment, officer_a, node):
    manual, binary = node("2.3.1"), node("2.2.1")

    with pytest.raises(ValidationError) as exc:
        save(
            assessment,
            officer_a,
            LeafEntry(node_id=binary.id, version=0, declared={"done": True}),
            LeafEntry(node_id=manual.id, version=0, typed_score=D("2.25")),
        )

    [message] = exc.value.messages
    assert message.startswith("2.3.1: Điểm không được lớn hơn điểm tối đa (2")
    assert leaf(assessment, manual) is None
    assert leaf(assessment, binary) is None


def test_save_leaves_a_manual_score_off_the_step_is_refused(assessment, officer_a, node):
    n = node("2.3.1")

    with pytest.raises(ValidationError) as exc:
        save(assessment, officer_a, LeafEntry(node_id=n.id, version=0, typed_score=D("1.1")))

    [message] = exc.value.messages
    # The step is shown as the locale writes numbers (0,25 in Vietnamese).
    assert message in (
        "2.3.1: Điểm phải là bội số của 0,25.",
        "2.3.1: Điểm phải là bội số của 0,25.",
    )
    assert leaf(assessment, n) is None


def test_save_leaves_refuses_a_survey_leaf_filled_by_the_interior_department(
    assessment, officer_a, node
):
    survey = node("10.1")

    with pytest.raises(ValidationError) as exc:
        save(assessment, officer_a, LeafEntry(node_id=survey.id, version=0, typed_score=D("5")))

    assert exc.value.messages == ["10.1: tiêu chí do Sở Nội vụ chấm."]
    assert leaf(assessment, survey) is None


def test_save_leaves_refuses_a_node_of_another_framework(assessment, officer_a, year_2024):
    foreign = create_framework(
        roles=SYSTEM_ADMIN,
        name="Bộ khác",
        unit_level=year_2024.unit_level,
        nodes=[
            NodeSpec("1", "Lĩnh vực 1", D("10")),
            NodeSpec("1.1", "Tỷ lệ", D("10"), rule="proportional"),
        ],
        max_points=D("10"),
    )
    stranger = FrameworkNode.objects.get(framework=foreign, code="1.1")

    with pytest.raises(ValidationError) as exc:
        save(assessment, officer_a, ratio(stranger, 1, 2))

    assert exc.value.messages == [NOT_IN_FRAMEWORK]
    assert not LeafScore.objects.filter(node=stranger).exists()


def test_save_leaves_refuses_a_node_that_is_not_a_leaf(assessment, officer_a, node):
    with pytest.raises(ValidationError) as exc:
        save(assessment, officer_a, ratio(node("2.2"), 1, 2))

    assert exc.value.messages == [NOT_IN_FRAMEWORK]


def test_save_leaves_refuses_an_unknown_node(assessment, officer_a):
    with pytest.raises(ValidationError) as exc:
        save(assessment, officer_a, LeafEntry(node_id=987654321, version=0))

    assert exc.value.messages == [NOT_IN_FRAMEWORK]


def test_save_leaves_refuses_the_officer_of_another_unit(assessment, officer_b, node):
    n = node("2.2.2")

    with pytest.raises(PermissionDenied):
        save(assessment, officer_b, ratio(n, 3, 4))

    assert leaf(assessment, n) is None


@pytest.mark.parametrize("who", ["appraiser", "interior_admin", "viewer"])
def test_save_leaves_refuses_people_outside_the_unit(assessment, node, who, request):
    user = request.getfixturevalue(who)
    n = node("2.2.2")

    with pytest.raises(PermissionDenied):
        save(assessment, user, ratio(n, 3, 4))

    assert leaf(assessment, n) is None


def test_save_leaves_after_the_deadline_is_refused_and_saves_nothing(assessment, officer_a, node):
    n = node("2.2.2")

    with (
        time_machine.travel(
            assessment.year.self_assessment_closes + dt.timedelta(seconds=1), tick=False
        ),
        pytest.raises(ValidationError) as exc,
    ):
        save(assessment, officer_a, ratio(n, 3, 4))

    assert exc.value.messages == [CLOSED]
    assert leaf(assessment, n) is None


def test_save_leaves_at_the_last_second_before_the_deadline_is_accepted(
    assessment, officer_a, node
):
    n = node("2.2.2")

    with time_machine.travel(
        assessment.year.self_assessment_closes - dt.timedelta(seconds=1), tick=False
    ):
        assert save(assessment, officer_a, ratio(n, 3, 4)) == 1

    assert leaf(assessment, n).self_score == D("0.75")


def test_save_leaves_before_the_window_opens_is_refused(assessment, officer_a, node):
    n = node("2.2.2")

    with (
        time_machine.travel(
            assessment.year.self_assessment_opens - dt.timedelta(seconds=1), tick=False
        ),
        pytest.raises(ValidationError) as exc,
    ):
        save(assessment, officer_a, ratio(n, 3, 4))

    assert exc.value.messages == [CLOSED]
    assert leaf(assessment, n) is None


def test_save_leaves_on_a_submitted_assessment_is_refused(assessment, officer_a, leader_a, node):
    mark_submitted(assessment, leader_a)
    n = node("2.2.2")

    with pytest.raises(ValidationError) as exc:
        save(assessment, officer_a, ratio(n, 3, 4))

    assert exc.value.messages == [SUBMITTED]
    assert leaf(assessment, n) is None


def test_save_leaves_refuses_a_stale_in_memory_draft_once_submitted_in_the_database(
    assessment, officer_a, leader_a, node
):
    """The status is read from the locked row, not from the caller's copy."""
    stale = Assessment.objects.select_related("year", "unit").get(pk=assessment.pk)
    mark_submitted(assessment, leader_a)
    assert stale.status == Assessment.Status.DRAFT

    with pytest.raises(ValidationError) as exc:
        save(stale, officer_a, ratio(node("2.2.2"), 3, 4))

    assert exc.value.messages == [SUBMITTED]


def test_each_save_adds_a_history_record_by_its_user(assessment, officer_a, leader_a, node):
    n = node("2.2.2")
    save(assessment, officer_a, ratio(n, 3, 4))
    save(assessment, leader_a, ratio(n, 4, 4, version=1))

    records = list(
        LeafScore.history.filter(assessment_id=assessment.id, node_id=n.id).order_by("history_id")
    )

    assert [(r.history_type, r.history_user, r.version) for r in records] == [
        ("+", officer_a, 1),
        ("~", leader_a, 2),
    ]
    assert [r.self_score for r in records] == [D("0.75"), D("1.00")]


def test_leaf_history_lists_changes_newest_first_with_old_and_new_values(
    assessment, officer_a, leader_a, node
):
    n = node("2.2.2")
    save(assessment, officer_a, ratio(n, 3, 4))
    save(assessment, leader_a, ratio(n, 4, 4, version=1))

    newest, oldest = selectors.leaf_history(assessment, n, with_appraisal=False)

    assert newest.who == leader_a
    changes = {str(c.label): (c.old, c.new) for c in newest.changes}
    assert changes == {
        "số liệu kê khai": ("Số đã thực hiện: 3; Tổng số: 4", "Số đã thực hiện: 4; Tổng số: 4"),
        "điểm tự chấm": (D("0.75"), D("1.00")),
    }
    assert oldest.who == officer_a
    assert {str(c.label): (c.old, c.new) for c in oldest.changes} == {
        "số liệu kê khai": (None, "Số đã thực hiện: 3; Tổng số: 4"),
        "điểm tự chấm": (None, D("0.75")),
    }
    assert newest.when >= oldest.when


# --- save_field -------------------------------------------------------------------------------


def test_save_field_saves_the_entries_and_attaches_the_documents(assessment, officer_a, node):
    n = node("2.2.2")

    changed = save_field(
        assessment=assessment,
        roles=roles_of(officer_a),
        user=officer_a,
        entries=[ratio(n, 3, 4)],
        attachments=[Attachment(node=n, reference="Mục II, trang 3", upload=pdf())],
    )

    assert changed == 2
    row = leaf(assessment, n)
    assert (row.self_score, row.version) == (D("0.75"), 1)
    [link] = EvidenceLink.objects.filter(leaf=row).select_related("evidence")
    assert link.reference == "Mục II, trang 3"
    assert link.evidence.original_name == "plan.pdf"
    assert link.evidence.assessment == assessment


def test_save_field_with_a_bad_file_saves_none_of_its_entries(assessment, officer_a, node):
    n = node("2.2.2")
    evidence_before = Evidence.objects.filter(assessment=assessment).count()

    with pytest.raises(ValidationError) as exc:
        save_field(
            assessment=assessment,
            roles=roles_of(officer_a),
            user=officer_a,
            entries=[ratio(n, 3, 4)],
            attachments=[Attachment(node=n, upload=pdf(content=b"just some text, not a pdf"))],
        )

    assert exc.value.messages == [
        "Nội dung tệp “plan.pdf” không phải là tệp PDF thật; hãy kiểm tra lại tệp."
    ]
    assert leaf(assessment, n) is None
    assert Evidence.objects.filter(assessment=assessment).count() == evidence_before


def stored_files(assessment):
    """The names of the assessment's evidence files on disk."""
    storage = Evidence._meta.get_field("file").storage
    folder = f"evidence/{assessment.id}"
    return set(storage.listdir(folder)[1]) if storage.exists(folder) else set()


def test_save_field_refused_by_a_later_bad_file_leaves_no_file_behind(assessment, officer_a, node):
    """All or nothing: the good document uploaded before the bad one is not kept on disk,
    where no row would ever point at it (nor delete it)."""
    good, bad = node("2.2.2"), node("2.2.1")
    files_before = stored_files(assessment)

    with pytest.raises(ValidationError):
        save_field(
            assessment=assessment,
            roles=roles_of(officer_a),
            user=officer_a,
            entries=[ratio(good, 3, 4)],
            attachments=[
                Attachment(node=good, upload=pdf("good.pdf")),
                Attachment(node=bad, upload=pdf("bad.pdf", b"not a pdf at all")),
            ],
        )

    assert not Evidence.objects.filter(assessment=assessment).exists()
    assert leaf(assessment, good) is None
    assert stored_files(assessment) == files_before


def test_save_field_failing_after_a_file_was_written_removes_that_file(assessment, officer_a, node):
    """The later failure here comes after the good file is on disk (a document attached twice
    to one leaf), so only the cleanup can remove it."""
    first, second = node("2.2.2"), node("2.2.1")
    existing = attach(assessment, officer_a, first).evidence
    files_before = stored_files(assessment)

    with pytest.raises(ValidationError):
        save_field(
            assessment=assessment,
            roles=roles_of(officer_a),
            user=officer_a,
            entries=[],
            attachments=[
                Attachment(node=second, upload=pdf("good.pdf")),
                Attachment(node=first, existing=existing),
            ],
        )

    assert not Evidence.objects.filter(original_name="good.pdf").exists()
    assert stored_files(assessment) == files_before


# --- submit and withdraw ----------------------------------------------------------------------


def test_submit_by_the_officer_is_refused(assessment, officer_a):
    with pytest.raises(PermissionDenied):
        submit_assessment(
            assessment=assessment, roles=roles_of(officer_a), user=officer_a, problems_seen=True
        )

    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.DRAFT


def test_submit_with_empty_leaves_is_refused_saying_how_many(assessment, leader_a):
    clear(assessment)
    assert unit_leaves(assessment).count() == UNIT_LEAVES

    with pytest.raises(ValidationError) as exc:
        submit_assessment(
            assessment=assessment, roles=roles_of(leader_a), user=leader_a, problems_seen=True
        )

    assert exc.value.messages == [f"Còn {UNIT_LEAVES} tiêu chí phải hoàn thiện trước khi gửi."]
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.DRAFT
    assert assessment.submitted_at is None


def test_submit_with_one_empty_leaf_is_refused(assessment, officer_a, leader_a, node):
    clear(assessment)
    empty = node("9.3.1")
    save(assessment, officer_a, *[e for e in full_entries(assessment) if e.node_id != empty.id])

    with pytest.raises(ValidationError) as exc:
        submit_assessment(
            assessment=assessment, roles=roles_of(leader_a), user=leader_a, problems_seen=True
        )

    assert exc.value.messages == ["Còn 1 tiêu chí phải hoàn thiện trước khi gửi."]


def test_submit_with_warnings_needs_the_leader_to_confirm_them(assessment, officer_a, leader_a):
    clear(assessment)
    assert fill_everything(assessment, officer_a) == UNIT_LEAVES

    with pytest.raises(ValidationError) as exc:
        submit_assessment(
            assessment=assessment, roles=roles_of(leader_a), user=leader_a, problems_seen=False
        )

    assert exc.value.messages == ["Hãy xác nhận đã xem các cảnh báo trước khi gửi."]
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.DRAFT


def test_submit_with_warnings_seen_sends_the_assessment(assessment, officer_a, leader_a):
    fill_everything(assessment, officer_a)
    moment = assessment.year.self_assessment_closes - dt.timedelta(days=1)

    with time_machine.travel(moment, tick=False):
        result = submit_assessment(
            assessment=assessment, roles=roles_of(leader_a), user=leader_a, problems_seen=True
        )

    assessment.refresh_from_db()
    assert assessment.status == result.status == Assessment.Status.SUBMITTED
    assert assessment.submitted_at == moment
    assert assessment.submitted_by == leader_a


def test_submit_without_warnings_needs_no_confirmation(assessment, officer_a, leader_a, node):
    fill_everything(assessment, officer_a, explanation="Có tài liệu kiểm chứng.")
    leaves = list(unit_leaves(assessment))
    first = attach(assessment, officer_a, leaves[0])
    for other in leaves[1:]:
        attach(assessment, officer_a, other, existing=first.evidence)

    submit_assessment(
        assessment=assessment, roles=roles_of(leader_a), user=leader_a, problems_seen=False
    )

    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED
    assert Evidence.objects.filter(assessment=assessment).count() == 1
    assert EvidenceLink.objects.filter(evidence=first.evidence).count() == UNIT_LEAVES


def test_after_submission_the_unit_can_no_longer_save(assessment, officer_a, leader_a, node):
    fill_everything(assessment, officer_a)
    submit_assessment(
        assessment=assessment, roles=roles_of(leader_a), user=leader_a, problems_seen=True
    )
    n = node("2.2.2")
    version = leaf(assessment, n).version

    for user in (officer_a, leader_a):
        with pytest.raises(ValidationError) as exc:
            save(assessment, user, ratio(n, 1, 4, version=version))
        assert exc.value.messages == [SUBMITTED]

    assert leaf(assessment, n).self_score == D("1.00")


def test_submit_twice_is_refused(assessment, officer_a, leader_a):
    fill_everything(assessment, officer_a)
    submit_assessment(
        assessment=assessment, roles=roles_of(leader_a), user=leader_a, problems_seen=True
    )

    with pytest.raises(ValidationError) as exc:
        submit_assessment(
            assessment=assessment, roles=roles_of(leader_a), user=leader_a, problems_seen=True
        )

    assert exc.value.messages == [SUBMITTED]


def test_submit_after_the_deadline_is_refused(assessment, officer_a, leader_a):
    fill_everything(assessment, officer_a)

    with (
        time_machine.travel(
            assessment.year.self_assessment_closes + dt.timedelta(seconds=1), tick=False
        ),
        pytest.raises(ValidationError) as exc,
    ):
        submit_assessment(
            assessment=assessment, roles=roles_of(leader_a), user=leader_a, problems_seen=True
        )

    assert exc.value.messages == [CLOSED]
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.DRAFT


def test_withdraw_by_the_leader_returns_the_assessment_to_draft(assessment, officer_a, leader_a):
    fill_everything(assessment, officer_a)
    submit_assessment(
        assessment=assessment, roles=roles_of(leader_a), user=leader_a, problems_seen=True
    )

    result = withdraw_assessment(assessment=assessment, roles=roles_of(leader_a), user=leader_a)

    assessment.refresh_from_db()
    assert assessment.status == result.status == Assessment.Status.DRAFT
    assert assessment.submitted_at is None
    assert assessment.submitted_by is None
    assert is_open(assessment) is True


def test_withdraw_by_the_officer_is_refused(assessment, officer_a, leader_a):
    mark_submitted(assessment, leader_a)

    with pytest.raises(PermissionDenied):
        withdraw_assessment(assessment=assessment, roles=roles_of(officer_a), user=officer_a)

    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED


def test_withdraw_after_the_deadline_is_refused(assessment, leader_a):
    mark_submitted(assessment, leader_a)

    with (
        time_machine.travel(
            assessment.year.self_assessment_closes + dt.timedelta(seconds=1), tick=False
        ),
        pytest.raises(ValidationError) as exc,
    ):
        withdraw_assessment(assessment=assessment, roles=roles_of(leader_a), user=leader_a)

    assert exc.value.messages == ["Đã hết thời gian tự đánh giá, không thể rút lại."]
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED
    assert assessment.submitted_by == leader_a


def test_withdraw_a_draft_is_refused(assessment, leader_a):
    with pytest.raises(ValidationError) as exc:
        withdraw_assessment(assessment=assessment, roles=roles_of(leader_a), user=leader_a)

    assert exc.value.messages == ["Bản tự đánh giá chưa được gửi."]


# --- add_evidence -----------------------------------------------------------------------------


def test_add_evidence_uploads_a_new_document(assessment, officer_a, node):
    n = node("2.2.2")

    link = attach(
        assessment,
        officer_a,
        n,
        reference="  Điều 2  ",
        document_number=" 12/KH-UBND ",
        document_date=dt.date(2024, 2, 1),
    )

    evidence = Evidence.objects.get(pk=link.evidence_id)
    assert evidence.assessment == assessment
    assert evidence.original_name == "plan.pdf"
    assert evidence.content_type == "application/pdf"
    assert evidence.size == len(PDF)
    assert evidence.document_number == "12/KH-UBND"
    assert evidence.document_date == dt.date(2024, 2, 1)
    assert evidence.uploaded_by == officer_a
    assert evidence.file.name.startswith(f"evidence/{assessment.id}/")
    assert evidence.file.name.endswith(".pdf")
    assert evidence.file.storage.exists(evidence.file.name)
    with evidence.file.open("rb") as stored:
        assert stored.read() == PDF
    link.refresh_from_db()
    assert link.reference == "Điều 2"
    assert link.leaf == leaf(assessment, n)


def test_add_evidence_reuses_an_existing_document_for_another_leaf(assessment, officer_a, node):
    first = attach(assessment, officer_a, node("2.2.2"))

    second = attach(
        assessment, officer_a, node("2.2.1"), existing=first.evidence, reference="trang 4"
    )

    assert second.pk != first.pk
    assert second.evidence_id == first.evidence_id
    assert second.leaf.node.code == "2.2.1"
    assert second.reference == "trang 4"
    assert Evidence.objects.filter(assessment=assessment).count() == 1
    assert EvidenceLink.objects.filter(evidence=first.evidence).count() == 2


def test_add_evidence_twice_to_the_same_leaf_is_refused(assessment, officer_a, node):
    n = node("2.2.2")
    first = attach(assessment, officer_a, n)

    with pytest.raises(ValidationError) as exc:
        attach(assessment, officer_a, n, existing=first.evidence)

    assert exc.value.messages == ["Tài liệu này đã được gắn với tiêu chí."]
    assert EvidenceLink.objects.filter(evidence=first.evidence).count() == 1


def test_add_evidence_of_another_units_document_is_refused(
    assessment, other_assessment, officer_a, officer_b, node
):
    theirs = attach(other_assessment, officer_b, node("2.2.2")).evidence

    with pytest.raises(PermissionDenied):
        attach(assessment, officer_a, node("2.2.2"), existing=theirs)

    assert not EvidenceLink.objects.filter(leaf__assessment=assessment).exists()


def test_add_evidence_to_another_units_assessment_is_refused(other_assessment, officer_a, node):
    with pytest.raises(PermissionDenied):
        attach(other_assessment, officer_a, node("2.2.2"))

    assert not Evidence.objects.filter(assessment=other_assessment).exists()


def test_add_evidence_needs_exactly_one_of_upload_and_existing(assessment, officer_a, node):
    n = node("2.2.2")
    existing = attach(assessment, officer_a, node("2.2.1")).evidence

    for kwargs in ({"upload": pdf(), "existing": existing}, {"upload": None}):
        with pytest.raises(ValidationError) as exc:
            attach(assessment, officer_a, n, **kwargs)
        assert exc.value.messages == ["Chọn một tệp để tải lên hoặc một tài liệu đã có."]

    assert Evidence.objects.filter(assessment=assessment).count() == 1
    assert not EvidenceLink.objects.filter(leaf__node=n, leaf__assessment=assessment).exists()


def test_add_evidence_refuses_a_text_file_named_pdf(assessment, officer_a, node):
    with pytest.raises(ValidationError) as exc:
        attach(assessment, officer_a, node("2.2.2"), upload=pdf("bao-cao.pdf", b"hello world"))

    assert exc.value.messages == [
        "Nội dung tệp “bao-cao.pdf” không phải là tệp PDF thật; hãy kiểm tra lại tệp."
    ]
    assert not Evidence.objects.filter(assessment=assessment).exists()


def test_add_evidence_refuses_an_unaccepted_extension(assessment, officer_a, node):
    upload = SimpleUploadedFile("virus.exe", PDF, content_type="application/octet-stream")

    with pytest.raises(ValidationError) as exc:
        attach(assessment, officer_a, node("2.2.2"), upload=upload)

    assert exc.value.messages == [
        "Chỉ nhận tệp PDF, Word, Excel hoặc ảnh JPG, PNG; “virus.exe” không phải loại này."
    ]
    assert not Evidence.objects.filter(assessment=assessment).exists()


def test_add_evidence_refuses_a_file_over_the_size_limit(assessment, officer_a, node, settings):
    settings.EVIDENCE_MAX_BYTES = len(PDF) - 1

    with pytest.raises(ValidationError) as exc:
        attach(assessment, officer_a, node("2.2.2"))

    [message] = exc.value.messages
    assert message.startswith("Tệp “plan.pdf” lớn hơn giới hạn")
    assert not Evidence.objects.filter(assessment=assessment).exists()


def test_add_evidence_accepts_a_file_exactly_at_the_size_limit(
    assessment, officer_a, node, settings
):
    settings.EVIDENCE_MAX_BYTES = len(PDF)

    link = attach(assessment, officer_a, node("2.2.2"))

    assert link.evidence.size == len(PDF)


def test_add_evidence_to_a_survey_leaf_is_refused(assessment, officer_a, node):
    survey = node("10.1")

    with pytest.raises(ValidationError) as exc:
        attach(assessment, officer_a, survey)

    assert exc.value.messages == ["10.1: tiêu chí do Sở Nội vụ chấm."]
    assert leaf(assessment, survey) is None
    assert not Evidence.objects.filter(assessment=assessment).exists()


def test_add_evidence_to_a_non_leaf_is_refused(assessment, officer_a, node):
    with pytest.raises(ValidationError) as exc:
        attach(assessment, officer_a, node("2.2"))

    assert exc.value.messages == [NOT_IN_FRAMEWORK]


def test_add_evidence_creates_an_empty_leaf_row_when_there_is_none(assessment, officer_a, node):
    n = node("2.2.2")
    assert leaf(assessment, n) is None

    link = attach(assessment, officer_a, n)

    row = leaf(assessment, n)
    assert link.leaf_id == row.id
    assert row.self_score is None
    assert row.declared == {}
    assert row.not_applicable is False
    assert row.version == 0
    assert row.updated_by == officer_a
    created, attached = LeafScore.history.filter(
        assessment_id=assessment.id, node_id=n.id
    ).order_by("history_date", "history_id")
    assert (created.history_user, attached.history_user) == (officer_a, officer_a)
    assert attached.history_change_reason == "Gắn tài liệu “plan.pdf”"
    # The empty row does not make a form opened before it stale.
    assert save(assessment, officer_a, ratio(n, 3, 4, version=0)) == 1
    assert leaf(assessment, n).version == 1


def test_add_evidence_to_a_leaf_with_an_entry_keeps_the_entry(assessment, officer_a, node):
    n = node("2.2.2")
    save(assessment, officer_a, ratio(n, 3, 4))

    link = attach(assessment, officer_a, n)

    row = leaf(assessment, n)
    assert link.leaf_id == row.id
    assert (row.self_score, row.version) == (D("0.75"), 1)
    assert LeafScore.objects.filter(assessment=assessment, node=n).count() == 1


def test_add_evidence_when_entry_is_closed_is_refused(assessment, officer_a, leader_a, node):
    mark_submitted(assessment, leader_a)

    with pytest.raises(ValidationError) as exc:
        attach(assessment, officer_a, node("2.2.2"))

    assert exc.value.messages == [SUBMITTED]
    assert not Evidence.objects.filter(assessment=assessment).exists()


def test_add_evidence_by_an_appraiser_is_refused(assessment, appraiser, node):
    with pytest.raises(PermissionDenied):
        attach(assessment, appraiser, node("2.2.2"))


# --- remove_evidence_link ---------------------------------------------------------------------


def remove(assessment, user, link):
    remove_evidence_link(assessment=assessment, roles=roles_of(user), user=user, link=link)


def test_removing_one_of_two_links_keeps_the_document(
    assessment, officer_a, node, django_capture_on_commit_callbacks
):
    first = attach(assessment, officer_a, node("2.2.2"))
    second = attach(assessment, officer_a, node("2.2.1"), existing=first.evidence)
    evidence = first.evidence
    name = evidence.file.name

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        remove(assessment, officer_a, first)

    assert callbacks == []
    assert not EvidenceLink.objects.filter(pk=first.pk).exists()
    assert list(EvidenceLink.objects.filter(evidence=evidence)) == [second]
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert evidence.file.storage.exists(name)


def test_removing_the_last_link_deletes_the_document_and_its_file_after_commit(
    assessment, officer_a, node, django_capture_on_commit_callbacks
):
    link = attach(assessment, officer_a, node("2.2.2"))
    evidence = link.evidence
    storage, name = evidence.file.storage, evidence.file.name
    assert storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        remove(assessment, officer_a, link)
        # Not before the commit: a rollback must not lose the file.
        assert storage.exists(name)

    assert len(callbacks) == 1
    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    assert not EvidenceLink.objects.filter(pk=link.pk).exists()
    assert not storage.exists(name)
    # The leaf's entry itself stays.
    assert leaf(assessment, node("2.2.2")) is not None


def test_removing_a_link_when_entry_is_closed_is_refused(
    assessment, officer_a, node, django_capture_on_commit_callbacks
):
    link = attach(assessment, officer_a, node("2.2.2"))

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        time_machine.travel(
            assessment.year.self_assessment_closes + dt.timedelta(seconds=1), tick=False
        ),
        pytest.raises(ValidationError) as exc,
    ):
        remove(assessment, officer_a, link)

    assert exc.value.messages == [CLOSED]
    assert callbacks == []
    assert EvidenceLink.objects.filter(pk=link.pk).exists()
    assert link.evidence.file.storage.exists(link.evidence.file.name)


def test_removing_a_link_of_a_submitted_assessment_is_refused(
    assessment, officer_a, leader_a, node
):
    link = attach(assessment, officer_a, node("2.2.2"))
    mark_submitted(assessment, leader_a)

    with pytest.raises(ValidationError) as exc:
        remove(assessment, officer_a, link)

    assert exc.value.messages == [SUBMITTED]
    assert EvidenceLink.objects.filter(pk=link.pk).exists()


def test_removing_a_link_of_another_unit_is_refused(
    assessment, other_assessment, officer_a, officer_b, node, django_capture_on_commit_callbacks
):
    theirs = attach(other_assessment, officer_b, node("2.2.2"))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        # Through officer A's own assessment, and through theirs.
        with pytest.raises(PermissionDenied):
            remove(assessment, officer_a, theirs)
        with pytest.raises(PermissionDenied):
            remove(other_assessment, officer_a, theirs)

    assert callbacks == []
    assert EvidenceLink.objects.filter(pk=theirs.pk).exists()
    assert Evidence.objects.filter(pk=theirs.evidence_id).exists()
    assert theirs.evidence.file.storage.exists(theirs.evidence.file.name)


def test_save_leaves_refuses_the_same_leaf_twice_in_one_call(assessment, officer_a, node):
    leaf_node = node("2.2.2")
    with pytest.raises(ValidationError) as exc:
        save(assessment, officer_a, ratio(leaf_node, 1, 2), ratio(leaf_node, 2, 2))
    assert exc.value.messages == ["Một tiêu chí được gửi hai lần trong cùng một lần lưu."]
    assert leaf(assessment, leaf_node) is None


def test_a_stale_version_on_a_leaf_someone_removed_is_a_conflict_without_their_row(
    assessment, officer_a, node
):
    leaf_node = node("2.2.2")
    with pytest.raises(ConflictError) as exc:
        save(assessment, officer_a, ratio(leaf_node, 1, 2, version=3))
    assert [(c.node.code, c.theirs) for c in exc.value.conflicts] == [("2.2.2", None)]
