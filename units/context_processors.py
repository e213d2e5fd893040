from django.utils.functional import SimpleLazyObject

from .roles import roles_of


def roles(request):
    # Lazy: pages that never look at roles cost no query.
    return {"roles": SimpleLazyObject(lambda: roles_of(request.user))}
