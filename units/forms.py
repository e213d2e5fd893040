from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from .models import Membership, Unit
from .roles import GROUP_APPRAISER, GROUP_INTERIOR_ADMIN, GROUP_VIEWER

ROLE_CHOICES = [
    (Membership.Role.OFFICER, _("Cán bộ nhập liệu của đơn vị")),
    (Membership.Role.LEADER, _("Lãnh đạo đơn vị")),
    (GROUP_APPRAISER, _("Thẩm định (Sở Nội vụ, sở ngành)")),
    (GROUP_VIEWER, _("Chỉ xem")),
    (GROUP_INTERIOR_ADMIN, _("Quản trị Sở Nội vụ")),
]


class AccountForm(forms.Form):
    username = forms.CharField(label=_("Tên đăng nhập"), max_length=150)
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    role = forms.ChoiceField(label=_("Vai trò"), choices=ROLE_CHOICES)
    unit = forms.ModelChoiceField(
        label=_("Đơn vị (với cán bộ, lãnh đạo đơn vị)"),
        queryset=Unit.objects.filter(is_active=True),
        required=False,
    )


class NewPasswordForm(PasswordChangeForm):
    """Django's password change, refusing the temporary password as the "new" one."""

    def clean_new_password1(self):
        new = self.cleaned_data.get("new_password1")
        if new and self.user.check_password(new):
            raise forms.ValidationError(_("Mật khẩu mới phải khác mật khẩu đang dùng."))
        return new
