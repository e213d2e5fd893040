"""One contract for every Excel report: an identifier, a label, and ``render`` returning a
file. List-shaped reports give title rows, a header and rows; the base class writes the
workbook in openpyxl's write-only mode (bounded memory however long the list)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@")


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Column:
    title: str
    width: int = 12
    number: bool = False  # shown with 2 decimals


class Exporter:
    identifier: str = ""
    label: str = ""

    def render(self) -> ExportFile:  # pragma: no cover - the contract
        raise NotImplementedError


class ListExporter(Exporter):
    """A sheet of title rows, a frozen header row and one row per item."""

    sheet_title = "Sheet"

    def filename(self) -> str:
        raise NotImplementedError

    def title_rows(self) -> Sequence[str]:
        return ()

    def columns(self) -> Sequence[Column]:
        raise NotImplementedError

    def rows(self) -> Iterable[Sequence[Any]]:
        raise NotImplementedError

    def render(self) -> ExportFile:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(self.sheet_title[:31])
        columns = list(self.columns())
        for number, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(number)].width = column.width
        titles = list(self.title_rows())
        sheet.freeze_panes = f"A{len(titles) + 2}"  # the header stays when scrolling
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        for title in titles:
            cell = self._cell(sheet, title)
            cell.font = Font(bold=True)
            sheet.append([cell])
        header = []
        for column in columns:
            cell = self._cell(sheet, column.title)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            header.append(cell)
        sheet.append(header)
        for row in self.rows():
            sheet.append(
                [
                    self._cell(sheet, value, column)
                    for value, column in zip(row, columns, strict=True)
                ]
            )
        buffer = io.BytesIO()
        workbook.save(buffer)
        return ExportFile(self.filename(), XLSX, buffer.getvalue())

    @staticmethod
    def _cell(sheet, value, column: Column | None = None) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            # Text stays text: a name or reason typed as "=…" is never a formula.
            cell.data_type = "s"
        elif column is not None and column.number:
            cell.number_format = "0.00"
        return cell
