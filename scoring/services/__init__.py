"""Every write of consequence: keyword-only, in a transaction, checking who may do it and when.

One module per kind of work; import from here.
"""

from .frameworks import NodeSpec, create_framework
from .results import AdjustmentRecord, LeafRecord, import_results
from .years import advance_year, create_year

__all__ = [
    "AdjustmentRecord",
    "LeafRecord",
    "NodeSpec",
    "advance_year",
    "create_framework",
    "create_year",
    "import_results",
]
