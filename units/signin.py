"""The sign-in page and its throttling (issue 10).

django-axes counts wrong passwords per username and address (settings, section A); at the
limit it hands the request to ``lockout_response``, which says in the page's own style how long
the lock lasts. Each new lock is a line on the security log. The sign-in page also says why
someone was sent to it: a session that ended (``units.middleware.SessionTimeoutMiddleware``
leaves the reason in the session) or a page that needs a sign-in.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.views import LoginView
from django.dispatch import receiver
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

security_log = logging.getLogger("cchc.security")

# Why the last session ended, for the sign-in page: "idle" or "absolute".
REASON_KEY = "session_ended"
IDLE, ABSOLUTE = "idle", "absolute"


def lock_ends_at(request, credentials=None) -> datetime | None:
    """When the lock on this request's username and address lifts (``None``: not locked, or
    locked for good, which these settings never do)."""
    cool_off = get_cool_off(request)
    if cool_off is None:
        return None
    handler = AxesProxyHandler.get_implementation()
    latest = None
    for attempts in handler.get_user_attempts(request, credentials):
        for when in attempts.values_list("attempt_time", flat=True):
            latest = when if latest is None or when > latest else latest
    return latest + cool_off if latest is not None else None


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' AXES_LOCKOUT_CALLABLE: the locked-out page, with the time left."""
    ends = lock_ends_at(request, credentials)
    if ends is None:
        ends = timezone.now() + (get_cool_off(request) or settings.AXES_COOLOFF_TIME)
    seconds = (ends - timezone.now()).total_seconds()
    context = {
        "username": get_client_username(request, credentials) or "",
        "failure_limit": get_failure_limit(request, credentials),
        "minutes_left": max(1, math.ceil(seconds / 60)),
        "unlocks_at": ends,
    }
    return render(
        request,
        "registration/locked_out.html",
        context,
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


@receiver(user_locked_out, dispatch_uid="units.signin.log_lockout")
def log_lockout(sender, request, username, ip_address, **kwargs):
    """One line when a lock starts (the fifth failure), another for each try refused during it.

    django-axes sends the signal in both cases; only the first has counted the failure
    (``axes_failures_since_start`` is set by the failure's handler, and left None when the
    lock refused the try before any password was checked)."""
    failures = getattr(request, "axes_failures_since_start", None)
    ends = lock_ends_at(request, getattr(request, "axes_credentials", None))
    event = "lockout" if failures is not None else "login_refused_locked"
    security_log.warning(
        event,
        extra={
            "event": event,
            "user": None,
            "ip": ip_address,
            "method": request.method,
            "path": request.path,
            "status": settings.AXES_HTTP_RESPONSE_CODE,
            "details": {
                "username": username,
                "failures": failures,
                "locked_until": timezone.localtime(ends).isoformat() if ends else None,
            },
        },
    )


class SignInView(LoginView):
    """Django's sign-in, saying why the visitor was sent here."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reason = self.request.session.pop(REASON_KEY, None)
        if reason == IDLE:
            context["sign_in_reason"] = _(
                "Phiên làm việc đã hết hạn vì không có thao tác nào trong %(minutes)s phút. "
                "Vui lòng đăng nhập lại."
            ) % {"minutes": settings.SESSION_IDLE_SECONDS // 60}
        elif reason == ABSOLUTE:
            context["sign_in_reason"] = _(
                "Phiên làm việc đã hết hạn: mỗi lần đăng nhập dùng được tối đa %(hours)s giờ. "
                "Vui lòng đăng nhập lại."
            ) % {"hours": _hours(settings.SESSION_MAX_SECONDS)}
        elif context.get(self.redirect_field_name) and self.request.method == "GET":
            context["sign_in_reason"] = _("Vui lòng đăng nhập để mở trang này.")
        return context


def _hours(seconds: int) -> str:
    hours = seconds / 3600
    return str(int(hours)) if hours == int(hours) else f"{hours:g}"
