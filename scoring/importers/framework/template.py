"""The framework template: pre-filled with the year's current framework, so an admin edits
rather than retypes; a second sheet lists the scoring rules with their parameters and a working
example."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ... import rules
from ...exporters import ExportFile
from ...exporters.base import XLSX, put
from ...models import AssessmentYear, FrameworkNode
from .layout import (
    COLUMNS,
    RULES_SHEET,
    SHEET,
    filled_by_label,
    node_params_text,
    params_text,
    points,
    yes_no,
)

WIDTHS = {
    "code": 10,
    "title": 60,
    "max_points": 11,
    "rule": 16,
    "params": 45,
    "allows_na": 14,
    "filled_by": 20,
    "guide": 50,
    "shortfall": 45,
}

# What each rule's parameters mean, and an example for a leaf worth EXAMPLE_MAX points. The
# examples go through rules.validate_params when the template is built, so the sheet never
# shows one the import would refuse.
PARAMS_HELP = {
    "binary": gettext_lazy("Không có tham số: đạt được điểm tối đa, không đạt 0 điểm."),
    "timeliness": gettext_lazy(
        "on_time: điểm khi đúng hạn (mặc định bằng điểm tối đa); late: điểm khi trễ hạn "
        "(mặc định 0); late_days: số ngày trễ tối đa còn được điểm late (bỏ trống: trễ bao "
        "lâu cũng được điểm late). Không thực hiện: 0 điểm."
    ),
    "percent_tiers": gettext_lazy(
        "tiers: danh sách bậc, mỗi bậc có min (tỷ lệ phần trăm, 0–100), points (điểm của bậc) "
        "và inclusive (true, mặc định: từ min trở lên; false: trên min). Dưới mọi bậc: 0 điểm."
    ),
    "proportional": gettext_lazy(
        "Không có tham số: điểm = điểm tối đa × số đã thực hiện / tổng số, làm tròn 2 chữ số "
        "thập phân."
    ),
    "count_tiers": gettext_lazy(
        "tiers: danh sách bậc, mỗi bậc có min (số lượng), points và inclusive như cách chấm "
        "theo tỷ lệ. Dưới mọi bậc: 0 điểm."
    ),
    "deduction": gettext_lazy(
        "per_occurrence: số điểm trừ cho mỗi trường hợp, trừ từ điểm tối đa, không xuống dưới 0."
    ),
    "manual": gettext_lazy(
        "step (không bắt buộc): bước điểm; với 0.25 chỉ chấm được 0; 0,25; 0,5… Bỏ trống: "
        "mọi số điểm có tối đa 2 chữ số thập phân."
    ),
    "survey": gettext_lazy(
        "Không có tham số. Sở Nội vụ nhập điểm từ kết quả điều tra; cột “Người chấm” phải là "
        "Sở Nội vụ."
    ),
}
EXAMPLE_MAX = Decimal(2)
EXAMPLES: dict[str, dict[str, Any]] = {
    "binary": {},
    "timeliness": {"on_time": "2", "late": "1", "late_days": 15},
    "percent_tiers": {
        "tiers": [{"min": "90", "points": "2", "inclusive": False}, {"min": "70", "points": "1"}]
    },
    "proportional": {},
    "count_tiers": {"tiers": [{"min": "10", "points": "2"}, {"min": "5", "points": "1"}]},
    "deduction": {"per_occurrence": "0.5"},
    "manual": {"step": "0.25"},
    "survey": {},
}

_BLANK_ROWS = 300  # rows below the framework that keep the dropdowns and text format


def _dropdown(sheet, choices: Sequence[str], column: int, first: int, last: int) -> None:
    validation = DataValidation(
        type="list", formula1='"{}"'.format(",".join(choices)), allow_blank=True
    )
    validation.error = _("Chọn một giá trị trong danh sách.")
    validation.showErrorMessage = True
    letter = get_column_letter(column)
    validation.add(f"{letter}{first}:{letter}{last}")
    sheet.add_data_validation(validation)


def framework_template(year: AssessmentYear) -> ExportFile:
    """The template, pre-filled with the year's framework (small: a normal-mode workbook)."""
    framework = year.framework
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(SHEET)[:31]
    titles = [
        _("Bộ chỉ số năm %(year)s · %(level)s")
        % {"year": year.year, "level": year.unit_level.name},
        _("Hiện tại: %(name)s · tổng %(max)s điểm")
        % {"name": framework.name, "max": points(framework.max_points)},
        _(
            "Mỗi dòng là một lĩnh vực, tiêu chí hoặc tiêu chí thành phần. Điểm tối đa của tiêu "
            "chí cha bằng tổng các tiêu chí con; các lĩnh vực cộng lại bằng %(max)s. Chỉ tiêu "
            "chí thành phần có cách chấm và tham số (xem trang “Cách chấm”)."
        )
        % {"max": points(framework.max_points)},
    ]
    for number, title in enumerate(titles, start=1):
        put(sheet, number, 1, title).font = Font(bold=number == 1)
    header_row = len(titles) + 2
    for column, spec in enumerate(COLUMNS, start=1):
        cell = put(sheet, header_row, column, str(spec.label))
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = WIDTHS[spec.key]
    # Codes are text: typed into a number cell, 1.10 would become 1.1.
    sheet.column_dimensions["A"].number_format = "@"
    sheet.freeze_panes = f"B{header_row + 1}"
    row = header_row
    for row, node in enumerate(framework.nodes.order_by("sort_key"), start=header_row + 1):
        values = {
            "code": node.code,
            "title": node.title,
            "rule": node.rule,
            "params": node_params_text(node),
            "allows_na": yes_no(node.allows_na),
            "filled_by": filled_by_label(node.filled_by),
            "guide": node.guide,
            "shortfall": node.shortfall,
        }
        for column, spec in enumerate(COLUMNS, start=1):
            if spec.key == "max_points":
                put(sheet, row, column, node.max_points, number_format="0.00")
            else:
                cell = put(sheet, row, column, values[spec.key])
                if spec.key in ("title", "guide", "shortfall"):
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    first, last = header_row + 1, row + _BLANK_ROWS
    keys = [spec.key for spec in COLUMNS]
    _dropdown(sheet, list(rules.RULES), keys.index("rule") + 1, first, last)
    _dropdown(sheet, [_("Có"), _("Không")], keys.index("allows_na") + 1, first, last)
    filled_by = [filled_by_label(c) for c in FrameworkNode.FilledBy.values]
    if any("," in label for label in filled_by):  # a list item cannot hold a comma
        filled_by = list(FrameworkNode.FilledBy.values)
    _dropdown(sheet, filled_by, keys.index("filled_by") + 1, first, last)
    _rules_sheet(workbook.create_sheet(str(RULES_SHEET)[:31]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return ExportFile(f"bo-chi-so-{year.year}-{year.unit_level.code}.xlsx", XLSX, buffer.getvalue())


def _rules_sheet(sheet) -> None:
    header = [
        _("Mã cách chấm"),
        _("Tên"),
        _("Đơn vị kê khai"),
        _("Tham số"),
        _("Ví dụ tham số (tiêu chí %(max)s điểm)") % {"max": points(EXAMPLE_MAX)},
    ]
    for column, (title, width) in enumerate(zip(header, (16, 36, 36, 70, 60), strict=True), 1):
        cell = put(sheet, 1, column, title)
        cell.font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"
    for row, (code, rule) in enumerate(rules.RULES.items(), start=2):
        example = rules.validate_params(code, EXAMPLES.get(code, {}), EXAMPLE_MAX)
        values = [
            code,
            str(rule.label),
            "; ".join(str(spec.label) for spec in rule.inputs) or _("(người chấm nhập điểm)"),
            str(PARAMS_HELP.get(code, "")),
            params_text(example),
        ]
        for column, value in enumerate(values, start=1):
            put(sheet, row, column, value).alignment = Alignment(wrap_text=True, vertical="top")
