"""Charts for the pages, built in the template from what the view already loaded (no query)."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.utils.translation import gettext as _

from .. import charts
from ..selectors.results import Ranking

register = template.Library()


@dataclass(frozen=True)
class RankingCharts:
    bars: charts.Chart
    distribution: charts.Chart


@register.simple_tag
def ranking_charts(ranking: Ranking, own_unit_ids=frozenset()) -> RankingCharts:
    """The ranking page's two charts: the index of every ranked unit as bars (the reader's own
    units highlighted) and how many units fall in each bracket of the index. The whole
    ranking, whatever band the table is filtered to; units not ranked yet (leaves left to
    score) have no bar value, their index being partial."""
    year = ranking.year
    own = set(own_unit_ids or ())
    bars = [
        charts.Bar(
            label=row.unit.name,
            value=row.total.shown_index if row.rank else None,
            highlight=row.unit.id in own,
        )
        for row in ranking.rows
    ]
    values = [row.total.shown_index for row in ranking.rows if row.rank]
    names = {"year": year.year, "level": year.unit_level.name}
    return RankingCharts(
        bars=charts.ranking_bars(
            bars,
            ranking.bands,
            title=_("Chỉ số CCHC năm %(year)s của từng đơn vị · %(level)s") % names,
        ),
        distribution=charts.index_distribution(
            values,
            ranking.bands,
            title=_("Số đơn vị theo khoảng chỉ số năm %(year)s · %(level)s") % names,
        ),
    )
