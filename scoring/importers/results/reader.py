"""Reading a historical year's results: the score matrix (per leaf or per field), the file's
own totals, index and rank (compared, never used), and the year's ranking settings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from units.collation import name_key
from units.models import Unit
from units.roles import Roles

from ... import calculations, rules
from ...models import AssessmentYear, FrameworkNode
from ...services.common import require_interior_admin
from ...services.history import (
    HistoricalResult,
    flattened_nodes,
    historical_import_blockers,
    import_historical_year,
    year_units,
)
from ..base import (
    NUMBER_EXPECTED,
    Importer,
    ImportFailed,
    Plan,
    Problem,
    Table,
    both_languages,
    cell_decimal,
    cell_text,
    find_sheet,
    is_blank,
    normalize,
    open_workbook,
    read_table,
)
from ..units import UnitIndex
from .layout import (
    CODE_LIKE,
    MATRIX_SHEET,
    MAX_ADJUSTMENT,
    NOT_APPLICABLE,
    NOT_APPLICABLE_WORDS,
    SPECS,
    Target,
    cell_at,
    leaf_inputs,
    step_of,
)
from .plan import FILE_FIGURES, ResultsPayload, results_plan
from .year_settings import SETTINGS_SHEET, read_settings


class ResultsImporter(Importer):
    """A historical year's results, one row per unit; applied, the year is published."""

    identifier = "results"

    def __init__(self, *, year: AssessmentYear, roles: Roles, user=None):
        self.year, self.roles, self.user = year, roles, user

    # --- read -----------------------------------------------------------------------------

    def read(self, content: bytes) -> Plan:
        require_interior_admin(self.roles)
        year = AssessmentYear.objects.select_related("framework", "unit_level").get(pk=self.year.pk)
        if blockers := historical_import_blockers(year):
            raise ImportFailed([Problem(message=m) for m in blockers])
        if tree := year.framework.tree_problems():
            raise ImportFailed([Problem(message=m) for m in tree])
        nodes = list(
            FrameworkNode.objects.filter(framework_id=year.framework_id).order_by("sort_key")
        )

        workbook = open_workbook(content)
        problems: list[Problem] = []
        sheet = self._sheet(workbook, problems)
        table = read_table(sheet, SPECS, problems) if sheet is not None else None
        if table is None:
            raise ImportFailed(problems)
        settings = read_settings(workbook, problems)
        layout = self._layout(year, table, table.headers, nodes, problems)
        if layout is None:
            raise ImportFailed(problems)
        flatten, columns, targets = layout
        results, figures = self._rows(year, table, columns, targets, flatten, problems)
        split = year_units(year, {result.unit.pk for result in results})
        if results and split.refusal:
            problems.append(Problem(message=split.refusal))
        if problems:
            raise ImportFailed(problems)
        return results_plan(
            year=year,
            leaf_count=sum(1 for node in nodes if node.is_leaf),
            flatten=flatten,
            targets=targets,
            results=results,
            figures=figures,
            split=split,
            settings=settings,
        )

    def _sheet(self, workbook, problems: list[Problem]):
        wanted = {name[:31] for name in both_languages(MATRIX_SHEET)}
        for sheet in workbook.worksheets:
            if normalize(sheet.title) in wanted:
                return sheet
        settings = {name[:31] for name in both_languages(SETTINGS_SHEET)}
        others = [s for s in workbook.worksheets if normalize(s.title) not in settings]
        if len(others) == 1:
            return others[0]  # people's own file, whatever its sheet is called
        return find_sheet(workbook, MATRIX_SHEET, problems)  # says which sheets there are

    def _layout(
        self,
        year: AssessmentYear,
        table: Table,
        codes: list[str],
        nodes: list[FrameworkNode],
        problems: list[Problem],
    ) -> tuple[bool, dict[str, int], list[Target]] | None:
        """Which shape the file has (per leaf, or per top-level node), its score columns, and
        the leaves they score. The shape is the one its columns name: a column of a leaf below
        a field makes it per leaf."""
        by_code = {node.code: node for node in nodes}
        tops = [node for node in nodes if node.parent_id is None]
        own = {
            i for i in (table.columns.get("unit_code"), table.columns.get("unit")) if i is not None
        }
        score_columns = [
            (index, code)
            for index, code in enumerate(codes)
            if index not in own and (code in by_code or CODE_LIKE.fullmatch(code))
        ]
        where = {"sheet": table.sheet, "row": table.header_row}
        per_leaf = any(
            code in by_code and by_code[code].is_leaf and by_code[code].parent_id is not None
            for _index, code in score_columns
        )
        per_field = not per_leaf and any(
            code in by_code and by_code[code].parent_id is None for _index, code in score_columns
        )
        if not (per_leaf or per_field):
            problems.append(
                Problem(
                    **where,
                    message=_(
                        "Không có cột điểm nào mang mã tiêu chí thành phần (như “%(leaf)s”) hay "
                        "mã lĩnh vực (như “%(field)s”) của bộ chỉ số năm %(year)s."
                    )
                    % {
                        "leaf": next((n.code for n in nodes if n.is_leaf), "1.1.1"),
                        "field": tops[0].code if tops else "1",
                        "year": year.year,
                    },
                )
            )
            return None
        if per_leaf:
            targets = [
                Target(n.code, n.max_points, step_of(n.rule, n.rule_params), n.allows_na)
                for n in nodes
                if n.is_leaf
            ]
            flatten = False
        else:
            targets = [
                Target(s.code, s.max_points, step_of(s.rule, s.params), s.allows_na)
                for s in flattened_nodes(nodes)
            ]
            flatten = not all(node.is_leaf for node in tops)
        wanted = {target.code for target in targets}
        columns: dict[str, int] = {}
        for index, code in score_columns:
            column = {"column": table.column_name(index), **where}
            if code in columns:
                problems.append(Problem(**column, message=_("cột “%s” bị lặp lại") % code))
            elif code in wanted:
                columns[code] = index
            elif code not in by_code:
                problems.append(
                    Problem(
                        **column,
                        message=_("“%(code)s” không phải mã của bộ chỉ số năm %(year)s")
                        % {"code": code, "year": year.year},
                    )
                )
            elif per_leaf:
                problems.append(
                    Problem(
                        **column,
                        message=_(
                            "“%s” không phải tiêu chí thành phần: tệp ghi điểm từng tiêu chí "
                            "thành phần thì không có cột điểm lĩnh vực hay tiêu chí (cột tổng "
                            "lĩnh vực ghi là “Cộng …”)"
                        )
                        % code,
                    )
                )
            else:
                problems.append(
                    Problem(
                        **column,
                        message=_(
                            "“%s” không phải mã lĩnh vực: tệp ghi điểm theo lĩnh vực thì chỉ có "
                            "cột điểm của các lĩnh vực"
                        )
                        % code,
                    )
                )
        missing = [target.code for target in targets if target.code not in columns]
        if missing:
            message = (
                _("thiếu cột điểm của tiêu chí thành phần %s (mỗi tiêu chí cần một cột)")
                if per_leaf
                else _("thiếu cột điểm của lĩnh vực %s (mỗi lĩnh vực cần một cột)")
            )
            problems.append(Problem(**where, message=message % ", ".join(missing)))
        return flatten, columns, targets

    def _rows(
        self,
        year: AssessmentYear,
        table: Table,
        columns: dict[str, int],
        targets: list[Target],
        flatten: bool,
        problems: list[Problem],
    ) -> tuple[list[HistoricalResult], dict[int, dict[str, Decimal]]]:
        index = UnitIndex(list(Unit.objects.filter(level_id=year.unit_level_id)))
        level = year.unit_level.name
        results: list[HistoricalResult] = []
        figures: dict[int, dict[str, Decimal]] = {}
        seen: dict[int, int] = {}
        if not table.rows:
            problems.append(
                Problem(
                    sheet=table.sheet,
                    row=table.header_row,
                    message=_("Tệp không có dòng đơn vị nào."),
                )
            )
        for number, values in table.rows:
            unit = self._unit(table, number, values, index, level, problems)
            if unit is None:
                continue
            if unit.pk in seen:
                problems.append(
                    Problem(
                        **table.where(number, "unit"),
                        message=_("%(unit)s đã có ở dòng %(row)s")
                        % {"unit": unit.name, "row": seen[unit.pk]},
                    )
                )
                continue
            seen[unit.pk] = number
            scores: dict[str, Decimal] = {}
            not_applicable: set[str] = set()
            readable = True
            for target in targets:
                if target.code not in columns:
                    continue
                where = table.where(number, columns[target.code])
                value = cell_at(values, columns[target.code])
                try:
                    score = self._score(value, target)
                except rules.DeclaredError as exc:
                    problems.append(Problem(**where, message=str(exc.message)))
                    readable = False
                    continue
                if score is None:
                    not_applicable.add(target.code)
                else:
                    scores[target.code] = score
            if readable:  # else a cell meant as "KAD" may be among the unreadable ones
                self._check_applicable_max(
                    table, number, values, targets, not_applicable, flatten, problems
                )
            adjustments = {}
            for key in ("bonus", "deductions"):
                if key not in table.columns:
                    continue
                try:
                    adjustments[key] = self._adjustment(table.value(values, key))
                except rules.DeclaredError as exc:
                    problems.append(Problem(**table.where(number, key), message=str(exc.message)))
            figures[unit.pk] = {}
            for key, _what, _close in FILE_FIGURES:
                try:
                    written = cell_decimal(table.value(values, key))
                except ValueError:
                    written = None  # never used; only compared
                if written is not None:
                    figures[unit.pk][key] = written
            results.append(
                HistoricalResult(
                    unit=unit,
                    scores=scores,
                    not_applicable=frozenset(not_applicable),
                    **adjustments,
                )
            )
        return results, figures

    def _unit(self, table, number, values, index: UnitIndex, level: str, problems) -> Unit | None:
        code = cell_text(table.value(values, "unit_code"))
        name = cell_text(table.value(values, "unit"))
        unit = index.code(code)
        if unit is not None and name and not index.matches(unit, name):
            problems.append(
                Problem(
                    **table.where(number, "unit_code"),
                    message=_("mã “%(code)s” là của %(unit)s, không phải “%(name)s”")
                    % {"code": code, "unit": unit.name, "name": name},
                )
            )
            return None
        if unit is None and name:
            # Codes differ between installations; the name still finds the unit.
            candidates = index.by_name(name)
            if len(candidates) > 1:
                problems.append(
                    Problem(
                        **table.where(number, "unit"),
                        message=_("“%(name)s” có thể là nhiều đơn vị (%(units)s); hãy ghi đủ tên")
                        % {
                            "name": name,
                            "units": ", ".join(sorted((u.name for u in candidates), key=name_key)),
                        },
                    )
                )
                return None
            unit = candidates[0] if candidates else None
        if unit is None:
            if not name and not code:
                message = _("thiếu tên đơn vị")
            elif code:
                message = _("không có đơn vị mã “%(code)s” hay tên “%(name)s” trong %(level)s") % {
                    "code": code,
                    "name": name,
                    "level": level,
                }
            else:
                message = _("không có đơn vị “%(name)s” trong %(level)s") % {
                    "name": name,
                    "level": level,
                }
            problems.append(Problem(**table.where(number, "unit"), message=message))
        return unit

    @staticmethod
    def _check_applicable_max(
        table: Table,
        number: int,
        values: tuple,
        targets: list[Target],
        not_applicable: set[str],
        flatten: bool,
        problems: list[Problem],
    ) -> None:
        """The file's applicable maximum of a unit, where it has one, must be the app's: the
        index is points over it, so a difference would change the unit's index and maybe its
        rank without a word. Results per field lose the leaves that did not apply to a unit
        (a field is applicable as a whole), and this is where that shows."""
        if "file_max" not in table.columns:
            return
        raw = table.value(values, "file_max")
        where = table.where(number, "file_max")
        try:
            written = cell_decimal(raw)
        except ValueError:
            problems.append(Problem(**where, message=str(NUMBER_EXPECTED % cell_text(raw))))
            return
        if written is None:
            return
        computed = calculations.unit_total(leaf_inputs(targets, {}, not_applicable)).applicable_max
        if abs(written - computed) < Decimal("0.005"):
            return
        message = _("điểm tối đa áp dụng trong tệp là %(file)s, phần mềm tính được %(app)s") % {
            "file": floatformat(written, "-2"),
            "app": floatformat(computed, "-2"),
        }
        if flatten and written < computed:
            message += "; " + _(
                "kết quả theo lĩnh vực không ghi được tiêu chí không áp dụng; hãy nhập theo từng "
                "tiêu chí thành phần"
            )
        problems.append(Problem(**where, message=message))

    @staticmethod
    def _score(value: Any, target: Target) -> Decimal | None:
        """The score of a cell, ``None`` for not applicable, or ``DeclaredError``."""
        if is_blank(value):
            raise rules.DeclaredError("score", _("thiếu điểm (kết quả của năm phải đầy đủ)"))
        if isinstance(value, str) and (
            normalize(value) in NOT_APPLICABLE_WORDS
            or normalize(value) in both_languages(NOT_APPLICABLE)
        ):
            if not target.allows_na:
                raise rules.DeclaredError(
                    "not_applicable",
                    _("tiêu chí %s không được đánh dấu không áp dụng") % target.code,
                )
            return None
        try:
            number = cell_decimal(value)
        except ValueError:
            raise rules.DeclaredError("score", NUMBER_EXPECTED % cell_text(value)) from None
        return rules.check_score(number, target.max_points, target.step)

    @staticmethod
    def _adjustment(value: Any) -> Decimal:
        if is_blank(value):
            return Decimal(0)
        try:
            number = cell_decimal(value)
        except ValueError:
            raise rules.DeclaredError("points", NUMBER_EXPECTED % cell_text(value)) from None
        if number < 0:
            raise rules.DeclaredError(
                "points", _("ghi số dương (điểm trừ cũng ghi số dương, không có dấu trừ)")
            )
        return rules.check_score(number, MAX_ADJUSTMENT)

    # --- apply ----------------------------------------------------------------------------

    def apply(self, plan: Plan) -> str:
        payload: ResultsPayload = plan.payload
        year = import_historical_year(
            roles=self.roles,
            year=AssessmentYear.objects.get(pk=payload.year_id),
            results=payload.results,
            flatten=payload.flatten,
            year_settings=payload.settings,
            user=self.user,
        )
        return _(
            "Đã nhập kết quả năm %(year)s của %(n)s đơn vị và công bố kỳ đánh giá; tổng điểm và "
            "hạng do phần mềm tính."
        ) % {"year": year.year, "n": len(payload.results)}
