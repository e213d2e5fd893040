from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse

from .models import AccountState

SESSION_KEY = "must_change_password"


@receiver(user_logged_in)
def remember_temporary_password(sender, request, user, **kwargs):
    """Read once at sign-in, kept in the session: ordinary requests cost no query."""
    if AccountState.objects.filter(user=user, must_change_password=True).exists():
        request.session[SESSION_KEY] = True


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
