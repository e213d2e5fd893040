"""A framework from the Excel template: one row per field, criterion or sub-criterion.

The template comes pre-filled with the year's current framework, so an admin edits rather than
retypes; a second sheet lists the scoring rules with their parameters and a working example.
The importer checks every row and then the tree's sums with the same checks
``services.frameworks.create_framework`` applies, and previews the difference with the year's
current framework before anything is written.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import cache
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext, pgettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from units.models import UnitLevel
from units.roles import Roles

from .. import rules
from ..exporters import ExportFile
from ..exporters.base import XLSX, put
from ..models import AssessmentYear, Framework, FrameworkNode, code_sort_key
from ..services.frameworks import (
    NodeSpec,
    create_framework,
    framework_change_refusal,
    node_problems,
    replace_framework,
    tree_problems,
)
from .base import (
    NUMBER_EXPECTED,
    YES_NO_EXPECTED,
    Change,
    ColumnSpec,
    Importer,
    ImportFailed,
    Plan,
    Problem,
    Table,
    both_languages,
    cell_bool,
    cell_decimal,
    cell_text,
    find_sheet,
    is_blank,
    normalize,
    open_workbook,
    read_table,
)

SHEET = gettext_lazy("Bộ chỉ số")
# Contexts: "Nội dung" elsewhere names a changed value, and the sheet is the rules (plural).
RULES_SHEET = pgettext_lazy("framework template sheet", "Cách chấm")

# Keys are NodeSpec's attribute names, so a problem about an attribute finds its column.
COLUMNS = [
    ColumnSpec("code", gettext_lazy("Mã")),
    ColumnSpec("title", pgettext_lazy("framework column", "Nội dung")),
    ColumnSpec("max_points", gettext_lazy("Điểm tối đa")),
    ColumnSpec("rule", gettext_lazy("Cách chấm")),
    ColumnSpec("params", gettext_lazy("Tham số"), required=False),
    ColumnSpec("allows_na", gettext_lazy("Cho phép không áp dụng"), required=False),
    ColumnSpec("filled_by", gettext_lazy("Người chấm"), required=False),
    ColumnSpec("guide", gettext_lazy("Hướng dẫn chấm"), required=False),
]
WIDTHS = {
    "code": 10,
    "title": 60,
    "max_points": 11,
    "rule": 16,
    "params": 45,
    "allows_na": 14,
    "filled_by": 20,
    "guide": 50,
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

# A rule whose params a change to the rule or the max makes meaningless is not checked twice.
_DEPENDS = {"rule": {"params", "filled_by"}, "max_points": {"params"}}
# Text pasted from a word processor may bring typographic quotes into the JSON.
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "″": '"'})
_BLANK_ROWS = 300  # rows below the framework that keep the dropdowns and text format


def node_params_text(node: FrameworkNode) -> str:
    """A stored node's parameters in the rule's own order (on_time, late, late_days…), not
    the order the database keeps them in (PostgreSQL's jsonb sorts keys its own way)."""
    if not node.rule:
        return ""
    return params_text(rules.validate_params(node.rule, node.rule_params, node.max_points))


def params_text(params: Mapping[str, Any]) -> str:
    """Rule parameters as the template shows them: JSON, unset (None) values left out."""
    shown = {key: value for key, value in params.items() if value is not None}
    return json.dumps(shown, ensure_ascii=False) if shown else ""


def _points(value: Decimal) -> str:
    return formats.number_format(Decimal(f"{value.normalize():f}"))


def _described(node: NodeSpec | FrameworkNode) -> str:
    return _("%(title)s (%(max)s điểm)") % {"title": node.title, "max": _points(node.max_points)}


def _yes_no(value: bool) -> str:
    return _("Có") if value else _("Không")


def _rule_label(code: str) -> str:
    return f"{code} ({rules.RULES[code].label})" if code in rules.RULES else code


def _filled_by_label(code: str) -> str:
    return str(dict(FrameworkNode.FilledBy.choices).get(code, code))


def columns_help() -> list[tuple[str, str]]:
    """What goes in each column, for the import page."""
    unit, interior = (_filled_by_label(c) for c in FrameworkNode.FilledBy.values)
    texts = {
        "code": _(
            "Mã của lĩnh vực (1), tiêu chí (1.2) hoặc tiêu chí thành phần (1.2.3): chữ số hoặc "
            "chữ cái, các cấp cách nhau bằng dấu chấm. Tiêu chí cha là mã bỏ đi phần sau dấu "
            "chấm cuối cùng, và phải có trong tệp."
        ),
        "title": _("Tên của lĩnh vực, tiêu chí hoặc tiêu chí thành phần."),
        "max_points": _(
            "Một số, tối đa 2 chữ số thập phân. Điểm tối đa của tiêu chí cha bằng tổng điểm "
            "các tiêu chí con; các lĩnh vực cộng lại bằng tổng điểm của bộ chỉ số (thường là 100)."
        ),
        "rule": _(
            "Để trống với lĩnh vực và tiêu chí có tiêu chí con. Tiêu chí thành phần có một mã "
            "cách chấm: %(codes)s (xem trang “Cách chấm” của mẫu)."
        )
        % {"codes": ", ".join(rules.RULES)},
        "params": _(
            "Tham số của cách chấm, viết dạng JSON như ví dụ ở trang “Cách chấm” của mẫu; để "
            "trống nếu cách chấm không có tham số."
        ),
        "allows_na": _("“Có” nếu đơn vị được khai tiêu chí là không áp dụng; để trống là “Không”."),
        "filled_by": _(
            "“%(unit)s” hoặc “%(interior)s”; để trống là đơn vị tự đánh giá (tiêu chí điều tra "
            "xã hội học: Sở Nội vụ)."
        )
        % {"unit": unit, "interior": interior},
        "guide": _("Không bắt buộc: hướng dẫn chấm hiện cho đơn vị khi tự đánh giá."),
    }
    return [(str(spec.label), texts[spec.key]) for spec in COLUMNS]


# --- the template ------------------------------------------------------------------------------


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
        % {"name": framework.name, "max": _points(framework.max_points)},
        _(
            "Mỗi dòng là một lĩnh vực, tiêu chí hoặc tiêu chí thành phần. Điểm tối đa của tiêu "
            "chí cha bằng tổng các tiêu chí con; các lĩnh vực cộng lại bằng %(max)s. Chỉ tiêu "
            "chí thành phần có cách chấm và tham số (xem trang “Cách chấm”)."
        )
        % {"max": _points(framework.max_points)},
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
            "allows_na": _yes_no(node.allows_na),
            "filled_by": _filled_by_label(node.filled_by),
            "guide": node.guide,
        }
        for column, spec in enumerate(COLUMNS, start=1):
            if spec.key == "max_points":
                put(sheet, row, column, node.max_points, number_format="0.00")
            else:
                cell = put(sheet, row, column, values[spec.key])
                if spec.key in ("title", "guide"):
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    first, last = header_row + 1, row + _BLANK_ROWS
    keys = [spec.key for spec in COLUMNS]
    _dropdown(sheet, list(rules.RULES), keys.index("rule") + 1, first, last)
    _dropdown(sheet, [_("Có"), _("Không")], keys.index("allows_na") + 1, first, last)
    filled_by = [_filled_by_label(c) for c in FrameworkNode.FilledBy.values]
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
        _("Ví dụ tham số (tiêu chí %(max)s điểm)") % {"max": _points(EXAMPLE_MAX)},
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


# --- the import --------------------------------------------------------------------------------


def _choices(pairs) -> dict[str, str]:
    """Accepted spellings (a code, or a label in either language) → code."""
    found = {}
    for code, label in pairs:
        found[normalize(code)] = code
        for name in both_languages(label):
            found[name] = code
    return found


# Built on first use: the catalogs are not loaded yet when this module is imported.
@cache
def _rule_names() -> dict[str, str]:
    return _choices((code, rule.label) for code, rule in rules.RULES.items())


@cache
def _filled_by_names() -> dict[str, str]:
    return _choices(FrameworkNode.FilledBy.choices)


class FrameworkImporter(Importer):
    """A year's new framework (``year``), or a framework of its own for a unit level
    (``unit_level`` and ``name``: a first framework before any year exists)."""

    identifier = "framework"

    def __init__(
        self,
        *,
        roles: Roles,
        year: AssessmentYear | None = None,
        unit_level: UnitLevel | None = None,
        name: str = "",
    ):
        if (year is None) == (unit_level is None or not name):
            raise ValueError("either a year, or a unit level and a name")
        self.roles, self.year, self.name = roles, year, name
        self.unit_level = year.unit_level if year is not None else unit_level
        self.current = year.framework if year is not None else None
        total = self.current.max_points if self.current else Decimal(100)
        self.max_points = Decimal(f"{total.normalize():f}")  # 100, not 100.00, in messages

    # --- read

    def read(self, content: bytes) -> Plan:
        self._check_target()
        workbook = open_workbook(content)
        try:
            problems: list[Problem] = []
            sheet = find_sheet(workbook, SHEET, problems)
            table = read_table(sheet, COLUMNS, problems) if sheet is not None else None
            specs = self._specs(table, problems) if table is not None else []
        finally:
            workbook.close()
        if problems:
            raise ImportFailed(problems)
        return Plan(summary=self._summary(specs), changes=self._changes(specs), payload=specs)

    def _check_target(self) -> None:
        if self.year is not None:
            if refusal := framework_change_refusal(self.year):
                raise ImportFailed([Problem(message=refusal)])
        elif Framework.objects.filter(unit_level=self.unit_level, name=self.name).exists():
            raise ImportFailed(
                [
                    Problem(
                        message=_("Cấp %(level)s đã có bộ chỉ số tên “%(name)s”.")
                        % {"level": self.unit_level.name, "name": self.name}
                    )
                ]
            )

    def _specs(self, table: Table, problems: list[Problem]) -> list[NodeSpec]:
        """Every row as a NodeSpec, its problems added to ``problems``; then the tree's, when
        every code and max could be read (else the sums would only repeat those problems)."""
        specs: list[NodeSpec] = []
        rows: dict[str, int] = {}  # code → row number
        tree_readable = True
        for number, values in table.rows:
            spec, bad = self._row(table, number, values, problems)
            if spec is not None and spec.code in rows:
                problems.append(
                    Problem(
                        **table.where(number, "code"),
                        message=_("Mã %(code)s trùng với dòng %(row)s.")
                        % {"code": spec.code, "row": rows[spec.code]},
                    )
                )
                bad.add("code")
            elif spec is not None:
                tainted = bad.union(*(_DEPENDS.get(name, ()) for name in bad))
                for problem in node_problems(spec):
                    if problem.field not in tainted:
                        problems.append(self._at(table, number, problem.field, problem.message))
                        bad.add(problem.field)
                specs.append(spec)
                rows[spec.code] = number
            if bad & {"code", "max_points"}:
                tree_readable = False
        if not table.rows:
            problems.append(
                Problem(sheet=table.sheet, message=_("Không có dòng nào dưới dòng tiêu đề."))
            )
        if tree_readable:
            for problem in tree_problems(specs, max_points=self.max_points):
                problems.append(
                    self._at(table, rows.get(problem.code), problem.field, problem.message)
                )
        return specs

    @staticmethod
    def _at(table: Table, row: int | None, key: str, message: str) -> Problem:
        column = table.column_name(table.columns[key]) if key in table.columns else ""
        return Problem(sheet=table.sheet, row=row, column=column, message=message)

    def _row(
        self, table: Table, number: int, values: tuple, problems: list[Problem]
    ) -> tuple[NodeSpec | None, set[str]]:
        """One row read cell by cell; the names of the cells that could not be read."""
        bad: set[str] = set()

        def fail(key: str, message: str) -> None:
            problems.append(Problem(**table.where(number, key), message=message))
            bad.add(key)

        code = cell_text(table.value(values, "code"))
        if not code:
            fail("code", _("Thiếu mã."))
        max_points = Decimal(0)
        raw = table.value(values, "max_points")
        try:
            max_points = cell_decimal(raw)
        except ValueError:
            fail("max_points", NUMBER_EXPECTED % cell_text(raw))
        else:
            if max_points is None:
                fail("max_points", _("Thiếu điểm tối đa."))
        rule = self._rule(table.value(values, "rule"), fail)
        params = self._params(table.value(values, "params"), fail)
        raw = table.value(values, "allows_na")
        allows_na = False
        try:
            allows_na = bool(cell_bool(raw))
        except ValueError:
            fail("allows_na", YES_NO_EXPECTED % cell_text(raw))
        filled_by = self._filled_by(table.value(values, "filled_by"), rule, fail)
        if not code:
            return None, bad
        spec = NodeSpec(
            code=code,
            title=cell_text(table.value(values, "title")),
            max_points=max_points if max_points is not None else Decimal(0),
            rule=rule,
            params=params,
            allows_na=allows_na,
            filled_by=filled_by,
            guide=cell_text(table.value(values, "guide")),
        )
        return spec, bad

    def _rule(self, value, fail) -> str:
        if is_blank(value):
            return ""
        rule = _rule_names().get(normalize(cell_text(value)))
        if rule is None:
            fail(
                "rule",
                _("Không có cách chấm “%(value)s”; chọn một trong: %(codes)s.")
                % {"value": cell_text(value), "codes": ", ".join(rules.RULES)},
            )
            # Still a leaf to the tree check, which would otherwise ask for a rule as well.
            return cell_text(value)
        return rule

    @staticmethod
    def _params(value, fail) -> dict[str, Any]:
        if is_blank(value):
            return {}
        text = cell_text(value).translate(_QUOTES)
        try:
            # A number with a decimal point is kept as its text, which the rules read exactly
            # (they refuse floats: 0.1 would not stay 0.1).
            params = json.loads(text, parse_float=str)
        except json.JSONDecodeError as exc:
            fail(
                "params",
                _("Tham số không phải JSON hợp lệ (lỗi ở ký tự thứ %(position)s).")
                % {"position": exc.pos + 1},
            )
            return {}
        if not isinstance(params, dict):
            fail("params", _('Tham số phải là một đối tượng JSON, dạng {"tên": giá trị}.'))
            return {}
        return params

    def _filled_by(self, value, rule: str, fail) -> str:
        if is_blank(value):
            return (
                FrameworkNode.FilledBy.INTERIOR if rule == "survey" else FrameworkNode.FilledBy.UNIT
            )
        found = _filled_by_names().get(normalize(cell_text(value)))
        if found is None:
            unit, interior = (_filled_by_label(c) for c in FrameworkNode.FilledBy.values)
            fail(
                "filled_by",
                _("Không có người chấm “%(value)s”; chọn “%(unit)s” hoặc “%(interior)s”.")
                % {"value": cell_text(value), "unit": unit, "interior": interior},
            )
            return FrameworkNode.FilledBy.UNIT
        return found

    # --- the preview

    def _summary(self, specs: Sequence[NodeSpec]) -> str:
        fields = sum(1 for s in specs if s.parent_code is None)
        leaves = sum(1 for s in specs if s.rule)
        criteria = sum(1 for s in specs if s.parent_code is not None and not s.rule)
        total = sum((s.max_points for s in specs if s.parent_code is None), Decimal(0))
        return _("%(fields)s, %(criteria)s, %(leaves)s; tổng %(total)s điểm.") % {
            "fields": ngettext("%(n)s lĩnh vực", "%(n)s lĩnh vực", fields) % {"n": fields},
            "criteria": ngettext("%(n)s tiêu chí", "%(n)s tiêu chí", criteria) % {"n": criteria},
            "leaves": ngettext("%(n)s tiêu chí thành phần", "%(n)s tiêu chí thành phần", leaves)
            % {"n": leaves},
            "total": _points(total),
        }

    def _changes(self, specs: Sequence[NodeSpec]) -> list[Change]:
        old = {}
        if self.current is not None:
            old = {node.code: node for node in self.current.nodes.all()}
        new = {spec.code: spec for spec in specs}
        changes = []
        for code in sorted(old.keys() | new.keys(), key=code_sort_key):
            if code not in old:
                spec = new[code]
                changes.append(Change(code, _("Thêm"), "", _described(spec)))
            elif code not in new:
                node = old[code]
                changes.append(Change(code, _("Bỏ"), _described(node), ""))
            else:
                changes += self._differences(old[code], new[code])
        return changes

    @staticmethod
    def _differences(node: FrameworkNode, spec: NodeSpec) -> list[Change]:
        params = rules.validate_params(spec.rule, spec.params, spec.max_points) if spec.rule else {}
        pairs = [
            (pgettext("framework column", "Nội dung"), node.title, spec.title),
            (_("Điểm tối đa"), _points(node.max_points), _points(spec.max_points)),
            (_("Cách chấm"), _rule_label(node.rule), _rule_label(spec.rule)),
            (_("Tham số"), node_params_text(node), params_text(params)),
            (_("Cho phép không áp dụng"), _yes_no(node.allows_na), _yes_no(spec.allows_na)),
            (_("Người chấm"), _filled_by_label(node.filled_by), _filled_by_label(spec.filled_by)),
            (_("Hướng dẫn chấm"), node.guide, spec.guide),
        ]
        return [Change(node.code, what, a, b) for what, a, b in pairs if a != b]

    # --- apply

    def apply(self, plan: Plan) -> str:
        if self.year is None:
            create_framework(
                roles=self.roles,
                name=self.name,
                unit_level=self.unit_level,
                nodes=plan.payload,
                max_points=self.max_points,
            )
            return _("Đã tạo bộ chỉ số “%(name)s”: %(summary)s") % {
                "name": self.name,
                "summary": plan.summary,
            }
        if not plan.changes:
            return _("Bộ chỉ số của năm %(year)s không thay đổi.") % {"year": self.year.year}
        replace_framework(roles=self.roles, year=self.year, nodes=plan.payload)
        return _("Đã thay bộ chỉ số của năm %(year)s: %(summary)s") % {
            "year": self.year.year,
            "summary": plan.summary,
        }
