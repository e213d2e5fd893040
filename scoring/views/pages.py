"""Home, ranking, scorecard and history pages: access helper, selector, template."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from units.roles import roles_of

from .. import access, selectors
from ..analysis.story import scorecard_lost, scorecard_story


@require_GET
@login_required
def home(request):
    roles = roles_of(request.user)
    page = selectors.home_page(request.user, roles)
    return render(
        request,
        "scoring/home.html",
        {
            "todo": page.todo,
            "latest_ranking": page.latest_ranking,
            "years": page.years,
            "my_units": page.my_units,
            "history_levels": page.history_levels,
        },
    )


@require_GET
@login_required
def ranking(request, year_id: int):
    roles = roles_of(request.user)
    year = access.get_year_for_ranking(roles, year_id)
    ranking = selectors.year_ranking(year)
    # ?band=Label shows one band's units; an unknown label shows them all, with a message.
    band = request.GET.get("band", "")
    band_labels = [label for label, _ in ranking.bands]
    unknown_band = band if band and band not in band_labels else ""
    rows = (
        [row for row in ranking.rows if row.band == band] if band in band_labels else ranking.rows
    )
    return render(
        request,
        "scoring/ranking.html",
        {
            "ranking": ranking,
            "rows": rows,
            "band": "" if unknown_band else band,
            "unknown_band": unknown_band,
            "show_fields": request.GET.get("fields") == "1",
            "own_unit_ids": roles.unit_ids,
            "printed_on": timezone.localdate(),
        },
    )


@require_GET
@login_required
def scorecard(request, year_id: int, unit_code: str):
    roles = roles_of(request.user)
    assessment = access.get_assessment_for_user(roles, year_id, unit_code)
    card = selectors.unit_scorecard(assessment)
    show_final = access.can_see_final_scores(roles, assessment.year)
    # The year's story and where points were lost: appraised figures, under the same rule.
    lost = [item for item in scorecard_lost(card) if not item.is_survey] if show_final else []
    return render(
        request,
        "scoring/scorecard.html",
        {
            "card": card,
            "year": assessment.year,
            "show_final": show_final,
            "story": scorecard_story(card, lost) if show_final else "",
            "lost": lost,
            "show_self": access.can_see_self_scores(roles, assessment),
            "show_ranking": access.can_see_ranking(roles, assessment.year),
            "printed_on": timezone.localdate(),
        },
    )


@require_GET
@login_required
def history(request, level_code: str):
    level = access.get_level_for_history(level_code)
    return render(
        request,
        "scoring/history.html",
        {"history": selectors.level_history(level), "printed_on": timezone.localdate()},
    )
