"""Every read a page needs, in a fixed number of queries whatever the number of units and leaves.

Selectors fetch plain rows and hand them to ``calculations``; no template ever triggers a query.
"""

from .entry import EntryPage, entry_page, entry_statuses, leaf_history
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
    "EntryPage",
    "NodeRow",
    "Ranking",
    "RankingRow",
    "Scorecard",
    "ScorecardLine",
    "Tree",
    "UnitResult",
    "entry_page",
    "entry_statuses",
    "framework_tree",
    "leaf_history",
    "previous_year",
    "unit_scorecard",
    "units_of",
    "year_ranking",
    "year_results",
    "years_for",
]
