"""Reads of the accounts pages, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group, User
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from .models import Membership
from .roles import duty_conflict


@dataclass(frozen=True)
class AccountRow:
    user: User
    groups: list[str]
    memberships: list[Membership]
    must_change_password: bool
    # Holds both an Interior Department role and a unit role (data older than the rule): the
    # app ignores the unit role (``roles_of``) until one of the two is removed.
    conflict: bool


def account_rows() -> list[AccountRow]:
    """Every account with its groups, memberships and state, in three queries: the users (with
    their state), their groups, their memberships (with the unit)."""
    users = (
        User.objects.order_by("username")
        .select_related("account_state")
        .prefetch_related(
            Prefetch("groups", queryset=Group.objects.order_by("name")),
            Prefetch(
                "memberships", queryset=Membership.objects.select_related("unit").order_by("unit")
            ),
        )
    )
    rows = []
    for user in users:
        groups = [g.name for g in user.groups.all()]
        memberships = list(user.memberships.all())
        try:
            must_change = user.account_state.must_change_password
        except ObjectDoesNotExist:
            must_change = False
        conflict = duty_conflict(
            groups=groups, is_superuser=user.is_superuser, has_unit_role=bool(memberships)
        )
        rows.append(AccountRow(user, groups, memberships, must_change, conflict is not None))
    return rows


def get_account(user_id: int) -> User:
    return get_object_or_404(User, pk=user_id)
