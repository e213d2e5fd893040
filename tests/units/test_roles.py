"""Who is who: roles from groups and memberships, and what the groups may do in the admin."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.urls import reverse

from scoring.models import AppraisalReason
from units.models import Unit
from units.roles import GROUP_INTERIOR_ADMIN, roles_of, sync_role_groups

# Declared here rather than left to fixtures looked up by name, so that pytest-django runs these
# tests before the browser tests, whose flush empties the database.
pytestmark = pytest.mark.django_db


def unit_id(code):
    return Unit.objects.get(code=code).id


def test_anonymous_has_no_role():
    roles = roles_of(AnonymousUser())
    assert not (roles.is_interior_staff or roles.is_unit_staff or roles.is_viewer)


def test_officer_belongs_to_their_unit_only(officer_a):
    roles = roles_of(officer_a)
    assert roles.officer_of == {unit_id("vu-quang")}
    assert roles.leader_of == frozenset()
    assert not roles.is_interior_staff


def test_leader_leads_their_unit(leader_a):
    roles = roles_of(leader_a)
    assert roles.leader_of == {unit_id("vu-quang")}
    assert roles.officer_of == frozenset()


@pytest.mark.parametrize(
    ("who", "admin", "appraises", "views"),
    [
        ("appraiser", False, True, False),
        ("interior_admin", True, False, False),
        ("viewer", False, False, True),
    ],
)
def test_interior_department_and_viewer_roles_come_from_groups(
    request, who, admin, appraises, views
):
    roles = roles_of(request.getfixturevalue(who))
    assert (roles.is_interior_admin, roles.is_appraiser, roles.is_viewer) == (
        admin,
        appraises,
        views,
    )
    assert roles.is_interior_staff == (admin or appraises)
    assert not roles.is_unit_staff


def test_a_membership_in_an_inactive_unit_gives_no_role(officer_a):
    Unit.objects.filter(code="vu-quang").update(is_active=False)
    assert roles_of(officer_a).unit_ids == frozenset()


def test_roles_are_computed_once_per_user_object(officer_a, django_assert_num_queries):
    with django_assert_num_queries(2):  # groups, memberships
        roles_of(officer_a)
        roles_of(officer_a)


def test_sync_role_groups_restores_a_groups_permissions(db):
    group = Group.objects.get(name=GROUP_INTERIOR_ADMIN)
    expected = set(group.permissions.values_list("codename", flat=True))
    group.permissions.clear()
    sync_role_groups()
    assert set(group.permissions.values_list("codename", flat=True)) == expected
    assert "change_unit" in expected
    assert "change_user" not in expected


def test_interior_admin_edits_units_in_the_admin(as_user, interior_admin):
    client = as_user(interior_admin)
    assert client.get(reverse("admin:units_unit_changelist")).status_code == 200
    assert client.get(reverse("admin:units_unit_add")).status_code == 200


def test_interior_admin_only_reads_years_in_the_admin(as_user, interior_admin, year_2022):
    client = as_user(interior_admin)
    assert client.get(reverse("admin:scoring_assessmentyear_changelist")).status_code == 200
    assert client.get(reverse("admin:scoring_assessmentyear_add")).status_code == 403
    response = client.post(
        reverse("admin:scoring_assessmentyear_change", args=[year_2022.pk]), {"state": "preparing"}
    )
    assert response.status_code == 403
    year_2022.refresh_from_db()
    assert year_2022.state == "published"


def test_interior_admin_cannot_manage_accounts_in_the_admin(as_user, interior_admin):
    assert as_user(interior_admin).get(reverse("admin:auth_user_changelist")).status_code == 403


@pytest.mark.parametrize("who", ["appraiser", "officer_a", "viewer"])
def test_others_are_not_let_into_the_admin(as_user, request, who):
    response = as_user(request.getfixturevalue(who)).get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response.url


def test_interior_admin_extends_the_appraisal_reasons_in_the_admin(as_user, interior_admin):
    client = as_user(interior_admin)
    response = client.post(
        reverse("admin:scoring_appraisalreason_add"),
        {"code": "no-report", "label": "Không báo cáo", "order": "9", "is_active": "on"},
    )
    assert response.status_code == 302
    assert AppraisalReason.objects.get(code="no-report").label == "Không báo cáo"
