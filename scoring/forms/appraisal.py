"""The appraisers' form of one leaf."""

from __future__ import annotations

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from .. import rules
from ..models import FrameworkNode
from ..services.appraisal import AppraisalEntry, round_values
from .fields import FigureField
from .text import long_text


class AppraisalForm(forms.Form):
    """An appraiser's score of one leaf for one round, with its reason and comment; round 1
    can also ask the unit to explain the leaf."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    comment = long_text(label=_("Nhận xét"), required=False)

    def __init__(self, *args, node: FrameworkNode, row, round_no: int, reasons, **kwargs):
        self.node, self.row, self.round_no = node, row, round_no
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
            round_values(self.node, entry, self.round_no, self.reasons)
        except rules.DeclaredError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
            return data
        self.entry = entry
        return data
