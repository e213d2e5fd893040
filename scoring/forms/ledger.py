"""The bonus and deduction ledger's form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import AdjustmentKind
from .fields import DigitsField, FigureField


class AdjustmentForm(forms.Form):
    kind = forms.ModelChoiceField(
        label=_("Loại"), queryset=AdjustmentKind.objects.filter(is_active=True)
    )
    count = DigitsField(label=_("Số trường hợp (nếu tính theo mỗi trường hợp)"), required=False)
    points = FigureField(
        label=_("Điểm (để trống: theo điểm mặc định của loại)"),
        required=False,
        max_digits=7,
        decimal_places=2,
    )
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 2}))
    document = forms.FileField(label=_("Tài liệu"), required=False)
