"""One contract for every Excel import, and the reading helpers they share.

An importer reads a workbook into a ``Plan`` (what would change) without writing anything; a
bad workbook raises ``ImportFailed`` with every problem found, each with its sheet, row and
column. ``apply`` then writes the plan through the services, all or nothing. The web pages
show the plan as a preview between the two; the management commands go straight through.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.etree.ElementTree import ParseError

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS

logger = logging.getLogger(__name__)

# Old Excel (97-2003) files are OLE compound documents; openpyxl reads only .xlsx.
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a workbook, where a person can find it."""

    sheet: str = ""
    row: int | None = None
    column: str = ""  # "C (Điểm tối đa)"
    message: str = ""

    def __str__(self) -> str:
        where = [
            part
            for part in (
                self.sheet,
                _("dòng %s") % self.row if self.row else "",
                _("cột %s") % self.column if self.column else "",
            )
            if part
        ]
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ImportFailed(Exception):
    """The workbook cannot be imported; nothing was written."""

    def __init__(self, problems: Sequence[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class Change:
    """One line of the preview: what changes, from what, to what."""

    subject: str  # a unit, a criterion code
    what: str  # which value
    old: str
    new: str


@dataclass
class Plan:
    """What an import would do. ``payload`` is the importer's own data for ``apply``."""

    summary: str
    changes: list[Change] = field(default_factory=list)
    payload: Any = None


class Importer:
    """The contract: ``read`` (no writes) then ``apply`` (all or nothing)."""

    identifier: str = ""

    def read(self, content: bytes) -> Plan:  # pragma: no cover - the contract
        raise NotImplementedError

    def apply(self, plan: Plan) -> str:  # pragma: no cover - the contract
        """Write the plan; return a sentence saying what was done."""
        raise NotImplementedError


# --- opening a workbook -------------------------------------------------------------------


def open_workbook(content: bytes):
    """The workbook in ``content`` (values, not formulas), or ``ImportFailed`` saying in the
    user's language why it is not one."""
    if content.startswith(OLE_SIGNATURE):
        raise ImportFailed(
            [
                Problem(
                    message=_(
                        "Đây là tệp Excel 97-2003 (.xls). Hãy mở tệp bằng Excel và lưu lại "
                        "dưới dạng Excel Workbook (.xlsx) rồi tải lên lại."
                    )
                )
            ]
        )
    try:
        _check_unpacked_size(content)
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportFailed(
            [Problem(message=_("Tệp không phải là tệp Excel (.xlsx) hoặc đã bị hỏng."))]
        ) from exc


# A workbook is a zip: a few kilobytes can unpack to gigabytes. openpyxl reads the shared
# strings whole when it opens a file, so they get a tighter bound than the sheets (which are
# read row by row, within MAX_ROWS × MAX_COLUMNS).
MAX_UNPACKED_BYTES = 300 * 2**20
MAX_SHARED_STRINGS_BYTES = 10 * 2**20


def _check_unpacked_size(content: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        members = archive.infolist()
    unpacked = sum(member.file_size for member in members)
    strings = sum(m.file_size for m in members if m.filename.endswith("sharedStrings.xml"))
    if unpacked > MAX_UNPACKED_BYTES or strings > MAX_SHARED_STRINGS_BYTES:
        raise ImportFailed(
            [Problem(message=_("Tệp quá lớn khi giải nén; đây không phải một mẫu của phần mềm."))]
        )


def normalize(text: Any) -> str:
    """Header text as compared: case, spacing and line breaks do not matter."""
    return re.sub(r"\s+", " ", str(text or "")).strip().casefold()


def both_languages(label) -> set[str]:
    """A header as Vietnamese and as English, normalized: a workbook exported by a user who
    reads English imports as well as one in Vietnamese."""
    names = {normalize(str(label))}
    for language in ("vi", "en"):
        with translation.override(language):
            # A lazy msgid (with its context, if any) translates itself; a plain one is looked up.
            names.add(normalize(_(label) if isinstance(label, str) else str(label)))
    return names


def find_sheet(workbook, label, problems: list[Problem]):
    """The sheet titled ``label`` in either language; a problem if there is none."""
    wanted = {name[:31] for name in both_languages(label)}
    for sheet in workbook.worksheets:
        if normalize(sheet.title) in wanted:
            return sheet
    problems.append(
        Problem(
            sheet=str(label),
            message=_("Thiếu trang tính “%(sheet)s” (tệp có: %(have)s).")
            % {"sheet": label, "have": ", ".join(s.title for s in workbook.worksheets)},
        )
    )
    return None


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    label: Any  # a lazy Vietnamese msgid; matched in both languages
    required: bool = True


@dataclass
class Table:
    """A sheet's rows under a header row found by its labels."""

    sheet: str
    header_row: int
    columns: dict[str, int]  # key → 0-based index, for the ColumnSpecs found
    headers: list[str]  # every header cell as written
    rows: list[tuple[int, tuple]]  # (row number, values), blank rows left out

    def column_name(self, index: int) -> str:
        header = self.headers[index] if index < len(self.headers) else ""
        letter = get_column_letter(index + 1)
        return f"{letter} ({header})" if header else letter

    def where(self, row: int, key_or_index: str | int) -> dict[str, Any]:
        """Keyword arguments of a ``Problem`` at a row and a column."""
        index = self.columns[key_or_index] if isinstance(key_or_index, str) else key_or_index
        return {"sheet": self.sheet, "row": row, "column": self.column_name(index)}

    def value(self, values: tuple, key: str) -> Any:
        index = self.columns.get(key)
        if index is None or index >= len(values):
            return None
        return values[index]


# A results matrix of a few thousand units is well inside these; a sheet that claims more is
# refused before it is read (a few kilobytes can declare a million rows and 16,384 columns).
MAX_ROWS = 20_000
MAX_COLUMNS = 1_000
# Formula cells listed one by one up to this many; a generated file may hold thousands.
MAX_FORMULA_PROBLEMS = 50

UNCOMPUTED_FORMULA = gettext_lazy(
    "ô có công thức nhưng chưa có giá trị tính sẵn; hãy mở tệp bằng Excel, lưu lại rồi tải lên"
)
_FORMULA_TAG = f"{{{SHEET_MAIN_NS}}}f"
_VALUE_TAG = f"{{{SHEET_MAIN_NS}}}v"


class _Uncomputed:
    """A formula cell with no stored result: a file written by a program, never opened and
    saved in Excel. Reading it as blank would clear a score, so it is told apart."""

    def __repr__(self) -> str:
        return "UNCOMPUTED"


UNCOMPUTED = _Uncomputed()


class _Parser(WorkSheetParser):
    def parse_cell(self, element):
        cell = super().parse_cell(element)
        # No result, or an empty one (openpyxl writes <v/>): uncomputed; but a formula whose
        # result is an empty text (type "str") is blank, as Excel shows it.
        if (
            cell["value"] is None
            and element.find(_FORMULA_TAG) is not None
            and element.get("t") != "str"
            and not element.findtext(_VALUE_TAG)
        ):
            cell["value"] = UNCOMPUTED
        return cell


def sheet_cells(sheet) -> Iterator[tuple[int, list[tuple[int, Any]]]]:
    """Each row the sheet holds, as (its row number, [(1-based column, value)]), in one pass.

    Row numbers are the sheet's own, however long a gap of missing rows before them, and no
    row is cut at the size the sheet declares (a program may declare it wrong). A formula cell
    without a stored result holds ``UNCOMPUTED``."""
    if not isinstance(sheet, ReadOnlyWorksheet):  # a workbook built in memory
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [(i, v) for i, v in enumerate(values, start=1) if v is not None]
        return
    workbook = sheet.parent
    with sheet._get_source() as source:
        parser = _Parser(
            source,
            sheet._shared_strings,
            data_only=workbook.data_only,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for number, cells in parser.parse():
            yield number, [(cell["column"], cell["value"]) for cell in cells]


def _values(cells: list[tuple[int, Any]], width: int) -> tuple:
    values = [None] * width
    for column, value in cells:
        if column <= width:
            values[column - 1] = value
    return tuple(values)


def _header_text(value: Any) -> str:
    return "" if value is None or value is UNCOMPUTED else cell_text(value)


def read_table(
    sheet, specs: Sequence[ColumnSpec], problems: list[Problem], *, search_rows: int = 15
) -> Table | None:
    """Find the header row (the first of the top ``search_rows`` rows holding every required
    label) and read the rows under it. Title rows above the header are allowed.

    Refused (``None``, with a problem for each) when a cell of the table holds a formula
    without a computed value: read as blank, it would silently clear what it stands for."""
    too_many = Problem(
        sheet=sheet.title,
        message=_("Trang tính có quá nhiều dòng (tối đa %(n)s).") % {"n": MAX_ROWS},
    )
    if (sheet.max_row or 0) > MAX_ROWS:
        problems.append(too_many)
        return None
    with closing(sheet_cells(sheet)) as rows:
        return _read_table(sheet, specs, problems, rows, search_rows, too_many)


def _read_table(sheet, specs, problems, rows, search_rows, too_many) -> Table | None:
    header_row, headers, header_values = None, [], ()
    required = {spec.key: both_languages(spec.label) for spec in specs if spec.required}
    for number, cells in rows:
        if number > search_rows:
            break
        # Never wider than MAX_COLUMNS, whatever the sheet declares.
        values = _values(cells, MAX_COLUMNS)
        texts = {normalize(_header_text(v)) for v in values if v is not None}
        if required and all(names & texts for names in required.values()):
            header_row, header_values = number, values
            headers = [_header_text(v) for v in values]
            while headers and not headers[-1]:
                headers.pop()
            break
    if header_row is None:
        labels = ", ".join(f"“{spec.label}”" for spec in specs if spec.required)
        problems.append(
            Problem(
                sheet=sheet.title,
                message=_("Không tìm thấy dòng tiêu đề có các cột %s.") % labels,
            )
        )
        return None
    normalized = [normalize(h) for h in headers]
    columns: dict[str, int] = {}
    for spec in specs:
        names = both_languages(spec.label)
        for index, header in enumerate(normalized):
            if header in names:
                columns[spec.key] = index
                break
    table = Table(sheet.title, header_row, columns, headers, [])
    uncomputed = [
        (header_row, i) for i, v in enumerate(header_values[: len(headers)]) if v is UNCOMPUTED
    ]
    for number, cells in rows:
        # Rows are kept only as wide as the header: cells further right are not read.
        values = _values(cells, len(headers))
        if all(is_blank(v) for v in values):
            continue
        if number > MAX_ROWS:  # the sheet did not declare its size, or declared it wrong
            problems.append(too_many)
            return None
        uncomputed += [(number, i) for i, v in enumerate(values) if v is UNCOMPUTED]
        table.rows.append((number, values))
    if uncomputed:
        for number, index in uncomputed[:MAX_FORMULA_PROBLEMS]:
            problems.append(Problem(**table.where(number, index), message=str(UNCOMPUTED_FORMULA)))
        if len(uncomputed) > MAX_FORMULA_PROBLEMS:
            problems.append(
                Problem(
                    sheet=sheet.title,
                    message=_("… và %(n)s ô công thức khác chưa có giá trị tính sẵn.")
                    % {"n": len(uncomputed) - MAX_FORMULA_PROBLEMS},
                )
            )
        return None
    return table


# Errors a damaged workbook raises while its sheets are read lazily (read-only mode parses a
# sheet's XML only when its rows are asked for).
DAMAGED = (ParseError, SyntaxError, zipfile.BadZipFile, KeyError, ValueError, TypeError, EOFError)


def read_plan(importer: Importer, content: bytes) -> Plan:
    """``importer.read``, with a damaged workbook reported as a problem, never a crash."""
    try:
        return importer.read(content)
    except ImportFailed:
        raise
    except DAMAGED as exc:
        # Logged: a fault of ours would look the same, and must not hide as the user's.
        logger.warning("Workbook refused as damaged", exc_info=True)
        raise ImportFailed(
            [
                Problem(
                    message=_(
                        "Tệp Excel bị hỏng, không đọc được. Hãy mở tệp bằng Excel, lưu lại rồi "
                        "tải lên lại."
                    )
                )
            ]
        ) from exc


# --- reading cells ------------------------------------------------------------------------


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a code typed as 1 is "1", not "1.0"
    return str(value).strip()


def cell_decimal(value: Any) -> Decimal | None:
    """A number from a cell: Excel numbers, or text with a decimal comma ("8,5"). ``None``
    for a blank cell; ``ValueError`` for anything else."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float)):
        # A float as Excel shows it (15 significant digits): =1.1+2.2 is 3.3, not
        # 3.3000000000000003, which no two-decimal score would accept.
        return Decimal(format(value, ".15g")) if isinstance(value, float) else Decimal(value)
    text = str(value).strip().replace(" ", "")
    if re.fullmatch(r"-?\d+,\d+", text):
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(value) from exc
    if not number.is_finite():
        raise ValueError(value)
    return number


YES = {"có", "co", "x", "yes", "y", "true", "1", "đúng"}
NO = {"không", "khong", "no", "n", "false", "0", "sai"}


def cell_bool(value: Any) -> bool | None:
    """Có/Không (or yes/no, x, 1/0); ``None`` for a blank cell; ``ValueError`` otherwise."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    text = normalize(cell_text(value))
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(value)


def cell_date(value: Any) -> dt.date | None:
    """A date cell, or text as dd/mm/yyyy or yyyy-mm-dd."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(value)


NUMBER_EXPECTED = gettext_lazy("cần một số, ô đang có “%s”")
YES_NO_EXPECTED = gettext_lazy("cần “Có” hoặc “Không”, ô đang có “%s”")
DATE_EXPECTED = gettext_lazy("cần một ngày (dd/mm/yyyy), ô đang có “%s”")
