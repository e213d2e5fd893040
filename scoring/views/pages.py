"""Home, ranking, scorecard and history pages: access helper, selector, template."""

import hashlib
from functools import cached_property

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET

from cchc.build import BUILD
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


# A ranking page's table and charts stay in the cache this long at most; any change to the
# level's results or to the units moves the key first (``selectors.results_versions``).
RANKING_CACHE_SECONDS = 24 * 3600


@require_GET
@login_required
def ranking(request, year_id: int):
    roles = roles_of(request.user)
    year = access.get_year_for_ranking(roles, year_id)
    # ?band=Label shows one band's units; an unknown label shows them all, with a message.
    band = request.GET.get("band", "")
    show_fields = request.GET.get("fields") == "1"
    printed_on = timezone.localdate()
    page = _LazyRanking(year, band)
    # Everything the cached part depends on besides the data: the code that drew it, the
    # language, the date printed on it, what this reader sees and what the address asks for.
    key = hashlib.sha256(
        repr(
            (
                BUILD,
                year.pk,
                selectors.results_versions(year.unit_level_id),
                translation.get_language(),
                printed_on.isoformat(),
                roles.is_interior_staff,
                sorted(roles.unit_ids),
                band,
                show_fields,
            )
        ).encode()
    ).hexdigest()
    return render(
        request,
        "scoring/ranking.html",
        {
            "year": year,
            # Computed only when the cached part is drawn, never on a cache hit.
            "ranking": SimpleLazyObject(lambda: page.value["ranking"]),
            "rows": SimpleLazyObject(lambda: page.value["rows"]),
            "band": SimpleLazyObject(lambda: page.value["band"]),
            "unknown_band": SimpleLazyObject(lambda: page.value["unknown_band"]),
            "show_fields": show_fields,
            "own_unit_ids": roles.unit_ids,
            "printed_on": printed_on,
            "cache_key": key,
            "cache_seconds": RANKING_CACHE_SECONDS,
        },
    )


class _LazyRanking:
    """The ranking and its band filter, computed once, on first use."""

    def __init__(self, year, band: str):
        self.year, self.band = year, band

    @cached_property
    def value(self) -> dict:
        ranking = selectors.year_ranking(self.year)
        band_labels = [label for label, _ in ranking.bands]
        unknown = self.band if self.band and self.band not in band_labels else ""
        rows = (
            [row for row in ranking.rows if row.band == self.band]
            if self.band in band_labels
            else ranking.rows
        )
        return {
            "ranking": ranking,
            "rows": rows,
            "band": "" if unknown else self.band,
            "unknown_band": unknown,
        }


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
