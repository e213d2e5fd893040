"""Charts of the results, drawn with matplotlib: SVG for the pages, PNG for the Word reports."""

from .base import Bar, Chart, ProfileField, Series, vn_number
from .kinds import field_profile, index_distribution, over_the_years, ranking_bars

__all__ = [
    "Bar",
    "Chart",
    "ProfileField",
    "Series",
    "field_profile",
    "index_distribution",
    "over_the_years",
    "ranking_bars",
    "vn_number",
]
