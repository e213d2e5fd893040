"""Who holds a role, as ``units.roles.roles_of`` counts it: one definition for the home page's
to-do list, the reminders and the notifications, so that a reminder reaches exactly the people
whose home page lists the work."""

from django.db.models import Q, QuerySet

from units.models import Membership
from units.roles import GROUP_APPRAISER, GROUP_INTERIOR_ADMIN, INTERIOR_GROUPS

from ..models import FieldAssignment


def unit_staff_memberships() -> QuerySet[Membership]:
    """Memberships that make someone a unit's staff: active units, active accounts, and not an
    account of the Interior Department (``roles_of`` ignores their unit roles)."""
    return (
        Membership.objects.filter(unit__is_active=True, user__is_active=True)
        .exclude(user__is_superuser=True)
        .exclude(user__groups__name__in=INTERIOR_GROUPS)
    )


def field_holders() -> QuerySet[FieldAssignment]:
    """Assignments whose holder may appraise the field: an active appraiser, or an admin of the
    Interior Department (who may appraise every field). An account that left both groups keeps
    its rows, but its fields count as nobody's (the admins')."""
    return FieldAssignment.objects.filter(
        Q(appraiser__groups__name__in=[GROUP_APPRAISER, GROUP_INTERIOR_ADMIN])
        | Q(appraiser__is_superuser=True),
        appraiser__is_active=True,
    )
