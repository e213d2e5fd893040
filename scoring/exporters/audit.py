"""The audit log of a year, or of one unit in it, as its page shows it (same filters, same
lines, same access): one row per event, newest first."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..selectors.audit import LogFilters, LogScope, log_events, log_lines, log_scope
from .base import Column, ListExporter, year_title_rows

# Events read from the database this many at a time: a long log is never held whole.
CHUNK = 2000


class AuditLogExporter(ListExporter):
    """``year=`` alone is the year's whole log with every name (the command line's rights);
    the pages pass the ``scope`` their reader has and the filters they show."""

    identifier = "audit_log"
    label = gettext_lazy("Nhật ký thay đổi")
    scope = "year"

    def __init__(self, *, year, log: LogScope | None = None, filters: LogFilters | None = None):
        self.year = year
        self.log = log
        self.filters = filters or LogFilters()

    def filename(self) -> str:
        unit = f"-{self.log.unit.code}" if self.log is not None and self.log.unit else ""
        return f"nhat-ky-{self.year.year}-{self.year.unit_level.code}{unit}.xlsx"

    def fill(self, workbook) -> None:
        if self.log is None:
            self.log = log_scope(self.year, full=True)
        self.sheet_title = _("Nhật ký thay đổi")
        super().fill(workbook)

    def title_rows(self):
        subject = _("Nhật ký thay đổi")
        if self.log.unit is not None:
            subject = f"{subject} · {self.log.unit.name}"
        return year_title_rows(self.year, subject)[:1]

    def columns(self):
        return [
            Column(_("Lúc"), 19),
            Column(_("Người thực hiện"), 28),
            Column(_("Đường thực hiện"), 18),
            Column(_("Nguồn"), 30),
            Column(_("Loại thay đổi"), 20),
            Column(_("Đơn vị"), 20),
            Column(_("Mã"), 8),
            Column(_("Đối tượng"), 28),
            Column(_("Thay đổi (cũ → mới)"), 48),
            Column(_("Ghi chú"), 30),
        ]

    def rows(self):
        events = log_events(self.log, self.filters).iterator(chunk_size=CHUNK)
        for line in log_lines(self.log, events):
            yield [
                timezone.localtime(line.at).strftime("%d/%m/%Y %H:%M:%S"),
                line.who,
                line.path,
                line.source,
                line.kind,
                line.unit,
                line.code,
                line.target,
                line.changes_text,
                line.note,
            ]
