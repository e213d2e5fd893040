"""`manage.py run_worker`: django-tasks-db's `db_worker`, after recovering dead workers' jobs.

The database backend marks a task it hands out as running and never looks at it again, so a
worker killed mid-task would leave its job stuck. Starting a worker is the moment one has
usually just died (a crash, a deploy, a reboot): this command first gives such jobs a new task
(``requeue_stale_jobs``), then runs `db_worker` unchanged, with every one of its options."""

from django_tasks_db.management.commands.db_worker import Command as DbWorker

from scoring.services import jobs


class Command(DbWorker):
    help = "Enqueue again the jobs of dead workers, then run a database task worker."

    def handle(self, *args, **options):
        count = jobs.requeue_stale_jobs()
        if count and options.get("verbosity", 1):
            self.stdout.write(f"{count} job(s) of a stopped worker enqueued again")
        super().handle(*args, **options)
