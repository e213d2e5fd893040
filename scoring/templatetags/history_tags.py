"""The history page's charts: every unit's index (and rank) over the years, the reader's own
unit(s) or the one chosen with ``?unit=<code>`` in colour, the others grey behind them.

A template tag, so that the view stays as it is: the page's context already has the history,
the request and the signed-in person's roles (``units.context_processors.roles``)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django import template
from django.utils.translation import gettext as _

from ..charts import Chart, Series, over_the_years
from ..selectors.reports import History, HistoryRow

register = template.Library()

# Up to this many units, and nobody chosen, every line is in colour (the charts have four
# colours); above it, lines are grey until a unit is chosen.
ALL_IN_COLOUR = 4


@dataclass
class HistoryCharts:
    index: Chart
    rank: Chart
    highlighted: list[HistoryRow]
    highlighted_codes: set[str]
    chosen: str  # the ?unit= code when it names a unit of the history, else ""
    unknown: str  # a ?unit= code that names none


def _matches(row: HistoryRow, code: str) -> bool:
    return any(unit.code == code for unit in row.members or [row.unit])


def _is_own(row: HistoryRow, unit_ids: Collection[int]) -> bool:
    return any(unit.id in unit_ids for unit in row.members or [row.unit])


def history_charts_for(
    history: History, own_unit_ids: Collection[int], chosen: str = ""
) -> HistoryCharts:
    chosen = (chosen or "").strip()
    rows = history.rows
    if chosen and any(_matches(row, chosen) for row in rows):
        highlighted = [row for row in rows if _matches(row, chosen)]
        unknown = ""
    else:
        unknown, chosen = chosen, ""
        highlighted = [row for row in rows if _is_own(row, own_unit_ids)]
        if not highlighted and len(rows) <= ALL_IN_COLOUR:
            highlighted = list(rows)
    marked = {id(row) for row in highlighted}
    years = [year.year for year in history.years]
    level = history.level.name
    index = over_the_years(
        [Series(row.unit.name, row.values, id(row) in marked) for row in rows],
        years,
        title=_("Chỉ số CCHC qua các năm · %(level)s") % {"level": level},
        value_label=_("Chỉ số (%)"),
    )
    rank = over_the_years(
        [
            Series(
                row.unit.name,
                [None if r is None else r.rank for r in row.results],
                id(row) in marked,
            )
            for row in rows
        ],
        years,
        title=_("Hạng qua các năm · %(level)s") % {"level": level},
        value_label=_("Hạng"),
        invert=True,
    )
    return HistoryCharts(
        index=index,
        rank=rank,
        highlighted=highlighted,
        highlighted_codes={row.unit.code for row in highlighted},
        chosen=chosen,
        unknown=unknown,
    )


@register.simple_tag
def history_charts(history: History, roles=None, chosen: str = "") -> HistoryCharts:
    """``{% history_charts history roles request.GET.unit as charts %}``"""
    unit_ids = getattr(roles, "unit_ids", None) or ()
    return history_charts_for(history, unit_ids, chosen)
