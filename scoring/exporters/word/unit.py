"""A unit's Word report of a year: the story, the fields with points lost, each lost item with
its reason, the comparison with the year's leader, the median unit and its own previous year,
the charts, and the ledger."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from units.roles import Roles

from ... import access
from ...analysis.lost import DEDUCTION
from ...analysis.phrasing import unit_in_sentence
from ...analysis.story import scorecard_lost, scorecard_story
from ...models import AdjustmentKind, Assessment
from ...selectors import unit_scorecard, year_ranking
from ...selectors.insight import unit_insight
from ..base import PROVINCE
from .base import DocxExporter, Report, points, signed


class UnitReportExporter(DocxExporter):
    """Under the insight page's rule (``access.get_assessment_for_insight``): appraised scores
    beside the level's. The appraisers' reasons on leaves only for the unit's staff and the
    Interior Department (``access.can_see_self_scores``), as on the scorecard; the ledger's
    reasons are published with it."""

    identifier = "unit_report"
    label = gettext_lazy("Báo cáo Chỉ số CCHC của đơn vị (Word)")
    scope = "unit"

    def __init__(self, *, assessment: Assessment, roles: Roles, province: str = PROVINCE):
        super().__init__(province=province)
        self.assessment, self.roles = assessment, roles
        self.show_reasons = access.can_see_self_scores(roles, assessment)

    def filename(self) -> str:
        a = self.assessment
        return f"bao-cao-cchc-{a.year.year}-{a.unit.code}.docx"

    def build(self, report: Report) -> None:
        assessment, year = self.assessment, self.assessment.year
        card = unit_scorecard(assessment)
        insight = unit_insight(assessment, roles=self.roles)
        lost = [item for item in scorecard_lost(card) if not item.is_survey]
        unit = unit_in_sentence(assessment.unit.name)

        report.title(
            title=_("Báo cáo kết quả Chỉ số cải cách hành chính năm %(year)s")
            % {"year": year.year},
            lines=[assessment.unit.name, *self.heading_lines(year)],
        )
        report.heading(_("1. Kết quả"))
        report.paragraph(scorecard_story(card, lost))

        report.heading(_("2. Điểm theo lĩnh vực"))
        self._fields(report, insight, card)

        report.heading(_("3. Các tiêu chí bị trừ điểm"))
        if lost:
            report.table(
                [_("Tiêu chí"), _("Tối đa"), _("Đạt"), _("Bị mất"), _("Lý do")],
                [
                    [
                        (
                            f"{item.code}. {item.title}"
                            if item.kind != DEDUCTION
                            else _("Điểm trừ: %(kind)s") % {"kind": item.title}
                        ),
                        points(item.max_points) if item.max_points is not None else "",
                        points(item.points) if item.points is not None else "",
                        points(item.lost),
                        item.reason if (self.show_reasons or item.kind == DEDUCTION) else "",
                    ]
                    for item in lost
                ],
                widths=[6.5, 1.6, 1.6, 1.6, 4.7],
                numeric=[1, 2, 3],
            )
        else:
            report.paragraph(_("Đơn vị không bị trừ điểm ở tiêu chí nào."))

        report.heading(_("4. So sánh"))
        self._comparison(report, insight, unit)

        report.heading(_("5. Biểu đồ"))
        self._charts(report, insight, assessment)

        report.heading(_("6. Điểm thưởng và điểm trừ"))
        if card.adjustments:
            report.table(
                [_("Loại"), _("Nội dung"), _("Điểm"), _("Lý do")],
                [
                    [
                        entry.get_direction_display(),
                        f"{entry.kind.name} × {entry.count}" if entry.count else entry.kind.name,
                        signed(
                            -entry.points
                            if entry.direction == AdjustmentKind.Direction.DEDUCTION
                            else entry.points
                        ),
                        entry.reason,
                    ]
                    for entry in card.adjustments
                ],
                widths=[2.2, 5.8, 1.8, 6.2],
                numeric=[2],
            )
        else:
            report.paragraph(_("Không có điểm thưởng, điểm trừ."))

    @staticmethod
    def _fields(report: Report, insight, card) -> None:
        previous = insight.previous
        header = [
            _("Lĩnh vực"),
            _("Tối đa"),
            _("Đạt"),
            _("Bị mất"),
            _("Đơn vị dẫn đầu"),
            _("Trung vị"),
        ]
        if previous is not None:
            header.append(_("Năm %(year)s") % {"year": previous.year.year})
        rows = []
        for f in insight.fields:
            row = [
                f"{f.node.code}. {f.node.title}",
                points(f.applicable_max),
                points(f.points),
                points(f.lost),
                points(f.leader_points),
                points(f.median_points),
            ]
            if previous is not None:
                row.append(points(f.previous_points))
            rows.append(row)
        total = card.total
        blank = [""] * (len(header) - 4)
        bold = []
        for label, value, max_points in (
            (_("Điểm thưởng"), signed(total.bonus), ""),
            (_("Điểm trừ"), signed(-total.deductions), ""),
            (_("Tổng điểm"), points(total.points), points(total.applicable_max)),
            (_("Chỉ số CCHC"), points(total.shown_index), points(Decimal(100))),
        ):
            bold.append(len(rows))
            rows.append([label, max_points, value, "", *blank])
        widths = [5.6, 1.6, 1.6, 1.6, 1.9, 1.9] + ([1.8] if previous is not None else [])
        report.table(header, rows, widths=widths, numeric=range(1, len(header)), bold_rows=bold[2:])

    @staticmethod
    def _comparison(report: Report, insight, unit: str) -> None:
        mine = insight.total
        # A table's cell starts a line: the unit's name as written ("Huyện Vũ Quang").
        rows = [[insight.assessment.unit.name, points(mine.shown_index), str(insight.rank or "—")]]
        if insight.leader is not None:
            rows.append(
                [
                    _("Dẫn đầu: %(unit)s") % {"unit": insight.leader.unit.name},  # a label
                    points(insight.leader.total.shown_index),
                    str(insight.leader.rank or "—"),
                ]
            )
        if insight.median is not None:
            rows.append([_("Đơn vị ở giữa bảng (trung vị)"), points(insight.median), ""])
        previous = insight.previous
        if previous is not None:
            label = _("Năm %(year)s") % {"year": previous.year.year}
            if previous.via:
                label += " " + _("(so với %(unit)s, trước khi sắp xếp)") % {
                    "unit": unit_in_sentence(previous.unit.name)
                }
            rows.append(
                [label, points(previous.result.total.shown_index), str(previous.rank or "—")]
            )
        report.table(["", _("Chỉ số CCHC"), _("Hạng")], rows, widths=[9, 3.5, 3.5], numeric=[1, 2])
        if insight.leader is not None and mine.shown_index is not None:
            gap = insight.leader.total.shown_index - mine.shown_index
            if gap > 0:
                report.paragraph(
                    _("Chỉ số của %(unit)s thấp hơn đơn vị dẫn đầu %(gap)s điểm.")
                    % {"unit": unit, "gap": points(gap)}
                )
        if previous is not None and mine.shown_index is not None:
            before = previous.result.total.shown_index
            if before is not None:
                report.paragraph(
                    _("So với năm %(year)s: chỉ số %(change)s điểm; hạng %(before)s → %(now)s.")
                    % {
                        "year": previous.year.year,
                        "change": signed(mine.shown_index - before),
                        "before": previous.rank or "—",
                        "now": insight.rank or "—",
                    }
                )

    @staticmethod
    def _charts(report: Report, insight, assessment) -> None:
        from ... import charts  # matplotlib loads when a report draws, not with every export

        profile = charts.field_profile(
            [
                charts.ProfileField(
                    label=f"{f.node.code}. {f.node.title}",
                    max_points=f.applicable_max or f.max_points,
                    mine=f.points,
                    average=f.median_points,
                    leader=f.leader_points,
                )
                for f in insight.fields
            ],
            mine_label=assessment.unit.name,
            average_label=_("Trung vị"),
            leader_label=_("Đơn vị dẫn đầu"),
            title=_("Điểm từng lĩnh vực so với điểm tối đa (%)"),
        )
        report.image(profile.png(), caption=profile.title, alt=profile.alt)
        ranking = year_ranking(assessment.year)
        bars = charts.ranking_bars(
            [
                charts.Bar(
                    label=row.unit.name,
                    value=row.result.total.shown_index,
                    highlight=row.unit.id == assessment.unit_id,
                )
                for row in ranking.rows
            ],
            ranking.bands,
            title=_("Chỉ số CCHC năm %(year)s của các đơn vị") % {"year": assessment.year.year},
        )
        report.image(bars.png(), caption=bars.title, alt=bars.alt)
        history = [point for point in insight.history if point.index is not None]
        if len(history) > 1:
            years = charts.over_the_years(
                [charts.Series(assessment.unit.name, [p.index for p in history], highlight=True)],
                [p.year for p in history],
                title=_("Chỉ số CCHC qua các năm"),
                value_label=_("Chỉ số CCHC"),
            )
            report.image(years.png(), caption=years.title, alt=years.alt)
