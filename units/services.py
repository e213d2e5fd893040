"""Accounts, managed by the Interior Department's admins in the app (no e-mail server is
assumed: a temporary password is shown once and must be changed at the first sign-in)."""

from __future__ import annotations

import re
import secrets

from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from scoring import audit

from .models import AccountState, Membership, Unit
from .roles import GROUPS, Roles, check_duties
from .signals import described

UNIT_ROLES = (Membership.Role.OFFICER, Membership.Role.LEADER)


def _require_admin(roles: Roles) -> None:
    if not roles.is_interior_admin:
        raise PermissionDenied


def _require_may_manage(actor: User, user: User) -> None:
    """Admins of the Interior Department manage ordinary accounts; other admins' and
    superusers' accounts only a superuser may touch (else an admin could reset one, read the
    temporary password and act as them)."""
    protected = user.is_superuser or user.groups.filter(name="interior_admin").exists()
    if protected and not actor.is_superuser:
        raise PermissionDenied


def temporary_password() -> str:
    # Easy to read out over the phone: no look-alike characters.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))


def _must_change(user: User) -> None:
    AccountState.objects.update_or_create(user=user, defaults={"must_change_password": True})


@transaction.atomic
def create_account(
    *, roles: Roles, username: str, full_name: str, role: str, unit: Unit | None = None
) -> tuple[User, str]:
    """A new account in one role; returns it with its temporary password."""
    _require_admin(roles)
    username = username.strip().lower()
    if not username:
        raise ValidationError({"username": _("Cần tên đăng nhập.")})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("Tên đăng nhập này đã có.")})
    if not re.fullmatch(r"[a-z0-9._-]{3,150}", username):
        raise ValidationError(
            {
                "username": _(
                    "Tên đăng nhập gồm chữ thường không dấu, số, dấu chấm, gạch (3–150 ký tự)."
                )
            }
        )
    if role in UNIT_ROLES and (unit is None or not unit.is_active):
        raise ValidationError({"unit": _("Cán bộ và lãnh đạo đơn vị cần chọn đơn vị.")})
    if role not in UNIT_ROLES and role not in GROUPS:
        raise ValidationError({"role": _("Vai trò không hợp lệ.")})
    unit_role = role in UNIT_ROLES
    # One role per new account, so no conflict can arise here; asked anyway, so that the rule
    # is the same on every path that grants a role.
    check_duties(
        User(),
        groups=() if unit_role else (role,),
        is_superuser=False,
        has_unit_role=unit_role,
    )
    first, _sep, last = full_name.strip().rpartition(" ")
    password = temporary_password()
    with described():
        user = User.objects.create_user(
            username, password=password, first_name=first, last_name=last
        )
        if unit_role:
            Membership.objects.create(user=user, unit=unit, role=role)
        else:
            user.groups.add(Group.objects.get_or_create(name=role)[0])
            user.is_staff = role == "interior_admin"
            user.save(update_fields=["is_staff"])
    _must_change(user)
    audit.record(
        audit.Kind.ACCOUNT,
        unit=unit if unit_role else None,
        target=user.username,
        changes=audit.diff(
            {},
            {
                "username": user.username,
                "role": role,
                "unit": unit if unit_role else None,
                "is_staff": user.is_staff or None,
                "must_change_password": True,
            },
        ),
        note=_("Tạo tài khoản, có mật khẩu tạm."),
    )
    return user, password


@transaction.atomic
def reset_password(*, roles: Roles, actor: User, user: User) -> str:
    """A new temporary password, to be changed at the next sign-in."""
    _require_admin(roles)
    _require_may_manage(actor, user)
    password = temporary_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    record_temporary_password(user)
    return password


def record_temporary_password(user: User) -> None:
    """A password someone else set (here or in the Django admin) is temporary: its holder
    changes it at the next sign-in. The log says it was set, never what it is."""
    was = AccountState.objects.filter(user=user, must_change_password=True).exists()
    _must_change(user)
    audit.record(
        audit.Kind.ACCOUNT,
        target=user.username,
        changes=audit.diff({"must_change_password": was}, {"must_change_password": True}),
        note=_("Đặt mật khẩu tạm."),
    )


@transaction.atomic
def set_active(*, roles: Roles, actor: User, user: User, active: bool) -> None:
    """Deactivate (nothing is deleted: the account's history stays) or reactivate."""
    _require_admin(roles)
    _require_may_manage(actor, user)
    if user == actor and not active:
        raise ValidationError(_("Không thể tự khóa tài khoản của mình."))
    if user.is_active == active:
        return  # a second click on a stale page: nothing changes, nothing to record
    with described():
        user.is_active = active
        user.save(update_fields=["is_active"])
    audit.record(
        audit.Kind.ACCOUNT,
        target=user.username,
        changes=audit.diff({"is_active": not active}, {"is_active": active}),
        note=_("Mở khóa tài khoản.") if active else _("Khóa tài khoản."),
    )


def password_changed(user: User) -> None:
    AccountState.objects.filter(user=user).update(must_change_password=False)
