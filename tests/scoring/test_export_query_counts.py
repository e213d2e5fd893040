"""The Excel downloads cost the same number of queries for 13 units as for 130."""

import pytest
from django.urls import reverse

from scoring.demo.synthetic import build_level
from scoring.models import Assessment, Evidence, EvidenceLink, LeafScore

from .export_helpers import content

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("n_units", [13, 130])
def test_matrix_query_count_does_not_grow_with_units(
    as_user, appraiser, django_assert_num_queries, n_units
):
    _, year = build_level(n_units)
    client = as_user(appraiser)
    # session, user, groups, memberships, the year with framework and level; the report's
    # size (``jobs.year_scores``: a large one goes to a background job); the export (5, pinned
    # alone in test_export_matrix.py): the tree, assessments with units, adjustment sums, the
    # totals summed by the database, the leaf scores once.
    with django_assert_num_queries(11):
        response = client.get(reverse("matrix_xlsx", args=[year.pk]))
        body = content(response)
    assert response.status_code == 200
    assert len(body) > 1000


@pytest.mark.parametrize("n_units", [13, 130])
def test_ranking_download_query_count_does_not_grow_with_units(
    as_user, appraiser, django_assert_num_queries, n_units
):
    _, year = build_level(n_units)
    client = as_user(appraiser)
    # session, user, groups, memberships, the year; the report's size (``jobs.year_scores``);
    # last year's lookup, both trees, bands, both years' assessments, adjustment sums and leaf
    # sums (one aggregate); the units' reorganisations; the re-openings.
    with django_assert_num_queries(14):
        response = client.get(reverse("ranking_xlsx", args=[year.pk]))
        content(response)
    assert response.status_code == 200


@pytest.mark.parametrize("n_units", [13, 130])
def test_scorecard_download_query_count_does_not_grow_with_units_or_evidence(
    as_user, appraiser, django_assert_num_queries, n_units
):
    _, year = build_level(n_units)
    assessment = Assessment.objects.filter(year=year).select_related("unit").first()
    unit = assessment.unit
    for n, leaf in enumerate(LeafScore.objects.filter(assessment=assessment)[:4]):
        document = Evidence.objects.create(
            assessment=assessment,
            file=f"evidence/x/{n}.pdf",
            original_name=f"{n}.pdf",
            content_type="application/pdf",
            size=1,
        )
        EvidenceLink.objects.create(evidence=document, leaf=leaf)
    client = as_user(appraiser)
    # session, user, groups, memberships, the assessment with year, framework, level and unit,
    # tree, this unit's leaves, its adjustments with kinds, the year's results for its rank
    # (assessments, adjustment sums, leaf scores), and its evidence with documents; the report's
    # size (``jobs.year_scores``: a large one goes to a background job).
    with django_assert_num_queries(13):
        response = client.get(reverse("scorecard_xlsx", args=[year.pk, unit.code]))
        content(response)
    assert response.status_code == 200
