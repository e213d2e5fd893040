"""`manage.py requeue_stale_jobs`: give a new task to background jobs whose worker died."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from scoring.services import jobs


class Command(BaseCommand):
    help = (
        "Enqueue again every export or import job whose heartbeat stopped (its worker was "
        "killed) and whose task is not waiting in the queue. Safe to run at any time: a job is "
        "never done twice. `run_worker` runs it at start; cron may run it every few minutes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=float,
            default=jobs.STALE_AFTER.total_seconds(),
            help="seconds without a heartbeat before a job counts as dead (default %(default)s)",
        )

    def handle(self, *, older_than: float, verbosity: int, **options):
        if older_than < 0:
            raise CommandError("--older-than must be zero or more seconds")
        count = jobs.requeue_stale_jobs(stale_after=dt.timedelta(seconds=older_than))
        if verbosity:
            self.stdout.write(f"{count} job(s) enqueued again")
