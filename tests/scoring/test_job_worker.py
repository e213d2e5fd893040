"""A real worker killed in the middle of a background import neither loses it nor applies it
twice.

A survey import large enough to be a job is queued through the page; `manage.py run_worker`
(db_worker after the recovery) runs as a separate process and is held inside the import's
transaction by the test-only delay (``CCHC_JOB_TEST_DELAY``), after the scores and their
audit lines are written. It is killed with SIGKILL there: PostgreSQL rolls the transaction
back, and the queue is left with a task marked running forever. The recovery enqueues the job
again, a new worker runs it, and the import is found applied exactly once. PostgreSQL only:
SQLite's test database lives in the test process's memory.
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from scoring.demo.load import load_demo
from scoring.models import AssessmentYear, AuditEvent, Job
from scoring.services import jobs

from .test_import_survey import HL, VQ, download, score, upload

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="needs PostgreSQL (DATABASE_URL=postgres://…)",
    ),
]


COMMAND = [sys.executable, "manage.py", "run_worker", "--no-reload", "--no-startup-delay"]
COMMAND += ["--interval", "0.2"]


def worker(*options, delay: float = 0) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cchc.settings",
        "DEBUG": "true",
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}"
            f"/{db['NAME']}"
        ),
        jobs.SLOW_ENV: str(delay),
    }
    return subprocess.Popen(
        [*COMMAND, *options],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def import_written() -> bool:
    """Another session has written audit lines in a transaction still open: the import's,
    sleeping before ``done``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.pid <> pg_backend_pid() AND l.mode = 'RowExclusiveLock' "
            "AND c.relname = %s AND a.state = 'idle in transaction'",
            [AuditEvent._meta.db_table],
        )
        return cursor.fetchone()[0] > 0


def sessions_in_transaction() -> list[int]:
    """The other sessions of the test database holding a transaction open."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state = 'idle in transaction'"
        )
        return [row[0] for row in cursor.fetchall()]


def survey_lines(year) -> int:
    return AuditEvent.objects.filter(kind=AuditEvent.Kind.SURVEY, year=year).count()


def wait_for(condition, what: str, child: subprocess.Popen | None = None, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while not condition():
        if child is not None and child.poll() is not None:
            pytest.fail(f"the worker ended before {what}: {child.stdout.read()}")
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.1)


def test_a_worker_killed_mid_import_neither_loses_nor_repeats_it(client, monkeypatch):
    with override_settings(DEBUG=True):
        load_demo()
    monkeypatch.setattr(jobs, "IMPORT_JOB_MIN_CHANGES", 0)
    year = AssessmentYear.objects.get(year=2023, unit_level__code="cap-huyen")
    client.force_login(User.objects.get(username="snv.quantri"))
    sheet = download(client, year)
    sheet.set(VQ, "10.1", 9.5)
    sheet.set(HL, "10.2", 7)
    preview = upload(client, year, sheet.bytes())
    assert preview.status_code == 200
    old_vq = score(year, VQ, "10.1")
    lines = survey_lines(year)
    response = client.post(
        reverse("survey_import", args=[year.pk]), {"token": preview.context["token"], "apply": "1"}
    )
    job = Job.objects.get()
    assert response.url == reverse("job", args=[job.pk]) and job.status == "queued"

    started = time.monotonic()
    first = worker(delay=600)
    try:
        # The import has written its scores and audit lines and sleeps inside its transaction.
        wait_for(import_written, "the import is under way", first)
        job.refresh_from_db()
        assert (job.status, job.progress_done, job.attempts) == ("running", 1, 1)
        assert score(year, VQ, "10.1") == old_vq and survey_lines(year) == lines  # not visible
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        first.stdout.close()
    assert first.returncode == -signal.SIGKILL
    wait_for(lambda: not sessions_in_transaction(), "PostgreSQL ends the killed session")

    # Rolled back; the queue still says "running" and nobody will ever run it: stuck.
    assert score(year, VQ, "10.1") == old_vq and survey_lines(year) == lines
    [carrier] = job.task_ids
    assert DBTaskResult.objects.get(pk=carrier).status == TaskResultStatus.RUNNING
    job.refresh_from_db()
    assert job.status == "running"

    # The recovery (here without waiting for the heartbeat to age) gives it a new carrier.
    call_command("requeue_stale_jobs", "--older-than", "0", verbosity=0)
    job.refresh_from_db()
    assert job.status == "queued" and len(job.task_ids) == 2
    assert DBTaskResult.objects.get(pk=carrier).status == TaskResultStatus.FAILED

    second = worker("--batch")  # runs what is queued, then stops
    try:
        output, _ = second.communicate(timeout=60)
    finally:
        second.kill()
    assert second.returncode == 0, output
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 2), job.errors
    assert job.summary == "Đã nhập 2 điểm điều tra xã hội học từ tệp Excel."
    assert score(year, VQ, "10.1") == Decimal("9.50") and score(year, HL, "10.2") == Decimal("7")
    assert survey_lines(year) == lines + 2  # applied once
    assert DBTaskResult.objects.get(pk=job.task_ids[1]).status == TaskResultStatus.SUCCESSFUL

    # A third carrier of the finished job (a recovery racing the second worker) changes nothing.
    call_command("requeue_stale_jobs", "--older-than", "0", verbosity=0)
    jobs.run(job.pk)
    assert survey_lines(year) == lines + 2
    assert time.monotonic() - started < 60


def test_a_long_job_beats_while_it_runs(monkeypatch):
    """The heartbeat comes from a thread with its own connection, committed at once: seen by
    the recovery while the job itself is busy."""
    with override_settings(DEBUG=True):
        load_demo()
    monkeypatch.setattr(jobs, "HEARTBEAT_SECONDS", 0.05)
    long_ago = timezone.now() - dt.timedelta(hours=1)
    job = Job.objects.create(
        owner=User.objects.get(username="snv.quantri"),
        kind=Job.Kind.EXPORT_HISTORY,
        status="running",
        heartbeat_at=long_ago,
    )
    with jobs._heartbeat(job.pk):
        wait_for(lambda: Job.objects.get(pk=job.pk).heartbeat_at > long_ago, "a beat", seconds=5)
    assert jobs.requeue_stale_jobs() == 0
