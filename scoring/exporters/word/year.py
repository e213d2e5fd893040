"""The province-wide Word report of a level's year, for the Interior Department: the year in a
paragraph, the ranking with bands and rank changes, the ranking chart, the common gaps and the
most improved units."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ...analysis.phrasing import unit_in_sentence
from ...analysis.story import UnitIndex, year_story
from ...models import AssessmentYear
from ...selectors import year_ranking
from ...selectors.year_insight import level_insight_summary
from ..base import PROVINCE
from .base import DocxExporter, Report, points, signed

COMMON_GAPS_SHOWN = 15  # the leaves most units lost; the full list is the gaps page's


def rank_change_text(change: int | None) -> str:
    if change is None:
        return "—"
    if change > 0:
        return ngettext("▲ lên %(n)s hạng", "▲ lên %(n)s hạng", change) % {"n": change}
    if change < 0:
        return ngettext("▼ xuống %(n)s hạng", "▼ xuống %(n)s hạng", -change) % {"n": -change}
    return _("= giữ nguyên")


class YearReportExporter(DocxExporter):
    """Appraised results only (no self-scores), so under the ranking's rule
    (``access.get_year_for_ranking``): published years for every reader, the others for the
    Interior Department."""

    identifier = "year_report"
    label = gettext_lazy("Báo cáo Chỉ số CCHC của năm (Word)")
    scope = "year"

    def __init__(self, *, year: AssessmentYear, province: str = PROVINCE):
        super().__init__(province=province)
        self.year = year

    def filename(self) -> str:
        return f"bao-cao-cchc-{self.year.year}-{self.year.unit_level.code}.docx"

    def build(self, report: Report) -> None:
        from ... import charts  # matplotlib loads when a report draws, not with every export

        year = self.year
        ranking = year_ranking(year)
        summary = level_insight_summary(year)
        members = year.unit_level.members_phrase

        report.title(
            title=_("Báo cáo kết quả xác định Chỉ số cải cách hành chính năm %(year)s")
            % {"year": year.year},
            lines=self.heading_lines(year),
        )
        report.heading(_("1. Tổng quan"))
        report.paragraph(
            year_story(
                year=year.year,
                members_phrase=members,
                # A unit still being appraised has no index yet (its unscored leaves count 0).
                units=[
                    UnitIndex(
                        row.unit.name,
                        None if row.result.unscored else row.result.total.shown_index,
                        row.result.rank,
                    )
                    for row in ranking.rows
                ],
                provisional=not year.is_published,
                bands=summary.bands,
            )
        )
        if summary.median_index is not None:
            report.paragraph(
                _("Chỉ số trung vị: %(median)s điểm.") % {"median": points(summary.median_index)}
            )

        report.heading(_("2. Bảng xếp hạng"))
        header = [_("Hạng"), _("Đơn vị"), _("Chỉ số CCHC")]
        if ranking.bands:
            header.append(_("Xếp loại"))
        if ranking.previous is not None:
            header.append(_("So với năm %(year)s") % {"year": ranking.previous.year})
        rows = []
        for row in ranking.rows:
            cells = [
                str(row.result.rank or "—"),
                row.unit.name,
                (
                    _("chưa chấm xong")
                    if row.result.unscored
                    else points(row.result.total.shown_index)
                ),
            ]
            if ranking.bands:
                cells.append(row.band or "—")
            if ranking.previous is not None:
                change = rank_change_text(row.rank_change)
                compared = getattr(row, "compared_with", None)
                if compared is not None:
                    change += " " + _("(so với %(unit)s)") % {
                        "unit": unit_in_sentence(compared.name)
                    }
                cells.append(change)
            rows.append(cells)
        widths = {3: [1.5, 10, 4.5], 4: [1.5, 7.5, 3, 4], 5: [1.4, 6.1, 2.6, 2, 3.9]}
        report.table(header, rows, widths=widths[len(header)], numeric=[0, 2])
        bars = charts.ranking_bars(
            [
                charts.Bar(
                    row.unit.name, None if row.result.unscored else row.result.total.shown_index
                )
                for row in ranking.rows
            ],
            ranking.bands,
            title=_("Chỉ số CCHC năm %(year)s") % {"year": year.year},
        )
        report.image(bars.png(), caption=bars.title, alt=bars.alt)

        report.heading(_("3. Những tiêu chí nhiều đơn vị bị trừ điểm"))
        gaps = summary.common_gaps[:COMMON_GAPS_SHOWN]
        if gaps:
            report.table(
                [_("Tiêu chí"), _("Số đơn vị bị trừ điểm"), _("Tổng điểm bị mất"), _("Bình quân")],
                [
                    [
                        f"{gap.code}. {gap.title}",
                        f"{gap.units_lost}/{gap.units_applicable}",
                        points(gap.total_lost),
                        points(gap.average_lost),
                    ]
                    for gap in gaps
                ],
                widths=[8.5, 2.7, 2.4, 2.4],
                numeric=[1, 2, 3],
            )
        else:
            report.paragraph(_("Không đơn vị nào bị trừ điểm ở tiêu chí nào."))

        report.heading(_("4. Các đơn vị tiến bộ nhất"))
        improved = [i for i in summary.most_improved if i.index_change > 0][:5]
        if summary.previous is None:
            report.paragraph(_("Chưa có năm trước đã công bố để so sánh."))
        elif not improved:
            report.paragraph(
                _("Không đơn vị nào tăng chỉ số so với năm %(year)s.")
                % {"year": summary.previous.year}
            )
        else:
            report.table(
                [
                    _("Đơn vị"),
                    _("Năm %(year)s") % {"year": summary.previous.year},
                    _("Năm %(year)s") % {"year": year.year},
                    _("Tăng"),
                    _("Hạng"),
                ],
                [
                    [
                        i.unit.name
                        + (
                            " " + _("(so với %(unit)s)") % {"unit": i.previous_unit_name}
                            if i.previous_unit_name
                            else ""
                        ),
                        points(i.previous_index),
                        points(i.index),
                        signed(i.index_change),
                        f"{i.previous_rank or '—'} → {i.rank or '—'}",
                    ]
                    for i in improved
                ],
                widths=[6, 2.5, 2.5, 2.2, 2.8],
                numeric=[1, 2, 3],
            )
