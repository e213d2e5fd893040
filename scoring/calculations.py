"""Totals, applicable maximum, index, ranking and bands: pure functions over plain values.

The formulas are those of domain.md §5::

    leaf points = Σ final scores of applicable leaves (survey leaves included)
    applicable  = Σ max of applicable leaves
    points      = leaf points + bonus − deductions   (each block clamped to the year's max)
    index       = points / applicable × 100, kept within 0..100
    rank        = by the index rounded half-up to 2 dp, descending; equal shown index, equal rank

Nothing here rounds except where a figure is *shown* or *ranked*: ``index`` stays exact, and
``shown_index`` is what people read and what the ranking compares.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple, TypeVar

from django.utils.translation import gettext as _

from .rules import ZERO, round2

TIE_COMPETITION = "competition"  # 1, 1, 3
TIE_DENSE = "dense"  # 1, 1, 2
HUNDRED = Decimal(100)

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class LeafInput:
    code: str
    max_points: Decimal
    score: Decimal | None  # the final score; None while nobody has scored the leaf
    not_applicable: bool = False


@dataclass(frozen=True)
class NodeTotal:
    max_points: Decimal  # the node's maximum in the framework
    applicable_max: Decimal  # less the leaves that are not applicable to this unit
    points: Decimal
    not_applicable: bool  # every leaf below is N/A
    scored_max: Decimal = ZERO  # the maximum of the applicable leaves that have a score
    unscored: int = 0  # applicable leaves below that nobody has scored yet

    @property
    def is_scored(self) -> bool:
        """At least one applicable leaf below has a score (else there is nothing to show)."""
        return self.scored_max > 0

    @property
    def lost(self) -> Decimal:
        """Points lost on the leaves scored so far: a leaf not scored yet has lost nothing."""
        return self.scored_max - self.points


@dataclass(frozen=True)
class UnitTotal:
    leaf_points: Decimal
    bonus: Decimal  # after clamping
    deductions: Decimal  # after clamping, a positive number
    points: Decimal
    applicable_max: Decimal
    index: Decimal | None  # exact; None when nothing is applicable

    @property
    def shown_index(self) -> Decimal | None:
        return None if self.index is None else round2(self.index)


def clamp(value: Decimal, cap: Decimal | None) -> Decimal:
    """Keep an adjustment block within 0..cap (cap None: no upper bound)."""
    value = max(value, ZERO)
    return value if cap is None else min(value, cap)


class LeafSums(NamedTuple):
    """What a node's total is made of, summed over the leaves below it. The database computes
    these for a whole year in one aggregate query (``selectors.totals``); ``node_total`` and
    ``total_of_sums`` turn them into totals by the same rules as the leaf-by-leaf functions.
    (A tuple: a year of 3,000 units makes tens of thousands of them per request.)"""

    leaves: int  # leaves below (all of them, scored or not)
    max_points: Decimal  # their maxima
    scored: int  # applicable leaves with a final score
    scored_max: Decimal  # their maxima
    points: Decimal  # their final scores
    not_applicable: int  # leaves marked N/A
    not_applicable_max: Decimal  # their maxima


def node_total(sums: LeafSums) -> NodeTotal:
    return NodeTotal(
        max_points=sums.max_points,
        applicable_max=sums.max_points - sums.not_applicable_max,
        points=sums.points,
        not_applicable=sums.not_applicable == sums.leaves and sums.max_points > 0,
        scored_max=sums.scored_max,
        unscored=sums.leaves - sums.scored - sums.not_applicable,
    )


def node_totals(
    parents: Mapping[str, str | None], leaves: Iterable[LeafInput]
) -> dict[str, NodeTotal]:
    """Roll leaf results up the tree. ``parents`` maps every node code to its parent's code."""
    # max, applicable max, points, scored max, unscored count
    sums: dict[str, list] = {code: [ZERO, ZERO, ZERO, ZERO, 0] for code in parents}
    all_na: dict[str, bool] = dict.fromkeys(parents, True)
    for leaf in leaves:
        code: str | None = leaf.code
        scored = not leaf.not_applicable and leaf.score is not None
        applicable = ZERO if leaf.not_applicable else leaf.max_points
        while code is not None:
            total = sums[code]
            total[0] += leaf.max_points
            total[1] += applicable
            if scored:
                total[2] += leaf.score
                total[3] += leaf.max_points
            elif not leaf.not_applicable:
                total[4] += 1
            all_na[code] = all_na[code] and leaf.not_applicable
            code = parents[code]
    return {
        code: NodeTotal(
            max_points=m,
            applicable_max=a,
            points=p,
            not_applicable=all_na[code] and m > 0,
            scored_max=s,
            unscored=u,
        )
        for code, (m, a, p, s, u) in sums.items()
    }


def compute_index(points: Decimal, applicable_max: Decimal) -> Decimal | None:
    if applicable_max <= 0:
        return None
    return min(max(points / applicable_max * HUNDRED, ZERO), HUNDRED)


def unit_total(
    leaves: Iterable[LeafInput],
    *,
    bonus: Decimal = ZERO,
    deductions: Decimal = ZERO,
    bonus_max: Decimal | None = None,
    deduction_max: Decimal | None = None,
) -> UnitTotal:
    leaf_points = applicable = ZERO
    for leaf in leaves:
        if leaf.not_applicable:
            continue
        applicable += leaf.max_points
        if leaf.score is not None:
            leaf_points += leaf.score
    return total_of_sums(
        leaf_points,
        applicable,
        bonus=bonus,
        deductions=deductions,
        bonus_max=bonus_max,
        deduction_max=deduction_max,
    )


def total_of_sums(
    leaf_points: Decimal,
    applicable_max: Decimal,
    *,
    bonus: Decimal = ZERO,
    deductions: Decimal = ZERO,
    bonus_max: Decimal | None = None,
    deduction_max: Decimal | None = None,
) -> UnitTotal:
    """A unit's total from its leaves' sums (final scores of applicable leaves, their maxima)
    and its adjustments: the one place the adjustments are clamped and the index computed."""
    applicable = applicable_max
    bonus = clamp(bonus, bonus_max)
    deductions = clamp(deductions, deduction_max)
    points = leaf_points + bonus - deductions
    return UnitTotal(
        leaf_points=leaf_points,
        bonus=bonus,
        deductions=deductions,
        points=points,
        applicable_max=applicable,
        index=compute_index(points, applicable),
    )


def final_score(r1_score: Decimal | None, r2_score: Decimal | None) -> Decimal | None:
    """The latest appraisal, never the best of the rounds (domain §4.3)."""
    return r2_score if r2_score is not None else r1_score


def is_rankable(unscored: int, published: bool) -> bool:
    """Until publication a unit is ranked only once every applicable leaf has a score: a
    half-appraised unit would otherwise sit at the bottom with a meaningless total. Publication
    ranks every unit (and refuses to happen while a leaf is unscored)."""
    return published or unscored == 0


def rank(indexes: Mapping[K, Decimal | None], policy: str = TIE_COMPETITION) -> dict[K, int | None]:
    """Rank by the shown index (2 dp, half-up), highest first. Units without an index get None."""
    if policy not in (TIE_COMPETITION, TIE_DENSE):
        raise ValueError(f"unknown tie policy {policy!r}")
    shown = {key: round2(value) for key, value in indexes.items() if value is not None}
    ordered = sorted(shown.values(), reverse=True)
    result: dict[K, int | None] = dict.fromkeys(indexes)
    if policy == TIE_COMPETITION:
        first_position: dict[Decimal, int] = {}
        for position, value in enumerate(ordered, start=1):
            first_position.setdefault(value, position)
        positions = first_position
    else:
        positions = {
            value: n for n, value in enumerate(sorted(set(ordered), reverse=True), start=1)
        }
    for key, value in shown.items():
        result[key] = positions[value]
    return result


def band_for(index: Decimal | None, bands: Sequence[tuple[str, Decimal]]) -> str | None:
    """The label of the highest band whose lower bound the shown index reaches (bound inclusive)."""
    if index is None:
        return None
    shown = round2(index)
    for label, lower in sorted(bands, key=lambda band: band[1], reverse=True):
        if shown >= lower:
            return label
    return None


def rank_change(previous: int | None, current: int | None) -> int | None:
    """Places gained since last year (positive: moved up); None when either rank is unknown."""
    if previous is None or current is None:
        return None
    return previous - current


@dataclass(frozen=True)
class TreeNode:
    code: str
    parent: str | None
    max_points: Decimal
    is_leaf: bool


def check_tree(nodes: Sequence[TreeNode], total: Decimal | None = None) -> list[str]:
    """Problems of a framework tree: parents whose max is not their children's sum, and so on.

    Returns messages (empty when the tree is sound) so an import can list every problem at once.
    """
    problems: list[str] = []
    by_code = {}
    for node in nodes:
        if node.code in by_code:
            problems.append(_("%(code)s: mã bị trùng") % {"code": node.code})
        by_code[node.code] = node
    children: dict[str | None, list[TreeNode]] = {}
    for node in nodes:
        if node.parent is not None and node.parent not in by_code:
            problems.append(
                _("%(code)s: không có tiêu chí cha %(parent)s")
                % {"code": node.code, "parent": node.parent}
            )
        children.setdefault(node.parent, []).append(node)
    for node in nodes:
        kids = children.get(node.code, [])
        if node.max_points <= 0:
            problems.append(_("%(code)s: điểm tối đa phải lớn hơn 0") % {"code": node.code})
        if node.is_leaf and kids:
            problems.append(
                _("%(code)s: tiêu chí có cách chấm không được có tiêu chí con")
                % {"code": node.code}
            )
        if not node.is_leaf and not kids:
            problems.append(
                _("%(code)s: tiêu chí không có tiêu chí con phải có cách chấm")
                % {"code": node.code}
            )
        if kids:
            summed = sum((kid.max_points for kid in kids), ZERO)
            if summed != node.max_points:
                problems.append(
                    _("%(code)s: điểm tối đa %(max)s nhưng tổng các tiêu chí con là %(sum)s")
                    % {"code": node.code, "max": node.max_points, "sum": summed}
                )
    if total is not None:
        summed = sum((node.max_points for node in children.get(None, [])), ZERO)
        if summed != total:
            problems.append(
                _("Tổng điểm các lĩnh vực là %(sum)s, không phải %(total)s")
                % {"sum": summed, "total": total}
            )
    return problems
