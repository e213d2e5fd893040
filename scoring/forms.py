"""Forms of the self-assessment: one ``LeafForm`` per leaf, built from the leaf's rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from . import rules, uploads, workflow
from .models import Evidence, FrameworkNode, LeafScore
from .services.self_assessment import LeafEntry, leaf_rule

YES_NO = [("1", _("Có")), ("0", _("Không"))]


class DigitsField(forms.CharField):
    """A count typed with digits only. Django's IntegerField reads "1.000" as 1, where a
    Vietnamese reader means one thousand: refused instead of guessed."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]*"})

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if not value.isdigit():
            raise forms.ValidationError(
                _("Nhập một số nguyên, chỉ gồm chữ số (không dấu chấm, phẩy).")
            )
        return int(value)


def _input_field(spec: rules.InputSpec) -> forms.Field:
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
    return forms.DecimalField(
        label=spec.label,
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=4,
        localize=True,
    )


def _to_json(value):
    """Declared figures are stored as JSON: dates as ISO text, decimals as exact text."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize()) if value == value.to_integral() else str(value)
    return value


class LeafForm(forms.Form):
    """The unit's entry for one leaf. Field names are the rule's inputs (``d_<name>``), the
    typed ``score`` of manual leaves, N/A and its reason, the explanation, and the version the
    form was opened on."""

    # Missing means "opened before the leaf had any row" (version 0).
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    explanation = forms.CharField(
        label=_("Thuyết minh"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, node: FrameworkNode, leaf: LeafScore | None, **kwargs):
        self.node, self.leaf = node, leaf
        self.rule = rules.get_rule(node.rule)
        kwargs.setdefault("initial", self._initial())
        super().__init__(*args, **kwargs)
        for spec in self.rule.inputs:
            self.fields[f"d_{spec.name}"] = _input_field(spec)
        if not self.rule.computed:
            # Bounds and step are checked by the rule (one message, in Vietnamese number format).
            self.fields["score"] = forms.DecimalField(
                label=_("Điểm tự chấm"), required=False, localize=True
            )
        if node.allows_na:
            self.fields["not_applicable"] = forms.BooleanField(
                label=_("Không áp dụng"), required=False
            )
            self.fields["na_reason"] = forms.CharField(
                label=_("Lý do không áp dụng"), required=False
            )
        self.order_fields([f"d_{s.name}" for s in self.rule.inputs] + ["score"])
        self.entry: LeafEntry | None = None
        self.computed_score: Decimal | None = None

    def _initial(self) -> dict:
        leaf = self.leaf
        if leaf is None:
            return {"version": 0}
        initial = {
            "version": leaf.version,
            "explanation": leaf.explanation,
            "not_applicable": leaf.not_applicable,
            "na_reason": leaf.na_reason,
            "score": leaf.self_score,
        }
        for spec in self.rule.inputs:
            value = leaf.declared.get(spec.name)
            if spec.kind == "bool" and isinstance(value, bool):
                value = "1" if value else "0"
            initial[f"d_{spec.name}"] = value
        return initial

    def clean(self):
        data = super().clean()
        declared = {}
        for spec in self.rule.inputs:
            value = data.get(f"d_{spec.name}")
            if value is None or value == "" or (spec.kind == "flag" and value is False):
                continue
            declared[spec.name] = _to_json(value)
        not_applicable = bool(data.get("not_applicable"))
        try:
            self.computed_score = workflow.self_score(
                leaf_rule(self.node),
                declared=declared,
                typed_score=data.get("score"),
                not_applicable=not_applicable,
                na_reason=data.get("na_reason") or "",
            )
        except rules.DeclaredError as exc:
            target = f"d_{exc.field}" if f"d_{exc.field}" in self.fields else exc.field
            self.add_error(target if target in self.fields else None, exc.message)
            return data
        self.entry = LeafEntry(
            node_id=self.node.id,
            version=data.get("version") or 0,
            declared=declared,
            typed_score=data.get("score"),
            not_applicable=not_applicable,
            na_reason=data.get("na_reason") or "",
            explanation=data.get("explanation") or "",
        )
        return data


class EvidenceForm(forms.Form):
    """Attach a document to a leaf: upload a new one, or pick one the unit already has."""

    file = forms.FileField(label=_("Tệp mới"), required=False)
    existing = forms.ModelChoiceField(
        label=_("hoặc tài liệu đã tải lên"), queryset=Evidence.objects.none(), required=False
    )
    document_number = forms.CharField(
        label=_("Số, ký hiệu văn bản"), required=False, max_length=100
    )
    document_date = forms.DateField(
        label=_("Ngày văn bản"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(
        label=_("Mục, trang chứng minh tiêu chí"), required=False, max_length=200
    )

    def __init__(self, *args, library, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["existing"].queryset = library

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            try:
                uploads.check_evidence_file(
                    upload.name, upload.size, upload, settings.EVIDENCE_MAX_BYTES
                )
            except uploads.UploadRefused as exc:
                raise forms.ValidationError(str(exc)) from exc
        return upload

    def cleaned_data_for_service(self) -> dict:
        data = self.cleaned_data
        return {
            "upload": data.get("file"),
            "existing": data.get("existing"),
            "document_number": data.get("document_number") or "",
            "document_date": data.get("document_date"),
            "reference": data.get("reference") or "",
        }

    @property
    def is_used(self) -> bool:
        """Whether the user attached anything with this form (most stay empty)."""
        return self.is_bound and bool(
            self.files.get(self.add_prefix("file")) or self.data.get(self.add_prefix("existing"))
        )

    def clean(self):
        data = super().clean()
        if data.get("file") and data.get("existing"):
            raise forms.ValidationError(
                _("Chọn một tệp mới hoặc một tài liệu đã có, không cả hai.")
            )
        return data


class SubmitForm(forms.Form):
    problems_seen = forms.BooleanField(
        label=_("Tôi đã xem các cảnh báo và vẫn gửi bản tự đánh giá."), required=False
    )
