"""Excel and Word reports, one class each, registered here by identifier."""

from .audit import AuditLogExporter
from .base import Exporter, ExportFile, ListExporter, SheetWriter, WorkbookExporter
from .history import HistoryExporter
from .matrix import MatrixExporter
from .ranking import RankingExporter
from .scorecard import ScorecardExporter
from .word import DocxExporter, UnitReportExporter, YearReportExporter

EXPORTERS: dict[str, type[Exporter]] = {
    exporter.identifier: exporter
    for exporter in (
        RankingExporter,
        MatrixExporter,
        ScorecardExporter,
        HistoryExporter,
        AuditLogExporter,
        UnitReportExporter,
        YearReportExporter,
    )
}

__all__ = [
    "EXPORTERS",
    "AuditLogExporter",
    "DocxExporter",
    "ExportFile",
    "Exporter",
    "HistoryExporter",
    "ListExporter",
    "MatrixExporter",
    "RankingExporter",
    "ScorecardExporter",
    "SheetWriter",
    "UnitReportExporter",
    "WorkbookExporter",
    "YearReportExporter",
]
