"""Who a user is in the app. Interior Department roles are groups; district roles are memberships.

Every permission question in views and selectors goes through these helpers, so a role is decided
in one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Membership

GROUP_APPRAISER = "appraiser"  # Sở Nội vụ and the council's member departments
GROUP_INTERIOR_ADMIN = "interior_admin"  # Sở Nội vụ: runs the year
GROUP_VIEWER = "viewer"  # provincial leaders and others who read results
GROUPS = (GROUP_APPRAISER, GROUP_INTERIOR_ADMIN, GROUP_VIEWER)
# The Interior Department's groups: whoever is in one (or is a superuser, who counts as its
# admin) appraises or runs the year, so holds no role in a unit it appraises.
INTERIOR_GROUPS = frozenset({GROUP_APPRAISER, GROUP_INTERIOR_ADMIN})

# Separation of duties: an Interior Department account holds no unit role, and a unit's staff
# appraise nothing. Every path that grants a role asks ``duty_conflict`` (the accounts
# service, ``Membership.clean``, the admin's user form, and the model signals that stop the
# shell, commands and imports), so the rule and its words are here only.
CONFLICT_MESSAGE = _(
    "Tách bạch nhiệm vụ: tài khoản của Sở Nội vụ (thẩm định, quản trị) không giữ vai trò trong "
    "đơn vị, và cán bộ, lãnh đạo đơn vị không thẩm định. Hãy dùng hai tài khoản riêng."
)


def duty_conflict(*, groups: Iterable[str], is_superuser: bool, has_unit_role: bool):
    """Why this combination of roles is refused (a message), or ``None`` when it is allowed."""
    interior = is_superuser or bool(INTERIOR_GROUPS.intersection(groups))
    return CONFLICT_MESSAGE if interior and has_unit_role else None


def check_duties(
    user: User,
    *,
    groups: Iterable[str] | None = None,
    is_superuser: bool | None = None,
    has_unit_role: bool | None = None,
) -> None:
    """Raise ``ValidationError`` if ``user`` would hold both sides once the given facts apply;
    a fact not given is read from the database (as it stands before the change)."""
    if is_superuser is None:
        is_superuser = user.is_superuser
    if has_unit_role is None:
        has_unit_role = user.pk is not None and Membership.objects.filter(user_id=user.pk).exists()
    if not (is_superuser or has_unit_role):
        return  # nothing to compare: spare the groups query
    if groups is None:
        groups = user.groups.values_list("name", flat=True) if user.pk is not None else ()
    message = duty_conflict(groups=groups, is_superuser=is_superuser, has_unit_role=has_unit_role)
    if message is not None:
        raise ValidationError(message, code="duty_conflict")


@dataclass(frozen=True)
class Roles:
    is_interior_admin: bool = False
    is_appraiser: bool = False
    is_viewer: bool = False
    officer_of: frozenset[int] = field(default_factory=frozenset)  # unit ids
    leader_of: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_interior_staff(self) -> bool:
        """Sees unpublished years, every unit and every score."""
        return self.is_interior_admin or self.is_appraiser

    @property
    def unit_ids(self) -> frozenset[int]:
        return self.officer_of | self.leader_of

    @property
    def is_unit_staff(self) -> bool:
        return bool(self.unit_ids)


def roles_of(user: User | AnonymousUser) -> Roles:
    """The user's roles, computed once per request (two queries) and cached on the user object."""
    if not user.is_authenticated:
        return Roles()
    cached = getattr(user, "_cchc_roles", None)
    if cached is not None:
        return cached
    groups = set(user.groups.values_list("name", flat=True))
    officer, leader = set(), set()
    for unit_id, role in Membership.objects.filter(user=user, unit__is_active=True).values_list(
        "unit_id", "role"
    ):
        (leader if role == Membership.Role.LEADER else officer).add(unit_id)
    if duty_conflict(
        groups=groups, is_superuser=user.is_superuser, has_unit_role=bool(officer or leader)
    ):
        # Both sides, from data older than the rule: the unit roles are ignored, the Interior
        # Department's kept. A group is granted only by a superuser (the Department's admins
        # have no right on accounts), while a membership was the admins' own way in, so the
        # membership is the suspect grant; dropping it leaves the person exactly as before it
        # (unable to enter or submit any unit's self-assessment). The accounts page flags
        # the account so that one of the two is removed.
        officer, leader = set(), set()
    roles = Roles(
        is_interior_admin=user.is_superuser or GROUP_INTERIOR_ADMIN in groups,
        is_appraiser=GROUP_APPRAISER in groups,
        is_viewer=GROUP_VIEWER in groups,
        officer_of=frozenset(officer),
        leader_of=frozenset(leader),
    )
    user._cchc_roles = roles
    return roles


# Django admin permissions of each group, as "app_label.codename". Only reference data is edited
# there; years, frameworks and scores change through the app's services, so the admin shows them
# read-only. Accounts are not here: a user-change permission would let its holder grant
# themselves superuser rights.
GROUP_PERMISSIONS = {
    GROUP_INTERIOR_ADMIN: [
        *(
            f"units.{action}_{model}"
            for model in ("unitlevel", "unit", "membership")
            for action in ("view", "add", "change")
        ),
        # Successions record history: a link entered by mistake is removed (audited), not kept.
        *(f"units.{action}_unitsuccession" for action in ("view", "add", "change", "delete")),
        "scoring.view_adjustmentkind",
        "scoring.add_adjustmentkind",
        "scoring.change_adjustmentkind",
        "scoring.view_appraisalreason",
        "scoring.add_appraisalreason",
        "scoring.change_appraisalreason",
        *(
            f"scoring.view_{model}"
            for model in ("framework", "frameworknode", "assessmentyear", "band", "assessment")
        ),
        "scoring.view_leafscore",
        "scoring.view_adjustment",
        "scoring.view_auditevent",
        *(f"axes.{p}" for p in ("view_accessattempt", "delete_accessattempt", "view_accesslog")),
    ],
    GROUP_APPRAISER: [],
    GROUP_VIEWER: [],
}


def sync_role_groups(**kwargs) -> None:
    """Create the role groups and give them their permissions (run after every migrate, and
    after a test flush, so a fresh database always has them)."""
    from django.contrib.auth.models import Group, Permission

    for name, perms in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = Permission.objects.none()
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted |= Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            )
        group.permissions.set(wanted)


# The role the demo loader and scripted imports act with: the Interior Department's admin.
SYSTEM_ADMIN = Roles(is_interior_admin=True)
