"""Year over year: each unit's index and rank in every published year of a unit level."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..selectors import level_history
from .base import PROVINCE, Column, ListExporter


def history_columns(history) -> list[tuple[str, str]]:
    """(year, what) header pairs of the per-year columns: index and rank of each year."""
    return [
        pair
        for year in history.years
        for pair in ((str(year.year), _("Chỉ số") + " (%)"), (str(year.year), _("Hạng")))
    ]


class HistoryExporter(ListExporter):
    """Rows: units by name; columns: each published year's index and rank, then the notes of
    reorganisations (merged into, split, renamed: a renamed unit's row holds its old name's
    years). A unit not assessed in a year has empty cells there."""

    identifier = "history"
    label = gettext_lazy("Chỉ số qua các năm")
    scope = "level"

    def __init__(self, *, level, province: str = PROVINCE):
        self.level, self.province = level, province
        self.history = None

    def filename(self) -> str:
        return f"chi-so-qua-cac-nam-{self.level.code}.xlsx"

    def fill(self, workbook) -> None:
        self.history = level_history(self.level)
        self.sheet_title = _("Chỉ số qua các năm")
        super().fill(workbook)

    def title_rows(self):
        years = ", ".join(str(year.year) for year in self.history.years) or "—"
        return [
            _("Chỉ số cải cách hành chính qua các năm · %(level)s · tỉnh %(province)s")
            % {"level": self.level.name, "province": self.province},
            _("Các năm đã công bố: %(years)s") % {"years": years},
        ]

    def columns(self):
        return [
            Column(_("Mã đơn vị"), 14),
            Column(_("Đơn vị"), 24),
            *(Column(f"{year} · {what}", 11) for year, what in history_columns(self.history)),
            Column(_("Ghi chú"), 48),
        ]

    def rows(self):
        for row in self.history.rows:
            values = [row.unit.code, row.unit.name]
            for result in row.results:
                values += (
                    [None, None] if result is None else [result.total.shown_index, result.rank]
                )
            yield [*values, "; ".join(note.text for note in row.notes)]
