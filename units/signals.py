"""Guards and audit lines that hold whatever path changes an account: the app's pages, the
Django admin, the shell, a management command, an import.

* The separation of duties (``roles.duty_conflict``) is checked before a membership is saved,
  before a user joins an Interior Department group and before a unit member becomes a
  superuser; a refusal is a ``ValidationError`` that rolls the change back.
* Each change of a membership, of a user's groups or of an account's flags (active, staff,
  superuser) is one line of the audit log, old → new.

A service or an admin page that writes a fuller line of its own (the account's role, the
temporary password …) works inside ``described()``: the guards still run, the lines here are
left out, so one action makes one line.

``bulk_create`` and ``QuerySet.update`` send no signals; nothing in the app writes these models
that way (the tests use ``bulk_create`` to make data older than the rule).
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from scoring import audit

from .models import Membership, Unit
from .roles import check_duties, duty_conflict

_described: ContextVar[bool] = ContextVar("cchc_account_described", default=False)

FLAGS = ("is_active", "is_staff", "is_superuser")


@contextmanager
def described():
    """Writes inside are recorded by the caller, not by the signals below."""
    token = _described.set(True)
    try:
        yield
    finally:
        _described.reset(token)


def _recording() -> bool:
    return not _described.get()


def _from(origin, model) -> bool:
    """Whether a deletion cascades from an instance or a queryset of ``model``."""
    if isinstance(origin, QuerySet):
        return origin.model is model
    return isinstance(origin, model)


# --- memberships --------------------------------------------------------------------------


def membership_values(membership: Membership) -> dict:
    return {
        "user": membership.user.get_username(),
        "unit": membership.unit,
        "role": membership.role,
    }


def _membership_target(membership: Membership) -> str:
    return f"{membership.user.get_username()} · {membership.unit}"


@receiver(pre_save, sender=Membership)
def membership_guard(sender, instance: Membership, **kwargs):
    try:
        user = instance.user
    except User.DoesNotExist:
        return  # the database's own constraint refuses it
    check_duties(user, has_unit_role=True)
    if _recording() and instance.pk is not None:
        old = Membership.objects.select_related("user", "unit").filter(pk=instance.pk).first()
        instance._cchc_old = membership_values(old) if old is not None else {}


@receiver(post_save, sender=Membership)
def membership_saved(sender, instance: Membership, created: bool, **kwargs):
    if not _recording():
        return
    old = {} if created else getattr(instance, "_cchc_old", {})
    changes = audit.diff(old, membership_values(instance))
    if changes:
        audit.record(
            audit.Kind.MEMBERSHIP,
            unit=instance.unit_id,
            target=_membership_target(instance),
            changes=changes,
        )


@receiver(post_delete, sender=Membership)
def membership_deleted(sender, instance: Membership, origin=None, **kwargs):
    # A deleted account's line already lists its memberships.
    if not _recording() or _from(origin, User):
        return
    audit.record(
        audit.Kind.MEMBERSHIP,
        # The unit itself may be going: a line must not point at a row about to vanish.
        unit=None if _from(origin, Unit) else instance.unit_id,
        target=_membership_target(instance),
        changes=audit.diff(membership_values(instance), {}),
    )


# --- groups ------------------------------------------------------------------------------


def group_names(user_id: int) -> list[str]:
    return sorted(Group.objects.filter(user=user_id).values_list("name", flat=True))


@receiver(m2m_changed, sender=User.groups.through)
def groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action == "pre_add":
        _guard_groups(instance, reverse, pk_set)
    elif action == "pre_clear" and _recording():
        # No pk_set after a clear: remember who was in what.
        if reverse:
            instance._cchc_cleared = {
                uid: [instance.name] for uid in instance.user_set.values_list("pk", flat=True)
            }
        else:
            instance._cchc_cleared = {instance.pk: group_names(instance.pk)}
    elif action in ("post_add", "post_remove", "post_clear") and _recording():
        if action == "post_clear":
            touched = getattr(instance, "_cchc_cleared", {})
        elif reverse:
            touched = {uid: [instance.name] for uid in pk_set}
        else:
            names = Group.objects.filter(pk__in=pk_set).values_list("name", flat=True)
            touched = {instance.pk: list(names)}
        for user_id, names in touched.items():
            _record_groups(user_id, names, added=action == "post_add")


def _guard_groups(instance, reverse: bool, pk_set) -> None:
    if not pk_set:
        return
    if reverse:  # group.user_set.add(...)
        names, user_ids = [instance.name], pk_set
    else:
        names = list(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))
        user_ids = [instance.pk]
    # Only the groups being added are weighed: an unrelated change to an account that already
    # holds both (data older than the rule) is not blocked here.
    message = duty_conflict(groups=names, is_superuser=False, has_unit_role=True)
    if message is not None and Membership.objects.filter(user_id__in=user_ids).exists():
        raise ValidationError(message, code="duty_conflict")


def _record_groups(user_id: int, names: list[str], *, added: bool) -> None:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    now = group_names(user_id)
    before = sorted(set(now) - set(names)) if added else sorted(set(now) | set(names))
    changes = audit.diff({"groups": before}, {"groups": now})
    if changes:
        audit.record(audit.Kind.ACCOUNT, target=user.get_username(), changes=changes)


# --- the account itself ------------------------------------------------------------------


@receiver(pre_save, sender=User)
def account_guard(sender, instance: User, update_fields=None, **kwargs):
    if update_fields is not None and not set(FLAGS).intersection(update_fields):
        return  # a sign-in's last_login, a password: no flag moves, no query
    if instance.pk is None:
        return  # a new account holds no membership yet
    old = User.objects.filter(pk=instance.pk).values(*FLAGS).first() or {}
    instance._cchc_old_flags = old
    if instance.is_superuser and not old.get("is_superuser"):
        check_duties(instance, groups=(), is_superuser=True)


@receiver(post_save, sender=User)
def account_saved(sender, instance: User, created: bool, **kwargs):
    if not _recording():
        return
    if created:
        new = {"username": instance.get_username(), **audit.values_of(instance, FLAGS)}
        changes = audit.diff({}, new)
    else:
        old = getattr(instance, "_cchc_old_flags", None)
        if not old:
            return
        changes = audit.diff(old, audit.values_of(instance, FLAGS))
        instance._cchc_old_flags = None
    if changes:
        audit.record(audit.Kind.ACCOUNT, target=instance.get_username(), changes=changes)


@receiver(pre_delete, sender=User)
def account_deleted(sender, instance: User, **kwargs):
    # Recorded before the cascade, while the memberships and groups can still be read.
    if not _recording():
        return
    old = {
        "username": instance.get_username(),
        **audit.values_of(instance, FLAGS),
        "groups": group_names(instance.pk),
        "memberships": [
            str(m) for m in Membership.objects.filter(user=instance).select_related("user", "unit")
        ],
    }
    audit.record(audit.Kind.ACCOUNT, target=instance.get_username(), changes=audit.diff(old, {}))
