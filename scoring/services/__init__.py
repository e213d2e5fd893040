"""Every write of consequence: keyword-only, in a transaction, checking who may do it and when.

One module per kind of work; import from here.
"""

from .appraisal import AppraisalEntry, appraisable_fields, appraise_leaves
from .frameworks import NodeSpec, create_framework
from .results import AdjustmentRecord, LeafRecord, import_results
from .self_assessment import (
    Attachment,
    ConflictError,
    LeafEntry,
    add_evidence,
    remove_evidence_link,
    save_field,
    save_leaves,
    submit_assessment,
    withdraw_assessment,
)
from .years import advance_year, create_year

__all__ = [
    "AdjustmentRecord",
    "AppraisalEntry",
    "Attachment",
    "ConflictError",
    "LeafEntry",
    "LeafRecord",
    "NodeSpec",
    "add_evidence",
    "advance_year",
    "appraisable_fields",
    "appraise_leaves",
    "create_framework",
    "create_year",
    "import_results",
    "remove_evidence_link",
    "save_field",
    "save_leaves",
    "submit_assessment",
    "withdraw_assessment",
]
