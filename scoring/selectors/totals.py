"""A year's totals summed by the database: one aggregate query, whatever the number of leaves.

Rolling every leaf score up the tree in Python cost a pass over 450,000 rows for a year of
3,000 units × 150 leaves on every ranking request. Here the database sums each unit's leaf
scores per *bucket* (the nearest node whose totals the caller keeps), and
``calculations.node_total`` / ``total_of_sums`` turn the sums into totals: the formulas stay
in the pure engine, and a test compares both ways on generated data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Case, CharField, Count, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from ..calculations import LeafSums
from ..models import LeafScore
from ..rules import ZERO

CENTS = Decimal("0.01")
SURVEY = "\x1fsurvey"  # appended to a bucket's key for survey leaves (no code contains it)


def final_score():
    """``calculations.final_score`` in SQL: the latest round's score, never the best."""
    return Coalesce("r2_score", "r1_score")


# An applicable leaf with a final score (the latest round's, domain §4.3).
_SCORED = Q(not_applicable=False) & (Q(r1_score__isnull=False) | Q(r2_score__isnull=False))
_NOT_APPLICABLE = Q(not_applicable=True)


@dataclass
class Plan:
    """How one framework's leaves fall into buckets for the node codes a caller keeps."""

    bucket_of: dict[int, str] = field(default_factory=dict)  # leaf id -> bucket key
    counts_towards: dict[str, tuple[str, ...]] = field(default_factory=dict)  # key -> kept codes
    kept: dict[str, tuple[int, Decimal]] = field(default_factory=dict)  # code -> leaves, max
    leaves: int = 0
    max_points: Decimal = ZERO


def plan(tree, keep: Collection[str] | None) -> Plan:
    """Each leaf's bucket is its nearest kept node (itself if kept), survey leaves apart; the
    bucket's sums count towards that node and every kept node above it."""
    kept = set(tree.parents) if keep is None else set(keep) & set(tree.parents)
    result = Plan(kept={code: (0, ZERO) for code in kept})
    for leaf in tree.leaves:
        chain = []
        code = leaf.code
        while code is not None:
            if code in kept:
                chain.append(code)
            code = tree.parents[code]
        key = (chain[0] if chain else "") + (SURVEY if leaf.is_survey else "")
        result.bucket_of[leaf.id] = key
        result.counts_towards[key] = tuple(chain)
        for code in chain:
            count, maximum = result.kept[code]
            result.kept[code] = (count + 1, maximum + leaf.max_points)
        result.leaves += 1
        result.max_points += leaf.max_points
    return result


@dataclass(frozen=True)
class AssessmentSums:
    nodes: dict[str, LeafSums]  # kept code -> sums
    unit: LeafSums  # every leaf
    survey_points: Decimal


def sums_of_years(
    year_ids: Iterable[int],
    plans: dict[int, Plan],
    framework_of: dict[int, int],
    *,
    unit_only: Collection[int] = (),
) -> dict[int, AssessmentSums]:
    """Every assessment's sums in the given years (by assessment id): one query.
    ``plans`` maps framework ids to their plans, ``framework_of`` assessment ids to theirs;
    an assessment nobody has scored yet has sums of zero. Assessments in ``unit_only`` get
    their unit's sums and no node's (last year's totals, for the rank change)."""
    buckets: defaultdict[str, list[int]] = defaultdict(list)
    for framework_plan in plans.values():
        for leaf_id, key in framework_plan.bucket_of.items():
            buckets[key].append(leaf_id)
    if len(buckets) > 1:
        bucket = Case(
            *(When(node_id__in=ids, then=Value(key)) for key, ids in buckets.items()),
            default=Value(None),  # a score outside the year's framework: not counted
            output_field=CharField(),
        )
    else:
        bucket = Value(next(iter(buckets), ""), output_field=CharField())
    rows = (
        LeafScore.objects.filter(assessment__year_id__in=list(year_ids))
        .exclude(node__rule="")  # scores are kept on leaves only; be sure of it
        .annotate(bucket=bucket)
        .values("assessment_id", "bucket")
        .annotate(
            scored=Count("id", filter=_SCORED),
            scored_max=Sum("node__max_points", filter=_SCORED),
            points=Sum(final_score(), filter=_SCORED),
            na=Count("id", filter=_NOT_APPLICABLE),
            na_max=Sum("node__max_points", filter=_NOT_APPLICABLE),
        )
        .values_list("assessment_id", "bucket", "scored", "scored_max", "points", "na", "na_max")
        .order_by()
    )
    by_assessment: defaultdict[int, list[tuple]] = defaultdict(list)
    for row in _fetch(rows):  # one row per unit and bucket: tens of thousands at most
        if row[1] is not None:
            by_assessment[row[0]].append(row)
    unit_only = set(unit_only)
    return {
        assessment_id: _assessment_sums(
            plans[framework_id],
            by_assessment.get(assessment_id, ()),
            with_nodes=assessment_id not in unit_only,
        )
        for assessment_id, framework_id in framework_of.items()
    }


def _fetch(rows) -> list[tuple]:
    """The aggregate's rows. PostgreSQL returns its sums as exact decimals and counts as
    integers already, so the statement runs bare, without Django's per-value converters (a
    third of the time at 3,000 units); SQLite's sums need them (it sums decimals as floats)."""
    if connection.vendor != "postgresql":
        # Scores have 2 decimals; a float sum of 150 of them can end in …9999: back to cents.
        return [
            (a, bucket, scored, _cents(scored_max), _cents(points), na, _cents(na_max))
            for a, bucket, scored, scored_max, points, na, na_max in rows
        ]
    sql, params = rows.query.get_compiler(using=rows.db).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _cents(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(CENTS)


def _assessment_sums(framework_plan: Plan, rows, *, with_nodes: bool) -> AssessmentSums:
    # Running sums as lists, in LeafSums' order: leaves, max, scored, scored max, points,
    # N/A, N/A max (the leaf count and maximum come from the tree, the rest from the rows).
    nodes = (
        {
            code: [count, maximum, 0, ZERO, ZERO, 0, ZERO]
            for code, (count, maximum) in framework_plan.kept.items()
        }
        if with_nodes
        else {}
    )
    unit = [framework_plan.leaves, framework_plan.max_points, 0, ZERO, ZERO, 0, ZERO]
    survey = ZERO
    counts_towards = framework_plan.counts_towards if with_nodes else {}
    for _, key, scored, scored_max, points, na, na_max in rows:
        scored_max, points, na_max = scored_max or ZERO, points or ZERO, na_max or ZERO
        for sums in (unit, *(nodes[code] for code in counts_towards.get(key, ()))):
            sums[2] += scored
            sums[3] += scored_max
            sums[4] += points
            sums[5] += na
            sums[6] += na_max
        if key.endswith(SURVEY):
            survey += points
    return AssessmentSums(
        nodes={code: LeafSums(*sums) for code, sums in nodes.items()},
        unit=LeafSums(*unit),
        survey_points=survey,
    )
