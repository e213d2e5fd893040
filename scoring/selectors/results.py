"""Results of a year: totals, ranks, the ranking page and a unit's scorecard."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from itertools import groupby
from operator import itemgetter

from django.db.models import Prefetch, QuerySet, Sum

from units.collation import VietnameseOrder, name_key
from units.models import Unit, UnitSuccession
from units.roles import Roles

from .. import calculations
from ..calculations import LeafInput, NodeTotal, UnitTotal
from ..models import (
    Adjustment,
    AdjustmentKind,
    Assessment,
    AssessmentYear,
    FrameworkNode,
    LeafScore,
)
from ..rules import ZERO
from . import totals
from .lineage import lineage
from .totals import AssessmentSums


@dataclass(frozen=True)
class NodeRow:
    id: int
    code: str
    title: str
    parent_code: str | None
    max_points: Decimal
    rule: str
    shortfall: str = ""  # the leaf said as what was missing (reports of lost points)

    @property
    def is_leaf(self) -> bool:
        return bool(self.rule)

    @property
    def is_survey(self) -> bool:
        return self.rule == "survey"

    @property
    def depth(self) -> int:
        return self.code.count(".")


@dataclass
class Tree:
    nodes: list[NodeRow]  # in tree order

    @cached_property
    def parents(self) -> dict[str, str | None]:
        return {node.code: node.parent_code for node in self.nodes}

    @cached_property
    def by_id(self) -> dict[int, NodeRow]:
        return {node.id: node for node in self.nodes}

    @cached_property
    def leaves(self) -> list[NodeRow]:
        return [node for node in self.nodes if node.is_leaf]

    @cached_property
    def survey_leaves(self) -> list[NodeRow]:
        return [node for node in self.leaves if node.is_survey]

    @cached_property
    def fields(self) -> list[NodeRow]:
        """Top-level nodes that hold appraised leaves; the survey gets a column of its own,
        wherever a framework puts its survey leaves."""
        appraised_tops = {self.top_of(leaf.code) for leaf in self.leaves if not leaf.is_survey}
        return [n for n in self.nodes if n.parent_code is None and n.code in appraised_tops]

    @cached_property
    def survey_max(self) -> Decimal:
        return sum((leaf.max_points for leaf in self.survey_leaves), ZERO)

    @cached_property
    def top_level_groups(self) -> list[tuple[NodeRow, list[NodeRow]]]:
        """Every top-level node in tree order with the leaves under it in tree order (a
        top-level node that is itself a leaf is its own only leaf)."""
        groups: dict[str, list[NodeRow]] = {n.code: [] for n in self.nodes if n.parent_code is None}
        for leaf in self.leaves:
            groups[self.top_of(leaf.code)].append(leaf)
        return [(n, groups[n.code]) for n in self.nodes if n.parent_code is None]

    def top_of(self, code: str) -> str:
        """The code of the top-level node above ``code`` (itself for a top-level node)."""
        while self.parents[code] is not None:
            code = self.parents[code]
        return code

    def layer(self, scores: dict[int, tuple[Decimal | None, bool]]) -> list[LeafInput]:
        """Every leaf of the tree with its score in one layer (self-score or final score);
        ``scores`` maps node ids to (score, N/A). Leaves nobody has touched count in the
        applicable maximum, unscored."""
        return [
            LeafInput(leaf.code, leaf.max_points, *scores.get(leaf.id, (None, False)))
            for leaf in self.leaves
        ]


def framework_tree(framework_id: int) -> Tree:
    """One query: the framework's nodes in tree order."""
    return framework_trees([framework_id])[framework_id]


def framework_trees(framework_ids: Collection[int]) -> dict[int, Tree]:
    """One query for any number of frameworks: each one's nodes in tree order."""
    trees: dict[int, Tree] = {framework_id: Tree([]) for framework_id in framework_ids}
    rows = FrameworkNode.objects.filter(framework_id__in=trees).order_by("framework_id", "sort_key")
    for r in rows.values_list(
        "framework_id", "id", "code", "title", "parent__code", "max_points", "rule", "shortfall"
    ):
        trees[r[0]].nodes.append(
            NodeRow(
                id=r[1],
                code=r[2],
                title=r[3],
                parent_code=r[4],
                max_points=r[5],
                rule=r[6],
                shortfall=r[7],
            )
        )
    return trees


@dataclass
class UnitResult:
    unit: Unit
    assessment_id: int
    node_totals: dict[str, NodeTotal]
    total: UnitTotal
    survey_points: Decimal
    unscored: int  # applicable leaves nobody has scored yet
    rank: int | None = None


def _adjustment_sums(assessment_filter: dict) -> defaultdict[int, dict[str, Decimal]]:
    sums: defaultdict[int, dict[str, Decimal]] = defaultdict(dict)
    rows = (
        Adjustment.objects.filter(**assessment_filter)
        .values("assessment_id", "direction")
        .annotate(points=Sum("points"))
        .order_by()
    )
    for row in rows:
        sums[row["assessment_id"]][row["direction"]] = row["points"]
    return sums


# Leaf scores are fetched this many rows at a time: a year of 3,000 units × 150 leaves is never
# held whole in memory, only one unit's leaves at a time.
CHUNK_SIZE = 2000

Layer = dict[int, tuple[Decimal | None, bool]]  # node id -> (final score, N/A)


def final_layers(leaf_scores: QuerySet[LeafScore]) -> Iterator[tuple[int, Layer]]:
    """Each assessment's final scores, one assessment at a time, in the order of
    ``leaf_scores`` (which must keep each assessment's rows together): one query, streamed."""
    rows = leaf_scores.values_list(
        "assessment_id", "node_id", "r1_score", "r2_score", "not_applicable"
    ).iterator(chunk_size=CHUNK_SIZE)
    for assessment_id, group in groupby(rows, key=itemgetter(0)):
        yield (
            assessment_id,
            {node: (calculations.final_score(r1, r2), na) for _, node, r1, r2, na in group},
        )


def _unit_result(
    year: AssessmentYear,
    assessment: Assessment,
    sums: AssessmentSums,
    adjustments: dict[str, Decimal],
) -> UnitResult:
    unit = sums.unit
    return UnitResult(
        unit=assessment.unit,
        assessment_id=assessment.id,
        node_totals={code: calculations.node_total(s) for code, s in sums.nodes.items()},
        total=calculations.total_of_sums(
            unit.points,
            unit.max_points - unit.not_applicable_max,
            bonus=adjustments.get(AdjustmentKind.Direction.BONUS, ZERO),
            deductions=adjustments.get(AdjustmentKind.Direction.DEDUCTION, ZERO),
            bonus_max=year.bonus_max,
            deduction_max=year.deduction_max,
        ),
        survey_points=sums.survey_points,
        unscored=unit.leaves - unit.scored - unit.not_applicable,
    )


def results_of_years(
    years: Collection[AssessmentYear],
    trees: dict[int, Tree],
    *,
    keep: Collection[str] | None = None,
    unit_only: Collection[int] = (),
) -> dict[int, list[UnitResult]]:
    """Every assessed unit's totals and rank for each of ``years`` (by year id, units by name):
    3 queries however many years and leaves. ``trees`` maps each year's framework id to its
    tree.

    The database sums the leaf scores (``totals.sums_of_years``), per unit and per node of
    ``keep`` (None: every node), so a request costs one aggregate over the year's scores and
    memory for its per-unit totals only, never a pass over every leaf in Python. Years in
    ``unit_only`` (ids) get unit totals and no node's."""
    by_id = {year.id: year for year in years}
    if not by_id:
        return {}
    year_ids = list(by_id)
    assessments = {
        a.id: a
        for a in Assessment.objects.filter(year_id__in=year_ids)
        .select_related("unit")
        .order_by(VietnameseOrder("unit__name"), "id")
    }
    adjustments = _adjustment_sums({"assessment__year_id__in": year_ids})
    plans = {
        year.framework_id: totals.plan(trees[year.framework_id], keep) for year in by_id.values()
    }
    sums = totals.sums_of_years(
        year_ids,
        plans,
        {a.id: by_id[a.year_id].framework_id for a in assessments.values()},
        unit_only={a.id for a in assessments.values() if a.year_id in set(unit_only)},
    )
    results: dict[int, list[UnitResult]] = {year_id: [] for year_id in by_id}
    for assessment in assessments.values():  # by unit name
        year = by_id[assessment.year_id]
        results[year.id].append(
            _unit_result(year, assessment, sums[assessment.id], adjustments[assessment.id])
        )
    for year_id, unit_results in results.items():
        year = by_id[year_id]
        ranks = calculations.rank(
            {
                r.assessment_id: r.total.index
                for r in unit_results
                if calculations.is_rankable(r.unscored, year.is_published)
            },
            year.tie_policy,
        )
        for result in unit_results:
            result.rank = ranks.get(result.assessment_id)
    return results


def year_results(
    year: AssessmentYear, tree: Tree | None = None, *, keep: Collection[str] | None = None
) -> list[UnitResult]:
    """Every assessed unit's totals and rank for a year, by unit name: 3 queries (+1 without
    ``tree``). ``keep``: the node codes whose totals each result holds (None: every node)."""
    tree = tree or framework_tree(year.framework_id)
    return results_of_years([year], {year.framework_id: tree}, keep=keep)[year.id]


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
    # Through a reorganisation: the unit that stands for this one last year when it is another
    # (renamed, split from), with the links followed, nearest first; or the units a merge made
    # this one from, when there are several (then no rank change: it would mean nothing).
    compared_with: Unit | None = None
    links_followed: list[UnitSuccession] = field(default_factory=list)
    merged_from: list[Unit] = field(default_factory=list)

    @property
    def unit(self) -> Unit:
        return self.result.unit

    @property
    def total(self) -> UnitTotal:
        return self.result.total

    @property
    def rank(self) -> int | None:
        return self.result.rank

    @property
    def places_moved(self) -> int | None:
        return None if self.rank_change is None else abs(self.rank_change)


@dataclass
class Ranking:
    year: AssessmentYear
    fields: list[NodeRow]
    survey_max: Decimal
    rows: list[RankingRow]
    previous: AssessmentYear | None
    bands: list[tuple[str, Decimal]] = field(default_factory=list)
    reopenings: list = field(default_factory=list)

    @property
    def provisional(self) -> bool:
        return not self.year.is_published

    @property
    def column_count(self) -> int:
        # rank, unit, fields, survey, bonus, deductions, total, applicable, index, [band], change
        return len(self.fields) + 9 + (1 if self.bands else 0)


def _by_rank(results: Iterable[UnitResult]) -> list[UnitResult]:
    # Equal ranks (ties) and the unranked: in Vietnamese alphabetical order of their names.
    return sorted(results, key=lambda r: (r.rank is None, r.rank or 0, name_key(r.unit.name)))


def year_ranking(year: AssessmentYear) -> Ranking:
    """The ranking page: 6 queries (last year's lookup, the trees, bands, both years' results),
    + 1 for the units' reorganisations when there is a last year. ``year`` must
    come with its framework loaded (the access helper does it).

    Last year's rank of a unit is its own, or, through a rename or a split, that of the one
    unit that stood for it (``Lineage.single_counterpart``); a unit a merge made from several
    gets none."""
    previous = previous_year(year)
    years = [year] if previous is None else [year, previous]
    trees = framework_trees({y.framework_id for y in years})
    tree = trees[year.framework_id]
    bands = [(b.label, b.lower_bound) for b in year.bands.all()]
    # Both years' totals in one aggregate over their scores (last year's per field come along
    # in the rows, a pass fewer; only its unit totals are kept).
    both = results_of_years(
        years, trees, keep=[f.code for f in tree.fields], unit_only=[y.id for y in years[1:]]
    )
    results = both[year.id]
    previous_results: dict[int, UnitResult] = {}
    if previous is not None:
        previous_results = {r.unit.id: r for r in both[previous.id]}
        links = lineage()
    rows = []
    for result in _by_rank(results):
        row = RankingRow(
            result=result,
            field_points=[result.node_totals[f.code].points for f in tree.fields],
            # A unit still being appraised has a partial sum, not an index: no band either.
            band=(
                calculations.band_for(result.total.index, bands)
                if result.rank is not None
                else None
            ),
            previous_rank=None,
            rank_change=None,
        )
        if previous_results:
            counterparts = links.counterparts_in(result.unit.id, previous_results)
            if len(counterparts) == 1:
                before = previous_results[counterparts[0]]
                row.previous_rank = before.rank
                row.rank_change = calculations.rank_change(before.rank, result.rank)
                if before.unit.id != result.unit.id:
                    row.compared_with = before.unit
                    row.links_followed = links.trail(result.unit.id, before.unit.id)
            elif counterparts:
                row.merged_from = sorted(
                    (previous_results[c].unit for c in counterparts),
                    key=lambda unit: name_key(unit.name),
                )
        rows.append(row)
    return Ranking(
        year=year,
        fields=tree.fields,
        survey_max=tree.survey_max,
        rows=rows,
        previous=previous,
        bands=bands,
        reopenings=list(year.reopenings.all()),
    )


@dataclass
class ScorecardLine:
    node: NodeRow
    self_total: NodeTotal
    final: NodeTotal
    leaf: LeafScore | None  # leaves only

    @property
    def max_points(self) -> Decimal:
        return self.node.max_points

    @property
    def not_applicable(self) -> bool:
        return self.final.not_applicable

    @property
    def self_points(self) -> Decimal | None:
        return self.self_total.points if self.self_total.is_scored else None

    @property
    def final_points(self) -> Decimal | None:
        return self.final.points if self.final.is_scored else None

    @property
    def lost(self) -> Decimal:
        return self.final.lost


@dataclass
class Scorecard:
    assessment: Assessment
    lines: list[ScorecardLine]
    total: UnitTotal
    self_total: UnitTotal
    unscored: int
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
            and not line.node.is_survey
            and not line.not_applicable
            and line.lost > 0
        ]

    @property
    def deductions(self) -> list[Adjustment]:
        return [a for a in self.adjustments if a.direction == AdjustmentKind.Direction.DEDUCTION]


def unit_scorecard(assessment: Assessment) -> Scorecard:
    """A unit's whole tree for a year: 6 queries (tree, its leaves, its adjustments, the year's
    results for its rank). ``assessment`` must come with year, unit and framework loaded (the
    access helper does it)."""
    year = assessment.year
    tree = framework_tree(year.framework_id)
    leaves = {leaf.node_id: leaf for leaf in LeafScore.objects.filter(assessment=assessment)}
    adjustments = list(
        Adjustment.objects.filter(assessment=assessment)
        .select_related("kind")
        .order_by("created_at")
    )
    results = year_results(year, tree, keep=())  # the others' totals, for the rank only
    mine = next(r for r in results if r.assessment_id == assessment.id)
    self_layer = tree.layer(
        {node_id: (leaf.self_score, leaf.not_applicable) for node_id, leaf in leaves.items()}
    )
    self_totals = calculations.node_totals(tree.parents, self_layer)
    final_totals = calculations.node_totals(
        tree.parents,
        tree.layer(
            {node_id: (leaf.final_score, leaf.not_applicable) for node_id, leaf in leaves.items()}
        ),
    )
    lines = [
        ScorecardLine(
            node=node,
            self_total=self_totals[node.code],
            final=final_totals[node.code],
            leaf=leaves.get(node.id),
        )
        for node in tree.nodes
    ]
    return Scorecard(
        assessment=assessment,
        lines=lines,
        total=mine.total,
        self_total=calculations.unit_total(self_layer),
        unscored=mine.unscored,
        adjustments=adjustments,
        rank=mine.rank,
        ranked_units=sum(1 for r in results if r.rank is not None),
    )


def years_for(roles: Roles) -> list[AssessmentYear]:
    """The rankings a user may open: every year for the Interior Department, published ones for
    everyone else (a unit reaches its own unpublished years through its scorecards)."""
    years = AssessmentYear.objects.select_related("unit_level").order_by(
        "-year", "unit_level__order"
    )
    if not roles.is_interior_staff:
        years = years.filter(state=AssessmentYear.State.PUBLISHED)
    return list(years)


def units_of(roles: Roles) -> list[Unit]:
    """The units a person works for, with the years they are assessed in (2 queries)."""
    if not roles.unit_ids:
        return []
    return list(
        Unit.objects.filter(id__in=roles.unit_ids).prefetch_related(
            Prefetch(
                "assessments",
                queryset=Assessment.objects.select_related("year__unit_level").order_by(
                    "-year__year"
                ),
            )
        )
    )
