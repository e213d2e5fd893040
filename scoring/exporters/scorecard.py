"""A unit's whole year in one sheet: every node with every layer the reader may see, then the
ledger and the totals."""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from units.roles import Roles

from .. import access
from ..analysis.story import scorecard_lost, scorecard_story
from ..models import AdjustmentKind, Assessment
from ..selectors import evidence_by_leaf, unit_scorecard
from ..selectors.entry import describe_declared
from .base import PROVINCE, Column, SheetWriter, WorkbookExporter, year_title_rows


def _joined(*parts: str) -> str:
    return "; ".join(part for part in parts if part)


def _document(link) -> str:
    """A document as the appraisal reads it: name (number, date; where it proves the leaf)."""
    evidence = link.evidence
    details = [
        _("số %(number)s") % {"number": evidence.document_number}
        if evidence.document_number
        else "",
        _("ngày %(date)s") % {"date": formats.date_format(evidence.document_date, "d/m/Y")}
        if evidence.document_date
        else "",
        link.reference,
        _("bổ sung khi giải trình") if link.supplementary else "",
    ]
    shown = _joined(*details)
    return f"{evidence.original_name} ({shown})" if shown else evidence.original_name


class ScorecardExporter(WorkbookExporter):
    """The scorecard page as a workbook, under the page's rule: the year's story, the final
    score, the ledger, totals and rank only for those who may see final scores
    (``access.can_see_final_scores``); declared figures, self-scores, explanations, answers,
    evidence, and the two rounds with the appraisers' reasons only for the unit's staff and
    the Interior Department (``access.can_see_self_scores``)."""

    identifier = "scorecard"
    label = gettext_lazy("Phiếu điểm của đơn vị")
    scope = "unit"

    def __init__(self, *, assessment: Assessment, roles: Roles, province: str = PROVINCE):
        self.assessment, self.province = assessment, province
        self.show_final = access.can_see_final_scores(roles, assessment.year)
        self.show_self = access.can_see_self_scores(roles, assessment)

    def filename(self) -> str:
        a = self.assessment
        return f"phieu-diem-{a.year.year}-{a.unit.code}.xlsx"

    def _columns(self):
        """(column, value of a line) pairs, in the order of the year's work: the unit's entry,
        round 1, the unit's answer, round 2, the final score, the evidence."""
        na_label = _("KAD")
        own, final = self.show_self, self.show_final
        # The rounds and the appraisers' reasons are the unit's and the Department's business:
        # other readers of a published scorecard see the final score only, as on the page.
        rounds = own and final

        def leaf(line, name, default=""):
            return getattr(line.leaf, name) if line.leaf is not None else default

        def not_applicable(line):
            if not line.not_applicable:
                return None
            return f"{na_label}: {line.leaf.na_reason}" if leaf(line, "na_reason") else na_label

        def final_score(line):
            if line.node.is_leaf and line.not_applicable:
                return na_label
            return line.final_points

        pairs = [
            (Column(_("Mã"), 9), lambda line: line.node.code),
            (Column(_("Nội dung"), 50), lambda line: line.node.title),
            (Column(_("Điểm tối đa"), 9), lambda line: line.max_points),
            (Column(_("Không áp dụng"), 18), not_applicable),
        ]
        if own:
            pairs += [
                (
                    Column(_("Số liệu kê khai"), 28),
                    lambda line: describe_declared(line.node, leaf(line, "declared", None)),
                ),
                (Column(_("Tự chấm"), 9), lambda line: line.self_points),
                (Column(_("Thuyết minh"), 30), lambda line: leaf(line, "explanation")),
            ]
        if rounds:
            pairs += [
                (Column(_("Vòng 1"), 9), lambda line: leaf(line, "r1_score", None)),
                (
                    Column(_("Lý do/nhận xét vòng 1"), 28),
                    lambda line: _joined(leaf(line, "r1_reason"), leaf(line, "r1_comment")),
                ),
            ]
        if own:
            pairs.append(
                (Column(_("Giải trình"), 30), lambda line: leaf(line, "explanation_answer"))
            )
        if rounds:
            pairs += [
                (Column(_("Vòng 2"), 9), lambda line: leaf(line, "r2_score", None)),
                (
                    Column(_("Lý do/nhận xét vòng 2"), 28),
                    lambda line: _joined(leaf(line, "r2_reason"), leaf(line, "r2_comment")),
                ),
            ]
        if final:
            pairs.append((Column(_("Điểm cuối"), 9), final_score))
        if own:
            pairs.append(
                (
                    Column(_("Tài liệu kiểm chứng"), 40),
                    lambda line: (
                        "\n".join(_document(link) for link in self._evidence.get(line.leaf.id, []))
                        if line.leaf is not None
                        else ""
                    ),
                )
            )
        return pairs

    def fill(self, workbook) -> None:
        assessment, year = self.assessment, self.assessment.year
        card = unit_scorecard(assessment)
        self._evidence = evidence_by_leaf(assessment) if self.show_self else {}
        titles = year_title_rows(year, subject=assessment.unit.name, province=self.province)
        if self.show_final:
            # The year's story, as the page's summary tells it (survey leaves left out).
            lost = [item for item in scorecard_lost(card) if not item.is_survey]
            titles.append(scorecard_story(card, lost))
        else:
            titles.append(_("Điểm thẩm định sẽ hiển thị khi Sở Nội vụ công bố kết quả."))
        pairs = self._columns()
        sheet = SheetWriter(
            workbook,
            _("Phiếu điểm %(year)s") % {"year": year.year},
            [column for column, _value in pairs],
            titles=titles,
            frozen_columns=2,
        )
        for line in card.lines:
            depth = line.node.depth
            cells = [
                sheet.cell(value(line), bold=depth == 0, wrap=column.width >= 18)
                for column, value in pairs
            ]
            # The tree shows in the text column: fields bold, each level further indented.
            cells[1] = sheet.cell(line.node.title, bold=depth == 0, wrap=True, indent=2 * depth)
            sheet.append_cells(cells)

        if self.show_final:
            sheet.append([])
            sheet.append([_("Điểm thưởng và điểm trừ")], bold=True)
            sheet.append([_("Loại"), _("Nội dung"), _("Điểm"), _("Lý do")], bold=True)
            for entry in card.adjustments:
                deduction = entry.direction == AdjustmentKind.Direction.DEDUCTION
                name = f"{entry.kind.name} × {entry.count}" if entry.count else entry.kind.name
                sheet.append(
                    [
                        entry.get_direction_display(),
                        name,
                        -entry.points if deduction else entry.points,
                        entry.reason,
                    ],
                    wrap=True,
                )
            if not card.adjustments:
                sheet.append(["", _("Không có điểm thưởng, điểm trừ.")])

        sheet.append([])
        sheet.append([_("Tổng hợp")], bold=True)
        total = card.total
        summary = []
        if self.show_self:
            summary.append((_("Tổng điểm tự chấm"), card.self_total.points))
        if self.show_final:
            summary += [
                (_("Điểm các tiêu chí"), total.leaf_points),
                (_("Điểm thưởng"), total.bonus),
                (_("Điểm trừ"), total.deductions),
                (_("Tổng điểm"), total.points),
            ]
        summary.append((_("Điểm tối đa áp dụng"), total.applicable_max))
        if self.show_final:
            summary += [
                (_("Chỉ số") + " (%)", total.shown_index),
                (_("Hạng"), card.rank),
                (_("Số đơn vị được xếp hạng"), card.ranked_units),
            ]
            if card.unscored:
                summary.append((_("Số tiêu chí chưa có điểm thẩm định"), card.unscored))
        for label, value in summary:
            sheet.append(["", label, value])
