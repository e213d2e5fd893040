"""A published year re-opened for a correction can re-score any leaf; appraisal leaves the
unit's own traces alone; the survey is never scored leaf by leaf."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from scoring import selectors
from scoring.models import AssessmentYear, FrameworkNode, LeafScore
from scoring.services import AppraisalEntry, appraise_leaves, reopen_year, save_survey
from units.roles import roles_of

pytestmark = pytest.mark.django_db


def node(year, code):
    return FrameworkNode.objects.get(framework_id=year.framework_id, code=code)


def vq_leaf(year, code):
    return LeafScore.objects.get(
        assessment__year=year, assessment__unit__code="vu-quang", node__code=code
    )


def test_a_reopened_year_corrects_a_leaf_that_was_not_flagged(
    as_user, interior_admin, viewer, year_2022
):
    admin = roles_of(interior_admin)
    reopen_year(year=year_2022, roles=admin, user=interior_admin, reason="Khiếu nại 1.5.1")
    year = AssessmentYear.objects.get(pk=year_2022.pk)
    assessment = vq_leaf(year, "1.5.1").assessment
    appraise_leaves(
        assessment=assessment,
        roles=admin,
        user=interior_admin,
        round_no=2,
        entries=[AppraisalEntry(node(year, "1.5.1").id, 0, Decimal("2"))],
    )
    assert vq_leaf(year, "1.5.1").final_score == Decimal("2")
    client = as_user(interior_admin)
    client.post(reverse("year_state", args=[year.pk]), {"confirm": "on", "to_state": "published"})
    year.refresh_from_db()
    assert year.is_published
    result = next(r for r in selectors.year_results(year) if r.unit.code == "vu-quang")
    assert result.total.points == Decimal("91.30")  # 89.30 + the 2 points corrected
    html = as_user(viewer).get(reverse("ranking", args=[year.pk])).content.decode()
    assert "91,30" in html
    assert "Khiếu nại 1.5.1" in html


def test_appraising_does_not_touch_the_units_last_saved(appraiser, year_2023):
    leaf = vq_leaf(year_2023, "1.3.2")
    before = (leaf.updated_at, leaf.updated_by_id, leaf.version)
    appraise_leaves(
        assessment=leaf.assessment,
        roles=roles_of(appraiser),
        user=appraiser,
        round_no=1,
        entries=[AppraisalEntry(leaf.node_id, 0, Decimal("1"))],
    )
    leaf.refresh_from_db()
    assert (leaf.updated_at, leaf.updated_by_id, leaf.version) == before
    assert (leaf.r1_score, leaf.appraised_by) == (Decimal("1"), appraiser)


def test_the_appraisal_refuses_survey_leaves(appraiser, year_2023):
    leaf = vq_leaf(year_2023, "10.1")
    with pytest.raises(ValidationError, match="bảng điều tra"):
        appraise_leaves(
            assessment=leaf.assessment,
            roles=roles_of(appraiser),
            user=appraiser,
            round_no=1,
            entries=[
                AppraisalEntry(leaf.node_id, leaf.appraisal_version, Decimal("5"), flagged=True)
            ],
        )
    leaf.refresh_from_db()
    assert not leaf.flagged


def test_the_survey_service_refuses_a_unit_officer_whatever_the_years_state(officer_a, year_2024):
    with pytest.raises(PermissionDenied):
        save_survey(year=year_2024, roles=roles_of(officer_a), user=officer_a, scores={})
