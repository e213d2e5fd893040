"""`manage.py send_reminders`: the deadline reminders that are due now, for a scheduler."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from scoring.models import AssessmentYear, Notification
from scoring.selectors.todo import STEP_DEADLINES, Due, reminder_due, who_has_work
from scoring.services.notifications import notify

CRON_LINE = "0 * * * * cd /srv/cchc && .venv/bin/python manage.py send_reminders"


def reminder_key(year: AssessmentYear, deadline: str, days: int, unit=None) -> str:
    """One reminder per person, year, deadline and its moment, number of days and unit: the
    database refuses a second one, even from a run at the same moment. A deadline moved (a
    step taken back, a deadline extended) is a new deadline, reminded of again; someone on the
    staff of two units is reminded of each."""
    moment = getattr(year, deadline).astimezone(dt.UTC).strftime("%Y%m%dT%H%M")
    about = f"unit-{unit.pk}:" if unit is not None else ""
    return f"deadline:{year.pk}:{deadline}:{moment}:{about}{days}"


def parse_now(value: str) -> dt.datetime:
    moment = parse_datetime(value)
    if moment is None:
        try:
            moment = dt.datetime.combine(dt.date.fromisoformat(value), dt.time())
        except ValueError:
            raise CommandError(
                f"--now {value!r} is not an ISO date and time, e.g. 2024-11-27T08:00+07:00."
            ) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class Command(BaseCommand):
    help = (
        "Remind those who still have work before the deadline that closes a year's current step "
        "(self-assessment, appraisal, explanation, final appraisal): 7, 3 and 1 days before it. "
        "The N-day reminder falls due once the deadline is N days (of 24 hours) away or less, "
        "and only the most urgent one is sent: a run that missed the day of the 7-day one sends "
        "the 3-day one when 3 days remain, not both. Each reminder reaches each person once, "
        "even from two runs at the same moment, so it is safe to run every hour. Nobody is "
        "reminded once done (unit sent, leaves scored), once the deadline passed, or for a step "
        f"the year left. Cron, hourly: {CRON_LINE}"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="list the reminders that would be sent now, and send nothing",
        )
        parser.add_argument(
            "--now",
            help="act as if it were this moment (ISO 8601, e.g. 2024-11-27T08:00+07:00; "
            "without an offset, the site's time zone): for tests and for checking what a run "
            "would do",
        )

    def handle(self, *args, **options):
        now = parse_now(options["now"]) if options.get("now") else timezone.now()
        dry_run = options.get("dry_run", False)
        sent = already = 0
        years = (
            AssessmentYear.objects.filter(state__in=list(STEP_DEADLINES))
            .select_related("unit_level")
            .order_by("year", "unit_level__order", "pk")
        )
        for year in years:
            due = reminder_due(year, now)
            if due is None:
                continue
            deadline, days = due
            at = getattr(year, deadline)
            left = Due(deadline, at, now).days
            base = {
                "deadline": deadline,
                "at": timezone.localtime(at).isoformat(),
                "days": left,
                "reminder": days,
                "year": year.year,
                "level": year.unit_level.name,
                "work": year.state,
            }
            reminders = who_has_work(year, deadline)
            keys = {id(r): reminder_key(year, deadline, days, r.unit) for r in reminders}
            done = set(
                Notification.objects.filter(key__in=set(keys.values())).values_list(
                    "recipient_id", "key"
                )
            )
            self.stdout.write(
                f"{year}: {deadline} at {timezone.localtime(at):%Y-%m-%d %H:%M}, "
                f"{left} day(s) left: the {days}-day reminder"
            )
            for reminder in reminders:
                key = keys[id(reminder)]
                waiting = [u for u in reminder.users if (u.pk, key) not in done]
                already += len(reminder.users) - len(waiting)
                if dry_run:
                    for user in waiting:
                        self.stdout.write(f"  would remind {user.username}{_about(reminder)}")
                    sent += len(waiting)
                    done.update((u.pk, key) for u in waiting)
                    continue
                created = notify(
                    waiting,
                    kind=Notification.Kind.DEADLINE,
                    year=year,
                    unit=reminder.unit,
                    params={**base, **reminder.params},
                    url=reminder.url,
                    key=key,
                )
                # Those a concurrent run reminded in between count as reminded before.
                already += len(waiting) - len(created)
                sent += len(created)
                for row in created:
                    self.stdout.write(f"  reminded {row.recipient.username}{_about(reminder)}")
                done.update((row.recipient_id, key) for row in created)
        verb = "would send" if dry_run else "sent"
        self.stdout.write(
            self.style.SUCCESS(f"Reminders {verb}: {sent}; already sent before: {already}.")
        )


def _about(reminder) -> str:
    unit = f" ({reminder.unit.name})" if reminder.unit else ""
    return f"{unit}: {reminder.params.get('left', 0)} left"
