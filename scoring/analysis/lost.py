"""Where a unit lost points in a year: every leaf scored below its maximum and every
deduction, largest loss first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from ..rules import ZERO
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


def _code_key(code: str) -> tuple:
    # "1.10" after "1.9": numeric parts compared as numbers.
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in code.split("."))


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
        if not leaf.not_applicable and leaf.score is not None and leaf.score < leaf.max_points
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
        key=lambda i: (-i.lost, i.kind != LEAF, _code_key(i.code) if i.code else (), i.title),
    )
