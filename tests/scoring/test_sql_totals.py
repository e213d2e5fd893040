"""The totals the database sums (``selectors.totals``) equal the pure engine's, leaf by leaf.

The engine (``calculations.node_totals`` and ``unit_total`` over every leaf) is the definition
of the formula; the ranking, the scorecard and every report now read totals summed by SQL. On
generated years with nested criteria, survey leaves, N/A, unscored leaves, second-round scores,
bonuses and deductions beyond their caps, ties and indexes on a rounding boundary, both must
agree on every node, every unit total and every rank, on SQLite and PostgreSQL alike.
"""

import random
from decimal import Decimal

import pytest

from scoring import calculations, services
from scoring.models import Adjustment, AdjustmentKind, AssessmentYear, FrameworkNode, LeafScore
from scoring.selectors import results as results_selectors
from scoring.selectors.results import final_layers, framework_tree, results_of_years
from units.models import Unit, UnitLevel
from units.roles import SYSTEM_ADMIN

pytestmark = pytest.mark.django_db

Q = Decimal("0.25")
INTERIOR = FrameworkNode.FilledBy.INTERIOR


def _framework_specs(rng: random.Random) -> list[services.NodeSpec]:
    """Fields of criteria of leaves (some fields with leaves straight under them), and a
    survey field, summing to 100."""
    specs: list[services.NodeSpec] = []
    fields = 4
    for f in range(1, fields + 1):
        field_max = Decimal(0)
        children = []
        if f % 2:  # criteria with sub-criteria
            for c in range(1, rng.randint(2, 3) + 1):
                leaves = [Decimal(rng.choice([1, 2, 3])) for _ in range(rng.randint(1, 3))]
                children.append(services.NodeSpec(f"{f}.{c}", f"Tiêu chí {f}.{c}", sum(leaves)))
                children += [
                    services.NodeSpec(f"{f}.{c}.{i}", f"Thành phần {f}.{c}.{i}", m, "manual")
                    for i, m in enumerate(leaves, start=1)
                ]
                field_max += sum(leaves)
        else:  # leaves straight under the field
            for c in range(1, rng.randint(2, 4) + 1):
                m = Decimal(rng.choice([1, 2, 4]))
                children.append(services.NodeSpec(f"{f}.{c}", f"Tiêu chí {f}.{c}", m, "manual"))
                field_max += m
        specs.append(services.NodeSpec(str(f), f"Lĩnh vực {f}", field_max))
        specs += children
    used = sum(s.max_points for s in specs if "." not in s.code)
    survey = Decimal(100) - used
    specs.append(services.NodeSpec("9", "Khảo sát", survey))
    specs.append(services.NodeSpec("9.1", "Khảo sát 1", survey / 2, "survey", filled_by=INTERIOR))
    specs.append(services.NodeSpec("9.2", "Khảo sát 2", survey / 2, "survey", filled_by=INTERIOR))
    return specs


def _score(rng: random.Random, maximum: Decimal) -> Decimal:
    return Decimal(rng.randint(0, int(maximum / Q))) * Q


def _build(seed: int, n_units: int, *, published: bool, tie_policy: str) -> AssessmentYear:
    rng = random.Random(seed)
    level = UnitLevel.objects.create(code=f"sqltotals-{seed}", name=f"Cấp thử {seed}")
    units = Unit.objects.bulk_create(
        Unit(level=level, code=f"t{seed}-{i}", name=f"Xã Thử Nghiệm {i:03}", kind="xa")
        for i in range(n_units)
    )
    specs = _framework_specs(rng)
    framework = services.create_framework(
        roles=SYSTEM_ADMIN, name=f"Khung {seed}", unit_level=level, nodes=specs
    )
    year = services.create_year(
        roles=SYSTEM_ADMIN,
        year=2040 + seed,
        unit_level=level,
        framework=framework,
        units=units,
        tie_policy=tie_policy,
        bonus_max=Decimal(3),
        deduction_max=Decimal(2),
    )
    leaves = list(framework.nodes.exclude(rule="").order_by("sort_key"))
    assessments = list(year.assessments.order_by("id"))
    scores = []
    for n, assessment in enumerate(assessments):
        if n == 0:
            continue  # nobody has scored this unit yet: sums of zero, everything unscored
        twin = n == 2  # the same scores as unit 1, every leaf scored: a tie
        complete = published or n in (1, 2)
        leaf_rng = random.Random(seed * 1000 + (1 if twin else n))
        for leaf in leaves:
            draw = leaf_rng.random()
            if draw < 0.08 and leaf.rule != "survey":
                scores.append(LeafScore(assessment=assessment, node=leaf, not_applicable=True))
            elif draw < 0.12 and not complete:
                scores.append(LeafScore(assessment=assessment, node=leaf))  # touched, unscored
            elif draw < 0.14 and not complete:
                continue  # never touched: still counts in the applicable maximum, unscored
            else:
                r1 = _score(leaf_rng, leaf.max_points)
                r2 = _score(leaf_rng, leaf.max_points) if leaf_rng.random() < 0.2 else None
                scores.append(
                    LeafScore(
                        assessment=assessment,
                        node=leaf,
                        self_score=leaf.max_points,
                        r1_score=r1,
                        r2_score=r2,
                    )
                )
    LeafScore.objects.bulk_create(scores)
    kinds = {k.direction: k for k in AdjustmentKind.objects.all()}
    adjustments = []
    for n, assessment in enumerate(assessments):
        k = 1 if n == 2 else n % 3  # the twin has unit 1's adjustments too
        for direction, points in (
            (AdjustmentKind.Direction.BONUS, [Decimal("1.5"), Decimal(2)][:k]),
            (AdjustmentKind.Direction.DEDUCTION, [Decimal("0.5"), Decimal("1.75")][:k]),
        ):
            adjustments += [
                Adjustment(
                    assessment=assessment,
                    kind=kinds[direction],
                    direction=direction,
                    points=p,
                    reason="thử",
                )
                for p in points
            ]
    Adjustment.objects.bulk_create(adjustments)
    if published:
        AssessmentYear.objects.filter(pk=year.pk).update(state=AssessmentYear.State.PUBLISHED)
    return AssessmentYear.objects.select_related("framework").get(pk=year.pk)


def _engine_results(year: AssessmentYear):
    """Every unit's node totals, unit total and rank computed leaf by leaf by the engine."""
    tree = framework_tree(year.framework_id)
    layers = dict(
        final_layers(LeafScore.objects.filter(assessment__year=year).order_by("assessment_id"))
    )
    adjustments = results_selectors._adjustment_sums({"assessment__year_id__in": [year.id]})
    out = {}
    for assessment in year.assessments.all():
        leaves = tree.layer(layers.get(assessment.id, {}))
        sums = adjustments[assessment.id]
        out[assessment.id] = (
            calculations.node_totals(tree.parents, leaves),
            calculations.unit_total(
                leaves,
                bonus=sums.get(AdjustmentKind.Direction.BONUS, Decimal(0)),
                deductions=sums.get(AdjustmentKind.Direction.DEDUCTION, Decimal(0)),
                bonus_max=year.bonus_max,
                deduction_max=year.deduction_max,
            ),
            sum(1 for x in leaves if x.score is None and not x.not_applicable),
        )
    ranks = calculations.rank(
        {
            a: total.index
            for a, (_, total, unscored) in out.items()
            if calculations.is_rankable(unscored, year.is_published)
        },
        year.tie_policy,
    )
    return out, ranks


@pytest.mark.parametrize(
    ("seed", "published", "tie_policy"),
    [
        (1, True, AssessmentYear.TiePolicy.COMPETITION),
        (2, False, AssessmentYear.TiePolicy.COMPETITION),
        (3, True, AssessmentYear.TiePolicy.DENSE),
        (4, False, AssessmentYear.TiePolicy.DENSE),
    ],
)
def test_sql_totals_equal_the_engine_on_every_node_unit_and_rank(seed, published, tie_policy):
    year = _build(seed, 14, published=published, tie_policy=tie_policy)
    tree = framework_tree(year.framework_id)
    expected, expected_ranks = _engine_results(year)

    results = results_of_years([year], {year.framework_id: tree}, keep=None)[year.id]

    assert len(results) == 14
    for result in results:
        nodes, total, unscored = expected[result.assessment_id]
        assert result.node_totals == nodes, result.unit.name
        assert result.total == total, result.unit.name
        assert result.unscored == unscored
        survey = sum((nodes[leaf.code].points for leaf in tree.survey_leaves), calculations.ZERO)
        assert result.survey_points == survey
        assert result.rank == expected_ranks.get(result.assessment_id)
    # The data reach the cases the test is about.
    totals = [r.total for r in results]
    assert any(t.bonus == year.bonus_max for t in totals), "a bonus clamped to its cap"
    assert any(t.deductions == year.deduction_max for t in totals), "deductions clamped"
    assert any(r.node_totals[f.code].not_applicable is False for r in results for f in tree.fields)
    assert any(n.applicable_max < n.max_points for r in results for n in r.node_totals.values())
    ranked = [r.rank for r in results if r.rank is not None]
    assert len(ranked) != len(set(ranked)), "units 1 and 2 score alike: a tie"
    if not published:
        assert any(r.rank is None for r in results), "a unit still being appraised is unranked"


@pytest.mark.parametrize("keep", [(), ("1",), ("1", "1.1", "1.1.1", "2"), ("9.1",)])
def test_kept_nodes_total_as_with_every_node_kept(keep):
    """Whatever nodes a page keeps (fields only, nested codes, a survey leaf, none), each one's
    totals are those it has when every node is kept, and unit totals do not change."""
    year = _build(5, 8, published=False, tie_policy=AssessmentYear.TiePolicy.COMPETITION)
    tree = framework_tree(year.framework_id)
    every = {
        r.assessment_id: r for r in results_of_years([year], {year.framework_id: tree})[year.id]
    }
    some = results_of_years([year], {year.framework_id: tree}, keep=keep)[year.id]
    for result in some:
        full = every[result.assessment_id]
        assert set(result.node_totals) == set(keep)
        assert result.node_totals == {code: full.node_totals[code] for code in keep}
        assert (result.total, result.rank, result.unscored, result.survey_points) == (
            full.total,
            full.rank,
            full.unscored,
            full.survey_points,
        )


def test_an_index_on_the_rounding_boundary_ranks_by_its_shown_value():
    """Two units whose exact indexes differ below 0,005 share the shown index and the rank;
    SQL sums keep the exact figures the engine rounds."""
    level = UnitLevel.objects.create(code="boundary", name="Ranh giới")
    units = Unit.objects.bulk_create(
        Unit(level=level, code=f"b{i}", name=f"Xã Biên {i}", kind="xa") for i in range(3)
    )
    specs = [
        services.NodeSpec("1", "Lĩnh vực", Decimal(100)),
        services.NodeSpec("1.1", "A", Decimal("99.75"), "manual"),
        services.NodeSpec("1.2", "B", Decimal("0.25"), "manual", allows_na=True),
    ]
    framework = services.create_framework(
        roles=SYSTEM_ADMIN, name="Ranh giới", unit_level=level, nodes=specs
    )
    year = services.create_year(
        roles=SYSTEM_ADMIN, year=2060, unit_level=level, framework=framework, units=units
    )
    a, b, c = year.assessments.order_by("unit__code")
    leaf_a, leaf_b = framework.nodes.exclude(rule="").order_by("sort_key")
    LeafScore.objects.bulk_create(
        [
            # 89,75 / 99,75 = 89,9749…% → shown 89,97
            LeafScore(assessment=a, node=leaf_a, r1_score=Decimal("89.75")),
            LeafScore(assessment=a, node=leaf_b, not_applicable=True),
            # 89,97 / 100 → 89,97: the same shown index, the same rank
            LeafScore(assessment=b, node=leaf_a, r1_score=Decimal("89.72")),
            LeafScore(assessment=b, node=leaf_b, r1_score=Decimal("0.25"), r2_score=None),
            LeafScore(assessment=c, node=leaf_a, r1_score=Decimal("89.75")),
            LeafScore(assessment=c, node=leaf_b, r1_score=Decimal("0.25"), r2_score=Decimal(0)),
        ]
    )
    AssessmentYear.objects.filter(pk=year.pk).update(state=AssessmentYear.State.PUBLISHED)
    year.refresh_from_db()
    results = {r.assessment_id: r for r in results_selectors.year_results(year)}
    assert results[a.id].total.shown_index == results[b.id].total.shown_index
    assert results[a.id].total.index != results[b.id].total.index
    assert results[a.id].rank == results[b.id].rank == 1
    # The second round's 0 wins over the first round's 0,25 (latest, not best).
    assert results[c.id].total.points == Decimal("89.75")
    assert results[c.id].rank == 3
