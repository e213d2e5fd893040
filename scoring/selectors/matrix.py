"""The score matrix's read: every assessed unit of a year with its totals and its final score on
every leaf, in one pass over the year's leaf scores."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connection
from django.db.models import FloatField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Cast

from units.collation import VietnameseOrder
from units.models import Unit

from ..models import Assessment, AssessmentYear, LeafScore
from .results import NodeRow, Tree, UnitResult, year_results
from .totals import final_score

# Leaf scores are fetched this many rows at a time (a server-side cursor on PostgreSQL).
CHUNK_SIZE = 2000


class _NotApplicable:
    """The value of a leaf that does not apply to the unit (the sheet says "KAD")."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NOT_APPLICABLE"


NOT_APPLICABLE = _NotApplicable()

# None: nobody has scored the leaf yet. A float on PostgreSQL (see ``_gathered_rows``).
LeafValue = Decimal | float | _NotApplicable | None


@dataclass
class ScoreRow:
    result: UnitResult  # totals and rank, the node totals of the top-level nodes only
    leaves: list[LeafValue]  # in the order of the ``leaves`` asked for

    @property
    def unit(self) -> Unit:
        return self.result.unit


def score_matrix_rows(
    year: AssessmentYear, tree: Tree, leaves: Sequence[NodeRow] | None = None
) -> Iterator[ScoreRow]:
    """Every assessed unit of a year by unit name (the ranking's order), with its final score
    on each of ``leaves`` (default: every leaf in tree order): 4 queries, the year's leaf scores
    read once.

    The totals and ranks come from ``year_results`` (summed by the database). On PostgreSQL
    the database gathers each unit's scores into arrays and sorts the units, not their
    scores, by name: rows stream, one unit's scores in memory at a time. Elsewhere
    (SQLite: small installations) the scores come unsorted and go straight into their unit's
    row, equal scores sharing one Decimal: a few MB for 3,000 units × 150 leaves."""
    leaves = tree.leaves if leaves is None else leaves
    results = year_results(
        year, tree, keep=[node.code for node in tree.nodes if node.parent_code is None]
    )
    column_of = {leaf.id: column for column, leaf in enumerate(leaves)}
    if connection.vendor == "postgresql":
        return _gathered_rows(year, results, column_of)
    scores = LeafScore.objects.filter(assessment__year=year).annotate(
        # ``calculations.final_score`` (the latest round's), as ``totals`` sums it: one
        # Decimal per score to convert instead of two.
        final=final_score()
    )
    return iter(_scattered_rows(results, scores, column_of))


def _per_unit(expression) -> Subquery:
    """The unit's leaf scores' ``expression`` as an array, by node id: an index scan of one
    unit's scores (150 rows to order), never the year's scores sorted together."""
    return Subquery(
        LeafScore.objects.filter(assessment_id=OuterRef("pk"))
        .order_by()
        .values("assessment_id")
        .annotate(array=ArrayAgg(expression, ordering="node_id"))
        .values("array")
    )


def _gathered_rows(
    year: AssessmentYear, results: list[UnitResult], column_of: dict[int, int]
) -> Iterator[ScoreRow]:
    width = len(column_of)
    # A unit with a score on every leaf (the usual row) comes as node ids in ascending order;
    # ``take`` puts such a row's scores in column order in one step.
    ascending = sorted(column_of)
    take = [ascending.index(node) for node in sorted(column_of, key=column_of.__getitem__)]
    # One row per unit, sorted by name in the database: 3,000 rows to sort, not the 450,000
    # scores that grouping after a join on the name would sort (on disk).
    units = (
        Assessment.objects.filter(year=year)
        .annotate(
            nodes=_per_unit("node_id"),
            # As floats: the workbook stores doubles whatever it is given (openpyxl writes a
            # Decimal through float() anyway), and a float costs a fraction of a Decimal
            # to convert and to write. ``calculations.final_score``, as ``totals`` sums it.
            finals=_per_unit(Cast(final_score(), FloatField())),
            flags=_per_unit("not_applicable"),
        )
        # ``year_results``'s order: by name, then assessment id.
        .order_by(VietnameseOrder("unit__name"), "id")
        .values_list("id", "nodes", "finals", "flags")
        .iterator(chunk_size=max(1, CHUNK_SIZE // max(1, width)))
    )
    for result, (assessment_id, nodes, finals, flags) in zip(results, units, strict=True):
        if assessment_id != result.assessment_id:  # the two orders disagreed
            raise RuntimeError(f"assessment {assessment_id} out of the units' order")
        if not nodes:  # nothing scored yet
            row: list[LeafValue] = [None] * width
        elif nodes == ascending:
            row = [finals[i] for i in take]
            if any(flags):
                for i, flag in enumerate(flags):
                    if flag:
                        row[column_of[nodes[i]]] = NOT_APPLICABLE
        else:  # some leaves unscored, or scores of nodes not asked for
            row = [None] * width
            for node, final, flag in zip(nodes, finals, flags, strict=True):
                column = column_of.get(node)
                if column is not None:
                    row[column] = NOT_APPLICABLE if flag else final
        yield ScoreRow(result, row)


def _scattered_rows(
    results: list[UnitResult], scores: QuerySet[LeafScore], column_of: dict[int, int]
) -> list[ScoreRow]:
    rows = [ScoreRow(result, [None] * len(column_of)) for result in results]
    row_of = {row.result.assessment_id: row.leaves for row in rows}
    shared: dict[Decimal, Decimal] = {}
    values = (
        scores.order_by()
        .values_list("assessment_id", "node_id", "final", "not_applicable")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for assessment_id, node_id, score, not_applicable in values:
        column = column_of.get(node_id)
        if column is None:  # a node the caller did not ask for
            continue
        if not_applicable:
            value: LeafValue = NOT_APPLICABLE
        elif score is None:
            value = None
        else:
            value = shared.setdefault(score, score)
        row_of[assessment_id][column] = value
    return rows
