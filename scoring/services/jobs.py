"""Large exports and imports, run by a background worker as ``Job``s.

A job is the unit of work; the django-tasks task (``scoring.tasks.run_job``) is only its
carrier. The worker's database backend marks a task it claims as running and never looks at
it again if the worker dies (SIGKILL, out of memory, a host rebooted), so the job itself must
make sure it is neither lost nor done twice:

- ``run`` locks the job row and does nothing when the job is already finished;
- an import writes its changes and ``done`` in ONE transaction holding that lock: a worker
  killed midway leaves nothing applied, and a second carrier of the same job waits for the
  lock, then finds it done;
- an export writes its file, then marks the job done (a re-run only writes the file again);
- ``requeue_stale_jobs`` gives a job whose heartbeat has stopped a new carrier (the worker
  wrapper ``run_worker`` calls it at start; it is also a command for cron);
- ``clean_jobs`` removes finished jobs, their files and their carriers after a day.

Progress and heartbeat go in their own short transactions; an import's progress is coarse
(read, applying, done) because its one transaction must not be split.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import connection, transaction
from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from units.roles import roles_of

from .. import access, audit
from ..exporters import (
    Exporter,
    HistoryExporter,
    MatrixExporter,
    RankingExporter,
    ScorecardExporter,
)
from ..importers import Importer, ImportFailed, Problem, staging
from ..importers.base import read_plan
from ..models import Assessment, AssessmentYear, FrameworkNode, Job

logger = logging.getLogger(__name__)

Kind, Status = Job.Kind, Job.Status

# A running job writes its heartbeat this often; one silent for STALE_AFTER is taken for dead
# (its worker was killed) and given a new carrier. An import cannot beat while its one
# transaction runs, so STALE_AFTER must exceed the longest import (seconds for a national
# survey); were it shorter, the new carrier would only wait for the row lock and find the
# job done: late, never twice.
HEARTBEAT_SECONDS = 10
STALE_AFTER = dt.timedelta(minutes=5)
# A job killed this many times is failed rather than run again (it may be what kills).
MAX_ATTEMPTS = 3
# Finished jobs, their files and their carriers are kept this long for download.
KEEP_FOR = dt.timedelta(hours=24)
# Test-only: seconds an import sleeps inside its transaction, before ``done`` (the worker
# test kills the worker there). Never set in production.
SLOW_ENV = "CCHC_JOB_TEST_DELAY"

# An export goes to a job when it reads more leaf scores than this (units × leaves of the
# years it covers): about 200 units of a 150-leaf framework, a second or two of work.
EXPORT_JOB_MIN_SCORES = 30_000
# An import is applied by a job when its preview listed more changes than this. Changes, not
# bytes or rows: templates come pre-filled, so a large file may change little, and each
# change is one write through the services with its history and audit line.
IMPORT_JOB_MIN_CHANGES = 300


# --- what a kind does: rebuilt from the parameters, under the owner's access rights ------------


def _year_export(exporter: type[Exporter]):
    def build(roles, params):
        return exporter(year=access.get_year_for_ranking(roles, params["year_id"]))

    return build


def _scorecard(roles, params):
    assessment = access.get_assessment_for_user(roles, params["year_id"], params["unit_code"])
    return ScorecardExporter(assessment=assessment, roles=roles)


def _history(roles, params):
    return HistoryExporter(level=access.get_level_for_history(params["level_code"]))


# kind → (roles, parameters) → the exporter, through the same access helper as the view: run
# again when the job runs and when its file is downloaded, so access lost meanwhile refuses.
EXPORTS: dict[str, Callable[[Any, dict], Exporter]] = {
    Kind.EXPORT_RANKING: _year_export(RankingExporter),
    Kind.EXPORT_MATRIX: _year_export(MatrixExporter),
    Kind.EXPORT_SCORECARD: _scorecard,
    Kind.EXPORT_HISTORY: _history,
}


def _survey(roles, user, params):
    from ..importers.survey import SurveyImporter

    year = access.get_year_for_appraisal(roles, params["id"])
    return SurveyImporter(year=year, roles=roles, user=user)


def _results(roles, user, params):
    from ..importers.results import ResultsImporter

    year = access.get_year_for_admin(roles, params["id"])
    return ResultsImporter(year=year, roles=roles, user=user)


def _entry(roles, user, params):
    from ..importers.self_assessment import SelfAssessmentImporter
    from ..models import Assessment

    assessment = Assessment.objects.select_related("year", "unit").get(pk=params["id"])
    assessment = access.get_rw_assessment_for_entry(roles, assessment.year_id, assessment.unit.code)
    return SelfAssessmentImporter(assessment=assessment, roles=roles, user=user)


# An import page's scope ("survey:<year id>") → the job kind and how its importer is rebuilt.
# Pages not listed here (the framework) always apply within the request.
IMPORTS: dict[str, tuple[str, Callable[[Any, Any, dict], Importer]]] = {
    "survey": (Kind.IMPORT_SURVEY, _survey),
    "results": (Kind.IMPORT_RESULTS, _results),
    "entry": (Kind.IMPORT_ENTRY, _entry),
}
IMPORT_BUILDERS = {kind: build for kind, build in IMPORTS.values()}


def build_exporter(job: Job, roles=None) -> Exporter:
    """The job's exporter, re-checking that its owner may still have it (404 otherwise)."""
    roles = roles if roles is not None else roles_of(job.owner)
    return EXPORTS[job.kind](roles, job.parameters)


# --- sizes: which requests become jobs -------------------------------------------------------


def year_scores(year) -> int:
    """Leaf scores a report of the year reads: units × leaves, counted in one query (the
    same as the history's, for the one year)."""
    return _scores(AssessmentYear.objects.filter(pk=year.pk))


def level_scores(level) -> int:
    """The same over every year of the level (the history reads them all), in one query."""
    return _scores(AssessmentYear.objects.filter(unit_level=level))


def _scores(years) -> int:
    units = (
        Assessment.objects.filter(year=OuterRef("pk"))
        .order_by()
        .values("year")
        .annotate(n=Count("pk"))
        .values("n")
    )
    leaves = (
        FrameworkNode.objects.filter(framework=OuterRef("framework"))
        .exclude(rule="")
        .order_by()
        .values("framework")
        .annotate(n=Count("pk"))
        .values("n")
    )
    sizes = years.annotate(
        scores=Coalesce(Subquery(units), 0) * Coalesce(Subquery(leaves), 0)
    ).aggregate(total=Sum("scores"))
    return sizes["total"] or 0


def export_is_large(scores: int) -> bool:
    return scores > EXPORT_JOB_MIN_SCORES


def import_kind(scope: str) -> str | None:
    """The job kind of an import page's scope, or None when it never runs as a job."""
    entry = IMPORTS.get(scope.split(":", 1)[0])
    return entry[0] if entry else None


def import_is_large(changes: int) -> bool:
    return changes > IMPORT_JOB_MIN_CHANGES


# --- creating and carrying ------------------------------------------------------------------


def start_job(*, owner, kind: str, parameters: dict) -> Job:
    """A queued job and its first carrier, committed together: a job never waits without a
    task (nor a task without its job). The owner's language goes with it: the file and the
    problems are written in it."""
    parameters = {**parameters, "language": translation.get_language() or "vi"}
    with transaction.atomic():
        job = Job.objects.create(
            owner=owner, kind=kind, parameters=parameters, heartbeat_at=timezone.now()
        )
        _enqueue(job)
    job.refresh_from_db()  # an immediate backend has run it already
    return job


def pending_job(*, owner, kind: str, parameters: dict) -> Job | None:
    """The owner's unfinished job of the same kind and parameters, if there is one."""
    for job in Job.objects.filter(
        owner=owner, kind=kind, status__in=[Status.QUEUED, Status.RUNNING]
    ).order_by("-pk"):
        if {k: v for k, v in job.parameters.items() if k != "language"} == parameters:
            return job
    return None


def _enqueue(job: Job) -> None:
    from ..tasks import run_job

    # Recorded before the task can run: an immediate backend runs it inside ``enqueue``.
    result = run_job.enqueue(job.pk)
    job.task_ids = [*job.task_ids, str(result.id)]
    Job.objects.filter(pk=job.pk).update(task_ids=job.task_ids)


def run(job_id: int) -> None:
    """Carry the job once; see the module's docstring for why this may run more than once."""
    job = _claim(job_id)
    if job is None:
        return
    with translation.override(job.parameters.get("language", "vi")):
        if job.is_export:
            _run_export(job)
        else:
            _run_import(job)


def _claim(job_id: int) -> Job | None:
    with transaction.atomic():
        job = Job.objects.select_for_update().select_related("owner").filter(pk=job_id).first()
        if job is None or job.is_finished:
            return None
        job.status = Status.RUNNING
        job.attempts += 1
        job.heartbeat_at = timezone.now()
        job.save(update_fields=["status", "attempts", "heartbeat_at"])
    return job


def _progress(job: Job, done: int, total: int) -> None:
    """Progress and heartbeat, committed at once so the page sees them."""
    job.progress_done, job.progress_total = done, total
    Job.objects.filter(pk=job.pk, status=Status.RUNNING).update(
        progress_done=done, progress_total=total, heartbeat_at=timezone.now()
    )


@contextmanager
def _heartbeat(job_id: int) -> Iterator[None]:
    """Beat from a thread (its own connection) while the body runs outside any transaction."""
    stop = threading.Event()

    def beat():
        try:
            while not stop.wait(HEARTBEAT_SECONDS):
                Job.objects.filter(pk=job_id, status=Status.RUNNING).update(
                    heartbeat_at=timezone.now()
                )
        except Exception:  # a missed beat is only a later recovery, never a failed job
            logger.warning("Job %s: heartbeat failed", job_id, exc_info=True)
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"job-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _fail(job: Job, problems: list[Problem]) -> None:
    now = timezone.now()
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.is_finished:
            return
        locked.status = Status.FAILED
        locked.errors = [
            {"sheet": p.sheet, "row": p.row, "column": p.column, "message": str(p.message)}
            for p in problems
        ]
        locked.finished_at, locked.expires_at = now, now + KEEP_FOR
        locked.save(update_fields=["status", "errors", "finished_at", "expires_at"])


def _problems_of(exc: Exception) -> list[Problem]:
    if isinstance(exc, ImportFailed):
        return exc.problems
    if isinstance(exc, ValidationError):
        return [Problem(message=m) for m in exc.messages]
    if isinstance(exc, Http404):
        return [Problem(message=_("Bạn không còn quyền với dữ liệu này."))]
    return [Problem(message=str(exc) or _("Bạn không có quyền thực hiện việc này."))]


REFUSALS = (ImportFailed, ValidationError, PermissionDenied, Http404)
CRASHED = _("Có lỗi hệ thống khi chạy; chưa có gì được ghi. Hãy thử lại hoặc báo quản trị.")


def view_of(exporter: Exporter) -> dict:
    """What of a report depends on who asked (a scorecard's self-scores and final scores):
    kept with the file, and compared with what the downloader may see now."""
    return {
        flag: getattr(exporter, flag)
        for flag in ("show_self", "show_final")
        if hasattr(exporter, flag)
    }


def _run_export(job: Job) -> None:
    _progress(job, 0, 2)
    try:
        exporter = build_exporter(job)
        with _heartbeat(job.pk), tempfile.TemporaryFile() as spool:
            exporter.write(spool)
            _progress(job, 1, 2)
            spool.seek(0)
            stored = job.result_file.storage.save(
                job.result_file.field.generate_filename(job, "export.xlsx"), File(spool)
            )
    except REFUSALS as exc:
        _fail(job, _problems_of(exc))
        return
    except Exception:
        _fail(job, [Problem(message=CRASHED)])
        raise
    now = timezone.now()
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.is_finished:  # another carrier finished first: keep its file, not ours
            job.result_file.storage.delete(stored)
            return
        locked.result_file.name = stored
        locked.file_name = exporter.filename()
        locked.parameters = {**locked.parameters, "view": view_of(exporter)}
        locked.status = Status.DONE
        locked.progress_done = locked.progress_total = 2
        locked.finished_at, locked.expires_at = now, now + KEEP_FOR
        locked.save()


def _run_import(job: Job) -> None:
    params = job.parameters
    content = staging.read(params["token"])
    if content is None:
        _fail(job, [Problem(message=_("Tệp đã hết hạn hoặc đã bị xóa; hãy tải lên lại."))])
        return
    _progress(job, 0, 3)
    owner = job.owner
    try:
        with _heartbeat(job.pk):
            importer = IMPORT_BUILDERS[job.kind](roles_of(owner), owner, params)
            plan = read_plan(importer, content)
        _progress(job, 1, 3)
        # One transaction: the changes, their audit lines and ``done`` commit together.
        with transaction.atomic():
            locked = Job.objects.select_for_update().get(pk=job.pk)
            if locked.is_finished:
                return
            source = audit.file_source(params.get("name", ""), content)
            # The owner is who changed things: the worker has no request to name them.
            with audit.origin(audit.Path.IMPORT, source, user=owner):
                summary = importer.apply(plan)
            if delay := float(os.environ.get(SLOW_ENV) or 0):
                time.sleep(delay)
            now = timezone.now()
            locked.status = Status.DONE
            locked.summary = summary
            locked.progress_done = locked.progress_total = 3
            locked.finished_at, locked.expires_at = now, now + KEEP_FOR
            locked.save()
    except REFUSALS as exc:
        _fail(job, _problems_of(exc))
    except Exception:
        _fail(job, [Problem(message=CRASHED)])
        raise
    # Applied or refused, the upload is spent (as on the page): a refused file is fixed and
    # uploaded again.
    staging.remove(params["token"])


# --- recovery and cleaning ------------------------------------------------------------------


def requeue_stale_jobs(*, now: dt.datetime | None = None, stale_after=STALE_AFTER) -> int:
    """Give a new carrier to every unfinished job whose heartbeat stopped and whose task is
    not waiting in the queue: its worker died (the task stays "running" forever) or its task
    ended without finishing it. Returns how many.

    The carriers it replaces are marked failed, so that nothing in the queue claims to be
    running a job nobody runs. On PostgreSQL a job whose row is locked is being imported right
    now (its transaction holds the lock) and is skipped; anywhere else a job requeued while
    still running is only run late, never twice (``run``)."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    requeued = 0
    with transaction.atomic():
        stale = Job.objects.filter(
            status__in=[Status.QUEUED, Status.RUNNING], heartbeat_at__lt=now - stale_after
        ).order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            stale = stale.select_for_update(skip_locked=True)
        else:
            stale = stale.select_for_update()
        for job in stale:
            carriers = DBTaskResult.objects.filter(pk__in=_queued_ids(job))
            if carriers.filter(status=TaskResultStatus.READY).exists():
                continue  # waiting its turn in the queue: alive
            carriers.filter(status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.FAILED, finished_at=now
            )
            if job.attempts >= MAX_ATTEMPTS:
                job.status = Status.FAILED
                job.errors = [{"sheet": "", "row": None, "column": "", "message": str(CRASHED)}]
                job.finished_at, job.expires_at = now, now + KEEP_FOR
                job.save(update_fields=["status", "errors", "finished_at", "expires_at"])
                continue
            job.status = Status.QUEUED
            job.heartbeat_at = now
            job.save(update_fields=["status", "heartbeat_at"])
            _enqueue(job)
            requeued += 1
    return requeued


def _queued_ids(job: Job) -> list[uuid.UUID]:
    """The job's carriers that live in the database queue (an immediate backend's ids are not
    UUIDs and were never stored)."""
    ids = []
    for value in job.task_ids:
        with suppress(ValueError):
            ids.append(uuid.UUID(value))
    return ids


def clean_jobs(*, now: dt.datetime | None = None) -> int:
    """Delete jobs finished more than KEEP_FOR ago, their files, their staged imports and the
    task results that carried them. Returns how many jobs."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    gone = 0
    for job in Job.objects.filter(
        status__in=[Status.DONE, Status.FAILED], expires_at__lt=now
    ).iterator():
        if job.result_file:
            job.result_file.delete(save=False)
        if token := job.parameters.get("token"):
            staging.remove(token)
        DBTaskResult.objects.filter(pk__in=_queued_ids(job)).delete()
        job.delete()
        gone += 1
    return gone
