"""Every write of consequence: keyword-only, in a transaction, checking who may do it and when.

One module per kind of work; import from here.
"""

from .appraisal import AppraisalEntry, appraisable_fields, appraise_leaves
from .concurrency import Conflict, ConflictError, check_version
from .explanation import (
    Answer,
    answer_explanations,
    explanation_open,
    save_explanations,
    submit_explanations,
    withdraw_explanations,
)
from .frameworks import (
    NodeSpec,
    clone_framework,
    copy_previous_framework,
    create_framework,
    replace_framework,
)
from .history import HistoricalResult, import_historical_year
from .interior import SurveyScore, save_survey, set_assignments
from .ledger import add_adjustment, remove_adjustment
from .results import AdjustmentRecord, LeafRecord, import_results
from .self_assessment import (
    Attachment,
    LeafEntry,
    add_evidence,
    remove_evidence_link,
    save_field,
    save_leaves,
    submit_assessment,
    withdraw_assessment,
)
from .years import (
    advance_year,
    band_text,
    create_year,
    new_year_from,
    reopen_year,
    set_deadlines,
    set_year_settings,
    settings_problems,
    step_back_year,
)

__all__ = [
    "AdjustmentRecord",
    "Answer",
    "AppraisalEntry",
    "Attachment",
    "Conflict",
    "ConflictError",
    "HistoricalResult",
    "LeafEntry",
    "LeafRecord",
    "NodeSpec",
    "SurveyScore",
    "add_adjustment",
    "add_evidence",
    "advance_year",
    "answer_explanations",
    "appraisable_fields",
    "appraise_leaves",
    "band_text",
    "check_version",
    "clone_framework",
    "copy_previous_framework",
    "create_framework",
    "create_year",
    "explanation_open",
    "import_historical_year",
    "import_results",
    "new_year_from",
    "remove_adjustment",
    "remove_evidence_link",
    "reopen_year",
    "replace_framework",
    "save_explanations",
    "save_field",
    "save_leaves",
    "save_survey",
    "set_assignments",
    "set_deadlines",
    "set_year_settings",
    "settings_problems",
    "step_back_year",
    "submit_assessment",
    "submit_explanations",
    "withdraw_assessment",
    "withdraw_explanations",
]
