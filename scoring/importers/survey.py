"""The sociological survey's scores of every unit of a year, in Excel.

One row per assessed unit, found by its code, else by its name (with or without its "Huyện" or
"Thị xã" prefix, case, spacing and accents aside; a name two units share finds neither); one
column per survey leaf headed by the leaf's code. A blank cell leaves the stored score as it is:
a file with one column, or a few units, changes only what it holds. Clearing a score is done on
the survey page. Other columns with a text header (notes, a total) are ignored; a header that
looks like a criterion code but is not a survey leaf is refused.

The template keeps, in a hidden column, each row's scores and their versions as downloaded: a
cell left as downloaded is not written, and a cell changed in the file that someone changed in
the app since the download is refused, as on the survey page (the same ``save_survey``).
"""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal
from typing import Any, NamedTuple

from django.template.defaultfilters import floatformat
from django.utils import formats
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from units.collation import name_key
from units.roles import Roles

from .. import rules
from ..exporters.base import XLSX, ExportFile, put
from ..models import AssessmentYear, FrameworkNode
from ..selectors import SurveyGrid, survey_grid
from ..services import ConflictError, appraisable_fields, save_survey
from ..services.interior import SurveyScore
from .base import (
    NUMBER_EXPECTED,
    Change,
    ColumnSpec,
    Importer,
    ImportFailed,
    Plan,
    Problem,
    cell_decimal,
    cell_text,
    find_sheet,
    is_blank,
    normalize,
    open_workbook,
    read_table,
)
from .markers import check_marker, write_marker
from .units import UnitIndex

SHEET = gettext_lazy("Điều tra XHH")
CODE, NAME = gettext_lazy("Mã đơn vị"), gettext_lazy("Đơn vị")
# The unit's name is the column people keep when they build the sheet themselves.
DOWNLOADED = gettext_lazy("Giá trị khi tải")
SPECS = [
    ColumnSpec("code", CODE, required=False),
    ColumnSpec("name", NAME),
    # Hidden: the row's scores as downloaded, so a cell the user left alone never undoes a
    # score someone changed in the app meanwhile.
    ColumnSpec("downloaded", DOWNLOADED, required=False),
]
LOOKS_LIKE_A_CODE = re.compile(r"\d+(\.\d+)*")
GREY = PatternFill("solid", fgColor="E7E6E6")
CLOSED = gettext_lazy("Điểm điều tra xã hội học nhập trong thời gian thẩm định.")

COLUMNS_HELP = [
    (CODE, gettext_lazy("Mã đơn vị trong phần mềm; để trống thì dòng được tìm theo tên.")),
    (
        NAME,
        gettext_lazy(
            "Tên đơn vị như trong phần mềm; có thể bỏ “Huyện”, “Thị xã”, “Thành phố”, không "
            "phân biệt hoa thường, có dấu hay không dấu."
        ),
    ),
    (
        gettext_lazy("Mã tiêu chí (10.1, …)"),
        gettext_lazy(
            "Một cột cho mỗi tiêu chí điều tra, tiêu đề là mã tiêu chí: điểm từ 0 đến điểm tối "
            "đa, tối đa 2 chữ số thập phân. Ô để trống: giữ nguyên điểm đã có."
        ),
    ),
]


class Located(NamedTuple):
    """A cell of the file: its sheet, row and column, its unit's name and its leaf's code."""

    where: dict[str, Any]
    unit: str
    code: str


def marker_of(year: AssessmentYear) -> str:
    return f"survey:{year.pk}"


def survey_template(year: AssessmentYear) -> ExportFile:
    """Every assessed unit of the year with its current survey scores: 3 queries."""
    grid = survey_grid(year)
    leaves, assessments = grid.leaves, grid.assessments
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(SHEET)[:31]
    write_marker(workbook, marker_of(year))
    titles = [
        _("Điểm điều tra xã hội học năm %(year)s · %(level)s")
        % {"year": year.year, "level": year.unit_level.name},
        _(
            "Mỗi dòng một đơn vị, mỗi cột một tiêu chí điều tra (tiêu đề cột là mã tiêu chí). Ô "
            "để trống: giữ nguyên điểm đã có."
        ),
    ]
    for number, title in enumerate(titles, start=1):
        put(sheet, number, 1, title).font = Font(bold=number == 1, size=13 if number == 1 else 11)
    # The leaves' titles and maxima, above their columns; the header row holds the codes.
    about, header = len(titles) + 2, len(titles) + 3
    sheet.row_dimensions[about].height = 60
    for column, label in ((1, CODE), (2, NAME)):
        put(sheet, header, column, str(label), fill=GREY).font = Font(bold=True)
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 28
    for offset, leaf in enumerate(leaves):
        column = 3 + offset
        put(
            sheet,
            about,
            column,
            _("%(title)s (tối đa %(max)s)")
            % {"title": leaf.title, "max": floatformat(leaf.max_points, "-2")},
        ).alignment = Alignment(wrap_text=True, vertical="bottom")
        put(sheet, header, column, leaf.code, fill=GREY).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(column)].width = 18
        check = DataValidation(
            type="decimal",
            operator="between",
            formula1="0",
            formula2=str(leaf.max_points),
            allow_blank=True,
            showErrorMessage=True,
        )
        check.error = _("Điểm từ 0 đến %(max)s.") % {"max": floatformat(leaf.max_points, "-2")}
        sheet.add_data_validation(check)
        if assessments:
            letter = get_column_letter(column)
            check.add(f"{letter}{header + 1}:{letter}{header + len(assessments)}")
    hidden = 3 + len(leaves)
    put(sheet, header, hidden, str(DOWNLOADED))
    sheet.column_dimensions[get_column_letter(hidden)].hidden = True
    for number, assessment in enumerate(assessments, start=header + 1):
        put(sheet, number, 1, assessment.unit.code, fill=GREY)
        put(sheet, number, 2, assessment.unit.name, fill=GREY)
        row_cells = {leaf.code: grid.cell(assessment.id, leaf.id) for leaf in leaves}
        for offset, leaf in enumerate(leaves):
            put(sheet, number, 3 + offset, row_cells[leaf.code].score, number_format="0.00")
        put(sheet, number, hidden, _downloaded_text(row_cells))
    sheet.freeze_panes = sheet.cell(row=header + 1, column=3)
    buffer = io.BytesIO()
    workbook.save(buffer)
    filename = f"dieu-tra-xhh-{year.year}-{year.unit_level.code}.xlsx"
    return ExportFile(filename, XLSX, buffer.getvalue())


def _downloaded_text(cells) -> str:
    """{leaf code: [score, version]}: what the row held when downloaded."""
    return json.dumps(
        {
            code: [None if cell.score is None else str(cell.score), cell.version]
            for code, cell in cells.items()
        }
    )


def _downloaded(text: Any) -> dict[str, tuple[Decimal | None, int | None]] | None:
    """The row's scores and versions as downloaded; ``None`` when the file has none (a sheet
    made by hand), ``ValueError`` when the cell was edited. A template of an earlier release
    kept the scores only: their version is ``None``."""
    if is_blank(text):
        return None
    raw = json.loads(str(text))
    if not isinstance(raw, dict):
        raise ValueError(text)
    result = {}
    for code, value in raw.items():
        version = None
        if isinstance(value, list):
            if len(value) != 2 or isinstance(value[1], bool) or not isinstance(value[1], int):
                raise ValueError(text)
            value, version = value
        result[str(code)] = (None if value is None else Decimal(str(value)), version)
    return result


def _changed_since(code: str, unit: str, now: Decimal | None) -> str:
    return _(
        "Điểm %(code)s của %(unit)s đã được sửa trên phần mềm sau khi bạn tải mẫu (nay là "
        "%(now)s); hãy tải mẫu mới rồi nhập lại."
    ) % {
        "code": code,
        "unit": unit,
        "now": formats.number_format(now, 2) if now is not None else "—",
    }


class SurveyImporter(Importer):
    """The survey grid of a year, saved through ``save_survey``."""

    identifier = "survey"

    def __init__(self, *, year: AssessmentYear, roles: Roles, user):
        self.year, self.roles, self.user = year, roles, user

    def read(self, content: bytes) -> Plan:
        if not self.year.in_appraisal:
            raise ImportFailed([Problem(message=str(CLOSED))])
        workbook = open_workbook(content)
        problems: list[Problem] = []
        check_marker(
            workbook,
            marker_of(self.year),
            _(
                "Tệp này là mẫu của một năm khác. Hãy tải mẫu điều tra xã hội học năm %(year)s "
                "và điền vào đó."
            )
            % {"year": self.year.year},
        )
        sheet = find_sheet(workbook, SHEET, problems)
        table = read_table(sheet, SPECS, problems) if sheet is not None else None
        if table is None:
            raise ImportFailed(problems)
        grid: SurveyGrid = survey_grid(self.year)
        leaves = {leaf.code: leaf for leaf in grid.leaves}
        columns = self._leaf_columns(table, leaves, problems)
        of_unit = {a.unit_id: a for a in grid.assessments}
        units = UnitIndex([a.unit for a in grid.assessments])
        seen: dict[int, int] = {}
        # Each cell to write, and how to name it if it is refused at apply.
        scores: list[tuple[SurveyScore, Located]] = []
        changes: list[Change] = []
        changed_columns: set[int] = set()
        kept = 0
        for number, values in table.rows:
            code = cell_text(table.value(values, "code"))
            name = cell_text(table.value(values, "name"))
            if all(is_blank(values[i]) for i in columns if i < len(values)) and not (code or name):
                continue
            where = table.where(number, "code" if code else "name")
            unit = units.code(code)
            if unit is None and name:
                candidates = units.by_name(name)
                if len(candidates) > 1:
                    problems.append(
                        Problem(
                            **table.where(number, "name"),
                            message=_(
                                "“%(name)s” có thể là nhiều đơn vị (%(units)s); hãy ghi đủ tên"
                            )
                            % {
                                "name": name,
                                "units": ", ".join(
                                    sorted((u.name for u in candidates), key=name_key)
                                ),
                            },
                        )
                    )
                    continue
                unit = candidates[0] if candidates else None
            assessment = of_unit.get(unit.pk) if unit is not None else None
            if assessment is None:
                problems.append(
                    Problem(
                        **where,
                        message=_("Không có đơn vị “%(unit)s” trong năm %(year)s.")
                        % {"unit": code or name, "year": self.year.year}
                        if code or name
                        else _("Thiếu mã hoặc tên đơn vị."),
                    )
                )
                continue
            if assessment.id in seen:
                problems.append(
                    Problem(
                        **where,
                        message=_("Đơn vị %(unit)s đã có ở dòng %(row)s.")
                        % {"unit": assessment.unit.name, "row": seen[assessment.id]},
                    )
                )
                continue
            seen[assessment.id] = number
            try:
                downloaded = _downloaded(table.value(values, "downloaded"))
            except (ValueError, ArithmeticError):
                problems.append(
                    Problem(
                        **table.where(number, "downloaded"),
                        message=_("Ô này đã bị sửa; hãy tải mẫu mới."),
                    )
                )
                continue
            for index, leaf in columns.items():
                value = values[index] if index < len(values) else None
                if is_blank(value):
                    continue  # blank leaves the stored score as it is
                try:
                    number_value = cell_decimal(value)
                    score = rules.check_score(number_value, leaf.max_points)
                except ValueError as exc:
                    message = (
                        exc.message
                        if isinstance(exc, rules.DeclaredError)
                        else NUMBER_EXPECTED % cell_text(value)
                    )
                    problems.append(Problem(**table.where(number, index), message=str(message)))
                    continue
                stored = grid.cell(assessment.id, leaf.id)
                old, version = stored.score, stored.version
                if old == score:
                    continue
                if downloaded is not None and leaf.code in downloaded:
                    was, shown = downloaded[leaf.code]
                    if score == was:  # left alone in the file, changed in the app: kept
                        kept += 1
                        continue
                    # Changed in both: the user must see the app's value. A template of an
                    # earlier release says the score only: compared by value.
                    if (old != was) if shown is None else (version != shown):
                        problems.append(
                            Problem(
                                **table.where(number, index),
                                message=_changed_since(leaf.code, assessment.unit.name, old),
                            )
                        )
                        continue
                scores.append(
                    (
                        SurveyScore(assessment.id, leaf.id, version=version, score=score),
                        Located(table.where(number, index), assessment.unit.name, leaf.code),
                    )
                )
                changed_columns.add(index)
                changes.append(
                    Change(
                        assessment.unit.name,
                        f"{leaf.code}. {Truncator(leaf.title).chars(50)}",
                        formats.number_format(old, 2) if old is not None else "",
                        formats.number_format(score, 2),
                    )
                )
        self._check_assignments(table, columns, changed_columns, problems)
        if problems:
            raise ImportFailed(problems)
        summary = _(
            "Điểm điều tra xã hội học năm %(year)s: %(cells)s ô thay đổi, trên %(units)s đơn vị "
            "trong tệp."
        ) % {"year": self.year.year, "cells": len(scores), "units": len(seen)}
        if kept:
            summary += " " + _(
                "%(n)s ô đã được sửa trên phần mềm sau khi tải mẫu nhưng không sửa trong tệp: giữ "
                "bản trên phần mềm."
            ) % {"n": kept}
        return Plan(summary=summary, changes=changes, payload=scores)

    def apply(self, plan: Plan) -> str:
        where = {(cell.assessment_id, cell.node_id): at for cell, at in plan.payload}
        try:
            changed = save_survey(
                year=self.year,
                roles=self.roles,
                user=self.user,
                scores=[cell for cell, _at in plan.payload],
            )
        except ConflictError as exc:
            # Saved in the app between the file's reading and its writing: nothing written.
            problems = []
            for conflict in exc.conflicts:
                at, theirs = where[conflict.key], conflict.theirs
                now = theirs.r1_score if theirs is not None else None
                problems.append(Problem(**at.where, message=_changed_since(at.code, at.unit, now)))
            raise ImportFailed(problems) from exc
        return _("Đã nhập %(n)s điểm điều tra xã hội học từ tệp Excel.") % {"n": changed}

    def _leaf_columns(self, table, leaves: dict[str, FrameworkNode], problems) -> dict[int, Any]:
        """Column index → survey leaf, from the header row's codes."""
        named = set(table.columns.values())
        columns: dict[int, FrameworkNode] = {}
        for index, header in enumerate(table.headers):
            text = normalize(header)
            if index in named or not text:
                continue
            where = {
                "sheet": table.sheet,
                "row": table.header_row,
                "column": table.column_name(index),
            }
            leaf = leaves.get(text)
            if leaf is None:
                if LOOKS_LIKE_A_CODE.fullmatch(text):
                    problems.append(
                        Problem(
                            **where,
                            message=_(
                                "“%(code)s” không phải tiêu chí điều tra xã hội học của năm "
                                "(các mã: %(codes)s)."
                            )
                            % {"code": header, "codes": ", ".join(leaves) or "—"},
                        )
                    )
                continue  # a note or a total of the sender's own: not read
            if leaf in columns.values():
                problems.append(
                    Problem(**where, message=_("Cột của tiêu chí %s lặp lại.") % leaf.code)
                )
                continue
            columns[index] = leaf
        if not columns and not problems:
            problems.append(
                Problem(
                    sheet=table.sheet,
                    row=table.header_row,
                    message=_("Không có cột nào mang mã tiêu chí điều tra xã hội học (%s).")
                    % (", ".join(leaves) or "—"),
                )
            )
        return columns

    def _check_assignments(self, table, columns, changed_columns, problems) -> None:
        """An appraiser changes only the fields assigned to them (``save_survey`` checks it
        too); said here per column, before anything is written."""
        allowed = appraisable_fields(year=self.year, roles=self.roles, user=self.user)
        if allowed is None or not changed_columns:
            return
        field_ids = dict(
            FrameworkNode.objects.filter(
                framework_id=self.year.framework_id, parent=None
            ).values_list("code", "id")
        )
        for index in sorted(changed_columns):
            leaf = columns[index]
            if field_ids.get(leaf.field_code) not in allowed:
                problems.append(
                    Problem(
                        sheet=table.sheet,
                        row=table.header_row,
                        column=table.column_name(index),
                        message=_("Bạn không được phân công thẩm định lĩnh vực %s.")
                        % leaf.field_code,
                    )
                )
