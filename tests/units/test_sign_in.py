"""Sign-in throttling (issue 10): five wrong passwords for one username from one address lock
that pair for 15 minutes; the page says how long; admins see and lift locks."""

import datetime as dt
import logging

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "cchc-demo-2026"
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # 16:00 in Hà Tĩnh


def sign_in(client, username, password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail(client, username, times, **extra):
    return [sign_in(client, username, "sai-mat-khau", **extra) for _ in range(times)]


def test_five_wrong_passwords_lock_the_viewer_but_not_another_account(viewer, officer_a):
    attacker = Client()
    first_four = fail(attacker, "xem", 4)
    assert [r.status_code for r in first_four] == [200] * 4  # the form, with its error
    fifth = sign_in(attacker, "xem", "sai-mat-khau")
    assert fifth.status_code == 429
    assert "Tạm khoá đăng nhập" in fifth.content.decode()

    # Locked: even the right password is refused, unchecked.
    owner = Client()
    assert sign_in(owner, "xem").status_code == 429
    assert not signed_in(owner)

    # Another demo account at the same address signs in.
    colleague = Client()
    assert sign_in(colleague, "vuquang.canbo").status_code == 302
    assert signed_in(colleague)

    # The documented command lifts the lock.
    call_command("axes_reset_username", "xem")
    assert sign_in(owner, "xem").status_code == 302
    assert signed_in(owner)


def test_the_lock_holds_for_one_address_only(viewer):
    fail(Client(), "xem", 5)
    elsewhere = Client(REMOTE_ADDR="10.20.30.40")
    assert sign_in(elsewhere, "xem").status_code == 302


def test_the_page_says_how_long_the_lock_lasts_and_tries_do_not_extend_it(viewer):
    client = Client()
    with time_machine.travel(START, tick=False) as traveller:
        locked = fail(client, "xem", 5)[-1]
        page = locked.content.decode()
        assert "15 phút" in page
        assert "16:15" in page  # the local time it lifts
        assert "xem" in page

        traveller.shift(dt.timedelta(minutes=6))
        page = sign_in(client, "xem").content.decode()
        assert "9 phút" in page and "16:15" in page

        traveller.shift(dt.timedelta(minutes=8, seconds=30))
        assert "1 phút" in sign_in(client, "xem", "sai").content.decode()

        traveller.shift(dt.timedelta(seconds=31))  # 15 minutes and a second after the lock
        assert sign_in(client, "xem").status_code == 302


def test_four_failures_then_a_success_start_the_count_again(viewer):
    client = Client()
    fail(client, "xem", 4)
    assert sign_in(client, "xem").status_code == 302
    client.logout()
    assert [r.status_code for r in fail(client, "xem", 4)] == [200] * 4


def test_thirty_quick_wrong_passwords_are_not_all_answered(viewer):
    statuses = [r.status_code for r in fail(Client(), "xem", 30)]
    assert statuses[:4] == [200] * 4
    assert set(statuses[4:]) == {429}
    assert sign_in(Client(), "xem").status_code == 429
    # Tries during the lock are not recorded as more failures.
    assert AccessAttempt.objects.get(username="xem").failures_since_start == 5


def test_an_unknown_username_is_locked_the_same_way(db):
    statuses = [r.status_code for r in fail(Client(), "khong-co-ai", 5)]
    assert statuses == [200, 200, 200, 200, 429]


def test_each_lock_is_logged_once_and_refused_tries_after_it(viewer, caplog):
    caplog.set_level(logging.INFO, logger="cchc.security")
    fail(Client(), "xem", 7)
    lines = [r for r in caplog.records if r.name == "cchc.security"]
    locks = [r for r in lines if getattr(r, "event", None) == "lockout"]
    assert len(locks) == 1
    lock = locks[0]
    assert lock.levelno == logging.WARNING
    assert lock.ip == "127.0.0.1"
    assert lock.details["username"] == "xem"
    assert lock.details["failures"] == 5
    assert lock.details["locked_until"]
    assert "sai-mat-khau" not in repr(vars(lock))
    refused = [r for r in lines if getattr(r, "event", None) == "login_refused_locked"]
    assert len(refused) == 2


def test_the_interior_admin_sees_the_locks_in_the_admin_and_lifts_them(
    as_user, interior_admin, viewer
):
    fail(Client(), "xem", 5)
    attempt = AccessAttempt.objects.get(username="xem")
    admin = as_user(interior_admin)
    listing = admin.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200
    assert "xem" in listing.content.decode()
    assert admin.get(reverse("admin:axes_accesslog_changelist")).status_code == 200
    delete = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    response = admin.post(delete, {"post": "yes"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert sign_in(Client(), "xem").status_code == 302


@pytest.mark.parametrize("who", ["appraiser", "officer_a", "viewer"])
def test_no_one_else_sees_the_locks(as_user, request, who):
    client = as_user(request.getfixturevalue(who))
    response = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert response.status_code in (302, 403)


def test_the_lock_page_looks_like_the_app(viewer):
    page = fail(Client(), "xem", 5)[-1].content.decode()
    assert 'class="navbar-brand"' in page  # base.html
    assert reverse("login") in page
