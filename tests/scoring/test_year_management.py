"""Creating a year (copying last year's) and setting its deadlines, in the app's own pages."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from scoring.models import AssessmentYear, Framework, LeafScore
from scoring.services import advance_year
from units.models import Unit, UnitLevel
from units.roles import roles_of

pytestmark = pytest.mark.django_db


def level():
    return UnitLevel.objects.get(code="cap-huyen")


def test_a_new_year_copies_last_years_framework_units_and_settings(
    as_user, interior_admin, year_2024
):
    Unit.objects.filter(code="loc-ha").update(is_active=False)  # merged since 2024
    response = as_user(interior_admin).post(
        reverse("year_new"), {"year": "2025", "unit_level": level().pk}
    )
    new = AssessmentYear.objects.get(year=2025)
    assert response.status_code == 302 and response.url == reverse("year_state", args=[new.pk])
    assert new.state == "preparing"
    assert new.framework_id != year_2024.framework_id  # a copy of its own
    assert sorted(new.framework.nodes.values_list("code", flat=True)) == sorted(
        year_2024.framework.nodes.values_list("code", flat=True)
    )
    assert new.framework.tree_problems() == []
    # Lộc Hà, merged away (inactive), is not carried over.
    assert new.assessments.count() == year_2024.assessments.count() - 1 == 12
    assert not new.assessments.filter(unit__code="loc-ha").exists()
    assert (new.tie_policy, new.bonus_max, new.deduction_max) == (
        year_2024.tie_policy,
        year_2024.bonus_max,
        year_2024.deduction_max,
    )


def test_a_new_year_from_a_chosen_framework_takes_every_active_unit(
    as_user, interior_admin, year_2022
):
    Unit.objects.filter(code="loc-ha").update(is_active=False)
    as_user(interior_admin).post(
        reverse("year_new"),
        {"year": "2026", "unit_level": level().pk, "framework": year_2022.framework_id},
    )
    new = AssessmentYear.objects.get(year=2026)
    assert new.assessments.count() == 12
    assert not new.assessments.filter(unit__code="loc-ha").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"year": "2024"}, "đã có"),
        ({"year": "2020"}, "Chưa có năm trước"),
        ({"year": "abc"}, "Nhập một số"),
    ],
    ids=["year exists", "nothing to copy", "not a year"],
)
def test_bad_new_year_input_says_why_and_creates_nothing(as_user, interior_admin, data, message):
    frameworks = Framework.objects.count()
    response = as_user(interior_admin).post(reverse("year_new"), {**data, "unit_level": level().pk})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Framework.objects.count() == frameworks
    assert AssessmentYear.objects.count() == 3


@pytest.mark.parametrize("who", ["appraiser", "officer_a", "viewer"])
def test_only_the_interior_admin_creates_years(as_user, request, who):
    client = as_user(request.getfixturevalue(who))
    assert client.get(reverse("year_new")).status_code == 404
    assert client.post(reverse("year_new"), {"year": "2025"}).status_code == 404


def test_deadlines_are_saved_in_order_or_refused(as_user, interior_admin, year_2024):
    client = as_user(interior_admin)
    url = reverse("year_deadlines", args=[year_2024.pk])
    opens = year_2024.self_assessment_opens
    response = client.post(
        url,
        {
            "deadlines-version": year_2024.version,
            "deadlines-self_assessment_opens": "2026-12-01T07:00",
            "deadlines-self_assessment_closes": "2026-11-01T17:00",  # before it opens
        },
        follow=True,
    )
    assert "theo đúng thứ tự" in response.content.decode()
    year_2024.refresh_from_db()
    assert year_2024.self_assessment_opens == opens
    client.post(
        url,
        {
            "deadlines-version": year_2024.version,
            "deadlines-self_assessment_opens": "2026-11-01T07:00",
        },
    )
    year_2024.refresh_from_db()
    assert year_2024.self_assessment_opens.strftime("%Y-%m-%d") == "2026-11-01"


def test_an_appraiser_cannot_change_deadlines(as_user, appraiser, year_2024):
    response = as_user(appraiser).post(
        reverse("year_deadlines", args=[year_2024.pk]),
        {"self_assessment_opens": "2026-11-01T07:00"},
    )
    assert response.status_code == 403


def test_the_explanation_round_needs_a_deadline_in_the_future(interior_admin, year_2023):
    LeafScore.objects.filter(assessment__year=year_2023, r1_score__isnull=True).update(r1_score=0)
    for deadline in (None, timezone.now() - dt.timedelta(hours=1)):
        with pytest.raises(ValidationError, match="hạn giải trình"):
            advance_year(
                year=year_2023,
                roles=roles_of(interior_admin),
                to_state="explanation",
                explanation_closes=deadline,
            )
    year_2023.refresh_from_db()
    assert year_2023.state == "appraisal"


def test_publication_waits_for_round_2_of_every_flagged_leaf(interior_admin, year_2023):

    LeafScore.objects.filter(assessment__year=year_2023, r1_score__isnull=True).update(r1_score=0)
    LeafScore.objects.filter(
        assessment__year=year_2023, assessment__unit__code="can-loc", node__code="1.1.1"
    ).update(flagged=True)
    AssessmentYear.objects.filter(pk=year_2023.pk).update(state="final_appraisal")
    with pytest.raises(ValidationError) as exc:
        advance_year(year=year_2023, roles=roles_of(interior_admin), to_state="published")
    assert exc.value.messages == [
        "Huyện Can Lộc · lĩnh vực 1: còn 1 tiêu chí yêu cầu giải trình chưa thẩm định lại (1.1.1)"
    ]
