from django.core.exceptions import PermissionDenied

from units.roles import Roles


def require_interior_admin(roles: Roles) -> None:
    if not roles.is_interior_admin:
        raise PermissionDenied
