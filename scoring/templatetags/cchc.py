from django import template

from ..selectors.entry import describe_declared

register = template.Library()


@register.filter
def display_name(user) -> str:
    """A person's name for a page: full name, else username, else a dash (a deleted account)."""
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


@register.filter
def declared_text(declared, node) -> str:
    return describe_declared(node, declared)


@register.filter
def subtract(value, other):
    """value − other, for the appraised-minus-self difference."""
    try:
        return value - other
    except TypeError:
        return ""


@register.filter
def get(mapping, key):
    return mapping.get(key)
