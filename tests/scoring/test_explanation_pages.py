"""The explanation page shows every flagged leaf, whichever field it sits in."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from scoring.models import AssessmentYear, LeafScore

pytestmark = pytest.mark.django_db


def test_flagged_leaves_of_every_field_are_listed_and_only_they(as_user, officer_a, year_2023):
    LeafScore.objects.filter(
        assessment__year=year_2023,
        assessment__unit__code="vu-quang",
        node__code__in=["2.3.1", "9.1.1"],
    ).update(flagged=True)
    AssessmentYear.objects.filter(pk=year_2023.pk).update(
        state="explanation", explanation_closes=timezone.now() + dt.timedelta(days=5)
    )
    html = as_user(officer_a).get(reverse("explanation", args=[year_2023.pk, "vu-quang"])).content
    html = html.decode()
    assert 'id="leaf-2-3-1"' in html and 'id="leaf-9-1-1"' in html
    assert html.count('<section class="card mb-3" id="leaf-') == 2
