from django.utils.functional import SimpleLazyObject, cached_property

from scoring.selectors.notifications import unread_count

from .roles import roles_of


class Bell:
    """The navigation's notification bell: the number of unread notifications, counted the
    first time a page shows it (one query), and never for an anonymous visitor."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def count(self) -> int:
        if not self.user.is_authenticated:
            return 0
        return unread_count(self.user)


def roles(request):
    # Lazy: pages that never look at roles, or at the bell, cost no query.
    return {
        "roles": SimpleLazyObject(lambda: roles_of(request.user)),
        "bell": Bell(request.user),
    }
