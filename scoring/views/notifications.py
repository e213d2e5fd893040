"""A person's notifications: the list under the bell, opening one, marking them read, the
e-mail preferences; and the language switch, which the mails follow."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.i18n import set_language

from .. import access
from ..forms import PreferencesForm
from ..selectors import notifications as selectors
from ..services import notifications as services


@require_GET
@login_required
def notification_list(request):
    page, lines = selectors.notification_page(request.user, request.GET.get("page"))
    return render(
        request,
        "scoring/notifications/list.html",
        {"page": page, "lines": lines, "any_unread": any(line.unread for line in lines)},
    )


@require_GET
@login_required
def notification_open(request, notification_id: int):
    """Follow a notification's link (from the list or a mail), marking it read on the way."""
    notification = access.get_own_notification(request.user, notification_id)
    services.mark_read(user=request.user, notification=notification)
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("notifications")
    return redirect(target)


@require_POST
@login_required
def notifications_read_all(request):
    count = services.mark_all_read(user=request.user)
    if count:
        messages.success(request, _("Đã đánh dấu %(n)s thông báo là đã đọc.") % {"n": count})
    return redirect(reverse("notifications"))


@require_http_methods(["GET", "POST"])
@login_required
def notification_settings(request):
    current = selectors.preferences(request.user)
    form = PreferencesForm(
        request.POST or None,
        initial={"email_notifications": current.email_notifications, "language": current.language},
    )
    if request.method == "POST" and form.is_valid():
        services.set_preferences(user=request.user, **form.cleaned_data)
        messages.success(request, _("Đã lưu cài đặt thông báo."))
        return redirect(reverse("notification_settings"))
    return render(
        request,
        "scoring/notifications/settings.html",
        {"form": form, "email": request.user.email},
    )


@require_POST
def choose_language(request):
    """Django's language switch, which also records a signed-in person's choice: their mails
    are then written in it."""
    response = set_language(request)
    if request.user.is_authenticated:
        services.remember_language(user=request.user, language=request.POST.get("language", ""))
    return response
