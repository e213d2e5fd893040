"""Home, ranking and scorecard pages: access helper, selector, template."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from units.roles import roles_of

from .. import access, selectors
from ..exporters import RankingExporter


@require_GET
@login_required
def home(request):
    roles = roles_of(request.user)
    years = selectors.years_for(roles)
    return render(
        request,
        "scoring/home.html",
        {
            "years": years,
            "my_units": selectors.units_of(roles),
        },
    )


@require_GET
@login_required
def ranking(request, year_id: int):
    roles = roles_of(request.user)
    year = access.get_year_for_ranking(roles, year_id)
    return render(request, "scoring/ranking.html", {"ranking": selectors.year_ranking(year)})


@require_GET
@login_required
def scorecard(request, year_id: int, unit_code: str):
    roles = roles_of(request.user)
    assessment = access.get_assessment_for_user(roles, year_id, unit_code)
    return render(
        request,
        "scoring/scorecard.html",
        {
            "card": selectors.unit_scorecard(assessment),
            "year": assessment.year,
            "show_final": access.can_see_final_scores(roles, assessment.year),
            "show_self": access.can_see_self_scores(roles, assessment),
            "show_ranking": access.can_see_ranking(roles, assessment.year),
        },
    )


@require_GET
@login_required
def ranking_xlsx(request, year_id: int):
    """The ranking as Excel, under the same access rule as the page."""
    roles = roles_of(request.user)
    year = access.get_year_for_ranking(roles, year_id)
    export = RankingExporter(year=year).render()
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
