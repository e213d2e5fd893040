"""The ranking and scorecard pages cost the same number of queries for 13 units as for 130."""

import pytest
from django.urls import reverse

from scoring.demo.synthetic import build_level
from scoring.models import Assessment


@pytest.mark.parametrize("n_units", [13, 130])
def test_ranking_page_query_count_does_not_grow_with_units(
    as_user, appraiser, django_assert_num_queries, n_units
):
    _, year = build_level(n_units)
    client = as_user(appraiser)
    # session, user, the user's groups, memberships (roles), the year with framework and level,
    # the level's results counters (the page's cache key); last year's lookup, both years'
    # trees, bands, both years' assessments with units, adjustment sums and leaf sums (one
    # aggregate); the units' reorganisations (lineage, only when there is a last year); the
    # year's re-openings. + the bell's unread notifications (menu).
    with django_assert_num_queries(15):
        response = client.get(reverse("ranking", args=[year.pk]))
    assert response.status_code == 200
    assert len(response.context["ranking"].rows) == n_units
    assert all(row.previous_rank is not None for row in response.context["ranking"].rows)


@pytest.mark.parametrize("n_units", [13, 130])
def test_scorecard_page_query_count_does_not_grow_with_units_or_leaves(
    as_user, appraiser, django_assert_num_queries, n_units
):
    _, year = build_level(n_units)
    unit = Assessment.objects.filter(year=year).select_related("unit").first().unit
    client = as_user(appraiser)
    # session, user, groups, memberships, the assessment with year, framework, level and unit,
    # tree, this unit's leaves, its adjustments with kinds, and the year's results (assessments,
    # leaf scores, adjustment sums) for its rank.
    # + the bell's unread notifications (menu).
    with django_assert_num_queries(12):
        response = client.get(reverse("scorecard", args=[year.pk, unit.code]))
    assert response.status_code == 200
    assert response.context["card"].ranked_units == n_units
