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

from django.db.models import Case, CharField, Count, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from ..calculations import LeafSums
from ..models import LeafScore
from ..rules import ZERO

SURVEY = "\x1fsurvey"  # appended to a bucket's key for survey leaves (no code contains it)

# An applicable leaf with a final score (the latest round's, domain §4.3).
_SCORED = Q(not_applicable=False) & (Q(r1_score__isnull=False) | Q(r2_score__isnull=False))
_NOT_APPLICABLE = Q(not_applicable=True)


@dataclass
class _Sums:
    """Mutable running sums of one node (or a whole unit) while buckets are added up."""

    leaves: int = 0
    max_points: Decimal = ZERO
    scored: int = 0
    scored_max: Decimal = ZERO
    points: Decimal = ZERO
    not_applicable: int = 0
    not_applicable_max: Decimal = ZERO

    def add(self, row: dict) -> None:
        self.scored += row["scored"]
        self.scored_max += row["scored_max"] or ZERO
        self.points += row["points"] or ZERO
        self.not_applicable += row["na"]
        self.not_applicable_max += row["na_max"] or ZERO

    def frozen(self) -> LeafSums:
        return LeafSums(
            leaves=self.leaves,
            max_points=self.max_points,
            scored=self.scored,
            scored_max=self.scored_max,
            points=self.points,
            not_applicable=self.not_applicable,
            not_applicable_max=self.not_applicable_max,
        )


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
    year_ids: Iterable[int], plans: dict[int, Plan], framework_of: dict[int, int]
) -> dict[int, AssessmentSums]:
    """Every assessment's sums in the given years (by assessment id): one query.
    ``plans`` maps framework ids to their plans, ``framework_of`` assessment ids to theirs;
    an assessment nobody has scored yet has sums of zero."""
    buckets: defaultdict[str, list[int]] = defaultdict(list)
    for framework_plan in plans.values():
        for leaf_id, key in framework_plan.bucket_of.items():
            buckets[key].append(leaf_id)
    if len(buckets) > 1:
        bucket = Case(
            *(When(node_id__in=ids, then=Value(key)) for key, ids in buckets.items()),
            default=Value(""),
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
            points=Sum(Coalesce("r2_score", "r1_score"), filter=_SCORED),
            na=Count("id", filter=_NOT_APPLICABLE),
            na_max=Sum("node__max_points", filter=_NOT_APPLICABLE),
        )
        .order_by()
    )
    by_assessment: defaultdict[int, list[dict]] = defaultdict(list)
    for row in rows.iterator(chunk_size=2000):
        by_assessment[row["assessment_id"]].append(row)
    return {
        assessment_id: _assessment_sums(plans[framework_id], by_assessment.get(assessment_id, []))
        for assessment_id, framework_id in framework_of.items()
    }


def _assessment_sums(framework_plan: Plan, rows: list[dict]) -> AssessmentSums:
    nodes = {
        code: _Sums(leaves=count, max_points=maximum)
        for code, (count, maximum) in framework_plan.kept.items()
    }
    unit = _Sums(leaves=framework_plan.leaves, max_points=framework_plan.max_points)
    survey = ZERO
    for row in rows:
        key = row["bucket"]
        unit.add(row)
        for code in framework_plan.counts_towards.get(key, ()):
            nodes[code].add(row)
        if key.endswith(SURVEY):
            survey += row["points"] or ZERO
    return AssessmentSums(
        nodes={code: sums.frozen() for code, sums in nodes.items()},
        unit=unit.frozen(),
        survey_points=survey,
    )
