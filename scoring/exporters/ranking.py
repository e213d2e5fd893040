from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..selectors import year_ranking
from .base import PROVINCE, Column, ListExporter, year_title_rows


class RankingExporter(ListExporter):
    """The ranking of a year and level, as the province hands it on."""

    identifier = "ranking"
    label = gettext_lazy("Bảng xếp hạng")

    def __init__(self, *, year, province: str = PROVINCE):
        self.year, self.province = year, province
        self.ranking = None

    def filename(self) -> str:
        return f"xep-hang-{self.year.year}-{self.year.unit_level.code}.xlsx"

    def fill(self, workbook):
        self.ranking = year_ranking(self.year)
        self.sheet_title = _("Xếp hạng %(year)s") % {"year": self.year.year}
        super().fill(workbook)

    def title_rows(self):
        return year_title_rows(self.year, province=self.province)

    def columns(self):
        columns = [Column(_("Hạng"), 7), Column(_("Đơn vị"), 24)]
        columns += [Column(f"{f.code}. {f.title}", 14) for f in self.ranking.fields]
        columns += [
            Column(_("Điều tra XHH"), 10),
            Column(_("Thưởng"), 9),
            Column(_("Trừ"), 9),
            Column(_("Tổng điểm"), 10),
            Column(_("Điểm tối đa áp dụng"), 12),
            Column(_("Chỉ số") + " (%)", 10),  # no % in a Python msgid
            Column(_("Xếp loại"), 9),
            Column(_("Thay đổi hạng"), 10),
        ]
        return columns

    def rows(self):
        for row in self.ranking.rows:
            total = row.total
            yield [
                row.rank,
                row.unit.name,
                *row.field_points,
                row.result.survey_points,
                total.bonus,
                total.deductions,
                total.points,
                total.applicable_max,
                total.shown_index,
                row.band or "",
                row.rank_change,
            ]
