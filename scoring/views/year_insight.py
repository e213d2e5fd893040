"""A level's year: the common gaps (with the year's most improved units), under the ranking's
rule (appraised results only), and the units by over-claim, which holds every unit's
self-scores: the Interior Department's alone (``access.get_year_for_level_insight``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from units.roles import roles_of

from .. import access
from ..analysis import stats
from ..rules import ZERO
from ..selectors.results import framework_tree
from ..selectors.year_insight import (
    common_gaps,
    improvements_since_previous,
    overclaim_table,
)


def _members_phrase(year) -> str:
    return year.unit_level.members_phrase or ""


@require_GET
@login_required
def year_gaps(request, year_id: int):
    roles = roles_of(request.user)
    year = access.get_year_for_ranking(roles, year_id)
    tree = framework_tree(year.framework_id)
    gaps = common_gaps(year, tree=tree)
    fields = tree.fields
    # ?field=<code> keeps one field's leaves; an unknown code shows them all, with a message.
    field_code = request.GET.get("field", "")
    field_codes = [f.code for f in fields]
    unknown_field = field_code if field_code and field_code not in field_codes else ""
    shown = [g for g in gaps if g.field_code == field_code] if field_code in field_codes else gaps
    previous, improved = improvements_since_previous(year)
    return render(
        request,
        "scoring/year_insight/gaps.html",
        {
            "year": year,
            "gaps": shown,
            "top_gap": gaps[0] if gaps else None,
            "fields": fields,
            "field": "" if unknown_field else field_code,
            "unknown_field": unknown_field,
            "improved": [i for i in improved if i.index_change > ZERO],
            "compared_units": len(improved),
            "previous": previous,
            "members_phrase": _members_phrase(year),
            "printed_on": timezone.localdate(),
        },
    )


@require_GET
@login_required
def year_overclaim(request, year_id: int):
    roles = roles_of(request.user)
    year = access.get_year_for_level_insight(roles, year_id)
    tree = framework_tree(year.framework_id)
    rows = overclaim_table(year, tree=tree)
    return render(
        request,
        "scoring/year_insight/overclaim.html",
        {
            "year": year,
            "rows": rows,
            "fields": tree.fields,
            "show_fields": request.GET.get("fields") == "1",
            "mean_self": stats.mean(r.self_points for r in rows),
            "mean_appraised": stats.mean(r.appraised_points for r in rows),
            "mean_difference": stats.mean(r.difference for r in rows),
            "over": sum(1 for r in rows if r.difference > ZERO),
            "members_phrase": _members_phrase(year),
            "printed_on": timezone.localdate(),
        },
    )


urlpatterns = [
    path("years/<int:year_id>/gaps/", year_gaps, name="year_gaps"),
    path("years/<int:year_id>/overclaim/", year_overclaim, name="year_overclaim"),
]
