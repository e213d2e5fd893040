"""The template an officer downloads: the unit's leaves of a year, pre-filled."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ... import rules, workflow
from ...exporters.base import XLSX, ExportFile, put
from ...models import Assessment
from ...selectors.entry import EntryRow, entry_rows
from ..markers import write_marker
from .layout import (
    COLUMNS,
    CONTEXT,
    GREY,
    INDEX,
    SHEET,
    SLOTS,
    fingerprint,
    marker_of,
    no_label,
    number_text,
    stored_state,
    yes_label,
)


def _stored_figure(spec: rules.InputSpec, value: Any) -> Any:
    """A stored declared figure as the template's cell shows it."""
    if value is None or value == "":
        return None
    try:
        if spec.kind == "bool":
            return yes_label() if value else no_label()
        if spec.kind == "flag":
            return yes_label() if value else None
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
            % {"max": number_text(node.max_points), "step": number_text(leaf.step)}
        ]
    else:
        parts = [_("Từ 0 đến %(max)s") % {"max": number_text(node.max_points)}]
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
        type="list",
        formula1=f'"{yes_label()},{no_label()}"',
        allow_blank=True,
        showErrorMessage=True,
    )
    yes_no.error = _("Chọn “%(yes)s” hoặc “%(no)s”.") % {"yes": yes_label(), "no": no_label()}
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
        yes_no.add(_put(sheet, number, "na", yes_label() if not_applicable else None))
        _put(sheet, number, "na_reason", leaf.na_reason if not_applicable else None)
    else:
        _put(sheet, number, "na", None, fill=GREY)
        _put(sheet, number, "na_reason", None, fill=GREY)
    _put(sheet, number, "explanation", leaf.explanation if leaf and leaf.explanation else None)
    _put(sheet, number, "hint", _hint(row), fill=GREY)
    _put(sheet, number, "version", leaf.version if leaf else 0, fill=GREY)
    _put(sheet, number, "fingerprint", fingerprint(stored_state(node, leaf)), fill=GREY)
