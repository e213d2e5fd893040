"""Notifications: the events of the year that concern someone, written for the bell and, for
those who want it, sent by e-mail. Every sender here is called after the change it reports
has been committed (``transaction.on_commit``), so a refused or rolled-back change tells no
one anything.

Interface fixed first (the services call it); the implementation fills it in.
"""

from __future__ import annotations

from collections.abc import Iterable

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
    those who want e-mail. Returns the notifications created now."""
    return []


def year_step(year: AssessmentYear) -> None:
    """The year moved to a new step: tell those it concerns (self-assessment opens → unit
    staff; explanation opens → units with flagged leaves, with their count; publication →
    everyone of the level)."""


def submission_received(assessment: Assessment) -> None:
    """A unit sent its self-assessment: tell the appraisers of the year."""


def explanation_submitted(assessment: Assessment) -> None:
    """A unit's leader sent its explanations: tell the appraisers of the year."""
