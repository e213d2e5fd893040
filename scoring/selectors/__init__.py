"""Every read a page needs, in a fixed number of queries whatever the number of units and leaves.

Selectors fetch plain rows and hand them to ``calculations``; no template ever triggers a query.
"""

from .appraisal import AppraisalPage, WorkItem, appraisal_page, worklist
from .entry import (
    EntryPage,
    entry_page,
    entry_rows,
    entry_statuses,
    is_open,
    leaf_history,
    shown_leaves,
    why_locked,
    window_open,
)
from .results import (
    NodeRow,
    Ranking,
    RankingRow,
    Scorecard,
    ScorecardLine,
    Tree,
    UnitResult,
    framework_tree,
    previous_year,
    unit_scorecard,
    units_of,
    year_ranking,
    year_results,
    years_for,
)

__all__ = [
    "AppraisalPage",
    "EntryPage",
    "NodeRow",
    "Ranking",
    "RankingRow",
    "Scorecard",
    "ScorecardLine",
    "Tree",
    "UnitResult",
    "WorkItem",
    "appraisal_page",
    "entry_page",
    "entry_rows",
    "entry_statuses",
    "framework_tree",
    "is_open",
    "leaf_history",
    "previous_year",
    "shown_leaves",
    "unit_scorecard",
    "units_of",
    "why_locked",
    "window_open",
    "worklist",
    "year_ranking",
    "year_results",
    "years_for",
]
