"""Every unit's final score on every leaf of a year: the score matrix analysts work on, and
the file another installation imports (its layout is a contract: see ``MatrixExporter``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell

from ..selectors import framework_tree
from ..selectors.matrix import NOT_APPLICABLE, score_matrix_rows
from .base import DECIMALS, PROVINCE, Column, SheetWriter, WorkbookExporter, year_title_rows

_NUMBERS = frozenset(DECIMALS)  # shown with 2 places
FAST_ROWS = True  # False: every row through ``SheetWriter.append`` (tests compare the two)


class _NumberRows:
    """Appends rows of plain values to a write-only sheet of ``SheetWriter`` at the speed of a
    bare openpyxl loop, decimals shown with 2 places as ``SheetWriter.cell`` shows them.

    Why not ``SheetWriter.append``: a styled cell is a new ``Cell`` per value, and openpyxl
    takes every ``Cell`` it is handed through a raised and caught ``ValueError``, then looks
    its style up by hashing it: 3 times the cost of a plain value, over 500,000 cells. Here
    one reused cell per kind is handed over (openpyxl writes each cell before taking the next,
    and reuses its own plain cell the same way) and the number cell's style index is looked up
    once. Text goes through ``SheetWriter.cell``: neutralised, never a formula.

    This leans on openpyxl's write-only internals (``_values_to_row``, pinned in
    requirements.lock); without them rows fall back to ``SheetWriter.append``, the same
    workbook, slower. The matrix tests check the cells' types and formats."""

    def __init__(self, writer: SheetWriter):
        self.writer = writer
        sheet = writer.sheet
        self.fast = FAST_ROWS and callable(getattr(sheet, "_values_to_row", None))
        if not self.fast:
            return
        template = WriteOnlyCell(sheet)
        template.number_format = "0.00"
        index = sheet.parent._cell_styles.add(template._style)

        class NumberCell(Cell):
            __slots__ = ()
            # Constants: the style is registered with the workbook once, above.
            has_style = True
            style_id = index

        self.number = NumberCell(sheet, row=1, column=1)
        self.plain = WriteOnlyCell(sheet)
        sheet._values_to_row = self._cells

    def _cells(self, values, row: int):
        number, plain = self.number, self.plain
        for column, value in enumerate(values, start=1):
            kind = type(value)
            if kind in _NUMBERS:
                cell = number
                # What ``cell.value = value`` does for a number, without its type checks.
                cell._value, cell.data_type = value, "n"
            elif value is None or value == "":
                continue
            elif isinstance(value, Cell):  # made and styled by the caller
                cell = value
            elif isinstance(value, str):
                cell = self.writer.cell(value)
            else:  # integers (the rank): a number as it is
                cell = plain
                cell.value = value
            cell.column, cell.row = column, row
            yield cell

    def append(self, values: list[Any]) -> None:
        if self.fast:
            self.writer.sheet.append(values)
        else:
            self.writer.append(values)


class MatrixExporter(WorkbookExporter):
    """The score matrix of a year and unit level. THE LAYOUT IS A CONTRACT with the matrix
    importer; change both together.

    Sheet 1, "Ma trận điểm": two title rows (title with year, level and province; published
    on … or provisional), then one header row: "Mã đơn vị", "Đơn vị", then for each top-level
    node in tree order one column per leaf below it headed by the leaf's code exactly ("1.1.1",
    or "3" for a top-level leaf) and a "Cộng <code>" subtotal (none for a top-level leaf); then
    "Thưởng", "Trừ", "Tổng điểm", "Điểm tối đa áp dụng", "Chỉ số (%)", "Hạng". One row per
    assessed unit by unit name: a leaf's final score as a number, "KAD" where the leaf is not
    applicable, empty where nobody has scored it. Sheet 2, "Tiêu chí": "Mã", "Nội dung",
    "Điểm tối đa", "Lĩnh vực" (the top-level code), one row per node: the legend.

    The year's leaf scores are read once (``selectors.matrix.score_matrix_rows``), rows
    written as plain values with one shared number style (``_NumberRows``): 3,000 units × 150
    leaves at about the speed of a bare openpyxl loop, in a few MB beyond openpyxl's own."""

    identifier = "matrix"
    label = gettext_lazy("Ma trận điểm")

    def __init__(self, *, year, province: str = PROVINCE):
        self.year, self.province = year, province

    def filename(self) -> str:
        return f"ma-tran-diem-{self.year.year}-{self.year.unit_level.code}.xlsx"

    def fill(self, workbook) -> None:
        tree = framework_tree(self.year.framework_id)
        groups = tree.top_level_groups
        columns = [Column(_("Mã đơn vị"), 14), Column(_("Đơn vị"), 24)]
        for top, leaves in groups:
            columns += [Column(leaf.code, 8) for leaf in leaves]
            if not top.is_leaf:
                columns.append(Column(_("Cộng %(code)s") % {"code": top.code}, 9))
        columns += [
            Column(_("Thưởng"), 9),
            Column(_("Trừ"), 9),
            Column(_("Tổng điểm"), 10),
            Column(_("Điểm tối đa áp dụng"), 12),
            Column(_("Chỉ số") + " (%)", 10),  # no % in a Python msgid
            Column(_("Hạng"), 7),
        ]
        sheet = SheetWriter(
            workbook,
            _("Ma trận điểm"),
            columns,
            titles=year_title_rows(self.year, province=self.province),
            frozen_columns=2,
        )
        not_applicable = _("KAD")
        # The leaves in column order, and where each top-level node's leaves end.
        ordered = [leaf for _top, leaves in groups for leaf in leaves]
        spans, start = [], 0
        for top, leaves in groups:
            spans.append((top.code, start, start + len(leaves), not top.is_leaf))
            start += len(leaves)
        rows = _NumberRows(sheet)
        for row in score_matrix_rows(self.year, tree, ordered):
            values: list = [row.unit.code, row.unit.name]
            node_totals = row.result.node_totals
            for code, first, end, subtotal in spans:
                values += [
                    not_applicable if v is NOT_APPLICABLE else v for v in row.leaves[first:end]
                ]
                if subtotal:
                    # The engine's subtotal of the leaf cells beside it; empty while none is
                    # scored.
                    node = node_totals[code]
                    values.append(
                        not_applicable
                        if node.not_applicable
                        else node.points
                        if node.is_scored
                        else None
                    )
            # A unit with nothing scored yet has no totals to show.
            anything = any(node_totals[top.code].is_scored for top, _leaves in groups)
            total = row.result.total
            # Blank, not 0 / 100, for a unit nothing is scored for: the empty matrix of a year
            # being prepared is the results import's template, filled in by hand.
            values += (
                [
                    total.bonus,
                    total.deductions,
                    total.points,
                    total.applicable_max,
                    total.shown_index,
                    row.result.rank,
                ]
                if anything
                else [None] * 6
            )
            rows.append(values)

        legend = SheetWriter(
            workbook,
            _("Tiêu chí"),
            [
                Column(_("Mã"), 9),
                Column(_("Nội dung"), 60),
                Column(_("Điểm tối đa"), 10),
                Column(_("Lĩnh vực"), 9),
            ],
        )
        for node in tree.nodes:
            legend.append(
                [node.code, node.title, node.max_points, tree.top_of(node.code)],
                bold=node.parent_code is None,
            )
