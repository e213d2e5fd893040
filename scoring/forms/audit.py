"""The audit log's filters: a GET form whose every field may be left empty."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models.audit import AuditEvent
from ..selectors.audit import NO_PERSON, LogFilters, LogOptions, LogScope

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]  # the date picker's, and typed by hand


def _choice(label, choices, message):
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=[("", _("Tất cả")), *choices],
        error_messages={"invalid_choice": message},
    )


def _date(label):
    return forms.DateField(
        label=label,
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "invalid": _("Ngày không hợp lệ: chọn ngày, hoặc gõ theo dạng 31/12/2024.")
        },
    )


class LogFilterForm(forms.Form):
    """Unit (a year's log only), field, person, kind and a date range. A value that is not
    valid (an unknown kind, a bad date) is reported and that filter left out; the others
    still apply (``filters``)."""

    def __init__(self, data, *, scope: LogScope, options: LogOptions):
        super().__init__(data)
        if scope.unit is None:
            self.fields["unit"] = _choice(
                _("Đơn vị"),
                [(unit.code, unit.name) for unit in options.units],
                _("Đơn vị không có trong kỳ đánh giá này."),
            )
            self._units = {unit.code: unit.id for unit in options.units}
        self.fields["field"] = _choice(
            _("Lĩnh vực"),
            [(node.code, f"{node.code}. {node.title}") for node in scope.fields],
            _("Lĩnh vực không có trong bộ chỉ số của năm này."),
        )
        self.fields["person"] = _choice(
            _("Người thực hiện"),
            [(NO_PERSON, _("Không có người (dữ liệu mẫu, hệ thống)"))]
            + [(name, name) for name in options.people],
            _("Người này không có trong nhật ký."),
        )
        kinds = set(scope.kinds)
        self.fields["kind"] = _choice(
            _("Loại thay đổi"),
            [(value, label) for value, label in AuditEvent.Kind.choices if value in kinds],
            _("Loại thay đổi không có trong danh sách."),
        )
        self.fields["date_from"] = _date(_("Từ ngày"))
        self.fields["date_to"] = _date(_("Đến ngày"))
        for form_field in self.fields.values():
            small = "form-select form-select-sm"
            if not isinstance(form_field, forms.ChoiceField):
                small = "form-control form-control-sm"
            form_field.widget.attrs["class"] = small

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("Ngày kết thúc phải sau ngày bắt đầu."))
        return cleaned

    def filters(self) -> LogFilters:
        """The valid filters (call after ``is_valid``)."""
        data = getattr(self, "cleaned_data", {})
        return LogFilters(
            unit=getattr(self, "_units", {}).get(data.get("unit") or ""),
            field_code=data.get("field") or "",
            person=data.get("person") or "",
            kind=data.get("kind") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
