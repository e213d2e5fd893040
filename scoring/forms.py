"""Forms of the self-assessment: one ``LeafForm`` and one ``EvidenceForm`` per leaf, built
from the leaf's rule."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from units.models import UnitLevel

from . import rules, uploads, workflow
from .models import AdjustmentKind, Evidence, Framework, FrameworkNode
from .services.appraisal import AppraisalEntry, round_values
from .services.self_assessment import LeafEntry

YES_NO = [("", _("Chưa trả lời")), ("1", _("Có")), ("0", _("Không"))]
# "1.500" reads as one thousand five hundred to a Vietnamese eye; Python would read 1.5.
THOUSANDS_DOT = re.compile(r"\d\.\d{3}(?!\d)")


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


class LeafForm(forms.Form):
    """The unit's entry for one leaf: the rule's inputs (``d_<name>``), the typed ``score`` of
    manual leaves, N/A and its reason, the explanation, and the version the page showed.

    ``shown`` is the leaf as the page showed it (a LeafScore or one of its history records);
    ``has_changed()`` then tells whether the user touched this leaf at all.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    explanation = forms.CharField(
        label=_("Thuyết minh"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, node: FrameworkNode, shown=None, **kwargs):
        self.node = node
        self.rule = rules.get_rule(node.rule)
        kwargs.setdefault("initial", self._initial(shown))
        super().__init__(*args, **kwargs)
        for spec in self.rule.inputs:
            self.fields[f"d_{spec.name}"] = input_field(spec)
        if not self.rule.computed:
            step = workflow.LeafRule.of(node).step
            self.fields["score"] = FigureField(
                label=_("Điểm tự chấm"),
                required=False,
                help_text=_("Từ 0 đến %(max)s, bội số của %(step)s")
                % {
                    "max": formats.number_format(node.max_points),
                    "step": formats.number_format(step),
                }
                if step
                else _("Từ 0 đến %(max)s") % {"max": formats.number_format(node.max_points)},
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

    def _initial(self, shown) -> dict:
        if shown is None:
            return {"version": 0}
        initial = {
            "version": shown.version,
            "explanation": shown.explanation,
            "not_applicable": shown.not_applicable,
            "na_reason": shown.na_reason,
            "score": shown.self_score,
        }
        for spec in self.rule.inputs:
            initial[f"d_{spec.name}"] = _from_json(spec, shown.declared.get(spec.name))
        return initial

    @property
    def touched(self) -> bool:
        """The user changed something of this leaf on the page (the version is not input)."""
        return any(name != "version" for name in self.changed_data)

    def clean(self):
        data = super().clean()
        not_applicable = bool(data.get("not_applicable"))
        if not_applicable:
            # Figures of a leaf that does not apply are discarded: their errors do not count.
            for spec in self.rule.inputs:
                self.errors.pop(f"d_{spec.name}", None)
        declared = {}
        for spec in self.rule.inputs:
            value = data.get(f"d_{spec.name}")
            if value is None or value == "" or (spec.kind == "flag" and value is False):
                continue
            declared[spec.name] = _to_json(value)
        try:
            self.computed_score = workflow.self_score(
                workflow.LeafRule.of(self.node),
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
    """Attach a document to a leaf: upload a new one, or pick one the unit already has.

    The choice of existing documents comes from the page's list (no query per leaf).
    """

    file = forms.FileField(label=_("Tệp mới"), required=False)
    existing = forms.TypedChoiceField(
        label=_("hoặc tài liệu đã tải lên"), required=False, coerce=int, empty_value=None
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

    def __init__(self, *args, library: list[Evidence], **kwargs):
        super().__init__(*args, **kwargs)
        self.library = {evidence.pk: evidence for evidence in library}
        self.fields["existing"].choices = [("", "—")] + [
            (evidence.pk, evidence.original_name) for evidence in library
        ]

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

    def clean(self):
        data = super().clean()
        if not self.is_used:
            return data  # most leaves attach nothing: an empty form is not an error
        has_file, existing = bool(data.get("file")), data.get("existing")
        if has_file and existing:
            raise forms.ValidationError(_("Chọn tệp mới hoặc tài liệu đã có, không cả hai."))
        if not has_file and not existing and not self.errors:
            raise forms.ValidationError(
                _("Chọn tệp để tải lên (hoặc tài liệu đã có) cho số, ngày, mục đã nhập.")
            )
        if existing and (data.get("document_number") or data.get("document_date")):
            self.add_error(
                "document_number",
                _("Số và ngày là của tài liệu đã tải lên; để trống khi chọn tài liệu đã có."),
            )
        return data

    @property
    def is_used(self) -> bool:
        """Whether the user filled anything in this form (most stay empty)."""
        if not self.is_bound:
            return False
        return bool(self.files.get(self.add_prefix("file"))) or any(
            (self.data.get(self.add_prefix(name)) or "").strip()
            for name in ("existing", "document_number", "document_date", "reference")
        )

    def for_service(self) -> dict:
        data = self.cleaned_data
        return {
            "upload": data.get("file"),
            "existing": self.library.get(data.get("existing")),
            "document_number": data.get("document_number") or "",
            "document_date": data.get("document_date"),
            "reference": data.get("reference") or "",
        }


class SubmitForm(forms.Form):
    problems_seen = forms.BooleanField(
        label=_("Tôi đã xem các cảnh báo và vẫn gửi bản tự đánh giá."), required=False
    )


class AppraisalForm(forms.Form):
    """An appraiser's score of one leaf for one round, with its reason and comment; round 1
    can also ask the unit to explain the leaf."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    comment = forms.CharField(
        label=_("Nhận xét"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args, node: FrameworkNode, row, round_no: int, reasons, correcting=False, **kwargs
    ):
        self.node, self.row, self.round_no, self.correcting = node, row, round_no, correcting
        self.reasons = {reason.code: reason for reason in reasons}
        by_label = {reason.label: reason.code for reason in reasons}
        prefix = "r1" if round_no == 1 else "r2"
        initial = {"version": row.appraisal_version if row else 0}
        if row is not None:
            initial.update(
                score=getattr(row, f"{prefix}_score"),
                reason=by_label.get(getattr(row, f"{prefix}_reason"), ""),
                comment=getattr(row, f"{prefix}_comment"),
                flagged=row.flagged,
            )
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields["score"] = FigureField(
            label=_("Điểm thẩm định") if round_no == 1 else _("Điểm thẩm định lại"),
            required=False,
            help_text=_("Từ 0 đến %(max)s") % {"max": formats.number_format(node.max_points)},
        )
        self.fields["reason"] = forms.ChoiceField(
            label=_("Lý do"),
            required=False,
            choices=[("", "—")] + [(r.code, r.label) for r in reasons],
        )
        if round_no == 1:
            self.fields["flagged"] = forms.BooleanField(
                label=_("Yêu cầu đơn vị giải trình"), required=False
            )
        self.order_fields(["score", "reason", "comment", "flagged"])
        self.entry = None

    @property
    def touched(self) -> bool:
        return any(name != "version" for name in self.changed_data)

    def clean(self):
        data = super().clean()
        if self.errors or not self.touched:
            return data  # an untouched leaf is not judged again (imported scores stand)
        entry = AppraisalEntry(
            node_id=self.node.id,
            version=data.get("version") or 0,
            score=data.get("score"),
            reason=data.get("reason") or "",
            comment=data.get("comment") or "",
            flagged=bool(data.get("flagged")),
        )
        try:
            round_values(
                self.node, self.row, entry, self.round_no, self.reasons, correcting=self.correcting
            )
        except rules.DeclaredError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
            return data
        self.entry = entry
        return data


class AnswerForm(forms.Form):
    """The unit's answer to one flagged leaf in the explanation round."""

    answer = forms.CharField(
        label=_("Giải trình"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


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


class SurveyGridForm(forms.Form):
    """One score field per unit and survey leaf, named ``s-<assessment>-<leaf>``."""

    def __init__(self, *args, assessments, leaves, stored, **kwargs):
        super().__init__(*args, **kwargs)
        self.cells = []
        for assessment in assessments:
            row = []
            for leaf in leaves:
                name = f"s-{assessment.id}-{leaf.id}"
                current = stored.get((assessment.id, leaf.id))
                label = f"{assessment.unit.name} · {leaf.code}"
                self.fields[name] = FigureField(
                    label=label, required=False, max_digits=7, decimal_places=2, initial=current
                )
                self.fields[name].widget.attrs.update(
                    {"aria-label": label, "class": "form-control form-control-sm", "size": 6}
                )
                row.append(name)
            self.cells.append((assessment, [self[name] for name in row]))

    def scores(self) -> dict[tuple[int, int], Decimal | None]:
        """The cells the user changed, keyed by (assessment id, leaf id)."""
        result = {}
        for name in self.changed_data:
            _s, assessment_id, leaf_id = name.split("-")
            result[(int(assessment_id), int(leaf_id))] = self.cleaned_data[name]
        return result


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
