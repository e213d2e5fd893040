"""Who a user is in the app. Interior Department roles are groups; district roles are memberships.

Every permission question in views and selectors goes through these helpers, so a role is decided
in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser, User

from .models import Membership

GROUP_APPRAISER = "appraiser"  # Sở Nội vụ and the council's member departments
GROUP_INTERIOR_ADMIN = "interior_admin"  # Sở Nội vụ: runs the year
GROUP_VIEWER = "viewer"  # provincial leaders and others who read results
GROUPS = (GROUP_APPRAISER, GROUP_INTERIOR_ADMIN, GROUP_VIEWER)


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
    roles = Roles(
        is_interior_admin=user.is_superuser or GROUP_INTERIOR_ADMIN in groups,
        is_appraiser=GROUP_APPRAISER in groups,
        is_viewer=GROUP_VIEWER in groups,
        officer_of=frozenset(officer),
        leader_of=frozenset(leader),
    )
    user._cchc_roles = roles
    return roles
