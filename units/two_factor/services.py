"""Who must confirm a sign-in with a second factor, and the devices that give it."""

from __future__ import annotations

import logging
import time
from base64 import b32encode
from binascii import unhexlify

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from scoring import audit

from ..models import SecondFactorPolicy
from ..roles import Roles

# The security log (cchc.security): codes accepted, refused and throttled. Set-up, new recovery
# codes and the policy reach it as audit events of kind "account".
logger = logging.getLogger("cchc.security")

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "app"
STATIC_DEVICE_NAME = "recovery"
POLICY_TARGET = "Chính sách xác thực hai bước"


def policy_roles(roles: Roles) -> list[str]:
    """The roles of ``roles`` a policy can name; none for unit staff, who are never asked."""
    if roles.is_unit_staff:
        return []
    held = {
        SecondFactorPolicy.Role.INTERIOR_ADMIN: roles.is_interior_admin,
        SecondFactorPolicy.Role.APPRAISER: roles.is_appraiser,
        SecondFactorPolicy.Role.VIEWER: roles.is_viewer,
    }
    return [str(role) for role, has in held.items() if has]


def is_eligible(roles: Roles) -> bool:
    """May set up a second factor (and may be required to)."""
    return bool(policy_roles(roles))


def current_policy() -> dict[str, bool]:
    """{role: required} for every role a policy can name (off unless stored on)."""
    stored = dict(SecondFactorPolicy.objects.values_list("role", "required"))
    return {role: bool(stored.get(role, False)) for role in SecondFactorPolicy.Role.values}


def is_required(roles: Roles) -> bool:
    names = policy_roles(roles)
    return bool(names) and SecondFactorPolicy.objects.filter(role__in=names, required=True).exists()


def sign_in_status(user: User, roles: Roles) -> tuple[bool, bool]:
    """(has a confirmed app, a role requires one), in one query: the middleware asks it on
    every request of an eligible account that has not given its code."""
    names = policy_roles(roles)
    return (
        User.objects.filter(pk=user.pk)
        .annotate(
            _has=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            _required=Exists(SecondFactorPolicy.objects.filter(role__in=names, required=True)),
        )
        .values_list("_has", "_required")
        .get()
    )


def set_policy(*, actor: User, required: dict[str, bool]) -> dict[str, list]:
    """Store the policy; one audit line with what changed (nothing if nothing did)."""
    with transaction.atomic():
        old = current_policy()
        new = {role: bool(required.get(role, False)) for role in old}
        for role, value in new.items():
            SecondFactorPolicy.objects.update_or_create(role=role, defaults={"required": value})
        changes = audit.diff(
            {f"2fa_required.{k}": v for k, v in old.items()},
            {f"2fa_required.{k}": v for k, v in new.items()},
        )
        if changes:
            audit.record(audit.Kind.ACCOUNT, user=actor, target=POLICY_TARGET, changes=changes)
    return changes


# --- devices ---------------------------------------------------------------------------------


def app_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def recovery_device(user: User) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_device(user: User) -> bool:
    """A confirmed authenticator app: with one, every sign-in asks for a code."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def new_key() -> str:
    return random_hex(20)


def unsaved_device(user: User, key: str) -> TOTPDevice:
    return TOTPDevice(user=user, key=key, name=TOTP_DEVICE_NAME, confirmed=True)


def readable_secret(device: TOTPDevice) -> str:
    """The key as an app asks for it when typed: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def confirm_app(user: User, key: str, code: str) -> TOTPDevice | None:
    """The new app's device, stored (in place of any earlier one) if ``code`` is its current
    code; ``None`` otherwise. Nothing is stored before the code is right."""
    device = unsaved_device(user, key)
    code = normalized(code)
    if not (code.isdigit() and len(code) == device.digits):
        return None
    totp = TOTP(unhexlify(key), device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if not totp.verify(int(code), device.tolerance):
        return None
    device.last_t = totp.t()  # this code cannot serve again at the next sign-in
    device.drift = totp.drift
    with transaction.atomic():
        had = TOTPDevice.objects.filter(user=user).delete()[0] > 0
        device.save()
        audit.record(
            audit.Kind.ACCOUNT,
            user=user,
            target=user.get_username(),
            changes={"2fa_app": ["cũ" if had else None, "mới"]},
        )
    return device


def new_recovery_codes(user: User) -> list[str]:
    """Ten fresh single-use codes in place of any earlier ones (their device is kept, so that
    a session confirmed with a recovery code stays confirmed)."""
    with transaction.atomic():
        device = recovery_device(user)
        if device is None:
            device = StaticDevice.objects.create(user=user, name=STATIC_DEVICE_NAME)
        old = device.token_set.count()
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
        audit.record(
            audit.Kind.ACCOUNT,
            user=user,
            target=user.get_username(),
            changes={"2fa_recovery_codes": [old, len(codes)]},
        )
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def remove_devices(user: User) -> None:
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).delete()[0]
        removed += StaticDevice.objects.filter(user=user).delete()[0]
        if removed:
            audit.record(
                audit.Kind.ACCOUNT,
                user=user,
                target=user.get_username(),
                changes={"2fa_app": ["có", None]},
            )


def normalized(code: str) -> str:
    """A code as typed, without the spaces or dashes people add, in lower case."""
    return "".join(ch for ch in (code or "") if ch.isalnum()).lower()


class Throttled(Exception):
    def __init__(self, seconds: int):
        super().__init__(seconds)
        self.seconds = seconds


def _log(event: str, user: User, level=logging.INFO, **details) -> None:
    logger.log(
        level, event, extra={"event": event, "user": user.get_username(), "details": details}
    )


def _check(device, code: str, user: User) -> bool:
    """Ask the device (under its row lock, with its own throttling); ``Throttled`` while
    it refuses to try."""
    allowed, info = device.verify_is_allowed()
    if not allowed:
        locked_until = (info or {}).get("locked_until")
        seconds = 1
        if locked_until is not None:
            seconds = max(1, int((locked_until - timezone.now()).total_seconds() + 0.999))
        _log("second_factor_throttled", user, logging.WARNING, wait_seconds=seconds)
        raise Throttled(seconds)
    return device.verify_token(code)


def verify(user: User, code: str):
    """The device that accepts ``code``: six digits go to the app, anything else is tried as
    a recovery code (used up once accepted). ``None`` if refused; ``Throttled`` while the
    device waits after wrong codes."""
    code = normalized(code)
    if not code:
        return None
    with transaction.atomic():
        if code.isdigit() and len(code) == 6:
            device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
        else:
            # Recovery codes are base32 (a–z, 2–7): a 0, 1 or 8 typed is the letter it looks like.
            code = code.translate(str.maketrans("018", "olb"))
            device = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True)
        device = device.order_by("pk").first()
        if device is None:
            return None
        accepted = _check(device, code, user)
    kind = "app" if isinstance(device, TOTPDevice) else "recovery"
    if not accepted:
        _log("second_factor_failed", user, logging.WARNING, device=kind)
        return None
    _log("second_factor_verified", user, device=kind)
    return device
