"""A level's year as the Interior Department reads it: the common gaps, the units by over-claim
(self-assessment above appraisal) and the year's most improved units.

Every selector runs a fixed number of queries whatever the number of units and leaves: leaf
scores are streamed one unit at a time (as ``results.final_layers`` does) and only per-unit
totals and per-leaf tallies are kept."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from operator import itemgetter

from units.collation import VietnameseOrder, name_key
from units.models import Unit

from .. import calculations
from ..analysis.gaps import Gap, GapLeaf, GapTally
from ..analysis.stats import mean, median
from ..calculations import LeafInput
from ..models import Assessment, AssessmentYear, LeafScore
from ..rules import ZERO, round2
from .lineage import lineage
from .results import (
    CHUNK_SIZE,
    Tree,
    framework_tree,
    framework_trees,
    previous_year,
    results_of_years,
)

__all__ = [
    "FieldClaim",
    "Gap",
    "Improvement",
    "OverclaimRow",
    "YearInsight",
    "common_gaps",
    "improvements_since_previous",
    "level_insight_summary",
    "most_improved",
    "overclaim_table",
]


def _assessments(year: AssessmentYear) -> dict[int, Assessment]:
    """The year's assessments with their units, in Vietnamese order of the units' names."""
    return {
        a.id: a
        for a in Assessment.objects.filter(year=year)
        .select_related("unit")
        .order_by(VietnameseOrder("unit__name"), "id")
    }


def _gap_leaves(tree: Tree) -> list[GapLeaf]:
    titles = {node.code: node.title for node in tree.nodes}
    return [
        GapLeaf(
            code=leaf.code,
            title=leaf.title,
            field_code=tree.top_of(leaf.code),
            field_title=titles[tree.top_of(leaf.code)],
            max_points=leaf.max_points,
            is_survey=leaf.is_survey,
        )
        for leaf in tree.leaves
    ]


# ---------------------------------------------------------------------------------------------
# Common gaps


def common_gaps(year: AssessmentYear, *, tree: Tree | None = None) -> list[Gap]:
    """Leaves (survey excluded) on which at least one assessed unit lost points: most units
    first, then most points lost in total, then by code. 2 queries (+1 without ``tree``)."""
    tree = tree or framework_tree(year.framework_id)
    assessments = _assessments(year)
    codes = {node.id: node.code for node in tree.leaves}
    tally = GapTally(_gap_leaves(tree))
    seen: set[int] = set()
    rows = (
        LeafScore.objects.filter(assessment__year=year)
        .order_by("assessment_id")
        .values_list("assessment_id", "node_id", "r1_score", "r2_score", "not_applicable")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for assessment_id, group in groupby(rows, key=itemgetter(0)):
        seen.add(assessment_id)
        tally.add(
            assessments[assessment_id].unit.name,
            {
                codes[node]: (calculations.final_score(r1, r2), na)
                for _, node, r1, r2, na in group
                if node in codes
            },
        )
    for assessment_id, assessment in assessments.items():  # units nobody has scored yet
        if assessment_id not in seen:
            tally.add(assessment.unit.name, {})
    return tally.gaps()


# ---------------------------------------------------------------------------------------------
# Over-claim: self-assessment against appraisal


@dataclass(frozen=True)
class FieldClaim:
    code: str
    title: str
    self_points: Decimal
    appraised_points: Decimal
    difference: Decimal  # self − appraised; negative when the unit under-claimed


@dataclass
class OverclaimRow:
    """One unit's self-assessment against its appraisal, over the leaves a unit scores itself
    (survey leaves, bonus and deductions are the Interior Department's and left out)."""

    unit: Unit
    self_points: Decimal
    appraised_points: Decimal
    difference: Decimal  # self − appraised
    fields: list[FieldClaim]
    self_index: Decimal | None  # self points / applicable maximum of those leaves × 100
    appraised_index: Decimal | None  # appraised points, the same way
    applicable_max: Decimal = ZERO


def _overclaim_row(
    tree: Tree, unit: Unit, self_scores: dict, final_scores: dict, fields: list
) -> OverclaimRow:
    own_leaves = [leaf for leaf in tree.leaves if not leaf.is_survey]
    self_layer = [
        LeafInput(leaf.code, leaf.max_points, *self_scores.get(leaf.id, (None, False)))
        for leaf in own_leaves
    ]
    final_layer = [
        LeafInput(leaf.code, leaf.max_points, *final_scores.get(leaf.id, (None, False)))
        for leaf in own_leaves
    ]
    self_total = calculations.unit_total(self_layer)
    final_total = calculations.unit_total(final_layer)
    self_nodes = calculations.node_totals(tree.parents, self_layer)
    final_nodes = calculations.node_totals(tree.parents, final_layer)
    return OverclaimRow(
        unit=unit,
        self_points=self_total.points,
        appraised_points=final_total.points,
        difference=self_total.points - final_total.points,
        fields=[
            FieldClaim(
                code=f.code,
                title=f.title,
                self_points=self_nodes[f.code].points,
                appraised_points=final_nodes[f.code].points,
                difference=self_nodes[f.code].points - final_nodes[f.code].points,
            )
            for f in fields
        ],
        self_index=self_total.index,
        appraised_index=final_total.index,
        applicable_max=final_total.applicable_max,
    )


def overclaim_table(year: AssessmentYear, *, tree: Tree | None = None) -> list[OverclaimRow]:
    """Every assessed unit's self-assessed points against its appraised points, in total and
    per field: largest over-claim first (ties in Vietnamese order of names). 2 queries (+1
    without ``tree``)."""
    tree = tree or framework_tree(year.framework_id)
    assessments = _assessments(year)
    fields = tree.fields
    rows_by_assessment: dict[int, OverclaimRow] = {}
    rows = (
        LeafScore.objects.filter(assessment__year=year)
        .order_by("assessment_id")
        .values_list(
            "assessment_id", "node_id", "self_score", "r1_score", "r2_score", "not_applicable"
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for assessment_id, group in groupby(rows, key=itemgetter(0)):
        self_scores: dict = {}
        final_scores: dict = {}
        for _, node, self_score, r1, r2, na in group:
            self_scores[node] = (self_score, na)
            final_scores[node] = (calculations.final_score(r1, r2), na)
        rows_by_assessment[assessment_id] = _overclaim_row(
            tree, assessments[assessment_id].unit, self_scores, final_scores, fields
        )
    result = [
        rows_by_assessment.get(assessment_id) or _overclaim_row(tree, a.unit, {}, {}, fields)
        for assessment_id, a in assessments.items()
    ]
    return sorted(result, key=lambda r: (-r.difference, name_key(r.unit.name)))


# ---------------------------------------------------------------------------------------------
# Most improved


@dataclass(frozen=True)
class Improvement:
    unit: Unit
    previous_unit_name: str | None  # the predecessor compared with (a rename, a merge), if any
    previous_index: Decimal  # shown (2 dp)
    index: Decimal  # shown (2 dp)
    index_change: Decimal  # index − previous_index
    previous_rank: int | None
    rank: int | None
    rank_change: int | None  # places gained (positive: moved up)

    @property
    def places_moved(self) -> int | None:
        return None if self.rank_change is None else abs(self.rank_change)


def most_improved(year: AssessmentYear) -> list[Improvement]:
    """Every unit of ``year`` with an index that can be compared with the level's previous
    published year (``results.previous_year``), itself or, through a merge, split or rename,
    the one unit that stood for it (``lineage.single_counterpart``): most index points gained
    first, then most places gained, then by name. A unit with no counterpart last year (new,
    or several predecessors) is left out. 6 queries (1 when there is no previous year)."""
    return improvements_since_previous(year)[1]


def improvements_since_previous(
    year: AssessmentYear,
) -> tuple[AssessmentYear | None, list[Improvement]]:
    """``most_improved`` with the previous year it compares with (None: no comparison)."""
    previous = previous_year(year)
    if previous is None:
        return None, []
    trees = framework_trees({year.framework_id, previous.framework_id})
    results = results_of_years([year, previous], trees, keep=())
    before = {r.unit.id: r for r in results[previous.id] if r.total.index is not None}
    links = lineage()
    improvements = []
    for result in results[year.id]:
        if result.total.index is None:
            continue
        counterpart = links.single_counterpart(result.unit.id, before)
        if counterpart is None:
            continue
        old = before[counterpart]
        index = round2(result.total.index)
        previous_index = round2(old.total.index)
        improvements.append(
            Improvement(
                unit=result.unit,
                previous_unit_name=None if counterpart == result.unit.id else old.unit.name,
                previous_index=previous_index,
                index=index,
                index_change=index - previous_index,
                previous_rank=old.rank,
                rank=result.rank,
                rank_change=calculations.rank_change(old.rank, result.rank),
            )
        )
    return previous, sorted(
        improvements,
        key=lambda i: (
            -i.index_change,
            -(i.rank_change if i.rank_change is not None else -(10**9)),
            name_key(i.unit.name),
        ),
    )


# ---------------------------------------------------------------------------------------------
# The whole year, for the province-wide report


@dataclass
class YearInsight:
    year: AssessmentYear
    previous: AssessmentYear | None
    units: int  # assessed units
    ranked: int
    mean_index: Decimal | None  # over ranked units, exact
    median_index: Decimal | None
    bands: list[tuple[str, int]]  # (label, units in it), highest band first
    common_gaps: list[Gap]
    most_improved: list[Improvement]
    overclaim: list[OverclaimRow]
    mean_self_points: Decimal | None
    mean_appraised_points: Decimal | None
    mean_difference: Decimal | None
    members_phrase: str = ""  # "huyện, thị xã, thành phố"; "" when the level has none


def level_insight_summary(year: AssessmentYear) -> YearInsight:
    """Everything the province-wide report of a year needs in one bundle: 15 queries whatever
    the number of units (tree, results, bands, gaps, over-claim, most improved)."""
    tree = framework_tree(year.framework_id)
    results = results_of_years([year], {year.framework_id: tree}, keep=())[year.id]
    bands = [(b.label, b.lower_bound) for b in year.bands.all()]
    ranked = [r for r in results if r.rank is not None and r.total.index is not None]
    indexes = [r.total.index for r in ranked]
    band_counts = {label: 0 for label, _lower in bands}
    for r in ranked:
        label = calculations.band_for(r.total.index, bands)
        if label is not None:
            band_counts[label] += 1
    overclaim = overclaim_table(year, tree=tree)
    previous, improvements = improvements_since_previous(year)
    return YearInsight(
        year=year,
        previous=previous,
        units=len(results),
        ranked=len(ranked),
        mean_index=mean(indexes),
        median_index=median(indexes),
        bands=[
            (label, band_counts[label])
            for label, _lower in sorted(bands, key=lambda b: b[1], reverse=True)
        ],
        common_gaps=common_gaps(year, tree=tree),
        most_improved=improvements,
        overclaim=overclaim,
        mean_self_points=mean([r.self_points for r in overclaim]),
        mean_appraised_points=mean([r.appraised_points for r in overclaim]),
        mean_difference=mean([r.difference for r in overclaim]),
        members_phrase=year.unit_level.members_phrase,
    )
