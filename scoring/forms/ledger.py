"""The bonus and deduction ledger's forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import AdjustmentKind
from ..selectors.ledger import kind_choice
from .fields import DigitsField, FigureField
from .text import long_text

# Cases of one entry (disciplined officials, late reports …): tens at most in practice, so a
# larger count is a typo; the bound also keeps it far inside its integer column.
MAX_COUNT = 9999


class CountField(DigitsField):
    def to_python(self, value):
        # Refused by its length before it is read as a number (Python refuses to read an
        # integer of thousands of digits, which would end the request with an error).
        if isinstance(value, str) and len(value.strip()) > len(str(MAX_COUNT)):
            raise forms.ValidationError(
                _("Số trường hợp tối đa %(max)s.") % {"max": MAX_COUNT}, code="max_value"
            )
        return super().to_python(value)

    def validate(self, value):
        super().validate(value)
        if value is not None and value > MAX_COUNT:
            raise forms.ValidationError(
                _("Số trường hợp tối đa %(max)s.") % {"max": MAX_COUNT}, code="max_value"
            )


class KindField(forms.ModelChoiceField):
    """The active kinds, each saying what it does ("Trừ 0,5 điểm"): the admin sees the sign
    and the default points before choosing, not after saving."""

    def label_from_instance(self, obj):
        return kind_choice(obj)


class AdjustmentForm(forms.Form):
    """A new ledger entry, with the ledger's version the page showed: an entry added over a
    ledger someone changed meanwhile is refused (the same deduction must not go in twice)."""

    # Not required: a page that did not send it is refused as stale by the service.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    kind = KindField(label=_("Loại"), queryset=AdjustmentKind.objects.filter(is_active=True))
    count = CountField(label=_("Số trường hợp (nếu tính theo mỗi trường hợp)"), required=False)
    points = FigureField(
        label=_("Điểm (để trống: theo điểm mặc định của loại)"),
        required=False,
        max_digits=7,
        decimal_places=2,
    )
    reason = long_text(label=_("Lý do"))
    document = forms.FileField(label=_("Tài liệu"), required=False)


class RemoveForm(forms.Form):
    """Removing an entry, with the ledger's version the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
