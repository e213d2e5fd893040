"""Background tasks (django-tasks). Each only carries a ``Job``: what to do, its progress and
its outcome live on the job (``scoring.services.jobs``), so a task lost with its worker is
replaced by another carrying the same job."""

from django_tasks import task

from .services import jobs


@task()
def run_job(job_id: int) -> None:
    jobs.run(job_id)
