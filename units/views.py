"""Account management for the Interior Department's admins, and the password change."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from scoring import access

from . import selectors, services
from .forms import ROLE_CHOICES, AccountForm, NewPasswordForm
from .middleware import SESSION_KEY
from .roles import roles_of


@require_http_methods(["GET", "POST"])
@login_required
def accounts(request):
    roles = roles_of(request.user)
    access.require_interior_admin(roles)
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = services.create_account(
                roles=roles,
                username=data["username"],
                full_name=data["full_name"],
                role=data["role"],
                unit=data["unit"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("Đã tạo tài khoản %(user)s. Mật khẩu tạm: %(password)s (đổi khi đăng nhập).")
                % {"user": user.username, "password": password},
            )
            return redirect(reverse("accounts"))
    return render(
        request,
        "units/accounts.html",
        {
            "form": form,
            "accounts": selectors.account_rows(),
            "superuser": request.user.is_superuser,
            "role_labels": dict(ROLE_CHOICES),
        },
    )


@require_POST
@login_required
def account_reset(request, user_id: int):
    roles = roles_of(request.user)
    access.require_interior_admin(roles)
    user = selectors.get_account(user_id)
    password = services.reset_password(roles=roles, actor=request.user, user=user)
    messages.success(
        request,
        _("Mật khẩu tạm mới của %(user)s: %(password)s (đổi khi đăng nhập lần sau).")
        % {"user": user.username, "password": password},
    )
    return redirect(reverse("accounts"))


@require_POST
@login_required
def account_active(request, user_id: int):
    roles = roles_of(request.user)
    access.require_interior_admin(roles)
    user = selectors.get_account(user_id)
    try:
        services.set_active(
            roles=roles, actor=request.user, user=user, active=request.POST.get("active") == "1"
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(reverse("accounts"))


class ChangePassword(PasswordChangeView):
    """Django's password change, which also clears a temporary password's obligation."""

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("home")

    form_class = NewPasswordForm

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(self.request.user)
        self.request.session.pop(SESSION_KEY, None)
        messages.success(self.request, _("Đã đổi mật khẩu."))
        return response
