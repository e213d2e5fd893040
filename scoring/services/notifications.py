"""Notifications: the events of the year that concern someone, written for the bell and, for
those who want it, sent by e-mail. Every sender here is called after the change it reports
has been committed (``transaction.on_commit``), so a refused or rolled-back change tells no
one anything.

"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction

from ..models import Assessment, AssessmentYear, Notification


def notify(
    recipients: Iterable,
    *,
    kind: str,
    year: AssessmentYear | None = None,
    unit=None,
    params: dict | None = None,
    url: str = "",
    key: str = "",
) -> list[Notification]:
    """Create one notification per recipient (once per ``key`` when a key is given) and mail
    those who want e-mail. Returns the notifications created now: a key that already exists
    for a person, because an earlier or a concurrent run created it, creates nothing and
    mails nothing (the database's unique constraint decides between concurrent runs)."""
    created = []
    seen = set()
    for user in recipients:
        if user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        row = Notification(
            recipient=user, kind=kind, year=year, unit=unit, params=params or {}, url=url, key=key
        )
        if key:
            if Notification.objects.filter(recipient=user, key=key).exists():
                continue
            try:
                with transaction.atomic():  # a savepoint: a lost race rolls back this row only
                    row.save()
            except IntegrityError:
                continue
        else:
            row.save()
        created.append(row)
    if created:
        transaction.on_commit(lambda: deliver(created))
    return created


def deliver(notifications: list[Notification]) -> None:
    """Mail the notifications whose recipients want e-mail (after the commit that made them)."""


def year_step(year: AssessmentYear) -> None:
    """The year moved to a new step: tell those it concerns (self-assessment opens → unit
    staff; explanation opens → units with flagged leaves, with their count; publication →
    everyone of the level)."""


def submission_received(assessment: Assessment) -> None:
    """A unit sent its self-assessment: tell the appraisers of the year."""


def explanation_submitted(assessment: Assessment) -> None:
    """A unit's leader sent its explanations: tell the appraisers of the year."""
