"""Form fields shared by every form: figures and counts as a Vietnamese user types them."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .. import rules

YES_NO = [("", _("Chưa trả lời")), ("1", _("Có")), ("0", _("Không"))]
# "1.500" reads as one thousand five hundred to a Vietnamese eye; Python would read 1.5.
THOUSANDS_DOT = re.compile(r"\d\.\d{3}(?!\d)")
# A count as digits only, ASCII: str.isdigit() also takes "²" or "١٢" (and int("²") fails).
WHOLE = re.compile(r"[0-9]+")
GROUPED = re.compile(r"[0-9]{1,3}(?:[.,][0-9]{3})+")
NEGATIVE = re.compile(r"-\s*[0-9]+(?:[.,][0-9]+)?")

MAX_DIGITS = 15
DATE_MESSAGE = _("Nhập ngày theo dạng ngày/tháng/năm, ví dụ 31/12/2024.")
# The date picker sends ISO dates; typed by hand (a browser without one) a date is day first.
# Django's default formats would read 05/12/2024 as the 12th of May.
DATE_INPUTS = ["%Y-%m-%d", "%d/%m/%Y"]

# Django's own Vietnamese for these reads oddly or has a space before the full stop
# ("lớn hơn hoặc bằng với 0 ."): the figures' fields say it plainly instead.
NOT_NEGATIVE = _("Không được là số âm.")
FIGURE_MESSAGES = {
    "invalid": _("Nhập một số."),
    "min_value": NOT_NEGATIVE,
    "max_digits": _("Số quá dài: tối đa %(max)s chữ số."),
    "max_decimal_places": _("Tối đa %(max)s chữ số sau dấu phẩy."),
    "max_whole_digits": _("Phần nguyên quá dài: tối đa %(max)s chữ số."),
}


class DigitsField(forms.CharField):
    """A count typed with digits only. Django's IntegerField reads "1.000" as 1, where a
    Vietnamese reader means one thousand: refused instead of guessed."""

    widget = forms.TextInput(attrs={"inputmode": "numeric"})

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if not WHOLE.fullmatch(value):
            if GROUPED.fullmatch(value):
                message = _("Nhập một số nguyên, chỉ gồm chữ số (không dấu chấm, phẩy).")
            elif NEGATIVE.fullmatch(value):
                message = NOT_NEGATIVE
            else:  # 12,5 · 1e3 · mười
                message = _("Nhập số nguyên, ví dụ 12.")
            raise forms.ValidationError(message, code="invalid")
        # Python refuses to read past 4,300 digits; no count of a unit comes near 15.
        if len(value) > MAX_DIGITS:
            raise forms.ValidationError(_("Số quá lớn: tối đa %(n)s chữ số.") % {"n": MAX_DIGITS})
        return int(value)


class FigureField(forms.DecimalField):
    """A decimal figure in the user's format (0,5 in Vietnamese), refusing a thousands dot."""

    def __init__(self, **kwargs):
        kwargs["error_messages"] = {**FIGURE_MESSAGES, **kwargs.get("error_messages", {})}
        super().__init__(localize=True, min_value=0, **kwargs)

    def to_python(self, value):
        if isinstance(value, str) and THOUSANDS_DOT.search(value):
            raise forms.ValidationError(
                _("Dùng dấu phẩy cho phần thập phân, không dùng dấu chấm phân cách hàng nghìn.")
            )
        return super().to_python(value)


def input_field(spec: rules.InputSpec) -> forms.Field:
    """The form field of one declared figure; the Excel import cleans through it too, so the
    two never accept different figures."""
    if spec.kind == "bool":
        return forms.TypedChoiceField(
            label=spec.label,
            choices=YES_NO,
            coerce=lambda value: value == "1",
            empty_value=None,
            required=False,
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": _("Chọn Có hoặc Không.")},
        )
    if spec.kind == "flag":
        return forms.BooleanField(label=spec.label, required=False)
    if spec.kind == "date":
        return forms.DateField(
            label=spec.label,
            required=False,
            widget=forms.DateInput(attrs={"type": "date"}),
            input_formats=DATE_INPUTS,
            error_messages={"invalid": DATE_MESSAGE},
        )
    if spec.kind == "int":
        return DigitsField(label=spec.label, required=False)
    return FigureField(label=spec.label, required=False, max_digits=16, decimal_places=4)


def _to_json(value):
    """Declared figures are stored as JSON: dates as ISO text, decimals as plain exact text."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # "100", not "1E+2"
    return value


def _from_json(spec: rules.InputSpec, value):
    """A stored figure as the form field expects its initial value."""
    if value is None:
        return None
    if spec.kind == "bool":
        return "1" if value else "0"
    if spec.kind == "decimal":
        return Decimal(str(value))  # shown in the user's format by the localized field
    return value
