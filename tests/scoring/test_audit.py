"""The audit trail's own mechanics: who and which path an event names, and old → new."""

import datetime as dt
import sys
from decimal import Decimal

import pytest

from scoring import audit
from scoring.models import AuditEvent


def test_diff_keeps_only_what_changed_in_readable_form():
    old = {"score": Decimal("1.50"), "reason": "", "declared": {"done": 3}, "flag": False}
    new = {"score": Decimal("0.75"), "reason": "Trễ hạn", "declared": {"done": 3}, "flag": False}
    assert audit.diff(old, new) == {"score": ["1.50", "0.75"], "reason": ["", "Trễ hạn"]}
    assert audit.diff({"when": dt.date(2024, 1, 2)}, {}) == {"when": ["2024-01-02", None]}


def test_file_source_names_the_file_and_its_hash():
    source = audit.file_source("Điểm điều tra 2023.xlsx", b"abc")
    assert source == "Điểm điều tra 2023.xlsx (SHA-256 ba7816bf8f01cfea)"


@pytest.mark.django_db
def test_an_event_takes_the_origin_in_force_and_an_explicit_user_wins(interior_admin, appraiser):
    with audit.origin(audit.Path.IMPORT, "tệp.xlsx (SHA-256 0)", user=interior_admin):
        entry = audit.record(audit.Kind.SURVEY, target="Vũ Quang · 10.1")
        with audit.origin(audit.Path.COMMAND, "import_results"):
            inner = audit.event(audit.Kind.RESULTS)  # the outer user carries over
        explicit = audit.record(audit.Kind.SURVEY, user=appraiser)
    assert (entry.actor, entry.path, entry.source) == (
        interior_admin,
        "import",
        "tệp.xlsx (SHA-256 0)",
    )
    assert (inner.actor, inner.path) == (interior_admin, "command")
    assert explicit.actor == appraiser
    assert explicit.actor_name.endswith("(snv.thamdinh)") or explicit.actor_name == "snv.thamdinh"


@pytest.mark.django_db
def test_outside_any_origin_a_management_command_names_itself(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["manage.py", "shell", "-c", "…"])
    entry = audit.record(audit.Kind.REFERENCE)
    assert (entry.path, entry.source, entry.actor) == ("command", "manage.py shell -c …", None)
    monkeypatch.setattr(sys, "argv", ["gunicorn"])
    assert audit.record(audit.Kind.REFERENCE).path == "system"


@pytest.mark.django_db
def test_a_request_marks_its_events_as_a_page_or_the_django_admin(rf, interior_admin):
    seen = []

    def view(request):
        seen.append(audit.event(audit.Kind.REFERENCE))
        return None

    before = AuditEvent.objects.count()
    middleware = audit.AuditOriginMiddleware(view)
    for path in ("/years/1/survey/", "/admin/units/membership/add/"):
        request = rf.post(path)
        request.user = interior_admin
        middleware(request)
    assert [(e.path, e.source, e.actor) for e in seen] == [
        ("page", "POST /years/1/survey/", interior_admin),
        ("admin", "POST /admin/units/membership/add/", interior_admin),
    ]
    assert AuditEvent.objects.count() == before  # event() alone writes nothing
