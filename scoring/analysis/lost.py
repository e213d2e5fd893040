"""Where a unit lost points in a year: every leaf scored below its maximum and every
deduction, largest loss first."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _

from ..rules import ZERO, round2
from .phrasing import adjustment_in_sentence, shortfall_of

LEAF = "leaf"
DEDUCTION = "deduction"


@dataclass(frozen=True)
class LeafOutcome:
    """One leaf of one unit's year, as the analyses need it."""

    code: str
    title: str
    field_code: str  # the top-level node above the leaf
    max_points: Decimal
    score: Decimal | None  # the final score; None while unscored
    not_applicable: bool = False
    is_survey: bool = False
    reason: str = ""  # the appraiser's reason and comment, as the unit should read them
    shortfall: str = ""  # the framework's own wording of what was missing, if any

    @property
    def is_lost(self) -> bool:
        """Applicable, scored and below its maximum: a leaf not scored yet has lost nothing
        yet, an N/A leaf cannot lose anything."""
        return not self.not_applicable and self.score is not None and self.score < self.max_points


@dataclass(frozen=True)
class DeductionOutcome:
    kind_name: str
    points: Decimal  # positive: what was taken off
    count: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class LostItem:
    kind: str  # LEAF or DEDUCTION
    code: str  # the leaf's code; "" for a deduction
    title: str  # the leaf's title or the deduction's kind
    phrase: str  # said as what was missing, for the year's story
    field_code: str  # "" for a deduction
    max_points: Decimal | None  # None for a deduction
    points: Decimal | None  # what the unit got; None for a deduction
    lost: Decimal
    reason: str
    is_survey: bool = False


def code_key(code: str) -> tuple:
    """ "1.10" after "1.9": numeric parts compared as numbers."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in code.split("."))


def final_reason(r2_score: Decimal | None, round1: Sequence[str], round2: Sequence[str]) -> str:
    """The reason and comment of the round that gave a leaf its final score (round 2's when it
    has a score, else round 1's), as the unit reads them beside the points it lost."""
    parts = round2 if r2_score is not None else round1
    return "; ".join(" ".join(part.split()) for part in parts if part and part.strip())


def deductions_by_kind(entries: Iterable, cap: Decimal | None) -> list[DeductionOutcome]:
    """A unit's deduction entries (``Adjustment``-like: kind_id, kind.name, points, count,
    reason), one outcome per kind, in the entries' order, each kind's entries added up.

    What a deduction cost is bounded by the year's cap (``calculations.unit_total`` clamps the
    block): above it, each kind is charged its share of the cap, so the lost points add up to
    what the total lost, and the reason says the cap applied."""
    kinds: dict[int, list] = {}
    for entry in entries:
        kinds.setdefault(entry.kind_id, []).append(entry)
    outcomes = [
        DeductionOutcome(
            kind_name=group[0].kind.name,
            points=sum((e.points for e in group), ZERO),
            count=(
                sum(e.count for e in group if e.count is not None)
                if any(e.count is not None for e in group)
                else None
            ),
            reason="; ".join(e.reason.strip() for e in group if e.reason.strip()),
        )
        for group in kinds.values()
    ]
    total = sum((o.points for o in outcomes), ZERO)
    if cap is None or total <= cap or total <= ZERO:
        return outcomes
    shares = [round2(o.points * cap / total) for o in outcomes]
    # Rounding each share may miss the cap by a cent: the largest kind takes the difference.
    largest = max(range(len(shares)), key=lambda i: outcomes[i].points)
    shares[largest] += cap - sum(shares, ZERO)
    note = _("tính trong mức trừ tối đa %(cap)s điểm của năm") % {
        "cap": formats.number_format(cap, 2)
    }
    return [
        replace(o, points=share, reason="; ".join(part for part in (o.reason, note) if part))
        for o, share in zip(outcomes, shares, strict=True)
    ]


def lost_items(
    leaves: Iterable[LeafOutcome], deductions: Iterable[DeductionOutcome] = ()
) -> list[LostItem]:
    """Every applicable, scored leaf below its maximum and every deduction, by points lost
    (largest first), then leaves before deductions, then by code. A leaf not scored yet has lost
    nothing yet; an N/A leaf cannot lose anything."""
    items = [
        LostItem(
            kind=LEAF,
            code=leaf.code,
            title=leaf.title,
            phrase=shortfall_of(leaf.title, leaf.shortfall),
            field_code=leaf.field_code,
            max_points=leaf.max_points,
            points=leaf.score,
            lost=leaf.max_points - leaf.score,
            reason=leaf.reason,
            is_survey=leaf.is_survey,
        )
        for leaf in leaves
        if leaf.is_lost
    ]
    items += [
        LostItem(
            kind=DEDUCTION,
            code="",
            title=d.kind_name,
            phrase=adjustment_in_sentence(d.kind_name),
            field_code="",
            max_points=None,
            points=None,
            lost=d.points,
            reason=d.reason,
        )
        for d in deductions
        if d.points > ZERO
    ]
    return sorted(
        items,
        key=lambda i: (-i.lost, i.kind != LEAF, code_key(i.code) if i.code else (), i.title),
    )
