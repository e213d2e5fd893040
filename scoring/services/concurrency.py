"""The one optimistic-concurrency save: every page that edits rows others may edit too (the
unit's entry, the appraisal, the survey grid, the ledger, the year's settings) writes through
``save_versioned``.

A page sends, for each row it shows, the version it showed and the values the user left. Only
rows whose values differ from what is stored are written; a row someone else saved since the
page was shown (its version moved on) is refused with their version, and then nothing at all is
written. Each written row gets its version bumped, its history (where the model keeps one) and
a line in the audit log with old → new.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .. import audit

# Rows per UPDATE of a bulk save: Django's bulk_update writes one CASE branch per row, which
# PostgreSQL evaluates for every row of the statement (the cost grows with the square of its
# size): 30,000 survey cells in one statement held a server process for over ten minutes.
UPDATE_BATCH = 500


@dataclass(frozen=True)
class Conflict:
    key: Any  # what the caller keyed the row by (a framework node, an (assessment, leaf) pair …)
    theirs: Any  # the row as the other person saved it; None if it is gone

    @property
    def node(self):
        """Leaf saves key their rows by framework node."""
        return self.key


class ConflictError(Exception):
    """Someone saved some of these rows since the page was opened; nothing was saved."""

    def __init__(self, conflicts: list[Conflict]):
        super().__init__(f"{len(conflicts)} conflicting rows")
        self.conflicts = conflicts


@dataclass(frozen=True)
class Edit:
    """What a page sent for one row: the version it showed and the values left by the user,
    in the order of the save's ``fields``."""

    key: Hashable
    version: int
    values: tuple


@dataclass(frozen=True)
class Audit:
    """How the rows of a save appear in the audit log: the kind, and for one row its year, unit,
    node code and a readable target (as keyword arguments of ``audit.event``)."""

    kind: str
    describe: Callable[[Hashable, models.Model], Mapping[str, Any]]


def save_versioned(
    *,
    model: type[models.Model],
    stored: Mapping[Hashable, models.Model],
    edits: Iterable[Edit],
    fields: Sequence[str],
    version_field: str,
    new_row: Callable[[Hashable], models.Model],
    user,
    stamp: Mapping[str, Any] | None = None,
    log: Audit | None = None,
) -> list[models.Model]:
    """Write the edits that change something; returns the rows written.

    ``stored`` holds the current rows, already locked by the caller (select_for_update), keyed
    as the edits are; a key without a row is created by ``new_row`` when its values differ
    from a new row's defaults. ``stamp`` sets further fields on every written row (who and
    when). Raises ``ConflictError`` before writing anything when a changed row's version is
    not the one the page showed.
    """
    stamp = dict(stamp or {})
    conflicts, changed, created, events = [], [], [], []
    for edit in edits:
        row = stored.get(edit.key)
        current = row if row is not None else new_row(edit.key)
        old = tuple(getattr(current, name) for name in fields)
        if tuple(edit.values) == old:
            continue
        if edit.version != (getattr(row, version_field) if row is not None else 0):
            conflicts.append(Conflict(edit.key, row))
            continue
        for name, value in zip(fields, edit.values, strict=True):
            setattr(current, name, value)
        setattr(current, version_field, getattr(current, version_field) + 1)
        for name, value in stamp.items():
            setattr(current, name, value)
        (created if row is None else changed).append(current)
        if log is not None:
            events.append(
                audit.event(
                    log.kind,
                    user=user,
                    changes=audit.diff(
                        dict(zip(fields, old, strict=True)),
                        dict(zip(fields, edit.values, strict=True)),
                    ),
                    **log.describe(edit.key, current),
                )
            )
    if conflicts:
        raise ConflictError(conflicts)
    saved = [*fields, version_field, *stamp]
    tracked = hasattr(model, "history")
    if changed:
        if tracked:
            bulk_update_with_history(
                changed, model, saved, batch_size=UPDATE_BATCH, default_user=user
            )
        else:
            model.objects.bulk_update(changed, saved, batch_size=UPDATE_BATCH)
    if created:
        if tracked:
            bulk_create_with_history(created, model, default_user=user)
        else:
            model.objects.bulk_create(created)
    audit.save_events(events)
    return changed + created


def check_version(row: models.Model, version_field: str, shown: int | None, *, key=None) -> None:
    """For a save of one object whose page showed ``shown``: refuse it (``ConflictError``) when
    someone saved the object since. ``None`` means the page did not say (an old form): refused
    too, since nobody can tell what the user saw."""
    if shown is None or shown != getattr(row, version_field):
        raise ConflictError([Conflict(key if key is not None else row.pk, row)])
