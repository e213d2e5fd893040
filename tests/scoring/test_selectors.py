"""Selectors wire each year's settings into the pure calculations: caps, tie policy, survey."""

from decimal import Decimal as D

import pytest

from scoring import selectors
from scoring.models import Assessment, AssessmentYear
from scoring.services import (
    AdjustmentRecord,
    LeafRecord,
    NodeSpec,
    create_framework,
    create_year,
    import_results,
)
from units.models import Unit, UnitLevel
from units.roles import SYSTEM_ADMIN

# Field 2 mixes an appraised leaf and a survey leaf: the survey column must still find it.
NODES = [
    NodeSpec("1", "Lĩnh vực 1", D("6")),
    NodeSpec("1.1", "Chấm trực tiếp", D("6"), rule="manual"),
    NodeSpec("2", "Lĩnh vực 2", D("4")),
    NodeSpec("2.1", "Có kế hoạch", D("1"), rule="binary"),
    NodeSpec("2.2", "Điều tra", D("3"), rule="survey", filled_by="interior"),
]


def scored(manual, survey, done=True):
    return [
        LeafRecord("1.1", self_score=D(manual), r1_score=D(manual)),
        LeafRecord("2.1", declared={"done": done}, r1_score=D("1") if done else D("0")),
        LeafRecord("2.2", r1_score=D(survey)),
    ]


@pytest.fixture
def make_year(db):
    level = UnitLevel.objects.create(code="cap-sel", name="Cấp thử selector")
    units = [
        Unit.objects.create(level=level, code=f"sel-{n}", name=f"Đơn vị {n}", kind="xa")
        for n in "ABCD"
    ]
    framework = create_framework(
        roles=SYSTEM_ADMIN, name="Bộ thử", unit_level=level, nodes=NODES, max_points=D(10)
    )

    def make(results, **year_settings):
        year = create_year(
            roles=SYSTEM_ADMIN,
            year=2030,
            unit_level=level,
            framework=framework,
            units=units,
            **year_settings,
        )
        for unit, (leaves, adjustments) in zip(units, results, strict=True):
            import_results(
                roles=SYSTEM_ADMIN,
                assessment=Assessment.objects.get(year=year, unit=unit),
                leaves=leaves,
                adjustments=adjustments,
            )
        return AssessmentYear.objects.select_related("framework").get(pk=year.pk)

    return make


def ranks(year):
    return {r.unit.name: r.rank for r in selectors.year_results(year)}


SAME_TWICE = [
    (scored("5", "3"), []),
    (scored("5", "3"), []),
    (scored("4", "3"), []),
    (scored("3", "3"), []),
]


def test_competition_ties_skip_the_next_rank(make_year):
    year = make_year(SAME_TWICE, tie_policy="competition")
    assert ranks(year) == {"Đơn vị A": 1, "Đơn vị B": 1, "Đơn vị C": 3, "Đơn vị D": 4}


def test_dense_ties_do_not_skip(make_year):
    year = make_year(SAME_TWICE, tie_policy="dense")
    assert ranks(year) == {"Đơn vị A": 1, "Đơn vị B": 1, "Đơn vị C": 2, "Đơn vị D": 3}


def test_bonus_and_deductions_are_clamped_to_the_years_caps(make_year):
    over = [
        AdjustmentRecord("other-bonus", "Thưởng 1", points=D("0.75")),
        AdjustmentRecord("other-bonus", "Thưởng 2", points=D("0.5")),
    ]
    heavy = [AdjustmentRecord("other-deduction", "Trừ", points=D("3"))]
    year = make_year(
        [(scored("4", "2"), over), (scored("4", "2"), heavy), *SAME_TWICE[2:]],
        bonus_max=D("1"),
        deduction_max=D("2"),
    )
    totals = {r.unit.name: r.total for r in selectors.year_results(year)}
    assert (totals["Đơn vị A"].bonus, totals["Đơn vị A"].points) == (D("1"), D("8"))
    assert (totals["Đơn vị B"].deductions, totals["Đơn vị B"].points) == (D("2"), D("5"))


def test_survey_has_its_own_column_even_inside_a_field(make_year):
    year = make_year(SAME_TWICE)
    ranking = selectors.year_ranking(year)
    assert [f.code for f in ranking.fields] == ["1", "2"]
    assert ranking.survey_max == D("3")
    first = ranking.rows[0]
    assert (first.result.survey_points, first.field_points) == (D("3"), [D("5"), D("4")])


def test_a_unit_with_an_unscored_leaf_is_not_ranked_before_publication(make_year):
    unfinished = [LeafRecord("1.1", self_score=D("6"), r1_score=D("6"))]
    year = make_year([(unfinished, []), *SAME_TWICE[1:]])
    results = {r.unit.name: r for r in selectors.year_results(year)}
    assert (results["Đơn vị A"].rank, results["Đơn vị A"].unscored) == (None, 2)
    assert results["Đơn vị B"].rank == 1


def test_scorecard_self_layer_counts_untouched_leaves_in_the_maximum(make_year):
    only_one = [LeafRecord("1.1", self_score=D("6"))]
    year = make_year([(only_one, []), *SAME_TWICE[1:]])
    assessment = Assessment.objects.select_related("year__framework", "unit").get(
        year=year, unit__code="sel-A"
    )
    card = selectors.unit_scorecard(assessment)
    assert (card.self_total.points, card.self_total.applicable_max) == (D("6"), D("10"))
    lines = {line.node.code: line for line in card.lines}
    assert (lines["1"].self_points, lines["2"].self_points, lines["2.1"].self_points) == (
        D("6"),
        None,
        None,
    )
    # Nothing appraised yet: nothing shown as lost, nothing in the summary's list.
    assert (lines["1"].final_points, lines["1"].lost, card.lost_leaves) == (None, D("0"), [])
    assert card.unscored == 3
