"""Results of a year before the app was used, read from a score matrix.

The matrix is the very shape the matrix export writes (so a matrix exported from one
installation imports into another), or people's own table of field points: one row per unit, a
column per leaf headed by its code ("1.1.1"), or a column per top-level node ("1" … "10") where
only field points were published; then the year's framework is flattened to its top-level
nodes. Optional "Thưởng" and "Trừ" columns give bonus and deductions. Totals, index and rank
columns are never used: the app computes the year's ranking from the imported scores, and the
preview shows where the file's own figures differ. An optional "Điểm tối đa áp dụng" column
must match the applicable maximum the app computes for the row: field points cannot say which
leaves did not apply to a unit, and a unit whose published maximum was 99 would otherwise be
indexed over 100 without a word. An optional sheet "Thiết lập xếp hạng" gives the year's tie
policy, caps and bands, applied before the year is ranked (``year_settings``).

Modules: ``layout`` (columns and cells), ``year_settings`` (the settings sheet), ``reader``
(the importer), ``plan`` (its preview), ``template`` (the template to download).
"""

from .layout import MATRIX_SHEET, SPECS, Target, columns_help
from .plan import ResultsPayload
from .reader import ResultsImporter
from .template import ResultsTemplate
from .year_settings import SETTINGS_SHEET, read_settings

__all__ = [
    "MATRIX_SHEET",
    "SETTINGS_SHEET",
    "SPECS",
    "ResultsImporter",
    "ResultsPayload",
    "ResultsTemplate",
    "Target",
    "columns_help",
    "read_settings",
]
