"""The deadline each step works towards, seen from now: days left, and the reminder due."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ...models import AssessmentYear

State = AssessmentYear.State

STEP_DEADLINES = AssessmentYear.STEP_DEADLINES
UNIT_STATES = (State.SELF_ASSESSMENT, State.EXPLANATION)
APPRAISAL_ROUNDS = {State.APPRAISAL: 1, State.FINAL_APPRAISAL: 2}
REMINDER_DAYS = (1, 3, 7)  # most urgent first


@dataclass(frozen=True)
class Due:
    """A deadline seen from ``now``, in days of the calendar (local time): a deadline of
    Friday 17:00 is "còn 3 ngày" all Tuesday, "hôm nay" on Friday until 17:00."""

    name: str  # a field of the year (AssessmentYear.DEADLINES)
    at: dt.datetime
    now: dt.datetime

    @property
    def passed(self) -> bool:
        return self.now >= self.at

    @property
    def days(self) -> int:
        """Days from today to the day of the deadline; negative once that day is past."""
        return (timezone.localdate(self.at) - timezone.localdate(self.now)).days

    @property
    def label(self) -> str:
        return capfirst(AssessmentYear._meta.get_field(self.name).verbose_name)

    @property
    def phrase(self) -> str:
        if self.passed:
            late = -self.days
            if late <= 0:
                return _("đã hết hạn hôm nay")
            return ngettext("đã quá hạn %(n)d ngày", "đã quá hạn %(n)d ngày", late) % {"n": late}
        if self.days <= 0:
            return _("hôm nay")
        return ngettext("còn %(n)d ngày", "còn %(n)d ngày", self.days) % {"n": self.days}

    @property
    def tone(self) -> str:
        """The badge's Bootstrap colour: late, close (3 days or less), or not yet."""
        if self.passed:
            return "danger"
        return "warning" if self.days <= 3 else "secondary"


def due_of(year: AssessmentYear, name: str | None, now: dt.datetime) -> Due | None:
    at = getattr(year, name) if name else None
    return Due(name, at, now) if at is not None else None


def reminder_tier(at: dt.datetime, now: dt.datetime) -> int | None:
    """The reminder due at ``now`` for a deadline at ``at``: the smallest of 1, 3, 7 such that
    the deadline is at most that many days (of 24 hours) away; ``None`` more than 7 days
    before it and from the deadline on. Only the most urgent one: a job that did not run when
    the 7-day one fell due does not send it late, 2 days before the deadline."""
    if now >= at:
        return None
    return next((days for days in REMINDER_DAYS if at - now <= dt.timedelta(days=days)), None)


def reminder_due(year: AssessmentYear, now: dt.datetime) -> tuple[str, int] | None:
    """(deadline, days of the reminder) due now for the year's current step, if any. None
    outside the four steps with a closing deadline, without that deadline, once it passed,
    and while the self-assessment window is not open yet (nobody can work on it)."""
    name = STEP_DEADLINES.get(year.state)
    due = due_of(year, name, now)
    if due is None:
        return None
    if year.state == State.SELF_ASSESSMENT and (
        year.self_assessment_opens and now < year.self_assessment_opens
    ):
        return None
    tier = reminder_tier(due.at, now)
    return (name, tier) if tier else None
