"""gunicorn serving the app for `make bench`, and the signed-in sessions and pages its load
needs (scoring.bench.load).

The app runs as in production (gunicorn, DEBUG off, collected static files) on 127.0.0.1,
against the bench's own database. Two departures, both for plain HTTP on one machine:
SECURE_SSL_REDIRECT=false (no TLS proxy in front), and mail kept in memory. Sessions are
created directly in the database (``force_login``: the sign-in signals stamp the session's
times and decide the second factor, as a real sign-in does), by a process with the server's
own settings (its SECRET_KEY signs them); an account whose sign-in owes a second factor gets
the verified-device marker ``django_otp.login`` would store.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .browser import fetch

BASE_DIR = Path(__file__).resolve().parents[2]
WORKERS = 2
GUNICORN_CONFIG = BASE_DIR / "cchc" / "gunicorn.conf.py"
DISTRICT_LEVEL = "cap-huyen"  # the demo's level of 13 district-level units
SIGN_IN_PAGE = "/accounts/login/"


# --- the server -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    base_url: str
    env: dict[str, str]  # the server's environment: a helper process with it shares its settings
    log: Path


def server_env(database_url: str, static_root: Path) -> dict[str, str]:
    """Production settings, on plain HTTP at 127.0.0.1 (see the module's docstring)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECURE_", "SESSION_", "EMAIL_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="scoring.bench.settings",
        DATABASE_URL=database_url,
        DEBUG="false",
        # A key of the run's own: the sessions it signs live as long as the run.
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        BENCH_STATIC_ROOT=str(static_root),
        PYTHONUNBUFFERED="1",
    )
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _run_python(env: dict[str, str], *args: str, timeout: float = 300) -> None:
    done = subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip
    if done.returncode:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")


@contextmanager
def serve(database_url: str, *, workers: int = WORKERS) -> Iterator[Server]:
    """gunicorn serving the app on a free port of 127.0.0.1 until the block ends; stopped
    (and its files removed) however the block ends."""
    work = Path(tempfile.mkdtemp(prefix="cchc-bench-"))
    env = server_env(database_url, work / "static")
    log = work / "gunicorn.log"
    process = None
    try:
        _run_python(env, "-m", "django", "collectstatic", "--noinput", "--verbosity=0")
        port = free_port()
        # Production's gunicorn settings where the app has them (timeouts, access log); the
        # number of workers and the address are the bench's. Workers are not recycled: at the
        # trivial page's rate, production's recycling (every ~1,000 requests) would restart each
        # worker every few seconds of a run, and a restart costs seconds (imports, first charts),
        # so the figures would measure restarts rather than pages.
        config = ["-c", str(GUNICORN_CONFIG)] if GUNICORN_CONFIG.is_file() else []
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [
                    sys.executable, "-m", "gunicorn", *config,
                    f"--workers={workers}", f"--bind=127.0.0.1:{port}", "--max-requests=0",
                    "--log-level=warning",
                    "cchc.wsgi:application",
                ],
                cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        server = Server(f"http://127.0.0.1:{port}", env, log)
        _wait_until_up(process, server)
        yield server
    finally:
        if process is not None:
            _stop(process)
        shutil.rmtree(work, ignore_errors=True)


def _wait_until_up(process: subprocess.Popen, server: Server, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped ({process.returncode}):\n{_tail(server.log)}")
        try:
            if fetch(server.base_url + SIGN_IN_PAGE).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer in {timeout:.0f} s:\n{_tail(server.log)}")


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM: the master stops its workers. SIGKILL (the master only: its workers notice
    their parent gone and leave) if it has not within 15 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


# --- sessions and targets, prepared by a process with the server's settings ------------------


def prepare(server: Server, *, year_id: int | None = None) -> dict:
    """What the load needs from the database: signed-in sessions and the pages to open
    (``_prepare``), computed in a process that has the server's settings."""
    with tempfile.TemporaryDirectory(prefix="cchc-bench-") as work:
        out = Path(work) / "prepared.json"
        extra = [str(year_id)] if year_id is not None else []
        _run_python(server.env, "-m", "scoring.bench.server", "prepare", str(out), *extra)
        return json.loads(out.read_text())


def _session_for(user) -> str:
    """A signed-in session of ``user``, as the sign-in page leaves it."""
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from units.two_factor.middleware import OWED, STATE_KEY

    client = Client()
    client.force_login(user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    session = SessionStore(session_key=key)
    if session.get(STATE_KEY) == OWED:
        # The code page would hold this sign-in: mark it verified, as django_otp.login does
        # after a right code (the bench's database only: a device if the account has none).
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return key


def _prepare(year_id: int | None = None) -> dict:
    """Sessions and pages of each role: the viewer and the ranking of ``year_id`` (by default
    the latest published year of the district level) and the trivial page; every officer who
    may edit an assessment of a year open for self-assessment, with its first field; every
    appraiser of a year in appraisal round 1, with a submitted assessment and a field they may
    score."""
    from django.contrib.auth.models import User
    from django.urls import reverse

    from scoring import access
    from scoring.models import Assessment, AssessmentYear, FieldAssignment, FrameworkNode
    from units.models import Membership
    from units.roles import GROUP_VIEWER, roles_of

    year = (
        AssessmentYear.objects.filter(pk=year_id).first()
        if year_id is not None
        else AssessmentYear.objects.filter(
            state=AssessmentYear.State.PUBLISHED, unit_level__code=DISTRICT_LEVEL
        )
        .order_by("-year")
        .first()
    )
    viewer = User.objects.filter(groups__name=GROUP_VIEWER, is_active=True).order_by("pk").first()
    prepared = {
        "ranking": reverse("ranking", args=[year.pk]) if year else None,
        "ranking_units": year.assessments.count() if year else 0,
        "trivial": reverse("bench_trivial"),
        "viewer": _session_for(viewer) if viewer else None,
        "officers": [],
        "appraisers": [],
    }

    def leaf_max(field) -> dict[str, str]:
        """The field's unit-filled nodes with a maximum (the form shows the leaves' scores)."""
        nodes = FrameworkNode.objects.filter(
            framework_id=field.framework_id,
            code__startswith=f"{field.code}.",
            filled_by=FrameworkNode.FilledBy.UNIT,
            max_points__isnull=False,
        )
        return {node.code: str(node.max_points) for node in nodes}

    open_years = AssessmentYear.objects.filter(state=AssessmentYear.State.SELF_ASSESSMENT)
    for assessment in Assessment.objects.filter(year__in=open_years).select_related("unit"):
        for member in Membership.objects.filter(
            unit=assessment.unit, user__is_active=True
        ).select_related("user"):
            if access.can_edit_entry(roles_of(member.user), assessment):
                url = reverse("entry", args=[assessment.year_id, assessment.unit.code])
                prepared["officers"].append({"session": _session_for(member.user), "url": url})

    round_1 = AssessmentYear.objects.filter(state=AssessmentYear.State.APPRAISAL)
    submitted = Assessment.objects.filter(year__in=round_1, submitted_at__isnull=False)
    for assignment in FieldAssignment.objects.filter(
        year__in=round_1, appraiser__is_active=True
    ).select_related("appraiser", "field"):
        session, maxima = None, leaf_max(assignment.field)
        for assessment in submitted.filter(year=assignment.year_id).select_related("unit"):
            session = session or _session_for(assignment.appraiser)
            args = [assessment.year_id, assessment.unit.code, assignment.field.code]
            prepared["appraisers"].append(
                {
                    "session": session,
                    "url": reverse("appraise_field", args=args),
                    "max": maxima,
                }
            )
    return prepared


def main(argv: list[str]) -> None:
    """``python -m scoring.bench.server prepare OUT``: run by ``prepare`` with the server's
    settings; writes the sessions and pages as JSON to OUT."""
    import django

    if len(argv) not in (2, 3) or argv[0] != "prepare":
        raise SystemExit("usage: python -m scoring.bench.server prepare OUT.json [YEAR_ID]")
    django.setup()
    year_id = int(argv[2]) if len(argv) == 3 else None
    Path(argv[1]).write_text(json.dumps(_prepare(year_id)))


if __name__ == "__main__":
    main(sys.argv[1:])
