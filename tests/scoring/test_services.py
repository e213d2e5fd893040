"""Services: every write of consequence (domain.md §3–5), checked on a tiny framework of its own."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from scoring.models import (
    Adjustment,
    AdjustmentKind,
    Assessment,
    AssessmentYear,
    Band,
    Framework,
    FrameworkNode,
    LeafScore,
)
from scoring.services import (
    AdjustmentRecord,
    LeafRecord,
    NodeSpec,
    advance_year,
    create_framework,
    create_year,
    import_results,
)
from units.models import Unit, UnitLevel
from units.roles import SYSTEM_ADMIN, Roles

D = Decimal
ADMIN = Roles(is_interior_admin=True)
INTERIOR = FrameworkNode.FilledBy.INTERIOR
State = AssessmentYear.State


# --- helpers ----------------------------------------------------------------------------------


def tiny_nodes():
    """2 fields, 4 leaves, total 10: a proportional, a manual (N/A allowed), a binary, a survey."""
    return [
        NodeSpec("1", "Lĩnh vực 1", D("6")),
        NodeSpec("1.1", "Tỷ lệ hồ sơ đúng hạn", D("4"), rule="proportional"),
        NodeSpec("1.2", "Chấm trực tiếp", D("2"), rule="manual", allows_na=True),
        NodeSpec("2", "Lĩnh vực 2", D("4")),
        NodeSpec("2.1", "Có kế hoạch", D("1"), rule="binary"),
        NodeSpec("2.2", "Điều tra xã hội học", D("3"), rule="survey", filled_by=INTERIOR),
    ]


@pytest.fixture
def level(db):
    return UnitLevel.objects.create(code="cap-thu", name="Cấp thử", order=9)


@pytest.fixture
def units(level):
    return [
        Unit.objects.create(level=level, code=f"thu-{n}", name=f"Đơn vị thử {n}", kind="xa")
        for n in (1, 2, 3)
    ]


def make_framework(level, nodes=None, name="Bộ thử"):
    return create_framework(
        roles=SYSTEM_ADMIN,
        name=name,
        unit_level=level,
        nodes=nodes or tiny_nodes(),
        max_points=D(10),
    )


@pytest.fixture
def framework(level):
    return make_framework(level)


@pytest.fixture
def year(level, framework, units):
    return create_year(
        roles=SYSTEM_ADMIN, year=2030, unit_level=level, framework=framework, units=units
    )


@pytest.fixture
def assessment(year, units):
    return Assessment.objects.select_related("year").get(year=year, unit=units[0])


def aware(*args):
    return dt.datetime(*args, tzinfo=dt.UTC)


FULL_MARKS = [
    LeafRecord("1.1", declared={"done": 10, "total": 10}, r1_score=D("4")),
    LeafRecord("1.2", self_score=D("2"), r1_score=D("2")),
    LeafRecord("2.1", declared={"done": True}, r1_score=D("1")),
    LeafRecord("2.2", r1_score=D("3")),
]


def score_every_leaf(year):
    for assessment in year.assessments.all():
        import_results(roles=SYSTEM_ADMIN, assessment=assessment, leaves=FULL_MARKS)


def advance_to(year, state):
    # Round 1 scores every leaf before the explanation round opens (step_blockers).
    if State.values.index(state) > State.values.index(State.APPRAISAL):
        score_every_leaf(year)
    while year.state != state:
        year = advance_year(
            year=year,
            roles=ADMIN,
            to_state=year.next_state,
            explanation_closes=dt.datetime.now(dt.UTC) + dt.timedelta(days=30),
        )
    return year


def counts():
    return Framework.objects.count(), FrameworkNode.objects.count()


def snapshot(assessment):
    """Every stored value of the unit's leaves and ledger, independent of row ids."""
    leaves = assessment.leaves.order_by("node__code").values_list(
        "node__code",
        "declared",
        "self_score",
        "not_applicable",
        "na_reason",
        "r1_score",
        "r2_score",
    )
    ledger = assessment.adjustments.order_by("kind__code").values_list(
        "kind__code", "points", "count", "reason"
    )
    return list(leaves), list(ledger)


# --- create_framework -------------------------------------------------------------------------


def test_create_framework_links_each_node_to_its_parent(framework):
    parents = dict(framework.nodes.values_list("code", "parent__code"))
    assert parents == {"1": None, "1.1": "1", "1.2": "1", "2": None, "2.1": "2", "2.2": "2"}


def test_create_framework_stores_the_rule_and_its_normalised_params(level):
    nodes = [
        NodeSpec("1", "Lĩnh vực", D("10")),
        NodeSpec(
            "1.1",
            "Tỷ lệ nhiệm vụ",
            D("10"),
            rule="percent_tiers",
            params={"tiers": [{"min": 70, "points": "5"}, {"min": "90", "points": 10}]},
        ),
    ]
    node = make_framework(level, nodes).nodes.get(code="1.1")
    assert node.rule_params == {
        "tiers": [
            {"min": "90", "points": "10", "inclusive": True},
            {"min": "70", "points": "5", "inclusive": True},
        ]
    }


def test_create_framework_orders_1_10_after_1_9(level):
    nodes = [NodeSpec("1", "Lĩnh vực", D("10"))] + [
        NodeSpec(f"1.{n}", f"Tiêu chí {n}", D("1"), rule="binary") for n in range(1, 11)
    ]
    framework = make_framework(level, nodes)
    codes = list(framework.nodes.values_list("code", flat=True))
    assert codes == ["1", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8", "1.9", "1.10"]


def test_create_framework_refuses_fields_summing_to_99_55_and_saves_nothing(level):
    before = counts()
    nodes = [
        NodeSpec("1", "Lĩnh vực 1", D("50")),
        NodeSpec("1.1", "Tiêu chí", D("50"), rule="manual"),
        NodeSpec("2", "Lĩnh vực 2", D("49.55")),
        NodeSpec("2.1", "Tiêu chí", D("49.55"), rule="manual"),
    ]
    with pytest.raises(ValidationError) as exc:
        create_framework(roles=SYSTEM_ADMIN, name="Sai tổng", unit_level=level, nodes=nodes)
    assert exc.value.messages == ["Tổng điểm các lĩnh vực là 99.55, không phải 100"]
    assert counts() == before


def test_create_framework_refuses_a_parent_whose_children_miss_its_max(level):
    before = counts()
    nodes = tiny_nodes()
    nodes[2] = NodeSpec("1.2", "Chấm trực tiếp", D("1.5"), rule="manual")  # 4 + 1.5 ≠ 6
    with pytest.raises(ValidationError) as exc:
        make_framework(level, nodes)
    assert len(exc.value.messages) == 1
    assert exc.value.messages[0].startswith("1: điểm tối đa 6")
    assert "tổng các tiêu chí con là 5.5" in exc.value.messages[0]
    assert counts() == before


def test_create_framework_refuses_tier_points_above_the_leaf_max(level):
    before = counts()
    nodes = tiny_nodes()
    nodes[1] = NodeSpec(
        "1.1",
        "Tỷ lệ",
        D("4"),
        rule="percent_tiers",
        params={"tiers": [{"min": "90", "points": "5"}]},
    )
    with pytest.raises(ValidationError) as exc:
        make_framework(level, nodes)
    assert len(exc.value.messages) == 1
    assert exc.value.messages[0].startswith("1.1: ")
    assert "points: 5 nằm ngoài khoảng 0..4" in exc.value.messages[0]
    assert counts() == before


def test_create_framework_refuses_float_params(level):
    nodes = tiny_nodes()
    nodes[2] = NodeSpec("1.2", "Chấm trực tiếp", D("2"), rule="manual", params={"step": 0.25})
    with pytest.raises(ValidationError) as exc:
        make_framework(level, nodes)
    assert len(exc.value.messages) == 1
    assert exc.value.messages[0].startswith("1.2: ")
    assert "0.25" in exc.value.messages[0]


def test_create_framework_refuses_a_child_whose_parent_is_missing(level):
    before = counts()
    nodes = [*tiny_nodes(), NodeSpec("3.1", "Mồ côi", D("1"), rule="binary")]
    with pytest.raises(ValidationError) as exc:
        make_framework(level, nodes)
    assert len(exc.value.messages) == 1
    assert exc.value.messages[0].startswith("3.1: ")
    assert "3" in exc.value.messages[0].removeprefix("3.1: ")
    assert counts() == before


def test_create_framework_refuses_a_survey_leaf_filled_by_the_unit(level):
    nodes = tiny_nodes()
    nodes[5] = NodeSpec("2.2", "Điều tra xã hội học", D("3"), rule="survey")
    with pytest.raises(ValidationError) as exc:
        make_framework(level, nodes)
    assert len(exc.value.messages) == 1
    assert exc.value.messages[0].startswith("2.2: ")


def test_create_framework_lists_every_broken_node_at_once(level):
    nodes = tiny_nodes()
    nodes[2] = NodeSpec("1.2", "Chấm trực tiếp", D("2"), rule="manual", params={"step": 0.5})
    nodes[4] = NodeSpec("2.1", "Có kế hoạch", D("1"), rule="binary", params={"x": "1"})
    with pytest.raises(ValidationError) as exc:
        make_framework(level, nodes)
    assert [m.split(":")[0] for m in exc.value.messages] == ["1.2", "2.1"]


def test_create_framework_lists_a_broken_node_and_a_wrong_total_together(level):
    """Every problem at once (the docstring's promise): fixing one must not reveal another."""
    nodes = [
        NodeSpec("1", "Lĩnh vực 1", D("5")),
        NodeSpec("1.1", "Tiêu chí", D("5"), rule="manual", params={"step": 0.5}),
        NodeSpec("2", "Lĩnh vực 2", D("4.95")),
        NodeSpec("2.1", "Tiêu chí", D("4.95"), rule="manual"),
    ]
    with pytest.raises(ValidationError) as exc:
        make_framework(level, nodes)
    assert any(m.startswith("1.1: ") for m in exc.value.messages)
    assert "Tổng điểm các lĩnh vực là 9.95, không phải 10" in exc.value.messages


def test_create_framework_refuses_a_duplicate_code_with_a_validation_error(level):
    before = counts()
    nodes = [*tiny_nodes(), NodeSpec("2.1", "Trùng mã", D("1"), rule="binary")]
    with pytest.raises(ValidationError) as exc:
        make_framework(level, nodes)
    assert any(m.startswith("2.1") for m in exc.value.messages)
    assert counts() == before


# --- create_year ------------------------------------------------------------------------------


def test_create_year_creates_one_assessment_per_unit(year, units):
    assessed = set(year.assessments.values_list("unit__code", flat=True))
    assert assessed == {"thu-1", "thu-2", "thu-3"}
    assert year.state == State.PREPARING


def test_create_year_refuses_deadlines_out_of_order(level, framework, units):
    deadlines = {
        "self_assessment_opens": aware(2030, 11, 1),
        "self_assessment_closes": aware(2030, 10, 31),
    }
    with pytest.raises(ValidationError) as exc:
        create_year(
            roles=SYSTEM_ADMIN,
            year=2030,
            unit_level=level,
            framework=framework,
            units=units,
            deadlines=deadlines,
        )
    assert "self_assessment_closes" in exc.value.message_dict
    assert not AssessmentYear.objects.filter(unit_level=level).exists()


def test_create_year_refuses_a_unit_of_another_level_and_saves_nothing(level, framework, units):
    other = Unit.objects.get(code="vu-quang")
    years, assessments = AssessmentYear.objects.count(), Assessment.objects.count()
    with pytest.raises(ValidationError) as exc:
        create_year(
            roles=SYSTEM_ADMIN,
            year=2030,
            unit_level=level,
            framework=framework,
            units=[*units, other],
        )
    assert "Huyện Vũ Quang" in exc.value.messages[0]
    assert AssessmentYear.objects.count() == years
    assert Assessment.objects.count() == assessments


def test_create_year_saves_its_bands(level, framework, units):
    year = create_year(
        roles=SYSTEM_ADMIN,
        year=2030,
        unit_level=level,
        framework=framework,
        units=units,
        bands=[("A", D("90")), ("B", D("80"))],
    )
    assert list(Band.objects.filter(year=year).values_list("label", "lower_bound")) == [
        ("A", D("90")),
        ("B", D("80")),
    ]


# --- advance_year -----------------------------------------------------------------------------


def test_advance_year_moves_preparing_to_self_assessment(year):
    advance_year(year=year, roles=ADMIN, to_state=State.SELF_ASSESSMENT)
    year.refresh_from_db()
    assert year.state == State.SELF_ASSESSMENT


@pytest.mark.parametrize("to_state", [State.APPRAISAL, State.PUBLISHED, State.PREPARING])
def test_advance_year_refuses_a_jump_or_staying_put(year, to_state):
    with pytest.raises(ValidationError):
        advance_year(year=year, roles=ADMIN, to_state=to_state)
    year.refresh_from_db()
    assert year.state == State.PREPARING


def test_advance_year_refuses_a_step_backward(year):
    year = advance_to(year, State.APPRAISAL)
    with pytest.raises(ValidationError):
        advance_year(year=year, roles=ADMIN, to_state=State.SELF_ASSESSMENT)
    year.refresh_from_db()
    assert year.state == State.APPRAISAL


def test_advance_year_refuses_any_step_after_published(year):
    year = advance_to(year, State.PUBLISHED)
    with pytest.raises(ValidationError):
        advance_year(year=year, roles=ADMIN, to_state=State.PREPARING)
    year.refresh_from_db()
    assert year.state == State.PUBLISHED


@pytest.mark.parametrize(
    "roles",
    [Roles(), Roles(is_appraiser=True), Roles(is_viewer=True), Roles(officer_of=frozenset({1}))],
    ids=["anonymous", "appraiser", "viewer", "officer"],
)
def test_advance_year_is_for_interior_admins_only(year, roles):
    with pytest.raises(PermissionDenied):
        advance_year(year=year, roles=roles, to_state=State.SELF_ASSESSMENT)
    year.refresh_from_db()
    assert year.state == State.PREPARING


def test_publishing_records_the_moment_of_publication(year):
    year = advance_to(year, State.FINAL_APPRAISAL)
    score_every_leaf(year)
    assert year.published_at is None
    with time_machine.travel(aware(2031, 2, 10, 2, 30), tick=False):
        advance_year(year=year, roles=ADMIN, to_state=State.PUBLISHED)
    year.refresh_from_db()
    assert year.published_at == aware(2031, 2, 10, 2, 30)


def test_publishing_is_refused_while_a_leaf_has_no_score(year, units):
    year = advance_to(year, State.FINAL_APPRAISAL)
    score_every_leaf(year)
    first = Assessment.objects.get(year=year, unit=units[0])
    import_results(roles=SYSTEM_ADMIN, assessment=first, leaves=FULL_MARKS[:3])
    with pytest.raises(ValidationError) as exc:
        advance_year(year=year, roles=ADMIN, to_state=State.PUBLISHED)
    assert exc.value.messages == [
        "Đơn vị thử 1 · điều tra xã hội học: còn 1 tiêu chí chưa có điểm (2.2)"
    ]
    year.refresh_from_db()
    assert (year.state, year.published_at) == (State.FINAL_APPRAISAL, None)


def test_earlier_steps_leave_published_at_empty(year):
    year = advance_to(year, State.FINAL_APPRAISAL)
    year.refresh_from_db()
    assert year.published_at is None


def test_advance_year_refuses_to_leave_preparing_with_an_unsound_framework(year, framework):
    FrameworkNode.objects.filter(framework=framework, code="1.1").update(max_points=D("3"))
    with pytest.raises(ValidationError) as exc:
        advance_year(year=year, roles=ADMIN, to_state=State.SELF_ASSESSMENT)
    assert len(exc.value.messages) == 1
    assert exc.value.messages[0].startswith("1: điểm tối đa 6")
    assert "tổng các tiêu chí con là 5" in exc.value.messages[0]
    year.refresh_from_db()
    assert year.state == State.PREPARING


# --- import_results ---------------------------------------------------------------------------


def test_import_computes_the_self_score_from_declared_figures(assessment):
    import_results(
        roles=SYSTEM_ADMIN,
        assessment=assessment,
        leaves=[LeafRecord("1.1", declared={"done": 970, "total": 1000})],
    )
    row = assessment.leaves.get(node__code="1.1")
    assert row.self_score == D("3.88")
    assert row.declared == {"done": 970, "total": 1000}


def test_import_accepts_a_self_score_equal_to_the_computed_one(assessment):
    import_results(
        roles=SYSTEM_ADMIN,
        assessment=assessment,
        leaves=[LeafRecord("1.1", declared={"done": 970, "total": 1000}, self_score=D("3.88"))],
    )
    assert assessment.leaves.get(node__code="1.1").self_score == D("3.88")


def test_import_refuses_a_self_score_that_disagrees_with_the_figures(assessment):
    with pytest.raises(ValidationError) as exc:
        import_results(
            roles=SYSTEM_ADMIN,
            assessment=assessment,
            leaves=[LeafRecord("1.1", declared={"done": 970, "total": 1000}, self_score=D("4"))],
        )
    assert len(exc.value.messages) == 1
    assert exc.value.messages[0].startswith("1.1: ")
    assert "3.88" in exc.value.messages[0]
    assert not assessment.leaves.exists()


EXISTING_LEAVES = [
    LeafRecord("1.1", declared={"done": 970, "total": 1000}, r1_score=D("3.5")),
    LeafRecord("1.2", self_score=D("2"), r1_score=D("1.5"), r1_reason="Thiếu tài liệu"),
    LeafRecord("2.1", declared={"done": True}, r1_score=D("1")),
    LeafRecord("2.2", r1_score=D("2.75")),
]
EXISTING_ADJUSTMENTS = [AdjustmentRecord("no-provincial-initiative", "Không có sáng kiến")]

# A row that would change what is stored if it were written.
VALID_ROW = LeafRecord("2.1", declared={"done": False})
BONUS = AdjustmentRecord("other-bonus", "Thưởng", points=D("1"))


def refused_without_a_trace(assessment, leaves, adjustments=()):
    """Import over existing rows; return the problems, checking that nothing was touched."""
    import_results(
        roles=SYSTEM_ADMIN,
        assessment=assessment,
        leaves=EXISTING_LEAVES,
        adjustments=EXISTING_ADJUSTMENTS,
    )
    before = snapshot(assessment)
    assert len(before[0]) == 4 and len(before[1]) == 1
    with pytest.raises(ValidationError) as exc:
        import_results(
            roles=SYSTEM_ADMIN, assessment=assessment, leaves=leaves, adjustments=adjustments
        )
    assert snapshot(assessment) == before
    return exc.value.messages


@pytest.mark.parametrize(
    ("bad_row", "code"),
    [
        (LeafRecord("9.9", r1_score=D("1")), "9.9"),
        (LeafRecord("1", r1_score=D("1")), "1"),
        (LeafRecord("2.1", declared={"done": True}), "2.1"),
        (LeafRecord("1.2", r1_score=D("2.5")), "1.2"),
        (LeafRecord("1.2", r2_score=D("-0.5")), "1.2"),
        (LeafRecord("2.2", not_applicable=True, na_reason="Không tổ chức điều tra"), "2.2"),
        (LeafRecord("1.2", not_applicable=True, na_reason="  "), "1.2"),
        (LeafRecord("1.1", declared={"done": 1200, "total": 1000}), "1.1"),
        (LeafRecord("1.2", not_applicable=True, na_reason="Không có", r1_score=D("1")), "1.2"),
        (LeafRecord("2.2", self_score=D("2"), r1_score=D("2")), "2.2"),
        (LeafRecord("2.2", declared={"done": True}, r1_score=D("2")), "2.2"),
        (LeafRecord("1.2", self_score=D("2"), r2_score=D("1")), "1.2"),
        (LeafRecord("1.2", r1_score=D("0.125")), "1.2"),
    ],
    ids=[
        "unknown code",
        "not a leaf",
        "duplicate code",
        "score above max",
        "negative score",
        "N/A not allowed",
        "N/A without reason",
        "done above total",
        "N/A with a score",
        "self-score on a survey leaf",
        "declared figures on a survey leaf",
        "round 2 without round 1",
        "more than 2 decimals",
    ],
)
def test_import_with_one_bad_leaf_writes_nothing(assessment, bad_row, code):
    messages = refused_without_a_trace(assessment, [VALID_ROW, bad_row], [BONUS])
    assert len(messages) == 1
    assert messages[0].startswith(f"{code}: ")


def test_import_with_an_unknown_adjustment_kind_writes_nothing(assessment):
    unknown = AdjustmentRecord("no-such-kind", "?")
    messages = refused_without_a_trace(assessment, [VALID_ROW], [BONUS, unknown])
    assert len(messages) == 1
    assert "no-such-kind" in messages[0]


@pytest.mark.parametrize(
    ("bad_entry", "says"),
    [
        (AdjustmentRecord("officials-disciplined", "Kỷ luật", count=0), "số trường hợp"),
        (AdjustmentRecord("officials-disciplined", "Kỷ luật"), "số trường hợp"),
        (AdjustmentRecord("no-provincial-initiative", "X", count=2), "không tính theo"),
        (AdjustmentRecord("other-bonus", "Thưởng", points=D("0.125")), "2 chữ số"),
        (AdjustmentRecord("other-bonus", "Thưởng", points=D("0")), "lớn hơn 0"),
        (AdjustmentRecord("other-bonus", "Thưởng", points=D("-1")), "không được âm"),
        (AdjustmentRecord("other-bonus", "   ", points=D("1")), "lý do"),
        (AdjustmentRecord("other-bonus", "Thưởng"), "số điểm"),
    ],
    ids=[
        "count 0",
        "count missing",
        "count on a one-off kind",
        "3 decimals",
        "zero points",
        "negative points",
        "blank reason",
        "no points and no default",
    ],
)
def test_import_with_one_bad_ledger_entry_writes_nothing(assessment, bad_entry, says):
    messages = refused_without_a_trace(assessment, [VALID_ROW], [BONUS, bad_entry])
    assert len(messages) == 1
    assert messages[0].startswith(f"{bad_entry.kind}: ")
    assert says in messages[0]


def test_import_refuses_an_inactive_adjustment_kind(assessment):
    AdjustmentKind.objects.filter(code="other-bonus").update(is_active=False)
    messages = refused_without_a_trace(assessment, [VALID_ROW], [BONUS])
    assert messages == ["other-bonus: không có loại điểm thưởng/trừ other-bonus"]


def test_a_ledger_entry_keeps_its_direction_when_its_kind_is_edited(assessment):
    import_results(
        roles=SYSTEM_ADMIN,
        assessment=assessment,
        leaves=[],
        adjustments=[AdjustmentRecord("no-provincial-initiative", "Không có sáng kiến")],
    )
    AdjustmentKind.objects.filter(code="no-provincial-initiative").update(direction="bonus")
    assert list(assessment.adjustments.values_list("direction", flat=True)) == ["deduction"]


@pytest.mark.parametrize(
    "service",
    [
        lambda roles, level, framework, units, assessment: create_framework(
            roles=roles, name="X", unit_level=level, nodes=tiny_nodes(), max_points=D(10)
        ),
        lambda roles, level, framework, units, assessment: create_year(
            roles=roles, year=2040, unit_level=level, framework=framework, units=units
        ),
        lambda roles, level, framework, units, assessment: import_results(
            roles=roles, assessment=assessment, leaves=[]
        ),
    ],
    ids=["create_framework", "create_year", "import_results"],
)
@pytest.mark.parametrize("roles", [Roles(), Roles(is_appraiser=True), Roles(is_viewer=True)])
def test_writes_of_the_interior_admin_are_refused_to_others(
    service, roles, level, framework, units, assessment
):
    with pytest.raises(PermissionDenied):
        service(roles, level, framework, units, assessment)


def test_import_lists_every_bad_row_at_once(assessment):
    leaves = [LeafRecord("9.9"), LeafRecord("1.2", r1_score=D("2.5"))]
    with pytest.raises(ValidationError) as exc:
        import_results(roles=SYSTEM_ADMIN, assessment=assessment, leaves=leaves)
    assert len(exc.value.messages) == 2


def test_import_replaces_the_previous_rows(assessment):
    import_results(
        roles=SYSTEM_ADMIN,
        assessment=assessment,
        leaves=EXISTING_LEAVES,
        adjustments=EXISTING_ADJUSTMENTS,
    )
    import_results(roles=SYSTEM_ADMIN, assessment=assessment, leaves=[VALID_ROW])
    assert snapshot(assessment) == ([("2.1", {"done": False}, D("0"), False, "", None, None)], [])


def test_a_per_occurrence_adjustment_multiplies_the_default_points(assessment):
    import_results(
        roles=SYSTEM_ADMIN,
        assessment=assessment,
        leaves=[],
        adjustments=[AdjustmentRecord("officials-disciplined", "02 công chức bị kỷ luật", count=2)],
    )
    entry = Adjustment.objects.get(assessment=assessment)
    assert entry.points == D("0.50")
    assert entry.count == 2


def test_a_one_off_adjustment_takes_the_default_points(assessment):
    import_results(
        roles=SYSTEM_ADMIN,
        assessment=assessment,
        leaves=[],
        adjustments=[AdjustmentRecord("no-provincial-initiative", "Không có sáng kiến")],
    )
    assert Adjustment.objects.get(assessment=assessment).points == D("0.50")


def test_import_refuses_a_published_year_and_leaves_it_unchanged(year_2022):
    assessment = Assessment.objects.select_related("year").get(
        year=year_2022, unit__code="vu-quang"
    )
    before = snapshot(assessment)
    assert before[0] and before[1]
    with pytest.raises(ValidationError):
        import_results(
            roles=SYSTEM_ADMIN,
            assessment=assessment,
            leaves=[LeafRecord("1.5.1", declared={"done": True}, r1_score=D("0.5"))],
        )
    assert snapshot(assessment) == before


# --- the final score of a leaf ----------------------------------------------------------------


def test_the_final_score_is_the_latest_appraisal_not_the_best(assessment):
    import_results(
        roles=SYSTEM_ADMIN,
        assessment=assessment,
        leaves=[LeafRecord("1.2", r1_score=D("2"), r2_score=D("1.5"))],
    )
    row = LeafScore.objects.get(assessment=assessment, node__code="1.2")
    assert row.final_score == D("1.5")


def test_create_framework_accepts_children_listed_before_their_parents(level):
    framework = make_framework(level, nodes=list(reversed(tiny_nodes())))
    parents = dict(framework.nodes.values_list("code", "parent__code"))
    assert parents == {"1": None, "1.1": "1", "1.2": "1", "2": None, "2.1": "2", "2.2": "2"}
    assert framework.tree_problems() == []


def test_create_year_refuses_a_band_above_100(level, framework, units):
    with pytest.raises(ValidationError):
        create_year(
            roles=SYSTEM_ADMIN,
            year=2041,
            unit_level=level,
            framework=framework,
            units=units,
            bands=[("A", D("100.01"))],
        )
    assert not AssessmentYear.objects.filter(year=2041).exists()
