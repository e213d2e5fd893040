"""Every unit's final score on every leaf of a year: the score matrix analysts work on, and
the file another installation imports (its layout is a contract: see ``MatrixExporter``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..selectors import framework_tree, score_matrix
from .base import PROVINCE, Column, SheetWriter, WorkbookExporter, year_title_rows


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

    Rows are streamed (``selectors.score_matrix``): memory holds one unit's leaves at a time."""

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
        for row in score_matrix(self.year, tree):
            values: list = [row.unit.code, row.unit.name]
            for top, leaves in groups:
                for leaf in leaves:
                    score, na = row.scores.get(leaf.id, (None, False))
                    values.append(not_applicable if na else score)
                if not top.is_leaf:
                    # The engine's subtotal of the leaf cells beside it; empty while none is
                    # scored.
                    node = row.result.node_totals[top.code]
                    values.append(
                        not_applicable
                        if node.not_applicable
                        else node.points
                        if node.is_scored
                        else None
                    )
            # A unit with nothing scored yet has no totals to show.
            anything = any(row.result.node_totals[top.code].is_scored for top, _leaves in groups)
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
            sheet.append(values)

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
