"""A unit's self-assessment in Excel: the template an officer downloads for the unit and year,
fills offline, and uploads back while the window is open.

The template and its reader share one column layout (``COLUMNS``), so they cannot drift apart.
A row is the whole entry of one leaf, as in the web form: its declared figures, the typed score
of a manual leaf, N/A with its reason and the explanation; a blank cell in a row that has values
clears that value. A row whose input cells are all blank leaves the leaf as it is (a template
filled for one field does not clear the others). Grey cells (titles, rules, figure labels, the
score the app computes) are for reading and are never read back. Two hidden columns hold each
leaf's version at download and a fingerprint of what the row showed: a leaf someone saved in
the app since then is refused as a conflict when the file changes it too, and kept as it is
when the file still shows it as downloaded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.template.defaultfilters import floatformat
from django.utils import formats, timezone
from django.utils.text import Truncator, capfirst, format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from units.roles import Roles

from .. import rules, workflow
from ..exporters.base import XLSX, ExportFile, put
from ..forms import THOUSANDS_DOT, input_field
from ..models import Assessment, LeafScore
from ..selectors.entry import EntryRow, describe_declared, entry_rows, why_locked
from ..services import ConflictError, LeafEntry, save_leaves
from .base import (
    DATE_EXPECTED,
    NUMBER_EXPECTED,
    YES_NO_EXPECTED,
    Change,
    ColumnSpec,
    Importer,
    ImportFailed,
    Plan,
    Problem,
    Table,
    cell_bool,
    cell_date,
    cell_decimal,
    cell_text,
    find_sheet,
    is_blank,
    open_workbook,
    read_table,
)
from .markers import check_marker, write_marker

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


# --- the template ---------------------------------------------------------------------------


def _yes() -> str:
    return _("Có")


def _no() -> str:
    return _("Không")


def _number(value: Decimal) -> str:
    return str(floatformat(value, "-2"))


def _stored_figure(spec: rules.InputSpec, value: Any) -> Any:
    """A stored declared figure as the template's cell shows it."""
    if value is None or value == "":
        return None
    try:
        if spec.kind == "bool":
            return _yes() if value else _no()
        if spec.kind == "flag":
            return _yes() if value else None
        if spec.kind == "date":
            return dt.date.fromisoformat(str(value))
        if spec.kind == "int":
            return int(Decimal(str(value)))
        return Decimal(str(value))
    except (ValueError, ArithmeticError):
        return str(value)  # shown as stored: the import then says what is wrong with it


def _hint(row: EntryRow) -> str:
    node = row.node
    leaf = workflow.LeafRule.of(node)
    if rules.get_rule(node.rule).computed:
        parts = [_("Phần mềm tính điểm từ số liệu kê khai; ô điểm chỉ để xem.")]
    elif leaf.step:
        parts = [
            _("Từ 0 đến %(max)s, bội số của %(step)s")
            % {"max": _number(node.max_points), "step": _number(leaf.step)}
        ]
    else:
        parts = [_("Từ 0 đến %(max)s") % {"max": _number(node.max_points)}]
    if node.allows_na:
        parts.append(_("Được đánh dấu không áp dụng: ghi “Có” và nêu lý do."))
    if node.guide:
        parts.append(node.guide)
    return "\n".join(parts)


def _put(sheet, row: int, key_or_column: str | int, value: Any, *, fill=None, fmt=None):
    """A cell of the template, by its column's key, wrapped and aligned to the top."""
    column = INDEX[key_or_column] if isinstance(key_or_column, str) else key_or_column
    cell = put(sheet, row, column, value, fill=fill, number_format=fmt)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def entry_template(assessment: Assessment) -> ExportFile:
    """The unit's template for its year, pre-filled with what the unit has entered: 3 queries."""
    year, unit = assessment.year, assessment.unit
    rows = entry_rows(assessment)
    unit_leaves = [row for row in rows if row.by_unit]
    # Fields and criteria above the unit's leaves, shown as grey context rows.
    context = {
        ".".join(row.node.code.split(".")[:depth])
        for row in unit_leaves
        for depth in range(1, row.node.depth + 1)
    }
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(SHEET)[:31]
    write_marker(workbook, marker_of(assessment))

    closes = year.self_assessment_closes
    titles = [
        _("Tự đánh giá năm %(year)s · %(unit)s") % {"year": year.year, "unit": unit.name},
        _("Hạn tự đánh giá: %(deadline)s")
        % {"deadline": formats.date_format(timezone.localtime(closes), "H:i d/m/Y")}
        if closes
        else "",
        _(
            "Tài liệu kiểm chứng đính kèm trên phần mềm, không đính kèm trong tệp Excel. Điểm của "
            "tiêu chí có số liệu do phần mềm tính khi nhập."
        ),
        _(
            "Chỉ điền vào các ô trắng; ô xám chỉ để đọc. Dòng có mọi ô nhập để trống được giữ "
            "nguyên như trên phần mềm."
        ),
    ]
    for number, title in enumerate(titles, start=1):
        cell = _put(sheet, number, 1, title)
        cell.alignment = Alignment(vertical="top")
        cell.font = Font(bold=number == 1, size=13 if number == 1 else 11)
    header = len(titles) + 2
    for column in COLUMNS:
        cell = _put(sheet, header, column.key, str(column.label))
        cell.font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(INDEX[column.key])].width = column.width
    for key in ("version", "fingerprint"):
        sheet.column_dimensions[get_column_letter(INDEX[key])].hidden = True
    sheet.freeze_panes = sheet.cell(row=header + 1, column=INDEX["max"])
    sheet.print_title_rows = f"{header}:{header}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True

    yes_no = DataValidation(
        type="list", formula1=f'"{_yes()},{_no()}"', allow_blank=True, showErrorMessage=True
    )
    yes_no.error = _("Chọn “%(yes)s” hoặc “%(no)s”.") % {"yes": _yes(), "no": _no()}
    sheet.add_data_validation(yes_no)

    number = header
    for row in rows:
        node = row.node
        if not (row.by_unit or node.code in context):
            continue
        number += 1
        if not node.is_leaf:
            for column in COLUMNS:
                _put(sheet, number, column.key, None, fill=CONTEXT)
            _put(sheet, number, "code", node.code, fill=CONTEXT).font = Font(bold=True)
            _put(sheet, number, "title", node.title, fill=CONTEXT).font = Font(bold=True)
            _put(sheet, number, "max", node.max_points, fill=CONTEXT, fmt="0.00")
            continue
        _leaf_row(sheet, number, row, yes_no)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return ExportFile(f"tu-danh-gia-{year.year}-{unit.code}.xlsx", XLSX, buffer.getvalue())


def _leaf_row(sheet, number: int, row: EntryRow, yes_no: DataValidation) -> None:
    node, leaf = row.node, row.leaf
    rule = rules.get_rule(node.rule)
    declared = leaf.declared if leaf else {}
    not_applicable = bool(leaf and leaf.not_applicable)
    _put(sheet, number, "code", node.code, fill=GREY)
    _put(sheet, number, "title", node.title, fill=GREY)
    _put(sheet, number, "max", node.max_points, fill=GREY, fmt="0.00")
    _put(sheet, number, "rule", str(rule.label), fill=GREY)
    for n in range(1, SLOTS + 1):
        if n > len(rule.inputs):
            _put(sheet, number, f"figure{n}", None, fill=GREY)
            _put(sheet, number, f"value{n}", None, fill=GREY)
            continue
        spec = rule.inputs[n - 1]
        _put(sheet, number, f"figure{n}", str(spec.label), fill=GREY)
        value = _stored_figure(spec, declared.get(spec.name))
        fmt = {"date": "DD/MM/YYYY", "int": "0"}.get(spec.kind)
        cell = _put(sheet, number, f"value{n}", value, fmt=fmt)
        if spec.kind in ("bool", "flag"):
            yes_no.add(cell)
    score = leaf.self_score if leaf and not not_applicable else None
    if rule.computed:
        _put(sheet, number, "score", score, fill=GREY, fmt="0.00")
    else:
        _put(sheet, number, "score", score, fmt="0.00")
    if node.allows_na:
        yes_no.add(_put(sheet, number, "na", _yes() if not_applicable else None))
        _put(sheet, number, "na_reason", leaf.na_reason if not_applicable else None)
    else:
        _put(sheet, number, "na", None, fill=GREY)
        _put(sheet, number, "na_reason", None, fill=GREY)
    _put(sheet, number, "explanation", leaf.explanation if leaf and leaf.explanation else None)
    _put(sheet, number, "hint", _hint(row), fill=GREY)
    _put(sheet, number, "version", leaf.version if leaf else 0, fill=GREY)
    _put(sheet, number, "fingerprint", fingerprint(_stored_state(node, leaf)), fill=GREY)


# --- reading it back ------------------------------------------------------------------------


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


def _stored_state(node, leaf) -> State:
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


def _to_json(spec: rules.InputSpec, value: Any) -> Any:
    """A figure as the web form stores it (``forms._to_json``): dates as ISO text, counts as
    integers, decimals as exact text, yes/no as booleans."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if spec.kind == "int":
        return int(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


@dataclass(frozen=True)
class RowEntry:
    """One leaf as the file has it."""

    number: int  # the sheet's row
    row: EntryRow
    version: int
    shown: str  # the fingerprint of the row as downloaded ("" when the file has none)
    declared: dict[str, Any]  # as stored (JSON)
    typed_score: Decimal | None
    not_applicable: bool
    na_reason: str
    explanation: str
    score: Decimal | None  # what the leaf scores with these values

    @property
    def state(self) -> State:
        return state_of(
            self.row.node,
            self.declared,
            self.score,
            self.not_applicable,
            self.na_reason,
            self.explanation,
        )


def _changed_since(leaf: LeafScore | None, code: str) -> str:
    if leaf is None or leaf.updated_by is None:
        return _(
            "Tiêu chí %(code)s đã thay đổi sau khi bạn tải mẫu; hãy tải mẫu mới rồi nhập lại."
        ) % {"code": code}
    who = leaf.updated_by.get_full_name() or leaf.updated_by.get_username()
    return _(
        "Tiêu chí %(code)s đã được %(who)s sửa lúc %(when)s, sau khi bạn tải mẫu; hãy tải mẫu "
        "mới rồi nhập lại."
    ) % {
        "code": code,
        "who": who,
        "when": formats.date_format(timezone.localtime(leaf.updated_at), "H:i d/m/Y"),
    }


class SelfAssessmentImporter(Importer):
    """One unit's self-assessment of one year, saved through ``save_leaves``."""

    identifier = "self_assessment"

    def __init__(self, *, assessment: Assessment, roles: Roles, user):
        self.assessment, self.roles, self.user = assessment, roles, user

    def read(self, content: bytes) -> Plan:
        """The plan's payload is the ``RowEntry`` of each leaf to save, in sheet order."""
        if (reason := why_locked(self.assessment)) is not None:
            raise ImportFailed([Problem(message=reason)])
        workbook = open_workbook(content)
        check_marker(
            workbook,
            marker_of(self.assessment),
            _(
                "Tệp này là mẫu của một đơn vị hoặc một năm khác. Hãy tải mẫu tự đánh giá "
                "năm %(year)s của %(unit)s và điền vào đó."
            )
            % {"year": self.assessment.year.year, "unit": self.assessment.unit.name},
        )
        problems: list[Problem] = []
        sheet = find_sheet(workbook, SHEET, problems)
        table = read_table(sheet, SPECS, problems) if sheet is not None else None
        if table is None:
            raise ImportFailed(problems)
        rows = {row.node.code: row for row in entry_rows(self.assessment)}
        seen: dict[str, int] = {}
        entries: list[RowEntry] = []
        for number, values in table.rows:
            code = cell_text(table.value(values, "code"))
            where = table.where(number, "code")
            if not code:
                if any(not is_blank(table.value(values, key)) for key in INPUT_KEYS):
                    problems.append(Problem(**where, message=_("Thiếu mã tiêu chí.")))
                continue  # otherwise a note under the table, say who filled it: not read
            row = rows.get(code)
            if row is None:
                problems.append(
                    Problem(
                        **where,
                        message=_("Không có tiêu chí mã “%(code)s” trong bộ chỉ số năm %(year)s.")
                        % {"code": code, "year": self.assessment.year.year},
                    )
                )
                continue
            if not row.node.is_leaf:
                continue  # a field or criterion: a grey context row
            if not row.by_unit:
                problems.append(
                    Problem(**where, message=_("%s: tiêu chí do Sở Nội vụ chấm.") % code)
                )
                continue
            if code in seen:
                problems.append(
                    Problem(
                        **where,
                        message=_("Tiêu chí %(code)s đã có ở dòng %(row)s.")
                        % {"code": code, "row": seen[code]},
                    )
                )
                continue
            seen[code] = number
            entry = self._read_row(table, number, values, row, problems)
            if entry is not None:
                entries.append(entry)
        changes, to_save, kept = self._compare(table, entries, problems)
        if problems:
            raise ImportFailed(problems)
        summary = _(
            "Tự đánh giá năm %(year)s của %(unit)s: %(changed)s tiêu chí thay đổi, %(same)s "
            "tiêu chí giữ nguyên."
        ) % {
            "year": self.assessment.year.year,
            "unit": self.assessment.unit.name,
            "changed": len(to_save),
            "same": sum(1 for row in rows.values() if row.by_unit) - len(to_save),
        }
        if kept:
            summary += " " + _(
                "%(n)s tiêu chí đã được sửa trên phần mềm sau khi tải mẫu nhưng không sửa trong "
                "tệp: giữ bản trên phần mềm."
            ) % {"n": kept}
        return Plan(summary=summary, changes=changes, payload=to_save)

    def apply(self, plan: Plan) -> str:
        entries: Sequence[RowEntry] = plan.payload
        by_node = {entry.row.node.id: entry for entry in entries}
        try:
            changed = save_leaves(
                assessment=self.assessment,
                roles=self.roles,
                user=self.user,
                entries=[
                    LeafEntry(
                        node_id=entry.row.node.id,
                        version=entry.version,
                        declared=entry.declared,
                        typed_score=entry.typed_score,
                        not_applicable=entry.not_applicable,
                        na_reason=entry.na_reason,
                        explanation=entry.explanation,
                    )
                    for entry in entries
                ],
            )
        except ConflictError as exc:
            # Saved in the app between this file's preview and its application.
            raise ImportFailed(
                [
                    Problem(
                        sheet=str(SHEET),
                        row=by_node[c.node.id].number,
                        message=_changed_since(c.theirs, c.node.code),
                    )
                    for c in exc.conflicts
                ]
            ) from exc
        return _("Đã nhập %(n)s tiêu chí từ tệp Excel.") % {"n": changed}

    # --- helpers ---

    def _read_row(
        self, table: Table, number: int, values: tuple, row: EntryRow, problems: list[Problem]
    ) -> RowEntry | None:
        """The leaf's entry in this row, or None when the row leaves it as it is or is wrong
        (each thing wrong added to ``problems``)."""
        node = row.node
        rule = rules.get_rule(node.rule)
        cell = {key: table.value(values, key) for key in [*VALUE_KEYS, "score", "na"]}
        na_reason = cell_text(table.value(values, "na_reason"))
        explanation = cell_text(table.value(values, "explanation"))
        inputs = [cell[key] for key in VALUE_KEYS]
        if (
            all(is_blank(value) for value in inputs)
            and (rule.computed or is_blank(cell["score"]))
            and is_blank(cell["na"])
            and not na_reason
            and not explanation
        ):
            return None
        found = len(problems)

        def problem(key: str, message) -> None:
            problems.append(Problem(**table.where(number, key), message=str(message)))

        version = 0
        raw_version = table.value(values, "version")
        try:
            number_version = cell_decimal(raw_version)
        except ValueError:
            number_version = Decimal(-1)
        if number_version is not None:
            if number_version < 0 or number_version != number_version.to_integral_value():
                problem("version", _("Ô phiên bản đã bị sửa; hãy tải mẫu mới."))
            else:
                version = int(number_version)
        try:
            not_applicable = bool(cell_bool(cell["na"]))
        except ValueError:
            problem("na", YES_NO_EXPECTED % cell_text(cell["na"]))
            not_applicable = False
        for n, value in enumerate(inputs[len(rule.inputs) :], start=len(rule.inputs) + 1):
            if not is_blank(value):
                problem(
                    f"value{n}",
                    _("Tiêu chí này không có số liệu thứ %(n)s; hãy để trống ô này.") % {"n": n},
                )
        figures: dict[str, Any] = {}
        typed_score = None
        if not not_applicable:
            for n, (spec, value) in enumerate(zip(rule.inputs, inputs, strict=False), start=1):
                try:
                    figure = self._figure(spec, value)
                except ValueError as exc:
                    problem(f"value{n}", exc.args[0])
                    continue
                if figure is not None:
                    figures[spec.name] = figure
            if not rule.computed:
                try:
                    typed_score = cell_decimal(cell["score"])
                except ValueError:
                    problem("score", NUMBER_EXPECTED % cell_text(cell["score"]))
        if len(problems) > found:
            return None
        try:
            score = workflow.self_score(
                workflow.LeafRule.of(node),
                declared=figures,
                typed_score=typed_score,
                not_applicable=not_applicable,
                na_reason=na_reason,
            )
        except rules.DeclaredError as exc:
            slots = {spec.name: f"value{n}" for n, spec in enumerate(rule.inputs, start=1)}
            key = slots.get(exc.field) or {"not_applicable": "na"}.get(exc.field, exc.field)
            problem(key if key in table.columns else "code", exc.message)
            return None
        by_name = {spec.name: spec for spec in rule.inputs}
        return RowEntry(
            number=number,
            row=row,
            version=version,
            shown=cell_text(table.value(values, "fingerprint")),
            declared={name: _to_json(by_name[name], value) for name, value in figures.items()},
            typed_score=typed_score,
            not_applicable=not_applicable,
            na_reason=na_reason if not_applicable else "",
            explanation=explanation,
            score=score,
        )

    @staticmethod
    def _figure(spec: rules.InputSpec, value: Any) -> Any:
        """A figure read by its kind (None when blank), or ``ValueError(message)``."""
        if spec.kind in ("bool", "flag"):
            try:
                answer = cell_bool(value)
            except ValueError:
                raise ValueError(str(YES_NO_EXPECTED % cell_text(value))) from None
            # A flag is a tick: "Không" is the same as no tick.
            return (answer or None) if spec.kind == "flag" else answer
        if spec.kind == "date":
            try:
                return cell_date(value)
            except ValueError:
                raise ValueError(str(DATE_EXPECTED % cell_text(value))) from None
        if isinstance(value, str) and spec.kind == "decimal" and THOUSANDS_DOT.search(value):
            # "1.500" is one thousand five hundred to a Vietnamese reader: refused, not guessed.
            raise ValueError(
                _("Dùng dấu phẩy cho phần thập phân, không dùng dấu chấm phân cách hàng nghìn.")
            )
        try:
            number = cell_decimal(value)
        except ValueError:
            raise ValueError(str(NUMBER_EXPECTED % cell_text(value))) from None
        if number is None:
            return None
        # Then the web form's own field says whether it takes the number (a count: digits
        # only; a figure: not negative, at most 16 digits and 4 decimal places), so the file
        # and the form never accept different figures. It gets the number as read, not the
        # cell's text: "8,5" and "8.5" are one figure whatever the reader's language.
        if spec.kind == "int":
            if isinstance(value, str):
                given: Any = value.strip()  # "1.000" is refused as it is on the form
            else:
                given = str(int(number)) if number == number.to_integral_value() else str(number)
        else:
            given = number
        try:
            input_field(spec).clean(given)
        except ValidationError as exc:
            raise ValueError(" ".join(exc.messages)) from None
        return number

    def _compare(
        self, table: Table, entries: list[RowEntry], problems: list[Problem]
    ) -> tuple[list[Change], list[RowEntry], int]:
        """The preview's lines, the rows to save, and how many rows were left as they are
        because only the app changed them since the download."""
        stale: list[RowEntry] = []
        changed: list[RowEntry] = []
        for entry in entries:
            leaf = entry.row.leaf
            if entry.state == _stored_state(entry.row.node, leaf):
                continue
            if entry.version == (leaf.version if leaf else 0):
                changed.append(entry)
            else:
                stale.append(entry)
        kept = 0
        for entry in stale:
            if entry.shown and entry.shown == fingerprint(entry.state):
                kept += 1  # the file shows the leaf as downloaded: the app's version stays
                continue
            problems.append(
                Problem(
                    **table.where(entry.number, "code"),
                    message=_changed_since(entry.row.leaf, entry.row.node.code),
                )
            )
        changes = [change for entry in changed for change in self._changes(entry)]
        return changes, changed, kept

    def _changes(self, entry: RowEntry) -> list[Change]:
        node, leaf = entry.row.node, entry.row.leaf
        old, new = _stored_state(node, leaf), entry.state
        subject = f"{node.code}. {Truncator(node.title).chars(60)}"

        def label(name):
            return capfirst(LeafScore._meta.get_field(name).verbose_name)

        def yes_no(value):
            return _yes() if value else _no()

        def score(value):
            return formats.number_format(value, 2) if value is not None else ""

        lines = []
        if old.declared != new.declared:
            lines.append(
                Change(
                    subject,
                    label("declared"),
                    describe_declared(node, leaf.declared if leaf else {}),
                    describe_declared(node, entry.declared),
                )
            )
        if old.not_applicable != new.not_applicable:
            lines.append(
                Change(
                    subject,
                    label("not_applicable"),
                    yes_no(old.not_applicable),
                    yes_no(new.not_applicable),
                )
            )
        if old.na_reason != new.na_reason:
            lines.append(Change(subject, label("na_reason"), old.na_reason, new.na_reason))
        if old.explanation != new.explanation:
            lines.append(
                Change(
                    subject,
                    label("explanation"),
                    Truncator(old.explanation).chars(120),
                    Truncator(new.explanation).chars(120),
                )
            )
        # The resulting score, always: it is what the officer checks.
        lines.append(
            Change(
                subject,
                label("self_score"),
                _("Không áp dụng") if old.not_applicable else score(old.self_score),
                _("Không áp dụng") if new.not_applicable else score(new.self_score),
            )
        )
        return lines
