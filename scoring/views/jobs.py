"""A background job's page (progress, then its outcome), its status for the page's script, and
the download of an export's file. Every job is its owner's alone (``access.get_job_for_user``)."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.urls import path
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cchc.security import log_event
from units.roles import roles_of

from .. import access
from ..exporters.base import XLSX
from ..models import Job
from ..services import jobs


def _status(job: Job) -> dict:
    return {
        "status": job.status,
        "label": str(job.get_status_display()),
        "done": job.progress_done,
        "total": job.progress_total,
        "percent": job.percent,
        "finished": job.is_finished,
    }


@require_GET
@never_cache
@login_required
def job_page(request, job_id: int):
    job = access.get_job_for_user(request.user, job_id)
    return render(request, "scoring/jobs/job.html", {"job": job, "status": _status(job)})


@require_GET
@never_cache
@login_required
def job_status(request, job_id: int):
    """What the page's script polls while the job runs."""
    return JsonResponse(_status(access.get_job_for_user(request.user, job_id)))


@require_GET
@login_required
def job_download(request, job_id: int):
    """The export's file, while its owner may still see what it shows: the page's own access
    rule runs again (a year unpublished since, a unit left: 404)."""
    job = access.get_job_for_user(request.user, job_id)
    if not job.is_export or job.status != Job.Status.DONE or not job.result_file:
        raise Http404
    # The page's rule again (404 when access was lost), and no more shown in the file than the
    # downloader may see now (a scorecard's self-scores, for one who has left the unit).
    exporter = jobs.build_exporter(job, roles_of(request.user))
    if jobs.view_of(exporter) != job.parameters.get("view", {}):
        raise Http404
    try:
        stream = job.result_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(stream, as_attachment=True, filename=job.file_name, content_type=XLSX)
    patch_cache_control(response, private=True, no_store=True)
    log_event("export_served", file=job.file_name, job=job.pk)
    return response


urlpatterns = [
    path("jobs/<int:job_id>/", job_page, name="job"),
    path("jobs/<int:job_id>/status.json", job_status, name="job_status"),
    path("jobs/<int:job_id>/download", job_download, name="job_download"),
]
