import logging
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from .models import AccountState
from .signin import ABSOLUTE, IDLE, REASON_KEY

SESSION_KEY = "must_change_password"
# When the session signed in and when it was last used, as POSIX timestamps.
SIGNED_IN_AT = "signed_in_at"
LAST_SEEN_AT = "last_seen_at"
# The last use is written at most once a minute, not on every request: a session then ends
# between SESSION_IDLE_MINUTES - 1 and SESSION_IDLE_MINUTES after its last request.
LAST_SEEN_STEP = 60

security_log = logging.getLogger("cchc.security")


@receiver(user_logged_in)
def remember_temporary_password(sender, request, user, **kwargs):
    """Read once at sign-in, kept in the session: ordinary requests cost no query."""
    if AccountState.objects.filter(user=user, must_change_password=True).exists():
        request.session[SESSION_KEY] = True


@receiver(user_logged_in)
def stamp_sign_in(sender, request, user, **kwargs):
    """The times the session's limits count from."""
    now = timezone.now().timestamp()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now
    request.session.pop(REASON_KEY, None)


class SessionTimeoutMiddleware:
    """Ends a session SESSION_IDLE_MINUTES after its last request, and SESSION_HOURS after its
    sign-in however busy. Right after ``AuthenticationMiddleware``: an ended session is signed
    out before anything else looks at the user, and the request goes on as an anonymous one
    (a page that needs a sign-in sends to the sign-in page, which says why)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if auth.SESSION_KEY in session:  # signed in; the user is not even loaded to know it
            now = timezone.now().timestamp()
            signed_in = session.get(SIGNED_IN_AT)
            last_seen = session.get(LAST_SEEN_AT)
            if signed_in is None or last_seen is None:
                # A session from before these limits: they count from now.
                session[SIGNED_IN_AT] = signed_in = now if signed_in is None else signed_in
                session[LAST_SEEN_AT] = last_seen = now
            if now - signed_in > settings.SESSION_MAX_SECONDS:
                return self._end(request, ABSOLUTE, now - signed_in)
            if now - last_seen > settings.SESSION_IDLE_SECONDS:
                return self._end(request, IDLE, now - last_seen)
            if now - last_seen >= LAST_SEEN_STEP:
                session[LAST_SEEN_AT] = now
        return self.get_response(request)

    def _end(self, request, reason, seconds):
        security_log.info(
            "session_expired",
            extra={
                "event": "session_expired",
                "user": request.user.get_username(),
                "ip": request.META.get("REMOTE_ADDR"),
                "method": request.method,
                "path": request.path,
                "status": None,
                "details": {"reason": reason, "seconds": round(seconds)},
            },
        )
        auth.logout(request)  # flushes the session, so the reason goes in the new one
        request.session[REASON_KEY] = reason
        if request.headers.get("HX-Request"):
            # An htmx fragment request (the score preview): the whole page goes to the sign-in
            # page, rather than the sign-in page landing inside the fragment.
            current = urlsplit(request.headers.get("HX-Current-URL", ""))
            page = current.path + (f"?{current.query}" if current.query else "")
            url = reverse(settings.LOGIN_URL)
            if page:
                url += "?" + urlencode({"next": page})
            response = HttpResponse(status=200)
            response["HX-Redirect"] = url
            return response
        return self.get_response(request)


class TemporaryPasswordMiddleware:
    """Someone signed in with a temporary password goes to the password change page first."""

    ALLOWED = ("password_change", "logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.session.get(SESSION_KEY)
            and not request.path.startswith("/static/")
            and request.path not in {reverse(name) for name in self.ALLOWED}
        ):
            return redirect(reverse("password_change"))
        return self.get_response(request)
