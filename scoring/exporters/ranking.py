from django.utils import formats
from django.utils.translation import gettext as _

from ..selectors import year_ranking
from .base import Column, ListExporter


class RankingExporter(ListExporter):
    """The ranking of a year and level, as the province hands it on."""

    identifier = "ranking"

    def __init__(self, *, year, province: str = "Hà Tĩnh"):
        self.year, self.province = year, province
        self.ranking = year_ranking(year)
        self.label = _("Bảng xếp hạng")
        self.sheet_title = _("Xếp hạng %(year)s") % {"year": year.year}

    def filename(self) -> str:
        return f"xep-hang-{self.year.year}-{self.year.unit_level.code}.xlsx"

    def title_rows(self):
        year = self.year
        status = (
            _("Công bố ngày %(date)s") % {"date": formats.date_format(year.published_at, "d/m/Y")}
            if year.is_published
            else _("Tạm tính, chưa công bố")
        )
        return [
            _("Chỉ số cải cách hành chính năm %(year)s · %(level)s · tỉnh %(province)s")
            % {"year": year.year, "level": year.unit_level.name, "province": self.province},
            status,
        ]

    def columns(self):
        columns = [Column(_("Hạng"), 7), Column(_("Đơn vị"), 24)]
        columns += [Column(f"{f.code}. {f.title}", 14, number=True) for f in self.ranking.fields]
        columns += [
            Column(_("Điều tra XHH"), 10, number=True),
            Column(_("Thưởng"), 9, number=True),
            Column(_("Trừ"), 9, number=True),
            Column(_("Tổng điểm"), 10, number=True),
            Column(_("Điểm tối đa áp dụng"), 12, number=True),
            Column(_("Chỉ số") + " (%)", 10, number=True),  # no % in a Python msgid
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
