"""Excel reports, one class each, registered here by identifier."""

from .base import Exporter, ExportFile, ListExporter
from .ranking import RankingExporter

EXPORTERS: dict[str, type[Exporter]] = {RankingExporter.identifier: RankingExporter}

__all__ = ["EXPORTERS", "ExportFile", "Exporter", "ListExporter", "RankingExporter"]
