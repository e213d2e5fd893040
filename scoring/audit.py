"""The audit trail: every change of consequence, with who, when, by which path and old → new.

Services call ``record`` (or ``event`` + ``save_events`` for many rows at once). Who acted and
by which path come from the ``origin`` in force: the middleware sets one per request (a page,
or the Django admin), imports and management commands set their own (with the file's name and
hash, or the command line). A service's explicit ``user`` wins over the origin's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from .models.audit import AuditEvent

Kind = AuditEvent.Kind
CENTS = Decimal("0.01")
Path = AuditEvent.Path


@dataclass(frozen=True)
class Origin:
    path: str
    source: str = ""
    user: Any = None  # a user, or a request whose user is read when an event is recorded


_origin: ContextVar[Origin | None] = ContextVar("cchc_audit_origin", default=None)


def _default_origin() -> Origin:
    """Outside a request and any import: a management command (``manage.py shell``,
    ``createsuperuser`` …) names itself; anything else is the system."""
    if sys.argv and sys.argv[0].endswith("manage.py") and len(sys.argv) > 1:
        return Origin(Path.COMMAND, " ".join(["manage.py", *sys.argv[1:]])[:500])
    return Origin(Path.SYSTEM)


def current_origin() -> Origin:
    return _origin.get() or _default_origin()


@contextmanager
def origin(path: str, source: str = "", user=None):
    """Everything recorded inside comes by ``path`` from ``source``. An import inside a page
    request keeps the request's user unless it names one."""
    outer = _origin.get()
    if user is None and outer is not None:
        user = outer.user
    token = _origin.set(Origin(path, source, user))
    try:
        yield
    finally:
        _origin.reset(token)


def file_source(name: str, content: bytes) -> str:
    """An imported file as the log names it: its name and the start of its SHA-256, enough to
    match it against a copy kept elsewhere."""
    return f"{name} (SHA-256 {hashlib.sha256(content).hexdigest()[:16]})"


class AuditOriginMiddleware:
    """Each request's changes come by the page, or by the Django admin under /admin/."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = Path.ADMIN if request.path.startswith("/admin/") else Path.PAGE
        with origin(path, f"{request.method} {request.path}", user=request):
            return self.get_response(request)


def _user(explicit):
    user = explicit if explicit is not None else current_origin().user
    user = getattr(user, "user", user)  # a request stands for its user
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user


def display(value) -> Any:
    """A value as the log keeps it: JSON, readable as it was (decimals as typed, dates ISO)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        # Points are kept to 2 decimals: "3" typed and "3.00" read back are one value.
        if value.is_finite() and value.as_tuple().exponent > -2:
            value = value.quantize(CENTS)
        return format(value, "f")
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        # One moment reads the same whether it came from the database (UTC) or a form (local).
        return timezone.localtime(value).isoformat()
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): display(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [display(v) for v in value]
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    return str(value)


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list]:
    """The names whose value differs, as {name: [old, new]}; a name missing on one side counts
    as None there."""
    changes = {}
    for name in dict.fromkeys([*old, *new]):
        before, after = display(old.get(name)), display(new.get(name))
        if before != after:
            changes[name] = [before, after]
    return changes


def values_of(instance: models.Model, names: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in names}


def event(
    kind: str,
    *,
    user=None,
    year=None,
    unit=None,
    field_code: str = "",
    node_code: str = "",
    target: str = "",
    changes: Mapping[str, list] | None = None,
    note: str = "",
) -> AuditEvent:
    """An unsaved event (for ``save_events``); ``year`` and ``unit`` may be objects or ids."""
    where = current_origin()
    actor = _user(user)
    if actor is not None:
        actor_name = actor.get_full_name().strip() or actor.get_username()
        if actor_name != actor.get_username():
            actor_name = f"{actor_name} ({actor.get_username()})"
    else:
        actor_name = ""
    if node_code and not field_code:
        field_code = node_code.split(".", 1)[0]
    return AuditEvent(
        actor=actor,
        actor_name=actor_name,
        path=where.path,
        source=where.source,
        kind=kind,
        year_id=getattr(year, "pk", year),
        unit_id=getattr(unit, "pk", unit),
        field_code=field_code,
        node_code=node_code,
        target=target,
        changes=dict(changes or {}),
        note=note,
    )


def save_events(events: Iterable[AuditEvent]) -> None:
    AuditEvent.objects.bulk_create(list(events), batch_size=500)


def record(kind: str, **kwargs) -> AuditEvent:
    """Record one event now (inside the caller's transaction: a rolled-back change leaves no
    line)."""
    entry = event(kind, **kwargs)
    entry.save()
    return entry
