"""Separation of duties: an Interior Department account holds no unit role, and a unit's staff
appraise nothing, whichever path grants the role (the Django admin, the accounts page, the
shell); accounts holding both from older data lose their unit role."""

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from scoring.models import LeafScore
from units.models import Membership, Unit
from units.roles import CONFLICT_MESSAGE, GROUP_APPRAISER, GROUP_VIEWER, roles_of

pytestmark = pytest.mark.django_db

VQ = "vu-quang"
REFUSED = "Tách bạch nhiệm vụ"
FIELD_2 = ["2.1.1", "2.2.1", "2.2.2", "2.2.3", "2.3.1"]  # the leaves of field 2 a unit fills


def vu_quang():
    return Unit.objects.get(code=VQ)


def add_membership(client, user, role):
    return client.post(
        reverse("admin:units_membership_add"),
        {"user": user.pk, "unit": vu_quang().pk, "role": role},
    )


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("sep", password="Rat-kho-doan-1")


def user_form(user, **changes):
    """The admin's user change form as the browser posts it, with ``changes`` applied."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "is_superuser": "on" if user.is_superuser else "",
        "groups": [g.pk for g in user.groups.all()],
        "user_permissions": [],
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "initial-date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "initial-date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


# --- the issue, through the Django admin --------------------------------------------------


def test_an_interior_admin_cannot_make_themselves_a_units_leader_in_the_admin(
    as_user, interior_admin
):
    response = add_membership(as_user(interior_admin), interior_admin, "leader")
    assert response.status_code == 200  # the form again, with the message
    assert REFUSED in response.content.decode()
    assert not Membership.objects.filter(user=interior_admin).exists()
    assert roles_of(User.objects.get(pk=interior_admin.pk)).leader_of == frozenset()


def test_an_interior_admin_cannot_make_the_appraiser_a_unit_officer_in_the_admin(
    as_user, interior_admin, appraiser
):
    response = add_membership(as_user(interior_admin), appraiser, "officer")
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert not Membership.objects.filter(user=appraiser).exists()


def test_the_admin_still_adds_an_ordinary_unit_member(as_user, interior_admin):
    newcomer = User.objects.create_user("vuquang.canbo2")
    response = add_membership(as_user(interior_admin), newcomer, "officer")
    assert response.status_code == 302
    assert newcomer.memberships.get().unit.code == VQ


def test_moving_a_membership_to_an_interior_account_is_refused_in_the_admin(
    as_user, interior_admin, officer_a, appraiser
):
    membership = officer_a.memberships.get()
    response = as_user(interior_admin).post(
        reverse("admin:units_membership_change", args=[membership.pk]),
        {"user": appraiser.pk, "unit": membership.unit_id, "role": "officer"},
    )
    assert response.status_code == 200 and REFUSED in response.content.decode()
    membership.refresh_from_db()
    assert membership.user == officer_a


def test_a_superuser_cannot_put_a_unit_officer_in_the_appraiser_group(
    as_user, superuser, officer_a
):
    appraisers = Group.objects.get(name=GROUP_APPRAISER)
    response = as_user(superuser).post(
        reverse("admin:auth_user_change", args=[officer_a.pk]),
        user_form(officer_a, groups=[appraisers.pk]),
    )
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert not officer_a.groups.exists()


def test_a_superuser_cannot_make_a_unit_officer_superuser(as_user, superuser, officer_a):
    response = as_user(superuser).post(
        reverse("admin:auth_user_change", args=[officer_a.pk]),
        user_form(officer_a, is_superuser="on", is_staff="on"),
    )
    assert response.status_code == 200 and REFUSED in response.content.decode()
    officer_a.refresh_from_db()
    assert not officer_a.is_superuser


def test_a_superuser_still_edits_a_unit_officer_and_gives_the_viewer_group(
    as_user, superuser, officer_a
):
    viewers = Group.objects.get(name=GROUP_VIEWER)
    response = as_user(superuser).post(
        reverse("admin:auth_user_change", args=[officer_a.pk]),
        user_form(officer_a, first_name="Nguyễn", groups=[viewers.pk]),
    )
    assert response.status_code == 302
    officer_a.refresh_from_db()
    assert officer_a.first_name == "Nguyễn"
    assert list(officer_a.groups.values_list("name", flat=True)) == [GROUP_VIEWER]


# --- the shell, commands and imports ------------------------------------------------------


@pytest.mark.parametrize(("who", "role"), [("interior_admin", "leader"), ("appraiser", "officer")])
def test_a_membership_made_in_the_shell_is_refused(request, who, role):
    user = request.getfixturevalue(who)
    with pytest.raises(ValidationError) as refused:
        Membership.objects.create(user=user, unit=vu_quang(), role=role)
    assert refused.value.messages == [str(CONFLICT_MESSAGE)]
    assert not Membership.objects.filter(user=user).exists()


def test_a_superusers_membership_is_refused(superuser):
    with pytest.raises(ValidationError):
        Membership.objects.create(user=superuser, unit=vu_quang(), role="leader")


def test_a_unit_member_added_to_an_interior_group_in_the_shell_is_refused(officer_a, leader_a):
    appraisers = Group.objects.get(name=GROUP_APPRAISER)
    # Each in a savepoint: the related manager's own block is spoiled by the refusal.
    with pytest.raises(ValidationError), transaction.atomic():
        officer_a.groups.add(appraisers)
    with pytest.raises(ValidationError), transaction.atomic():
        appraisers.user_set.add(leader_a)  # the same, from the group's side
    with pytest.raises(ValidationError), transaction.atomic():
        officer_a.groups.set([appraisers])
    assert not officer_a.groups.exists() and not leader_a.groups.exists()
    officer_a.groups.add(Group.objects.get(name=GROUP_VIEWER))  # not the Department's


def test_a_unit_member_made_superuser_in_the_shell_is_refused(officer_a):
    officer_a.is_superuser = True
    with pytest.raises(ValidationError):
        officer_a.save()
    assert not User.objects.get(pk=officer_a.pk).is_superuser


def test_the_accounts_service_keeps_one_role_per_new_account(as_user, interior_admin):
    as_user(interior_admin).post(
        reverse("accounts"),
        {"username": "snv.moi", "full_name": "A", "role": "appraiser", "unit": vu_quang().pk},
    )
    newcomer = User.objects.get(username="snv.moi")
    assert not newcomer.memberships.exists()  # the unit is ignored for a Department role
    assert roles_of(newcomer).is_appraiser


# --- data older than the rule -------------------------------------------------------------


def legacy_membership(user, role):
    """A membership as the admin could make one before the fix (bulk_create skips the guard)."""
    Membership.objects.bulk_create([Membership(user=user, unit=vu_quang(), role=role)])


def test_an_account_holding_both_keeps_only_its_interior_role(interior_admin, appraiser):
    legacy_membership(interior_admin, "leader")
    legacy_membership(appraiser, "officer")
    admin_roles, appraiser_roles = roles_of(interior_admin), roles_of(appraiser)
    assert admin_roles.is_interior_admin and not admin_roles.is_unit_staff
    assert appraiser_roles.is_appraiser and not appraiser_roles.is_unit_staff


def post_field_2(client, year):
    """Field 2 of Vũ Quang's entry as its form posts it, declaring 2.2.1 done."""
    data = {f"{code}-version": "0" for code in FIELD_2}
    data |= {f"{code}-explanation": "" for code in FIELD_2}
    data["2.2.1-d_done"] = "1"
    return client.post(reverse("entry_field", args=[year.pk, VQ, "2"]), data)


def entry_rows(year):
    rows = LeafScore.objects.filter(assessment__year=year, assessment__unit__code=VQ)
    return list(rows.order_by("pk").values())


def test_the_units_own_leader_saves_the_same_post(as_user, leader_a, year_2024):
    # The control of the test below: this POST does change the entry when allowed.
    before = entry_rows(year_2024)
    assert post_field_2(as_user(leader_a), year_2024).status_code == 302
    assert entry_rows(year_2024) != before


@pytest.mark.parametrize(("who", "role"), [("interior_admin", "leader"), ("appraiser", "officer")])
def test_an_account_holding_both_cannot_edit_the_units_entry(
    as_user, request, year_2024, who, role
):
    user = request.getfixturevalue(who)
    legacy_membership(user, role)
    before = entry_rows(year_2024)
    client = as_user(user)
    assert post_field_2(client, year_2024).status_code in (403, 404)
    assert entry_rows(year_2024) == before
    assert client.post(reverse("entry_submit", args=[year_2024.pk, VQ])).status_code in (403, 404)


def test_the_accounts_page_flags_an_account_holding_both(as_user, interior_admin, appraiser):
    legacy_membership(appraiser, "officer")
    page = as_user(interior_admin).get(reverse("accounts")).content.decode()
    row = page.split('data-testid="account-snv.thamdinh"')[1].split("</tr>")[0]
    assert 'data-testid="conflict"' in row
    assert page.count('data-testid="conflict"') == 1
