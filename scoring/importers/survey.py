"""The sociological survey's scores of every unit of a year, in Excel.

One row per assessed unit, found by its code, else by its name (with or without its "Huyện" or
"Thị xã" prefix, case, spacing and accents aside; a name two units share finds neither); one
column per survey leaf headed by the leaf's code. A blank cell leaves the stored score as it is:
a file with one column, or a few units, changes only what it holds. Clearing a score is done on
the survey page. Other columns with a text header (notes, a total) are ignored; a header that
looks like a criterion code but is not a survey leaf is refused.
"""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal
from typing import Any

from django.template.defaultfilters import floatformat
from django.utils import formats
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from units.roles import Roles

from .. import rules
from ..exporters.base import XLSX, ExportFile, put
from ..models import Assessment, AssessmentYear, FrameworkNode, LeafScore
from ..services import appraisable_fields, save_survey
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


def marker_of(year: AssessmentYear) -> str:
    return f"survey:{year.pk}"


def survey_leaves(year: AssessmentYear) -> list[FrameworkNode]:
    return list(
        FrameworkNode.objects.filter(framework_id=year.framework_id, rule="survey").order_by(
            "sort_key"
        )
    )


def _assessments(year: AssessmentYear) -> list[Assessment]:
    return list(Assessment.objects.filter(year=year).select_related("unit").order_by("unit__name"))


def _stored(year: AssessmentYear) -> dict[tuple[int, int], Decimal | None]:
    return {
        (assessment_id, node_id): score
        for assessment_id, node_id, score in LeafScore.objects.filter(
            assessment__year=year, node__rule="survey"
        ).values_list("assessment_id", "node_id", "r1_score")
    }


def survey_template(year: AssessmentYear) -> ExportFile:
    """Every assessed unit of the year with its current survey scores: 3 queries."""
    leaves = survey_leaves(year)
    assessments = _assessments(year)
    stored = _stored(year)
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
        row_scores = {leaf.code: stored.get((assessment.id, leaf.id)) for leaf in leaves}
        for offset, leaf in enumerate(leaves):
            put(sheet, number, 3 + offset, row_scores[leaf.code], number_format="0.00")
        put(sheet, number, hidden, _downloaded_text(row_scores))
    sheet.freeze_panes = sheet.cell(row=header + 1, column=3)
    buffer = io.BytesIO()
    workbook.save(buffer)
    filename = f"dieu-tra-xhh-{year.year}-{year.unit_level.code}.xlsx"
    return ExportFile(filename, XLSX, buffer.getvalue())


def _downloaded_text(scores: dict[str, Decimal | None]) -> str:
    return json.dumps({code: None if v is None else str(v) for code, v in scores.items()})


def _downloaded(text: Any) -> dict[str, Decimal | None] | None:
    """The row's scores as downloaded; ``None`` when the file has none (a sheet made by hand),
    ``ValueError`` when the cell was edited."""
    if is_blank(text):
        return None
    raw = json.loads(str(text))
    if not isinstance(raw, dict):
        raise ValueError(text)
    return {str(code): None if v is None else Decimal(str(v)) for code, v in raw.items()}


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
        leaves = {leaf.code: leaf for leaf in survey_leaves(self.year)}
        columns = self._leaf_columns(table, leaves, problems)
        assessments = _assessments(self.year)
        of_unit = {a.unit_id: a for a in assessments}
        units = UnitIndex([a.unit for a in assessments])
        stored = _stored(self.year)
        seen: dict[int, int] = {}
        scores: dict[tuple[int, int], Decimal] = {}
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
                                "units": ", ".join(sorted(u.name for u in candidates)),
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
                old = stored.get((assessment.id, leaf.id))
                if old == score:
                    continue
                if downloaded is not None and leaf.code in downloaded:
                    was = downloaded[leaf.code]
                    if score == was:  # left alone in the file, changed in the app: kept
                        kept += 1
                        continue
                    if old != was:  # changed in both: the user must see the app's value
                        problems.append(
                            Problem(
                                **table.where(number, index),
                                message=_(
                                    "Điểm %(code)s của %(unit)s đã được sửa trên phần mềm sau "
                                    "khi bạn tải mẫu (nay là %(now)s); hãy tải mẫu mới rồi "
                                    "nhập lại."
                                )
                                % {
                                    "code": leaf.code,
                                    "unit": assessment.unit.name,
                                    "now": formats.number_format(old, 2)
                                    if old is not None
                                    else "—",
                                },
                            )
                        )
                        continue
                scores[(assessment.id, leaf.id)] = score
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
        changed = save_survey(year=self.year, roles=self.roles, user=self.user, scores=plan.payload)
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
