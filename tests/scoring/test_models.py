"""Local invariants of the models: tree order of codes, a node's own checks, a year's states."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from scoring.models import AssessmentYear, FrameworkNode, code_sort_key
from scoring.services import NodeSpec, create_framework
from units.models import UnitLevel
from units.roles import SYSTEM_ADMIN

D = Decimal
State = AssessmentYear.State


@pytest.fixture
def level(db):
    return UnitLevel.objects.create(code="cap-thu", name="Cấp thử", order=9)


@pytest.fixture
def framework(level):
    return create_framework(
        roles=SYSTEM_ADMIN,
        name="Bộ thử",
        unit_level=level,
        max_points=D(10),
        nodes=[
            NodeSpec("1", "Lĩnh vực 1", D("6")),
            NodeSpec("1.1", "Chấm trực tiếp", D("6"), rule="manual"),
            NodeSpec("2", "Lĩnh vực 2", D("4")),
            NodeSpec("2.1", "Có kế hoạch", D("4"), rule="binary"),
        ],
    )


def node(framework, **fields):
    defaults = {"framework": framework, "code": "1.2", "title": "Tiêu chí", "max_points": D("1")}
    return FrameworkNode(**(defaults | fields))


# --- code_sort_key ----------------------------------------------------------------------------


def test_code_sort_key_puts_1_10_after_1_9():
    assert code_sort_key("1.10") > code_sort_key("1.9")


def test_code_sort_key_puts_10_after_9():
    assert code_sort_key("10") > code_sort_key("9")


def test_code_sort_key_puts_a_parent_before_its_children():
    codes = ["2", "1.10", "1.2.1", "10", "1", "1.2", "9"]
    assert sorted(codes, key=code_sort_key) == ["1", "1.2", "1.2.1", "1.10", "2", "9", "10"]


# --- FrameworkNode.clean ----------------------------------------------------------------------


def test_a_sound_leaf_is_clean(framework):
    parent = framework.nodes.get(code="1")
    node(framework, parent=parent, code="1.2", rule="binary").clean()


def test_a_code_not_prefixed_by_the_parent_code_is_refused(framework):
    parent = framework.nodes.get(code="1")
    with pytest.raises(ValidationError) as exc:
        node(framework, parent=parent, code="2.5", rule="binary").clean()
    assert set(exc.value.message_dict) == {"code"}


def test_a_code_sharing_only_the_parent_digits_is_refused(framework):
    parent = framework.nodes.get(code="1")
    with pytest.raises(ValidationError) as exc:
        node(framework, parent=parent, code="12", rule="binary").clean()
    assert set(exc.value.message_dict) == {"code"}


def test_rule_params_on_a_non_leaf_are_refused(framework):
    with pytest.raises(ValidationError) as exc:
        node(framework, code="3", rule="", rule_params={"step": "0.5"}).clean()
    assert set(exc.value.message_dict) == {"rule_params"}


def test_a_survey_leaf_filled_by_the_unit_is_refused(framework):
    parent = framework.nodes.get(code="2")
    with pytest.raises(ValidationError) as exc:
        node(framework, parent=parent, code="2.2", rule="survey").clean()
    assert set(exc.value.message_dict) == {"filled_by"}


def test_a_survey_leaf_filled_by_the_interior_department_is_clean(framework):
    parent = framework.nodes.get(code="2")
    leaf = node(
        framework,
        parent=parent,
        code="2.2",
        rule="survey",
        filled_by=FrameworkNode.FilledBy.INTERIOR,
    )
    leaf.clean()


def test_clean_normalises_rule_params(framework):
    leaf = node(framework, code="3", rule="manual", max_points=D("2"), rule_params={"step": 1})
    leaf.clean()
    assert leaf.rule_params == {"step": "1"}


def test_bad_rule_params_are_refused(framework):
    leaf = node(framework, code="3", rule="manual", max_points=D("2"), rule_params={"step": "3"})
    with pytest.raises(ValidationError) as exc:
        leaf.clean()
    assert set(exc.value.message_dict) == {"rule_params"}


def test_saving_a_node_stores_its_sort_key(framework):
    parent = framework.nodes.get(code="1")
    saved = node(framework, parent=parent, code="1.10", rule="binary")
    saved.save()
    assert FrameworkNode.objects.get(pk=saved.pk).sort_key == "0001.0010"


# --- AssessmentYear ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "following"),
    [
        (State.PREPARING, State.SELF_ASSESSMENT),
        (State.SELF_ASSESSMENT, State.APPRAISAL),
        (State.APPRAISAL, State.EXPLANATION),
        (State.EXPLANATION, State.FINAL_APPRAISAL),
        (State.FINAL_APPRAISAL, State.PUBLISHED),
    ],
)
def test_next_state_is_the_following_step(state, following):
    assert AssessmentYear(state=state).next_state == following


def test_there_is_no_state_after_published():
    assert AssessmentYear(state=State.PUBLISHED).next_state is None


def test_only_published_is_published():
    assert [s for s in State.values if AssessmentYear(state=s).is_published] == ["published"]


def test_a_year_refuses_a_framework_of_another_unit_level(level, year_2022):
    district_framework = year_2022.framework
    year = AssessmentYear(year=2030, unit_level=level, framework=district_framework)
    with pytest.raises(ValidationError) as exc:
        year.clean()
    assert set(exc.value.message_dict) == {"framework"}


def test_a_year_accepts_a_framework_of_its_own_level(level, framework):
    AssessmentYear(year=2030, unit_level=level, framework=framework).clean()


def test_an_adjustment_without_its_direction_is_refused_by_the_database(year_2022):
    """It would count neither as a bonus nor as a deduction (generated bench data once stored
    such entries, and the bench measured deductions of 0)."""
    from django.db import IntegrityError, transaction

    from scoring.models import Adjustment, AdjustmentKind, Assessment

    assessment = Assessment.objects.filter(year=year_2022).first()
    kind = AdjustmentKind.objects.filter(direction="deduction").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Adjustment.objects.create(assessment=assessment, kind=kind, points=1, reason="x")


def test_generated_levels_count_their_deductions(db):
    from decimal import Decimal

    from scoring.demo.synthetic import build_level
    from scoring.selectors import year_results

    _last, this = build_level(3)
    assert {r.total.deductions for r in year_results(this)} == {Decimal("0.25")}
