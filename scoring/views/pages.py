"""Home, ranking, scorecard and history pages: access helper, selector, template."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from units.roles import roles_of

from .. import access, selectors


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
            # Levels with a published year have a history to show.
            "history_levels": list(
                {y.unit_level_id: y.unit_level for y in years if y.is_published}.values()
            ),
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
def history(request, level_code: str):
    level = access.get_level_for_history(level_code)
    return render(request, "scoring/history.html", {"history": selectors.level_history(level)})
