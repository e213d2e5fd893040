"""One contract for every Excel report: an identifier, a label, a file name, and ``write``
putting the workbook into a binary file object; ``render`` returns the same file in memory
(small reports, tests). Workbooks are written in openpyxl's write-only mode, rows going to
disk as they come, so a report costs bounded memory however long it is (views serve it
through a temporary file: ``scoring.views.exports.serve``).

List-shaped reports give title rows, a header and rows, and ``ListExporter`` writes them;
others fill their sheets through ``SheetWriter``, which gives every report the same look and
the same rule: text stays text (a value typed as "=…" never becomes a formula)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, BinaryIO, ClassVar

from django.utils import formats
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROVINCE = "Hà Tĩnh"
BOLD = Font(bold=True)
DECIMALS = (Decimal, float)  # shown with 2 places


# What Excel reads as the start of a formula when the cell is typed into.
FORMULA_STARTS = ("=", "+", "-", "@")


def set_value(cell, value: Any) -> None:
    """The one way a value goes into a cell: text stays text (a name or reason typed as
    "=…", "+…", "-…" or "@…" is never a formula), without the control characters Excel refuses
    (pasted from Word, they would make the whole file unreadable).

    Such text also gets Excel's quote prefix (the hidden ' of a cell typed as '=…): stored as
    text alone, it would turn into a formula the moment someone edits the cell in Excel."""
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"
        if cell.value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    else:
        cell.value = value


def put(sheet, row: int, column: int, value: Any, *, fill=None, number_format=None):
    """A cell of a normal-mode sheet (the small, styled templates), written by ``set_value``."""
    cell = sheet.cell(row=row, column=column)
    set_value(cell, value)
    if fill is not None:
        cell.fill = fill
    if number_format is not None:
        cell.number_format = number_format
    return cell


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Column:
    title: str
    width: int = 12


class Exporter:
    """The contract. ``scope`` says what a report is of, for the command line: a "year" (of
    one unit level), a "unit" (a unit's assessment of a year) or a "level" (all its years);
    the constructor takes it as ``year=``, ``assessment=`` (with ``roles=``) or ``level=``."""

    identifier: ClassVar[str] = ""
    label: ClassVar[Any] = ""  # lazy: translated when shown
    scope: ClassVar[str] = "year"
    content_type: ClassVar[str] = XLSX

    def filename(self) -> str:  # pragma: no cover - the contract
        raise NotImplementedError

    def write(self, fileobj: BinaryIO) -> None:  # pragma: no cover - the contract
        raise NotImplementedError

    def render(self) -> ExportFile:
        buffer = io.BytesIO()
        self.write(buffer)
        return ExportFile(self.filename(), self.content_type, buffer.getvalue())


class WorkbookExporter(Exporter):
    """A write-only workbook whose sheets ``fill`` adds; nothing is read before ``write``."""

    def write(self, fileobj: BinaryIO) -> None:
        workbook = Workbook(write_only=True)
        self.fill(workbook)
        workbook.save(fileobj)

    def fill(self, workbook: Workbook) -> None:  # pragma: no cover - the contract
        raise NotImplementedError


class SheetWriter:
    """A write-only sheet with the reports' look: bold title rows, a bold wrapped header that
    stays when scrolling (with the first ``frozen_columns`` columns), decimals shown with 2
    places, landscape fit to width. Column widths and panes must be set before the first row,
    hence all in the constructor."""

    def __init__(
        self,
        workbook: Workbook,
        title: str,
        columns: Sequence[Column],
        *,
        titles: Sequence[str] = (),
        frozen_columns: int = 0,
    ):
        self.sheet = sheet = workbook.create_sheet(_sheet_title(title))
        self.columns = list(columns)
        for number, column in enumerate(self.columns, start=1):
            sheet.column_dimensions[get_column_letter(number)].width = column.width
        sheet.freeze_panes = f"{get_column_letter(frozen_columns + 1)}{len(titles) + 2}"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        for text in titles:
            self.append([text], bold=True)
        self.append([column.title for column in self.columns], bold=True, wrap=True)

    def append(
        self, values: Iterable[Any], *, bold: bool = False, wrap: bool = False, indent: int = 0
    ) -> None:
        self.sheet.append([self.cell(v, bold=bold, wrap=wrap, indent=indent) for v in values])

    def append_cells(self, cells: Sequence[WriteOnlyCell | None]) -> None:
        """A row of cells made with ``cell``, each styled on its own."""
        self.sheet.append(list(cells))

    def cell(
        self, value: Any, *, bold: bool = False, wrap: bool = False, indent: int = 0
    ) -> WriteOnlyCell | None:
        if value is None or value == "":
            return None
        cell = WriteOnlyCell(self.sheet)
        set_value(cell, value)
        if isinstance(value, DECIMALS):
            cell.number_format = "0.00"
        if bold:
            cell.font = BOLD
        if wrap or indent:
            cell.alignment = Alignment(wrap_text=wrap, vertical="top", indent=indent)
        return cell


def _sheet_title(title: str) -> str:
    # Excel's limits: 31 characters, none of []:*?/\
    return "".join("-" if c in "[]:*?/\\" else c for c in title)[:31]


class ListExporter(WorkbookExporter):
    """A sheet of title rows, a frozen header row and one row per item."""

    sheet_title = "Sheet"

    def title_rows(self) -> Sequence[str]:
        return ()

    def columns(self) -> Sequence[Column]:
        raise NotImplementedError

    def rows(self) -> Iterable[Sequence[Any]]:
        raise NotImplementedError

    def fill(self, workbook: Workbook) -> None:
        columns = list(self.columns())
        sheet = SheetWriter(workbook, self.sheet_title, columns, titles=list(self.title_rows()))
        for row in self.rows():
            if len(row) != len(columns):
                raise ValueError(f"a row of {len(row)} values for {len(columns)} columns")
            sheet.append(row)


def year_title_rows(year, subject: str = "", province: str = PROVINCE) -> list[str]:
    """The two title rows of a year's report: what, which year, level and province; then
    whether it is published (and when) or provisional."""
    title = _("Chỉ số cải cách hành chính năm %(year)s · %(level)s · tỉnh %(province)s") % {
        "year": year.year,
        "level": year.unit_level.name,
        "province": province,
    }
    if not year.is_published:
        status = _("Tạm tính, chưa công bố")
    elif year.published_at is None:  # published before the app, its results imported
        status = _("Kết quả đã công bố trước khi dùng phần mềm, nhập lại từ tệp.")
    else:
        status = _("Công bố ngày %(date)s") % {
            "date": formats.date_format(year.published_at, "d/m/Y")
        }
    return [f"{subject} · {title}" if subject else title, status]
