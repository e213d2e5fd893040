"""Passwords (issue 10): at least 12 characters, not a common one, not like the account's name,
refused in Vietnamese; temporary passwords pass the same rules and never sit in a cookie."""

import re

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from units.services import temporary_password

pytestmark = pytest.mark.django_db

PASSWORD = "cchc-demo-2026"


def change(client, new, old=PASSWORD):
    return client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def test_an_11_character_password_is_refused_in_vietnamese(as_user, officer_a):
    response = change(as_user(officer_a), "qz7-vp4-wkm")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Mật khẩu quá ngắn: cần ít nhất 12 ký tự." in page
    officer_a.refresh_from_db()
    assert officer_a.check_password(PASSWORD)


def test_a_12_character_password_is_taken(as_user, officer_a):
    assert change(as_user(officer_a), "qz7-vp4-wkm9").status_code == 302
    officer_a.refresh_from_db()
    assert officer_a.check_password("qz7-vp4-wkm9")


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("password1234", "Mật khẩu này quá phổ biến."),
        ("123456789012", "Mật khẩu này hoàn toàn là số."),
        ("vuquang.canbo1", "Mật khẩu quá giống với"),
    ],
    ids=["common", "numeric", "like the username"],
)
def test_weak_passwords_are_refused_in_vietnamese(as_user, officer_a, new, message):
    response = change(as_user(officer_a), new)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_the_change_page_states_the_rules_in_vietnamese(as_user, officer_a):
    page = as_user(officer_a).get(reverse("password_change")).content.decode()
    assert "Mật khẩu của bạn phải chứa ít nhất 12 ký tự." in page


def test_temporary_passwords_pass_the_rules():
    user = User(username="vuquang.canbo", first_name="Nguyễn Văn", last_name="An")
    for _ in range(500):
        password = temporary_password()
        assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", password)
        try:
            validate_password(password, user)
        except ValidationError as exc:  # pragma: no cover - the failure's report
            pytest.fail(f"{password}: {exc.messages}")


def cookie_values(client) -> str:
    return " ".join(f"{morsel.key}={morsel.value}" for morsel in client.cookies.values())


def test_a_reset_temporary_password_is_in_no_cookie(as_user, interior_admin, viewer):
    admin = as_user(interior_admin)
    response = admin.post(reverse("account_reset", args=[viewer.pk]))
    assert response.status_code == 302
    set_cookies = " ".join(m.OutputString() for m in response.cookies.values())
    assert "messages" not in admin.cookies
    page = admin.get(response.url).content.decode()
    password = re.search(r"Mật khẩu tạm mới của xem: ([a-z0-9-]+)", page).group(1)
    viewer.refresh_from_db()
    assert viewer.check_password(password)
    assert password not in set_cookies
    assert password not in cookie_values(admin)
    # Shown once: the message is gone from the session after the page showed it.
    assert password not in admin.get(reverse("accounts")).content.decode()


def test_a_new_accounts_temporary_password_is_in_no_cookie(as_user, interior_admin):
    admin = as_user(interior_admin)
    response = admin.post(
        reverse("accounts"), {"username": "xem3", "full_name": "Lê C", "role": "viewer"}
    )
    assert response.status_code == 302
    assert "messages" not in response.cookies and "messages" not in admin.cookies
    page = admin.get(response.url).content.decode()
    password = re.search(r"Mật khẩu tạm: ([a-z0-9-]+)", page).group(1)
    assert password not in cookie_values(admin)
    newcomer = Client()
    data = {"username": "xem3", "password": password}
    assert newcomer.post(reverse("login"), data).status_code == 302
