"""Notifications: the events of the year that concern someone, written for the bell and, for
those who want it, sent by e-mail. Every sender here is called after the change it reports
has been committed (``transaction.on_commit``), so a refused or rolled-back change tells no
one anything; and a sender that fails logs it rather than turn that committed change into an
error page.

Who each event concerns (``scoring.selectors.notifications`` finds them, in a fixed number of
queries):

* self-assessment opens: the officers and leaders of the units the year assesses, each with a
  link to their unit's entry;
* appraisal and final appraisal open: the appraisers assigned to the year's fields (while
  none is, every appraiser and admin of the Interior Department), with the worklist;
* the explanation round opens: the staff of each unit with flagged leaves, with their number
  and the unit's explanation page (kind ``leaf.flagged``);
* publication: the staff of the assessed units (their scorecard), and the Interior
  Department and the viewers (the ranking);
* a unit sends its self-assessment or its explanations: the year's appraisers, as above.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from units.models import AccountState

from .. import notification_texts
from ..models import Assessment, AssessmentYear, Notification
from ..selectors import notifications as audience
from ..templatetags.cchc import display_name

logger = logging.getLogger("cchc.notifications")

Kind = Notification.Kind
State = AssessmentYear.State

# The deadline a step's notification names: the one that closes the step just opened.
STEP_DEADLINES = AssessmentYear.STEP_DEADLINES


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
    rows = []
    seen = set()
    for user in recipients:
        if user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(
            Notification(
                recipient=user,
                kind=kind,
                year=year,
                unit=unit,
                params=params or {},
                url=url,
                key=key,
            )
        )
    return _store(rows)


def _store(rows: list[Notification]) -> list[Notification]:
    """Save the rows (those without a key in one insert) and mail them after the commit."""
    created = [row for row in rows if not row.key]
    if created:
        Notification.objects.bulk_create(created)
    for row in rows:
        if not row.key:
            continue
        if Notification.objects.filter(recipient=row.recipient, key=row.key).exists():
            continue
        try:
            with transaction.atomic():  # a savepoint: a lost race rolls back this row only
                row.save()
        except IntegrityError:
            continue
        created.append(row)
    if created:
        transaction.on_commit(lambda: deliver(created))
    return created


# --- e-mail ------------------------------------------------------------------------------------


def _state_of(user) -> AccountState | None:
    """The account's state as loaded with the notification (no query); ``None`` if it has none
    yet, which means the defaults."""
    try:
        return user.account_state
    except AccountState.DoesNotExist:
        return None


def _wants_mail(user) -> bool:
    return (_state_of(user) or AccountState()).email_notifications


def absolute(path: str) -> str:
    """A link for a mail: the site's address (``SITE_URL``) and the path."""
    return settings.SITE_URL + path


def _message(row: Notification, connection) -> mail.EmailMultiAlternatives:
    """The mail of one notification, written in the recipient's language."""
    user = row.recipient
    language = audience.mail_language(_state_of(user))
    with translation.override(language):
        text = notification_texts.render(row.kind, row.params)
        context = {
            "name": display_name(user),
            "title": text.title,
            "body": text.body,
            "link": absolute(reverse("notification_open", args=[row.pk])),
            "settings_link": absolute(reverse("notification_settings")),
            "language": language,
        }
        subject = _("[Chỉ số CCHC] %(title)s") % {"title": text.title}
        message = mail.EmailMultiAlternatives(
            subject=" ".join(subject.split()),  # a header: one line
            body=render_to_string("emails/notification.txt", context),
            to=[user.email],
            connection=connection,
            headers={"Content-Language": language},
        )
        message.attach_alternative(
            render_to_string("emails/notification.html", context), "text/html"
        )
    return message


def _close_quietly(connection) -> None:
    """Drop a connection a failure may have broken; the next mail opens its own."""
    with contextlib.suppress(Exception):  # already failing: nothing more to learn from it
        connection.close()


def deliver(notifications: list[Notification]) -> None:
    """Mail the notifications whose recipients want e-mail and have an address, each in its
    recipient's language, and mark them mailed. One address that fails is logged (logger
    ``cchc.notifications``) and the others are still sent; a notification already mailed is
    not mailed again. Queries: one read, one update, whatever the number."""
    ids = [n.pk for n in notifications if n.pk is not None]
    if not ids:
        return
    rows = [
        row
        for row in Notification.objects.filter(pk__in=ids, emailed_at__isnull=True)
        .exclude(recipient__email="")
        .select_related("recipient__account_state")
        .order_by("pk")
        if row.recipient.is_active and _wants_mail(row.recipient)
    ]
    if not rows:
        return
    try:
        connection = mail.get_connection()
        connection.open()
    except Exception:
        logger.exception("No mail sent: the mail backend could not be opened.")
        return
    sent = []
    try:
        for row in rows:
            try:
                _message(row, connection).send()
            except Exception:
                logger.exception("Notification %s not mailed to %s.", row.pk, row.recipient.email)
                _close_quietly(connection)
            else:
                sent.append(row.pk)
    finally:
        _close_quietly(connection)
        if sent:
            Notification.objects.filter(pk__in=sent).update(emailed_at=timezone.now())


# --- the events --------------------------------------------------------------------------------


def _logged(sender):
    """A notification that cannot be sent is logged; the change it reports stands."""

    @functools.wraps(sender)
    def wrapper(*args, **kwargs):
        try:
            return sender(*args, **kwargs)
        except Exception:
            logger.exception("Notifications of %s not sent.", sender.__name__)
            return []

    return wrapper


def _year_params(year: AssessmentYear, level_name: str, deadline: str | None = None) -> dict:
    params = {"year": year.year, "level": level_name}
    at = getattr(year, deadline) if deadline else None
    if at is not None:
        params |= {"deadline": deadline, "at": at.isoformat()}
    return params


def _unit_rows(memberships, *, kind, year, params_of, url_of) -> list[Notification]:
    """One notification per person and unit (a person on two units' staff gets both)."""
    rows, seen = [], set()
    for m in memberships:
        if (m.user_id, m.unit_id) in seen:
            continue
        seen.add((m.user_id, m.unit_id))
        rows.append(
            Notification(
                recipient=m.user,
                kind=kind,
                year=year,
                unit=m.unit,
                params=params_of(m.unit),
                url=url_of(m.unit),
            )
        )
    return rows


def _people_rows(users, *, kind, year, params, url, skip=()) -> list[Notification]:
    return [
        Notification(recipient=u, kind=kind, year=year, params=params, url=url)
        for u in users
        if u.pk not in skip
    ]


@_logged
@transaction.atomic
def year_step(year: AssessmentYear) -> list[Notification]:
    """The year moved to a new step: tell those it concerns (see the module's docstring).
    Returns the notifications created. Queries: a fixed number whatever the number of units
    and people (one insert for all)."""
    state = year.state
    level = AssessmentYear.objects.select_related("unit_level").get(pk=year.pk).unit_level.name
    params = {"state": state, **_year_params(year, level, STEP_DEADLINES.get(state))}
    rows: list[Notification] = []
    if state == State.SELF_ASSESSMENT:
        rows = _unit_rows(
            audience.unit_staff(year),
            kind=Kind.YEAR_STEP,
            year=year,
            params_of=lambda unit: params | {"unit": unit.name},
            url_of=lambda unit: reverse("entry", args=[year.pk, unit.code]),
        )
    elif state in (State.APPRAISAL, State.FINAL_APPRAISAL):
        rows = _people_rows(
            audience.appraisal_audience(year),
            kind=Kind.YEAR_STEP,
            year=year,
            params=params,
            url=reverse("worklist", args=[year.pk]),
        )
    elif state == State.EXPLANATION:
        flagged = {u.unit_id: u for u in audience.flagged_units(year)}
        flag_params = _year_params(year, level, STEP_DEADLINES[state])
        rows = _unit_rows(
            audience.unit_staff(year, unit_ids=flagged) if flagged else [],
            kind=Kind.FLAGGED,
            year=year,
            params_of=lambda unit: (
                flag_params | {"unit": unit.name, "count": flagged[unit.id].count}
            ),
            url_of=lambda unit: reverse("explanation", args=[year.pk, unit.code]),
        )
    elif state == State.PUBLISHED:
        rows = _unit_rows(
            audience.unit_staff(year),
            kind=Kind.YEAR_STEP,
            year=year,
            params_of=lambda unit: params | {"unit": unit.name},
            url_of=lambda unit: reverse("scorecard", args=[year.pk, unit.code]),
        )
        rows += _people_rows(
            audience.province_readers(),
            kind=Kind.YEAR_STEP,
            year=year,
            params=params,
            url=reverse("ranking", args=[year.pk]),
            skip={row.recipient_id for row in rows},
        )
    return _store(rows)


def _assessment_event(assessment: Assessment, *, kind: str, url_name: str) -> list[Notification]:
    assessment = Assessment.objects.select_related("year__unit_level", "unit").get(pk=assessment.pk)
    year, unit = assessment.year, assessment.unit
    return notify(
        audience.appraisal_audience(year),
        kind=kind,
        year=year,
        unit=unit,
        params={"unit": unit.name, **_year_params(year, year.unit_level.name)},
        url=reverse(url_name, args=[year.pk, unit.code]),
    )


@_logged
@transaction.atomic
def submission_received(assessment: Assessment) -> list[Notification]:
    """A unit sent its self-assessment: tell the appraisers of the year (or, while none is
    assigned, the whole Interior Department), with a link to the unit's entry."""
    return _assessment_event(assessment, kind=Kind.SUBMITTED, url_name="entry")


@_logged
@transaction.atomic
def explanation_submitted(assessment: Assessment) -> list[Notification]:
    """A unit's leader sent its explanations: tell the appraisers of the year (as above), with
    a link to the unit's explanation page."""
    return _assessment_event(assessment, kind=Kind.EXPLANATION_SUBMITTED, url_name="explanation")


# --- a person's own notifications and preferences ------------------------------------------------


def mark_read(*, user, notification: Notification) -> None:
    """Mark one of the person's notifications read (a second time changes nothing)."""
    Notification.objects.filter(pk=notification.pk, recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def mark_all_read(*, user) -> int:
    """Mark every unread notification of the person read; returns how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def _offered(language: str) -> bool:
    return language in {code for code, _name in settings.LANGUAGES}


def set_preferences(*, user, email_notifications: bool, language: str) -> AccountState:
    """Whether the person receives notifications by e-mail, and the language of those mails."""
    if not _offered(language):
        raise ValidationError(_("Ngôn ngữ không có trong danh sách."), code="language")
    state, _created = AccountState.objects.update_or_create(
        user=user,
        defaults={"email_notifications": email_notifications, "language": language},
    )
    return state


def remember_language(*, user, language: str) -> None:
    """The person chose the site's language: their mails follow it (a language the site does
    not offer is ignored, as the language switch ignores it)."""
    if user.is_authenticated and _offered(language):
        AccountState.objects.update_or_create(user=user, defaults={"language": language})
