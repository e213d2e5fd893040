"""What-if and what-it-takes arithmetic: pure functions over plain values, no ORM.

Every total, index and rank here comes from ``scoring.calculations`` (the single definition of
the formula); this module only feeds it hypothetical inputs and searches for the smallest one
that moves the shown index past a target.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_CEILING, Decimal

from django.utils import formats
from django.utils.translation import gettext as _

from .. import calculations
from ..calculations import LeafInput, UnitTotal
from ..rules import ZERO, round2

CENT = Decimal("0.01")
HALF_CENT = Decimal("0.005")

_NUMBER = re.compile(r"^[0-9]+(?:[.,][0-9]+)?$")


class WhatIfInputError(ValueError):
    """A hypothetical score that cannot be used; ``str(error)`` is the message for the reader."""


def parse_points(text: str) -> Decimal:
    """Read a score as people type it: "1,5" or "1.5"; at most two decimals, not negative.

    Raises ``WhatIfInputError`` with a message in the reader's language."""
    # Spaces around the number go; inside it they are refused: "1 5" is not 15.
    cleaned = (text or "").strip().strip("\u00a0").strip()
    if not cleaned:
        raise WhatIfInputError(_("Hãy nhập một số điểm."))
    if cleaned.startswith("-"):
        raise WhatIfInputError(_("Điểm không được âm."))
    if not _NUMBER.match(cleaned):
        raise WhatIfInputError(_("“%(text)s” không phải là một số điểm.") % {"text": text.strip()})
    value = Decimal(cleaned.replace(",", "."))  # the pattern leaves nothing Decimal refuses
    if value != value.quantize(CENT):
        raise WhatIfInputError(_("Điểm chỉ có tối đa hai chữ số thập phân."))
    return value


def check_within(value: Decimal, maximum: Decimal | None) -> None:
    """Refuse a score outside 0..maximum (no maximum: only not negative)."""
    if value < ZERO:
        raise WhatIfInputError(_("Điểm không được âm."))
    if maximum is not None and value > maximum:
        raise WhatIfInputError(
            _("Điểm không được lớn hơn %(max)s.") % {"max": _points_text(maximum)}
        )


def _points_text(value: Decimal) -> str:
    # 2,50 rather than 2.50: the reader's notation (Vietnamese first).
    return formats.number_format(value, 2)


def hypothetical_leaves(
    leaves: Sequence[LeafInput], changes: Mapping[str, Decimal]
) -> list[LeafInput]:
    """The unit's leaves with ``changes`` (leaf code -> final score) applied.

    Raises ``WhatIfInputError`` for a code that is not a leaf of the tree, a leaf that is not
    applicable to the unit, or a score outside 0..max."""
    by_code = {leaf.code: leaf for leaf in leaves}
    for code, value in changes.items():
        leaf = by_code.get(code)
        if leaf is None:
            raise WhatIfInputError(_("Không có tiêu chí %(code)s.") % {"code": code})
        if leaf.not_applicable:
            raise WhatIfInputError(
                _("Tiêu chí %(code)s không áp dụng với đơn vị.") % {"code": code}
            )
        check_within(value, leaf.max_points)
    return [
        replace(leaf, score=changes[leaf.code]) if leaf.code in changes else leaf for leaf in leaves
    ]


def hypothetical_total(
    leaves: Sequence[LeafInput],
    changes: Mapping[str, Decimal],
    *,
    bonus: Decimal,
    deductions: Decimal,
    bonus_max: Decimal | None,
    deduction_max: Decimal | None,
) -> UnitTotal:
    """The engine's total of the unit with the changes applied (bonus and deductions are the
    hypothetical blocks, clamped to the year's caps as the engine does)."""
    check_within(bonus, bonus_max)
    check_within(deductions, deduction_max)
    return calculations.unit_total(
        hypothetical_leaves(leaves, changes),
        bonus=bonus,
        deductions=deductions,
        bonus_max=bonus_max,
        deduction_max=deduction_max,
    )


def rank_among(
    key: Hashable,
    index: Decimal | None,
    others: Mapping[Hashable, Decimal | None],
    policy: str,
) -> int | None:
    """The rank ``key`` would get with ``index`` among ``others`` (their actual indexes; ``key``
    itself among them is replaced), by the engine's ranking."""
    indexes = dict(others)
    indexes[key] = index
    return calculations.rank(indexes, policy)[key]


def points_to_reach(points: Decimal, applicable_max: Decimal, target: Decimal) -> Decimal | None:
    """The fewest extra points, in steps of 0.01, with which the *shown* index (2 dp, half-up)
    reaches ``target``: ``target`` as an index converted to points on the unit's applicable
    maximum (points = index × applicable / 100), rounded up to 0.01, then checked against the
    engine. 0 when it is reached already; None when it cannot be (nothing applicable, or a
    target above 100)."""
    if applicable_max <= 0 or target > calculations.HUNDRED:
        return None

    def reaches(extra: Decimal) -> bool:
        index = calculations.compute_index(points + extra, applicable_max)
        return index is not None and round2(index) >= target

    if reaches(ZERO):
        return ZERO
    needed = (target - HALF_CENT) * applicable_max / calculations.HUNDRED - points
    extra = max(needed.quantize(CENT, rounding=ROUND_CEILING), CENT)
    # The division is exact to 28 digits, so these loops run once at most; they make the
    # answer the engine's, not the algebra's.
    while not reaches(extra):
        extra += CENT
    while extra > CENT and reaches(extra - CENT):
        extra -= CENT
    return extra


def next_target_above(shown: Decimal | None, others: Iterable[Decimal | None]) -> Decimal | None:
    """The lowest shown index among ``others`` that is above ``shown``: the index of the unit
    ranked just above (reaching it ties with that unit, which ranks higher under either tie
    policy). None when nobody is above."""
    if shown is None:
        return None
    above = [round2(value) for value in others if value is not None and round2(value) > shown]
    return min(above) if above else None


def next_band_above(
    shown: Decimal | None, bands: Sequence[tuple[str, Decimal]]
) -> tuple[str, Decimal] | None:
    """The band just above the one the shown index is in (label, lower bound); None in the top
    band, without bands, or without an index."""
    if shown is None:
        return None
    above = [(label, lower) for label, lower in bands if lower > shown]
    return min(above, key=lambda band: band[1]) if above else None


# --- the what-if form: what people typed, read without a database ----------------------------

LEAF_PREFIX = "leaf-"
DEDUCTIONS = "deductions"


@dataclass
class WhatIfField:
    name: str  # the input's name: "leaf-1.5.1" or "deductions"
    code: str  # the leaf's code; "" for the deductions
    title: str
    max_points: Decimal | None
    actual: Decimal
    value: str | None = None  # as typed; None: not submitted (the page shows the actual)
    error: str = ""

    @property
    def dom_id(self) -> str:
        return "wi-" + self.name.replace(".", "-")


@dataclass
class WhatIfForm:
    fields: list[WhatIfField]
    submitted: bool = False
    errors: list[str] = field(default_factory=list)  # not about one field (an unknown leaf)
    changes: dict[str, Decimal] = field(default_factory=dict)
    deductions: Decimal | None = None

    @property
    def is_valid(self) -> bool:
        return self.submitted and not self.errors and not any(f.error for f in self.fields)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(f.error for f in self.fields)


def what_if_form(
    data: Mapping[str, str],
    leaves: Sequence[tuple[str, str, Decimal, Decimal]],
    *,
    deductions: tuple[Decimal, Decimal | None] | None = None,
) -> WhatIfForm:
    """Read a what-if from query parameters: ``leaf-<code>`` for each of ``leaves`` (code,
    title, max, actual score: the leaves a unit can act on) and ``deductions`` when given
    (actual total, the year's cap). Each value may use a decimal comma or point and must lie
    within 0..max; a field in error gets its message and nothing is computed from the form.
    A ``leaf-`` parameter for any other leaf is refused with a message of the form's own."""
    fields = [
        WhatIfField(LEAF_PREFIX + code, code, title, max_points, actual)
        for code, title, max_points, actual in leaves
    ]
    if deductions is not None:
        fields.append(WhatIfField(DEDUCTIONS, "", _("Tổng điểm trừ"), deductions[1], deductions[0]))
    form = WhatIfForm(fields=fields)
    known = {f.name for f in fields}
    for key in data:
        if key.startswith(LEAF_PREFIX) and key not in known:
            form.errors.append(
                _(
                    "Tiêu chí %(code)s không có trong danh sách có thể thay đổi (chỉ các tiêu "
                    "chí đơn vị bị mất điểm)."
                )
                % {"code": key[len(LEAF_PREFIX) :][:20]}
            )
    form.submitted = bool(form.errors) or any(f.name in data for f in fields)
    if not form.submitted:
        return form
    for f in fields:
        if f.name not in data:
            continue  # not sent: stays as it is
        f.value = data[f.name][:40]
        try:
            value = parse_points(f.value)
            check_within(value, f.max_points)
        except WhatIfInputError as error:
            f.error = str(error)
            continue
        if f.code:
            if value != f.actual:
                form.changes[f.code] = value
        elif value != f.actual:
            form.deductions = value
    return form
