"""Every read a page needs, in a fixed number of queries whatever the number of units and leaves.

Selectors fetch plain rows and hand them to ``calculations``; no template ever triggers a query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, Sum

from units.models import Unit

from . import calculations
from .calculations import LeafInput, NodeTotal, UnitTotal
from .models import Adjustment, AdjustmentKind, Assessment, AssessmentYear, FrameworkNode, LeafScore
from .rules import ZERO


@dataclass(frozen=True)
class NodeRow:
    id: int
    code: str
    title: str
    parent_code: str | None
    max_points: Decimal
    rule: str

    @property
    def is_leaf(self) -> bool:
        return bool(self.rule)

    @property
    def depth(self) -> int:
        return self.code.count(".")


@dataclass
class Tree:
    nodes: list[NodeRow]  # in tree order

    @property
    def parents(self) -> dict[str, str | None]:
        return {node.code: node.parent_code for node in self.nodes}

    @property
    def fields(self) -> list[NodeRow]:
        return [node for node in self.nodes if node.parent_code is None]

    @property
    def by_id(self) -> dict[int, NodeRow]:
        return {node.id: node for node in self.nodes}


def framework_tree(framework_id: int) -> Tree:
    """One query: the framework's nodes in tree order."""
    rows = FrameworkNode.objects.filter(framework_id=framework_id).order_by("sort_key")
    return Tree(
        [
            NodeRow(id=r[0], code=r[1], title=r[2], parent_code=r[3], max_points=r[4], rule=r[5])
            for r in rows.values_list("id", "code", "title", "parent__code", "max_points", "rule")
        ]
    )


@dataclass
class UnitResult:
    unit: Unit
    assessment_id: int
    node_totals: dict[str, NodeTotal]
    total: UnitTotal
    unscored: int  # applicable leaves nobody has scored yet
    rank: int | None = None


def _adjustment_sums(assessment_filter: dict) -> dict[int, dict[str, Decimal]]:
    sums: dict[int, dict[str, Decimal]] = defaultdict(dict)
    rows = (
        Adjustment.objects.filter(**assessment_filter)
        .values("assessment_id", "kind__direction")
        .annotate(points=Sum("points"))
        .order_by()
    )
    for row in rows:
        sums[row["assessment_id"]][row["kind__direction"]] = row["points"]
    return sums


def _unit_result(year, tree, unit, assessment_id, leaf_rows, adjustments) -> UnitResult:
    by_id = tree.by_id
    leaves = [
        LeafInput(
            code=by_id[node_id].code,
            max_points=by_id[node_id].max_points,
            score=LeafScore.final_of(r1, r2),
            not_applicable=na,
        )
        for node_id, (r1, r2, na) in leaf_rows.items()
    ]
    # Leaves nobody has touched yet still count in the applicable maximum, at zero points.
    touched = {leaf.code for leaf in leaves}
    leaves += [
        LeafInput(code=node.code, max_points=node.max_points, score=None)
        for node in tree.nodes
        if node.is_leaf and node.code not in touched
    ]
    total = calculations.unit_total(
        leaves,
        bonus=adjustments.get(AdjustmentKind.Direction.BONUS, ZERO),
        deductions=adjustments.get(AdjustmentKind.Direction.DEDUCTION, ZERO),
        bonus_max=year.bonus_max,
        deduction_max=year.deduction_max,
    )
    unscored = sum(1 for leaf in leaves if leaf.score is None and not leaf.not_applicable)
    return UnitResult(
        unit, assessment_id, calculations.node_totals(tree.parents, leaves), total, unscored
    )


def year_results(year: AssessmentYear, tree: Tree | None = None) -> list[UnitResult]:
    """Every assessed unit's totals and rank for a year: 3 queries (+1 without ``tree``)."""
    tree = tree or framework_tree(year.framework_id)
    assessments = list(
        Assessment.objects.filter(year=year).select_related("unit").order_by("unit__name")
    )
    leaf_rows: dict[int, dict[int, tuple]] = defaultdict(dict)
    for assessment_id, node_id, r1, r2, na in LeafScore.objects.filter(
        assessment__year=year
    ).values_list("assessment_id", "node_id", "r1_score", "r2_score", "not_applicable"):
        leaf_rows[assessment_id][node_id] = (r1, r2, na)
    adjustments = _adjustment_sums({"assessment__year": year})
    results = [
        _unit_result(year, tree, a.unit, a.id, leaf_rows[a.id], adjustments.get(a.id, {}))
        for a in assessments
    ]
    # Until publication a unit is ranked only once every leaf has a score: a half-appraised unit
    # would otherwise sit at the bottom with a meaningless total. A published year ranks all.
    ranks = calculations.rank(
        {r.assessment_id: r.total.index for r in results if year.is_published or r.unscored == 0},
        year.tie_policy,
    )
    for result in results:
        result.rank = ranks.get(result.assessment_id)
    return results


def previous_year(year: AssessmentYear) -> AssessmentYear | None:
    """Last year's published round of the same unit level, the base of the rank change."""
    return (
        AssessmentYear.objects.filter(
            unit_level_id=year.unit_level_id,
            year=year.year - 1,
            state=AssessmentYear.State.PUBLISHED,
        )
        .only("id", "year", "state", "framework_id", "tie_policy", "bonus_max", "deduction_max")
        .first()
    )


@dataclass
class RankingRow:
    result: UnitResult
    field_points: list[Decimal]
    band: str | None
    previous_rank: int | None
    rank_change: int | None

    @property
    def unit(self) -> Unit:
        return self.result.unit

    @property
    def total(self) -> UnitTotal:
        return self.result.total

    @property
    def rank(self) -> int | None:
        return self.result.rank


@dataclass
class Ranking:
    year: AssessmentYear
    fields: list[NodeRow]
    rows: list[RankingRow]
    previous: AssessmentYear | None
    bands: list[tuple[str, Decimal]] = field(default_factory=list)

    @property
    def provisional(self) -> bool:
        return not self.year.is_published


def _by_rank(results: Iterable[UnitResult]) -> list[UnitResult]:
    return sorted(results, key=lambda r: (r.rank is None, r.rank or 0, r.unit.name))


def year_ranking(year: AssessmentYear) -> Ranking:
    """The ranking page: 10 queries (bands, tree, year results ×2 with last year's, previous year).

    ``year`` must come with its framework loaded (the access helper does it).
    """
    tree = framework_tree(year.framework_id)
    bands = [(b.label, b.lower_bound) for b in year.bands.all()]
    results = year_results(year, tree)
    previous = previous_year(year)
    previous_ranks: dict[int, int | None] = {}
    if previous is not None:
        previous_ranks = {r.unit.id: r.rank for r in year_results(previous)}
    rows = [
        RankingRow(
            result=result,
            field_points=[result.node_totals[f.code].points for f in tree.fields],
            band=calculations.band_for(result.total.index, bands),
            previous_rank=previous_ranks.get(result.unit.id),
            rank_change=calculations.rank_change(previous_ranks.get(result.unit.id), result.rank),
        )
        for result in _by_rank(results)
    ]
    return Ranking(year=year, fields=tree.fields, rows=rows, previous=previous, bands=bands)


@dataclass
class ScorecardLine:
    node: NodeRow
    max_points: Decimal
    self_points: Decimal | None
    final: NodeTotal
    leaf: LeafScore | None  # leaves only

    @property
    def not_applicable(self) -> bool:
        return self.final.not_applicable

    @property
    def final_points(self) -> Decimal | None:
        if self.node.is_leaf and (self.leaf is None or self.leaf.final_score is None):
            return None
        return self.final.points

    @property
    def lost(self) -> Decimal:
        return self.final.lost


@dataclass
class Scorecard:
    assessment: Assessment
    lines: list[ScorecardLine]
    total: UnitTotal
    self_total: UnitTotal
    adjustments: list[Adjustment]
    rank: int | None
    ranked_units: int

    @property
    def total_lost(self) -> Decimal:
        return self.total.applicable_max - self.total.points

    @property
    def lost_leaves(self) -> list[ScorecardLine]:
        """Leaves where the unit lost points, the content of a report like Vũ Quang's.

        Survey leaves are left out: a survey result is not a criterion the unit failed.
        """
        return [
            line
            for line in self.lines
            if line.node.is_leaf
            and line.node.rule != "survey"
            and not line.not_applicable
            and line.lost > 0
        ]

    @property
    def deductions(self) -> list[Adjustment]:
        return [
            a for a in self.adjustments if a.kind.direction == AdjustmentKind.Direction.DEDUCTION
        ]


def unit_scorecard(assessment: Assessment) -> Scorecard:
    """A unit's whole tree for a year: 7 queries (tree, leaves, adjustments, the year's results).

    ``assessment`` must come with year, unit and framework loaded (the access helper does it).
    """
    year = assessment.year
    tree = framework_tree(year.framework_id)
    leaves = {leaf.node_id: leaf for leaf in LeafScore.objects.filter(assessment=assessment)}
    adjustments = list(
        Adjustment.objects.filter(assessment=assessment)
        .select_related("kind")
        .order_by("created_at")
    )
    results = year_results(year, tree)
    mine = next(r for r in results if r.assessment_id == assessment.id)
    by_id = tree.by_id
    self_leaves = [
        LeafInput(
            code=by_id[node_id].code,
            max_points=by_id[node_id].max_points,
            score=leaf.self_score,
            not_applicable=leaf.not_applicable,
        )
        for node_id, leaf in leaves.items()
    ]
    self_totals = calculations.node_totals(tree.parents, self_leaves)
    has_self = {leaf.code for leaf in self_leaves if leaf.score is not None}
    lines = []
    for node in tree.nodes:
        self_points = self_totals[node.code].points
        if node.is_leaf and node.code not in has_self:
            self_points = None
        lines.append(
            ScorecardLine(
                node=node,
                max_points=node.max_points,
                self_points=self_points,
                final=mine.node_totals[node.code],
                leaf=leaves.get(node.id),
            )
        )
    return Scorecard(
        assessment=assessment,
        lines=lines,
        total=mine.total,
        self_total=calculations.unit_total(self_leaves),
        adjustments=adjustments,
        rank=mine.rank,
        ranked_units=sum(1 for r in results if r.rank is not None),
    )


def years_for(user_roles) -> list[AssessmentYear]:
    """The years a user may open: all for the Interior Department, published ones for others,
    plus the years their own unit is assessed in."""
    years = AssessmentYear.objects.select_related("unit_level").order_by(
        "-year", "unit_level__order"
    )
    if user_roles.is_interior_staff:
        return list(years)
    visible = Q(state=AssessmentYear.State.PUBLISHED)
    if user_roles.unit_ids:
        visible |= Q(assessments__unit_id__in=user_roles.unit_ids)
    return list(years.filter(visible).distinct())


def units_of(user_roles) -> list[Unit]:
    """The units a person works for, with the years they are assessed in (2 queries)."""
    if not user_roles.unit_ids:
        return []
    return list(
        Unit.objects.filter(id__in=user_roles.unit_ids).prefetch_related(
            Prefetch(
                "assessments",
                queryset=Assessment.objects.select_related("year__unit_level").order_by(
                    "-year__year"
                ),
            )
        )
    )
