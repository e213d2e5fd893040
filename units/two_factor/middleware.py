"""Keeps a sign-in that still owes its second factor on the code page (or on the set-up page,
when the role requires one and none is set up yet).

Whether a sign-in owes one is decided when it signs in (``decide_at_sign_in``) and kept in the
session, so the requests of an account that owes nothing cost no query. A policy turned on
therefore reaches each account at its next sign-in (the admin who turns it on: at once)."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse

from ..middleware import SESSION_KEY as TEMPORARY_PASSWORD_KEY
from ..roles import roles_of
from . import services

# "free": nothing is asked of this sign-in; "owed": a code (or a set-up) before anything else.
# Missing (a session from before this key, or after a change of the account's own set-up or
# policy): decided again at the next request.
STATE_KEY = "two_factor_state"
FREE, OWED = "free", "owed"
# A temporary password is changed only once the second factor is given: until then the
# password-change page (which ``TemporaryPasswordMiddleware`` insists on) waits under this key.
DEFERRED_PASSWORD_KEY = "two_factor_deferred_password_change"

VERIFY_ALLOWED = ("two_factor_verify", "logout", "set_language")
SETUP_ALLOWED = ("two_factor_setup", "logout", "set_language")


def decide(user) -> tuple[str, str | None]:
    """(state, the page an owed sign-in is held on)."""
    roles = roles_of(user)
    if not services.is_eligible(roles):
        return FREE, None
    has_app, required = services.sign_in_status(user, roles)
    if has_app:
        return OWED, "two_factor_verify"
    if required:
        return OWED, "two_factor_setup"
    return FREE, None


@receiver(user_logged_in)
def decide_at_sign_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[STATE_KEY] = decide(user)[0]


def forget(request) -> None:
    """Decide again at the next request (after a set-up, a removal, a policy change)."""
    request.session.pop(STATE_KEY, None)


class SecondFactorMiddleware:
    """After ``OTPMiddleware`` (which sets ``user.is_verified()``), before
    ``TemporaryPasswordMiddleware``. Asks nothing of anonymous visitors, unit staff, or an
    account that neither has an app set up nor a role that requires one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self._hold(request)
        return response if response is not None else self.get_response(request)

    def _hold(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        session = request.session
        if session.get(STATE_KEY) == FREE:
            return None
        if user.is_verified():
            if session.get(STATE_KEY) != OWED:
                session[STATE_KEY] = OWED
            if session.get(DEFERRED_PASSWORD_KEY):
                session[TEMPORARY_PASSWORD_KEY] = session.pop(DEFERRED_PASSWORD_KEY)
            return None
        if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return None
        state, target = decide(user)
        if session.get(STATE_KEY) != state:
            session[STATE_KEY] = state
        if state == FREE:
            return None
        if session.get(TEMPORARY_PASSWORD_KEY):
            session[DEFERRED_PASSWORD_KEY] = session.pop(TEMPORARY_PASSWORD_KEY)
        if request.path in {reverse(name) for name in allowed_on(target)}:
            return None
        url = reverse(target)
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)


def allowed_on(target: str) -> tuple[str, ...]:
    return VERIFY_ALLOWED if target == "two_factor_verify" else SETUP_ALLOWED
