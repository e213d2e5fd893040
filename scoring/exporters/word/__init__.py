"""Word reports (python-docx), under the same contract as the workbooks."""

from .base import DOCX, DocxExporter, Report, clean
from .unit import UnitReportExporter
from .year import YearReportExporter

__all__ = ["DOCX", "DocxExporter", "Report", "UnitReportExporter", "YearReportExporter", "clean"]
