"""The counters that say whether a level's results may have changed (``models.versions``)."""

from __future__ import annotations

from ..models.versions import STRUCTURE, ResultsVersion, level_scope


def results_versions(level_id: int) -> tuple[int, int]:
    """The level's counter and the shared structure's (units, successions, frameworks): one
    query, by primary key. A page drawn from the level's results is the same page as long as
    both are unchanged (and the code, the language and the reader's view of it)."""
    found = dict(
        ResultsVersion.objects.filter(scope__in=[level_scope(level_id), STRUCTURE]).values_list(
            "scope", "version"
        )
    )
    return found.get(level_scope(level_id), 0), found.get(STRUCTURE, 0)
