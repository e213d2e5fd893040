"""Excel imports, one importer class each, behind one contract (``base.Importer``)."""

from .base import (
    Change,
    ColumnSpec,
    Importer,
    ImportFailed,
    Plan,
    Problem,
    Table,
    open_workbook,
    read_table,
)

__all__ = [
    "Change",
    "ColumnSpec",
    "ImportFailed",
    "Importer",
    "Plan",
    "Problem",
    "Table",
    "open_workbook",
    "read_table",
]
