"""The appraisers' form of one leaf, and the page's accept buttons."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import rules
from ..models import FrameworkNode
from ..selectors.appraisal import BULK
from ..services.appraisal import ROUND_1, SELF, AppraisalEntry, round_values
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
        # The phone's number pad; appraisal.js moves Enter from one score to the next.
        self.fields["score"].widget.attrs.update(
            {"inputmode": "decimal", "autocomplete": "off", "data-score": ""}
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
        return self.is_bound and any(name != "version" for name in self.changed_data)

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
            round_values(self.node, entry, self.round_no, self.reasons, self.row)
        except rules.DeclaredError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
            return data
        self.entry = entry
        return data


@dataclass(frozen=True)
class Acceptance:
    """An accept button pressed: for one leaf (``code``) or a bulk action of the field."""

    source: str  # services.appraisal.SELF or ROUND_1
    code: str = ""  # one leaf; empty for a bulk action
    bulk: str = ""  # selectors.appraisal.REST, EVIDENCE or UNEXPLAINED


def read_acceptance(value: str, *, round_no: int | None, codes: Collection[str]) -> Acceptance:
    """The accept button a post names ("self:1.3.2", "keep:1.3.2", "rest" …). A button of
    the other round (a page left open while the year moved on) is a ``ValidationError`` to
    show; a leaf not on this field is not a button of this page."""
    kind, _sep, code = value.partition(":")
    if code:
        if code not in codes or kind not in ("self", "keep"):
            raise forms.ValidationError("unknown leaf", code="bad-request")
        if kind == "keep" and round_no != 2:
            raise ValidationError(wrong_round(round_no))
        return Acceptance(SELF if kind == "self" else ROUND_1, code=code)
    for number, bulks in BULK.items():
        if value in bulks:
            if number != round_no:
                raise ValidationError(wrong_round(round_no))
            return Acceptance(ROUND_1 if number == 2 else SELF, bulk=value)
    raise forms.ValidationError("unknown action", code="bad-request")


def wrong_round(round_no: int | None) -> str:
    if round_no is None:
        return gettext("Kỳ đánh giá không còn ở bước thẩm định: chưa lưu gì.")
    return gettext(
        "Kỳ đánh giá đã sang vòng %(n)s sau khi bạn mở trang: chưa lưu gì. Hãy xem lại rồi lưu."
    ) % {"n": round_no}
