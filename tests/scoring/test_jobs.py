"""Large exports and imports as background jobs: the threshold, the job page and its status,
the download (the same workbook as the immediate path, its owner's alone, under the page's
rule still), an import applied by a job (or refused with its problems and nothing written),
a job never run twice, the recovery of jobs whose worker died, and the cleaning.

The worker is played in-process by ``work()``: it takes the queued tasks from the database
queue and runs them as ``db_worker`` does (the real worker process: test_job_worker.py)."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from scoring.importers import staging
from scoring.models import AuditEvent, Job, LeafScore
from scoring.models.evidence import private_storage
from scoring.services import jobs
from scoring.tasks import run_job

from .export_helpers import content
from .test_import_survey import HL, VQ, download, save_in_the_app, score, survey_layer, upload

pytestmark = pytest.mark.django_db


def work() -> int:
    """Run every queued task as db_worker would (claim, run, record the outcome)."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    count = 0
    while (task := DBTaskResult.objects.ready().get_locked()) is not None:
        task.claim("test-worker")
        worker.run_task(task)
        task.refresh_from_db()
        assert task.status == TaskResultStatus.SUCCESSFUL, task.traceback
        count += 1
    return count


def cells(data: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(data))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def status(client, job) -> dict:
    response = client.get(reverse("job_status", args=[job.pk]))
    assert response.status_code == 200
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    )
    return json.loads(response.content)


@pytest.fixture
def big_exports(monkeypatch):
    monkeypatch.setattr(jobs, "EXPORT_JOB_MIN_SCORES", 0)


@pytest.fixture
def big_imports(monkeypatch):
    monkeypatch.setattr(jobs, "IMPORT_JOB_MIN_CHANGES", 0)


def queue_matrix(client, year) -> Job:
    response = client.get(reverse("matrix_xlsx", args=[year.pk]))
    assert response.status_code == 302
    job = Job.objects.latest("pk")
    assert response.url == reverse("job", args=[job.pk])
    return job


# --- exports ----------------------------------------------------------------------------------


def test_the_threshold_on_both_sides(as_user, appraiser, year_2023, monkeypatch):
    """At the threshold a report is served at once; one leaf score more and it is a job."""
    client = as_user(appraiser)
    scores = jobs.year_scores(year_2023)
    assert scores == 13 * 45  # the demo: 13 units, 45 leaves
    level = year_2023.unit_level
    assert (
        jobs.level_scores(level)
        == sum(jobs.year_scores(year) for year in level.years.all())
        > scores
    )
    monkeypatch.setattr(jobs, "EXPORT_JOB_MIN_SCORES", scores)
    response = client.get(reverse("matrix_xlsx", args=[year_2023.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert not Job.objects.exists()
    monkeypatch.setattr(jobs, "EXPORT_JOB_MIN_SCORES", scores - 1)
    assert client.get(reverse("matrix_xlsx", args=[year_2023.pk])).status_code == 302
    assert Job.objects.get().kind == Job.Kind.EXPORT_MATRIX


def test_the_real_threshold_keeps_the_demo_immediate(as_user, interior_admin, year_2023):
    client = as_user(interior_admin)
    for url in (
        reverse("ranking_xlsx", args=[year_2023.pk]),
        reverse("matrix_xlsx", args=[year_2023.pk]),
        reverse("scorecard_xlsx", args=[year_2023.pk, VQ]),
        reverse("history_xlsx", args=["cap-huyen"]),
    ):
        assert client.get(url).status_code == 200, url
    assert not Job.objects.exists()


def test_a_large_export_runs_as_a_job_and_gives_the_same_workbook(
    as_user, appraiser, year_2023, big_exports, monkeypatch
):
    client = as_user(appraiser)
    job = queue_matrix(client, year_2023)
    assert (job.owner, job.status, job.parameters["year_id"]) == (appraiser, "queued", year_2023.pk)
    # Asked again while it waits: the same job, not a second one.
    assert queue_matrix(client, year_2023) == job

    page = client.get(reverse("job", args=[job.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="job-progress"' in html and "<progress" in html
    assert 'data-testid="job-reload"' in html and "Tải lại" in html  # without JavaScript
    assert "js/job.js" in html
    assert "<script>" not in html and 'style="' not in html  # the CSP allows neither
    assert 'http-equiv="refresh"' not in html
    assert "job-download" not in html
    assert status(client, job) == {
        "status": "queued",
        "label": "Đang chờ",
        "done": 0,
        "total": 0,
        "percent": 0,
        "finished": False,
    }
    # The file is not there yet.
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 404

    assert work() == 1
    assert status(client, job) | {"label": ""} == {
        "status": "done",
        "label": "",
        "done": 2,
        "total": 2,
        "percent": 100,
        "finished": True,
    }
    html = client.get(reverse("job", args=[job.pk])).content.decode()
    assert 'data-testid="job-download"' in html and "<progress" not in html
    response = client.get(reverse("job_download", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="ma-tran-diem-{year_2023.year}-cap-huyen.xlsx"'
    )
    assert "no-store" in response["Cache-Control"]
    from_job = content(response)

    monkeypatch.setattr(jobs, "EXPORT_JOB_MIN_SCORES", 10**9)
    immediate = client.get(reverse("matrix_xlsx", args=[year_2023.pk]))
    assert immediate.status_code == 200
    assert immediate["Content-Disposition"] == response["Content-Disposition"]
    assert cells(from_job) == cells(content(immediate))


@pytest.mark.parametrize(
    "url_name, args",
    [
        ("ranking_xlsx", lambda y: [y.pk]),
        ("scorecard_xlsx", lambda y: [y.pk, VQ]),
        ("history_xlsx", lambda y: ["cap-huyen"]),
    ],
)
def test_every_large_export_gives_the_same_workbook(
    as_user, interior_admin, year_2023, big_exports, monkeypatch, url_name, args
):
    client = as_user(interior_admin)
    url = reverse(url_name, args=args(year_2023))
    assert client.get(url).status_code == 302
    assert work() == 1
    job = Job.objects.get()
    assert job.status == "done", job.errors
    from_job = content(client.get(reverse("job_download", args=[job.pk])))
    monkeypatch.setattr(jobs, "EXPORT_JOB_MIN_SCORES", 10**9)
    assert cells(from_job) == cells(content(client.get(url)))


@pytest.mark.parametrize("who", ["interior_admin", "viewer", "officer_a"])
def test_someone_elses_job_is_not_found(as_user, request, appraiser, year_2023, big_exports, who):
    job = queue_matrix(as_user(appraiser), year_2023)
    work()
    client = as_user(request.getfixturevalue(who))
    for name in ("job", "job_status", "job_download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404, name
    assert client.get(reverse("job", args=[job.pk + 1000])).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, appraiser, year_2023, big_exports):
    client.force_login(appraiser)
    job = queue_matrix(client, year_2023)
    client.logout()
    for name in ("job", "job_status", "job_download"):
        response = client.get(reverse(name, args=[job.pk]))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_access_lost_before_the_download_is_refused(as_user, appraiser, year_2023, big_exports):
    client = as_user(appraiser)
    job = queue_matrix(client, year_2023)
    work()
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 200
    appraiser.groups.clear()  # no longer of the Interior Department: 2023 is unpublished
    client = as_user(User.objects.get(pk=appraiser.pk))
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 404
    # Their own job page still says what it was (nothing of the year's figures is on it).
    assert client.get(reverse("job", args=[job.pk])).status_code == 200


def test_a_scorecard_with_self_scores_is_refused_once_its_owner_left_the_unit(
    as_user, officer_a, year_2022, big_exports
):
    """The unit's officer may still open the published scorecard after leaving the unit, but
    no longer its self-scores: the file they asked for while a member holds them, so it is
    not handed out (ask again: the new file has what they may see now)."""
    client = as_user(officer_a)
    response = client.get(reverse("scorecard_xlsx", args=[year_2022.pk, "vu-quang"]))
    assert response.status_code == 302
    job = Job.objects.latest("pk")
    work()
    job.refresh_from_db()
    assert job.parameters["view"] == {"show_self": True, "show_final": True}
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 200
    officer_a.memberships.all().delete()
    client = as_user(User.objects.get(pk=officer_a.pk))
    assert client.get(reverse("scorecard", args=[year_2022.pk, "vu-quang"])).status_code == 200
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 404


def test_access_lost_before_the_job_runs_fails_it(as_user, appraiser, year_2023, big_exports):
    client = as_user(appraiser)
    job = queue_matrix(client, year_2023)
    appraiser.groups.clear()
    work()
    job.refresh_from_db()
    assert job.status == "failed" and not job.result_file
    assert [e["message"] for e in job.errors] == ["Bạn không còn quyền với dữ liệu này."]
    html = client.get(reverse("job", args=[job.pk])).content.decode()
    assert "Không tạo được tệp." in html and "Bạn không còn quyền với dữ liệu này." in html
    assert "job-download" not in html


def test_a_done_job_is_not_run_again(as_user, appraiser, year_2023, big_exports):
    job = queue_matrix(as_user(appraiser), year_2023)
    work()
    job.refresh_from_db()
    stored, attempts = job.result_file.name, job.attempts
    files = job.result_file.storage.listdir(f"jobs/{appraiser.pk}")[1]
    assert stored.rsplit("/", 1)[1] in files
    run_job.enqueue(job.pk)  # a second carrier, as a recovery would have it
    assert work() == 1
    jobs.run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.result_file.name, job.attempts) == ("done", stored, attempts)
    assert job.result_file.storage.listdir(f"jobs/{appraiser.pk}")[1] == files  # none written


# --- imports ----------------------------------------------------------------------------------


def preview_survey(client, year, changes: dict):
    sheet = download(client, year)
    for (unit, code), value in changes.items():
        sheet.set(unit, code, value)
    preview = upload(client, year, sheet.bytes())
    assert preview.status_code == 200
    return preview


def apply_survey(client, year, preview):
    return client.post(
        reverse("survey_import", args=[year.pk]), {"token": preview.context["token"], "apply": "1"}
    )


def counts():
    return AuditEvent.objects.count(), LeafScore.history.count()


def test_a_small_import_is_applied_at_once(as_user, interior_admin, year_2023):
    client = as_user(interior_admin)
    preview = preview_survey(client, year_2023, {(VQ, "10.1"): 9.5})
    response = apply_survey(client, year_2023, preview)
    assert response.url == reverse("survey", args=[year_2023.pk])
    assert score(year_2023, VQ, "10.1") == Decimal("9.50")
    assert not Job.objects.exists()


def test_a_large_import_is_applied_by_a_job_in_the_owners_name(
    as_user, interior_admin, year_2023, big_imports
):
    client = as_user(interior_admin)
    preview = preview_survey(client, year_2023, {(VQ, "10.1"): 9.5, (HL, "10.2"): 7})
    token = preview.context["token"]
    response = apply_survey(client, year_2023, preview)
    job = Job.objects.get()
    assert response.url == reverse("job", args=[job.pk])
    assert (job.kind, job.status) == (Job.Kind.IMPORT_SURVEY, "queued")
    assert score(year_2023, VQ, "10.1") == Decimal("9.68")  # not yet
    # The session gave the file up: applying it again from the page is refused.
    again = apply_survey(client, year_2023, preview)
    assert again.status_code == 302 and again.url == reverse("survey_import", args=[year_2023.pk])
    assert Job.objects.count() == 1

    assert work() == 1
    job.refresh_from_db()
    assert job.status == "done", job.errors
    assert job.summary == "Đã nhập 2 điểm điều tra xã hội học từ tệp Excel."
    assert score(year_2023, VQ, "10.1") == Decimal("9.50")
    lines = AuditEvent.objects.filter(kind=AuditEvent.Kind.SURVEY, year=year_2023)
    assert {(line.actor, line.path) for line in lines} == {(interior_admin, AuditEvent.Path.IMPORT)}
    assert len(lines) == 2
    assert all(line.source.startswith("dieu-tra.xlsx (SHA-256 ") for line in lines)
    assert staging.read(token) is None  # the staged file is gone once applied
    html = client.get(reverse("job", args=[job.pk])).content.decode()
    assert "Đã nhập 2 điểm điều tra xã hội học từ tệp Excel." in html
    assert reverse("survey", args=[year_2023.pk]) in html  # back to the grid


def test_a_refused_import_in_a_job_lists_its_problems_and_writes_nothing(
    as_user, interior_admin, year_2023, big_imports
):
    client = as_user(interior_admin)
    preview = preview_survey(client, year_2023, {(VQ, "10.1"): 6, (HL, "10.2"): 7})
    apply_survey(client, year_2023, preview)
    # Between the preview and the job, someone changes a score in the app: the file is stale.
    save_in_the_app(interior_admin, year_2023, VQ, "10.1", Decimal("5"))
    before, layer = counts(), survey_layer(year_2023)
    work()
    job = Job.objects.get()
    assert job.status == "failed"
    [problem] = job.errors
    assert problem["sheet"] == "Điều tra XHH" and problem["column"] == "C (10.1)"
    assert "đã được sửa trên phần mềm sau khi bạn tải mẫu (nay là 5,00)" in problem["message"]
    assert survey_layer(year_2023) == layer  # Hồng Lĩnh's 10.2 not written either
    assert counts() == before
    html = client.get(reverse("job", args=[job.pk])).content.decode()
    assert 'data-testid="problems"' in html and "chưa có gì được ghi" in html
    assert "nay là 5,00" in html


def test_an_import_job_whose_file_is_gone_fails_saying_so(
    as_user, interior_admin, year_2023, big_imports
):
    client = as_user(interior_admin)
    apply_survey(client, year_2023, preview_survey(client, year_2023, {(VQ, "10.1"): 6}))
    job = Job.objects.get()
    staging.remove(job.parameters["token"])
    work()
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.errors[0]["message"] == "Tệp đã hết hạn hoặc đã bị xóa; hãy tải lên lại."


def test_an_import_job_done_is_not_applied_twice(as_user, interior_admin, year_2023, big_imports):
    client = as_user(interior_admin)
    apply_survey(client, year_2023, preview_survey(client, year_2023, {(VQ, "10.1"): 6}))
    work()
    job = Job.objects.get()
    after = counts()
    jobs.run(job.pk)
    run_job.enqueue(job.pk)
    work()
    assert counts() == after
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 1)


# --- recovery and cleaning ----------------------------------------------------------------------


def dead_job(owner, *, attempts=1, minutes=10, carrier_status=TaskResultStatus.RUNNING):
    """A job as a killed worker leaves it: running, its carrier "running", no heartbeat since."""
    job = Job.objects.create(
        owner=owner,
        kind=Job.Kind.EXPORT_HISTORY,
        parameters={"level_code": "cap-huyen"},
        status="running",
        attempts=attempts,
        heartbeat_at=timezone.now() - dt.timedelta(minutes=minutes),
    )
    result = run_job.enqueue(job.pk)
    DBTaskResult.objects.filter(pk=result.id).update(status=carrier_status)
    job.task_ids = [str(result.id)]
    job.save()
    return job, result


def test_a_dead_workers_job_is_enqueued_again_and_done_once(interior_admin):
    job, old = dead_job(interior_admin)
    fresh, _ = dead_job(interior_admin, minutes=1)  # still beating
    waiting, _ = dead_job(interior_admin, carrier_status=TaskResultStatus.READY)
    call_command("requeue_stale_jobs", verbosity=0)
    job.refresh_from_db()
    assert job.status == "queued" and len(job.task_ids) == 2
    assert DBTaskResult.objects.get(pk=old.id).status == TaskResultStatus.FAILED
    fresh.refresh_from_db()
    waiting.refresh_from_db()
    assert (fresh.status, len(fresh.task_ids), len(waiting.task_ids)) == ("running", 1, 1)
    # Run again at once: nothing more to do.
    assert jobs.requeue_stale_jobs() == 0
    work()  # the new carrier, and the waiting job's
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 2)


def test_a_job_killed_too_often_fails(interior_admin):
    job, _ = dead_job(interior_admin, attempts=jobs.MAX_ATTEMPTS)
    assert jobs.requeue_stale_jobs() == 0
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.errors[0]["message"].startswith("Có lỗi hệ thống khi chạy")


def test_requeue_refuses_a_negative_age():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("requeue_stale_jobs", "--older-than", "-1")


def test_clean_jobs_removes_old_finished_jobs_their_files_and_tasks(
    as_user, appraiser, year_2023, big_exports
):
    client = as_user(appraiser)
    old = queue_matrix(client, year_2023)
    work()
    old.refresh_from_db()
    running, _ = dead_job(appraiser, minutes=60 * 48)
    stored = old.result_file.name
    assert private_storage().exists(stored)
    call_command("clean_jobs", verbosity=0)
    assert Job.objects.count() == 2  # kept for a day
    Job.objects.filter(pk=old.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    call_command("clean_jobs", verbosity=0)
    assert list(Job.objects.all()) == [running]  # unfinished jobs are never cleaned
    assert not private_storage().exists(stored)
    assert not DBTaskResult.objects.filter(pk__in=old.task_ids).exists()


IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_with_the_immediate_backend_the_job_runs_within_the_request(
    as_user, interior_admin, year_2023, big_exports, big_imports
):
    """TASKS_BACKEND=immediate (no worker at all): the same pages, the work done at once."""
    client = as_user(interior_admin)
    with override_settings(TASKS=IMMEDIATE):
        response = client.get(reverse("ranking_xlsx", args=[year_2023.pk]))
        job = Job.objects.get(kind=Job.Kind.EXPORT_RANKING)
        assert response.url == reverse("job", args=[job.pk])
        preview = preview_survey(client, year_2023, {(VQ, "10.1"): 6})
        apply_survey(client, year_2023, preview)
    job.refresh_from_db()
    assert job.status == "done" and job.result_file
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 200
    assert Job.objects.get(kind=Job.Kind.IMPORT_SURVEY).status == "done"
    assert score(year_2023, VQ, "10.1") == Decimal("6.00")
    assert not DBTaskResult.objects.exists()
