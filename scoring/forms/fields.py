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


MAX_DIGITS = 15


class DigitsField(forms.CharField):
    """A count typed with digits only. Django's IntegerField reads "1.000" as 1, where a
    Vietnamese reader means one thousand: refused instead of guessed."""

    widget = forms.TextInput(attrs={"inputmode": "numeric"})

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if not value.isdigit():
            raise forms.ValidationError(
                _("Nhập một số nguyên, chỉ gồm chữ số (không dấu chấm, phẩy).")
            )
        # Python refuses to read past 4,300 digits; no count of a unit comes near 15.
        if len(value) > MAX_DIGITS:
            raise forms.ValidationError(_("Số quá lớn: tối đa %(n)s chữ số.") % {"n": MAX_DIGITS})
        return int(value)


class FigureField(forms.DecimalField):
    """A decimal figure in the user's format (0,5 in Vietnamese), refusing a thousands dot."""

    def __init__(self, **kwargs):
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
        )
    if spec.kind == "flag":
        return forms.BooleanField(label=spec.label, required=False)
    if spec.kind == "date":
        return forms.DateField(
            label=spec.label, required=False, widget=forms.DateInput(attrs={"type": "date"})
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
