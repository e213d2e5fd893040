"""Reads of notifications: the bell's count, a person's list, their e-mail preferences, and who
an event of the year concerns. Each in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q

from units.models import AccountState, Membership
from units.roles import GROUP_APPRAISER, GROUP_INTERIOR_ADMIN, GROUP_VIEWER

from .. import notification_texts
from ..models import Assessment, AssessmentYear, LeafScore, Notification
from .people import field_holders, unit_staff_memberships

PER_PAGE = 20


# --- a person's own notifications -------------------------------------------------------------


def unread_count(user) -> int:
    """The bell's number (one query)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@dataclass(frozen=True)
class Line:
    """One notification as the list shows it, in the reader's language."""

    id: int
    title: str
    body: str
    created_at: dt.datetime
    unread: bool
    has_link: bool


def notification_page(user, page_number) -> tuple[Page, list[Line]]:
    """A page of the person's notifications, newest first (two queries: count and rows). A
    page number out of range or not a number gives the nearest page."""
    rows = Notification.objects.filter(recipient=user).only(
        "id", "kind", "params", "url", "created_at", "read_at"
    )
    page = Paginator(rows, PER_PAGE).get_page(page_number)
    lines = []
    for row in page.object_list:
        text = notification_texts.render(row.kind, row.params)
        lines.append(
            Line(
                id=row.id,
                title=text.title,
                body=text.body,
                created_at=row.created_at,
                unread=row.read_at is None,
                has_link=bool(row.url),
            )
        )
    return page, lines


@dataclass(frozen=True)
class Preferences:
    email_notifications: bool
    language: str


def preferences(user) -> Preferences:
    """Whether the person wants e-mail, and in which language; the defaults when the account
    has no state row yet."""
    state = AccountState.objects.filter(user=user).first() or AccountState()
    return Preferences(state.email_notifications, state.language)


def mail_language(state: AccountState | None) -> str:
    """The language a person's mail is written in: their choice if the site offers it."""
    offered = {code for code, _name in settings.LANGUAGES}
    language = state.language if state is not None else settings.LANGUAGE_CODE
    return language if language in offered else settings.LANGUAGE_CODE


# --- who an event concerns ---------------------------------------------------------------------


def unit_staff(year: AssessmentYear, unit_ids=None) -> list[Membership]:
    """Officers and leaders of the units the year assesses (of ``unit_ids`` only, if given),
    each membership with its user and unit (one query)."""
    assessed = Assessment.objects.filter(year=year).values("unit_id")
    memberships = unit_staff_memberships().filter(unit_id__in=assessed)
    if unit_ids is not None:
        memberships = memberships.filter(unit_id__in=list(unit_ids))
    return list(memberships.select_related("user", "unit").order_by("unit_id", "user_id"))


@dataclass(frozen=True)
class FlaggedUnit:
    unit_id: int
    name: str
    code: str
    count: int


def flagged_units(year: AssessmentYear) -> list[FlaggedUnit]:
    """Units of the year with leaves flagged for explanation, with their number (one query)."""
    rows = (
        LeafScore.objects.filter(assessment__year=year, flagged=True)
        .values("assessment__unit_id", "assessment__unit__name", "assessment__unit__code")
        .annotate(count=Count("id"))
        .order_by("assessment__unit_id")
    )
    return [
        FlaggedUnit(
            r["assessment__unit_id"], r["assessment__unit__name"], r["assessment__unit__code"], n
        )
        for r in rows
        if (n := r["count"])
    ]


def _active_users(condition: Q) -> list[User]:
    return list(User.objects.filter(condition, is_active=True).distinct().order_by("pk"))


def appraisal_audience(year: AssessmentYear) -> list[User]:
    """Who appraises the year: the appraisers assigned to its fields, or, while none is
    assigned, every appraiser and admin of the Interior Department (at most two queries)."""
    assigned = field_holders().filter(year=year).values("appraiser_id")
    users = _active_users(Q(pk__in=assigned))
    if users:
        return users
    return _active_users(
        Q(groups__name__in=[GROUP_APPRAISER, GROUP_INTERIOR_ADMIN]) | Q(is_superuser=True)
    )


def province_readers() -> list[User]:
    """The Interior Department (appraisers, admins, superusers) and the viewers (one query)."""
    return _active_users(
        Q(groups__name__in=[GROUP_APPRAISER, GROUP_INTERIOR_ADMIN, GROUP_VIEWER])
        | Q(is_superuser=True)
    )
