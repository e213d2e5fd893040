"""Reads of the Excel reports that no page needs as such: the score matrix (streamed), the
years of a unit level side by side, and a unit's evidence by leaf."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from units.collation import VietnameseOrder, name_key
from units.models import Unit, UnitLevel

from ..models import Assessment, AssessmentYear, EvidenceLink, LeafScore
from .results import (
    Layer,
    Tree,
    UnitResult,
    final_layers,
    framework_trees,
    results_of_years,
    year_results,
)


@dataclass
class MatrixRow:
    result: UnitResult  # totals and rank; no node totals
    scores: Layer  # this unit's leaves only

    @property
    def unit(self) -> Unit:
        return self.result.unit


def score_matrix(year: AssessmentYear, tree: Tree) -> Iterator[MatrixRow]:
    """Every assessed unit of a year with its final leaf scores, by unit name, one unit at a
    time: 4 queries (the year's results, then its leaf scores again in the units' order).

    Two passes so that a year of 3,000 units × 150 leaves never sits whole in memory: the
    first keeps only each unit's totals (its rank needs every unit's index), the second
    hands out one unit's leaves at a time."""
    # Only the top-level totals are kept per unit (the matrix's subtotals), never every node's.
    results = year_results(
        year, tree, keep=[node.code for node in tree.nodes if node.parent_code is None]
    )
    layers = final_layers(
        LeafScore.objects.filter(assessment__year=year).order_by(
            VietnameseOrder("assessment__unit__name"), "assessment_id"
        )
    )
    pending = next(layers, None)
    for result in results:  # by unit name, then assessment id: the order of ``layers``
        scores: Layer = {}
        if pending is not None and pending[0] == result.assessment_id:
            scores = pending[1]
            pending = next(layers, None)
        yield MatrixRow(result, scores)
    if pending is not None:  # the two orders disagreed: a row would have been left empty
        raise RuntimeError(f"leaf scores of assessment {pending[0]} out of the units' order")


@dataclass
class HistoryRow:
    unit: Unit
    results: list[UnitResult | None]  # one per year of the history; None: not assessed


@dataclass
class History:
    level: UnitLevel
    years: list[AssessmentYear]  # published, oldest first
    rows: list[HistoryRow]  # by unit name

    @property
    def column_count(self) -> int:
        return 1 + 2 * len(self.years)  # the unit, then each year's index and rank


def level_history(level: UnitLevel) -> History:
    """Each unit's index and rank in every published year of a unit level: 5 queries however
    many years and units (the years, their frameworks' trees, then assessments, leaf scores and
    adjustment sums of all the years at once)."""
    years = list(
        AssessmentYear.objects.filter(
            unit_level=level, state=AssessmentYear.State.PUBLISHED
        ).order_by("year")
    )
    trees = framework_trees({year.framework_id for year in years}) if years else {}
    by_year = results_of_years(years, trees, keep=())
    rows: dict[int, HistoryRow] = {}
    for position, year in enumerate(years):
        for result in by_year[year.id]:
            row = rows.setdefault(result.unit.id, HistoryRow(result.unit, [None] * len(years)))
            row.results[position] = result
    return History(
        level=level,
        years=years,
        rows=sorted(rows.values(), key=lambda row: (name_key(row.unit.name), row.unit.code)),
    )


def evidence_by_leaf(assessment: Assessment) -> dict[int, list[EvidenceLink]]:
    """The documents proving each leaf of an assessment (by leaf score id), in upload order:
    1 query."""
    links: dict[int, list[EvidenceLink]] = defaultdict(list)
    for link in (
        EvidenceLink.objects.filter(leaf__assessment=assessment)
        .select_related("evidence")
        .order_by("evidence__uploaded_at", "pk")
    ):
        links[link.leaf_id].append(link)
    return dict(links)
