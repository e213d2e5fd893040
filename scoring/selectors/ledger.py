"""A unit's bonus and deduction ledger as its page shows it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _

from .. import calculations
from ..models import Adjustment, AdjustmentKind, Assessment, AssessmentYear
from ..rules import ZERO

BONUS = AdjustmentKind.Direction.BONUS
DEDUCTION = AdjustmentKind.Direction.DEDUCTION


def ledger_entries(assessment: Assessment) -> list[Adjustment]:
    """The unit's ledger entries in the order they were made, with their kind and who made
    them: 1 query whatever their number."""
    return list(
        Adjustment.objects.filter(assessment=assessment)
        .select_related("kind", "created_by")
        .order_by("created_at", "pk")
    )


def points_text(value: Decimal) -> str:
    """Points as a reader writes them, in the user's format: 0,5 · 1 · 1,25 (not 0,50 or 1,00)."""
    return formats.number_format(Decimal(f"{value.normalize():f}"))


def kind_effect(kind: AdjustmentKind) -> str:
    """What a kind does to a unit's total, in words: "Trừ 1 điểm", "Cộng 0,5 điểm",
    "Trừ 0,25 điểm mỗi trường hợp"; a kind without default points takes what is typed."""
    bonus = kind.direction == BONUS
    if kind.default_points is None:
        return _("Cộng số điểm nhập vào") if bonus else _("Trừ số điểm nhập vào")
    points = {"points": points_text(kind.default_points)}
    if kind.per_occurrence:
        if bonus:
            return _("Cộng %(points)s điểm mỗi trường hợp") % points
        return _("Trừ %(points)s điểm mỗi trường hợp") % points
    return (_("Cộng %(points)s điểm") if bonus else _("Trừ %(points)s điểm")) % points


def kind_choice(kind: AdjustmentKind) -> str:
    """A kind as the form's list offers it: its name, then what it does."""
    return _("%(name)s — %(effect)s") % {"name": kind.name, "effect": kind_effect(kind)}


@dataclass(frozen=True)
class CapUsage:
    """One block of the ledger (bonus or deductions) against the year's cap: what is entered,
    what the total counts (the engine's clamp), what is left or wasted."""

    direction: str
    entered: Decimal
    cap: Decimal | None  # None: no cap

    @property
    def label(self) -> str:
        return str(AdjustmentKind.Direction(self.direction).label)

    @property
    def counted(self) -> Decimal:
        return calculations.clamp(self.entered, self.cap)

    @property
    def over(self) -> Decimal:
        """Entered beyond the cap: not counted."""
        return self.entered - self.counted

    @property
    def left(self) -> Decimal | None:
        return None if self.cap is None else self.cap - self.counted

    @property
    def note(self) -> str:
        if self.over > 0:
            return _("Vượt %(over)s điểm: phần vượt không được tính.") % {
                "over": points_text(self.over)
            }
        if self.left is None:
            return ""
        if self.left == 0:
            return _("Đã đủ mức tối đa.")
        return _("Còn %(left)s điểm.") % {"left": points_text(self.left)}


def cap_usage(year: AssessmentYear, entries: Iterable[Adjustment]) -> list[CapUsage]:
    """The bonus and deduction blocks of these entries against the year's caps, from the
    entries already loaded (no query). Each entry counts in the direction it was made with,
    as the totals do."""
    sums = {BONUS: ZERO, DEDUCTION: ZERO}
    for entry in entries:
        sums[entry.direction] += entry.points
    return [
        CapUsage(BONUS, sums[BONUS], year.bonus_max),
        CapUsage(DEDUCTION, sums[DEDUCTION], year.deduction_max),
    ]
