"""Text inputs bounded where they are typed: no text a user can type overflows its column, and
a refusal says so in the user's words (not a database error and a rolled-back save)."""

from __future__ import annotations

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

TOO_LONG = _("Dài quá: tối đa %(limit_value)d ký tự (đã nhập %(show_value)d ký tự).")

# Free text stored in a text column has no column limit; this bound keeps a pasted document out
# of every audit line that copies the text as old → new. A long explanation is still ten pages.
LONG_TEXT = 20_000


def column_length(model: type[models.Model], name: str) -> int:
    """The length of a character column, read from the model so the two never drift apart."""
    return model._meta.get_field(name).max_length


def bounded(max_length: int, **kwargs) -> forms.CharField:
    """A text input refused, with a clear message, beyond ``max_length`` characters."""
    return forms.CharField(max_length=max_length, error_messages={"max_length": TOO_LONG}, **kwargs)


def long_text(rows: int = 2, **kwargs) -> forms.CharField:
    """A textarea for free text (explanations, comments, reasons), bounded at ``LONG_TEXT``."""
    return bounded(LONG_TEXT, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)
