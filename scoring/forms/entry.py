"""Forms of the self-assessment: one ``LeafForm`` and one ``EvidenceForm`` per leaf, built
from the leaf's rule; the leader's submission; the unit's answers in the explanation round."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from .. import rules, uploads, workflow
from ..models import Evidence, EvidenceLink, FrameworkNode
from ..services.self_assessment import LeafEntry
from .fields import DATE_INPUTS, DATE_MESSAGE, FigureField, _from_json, _to_json, input_field
from .text import LONG_TEXT, bounded, column_length, long_text

# A hidden version the browser did not send as the page wrote it: nothing the user typed.
STALE_PAGE = _("Trang này đã cũ hoặc không đầy đủ; hãy tải lại trang rồi nhập lại.")


def error_lines(*forms_: forms.Form) -> list[str]:
    """The errors of some forms as sentences for a list at the top of the page: each with its
    field's label ("Điểm tự chấm: Điểm không được âm."), hidden fields included (their errors
    show nowhere else)."""
    lines = []
    for form in forms_:
        for name, errors in form.errors.items():
            field = form.fields.get(name)
            label = field.label if field is not None and not field.widget.is_hidden else None
            for message in errors:
                lines.append(f"{label}: {message}" if label else str(message))
    return lines


class LeafForm(forms.Form):
    """The unit's entry for one leaf: the rule's inputs (``d_<name>``), the typed ``score`` of
    manual leaves, N/A and its reason, the explanation, and the version the page showed.

    ``shown`` is the leaf as the page showed it (a LeafScore or one of its history records);
    ``has_changed()`` then tells whether the user touched this leaf at all.
    """

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        required=False,
        error_messages={"invalid": STALE_PAGE, "min_value": STALE_PAGE},
    )
    explanation = long_text(label=_("Thuyết minh"), required=False)

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
            self.fields["na_reason"] = bounded(
                LONG_TEXT, label=_("Lý do không áp dụng"), required=False
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

    file = forms.FileField(
        label=_("Tệp mới"),
        required=False,
        error_messages={
            "empty": _("Tệp đã chọn rỗng (0 byte); hãy chọn lại tệp."),
            "invalid": _("Không đọc được tệp đã chọn; hãy chọn lại tệp."),
            "missing": _("Không nhận được tệp; hãy chọn lại tệp."),
        },
    )
    existing = forms.TypedChoiceField(
        label=_("hoặc tài liệu đã tải lên"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={
            "invalid_choice": _("Tài liệu đã chọn không còn trong danh sách; hãy chọn lại.")
        },
    )
    document_number = bounded(
        column_length(Evidence, "document_number"), label=_("Số, ký hiệu văn bản"), required=False
    )
    document_date = forms.DateField(
        label=_("Ngày văn bản"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        input_formats=DATE_INPUTS,
        error_messages={"invalid": DATE_MESSAGE},
    )
    reference = bounded(
        column_length(EvidenceLink, "reference"),
        label=_("Mục, trang chứng minh tiêu chí"),
        required=False,
    )

    def __init__(self, *args, library: list[Evidence], **kwargs):
        super().__init__(*args, **kwargs)
        self.set_library(library)

    def set_library(self, library: list[Evidence]) -> None:
        """The unit's documents to choose from (again after a save added some)."""
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


class SendExplanationsForm(forms.Form):
    """The leader's sending of the explanation round's answers (a named button of the
    explanation page's form)."""

    unanswered_seen = forms.BooleanField(
        label=_("Tôi đã xem các tiêu chí chưa có giải trình và vẫn gửi."), required=False
    )


class AnswerForm(forms.Form):
    """The unit's answer to one flagged leaf in the explanation round, with the version of the
    leaf the page showed (an answer over someone else's newer one is refused)."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        required=False,
        error_messages={"invalid": STALE_PAGE, "min_value": STALE_PAGE},
    )
    answer = long_text(rows=3, label=_("Giải trình"), required=False)
    conflict = None  # after a refused save: the other person's version of the leaf

    def __init__(self, *args, shown=None, **kwargs):
        if shown is not None:
            kwargs.setdefault(
                "initial", {"version": shown.version, "answer": shown.explanation_answer}
            )
        super().__init__(*args, **kwargs)
