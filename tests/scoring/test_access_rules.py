"""The named may-see / may-edit rules of ``scoring.access``, and the one rule of which leaves an
appraiser may edit, asked alike by the appraisal page and the appraisal service."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from scoring import access
from scoring.models import (
    Assessment,
    AssessmentYear,
    FieldAssignment,
    FrameworkNode,
    LeafScore,
    YearReopening,
)
from tests.scoring.appraisal_helpers import appraise, assessment_of, entry, leaf, node_of
from units.roles import roles_of

pytestmark = pytest.mark.django_db

VQ = "vu-quang"


def to_state(year, state, **extra):
    AssessmentYear.objects.filter(pk=year.pk).update(state=state, **extra)
    return AssessmentYear.objects.get(pk=year.pk)


def fresh(year, unit=VQ):
    return Assessment.objects.select_related("year", "unit").get(year=year, unit__code=unit)


# --- the unit's entry and submission ----------------------------------------------------------


def test_only_the_units_staff_edit_an_open_entry(
    officer_a, leader_a, officer_b, appraiser, interior_admin, year_2024
):
    assessment = fresh(year_2024)
    allowed = {
        user.username: access.can_edit_entry(roles_of(user), assessment)
        for user in (officer_a, leader_a, officer_b, appraiser, interior_admin)
    }
    assert allowed == {
        "vuquang.canbo": True,
        "vuquang.lanhdao": True,
        "honglinh.canbo": False,
        "snv.thamdinh": False,
        "snv.quantri": False,
    }
    Assessment.objects.filter(pk=assessment.pk).update(status="submitted")
    assert not access.can_edit_entry(roles_of(officer_a), fresh(year_2024))


def test_only_the_leader_withdraws_a_submission_while_the_window_is_open(
    officer_a, leader_a, year_2024
):
    assessment = fresh(year_2024)
    assert not access.can_withdraw(roles_of(leader_a), assessment)  # nothing submitted
    Assessment.objects.filter(pk=assessment.pk).update(status="submitted")
    assessment = fresh(year_2024)
    assert access.is_leader_of(roles_of(leader_a), assessment)
    assert not access.is_leader_of(roles_of(officer_a), assessment)
    assert access.can_withdraw(roles_of(leader_a), assessment)
    assert not access.can_withdraw(roles_of(officer_a), assessment)
    AssessmentYear.objects.filter(pk=year_2024.pk).update(
        self_assessment_closes=timezone.now() - dt.timedelta(minutes=1)
    )
    assert not access.can_withdraw(roles_of(leader_a), fresh(year_2024))


# --- the explanation round --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "unit_sees"),
    [
        ("appraisal", False),
        ("explanation", True),
        ("final_appraisal", True),
        ("published", True),
    ],
)
def test_flags_reach_the_unit_from_the_explanation_round_on(
    officer_a, appraiser, year_2023, state, unit_sees
):
    year = to_state(year_2023, state)
    assert access.can_see_flags(roles_of(officer_a), year) is unit_sees
    assert access.can_see_flags(roles_of(appraiser), year) is True


def test_the_units_staff_answer_while_the_round_is_open(
    officer_a, leader_a, officer_b, appraiser, year_2023
):
    year = to_state(
        year_2023, "explanation", explanation_closes=timezone.now() + dt.timedelta(days=1)
    )
    assessment = fresh(year)
    assert access.can_edit_explanation(roles_of(officer_a), assessment)
    assert access.can_edit_explanation(roles_of(leader_a), assessment)
    assert not access.can_edit_explanation(roles_of(officer_b), assessment)
    assert not access.can_edit_explanation(roles_of(appraiser), assessment)
    to_state(year, "explanation", explanation_closes=timezone.now() - dt.timedelta(seconds=1))
    assert not access.can_edit_explanation(roles_of(officer_a), fresh(year))


# --- the ledger -------------------------------------------------------------------------------


def test_the_ledger_is_edited_by_admins_during_the_appraisal(
    interior_admin, appraiser, year_2022, year_2023, year_2024
):
    admin, reader = roles_of(interior_admin), roles_of(appraiser)
    assert access.can_edit_ledger(admin, year_2023)
    assert not access.can_edit_ledger(reader, year_2023)
    assert not access.can_edit_ledger(admin, year_2022)  # published
    assert not access.can_edit_ledger(admin, year_2024)  # self-assessment
    assert access.get_assessment_for_ledger(reader, year_2023.pk, VQ).unit.code == VQ


# --- which leaves an appraiser may edit -------------------------------------------------------


def test_the_scope_follows_the_round_and_the_assignments(
    interior_admin, appraiser, viewer, year_2023, year_2024
):
    fields = FrameworkNode.objects.filter(framework_id=year_2023.framework_id, parent=None)
    other = node_of(year_2023, "1").id
    FieldAssignment.objects.filter(year=year_2023, appraiser=appraiser, field_id=other).delete()
    assigned = set(
        FieldAssignment.objects.filter(year=year_2023, appraiser=appraiser).values_list(
            "field_id", flat=True
        )
    )
    assert assigned and other not in assigned
    admin = access.appraisal_scope(roles_of(interior_admin), year_2023, interior_admin)
    assert (admin.round_no, admin.fields) == (1, None)
    assert admin.may_edit_field(other)
    scope = access.appraisal_scope(roles_of(appraiser), year_2023, appraiser)
    assert scope.fields == frozenset(assigned)
    assert not scope.may_edit_field(other)
    assert all(scope.may_edit_field(field_id) for field_id in assigned)
    nobody = access.appraisal_scope(roles_of(viewer), year_2023, viewer)
    assert not any(nobody.may_edit_field(f.id) for f in fields)
    # Outside the rounds nobody edits.
    closed = access.appraisal_scope(roles_of(interior_admin), year_2024, interior_admin)
    assert closed.round_no is None
    assert not closed.may_edit_field(other)


def test_survey_and_not_applicable_leaves_are_never_appraised(interior_admin, year_2023):
    scope = access.appraisal_scope(roles_of(interior_admin), year_2023, interior_admin)
    survey = FrameworkNode.objects.filter(framework_id=year_2023.framework_id, rule="survey")[0]
    assert "bảng điều tra" in scope.why_not_leaf(survey, None)
    node = node_of(year_2023, "1.3.2")
    row = leaf(year_2023, "1.3.2") or LeafScore(node=node)
    assert scope.why_not_leaf(node, row) is None
    row.not_applicable = True
    assert "không áp dụng" in scope.why_not_leaf(node, row)


def page_forms(client, year, field="1"):
    response = client.get(reverse("appraise_field", args=[year.pk, VQ, field]))
    assert response.status_code == 200
    return {row.node.code for row, form in response.context["rows"] if form is not None}


def test_round_2_the_page_and_the_service_agree_on_the_flagged_leaves(
    as_user, interior_admin, year_2023
):
    appraise(
        interior_admin,
        year_2023,
        entry(year_2023, "1.3.2", "0.75", "late", flagged=True),
        entry(year_2023, "1.4.2", "0.5", "late"),
    )
    year = to_state(year_2023, "final_appraisal")
    client = as_user(interior_admin)
    assert page_forms(client, year) == {"1.3.2"}
    # The service refuses the leaf the page does not offer, with the rule's own words.
    with pytest.raises(ValidationError, match="Chỉ thẩm định lại tiêu chí đã yêu cầu giải trình"):
        appraise(interior_admin, year, entry(year, "1.4.2", "1"), round_no=2)
    appraise(interior_admin, year, entry(year, "1.3.2", "1"), round_no=2)
    assert leaf(year, "1.3.2").r2_score == 1
    # A published year reopened for a correction: every leaf, on the page and in the service.
    YearReopening.objects.create(year=year, reason="Sửa sai sót", by=interior_admin)
    offered = page_forms(client, year)
    assert {"1.3.2", "1.4.2"} <= offered
    appraise(interior_admin, year, entry(year, "1.4.2", "1"), round_no=2)
    assert leaf(year, "1.4.2").r2_score == 1


def test_a_not_applicable_leaf_has_no_form_and_the_service_refuses_it(
    as_user, interior_admin, year_2023
):
    node = FrameworkNode.objects.filter(
        framework_id=year_2023.framework_id, allows_na=True, filled_by="unit"
    ).first()
    LeafScore.objects.update_or_create(
        assessment=assessment_of(year_2023),
        node=node,
        defaults={"not_applicable": True, "na_reason": "Không phát sinh"},
    )
    offered = page_forms(as_user(interior_admin), year_2023, node.field_code)
    assert offered and node.code not in offered
    with pytest.raises(ValidationError, match="không áp dụng"):
        appraise(interior_admin, year_2023, entry(year_2023, node.code, "0"))
