from django.urls import path

from . import views

urlpatterns = [
    path("accounts/manage/", views.accounts, name="accounts"),
    path("accounts/manage/<int:user_id>/password/", views.account_reset, name="account_reset"),
    path("accounts/manage/<int:user_id>/active/", views.account_active, name="account_active"),
    path("accounts/password/", views.ChangePassword.as_view(), name="password_change"),
]
