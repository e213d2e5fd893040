"""Forms of running a year: its steps forward and back, deadlines, re-opening, a new year, the
settings of its ranking."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from units.models import UnitLevel

from ..models import AssessmentYear, Framework
from .fields import FigureField


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


class _Deadlines(forms.Form):
    self_assessment_opens = _deadline_field(_("Mở tự đánh giá"))
    self_assessment_closes = _deadline_field(_("Hạn tự đánh giá"))
    appraisal_closes = _deadline_field(_("Hạn thẩm định"))
    explanation_closes = _deadline_field(_("Hạn giải trình"))
    final_appraisal_closes = _deadline_field(_("Hạn thẩm định lại"))
    publication_due = _deadline_field(_("Dự kiến công bố"))


class DeadlinesForm(_Deadlines):
    """The year's deadlines, with the version of the year the page showed: a save over someone
    else's change is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class NewYearForm(_Deadlines):
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    unit_level = forms.ModelChoiceField(label=_("Cấp đơn vị"), queryset=UnitLevel.objects.all())
    framework = forms.ModelChoiceField(
        label=_("Bộ chỉ số (để trống: sao chép bộ chỉ số và đơn vị của năm trước)"),
        queryset=Framework.objects.all(),
        required=False,
    )

    field_order = ["year", "unit_level", "framework"]


class StepBackForm(forms.Form):
    """A step back: the state the page showed (a stale page is refused), a reason, the new
    deadline of the round it reopens where it reopens one, and the list of cleared scores the
    admin confirmed (as a token)."""

    from_state = forms.CharField(widget=forms.HiddenInput)
    token = forms.CharField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label=_("Lý do lùi bước"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    deadline = forms.DateTimeField(
        label=_("Hạn mới"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    # Not the step forward's wording: both checkboxes are on the same page.
    confirm = forms.BooleanField(label=_("Tôi xác nhận lùi bước."), required=True)

    prefix = "back"  # the step forward's form has a confirm box too: ids must be unique

    def __init__(self, *args, deadline_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if deadline_label:
            self.fields["deadline"].label = deadline_label


CAP_ERRORS = {
    "required": _("Cần nhập điểm tối đa."),
    "invalid": _("Nhập một số, ví dụ 5 hoặc 2,5."),
    "min_value": _("Điểm tối đa không được âm."),
    "max_value": _("Điểm tối đa không quá 100."),
    "max_decimal_places": _("Tối đa 2 chữ số thập phân."),
    "max_digits": _("Số quá dài."),
}


def _cap_field(label):
    return FigureField(
        label=label, max_value=100, max_digits=5, decimal_places=2, error_messages=CAP_ERRORS
    )


class YearSettingsForm(forms.Form):
    tie_policy = forms.ChoiceField(
        label=_("Cách xếp đồng hạng"),
        choices=AssessmentYear.TiePolicy.choices,
        widget=forms.RadioSelect,
    )
    bonus_max = _cap_field(_("Điểm thưởng tối đa"))
    deduction_max = _cap_field(_("Điểm trừ tối đa"))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class BandForm(forms.Form):
    label = forms.CharField(
        label=_("Xếp loại"),
        max_length=40,
        required=False,
        error_messages={"max_length": _("Tên xếp loại tối đa 40 ký tự.")},
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    lower_bound = FigureField(
        label=_("Từ chỉ số"),
        required=False,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        widget=forms.TextInput(
            attrs={"class": "form-control form-control-sm", "inputmode": "decimal"}
        ),
        error_messages={
            "invalid": _("Nhập một số, ví dụ 90 hoặc 85,5."),
            "min_value": _("Ngưỡng phải từ 0 đến 100."),
            "max_value": _("Ngưỡng phải từ 0 đến 100."),
            "max_decimal_places": _("Tối đa 2 chữ số thập phân."),
            "max_digits": _("Ngưỡng phải từ 0 đến 100."),
        },
    )

    def clean(self):
        data = super().clean()
        label, lower = (data.get("label") or "").strip(), data.get("lower_bound")
        if self.errors:
            return data
        if label and lower is None:
            self.add_error("lower_bound", _("Cần nhập ngưỡng chỉ số của xếp loại."))
        if lower is not None and not label:
            self.add_error("label", _("Cần nhập tên xếp loại."))
        return data


class BaseBandFormSet(forms.BaseFormSet):
    """The year's bands: a row left empty, or ticked for removal, is no band."""

    def bands(self):
        return [
            ((f.cleaned_data.get("label") or "").strip(), f.cleaned_data["lower_bound"])
            for f in self.forms
            if f.cleaned_data
            and not f.cleaned_data.get("DELETE")
            and f.cleaned_data.get("lower_bound") is not None
        ]

    def clean(self):
        if any(self.errors):
            return
        labels, bounds = set(), set()
        for label, lower in self.bands():
            if label.casefold() in labels:
                raise forms.ValidationError(_("Xếp loại “%(label)s” bị trùng.") % {"label": label})
            if lower in bounds:
                raise forms.ValidationError(
                    _("Ngưỡng %(bound)s dùng cho hai xếp loại.")
                    % {"bound": format(lower.normalize(), "f")}
                )
            labels.add(label.casefold())
            bounds.add(lower)


BandFormSet = forms.formset_factory(
    BandForm, formset=BaseBandFormSet, extra=2, can_delete=True, max_num=20, validate_max=True
)
