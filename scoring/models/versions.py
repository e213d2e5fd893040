"""A counter per unit level (and one for the units and frameworks) that every change of the
data a ranking shows moves forward: the key under which rendered results are cached.

Database triggers keep it (migration 0013), not the application: a change by any path (a page,
an import, the admin, a command, ``bulk_create``, raw SQL) moves it in the same transaction as
the change itself, so a cached page can never outlive the data it was drawn from. It is a table
of its own, never written through the ORM, so no stale model instance can write an old value
back.
"""

from django.db import models

STRUCTURE = "structure"  # units, successions, levels, frameworks: shared by every level


def level_scope(level_id: int) -> str:
    return f"level:{level_id}"


class ResultsVersion(models.Model):
    scope = models.CharField(max_length=40, primary_key=True)
    version = models.BigIntegerField(default=0)

    class Meta:
        # Read-only to the application: written by the triggers of migration 0013.
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.scope}: {self.version}"
