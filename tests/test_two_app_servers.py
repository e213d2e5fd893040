"""Two app servers, one PostgreSQL, one Redis: what a national deployment runs behind its proxy.

Two gunicorn processes (one worker each, cchc/gunicorn.conf.py) serve the test database. A user
signed in on server A is signed in on server B (sessions in the database), an edit saved on B is
what A shows, and the ranking drawn by A is served by B from the shared cache.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
import requests
from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from scoring.demo.load import load_demo
from scoring.models import AssessmentYear, LeafScore

pytestmark = pytest.mark.django_db(transaction=True)

# A Redis database of this test's own, emptied when it starts.
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
PASSWORD = "cchc-demo-2026"  # the demo accounts' (README)
OFFICER = "vuquang.canbo"  # no second factor: Interior accounts need one
VQ = "vu-quang"
FIELD_2 = ["2.1.1", "2.2.1", "2.2.2", "2.2.3", "2.3.1"]
START_SECONDS = 60  # a bound, not the usual: both start in 5–10 s on 2 busy cores
MARKER_HTML = '<p id="from-the-shared-cache">drawn by server A</p>'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """The test database (not the one DATABASE_URL names: pytest-django made its own)."""
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Server:
    def __init__(self, env: dict[str, str], log_dir: Path, name: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log_dir / f"{name}.log"
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "cchc/gunicorn.conf.py", "--workers=1"],
                cwd=settings.BASE_DIR,
                env={**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}"},
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"{self.url} exited:\n{self.log.read_text()[-3000:]}")
            try:
                # The first request of a worker loads the URLs and templates: a few seconds.
                requests.get(self.url + reverse("login"), timeout=START_SECONDS)
                return
            except requests.ConnectionError:
                time.sleep(0.2)
        pytest.fail(f"{self.url} did not answer in {START_SECONDS} s:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            # SIGQUIT: gunicorn's quick shutdown (SIGTERM waits for the worker to finish).
            self.process.send_signal(signal.SIGQUIT)

    def wait_stopped(self) -> None:
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def shared_redis():
    if connection.vendor != "postgresql":
        pytest.skip("several app servers share a PostgreSQL database (SQLite is one process's)")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        pytest.fail(f"this test needs Redis at {REDIS_URL} (apt-get install redis-server): {exc}")
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def servers(shared_redis, tmp_path):
    """Servers A and B, on the demo (loaded again here: a transactional test before this one
    may have flushed the database), always stopped at the end."""
    with override_settings(DEBUG=True):
        load_demo()
    env = {
        **os.environ,
        "DEBUG": "true",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url(),
        # No connection kept between requests: none may outlive the servers and hold up the
        # flush that ends this test.
        "CONN_MAX_AGE": "0",
        "CACHE_URL": REDIS_URL,
        "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
        "TASKS_BACKEND": "immediate",
    }
    started = []
    try:
        started += [Server(env, tmp_path, "a"), Server(env, tmp_path, "b")]
        deadline = time.monotonic() + START_SECONDS
        for server in started:
            server.wait(deadline)
        yield started
    finally:
        for server in started:
            server.stop()
        for server in started:
            server.wait_stopped()


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match[1]


def score_input_value(html: str, code: str) -> str | None:
    tag = re.search(rf'<input[^>]*name="{re.escape(code)}-score"[^>]*>', html)
    assert tag, f"no input for {code} on the page"
    value = re.search(r'value="([^"]*)"', tag[0])
    return value[1] if value else None


def leaf(year, code) -> LeafScore | None:
    return LeafScore.objects.filter(
        assessment__year=year, assessment__unit__code=VQ, node__code=code
    ).first()


def test_a_session_an_edit_and_the_cache_move_between_two_app_servers(servers, shared_redis):
    a, b = servers
    year = AssessmentYear.objects.get(year=2024, unit_level__code="cap-huyen")
    published = AssessmentYear.objects.get(year=2022, unit_level__code="cap-huyen")
    field = reverse("entry_field", args=[year.pk, VQ, "2"])
    browser = requests.Session()  # one cookie jar: the user's browser, behind one proxy

    # Not signed in: B sends the visitor to the sign-in page.
    response = browser.get(b.url + field, allow_redirects=False)
    assert response.status_code == 302
    assert reverse("login") in response.headers["Location"]

    # Signed in on A…
    login = browser.get(a.url + reverse("login"))
    response = browser.post(
        a.url + reverse("login"),
        data={
            "username": OFFICER,
            "password": PASSWORD,
            "csrfmiddlewaretoken": csrf_token(login.text),
        },
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:2000]
    assert "sessionid" in browser.cookies

    # …is signed in on B: its page, not a redirect to the sign-in.
    page = browser.get(b.url + field, allow_redirects=False)
    assert page.status_code == 200
    assert score_input_value(page.text, "2.3.1") in (None, "")

    # An edit saved on B…
    data = {"csrfmiddlewaretoken": csrf_token(page.text), "2.3.1-score": "1.5"}
    for code in FIELD_2:
        row = leaf(year, code)  # a leaf never saved has no row yet: version 0
        data[f"{code}-version"] = str(row.version if row else 0)
        data[f"{code}-explanation"] = ""
    response = browser.post(b.url + field, data=data, allow_redirects=False)
    assert response.status_code == 302, response.text[:3000]
    assert "saved=1" in response.headers["Location"]
    # …is in the database and on A's page.
    assert str(leaf(year, "2.3.1").self_score) == "1.50"
    assert score_input_value(browser.get(a.url + field).text, "2.3.1") == "1,50"  # Vietnamese

    # The cache: A draws the ranking (its table and charts) and keeps it in Redis…
    ranking = reverse("ranking", args=[published.pk])
    assert browser.get(a.url + ranking).status_code == 200
    assert shared_redis.keys("cchc:*chart-svg:*"), "server A cached no chart in Redis"
    drawn = [key.decode() for key in shared_redis.keys("cchc:*template.cache.ranking_content*")]
    assert len(drawn) == 1, "server A cached no ranking in Redis"
    # …and B serves what the cache holds instead of drawing it again: the test swaps the cached
    # page part for a marker, which must then be on B's page.
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": "cchc"})
    cache.set(drawn[0].split(":", 2)[2], MARKER_HTML)
    on_b = browser.get(b.url + ranking)
    assert on_b.status_code == 200
    assert MARKER_HTML in on_b.text
