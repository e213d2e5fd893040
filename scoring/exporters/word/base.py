"""Word reports (python-docx): the same contract as the workbooks (``Exporter``), a document in
the look of the province's printed reports: A4, Times New Roman, a heading with the province,
the level, the year and its state, the page number in the footer."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, BinaryIO

from django.utils import formats
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from ..base import PROVINCE, Exporter

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT = "Times New Roman"  # what the province's documents use; it covers Vietnamese
FONT_SIZE = Pt(13)
TABLE_FONT_SIZE = Pt(11)
TEXT_WIDTH = Cm(16)  # A4 less 3 cm left and 2 cm right margins, as administrative documents

# Characters XML 1.0 cannot hold (C0 controls but tab, newline and carriage return; lone
# surrogates; U+FFFE and U+FFFF): a reason pasted from Word may carry them, and python-docx
# refuses the whole document over one.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(value: Any) -> str:
    """Any value as text a Word document can hold."""
    if value is None:
        return ""
    return _ILLEGAL.sub("", str(value))


def points(value: Decimal | None, places: int = 2) -> str:
    """A number as the reader's language writes it (89,30 in Vietnamese); "—" for none."""
    if value is None:
        return "—"
    # Rounded half up first: number_format alone cuts the digits off (2,3077 → 2,30, where the
    # pages, through floatformat, show 2,31).
    value = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return formats.number_format(value, decimal_pos=places, use_l10n=True)


def signed(value: Decimal | int | None, places: int = 2) -> str:
    if value is None:
        return "—"
    text = points(abs(Decimal(value)), places)
    return f"+{text}" if value > 0 else (f"−{text}" if value < 0 else text)


def year_state(year) -> str:
    """Published (with its date) or provisional, as the Excel reports say it."""
    if not year.is_published:
        return _("Tạm tính, chưa công bố")
    if year.published_at is None:
        return _("Kết quả đã công bố trước khi dùng phần mềm, nhập lại từ tệp.")
    return _("Công bố ngày %(date)s") % {"date": formats.date_format(year.published_at, "d/m/Y")}


def _set_font(style, size) -> None:
    style.font.name = FONT
    style.font.size = size
    # Word picks a font per script: without these, Vietnamese letters may fall back to another.
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)


def _page_number(paragraph) -> None:
    """A PAGE field: Word fills in the number of each page."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), ("end", None)):
        if kind is None:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)


class Report:
    """A document being written, with the few shapes the reports need."""

    def __init__(self, *, landscape: bool = False):
        self.document = document = Document()
        section = document.sections[0]
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = section.page_height, section.page_width
        section.top_margin = section.bottom_margin = Cm(2)
        section.left_margin, section.right_margin = Cm(3), Cm(2)
        self.width = section.page_width - section.left_margin - section.right_margin
        styles = document.styles
        _set_font(styles["Normal"], FONT_SIZE)
        for name in ("Title", "Heading 1", "Heading 2", "Heading 3", "Caption"):
            style = styles[name]
            _set_font(style, style.font.size or FONT_SIZE)
            style.font.color.rgb = None
        styles["Title"].font.size = Pt(16)
        styles["Heading 1"].font.size = Pt(14)
        styles["Heading 2"].font.size = Pt(13)
        styles["Normal"].paragraph_format.space_after = Pt(6)
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _page_number(footer)

    def heading(self, text: str, level: int = 1) -> None:
        self.document.add_heading(clean(text), level=level)

    def title(self, *, title: str, lines: Sequence[str]) -> None:
        """The report's title, then its lines (province, level, year, state), centred."""
        paragraph = self.document.add_paragraph(style="Title")
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(clean(title)).bold = True
        for line in lines:
            p = self.document.add_paragraph(clean(line))
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.space_after = Pt(0)
        self.document.add_paragraph()

    def paragraph(self, text: str, *, italic: bool = False, justify: bool = True):
        paragraph = self.document.add_paragraph()
        paragraph.add_run(clean(text)).italic = italic
        if justify:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        return paragraph

    def bullet(self, text: str) -> None:
        self.document.add_paragraph(clean(text), style="List Bullet")

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        widths: Sequence[float] | None = None,
        numeric: Sequence[int] = (),
        bold_rows: Sequence[int] = (),
    ):
        """A bordered table: the header bold and repeated on each page, ``numeric`` columns
        right-aligned, ``widths`` in cm (else shared out evenly)."""
        table = self.document.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            self._cell(cell, text, bold=True)
        header_properties = table.rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        header_properties.append(repeat)
        for number, row in enumerate(rows):
            cells = table.add_row().cells
            for column, (cell, value) in enumerate(zip(cells, row, strict=True)):
                self._cell(
                    cell,
                    value,
                    bold=number in bold_rows,
                    right=column in numeric,
                )
        if widths:
            for column, width in zip(table.columns, widths, strict=True):
                for cell in column.cells:
                    cell.width = Cm(width)
        self.document.add_paragraph()
        return table

    @staticmethod
    def _cell(cell, value: Any, *, bold: bool = False, right: bool = False) -> None:
        paragraph = cell.paragraphs[0]
        run = paragraph.add_run(clean(value))
        run.bold = bold
        run.font.size = TABLE_FONT_SIZE
        paragraph.paragraph_format.space_after = Pt(0)
        if right:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    def image(self, png: bytes, *, caption: str, alt: str = "") -> None:
        """A chart at the text's width, its caption under it; ``alt`` as its description for a
        screen reader."""
        self.document.add_picture(io.BytesIO(png), width=min(self.width, TEXT_WIDTH))
        picture = self.document.paragraphs[-1]
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if alt:
            for properties in picture._p.iter(qn("wp:docPr")):
                properties.set("descr", clean(alt)[:2000])
        caption_paragraph = self.document.add_paragraph(clean(caption), style="Caption")
        caption_paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def save(self, fileobj: BinaryIO) -> None:
        self.document.save(fileobj)


class DocxExporter(Exporter):
    """A Word report: ``build`` writes into a ``Report``; ``write`` saves it."""

    content_type = DOCX
    landscape = False

    def __init__(self, *, province: str = PROVINCE):
        self.province = province

    def write(self, fileobj: BinaryIO) -> None:
        report = Report(landscape=self.landscape)
        self.build(report)
        report.save(fileobj)

    def build(self, report: Report) -> None:  # pragma: no cover - the contract
        raise NotImplementedError

    def heading_lines(self, year) -> list[str]:
        return [
            _("Tỉnh %(province)s · %(level)s · năm %(year)s")
            % {"province": self.province, "level": year.unit_level.name, "year": year.year},
            year_state(year),
        ]
