"""The second factor's pages: set-up, recovery codes, the code after the password, and the
per-role policy of the Interior Department's admins."""

from urllib.parse import urlencode

import django_otp
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from scoring import access

from ..roles import GROUPS, roles_of
from . import services
from .forms import CodeForm, PolicyForm, RecoveryCodeForm
from .middleware import forget

PENDING_KEY = "two_factor_pending_key"  # the new app's key until its first code confirms it
NEW_CODES_KEY = "two_factor_new_codes"  # recovery codes, shown once then forgotten


def _next(request, default: str = "home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def _eligible_roles(request):
    roles = roles_of(request.user)
    if not services.is_eligible(roles):
        raise Http404
    return roles


def _throttled_message(seconds: int) -> str:
    return _("Đã nhập sai nhiều lần. Hãy chờ %(seconds)s giây rồi thử lại.") % {"seconds": seconds}


def _qr_svg(uri: str) -> str:
    import segno

    return segno.make(uri, error="m").svg_inline(
        scale=4, border=2, title=_("Mã QR để thêm tài khoản vào ứng dụng xác thực")
    )


def _verify_first(request):
    """A redirect to the code page if the account has an app this session has not confirmed
    (a session signed in before the app was set up is not trusted with it), else ``None``."""
    if request.user.is_verified() or services.app_device(request.user) is None:
        return None
    query = urlencode({"next": reverse("two_factor_setup")})
    return redirect(f"{reverse('two_factor_verify')}?{query}")


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def setup(request):
    """Status of the account's second factor; with ``?new=1``, or none set up yet, a new app:
    its QR code and key, confirmed by its first code."""
    roles = _eligible_roles(request)
    if (held := _verify_first(request)) is not None:
        return held
    user = request.user
    device = services.app_device(user)
    required = services.is_required(roles)
    replacing = device is None or request.GET.get("new") == "1" or request.method == "POST"
    if not replacing:
        return render(
            request,
            "units/two_factor/status.html",
            {
                "device": device,
                "required": required,
                "codes_left": services.recovery_codes_left(user),
            },
        )
    key = request.session.get(PENDING_KEY)
    if not key:
        if request.method == "POST":
            return redirect(reverse("two_factor_setup"))
        key = request.session[PENDING_KEY] = services.new_key()
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        new_device = services.confirm_app(user, key, form.cleaned_data["code"])
        if new_device is None:
            form.add_error(
                "code",
                _(
                    "Mã không đúng. Hãy kiểm tra giờ trên điện thoại và nhập mã đang hiện "
                    "trong ứng dụng."
                ),
            )
        else:
            request.session.pop(PENDING_KEY, None)
            django_otp.login(request, new_device)
            request.session.cycle_key()
            forget(request)
            if services.recovery_device(user) is None or device is None:
                request.session[NEW_CODES_KEY] = services.new_recovery_codes(user)
            messages.success(
                request,
                _("Đã đổi ứng dụng xác thực.") if device else _("Đã bật xác thực hai bước."),
            )
            url = reverse("two_factor_recovery")
            if request.POST.get("next"):
                url += "?" + urlencode({"next": _next(request)})
            return redirect(url)
    pending = services.unsaved_device(user, key)
    uri = pending.config_url
    return render(
        request,
        "units/two_factor/setup.html",
        {
            "form": form,
            "uri": uri,
            "qr": _qr_svg(uri),
            "secret": services.readable_secret(pending),
            "required": required,
            "replacing": device is not None,
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def recovery(request):
    """The recovery codes just made (once), or how many are left; POST makes ten new ones."""
    _eligible_roles(request)
    user = request.user
    if services.app_device(user) is None:
        return redirect(reverse("two_factor_setup"))
    if (held := _verify_first(request)) is not None:
        return held
    if request.method == "POST":
        request.session[NEW_CODES_KEY] = services.new_recovery_codes(user)
        messages.success(request, _("Đã tạo mã khôi phục mới; các mã cũ không còn dùng được."))
        return redirect(reverse("two_factor_recovery"))
    codes = request.session.pop(NEW_CODES_KEY, None)
    return render(
        request,
        "units/two_factor/recovery.html",
        {
            "codes": codes,
            "codes_left": services.recovery_codes_left(user),
            "next": _next(request),
        },
    )


@require_POST
@login_required
def disable(request):
    """Remove the app and the recovery codes, unless the account's role requires them."""
    roles = _eligible_roles(request)
    if (held := _verify_first(request)) is not None:
        return held
    if services.is_required(roles):
        messages.error(request, _("Vai trò của bạn bắt buộc xác thực hai bước; không thể tắt."))
        return redirect(reverse("two_factor_setup"))
    services.remove_devices(request.user)
    forget(request)
    messages.success(request, _("Đã tắt xác thực hai bước."))
    return redirect(reverse("two_factor_setup"))


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def verify(request):
    """The code after the password: from the app, or a recovery code (used up)."""
    user = request.user
    if user.is_verified():
        return redirect(_next(request))
    if services.app_device(user) is None:
        return redirect(_next(request))  # the middleware sends a required set-up there
    form = CodeForm(request.POST if "code" in request.POST else None)
    recovery_form = RecoveryCodeForm(request.POST if "recovery_code" in request.POST else None)
    if request.method == "POST":
        bound = form if form.is_bound else recovery_form
        if bound.is_valid():
            field = "code" if bound is form else "recovery_code"
            try:
                device = services.verify(user, bound.cleaned_data[field])
            except services.Throttled as exc:
                bound.add_error(field, _throttled_message(exc.seconds))
            else:
                if device is None:
                    bound.add_error(
                        field,
                        _("Mã không đúng.")
                        if field == "code"
                        else _("Mã khôi phục không đúng hoặc đã được dùng."),
                    )
                else:
                    django_otp.login(request, device)
                    request.session.cycle_key()
                    forget(request)
                    if field == "recovery_code":
                        left = services.recovery_codes_left(user)
                        messages.warning(
                            request,
                            _(
                                "Bạn đã dùng một mã khôi phục; còn %(left)s mã. Hãy tạo mã mới "
                                "nếu còn ít."
                            )
                            % {"left": left},
                        )
                    return redirect(_next(request))
    return render(
        request,
        "units/two_factor/verify.html",
        {
            "form": form,
            "recovery_form": recovery_form,
            "next": request.POST.get("next") or request.GET.get("next", ""),
            "recovery_open": recovery_form.is_bound,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def policy(request):
    """Which roles must confirm each sign-in with a second factor (Interior admins only)."""
    access.require_interior_admin(roles_of(request.user))
    current = services.current_policy()
    form = PolicyForm(request.POST or None, policy=current)
    if request.method == "POST" and form.is_valid():
        changes = services.set_policy(actor=request.user, required=form.cleaned_data)
        forget(request)  # the admin's own sign-in follows the new policy at once
        if changes:
            messages.success(request, _("Đã lưu chính sách xác thực hai bước."))
        return redirect(reverse("two_factor_policy"))
    accounts = list(
        User.objects.filter(Q(is_superuser=True) | Q(groups__name__in=GROUPS), is_active=True)
        .distinct()
        .order_by("username")
        .prefetch_related("groups")
    )
    with_app = set(
        TOTPDevice.objects.filter(confirmed=True, user__in=accounts).values_list(
            "user_id", flat=True
        )
    )
    return render(
        request,
        "units/two_factor/policy.html",
        {
            "form": form,
            "accounts": [(a, a.pk in with_app) for a in accounts],
            "own_app": request.user.pk in with_app,
        },
    )
