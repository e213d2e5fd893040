"""The template's column layout, shared by the template and its reader so they cannot drift
apart, and a leaf's entry as both compare it (``State``, ``fingerprint``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.template.defaultfilters import floatformat
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.styles import PatternFill

from ... import rules
from ...models import Assessment
from ..base import ColumnSpec

SHEET = gettext_lazy("Tự đánh giá")
# Enough figure slots for the rule with the most inputs (timeliness: due, done on, not done).
SLOTS = max(len(rule.inputs) for rule in rules.RULES.values())
GREY = PatternFill("solid", fgColor="E7E6E6")
CONTEXT = PatternFill("solid", fgColor="D0CECE")


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # a lazy Vietnamese msgid: the header, matched in both languages on import
    width: int
    read: bool  # read back on import
    required: bool = True  # when read: the header must have it


def _figure(n: int):
    return format_lazy("{} {}", gettext_lazy("Số liệu"), n)


def _value(n: int):
    return format_lazy("{} {}", gettext_lazy("Giá trị"), n)


COLUMNS: list[Column] = [
    Column("code", gettext_lazy("Mã"), 9, True),
    Column("title", gettext_lazy("Nội dung"), 48, False),
    Column("max", gettext_lazy("Điểm tối đa"), 8, False),
    Column("rule", gettext_lazy("Cách chấm"), 20, False),
    *(
        column
        for n in range(1, SLOTS + 1)
        for column in (
            Column(f"figure{n}", _figure(n), 18, False),
            Column(f"value{n}", _value(n), 12, True),
        )
    ),
    Column("score", gettext_lazy("Điểm tự chấm"), 9, True),
    Column("na", gettext_lazy("Không áp dụng"), 10, True),
    Column("na_reason", gettext_lazy("Lý do không áp dụng"), 24, True),
    Column("explanation", gettext_lazy("Thuyết minh"), 40, True),
    Column("hint", gettext_lazy("Hướng dẫn chấm"), 36, False),
    Column("version", gettext_lazy("Phiên bản"), 8, True),
    # Optional: a sheet without it only loses the "untouched since download" check.
    Column("fingerprint", gettext_lazy("Mã kiểm tra"), 8, True, required=False),
]
INDEX = {column.key: number for number, column in enumerate(COLUMNS, start=1)}
SPECS = [ColumnSpec(c.key, c.label, required=c.required) for c in COLUMNS if c.read]
VALUE_KEYS = [f"value{n}" for n in range(1, SLOTS + 1)]
INPUT_KEYS = [*VALUE_KEYS, "score", "na", "na_reason", "explanation"]

COLUMNS_HELP = [
    (gettext_lazy("Mã"), gettext_lazy("Mã tiêu chí; dòng được tìm theo mã, không theo thứ tự.")),
    (
        format_lazy("{} 1–{}", gettext_lazy("Giá trị"), SLOTS),
        gettext_lazy(
            "Số liệu kê khai, mỗi ô ứng với nhãn xám bên trái: Có/Không, ngày (dd/mm/yyyy), "
            "số nguyên hoặc số thập phân."
        ),
    ),
    (
        gettext_lazy("Điểm tự chấm"),
        gettext_lazy(
            "Chỉ nhập với tiêu chí chấm điểm trực tiếp; các tiêu chí khác do phần mềm tính."
        ),
    ),
    (
        gettext_lazy("Không áp dụng"),
        gettext_lazy("“Có” nếu tiêu chí không áp dụng (chỉ nơi được phép), kèm lý do."),
    ),
    (
        gettext_lazy("Dòng để trống"),
        gettext_lazy(
            "Dòng có mọi ô nhập để trống được giữ nguyên; ở dòng có nhập, ô để trống là xóa "
            "giá trị đó."
        ),
    ),
]


def marker_of(assessment: Assessment) -> str:
    return f"entry:{assessment.year_id}:{assessment.unit.code}"


def yes_label() -> str:
    return _("Có")


def no_label() -> str:
    return _("Không")


def number_text(value: Decimal) -> str:
    return str(floatformat(value, "-2"))


# --- a leaf's entry, as compared -------------------------------------------------------------


@dataclass(frozen=True)
class State:
    """A leaf's entry as compared: figures read by kind, so that 20 stored by the demo and
    "20" stored by the form are the same figure."""

    declared: tuple
    self_score: Decimal | None
    not_applicable: bool
    na_reason: str
    explanation: str


def _figure_key(spec: rules.InputSpec, value: Any) -> Any:
    if value is None or value == "":
        return None
    try:
        if spec.kind == "flag":
            return True if value else None  # no tick and "not ticked" are the same
        if spec.kind == "bool":
            return bool(value)
        if spec.kind == "date":
            return dt.date.fromisoformat(str(value))
        return Decimal(str(value))
    except (ValueError, ArithmeticError):
        return value


def _text(value: str | None) -> str:
    # A browser sends line breaks as CRLF; a workbook gives them back as LF.
    return (value or "").replace("\r\n", "\n").strip()


def state_of(node, declared, self_score, not_applicable, na_reason, explanation) -> State:
    specs = rules.get_rule(node.rule).inputs
    return State(
        declared=()
        if not_applicable
        else tuple(_figure_key(spec, (declared or {}).get(spec.name)) for spec in specs),
        self_score=self_score,
        not_applicable=not_applicable,
        na_reason=_text(na_reason) if not_applicable else "",
        explanation=_text(explanation),
    )


EMPTY_FIELDS = ({}, None, False, "", "")


def stored_state(node, leaf) -> State:
    if leaf is None:
        return state_of(node, *EMPTY_FIELDS)
    return state_of(
        node,
        leaf.declared,
        leaf.self_score,
        leaf.not_applicable,
        leaf.na_reason,
        leaf.explanation,
    )


def fingerprint(state: State) -> str:
    """A short digest of a leaf's entry, written in the template beside its version: whether a
    row still shows the leaf as downloaded, with no need of the leaf's history."""

    def plain(value):
        if isinstance(value, Decimal):
            return format(value.normalize(), "f")  # 1.50 and 1.5 are one score
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    parts = [
        [plain(v) for v in state.declared],
        plain(state.self_score),
        state.not_applicable,
        state.na_reason,
        state.explanation,
    ]
    text = json.dumps(parts, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
