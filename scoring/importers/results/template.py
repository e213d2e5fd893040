"""The results import's template: the year's score matrix with empty cells (the matrix export's
very layout, the contract the import reads), and the year's ranking settings."""

from __future__ import annotations

from ...exporters.matrix import MatrixExporter
from .year_settings import settings_sheet


class ResultsTemplate(MatrixExporter):
    """A year being prepared has no scores yet, so its matrix is empty: one row per unit to fill
    in. The sheet "Thiết lập xếp hạng" comes pre-filled with the year's current settings."""

    def filename(self) -> str:
        return f"mau-ket-qua-{self.year.year}-{self.year.unit_level.code}.xlsx"

    def fill(self, workbook) -> None:
        super().fill(workbook)
        settings_sheet(workbook, self.year)
