"""A server killed in the middle of a save leaves the database as it was.

A real process saves a unit's self-assessment through ``scoring.services`` and is stopped (the
child script wraps ``audit.save_events`` to pause there) after the leaf rows, their history and
their audit lines were written inside the save's transaction. The test checks that the writes
are pending on the server, kills the process with SIGKILL, waits for PostgreSQL to end its
session, and finds every row as before. PostgreSQL only: SQLite's test database lives in memory.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from scoring.demo.load import load_demo
from scoring.models import Assessment, LeafScore
from scoring.models.audit import AuditEvent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="needs PostgreSQL (DATABASE_URL=postgres://…)",
    ),
]

CHILD = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path

    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection

    from scoring import audit
    from scoring.models import Assessment, FrameworkNode, LeafScore
    from scoring.services import LeafEntry, save_leaves
    from units.roles import roles_of

    marker = Path(os.environ["CRASH_MARKER"])
    write_events = audit.save_events

    def save_events_then_hang(events):
        write_events(events)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            marker.write_text(str(cursor.fetchone()[0]))
        time.sleep(600)  # killed here, inside the save's transaction
        sys.exit("not killed")

    audit.save_events = save_events_then_hang

    user = User.objects.get(username="vuquang.canbo")
    assessment = Assessment.objects.select_related("year", "unit").get(
        id=int(os.environ["CRASH_ASSESSMENT"])
    )
    rows = LeafScore.objects.filter(
        assessment=assessment,
        node__filled_by=FrameworkNode.FilledBy.UNIT,
        not_applicable=False,
    ).order_by("node_id")
    entries = [
        LeafEntry(
            node_id=row.node_id,
            version=row.version,
            declared=row.declared,
            typed_score=row.self_score,
            explanation=row.explanation + " (sửa lúc máy chủ bị dừng)",
        )
        for row in rows
    ]
    save_leaves(assessment=assessment, roles=roles_of(user), user=user, entries=entries)
    """
)


def state(assessment):
    leaves = list(
        LeafScore.objects.filter(assessment=assessment)
        .order_by("node_id")
        .values_list("node_id", "version", "self_score", "declared", "explanation", "updated_at")
    )
    return {
        "leaves": leaves,
        "history": LeafScore.history.filter(assessment_id=assessment.id).count(),
        "audit": AuditEvent.objects.count(),
    }


def session(pid):
    with connection.cursor() as cursor:
        cursor.execute("SELECT state FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row and row[0]


def test_a_save_killed_midway_leaves_the_database_as_it_was(tmp_path):
    with override_settings(DEBUG=True):
        load_demo()
    assessment = Assessment.objects.get(year__year=2024, unit__code="vu-quang")
    before = state(assessment)
    assert len(before["leaves"]) > 5

    db = connection.settings_dict
    marker = tmp_path / "paused"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cchc.settings",
        "DEBUG": "true",
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}"
            f"/{db['NAME']}"
        ),
        "CRASH_MARKER": str(marker),
        "CRASH_ASSESSMENT": str(assessment.id),
    }
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    child = subprocess.Popen(
        [sys.executable, str(script)],
        cwd=settings.BASE_DIR,
        env={**env, "PYTHONPATH": str(settings.BASE_DIR)},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists() or not marker.read_text():
            if child.poll() is not None:
                pytest.fail(f"the child ended before pausing: {child.stderr.read()}")
            assert time.monotonic() < deadline, "the child never reached the pause"
            time.sleep(0.05)
        backend = int(marker.read_text())
        # The save is under way: its session holds an open transaction with rows written.
        assert session(backend) == "idle in transaction"
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE l.pid = %s AND l.mode = 'RowExclusiveLock' AND c.relname = %s",
                [backend, LeafScore._meta.db_table],
            )
            assert cursor.fetchone()[0] == 1
        assert state(assessment) == before  # not visible to anyone else meanwhile
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL

    # PostgreSQL ends the dead client's session and rolls its transaction back.
    deadline = time.monotonic() + 30
    while session(backend) is not None:
        assert time.monotonic() < deadline, "the killed session is still open"
        time.sleep(0.05)
    assert state(assessment) == before

    # Nothing is left locked: the same leaves save at once.
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '2s'")
        try:
            updated = LeafScore.objects.filter(assessment=assessment).update(
                explanation="sau khi khởi động lại"
            )
        finally:
            cursor.execute("RESET lock_timeout")
    assert updated == len(before["leaves"])
