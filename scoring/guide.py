"""The scoring guide of a leaf, written out from its rule: what the appraiser reads beside the
unit's figures to see why a figure earns the points it does.

Pure functions: a ``workflow.LeafRule`` in, lines of text out, no ORM. Tiers are spelt with
their boundaries ("từ 70% đến dưới 90%" against "từ 70% đến 90%"), since that is where two
leaves with the same figure part ways: at exactly 90 % a leaf whose top tier is "trên 90%"
gives the lower tier's points, one whose top tier is "từ 90% trở lên" the higher's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import rules
from .workflow import LeafRule


def number(value: Any) -> str:
    """A figure as a Vietnamese reader writes it: no trailing zeros, decimal comma (0,5; 2)."""
    value = Decimal(str(value))
    # normalize() alone would write 10 as 1E+1.
    whole = value == value.to_integral_value()
    return formats.number_format(value.quantize(Decimal(1)) if whole else value.normalize())


def _points(value: Any) -> str:
    # English says "1 point", "0.5 points": the plural form by whether the value is one.
    return ngettext("%(points)s điểm", "%(points)s điểm", 1 if Decimal(str(value)) == 1 else 2) % {
        "points": number(value)
    }


def _line(condition: str, points: Any) -> str:
    return f"{condition}: {_points(points)}"


def _sorted_tiers(params: Mapping[str, Any]) -> list[tuple[Decimal, bool, Decimal]]:
    """(min, inclusive, points), best tier first, as ``rules._tier_points`` reads them: on the
    same minimum, "above" comes before "from"."""
    tiers = [
        (Decimal(str(t["min"])), bool(t.get("inclusive", True)), Decimal(str(t["points"])))
        for t in params["tiers"]
    ]
    return sorted(tiers, key=lambda t: (t[0], not t[1]), reverse=True)


def _tier_lines(params: Mapping[str, Any], *, suffix: str, ceiling: Decimal | None) -> list[str]:
    """Each tier as "từ a đến dưới b", plus the band below every tier (0 points)."""
    tiers = _sorted_tiers(params)

    def value(v):
        return f"{number(v)}{suffix}"

    lines = []
    upper = None  # the boundary of the better tier: (min, inclusive)
    for minimum, inclusive, points in tiers:
        lower = _("từ %(v)s") % {"v": value(minimum)} if inclusive else None
        if upper is None:
            if inclusive and ceiling is not None and minimum == ceiling:
                condition = _("đạt %(v)s") % {"v": value(minimum)}
            elif inclusive:
                condition = _("từ %(v)s trở lên") % {"v": value(minimum)}
            else:
                condition = _("trên %(v)s") % {"v": value(minimum)}
        else:
            lower = lower or _("trên %(v)s") % {"v": value(minimum)}
            top_min, top_inclusive = upper
            if top_min == minimum:  # "from x" under "above x": exactly x
                condition = _("bằng %(v)s") % {"v": value(minimum)}
            elif top_inclusive:
                condition = _("%(lower)s đến dưới %(upper)s") % {
                    "lower": lower,
                    "upper": value(top_min),
                }
            else:
                condition = _("%(lower)s đến %(upper)s") % {"lower": lower, "upper": value(top_min)}
        lines.append(_line(condition, points))
        upper = (minimum, inclusive)
    lowest, lowest_inclusive, _lowest_points = tiers[-1]
    if lowest_inclusive and lowest > 0:
        lines.append(_line(_("dưới %(v)s") % {"v": value(lowest)}, 0))
    elif not lowest_inclusive:
        if lowest == 0:
            lines.append(_line(_("bằng %(v)s") % {"v": value(lowest)}, 0))
        else:
            lines.append(_line(_("từ %(v)s trở xuống") % {"v": value(lowest)}, 0))
    return [_capitalised(line) for line in lines]


def _count_lines(params: Mapping[str, Any]) -> list[str]:
    """Count tiers as whole-number ranges ("từ 5 đến 9"), since a count is a whole number;
    tiers starting at a fraction are written as bounds instead."""
    tiers = _sorted_tiers(params)
    if any(minimum != minimum.to_integral_value() for minimum, _i, _p in tiers):
        return _tier_lines(params, suffix="", ceiling=None)
    lines = []
    above = None  # the highest count the better tier does not reach
    for minimum, inclusive, points in tiers:
        first = int(minimum) if inclusive else int(minimum) + 1
        if above is None:
            condition = _("từ %(a)s trở lên") % {"a": first}
        elif first > above:
            above = first - 1
            continue  # no whole number falls in this tier
        elif first == above:
            condition = str(first)
        else:
            condition = _("từ %(a)s đến %(b)s") % {"a": first, "b": above}
        lines.append(_line(condition, points))
        above = first - 1
    if above is not None and above >= 0:
        condition = str(above) if above == 0 else _("dưới %(a)s") % {"a": above + 1}
        lines.append(_line(condition, 0))
    return [_capitalised(line) for line in lines]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _binary(leaf: LeafRule) -> list[str]:
    return [_line(_("Đã thực hiện"), leaf.max_points), _line(_("Chưa thực hiện"), 0)]


def _timeliness(leaf: LeafRule) -> list[str]:
    params = leaf.params
    on_time = params.get("on_time", leaf.max_points)
    late = params.get("late", 0)
    late_days = params.get("late_days")
    lines = [_line(_("Đúng hạn"), on_time)]
    if late_days is None:
        lines.append(_line(_("Trễ hạn"), late))
    else:
        days = {"n": late_days}
        within = ngettext(
            "Trễ hạn không quá %(n)s ngày", "Trễ hạn không quá %(n)s ngày", int(late_days)
        )
        beyond = ngettext("Trễ hạn quá %(n)s ngày", "Trễ hạn quá %(n)s ngày", int(late_days))
        lines.append(_line(within % days, late))
        lines.append(_line(beyond % days, 0))
    lines.append(_line(_("Không thực hiện"), 0))
    return lines


def _proportional(leaf: LeafRule) -> list[str]:
    return [
        _("Điểm = %(max)s × số đã thực hiện / tổng số, làm tròn đến 2 chữ số thập phân")
        % {"max": number(leaf.max_points)}
    ]


def _deduction(leaf: LeafRule) -> list[str]:
    per = Decimal(str(leaf.params["per_occurrence"]))
    down_to_zero = math.ceil(Decimal(leaf.max_points) / per)
    return [
        _("Trừ %(per)s cho mỗi trường hợp, tính từ %(max)s")
        % {"per": _points(per), "max": _points(leaf.max_points)},
        _line(_("Không có trường hợp nào"), leaf.max_points),
        _line(_("Từ %(n)s trường hợp trở lên") % {"n": down_to_zero}, 0),
    ]


def _manual(leaf: LeafRule) -> list[str]:
    line = _("Người thẩm định chấm trực tiếp, từ 0 đến %(max)s") % {"max": _points(leaf.max_points)}
    if leaf.step:
        line += _(", theo bước %(step)s") % {"step": _points(leaf.step)}
    return [line]


def _survey(leaf: LeafRule) -> list[str]:
    return [_("Sở Nội vụ nhập điểm từ kết quả điều tra xã hội học")]


_WRITERS = {
    "binary": _binary,
    "timeliness": _timeliness,
    "percent_tiers": lambda leaf: _tier_lines(leaf.params, suffix="%", ceiling=Decimal(100)),
    "proportional": _proportional,
    "count_tiers": lambda leaf: _count_lines(leaf.params),
    "deduction": _deduction,
    "manual": _manual,
    "survey": _survey,
}


def guide_lines(leaf: LeafRule) -> list[str]:
    """How the leaf's rule turns figures into points, one condition per line. A rule this
    module does not know, or parameters it cannot read (a framework typo), gives no line
    rather than a broken page: the written guide, if any, still shows."""
    writer = _WRITERS.get(leaf.rule)
    if writer is None:
        return []
    try:
        return writer(leaf)
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return []


def rule_points(leaf: LeafRule, declared: Mapping[str, Any] | None) -> Decimal | None:
    """The points the rule gives for the unit's declared figures; ``None`` for a leaf scored by
    hand, or figures incomplete or unreadable (nothing to compare a self-score with)."""
    try:
        return rules.compute_score(leaf.rule, leaf.params, leaf.max_points, declared or {})
    except (rules.RuleError, rules.DeclaredError, InvalidOperation, KeyError, TypeError):
        return None
