"""The Interior Department's admins manage accounts in the app; temporary passwords are
changed at the first sign-in."""

import re

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from units.models import AccountState, Membership, Unit

pytestmark = pytest.mark.django_db


def create(client, **data):
    return client.post(reverse("accounts"), data, follow=True)


def temporary_password(response) -> str:
    return re.search(r"Mật khẩu tạm: ([a-z0-9-]+)", response.content.decode()).group(1)


@pytest.mark.parametrize("who", ["appraiser", "officer_a", "leader_a", "viewer"])
def test_only_the_interior_admin_has_the_accounts_page(as_user, request, who):
    client = as_user(request.getfixturevalue(who))
    assert client.get(reverse("accounts")).status_code == 404
    assert client.post(reverse("accounts"), {"username": "x"}).status_code == 404
    assert not User.objects.filter(username="x").exists()


def test_anonymous_is_sent_to_login(client):
    assert client.get(reverse("accounts")).status_code == 302


def test_an_officer_account_is_created_with_a_temporary_password(as_user, interior_admin):
    response = create(
        as_user(interior_admin),
        username="vuquang.canbo2",
        full_name="Nguyễn Văn An",
        role="officer",
        unit=Membership.objects.get(user__username="vuquang.canbo").unit_id,
    )
    password = temporary_password(response)
    user = User.objects.get(username="vuquang.canbo2")
    assert (user.first_name, user.last_name) == ("Nguyễn Văn", "An")
    assert user.memberships.get().role == "officer"
    assert AccountState.objects.get(user=user).must_change_password
    assert user.check_password(password)


def test_the_first_sign_in_goes_to_the_password_change_until_done(as_user, interior_admin):
    response = create(as_user(interior_admin), username="xem2", full_name="Trần B", role="viewer")
    password = temporary_password(response)
    newcomer = Client()
    assert (
        newcomer.post(reverse("login"), {"username": "xem2", "password": password}).status_code
        == 302
    )
    response = newcomer.get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("password_change")
    response = newcomer.post(
        reverse("password_change"),
        {
            "old_password": password,
            "new_password1": "Ha-Tinh-2026!x",
            "new_password2": "Ha-Tinh-2026!x",
        },
    )
    assert response.status_code == 302
    assert newcomer.get(reverse("home")).status_code == 200
    assert not AccountState.objects.get(user__username="xem2").must_change_password


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "vuquang.canbo", "full_name": "A", "role": "viewer"}, "đã có"),
        ({"username": "moi", "full_name": "A", "role": "officer"}, "cần chọn đơn vị"),
        ({"username": "", "full_name": "A", "role": "viewer"}, "bắt buộc"),
    ],
    ids=["username taken", "officer without unit", "no username"],
)
def test_bad_account_input_is_refused_with_a_message(as_user, interior_admin, data, message):
    before = User.objects.count()
    response = as_user(interior_admin).post(reverse("accounts"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.count() == before


def test_a_deactivated_account_cannot_sign_in_and_can_be_reactivated(
    as_user, interior_admin, viewer
):
    client = as_user(interior_admin)
    client.post(reverse("account_active", args=[viewer.pk]), {"active": "0"})
    viewer.refresh_from_db()
    assert not viewer.is_active
    # Through the sign-in page: django-axes refuses a sign-in without a request.
    data = {"username": "xem", "password": "cchc-demo-2026"}
    assert Client().post(reverse("login"), data).status_code == 200  # the form again
    client.post(reverse("account_active", args=[viewer.pk]), {"active": "1"})
    assert Client().post(reverse("login"), data).status_code == 302


def test_an_admin_cannot_lock_themselves_out(as_user, interior_admin):
    as_user(interior_admin).post(
        reverse("account_active", args=[interior_admin.pk]), {"active": "0"}
    )
    interior_admin.refresh_from_db()
    assert interior_admin.is_active


def test_a_reset_password_is_temporary(as_user, interior_admin, viewer):
    response = as_user(interior_admin).post(reverse("account_reset", args=[viewer.pk]), follow=True)
    password = re.search(r"xem: ([a-z0-9-]+)", response.content.decode()).group(1)
    viewer.refresh_from_db()
    assert viewer.check_password(password)
    assert AccountState.objects.get(user=viewer).must_change_password


def test_an_admin_cannot_take_over_a_superuser_or_another_admin(as_user, interior_admin):
    boss = User.objects.create_superuser("sep", password="Rat-kho-doan-1")
    other_admin = User.objects.get(username="snv.quantri")
    second = User.objects.create_user("snv.quantri2", password="Rat-kho-doan-2")
    second.groups.add(*other_admin.groups.all())
    client = as_user(interior_admin)
    for target in (boss, second):
        assert client.post(reverse("account_reset", args=[target.pk])).status_code == 403
        assert (
            client.post(reverse("account_active", args=[target.pk]), {"active": "0"}).status_code
            == 403
        )
        target.refresh_from_db()
        assert target.is_active
    assert boss.check_password("Rat-kho-doan-1")
    assert not AccountState.objects.filter(user__in=[boss, second]).exists()


@pytest.mark.parametrize("who", ["appraiser", "officer_a"])
def test_others_cannot_reset_or_lock_accounts(as_user, request, viewer, who):
    client = as_user(request.getfixturevalue(who))
    assert client.post(reverse("account_reset", args=[viewer.pk])).status_code == 404
    assert (
        client.post(reverse("account_active", args=[viewer.pk]), {"active": "0"}).status_code == 404
    )
    viewer.refresh_from_db()
    assert viewer.is_active and viewer.check_password("cchc-demo-2026")


def test_the_temporary_password_cannot_be_kept_as_the_new_one(as_user, interior_admin):
    password = temporary_password(
        create(as_user(interior_admin), username="xem3", full_name="C", role="viewer")
    )
    newcomer = Client()
    newcomer.post(reverse("login"), {"username": "xem3", "password": password})
    response = newcomer.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    assert "phải khác mật khẩu đang dùng" in response.content.decode()
    assert AccountState.objects.get(user__username="xem3").must_change_password


def test_a_username_with_spaces_or_markup_is_refused(as_user, interior_admin):
    response = as_user(interior_admin).post(
        reverse("accounts"), {"username": "a b/<c>", "full_name": "A", "role": "viewer"}
    )
    assert "chữ thường không dấu" in response.content.decode()
    assert not User.objects.filter(username="a b/<c>").exists()


def test_the_accounts_page_reads_in_a_fixed_number_of_queries(
    as_user, interior_admin, django_assert_num_queries
):
    client = as_user(interior_admin)
    client.get(reverse("accounts"))  # warm the session and content-type caches

    def more_accounts(n):
        for i in range(n):
            user = User.objects.create_user(f"them.{n}.{i}")
            user.groups.add(Group.objects.get(name="viewer"))
            unit = Unit.objects.filter(is_active=True).order_by("pk")[i]
            Membership.objects.create(user=user, unit=unit, role="officer")
            AccountState.objects.create(user=user, must_change_password=True)

    more_accounts(3)
    # session, the signed-in user, their groups and memberships (roles_of), the accounts with
    # their state, their groups, their memberships with units, the form's list of units; the
    # bell's unread notifications (menu)
    with django_assert_num_queries(9):
        page = client.get(reverse("accounts"))
    more_accounts(4)
    with django_assert_num_queries(9):
        client.get(reverse("accounts"))
    assert page.content.decode().count("mật khẩu tạm") >= 3
