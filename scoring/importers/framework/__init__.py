"""A framework from the Excel template: one row per field, criterion or sub-criterion.

The template comes pre-filled with the year's current framework (``template``); the importer
(``reader``) checks every row and then the tree's sums with the same checks
``services.frameworks.create_framework`` applies, and previews the difference with the year's
current framework before anything is written.
"""

from .layout import COLUMNS, RULES_SHEET, SHEET, columns_help, node_params_text, params_text
from .reader import FrameworkImporter
from .template import EXAMPLE_MAX, EXAMPLES, PARAMS_HELP, framework_template

__all__ = [
    "COLUMNS",
    "EXAMPLES",
    "EXAMPLE_MAX",
    "PARAMS_HELP",
    "RULES_SHEET",
    "SHEET",
    "FrameworkImporter",
    "columns_help",
    "framework_template",
    "node_params_text",
    "params_text",
]
