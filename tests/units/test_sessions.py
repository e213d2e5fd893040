"""Sessions end after 30 minutes idle and 12 hours at most (SESSION_IDLE_MINUTES, SESSION_HOURS);
the sign-in page then says why."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # 08:00 in Hà Tĩnh
IDLE_MESSAGE = "Phiên làm việc đã hết hạn vì không có thao tác nào trong 30 phút"
ABSOLUTE_MESSAGE = "Phiên làm việc đã hết hạn: mỗi lần đăng nhập dùng được tối đa 12 giờ"


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def sent_to_sign_in(response, page="/") -> bool:
    return response.status_code == 302 and response.url == f"{reverse('login')}?next={page}"


def test_a_session_survives_activity_and_ends_after_30_idle_minutes(client, officer_a):
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(officer_a)
        for _ in range(4):  # two hours of work, a request every 29 minutes
            traveller.shift(dt.timedelta(minutes=29))
            assert client.get(reverse("home")).status_code == 200
        traveller.shift(dt.timedelta(minutes=30, seconds=1))
        response = client.get(reverse("home"))
        assert sent_to_sign_in(response)
        assert not signed_in(client)
        page = client.get(response.url).content.decode()
        assert IDLE_MESSAGE in page


def test_a_session_ends_12_hours_after_the_sign_in_however_busy(client, officer_a):
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(officer_a)
        for _ in range(28):  # 11 h 40 min, a request every 25 minutes
            traveller.shift(dt.timedelta(minutes=25))
            assert client.get(reverse("home")).status_code == 200
        traveller.shift(dt.timedelta(minutes=20, seconds=1))  # 12 h and a second
        response = client.get(reverse("home"))
        assert sent_to_sign_in(response)
        assert ABSOLUTE_MESSAGE in client.get(response.url).content.decode()


def test_signing_in_again_starts_a_fresh_session(client, officer_a):
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(officer_a)
        traveller.shift(dt.timedelta(hours=1))
        assert sent_to_sign_in(client.get(reverse("home")))
        response = client.post(
            reverse("login"), {"username": "vuquang.canbo", "password": "cchc-demo-2026"}
        )
        assert response.status_code == 302
        traveller.shift(dt.timedelta(minutes=20))
        assert client.get(reverse("home")).status_code == 200


def test_the_reason_is_said_once(client, officer_a):
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(officer_a)
        traveller.shift(dt.timedelta(minutes=31))
        client.get(reverse("home"))
        assert IDLE_MESSAGE in client.get(reverse("login")).content.decode()
        assert "Phiên làm việc đã hết hạn" not in client.get(reverse("login")).content.decode()


def test_the_sign_in_page_says_a_page_needs_a_sign_in(client):
    response = client.get(reverse("home"), follow=True)
    page = response.content.decode()
    assert "Vui lòng đăng nhập để mở trang này." in page
    assert "Phiên làm việc đã hết hạn" not in page
    assert "Vui lòng đăng nhập" not in client.get(reverse("login")).content.decode()


def test_an_ended_session_posting_loses_nothing_but_the_session(client, officer_a, year_2024):
    """A form posted after the session ended goes to the sign-in page (the entry pages keep
    their input in the browser) and changes nothing."""
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(officer_a)
        traveller.shift(dt.timedelta(minutes=45))
        response = client.post(reverse("password_change"), {"old_password": "x"})
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
        assert not signed_in(client)


def test_an_htmx_request_of_an_ended_session_sends_the_whole_page_to_the_sign_in(client, officer_a):
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(officer_a)
        traveller.shift(dt.timedelta(minutes=31))
        response = client.post(
            "/anything/",
            headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/nam/2024/?a=1"},
        )
        assert response.status_code == 200
        assert response["HX-Redirect"] == f"{reverse('login')}?next=%2Fnam%2F2024%2F%3Fa%3D1"
        assert not signed_in(client)


def test_the_limits_follow_the_settings(client, officer_a, settings):
    settings.SESSION_IDLE_SECONDS = 10 * 60
    settings.SESSION_MAX_SECONDS = 3600
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(officer_a)
        traveller.shift(dt.timedelta(minutes=9))
        assert client.get(reverse("home")).status_code == 200
        traveller.shift(dt.timedelta(minutes=11))
        response = client.get(reverse("home"))
        assert sent_to_sign_in(response)
        assert "trong 10 phút" in client.get(response.url).content.decode()

        client.force_login(officer_a)
        for _ in range(6):
            traveller.shift(dt.timedelta(minutes=9))
            assert client.get(reverse("home")).status_code == 200
        traveller.shift(dt.timedelta(minutes=7))  # 61 minutes after the sign-in
        response = client.get(reverse("home"))
        assert sent_to_sign_in(response)
        assert "tối đa 1 giờ" in client.get(response.url).content.decode()


def test_an_expiry_is_logged(client, officer_a, caplog):
    caplog.set_level("INFO", logger="cchc.security")
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(officer_a)
        traveller.shift(dt.timedelta(minutes=31))
        client.get(reverse("home"))
    [line] = [r for r in caplog.records if getattr(r, "event", None) == "session_expired"]
    assert line.user == "vuquang.canbo"
    assert line.details["reason"] == "idle"


def test_a_session_from_before_the_limits_counts_them_from_its_next_request(officer_a):
    client = Client()
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(officer_a)
        session = client.session
        del session["signed_in_at"], session["last_seen_at"]
        session.save()
        traveller.shift(dt.timedelta(hours=11))  # within the cookie's own 12 hours
        assert client.get(reverse("home")).status_code == 200
        traveller.shift(dt.timedelta(minutes=31))
        assert sent_to_sign_in(client.get(reverse("home")))


@pytest.mark.parametrize(
    ("env", "idle", "most"),
    [({}, 30 * 60, 12 * 3600), ({"SESSION_IDLE_MINUTES": "15", "SESSION_HOURS": "8"}, 900, 28800)],
)
def test_the_environment_sets_the_limits(env, idle, most):
    environ = {
        k: v for k, v in os.environ.items() if k not in ("SESSION_IDLE_MINUTES", "SESSION_HOURS")
    }
    environ.update(DEBUG="true", **env)
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='cchc.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.SESSION_IDLE_SECONDS, s.SESSION_MAX_SECONDS, s.SESSION_COOKIE_AGE)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.split() == [str(idle), str(most), str(most)]
