"""The audit trail of accounts: every change of an account, its groups or its memberships is
one line, old → new, from the app's accounts page, the Django admin or the shell; a password is
never written down."""

import re

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from scoring.models.audit import AuditEvent
from units.models import AccountState, Membership, Unit

pytestmark = pytest.mark.django_db

Kind, Path = AuditEvent.Kind, AuditEvent.Path


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("sep", password="Rat-kho-doan-1")


@pytest.fixture
def lines():
    """``lines()``: the account and membership lines written since the test began."""
    start = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    def new_lines():
        return list(
            AuditEvent.objects.filter(
                pk__gt=start, kind__in=[Kind.ACCOUNT, Kind.MEMBERSHIP]
            ).order_by("pk")
        )

    return new_lines


def unit(code="vu-quang"):
    return Unit.objects.get(code=code)


def no_password_in(line, *passwords):
    text = f"{line.changes} {line.note} {line.target} {line.source}"
    return not any(p in text for p in passwords) and "pbkdf2" not in text


# --- the app's accounts page --------------------------------------------------------------


def test_creating_an_officer_is_one_line_without_the_password(as_user, interior_admin, lines):
    response = as_user(interior_admin).post(
        reverse("accounts"),
        {
            "username": "vuquang.canbo2",
            "full_name": "Nguyễn An",
            "role": "officer",
            "unit": unit().pk,
        },
        follow=True,
    )
    password = re.search(r"Mật khẩu tạm: ([a-z0-9-]+)", response.content.decode()).group(1)
    [line] = lines()  # not a second line for the membership the account comes with
    assert (line.kind, line.path, line.unit, line.actor) == (
        Kind.ACCOUNT,
        Path.PAGE,
        unit(),
        interior_admin,
    )
    assert line.target == "vuquang.canbo2"
    assert line.changes["role"] == [None, "officer"]
    assert line.changes["unit"] == [None, "Huyện Vũ Quang"]
    assert no_password_in(line, password)


def test_a_temporary_password_is_one_line_without_the_password(
    as_user, interior_admin, viewer, lines
):
    response = as_user(interior_admin).post(reverse("account_reset", args=[viewer.pk]), follow=True)
    password = re.search(r"xem: ([a-z0-9-]+)", response.content.decode()).group(1)
    [line] = lines()
    assert (line.kind, line.target, line.actor) == (Kind.ACCOUNT, "xem", interior_admin)
    assert line.changes == {"must_change_password": [False, True]}
    assert no_password_in(line, password)


def test_deactivating_and_reactivating_are_one_line_each(as_user, interior_admin, viewer, lines):
    client = as_user(interior_admin)
    client.post(reverse("account_active", args=[viewer.pk]), {"active": "0"})
    client.post(reverse("account_active", args=[viewer.pk]), {"active": "0"})  # a stale click
    client.post(reverse("account_active", args=[viewer.pk]), {"active": "1"})
    assert [(line.kind, line.changes) for line in lines()] == [
        (Kind.ACCOUNT, {"is_active": [True, False]}),
        (Kind.ACCOUNT, {"is_active": [False, True]}),
    ]


def test_a_refused_change_writes_no_line(as_user, interior_admin, lines):
    as_user(interior_admin).post(
        reverse("admin:units_membership_add"),
        {"user": interior_admin.pk, "unit": unit().pk, "role": "leader"},
    )
    assert lines() == []


# --- the Django admin ---------------------------------------------------------------------


def test_membership_add_change_and_removal_in_the_admin(as_user, superuser, lines):
    newcomer = User.objects.create_user("vuquang.canbo2")
    start = len(lines())  # the shell's own line for the new account
    client = as_user(superuser)
    client.post(
        reverse("admin:units_membership_add"),
        {"user": newcomer.pk, "unit": unit().pk, "role": "officer"},
    )
    membership = Membership.objects.get(user=newcomer)
    client.post(
        reverse("admin:units_membership_change", args=[membership.pk]),
        {"user": newcomer.pk, "unit": unit().pk, "role": "leader"},
    )
    client.post(reverse("admin:units_membership_delete", args=[membership.pk]), {"post": "yes"})
    assert not Membership.objects.filter(user=newcomer).exists()
    added, changed, removed = lines()[start:]
    assert {line.kind for line in (added, changed, removed)} == {Kind.MEMBERSHIP}
    assert {line.path for line in (added, changed, removed)} == {Path.ADMIN}
    assert {line.unit_id for line in (added, changed, removed)} == {unit().pk}
    assert added.changes == {
        "user": [None, "vuquang.canbo2"],
        "unit": [None, "Huyện Vũ Quang"],
        "role": [None, "officer"],
    }
    assert changed.changes == {"role": ["officer", "leader"]}
    assert removed.changes["role"] == ["leader", None]
    assert added.actor == superuser


def test_a_user_page_save_is_one_line_with_groups_and_flags(as_user, superuser, viewer, lines):
    appraisers = Group.objects.get(name="appraiser")
    client = as_user(superuser)
    response = client.post(
        reverse("admin:auth_user_change", args=[viewer.pk]),
        {
            "username": "xem",
            "first_name": viewer.first_name,
            "last_name": viewer.last_name,
            "groups": [appraisers.pk],
            "date_joined_0": viewer.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": viewer.date_joined.strftime("%H:%M:%S"),
        },  # is_active left unticked: the account is locked in the same save
    )
    assert response.status_code == 302
    [line] = lines()
    assert (line.kind, line.path, line.target, line.actor) == (
        Kind.ACCOUNT,
        Path.ADMIN,
        "xem",
        superuser,
    )
    assert line.changes == {"is_active": [True, False], "groups": [["viewer"], ["appraiser"]]}


def test_an_account_added_in_the_admin_is_one_line(as_user, superuser, lines):
    response = as_user(superuser).post(
        reverse("admin:auth_user_add"),
        {
            "username": "moi",
            "usable_password": "true",
            "password1": "Rat-kho-doan-9",
            "password2": "Rat-kho-doan-9",
        },
    )
    assert response.status_code == 302
    [line] = lines()
    assert line.changes["username"] == [None, "moi"]
    assert no_password_in(line, "Rat-kho-doan-9")


def test_a_password_set_in_the_admin_is_temporary_and_not_written(
    as_user, superuser, viewer, lines
):
    response = as_user(superuser).post(
        reverse("admin:auth_user_password_change", args=[viewer.pk]),
        {"usable_password": "true", "password1": "Mat-khau-moi-7", "password2": "Mat-khau-moi-7"},
    )
    assert response.status_code == 302
    [line] = lines()
    assert line.changes == {"must_change_password": [False, True]}
    assert no_password_in(line, "Mat-khau-moi-7")
    assert AccountState.objects.get(user=viewer).must_change_password


def test_deleting_an_account_is_one_line_listing_its_memberships(as_user, superuser, lines):
    leaver = User.objects.create_user("vuquang.canbo2")
    Membership.objects.create(user=leaver, unit=unit(), role="officer")
    start = len(lines())
    response = as_user(superuser).post(
        reverse("admin:auth_user_delete", args=[leaver.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    [line] = lines()[start:]
    assert (line.kind, line.target) == (Kind.ACCOUNT, "vuquang.canbo2")
    assert line.changes["memberships"][0] == ["vuquang.canbo2 · Huyện Vũ Quang · Cán bộ nhập liệu"]


# --- the shell ----------------------------------------------------------------------------


def test_shell_changes_are_recorded(officer_a, lines):
    officer_a.is_active = False
    officer_a.save()
    officer_a.groups.add(Group.objects.get(name="viewer"))
    membership = officer_a.memberships.get()
    membership.role = "leader"
    membership.save()
    deactivated, grouped, promoted = lines()
    assert deactivated.changes == {"is_active": [True, False]}
    assert deactivated.path in (Path.COMMAND, Path.SYSTEM)
    assert grouped.changes == {"groups": [[], ["viewer"]]}
    assert (promoted.kind, promoted.unit, promoted.changes) == (
        Kind.MEMBERSHIP,
        unit(),
        {"role": ["officer", "leader"]},
    )


def test_a_sign_in_writes_no_line(client, officer_a, lines):
    # Through the sign-in page: django-axes refuses a sign-in without a request.
    data = {"username": "vuquang.canbo", "password": "cchc-demo-2026"}
    assert client.post(reverse("login"), data).status_code == 302
    assert lines() == []
