from django.urls import path

from . import views
from .two_factor import views as two_factor

urlpatterns = [
    path("accounts/manage/", views.accounts, name="accounts"),
    path("accounts/manage/<int:user_id>/password/", views.account_reset, name="account_reset"),
    path("accounts/manage/<int:user_id>/active/", views.account_active, name="account_active"),
    path("accounts/password/", views.ChangePassword.as_view(), name="password_change"),
    # The second factor (units.two_factor): set-up, recovery codes, the code after the password,
    # and the per-role policy of the Interior Department's admins.
    path("accounts/two-factor/", two_factor.setup, name="two_factor_setup"),
    path("accounts/two-factor/recovery/", two_factor.recovery, name="two_factor_recovery"),
    path("accounts/two-factor/off/", two_factor.disable, name="two_factor_disable"),
    path("accounts/two-factor/verify/", two_factor.verify, name="two_factor_verify"),
    path("accounts/two-factor/policy/", two_factor.policy, name="two_factor_policy"),
]
