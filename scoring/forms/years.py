"""Forms of running a year: its steps, deadlines, re-opening, a new year."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from units.models import UnitLevel

from ..models import Framework


class AdvanceForm(forms.Form):
    """Moving a year on; opening the explanation round sets its deadline. ``to_state`` is the
    step the page offered: a second click, or another admin's step, is then refused."""

    to_state = forms.CharField(widget=forms.HiddenInput)

    explanation_closes = forms.DateTimeField(
        label=_("Hạn giải trình"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    confirm = forms.BooleanField(label=_("Tôi đã đọc và xác nhận."), required=True)


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do mở lại để sửa"), widget=forms.Textarea(attrs={"rows": 3})
    )


def _deadline_field(label):
    return forms.DateTimeField(
        label=label,
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class DeadlinesForm(forms.Form):
    self_assessment_opens = _deadline_field(_("Mở tự đánh giá"))
    self_assessment_closes = _deadline_field(_("Hạn tự đánh giá"))
    appraisal_closes = _deadline_field(_("Hạn thẩm định"))
    explanation_closes = _deadline_field(_("Hạn giải trình"))
    final_appraisal_closes = _deadline_field(_("Hạn thẩm định lại"))
    publication_due = _deadline_field(_("Dự kiến công bố"))


class NewYearForm(DeadlinesForm):
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    unit_level = forms.ModelChoiceField(label=_("Cấp đơn vị"), queryset=UnitLevel.objects.all())
    framework = forms.ModelChoiceField(
        label=_("Bộ chỉ số (để trống: sao chép bộ chỉ số và đơn vị của năm trước)"),
        queryset=Framework.objects.all(),
        required=False,
    )

    field_order = ["year", "unit_level", "framework"]
