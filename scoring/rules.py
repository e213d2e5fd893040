"""Scoring rules of a leaf (tiêu chí thành phần).

Pure functions: plain values in, ``Decimal`` out, no ORM. A leaf stores its rule code and the
rule's parameters as JSON; ``validate_params`` is the only way parameters are accepted, so every
stored rule can be computed. Declared figures (số liệu kê khai) arrive as the JSON the unit typed;
``compute`` turns them into points, or returns ``None`` while the figures are incomplete (a leaf
not yet filled is not a leaf worth zero).

Decimals travel as strings in JSON so that 0.1 stays 0.1.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

TWO_PLACES = Decimal("0.01")
ZERO = Decimal("0")


class RuleError(ValueError):
    """A rule's parameters are not valid (a framework definition error)."""


class DeclaredError(ValueError):
    """A declared figure or a typed score is not acceptable; ``field`` names the input."""

    def __init__(self, field: str, message: Any):
        super().__init__(str(message))
        self.field = field
        self.message = message


@dataclass(frozen=True)
class InputSpec:
    """One declared figure a rule needs: what the entry form shows."""

    name: str
    kind: str  # "bool" (yes / no / not said) | "flag" (a tick) | "date" | "int" | "decimal"
    label: Any


@dataclass(frozen=True)
class Rule:
    code: str
    label: Any
    inputs: tuple[InputSpec, ...]
    # True when the rule computes points from declared figures; False when a person types them.
    computed: bool
    validate: Callable[[Mapping[str, Any], Decimal], dict[str, Any]]
    compute: Callable[[Mapping[str, Any], Decimal, Mapping[str, Any]], Decimal | None]


def round2(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def to_decimal(value: Any, *, what: str = "value") -> Decimal:
    """Read a decimal from JSON/form input; floats are refused because they are not exact."""
    if isinstance(value, (bool, float)):
        raise RuleError(
            gettext(
                "%(what)s: cần một số thập phân dạng chuỗi hoặc số nguyên, không phải %(value)r"
            )
            % {"what": what, "value": value}
        )
    try:
        result = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, TypeError) as exc:
        raise RuleError(
            gettext("%(what)s: %(value)r không phải là số") % {"what": what, "value": value}
        ) from exc
    if not result.is_finite():
        raise RuleError(
            gettext("%(what)s: %(value)r không phải là số hữu hạn") % {"what": what, "value": value}
        )
    return result


# --- declared figures -------------------------------------------------------------------------


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _declared_number(declared: Mapping[str, Any], name: str, *, integer: bool) -> Decimal | None:
    value = declared.get(name)
    if _missing(value):
        return None
    if integer and isinstance(value, str) and not value.strip().isdigit():
        # "1.000" is one thousand to a Vietnamese reader and 1 to Decimal: refuse, don't guess.
        raise DeclaredError(name, _("Nhập một số nguyên, chỉ gồm chữ số."))
    try:
        number = to_decimal(value, what=name)
    except RuleError as exc:
        raise DeclaredError(name, _("Nhập một số.")) from exc
    if number < 0:
        raise DeclaredError(name, _("Không được là số âm."))
    if integer and number != number.to_integral_value():
        raise DeclaredError(name, _("Nhập một số nguyên."))
    return number


def _declared_date(declared: Mapping[str, Any], name: str) -> dt.date | None:
    value = declared.get(name)
    if _missing(value):
        return None
    if isinstance(value, dt.datetime):  # a datetime is a date too, but compares with neither
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise DeclaredError(name, _("Nhập một ngày hợp lệ (YYYY-MM-DD).")) from exc


def _declared_ratio(declared: Mapping[str, Any]) -> tuple[Decimal, Decimal] | None:
    done = _declared_number(declared, "done", integer=False)
    total = _declared_number(declared, "total", integer=False)
    if done is None or total is None:
        return None
    if total == 0:
        raise DeclaredError("total", _("Tổng số phải lớn hơn 0."))
    if done > total:
        raise DeclaredError("done", _("Số đã thực hiện không được lớn hơn tổng số."))
    return done, total


# --- parameters -------------------------------------------------------------------------------


def _points_param(params: Mapping[str, Any], name: str, max_points: Decimal, default=None):
    if name not in params or params[name] is None:
        if default is None:
            raise RuleError(gettext("thiếu tham số %s") % name)
        return default
    points = to_decimal(params[name], what=name)
    if points < 0 or points > max_points:
        raise RuleError(
            gettext("%(name)s: %(points)s nằm ngoài khoảng 0..%(max)s")
            % {"name": name, "points": points, "max": max_points}
        )
    return points


def _no_params(params: Mapping[str, Any], max_points: Decimal) -> dict[str, Any]:
    if params:
        raise RuleError(gettext("cách chấm này không có tham số, nhận được %s") % sorted(params))
    return {}


def _tiers(params: Mapping[str, Any], max_points: Decimal, *, upper: Decimal | None):
    """Tiers are ``[{"min": x, "points": p, "inclusive": true}, ...]``, read best first.

    ``inclusive`` (default true) says whether a value exactly on ``min`` reaches the tier: ">90%"
    is ``{"min": "90", "inclusive": false}``, "70–90%" is ``{"min": "70"}``. A value below every
    tier scores 0.
    """
    unknown = set(params) - {"tiers"}
    if unknown:
        raise RuleError(gettext("tham số không hợp lệ: %s") % sorted(unknown))
    raw = params.get("tiers")
    if not isinstance(raw, list) or not raw:
        raise RuleError(gettext("tiers: cần một danh sách bậc không rỗng"))
    tiers = []
    for i, tier in enumerate(raw):
        if not isinstance(tier, Mapping) or set(tier) - {"min", "points", "inclusive"}:
            raise RuleError(gettext("tiers[%s]: cần min, points và (tùy chọn) inclusive") % i)
        minimum = to_decimal(tier.get("min"), what=f"tiers[{i}].min")
        if minimum < 0 or (upper is not None and minimum > upper):
            raise RuleError(
                gettext("tiers[%(i)s].min: %(min)s nằm ngoài khoảng cho phép")
                % {"i": i, "min": minimum}
            )
        points = _points_param(tier, "points", max_points)
        inclusive = tier.get("inclusive", True)
        if not isinstance(inclusive, bool):
            raise RuleError(gettext("tiers[%s].inclusive: cần true hoặc false") % i)
        tiers.append({"min": str(minimum), "points": str(points), "inclusive": inclusive})
    tiers.sort(key=lambda t: (Decimal(t["min"]), not t["inclusive"]), reverse=True)
    for better, worse in itertools.pairwise(tiers):
        if (Decimal(better["min"]), better["inclusive"]) == (
            Decimal(worse["min"]),
            worse["inclusive"],
        ):
            raise RuleError(gettext("có hai bậc cùng bắt đầu từ %s") % better["min"])
        if Decimal(better["points"]) < Decimal(worse["points"]):
            raise RuleError(gettext("bậc cao hơn không được có ít điểm hơn bậc thấp hơn"))
    return {"tiers": tiers}


def _tier_points(tiers: list[dict[str, Any]], value: Decimal) -> Decimal:
    for tier in tiers:
        minimum = Decimal(tier["min"])
        if value > minimum or (tier["inclusive"] and value == minimum):
            return Decimal(tier["points"])
    return ZERO


# --- the rules --------------------------------------------------------------------------------


def _binary_compute(params, max_points, declared):
    done = declared.get("done")
    if done is None:
        return None
    if not isinstance(done, bool):
        raise DeclaredError("done", _("Chọn có hoặc không."))
    return max_points if done else ZERO


def _timeliness_validate(params, max_points):
    unknown = set(params) - {"on_time", "late", "late_days"}
    if unknown:
        raise RuleError(gettext("tham số không hợp lệ: %s") % sorted(unknown))
    on_time = _points_param(params, "on_time", max_points, default=max_points)
    late = _points_param(params, "late", max_points, default=ZERO)
    if late > on_time:
        raise RuleError(gettext("điểm trễ hạn (late) không được lớn hơn điểm đúng hạn (on_time)"))
    late_days = params.get("late_days")
    if late_days is not None and (
        isinstance(late_days, bool) or not isinstance(late_days, int) or late_days < 0
    ):
        raise RuleError(gettext("late_days: cần số ngày nguyên ≥ 0, hoặc để trống"))
    return {"on_time": str(on_time), "late": str(late), "late_days": late_days}


def _timeliness_compute(params, max_points, declared):
    """On time (done on or before the due date), late (within ``late_days`` if set), or 0.

    ``not_done: true`` declares that the document was never issued, which scores 0.
    """
    due = _declared_date(declared, "due")
    not_done = declared.get("not_done", False)
    if not isinstance(not_done, bool):
        raise DeclaredError("not_done", _("Chọn có hoặc không."))
    if not_done:
        if not _missing(declared.get("done_on")):
            raise DeclaredError(
                "done_on", _("Đã chọn “không thực hiện” thì không có ngày thực hiện.")
            )
        return ZERO
    done_on = _declared_date(declared, "done_on")
    if due is None or done_on is None:
        return None
    if done_on <= due:
        return Decimal(params["on_time"])
    late_days = params.get("late_days")
    if late_days is None or (done_on - due).days <= late_days:
        return Decimal(params["late"])
    return ZERO


def _percent_compute(params, max_points, declared):
    ratio = _declared_ratio(declared)
    if ratio is None:
        return None
    done, total = ratio
    return _tier_points(params["tiers"], done * 100 / total)


def _proportional_compute(params, max_points, declared):
    ratio = _declared_ratio(declared)
    if ratio is None:
        return None
    done, total = ratio
    return round2(max_points * done / total)


def _count_compute(params, max_points, declared):
    count = _declared_number(declared, "count", integer=True)
    if count is None:
        return None
    return _tier_points(params["tiers"], count)


def _deduction_validate(params, max_points):
    unknown = set(params) - {"per_occurrence"}
    if unknown:
        raise RuleError(gettext("tham số không hợp lệ: %s") % sorted(unknown))
    per = _points_param(params, "per_occurrence", max_points)
    if per == 0:
        raise RuleError(gettext("per_occurrence phải lớn hơn 0"))
    return {"per_occurrence": str(per)}


def _deduction_compute(params, max_points, declared):
    count = _declared_number(declared, "count", integer=True)
    if count is None:
        return None
    return max(ZERO, max_points - count * Decimal(params["per_occurrence"]))


def _manual_validate(params, max_points):
    unknown = set(params) - {"step"}
    if unknown:
        raise RuleError(gettext("tham số không hợp lệ: %s") % sorted(unknown))
    if params.get("step") is None:
        return {"step": None}
    step = to_decimal(params["step"], what="step")
    if step <= 0 or step > max_points:
        raise RuleError(
            gettext("step: %(step)s nằm ngoài khoảng (0, %(max)s]")
            % {"step": step, "max": max_points}
        )
    return {"step": str(step)}


def _typed(params, max_points, declared):
    return None


_DONE_TOTAL = (
    InputSpec("done", "decimal", _("Số đã thực hiện")),
    InputSpec("total", "decimal", _("Tổng số")),
)

RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule(
            "binary",
            _("Có / không"),
            (InputSpec("done", "bool", _("Đã thực hiện")),),
            True,
            _no_params,
            _binary_compute,
        ),
        Rule(
            "timeliness",
            _("Đúng hạn / trễ hạn / không thực hiện"),
            (
                InputSpec("due", "date", _("Hạn phải thực hiện")),
                InputSpec("done_on", "date", _("Ngày thực hiện")),
                InputSpec("not_done", "flag", _("Không thực hiện")),
            ),
            True,
            _timeliness_validate,
            _timeliness_compute,
        ),
        Rule(
            "percent_tiers",
            _("Bậc theo tỷ lệ %"),
            _DONE_TOTAL,
            True,
            lambda params, max_points: _tiers(params, max_points, upper=Decimal(100)),
            _percent_compute,
        ),
        Rule(
            "proportional",
            _("Tỷ lệ thuận (điểm tối đa × đã thực hiện / tổng số)"),
            _DONE_TOTAL,
            True,
            _no_params,
            _proportional_compute,
        ),
        Rule(
            "count_tiers",
            _("Bậc theo số lượng"),
            (InputSpec("count", "int", _("Số lượng")),),
            True,
            lambda params, max_points: _tiers(params, max_points, upper=None),
            _count_compute,
        ),
        Rule(
            "deduction",
            _("Trừ điểm theo mỗi trường hợp"),
            (InputSpec("count", "int", _("Số trường hợp")),),
            True,
            _deduction_validate,
            _deduction_compute,
        ),
        Rule("manual", _("Chấm điểm trực tiếp"), (), False, _manual_validate, _typed),
        Rule("survey", _("Điều tra xã hội học (Sở Nội vụ nhập)"), (), False, _no_params, _typed),
    )
}

RULE_CHOICES = [(code, rule.label) for code, rule in RULES.items()]


def get_rule(code: str) -> Rule:
    try:
        return RULES[code]
    except KeyError:
        raise RuleError(gettext("không có cách chấm %r") % code) from None


def validate_params(code: str, params: Any, max_points: Decimal) -> dict[str, Any]:
    """Return the normalised parameters of a rule, or raise ``RuleError``."""
    if params is None:
        params = {}
    if not isinstance(params, Mapping):
        raise RuleError(gettext("tham số phải là một đối tượng JSON"))
    if max_points <= 0:
        raise RuleError(gettext("điểm tối đa của tiêu chí phải lớn hơn 0"))
    return get_rule(code).validate(params, max_points)


def compute_score(
    code: str, params: Mapping[str, Any], max_points: Decimal, declared: Mapping[str, Any] | None
) -> Decimal | None:
    """Points the rule gives for the declared figures, within 0..max; ``None`` if incomplete."""
    rule = get_rule(code)
    if not rule.computed:
        return None
    points = rule.compute(params, max_points, declared or {})
    if points is None:
        return None
    return min(max(points, ZERO), max_points)


def check_score(value: Any, max_points: Decimal, step: Decimal | None = None) -> Decimal:
    """Validate a typed score (manual and survey leaves, appraisals): 0..max, 2 dp, on the step."""
    field = "score"
    try:
        score = to_decimal(value, what=field)
    except RuleError as exc:
        raise DeclaredError(field, _("Nhập một số.")) from exc
    if score < 0:
        raise DeclaredError(field, _("Điểm không được âm."))
    if score > max_points:
        raise DeclaredError(
            field,
            _("Điểm không được lớn hơn điểm tối đa (%(max)s).")
            % {"max": formats.number_format(max_points)},
        )
    if score != round2(score):
        raise DeclaredError(field, _("Điểm chỉ có tối đa 2 chữ số thập phân."))
    if step is not None and score % step != 0 and score != max_points:
        raise DeclaredError(
            field, _("Điểm phải là bội số của %(step)s.") % {"step": formats.number_format(step)}
        )
    return score
