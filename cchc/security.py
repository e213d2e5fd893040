"""The security log: one JSON object a line on the ``cchc.security`` logger.

Each line has ``time``, ``event``, ``user``, ``ip``, ``method``, ``path`` and ``status`` (null
where they do not apply) and, under ``details``, whatever else the event carries. Logged here:

- ``user_logged_in``, ``user_logged_out``, ``user_login_failed`` (Django's signals; the name
  tried, never the password);
- ``request_refused``: any 403 or 404 answer (an object's address guessed or out of reach, a
  CSRF failure), by ``RefusalLogMiddleware``;
- ``import_applied`` and ``export_served`` (``log_event`` called from the views);
- ``account_changed``: every account or membership event of the audit trail, once committed.

Other code adds its own lines with ``log_event`` or plain ``logging``: a record's ``extra``
fields land in ``details`` (or in the top-level field of the same name). Values under a key
that names a secret (password, token …) are replaced, so no password reaches the log even by
mistake. Settings: ``LOGGING`` sends the logger to stdout, or to ``SECURITY_LOG_FILE``.

Nothing here imports models at module level: the formatter is loaded with the logging
configuration, before the apps are.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.apps import AppConfig

logger = logging.getLogger("cchc.security")

FIELDS = ("user", "ip", "method", "path", "status")
# What every LogRecord has: anything else on a record came from ``extra``.
_RECORD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "taskName",
}
SECRET_WORDS = ("password", "passwd", "secret", "token", "otp", "cookie", "session", "csrf")
REDACTED = "[removed]"


def _is_secret(key: str) -> bool:
    key = key.lower()
    return any(word in key for word in SECRET_WORDS)


def scrub(value: Any, key: str = "") -> Any:
    """The value with anything under a secret's key replaced (a flag such as
    ``must_change_password: true`` says nothing secret and stays)."""
    if key and _is_secret(key) and value not in (None, "") and not isinstance(value, bool):
        if isinstance(value, list | tuple) and all(isinstance(v, bool | None) for v in value):
            return list(value)  # an audit change of a flag: [old, new]
        return REDACTED
    if isinstance(value, Mapping):
        return {str(k): scrub(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [scrub(v, key) for v in value]
    return value


class JsonFormatter(logging.Formatter):
    """One JSON object a line; newlines and control characters inside values are escaped, so
    a crafted username or address cannot forge a second line."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        when = datetime.fromtimestamp(record.created).astimezone()  # local time, with its offset
        entry: dict[str, Any] = {
            "time": when.isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "event": getattr(record, "event", None) or message,
        }
        for name in FIELDS:
            entry[name] = getattr(record, name, None)
        details = dict(getattr(record, "details", None) or {})
        for name, value in vars(record).items():
            if name not in _RECORD_ATTRS and name not in entry and name != "details":
                details[name] = value
        if message != entry["event"]:
            details.setdefault("message", message)
        if record.name != logger.name:
            details.setdefault("logger", record.name)
        if record.exc_info:
            details["exception"] = self.formatException(record.exc_info)
        entry["details"] = details
        return json.dumps(scrub(entry), ensure_ascii=False, default=str, sort_keys=False)


class NotSecurityFilter(logging.Filter):
    """For the console handler: the security log's lines are printed by its own handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name == logger.name or record.name.startswith(logger.name + "."))


# --- what a line says about a request ------------------------------------------------------


def client_ip(request) -> str | None:
    """The address as django-axes sees it (its proxy settings apply), else REMOTE_ADDR."""
    if request is None:
        return None
    try:
        from axes.helpers import get_client_ip_address

        return get_client_ip_address(request) or request.META.get("REMOTE_ADDR")
    except Exception:
        return request.META.get("REMOTE_ADDR")


def username_of(user) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.get_username()


def current_request():
    """The request being answered, as the audit trail's origin holds it (None outside one)."""
    from django.http import HttpRequest

    from scoring.audit import current_origin

    holder = current_origin().user
    return holder if isinstance(holder, HttpRequest) else None


def request_fields(request, user=None) -> dict[str, Any]:
    if request is None:
        return {"user": username_of(user)}
    if user is None:
        user = getattr(request, "user", None)
    return {
        "user": username_of(user),
        "ip": client_ip(request),
        "method": request.method or None,
        "path": request.path or None,
    }


def log_event(
    event: str,
    request=None,
    *,
    user=None,
    status: int | None = None,
    level: int = logging.INFO,
    **details,
) -> None:
    """One line. Without ``request``, the request being answered (if any) is used."""
    if request is None:
        request = current_request()
    fields = request_fields(request, user)
    fields["status"] = status
    logger.log(level, event, extra={"event": event, **fields, "details": details})


# --- the events ----------------------------------------------------------------------------


def logged_in(sender, request, user, **kwargs):
    log_event("user_logged_in", request, user=user)


def logged_out(sender, request, user, **kwargs):
    log_event("user_logged_out", request, user=user)


def login_failed(sender, credentials, request=None, **kwargs):
    # Only the name tried: Django already masks the password, and it is not even passed on.
    username = (credentials or {}).get("username")
    log_event("user_login_failed", request, level=logging.WARNING, username=username)


def audit_event_saved(sender, instance, created, **kwargs):
    """An account or membership change of the audit trail, logged once its transaction
    commits (a change rolled back leaves no line, as in the audit trail)."""
    from django.db import transaction

    kinds = {sender.Kind.ACCOUNT, sender.Kind.MEMBERSHIP}
    if not created or instance.kind not in kinds:
        return
    request = current_request()
    line = {
        "request": request,
        "user": instance.actor,
        "kind": str(instance.kind),
        "target": instance.target,
        "unit": instance.unit_id,
        "via": str(instance.path),
        "source": instance.source,
        "changes": instance.changes,
        "note": str(instance.note),
        "audit_event": instance.pk,
    }
    transaction.on_commit(lambda: log_event("account_changed", **line))


class RefusalLogMiddleware:
    """Every 403 and 404 answer, with who asked for what from where: a run of them is someone
    guessing addresses of units, years or files they may not see."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in (403, 404):
            log_event(
                "request_refused",
                request,
                status=response.status_code,
                level=logging.WARNING,
            )
        return response


class SecurityLogConfig(AppConfig):
    """Connects the signals above (listed in INSTALLED_APPS by the settings' section E)."""

    name = "cchc"
    label = "cchc_security"
    verbose_name = "Security log"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth import signals
        from django.db.models.signals import post_save

        from scoring.models import AuditEvent

        signals.user_logged_in.connect(logged_in, dispatch_uid="cchc.security.logged_in")
        signals.user_logged_out.connect(logged_out, dispatch_uid="cchc.security.logged_out")
        signals.user_login_failed.connect(login_failed, dispatch_uid="cchc.security.failed")
        post_save.connect(
            audit_event_saved, sender=AuditEvent, dispatch_uid="cchc.security.audit_event"
        )
