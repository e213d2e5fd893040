"""A save that takes the valid leaves and leaves a bad one, and the explanation page's sending,
cost the same number of queries for a few rows as for many (no query per leaf). Compared
between sizes rather than pinned: the pinned counts of the plain pages live in
test_entry_query_counts.py and test_page_query_counts.py."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from scoring.models import Assessment, AssessmentYear, LeafScore
from tests.scoring.appraisal_helpers import VQ_FIELD_1, appraise, entry, leaf
from tests.scoring.test_entry_query_counts import open_field, post_data

pytestmark = pytest.mark.django_db


def count(client, method, url, data=None):
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data or {})
    return response, len(captured)


def partly_bad_save(n_leaves):
    url, officer = open_field(n_leaves)
    client = Client()
    client.force_login(officer)
    client.get(url)  # the session as it will be
    data = post_data(n_leaves, "1", 0)
    data["1.1-score"] = "99"  # one bad leaf; the others are saved
    response, queries = count(client, "post", url, data)
    assert response.status_code == 200
    assert f"Đã lưu {n_leaves - 1} tiêu chí; 1 tiêu chí chưa lưu được: 1.1." in (
        response.content.decode()
    )
    saved = LeafScore.objects.filter(assessment__unit__code=f"q{n_leaves}-u")
    assert saved.count() == n_leaves - 1
    return queries


def test_a_partly_refused_save_costs_the_same_for_3_leaves_as_for_12():
    assert partly_bad_save(3) == partly_bad_save(12)


def sending(leader, year, n):
    """Flag the first ``n`` leaves of field 1 (all appraised already), answer and send them."""
    codes = list(VQ_FIELD_1)[:n]
    LeafScore.objects.filter(assessment__year=year).update(flagged=False)
    LeafScore.objects.filter(
        assessment__year=year, assessment__unit__code="vu-quang", node__code__in=codes
    ).update(flagged=True)
    Assessment.objects.filter(year=year).update(
        explanation_submitted_at=None, explanation_submitted_by=None
    )
    client = Client()
    client.force_login(leader)
    url = reverse("explanation", args=[year.pk, "vu-quang"])
    client.get(url)
    data = {"action": "send"}
    for code in codes:
        data[f"{code}-version"] = leaf(year, code).version
        data[f"{code}-answer"] = f"Giải trình {code} ({n})"
    response, queries = count(client, "post", url, data)
    assert response.status_code == 302
    assert all(leaf(year, code).explanation_answer for code in codes)
    assert Assessment.objects.get(year=year, unit__code="vu-quang").explanation_submitted_by
    return queries


def test_saving_and_sending_the_explanations_costs_the_same_for_2_leaves_as_for_8(
    appraiser, leader_a, year_2023
):
    codes = list(VQ_FIELD_1)
    appraise(appraiser, year_2023, *(entry(year_2023, c, VQ_FIELD_1[c]) for c in codes))
    AssessmentYear.objects.filter(pk=year_2023.pk).update(
        state="explanation", explanation_closes=timezone.now() + dt.timedelta(days=1)
    )
    assert sending(leader_a, year_2023, 2) == sending(leader_a, year_2023, 8)
