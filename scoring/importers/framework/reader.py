"""Reading a filled framework template: every row checked, then the tree's sums, with the same
checks ``services.frameworks.create_framework`` applies; the preview is the difference with the
year's current framework."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from functools import cache
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from units.models import UnitLevel
from units.roles import Roles

from ... import rules
from ...models import AssessmentYear, Framework, FrameworkNode, code_sort_key
from ...services.frameworks import (
    NodeSpec,
    create_framework,
    framework_change_refusal,
    node_problems,
    record_framework_change,
    replace_framework,
    tree_problems,
)
from ..base import (
    NUMBER_EXPECTED,
    YES_NO_EXPECTED,
    Change,
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
from .layout import (
    COLUMNS,
    SHEET,
    described,
    filled_by_label,
    node_params_text,
    params_text,
    points,
    rule_label,
    yes_no,
)

# A rule whose params a change to the rule or the max makes meaningless is not checked twice.
_DEPENDS = {"rule": {"params", "filled_by"}, "max_points": {"params"}}
# Text pasted from a word processor may bring typographic quotes into the JSON.
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "″": '"'})


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
            shortfall=cell_text(table.value(values, "shortfall")),
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
            unit, interior = (filled_by_label(c) for c in FrameworkNode.FilledBy.values)
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
            "total": points(total),
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
                changes.append(Change(code, _("Thêm"), "", described(spec)))
            elif code not in new:
                node = old[code]
                changes.append(Change(code, _("Bỏ"), described(node), ""))
            else:
                changes += self._differences(old[code], new[code])
        return changes

    @staticmethod
    def _differences(node: FrameworkNode, spec: NodeSpec) -> list[Change]:
        params = rules.validate_params(spec.rule, spec.params, spec.max_points) if spec.rule else {}
        pairs = [
            (pgettext("framework column", "Nội dung"), node.title, spec.title),
            (_("Điểm tối đa"), points(node.max_points), points(spec.max_points)),
            (_("Cách chấm"), rule_label(node.rule), rule_label(spec.rule)),
            (_("Tham số"), node_params_text(node), params_text(params)),
            (_("Cho phép không áp dụng"), yes_no(node.allows_na), yes_no(spec.allows_na)),
            (_("Người chấm"), filled_by_label(node.filled_by), filled_by_label(spec.filled_by)),
            (_("Hướng dẫn chấm"), node.guide, spec.guide),
            (_("Diễn đạt khi bị mất điểm"), node.shortfall, spec.shortfall),
        ]
        return [Change(node.code, what, a, b) for what, a, b in pairs if a != b]

    # --- apply

    def apply(self, plan: Plan) -> str:
        if self.year is None:
            framework = create_framework(
                roles=self.roles,
                name=self.name,
                unit_level=self.unit_level,
                nodes=plan.payload,
                max_points=self.max_points,
            )
            record_framework_change(new=framework)
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
