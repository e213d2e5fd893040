"""`manage.py clean_jobs`: remove finished background jobs, their files and their tasks."""

from django.core.management.base import BaseCommand

from scoring.services import jobs

CRON_LINE = "30 * * * * cd /srv/cchc && .venv/bin/python manage.py clean_jobs"


class Command(BaseCommand):
    help = (
        f"Delete export and import jobs finished more than {jobs.KEEP_FOR} ago, with their "
        "result files, staged uploads and the task results that carried them. For cron."
    )

    def handle(self, *, verbosity: int, **options):
        count = jobs.clean_jobs()
        if verbosity:
            self.stdout.write(f"{count} finished job(s) removed")
