"""Excel downloads, each under the same access rule as its page, served from a temporary file."""

import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from cchc.security import log_event
from units.roles import roles_of

from .. import access
from ..exporters import (
    Exporter,
    ExportFile,
    HistoryExporter,
    MatrixExporter,
    RankingExporter,
    ScorecardExporter,
)
from ..services import jobs

# Up to this size a report stays in memory; beyond, the temporary file moves to disk.
SPOOL_MAX_BYTES = 2 * 2**20


def serve(exporter: Exporter) -> FileResponse:
    """The report as an attachment, written whole before the response starts (an error is an
    error page, not a truncated file) into a temporary file that is streamed out and deleted:
    a large report never sits in memory. Reports hold unpublished or personal figures: no
    shared cache may keep them."""
    # Not a context manager: the response closes (and so deletes) it once it is sent.
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES)  # noqa: SIM115
    try:
        exporter.write(spool)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    response = FileResponse(
        spool,
        as_attachment=True,
        filename=exporter.filename(),
        content_type=exporter.content_type,
    )
    patch_cache_control(response, private=True, no_store=True)
    log_event("export_served", file=exporter.filename(), exporter=type(exporter).__name__)
    return response


def serve_file(export: ExportFile) -> HttpResponse:
    """A small workbook already in memory (a template to fill), under the same no-store rule:
    templates are pre-filled with a unit's or a year's figures."""
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    patch_cache_control(response, private=True, no_store=True)
    return response


def serve_or_queue(request, exporter: Exporter, *, kind: str, parameters: dict, scores: int):
    """A report that reads up to ``jobs.EXPORT_JOB_MIN_SCORES`` leaf scores is served at once;
    a larger one is written by a background job, and the page of that job (a progress bar,
    then the download) is where the user goes. The same report asked for again while its job
    is unfinished goes to that job rather than starting another."""
    if not jobs.export_is_large(scores):
        return serve(exporter)
    job = jobs.pending_job(owner=request.user, kind=kind, parameters=parameters)
    if job is None:
        job = jobs.start_job(owner=request.user, kind=kind, parameters=parameters)
        log_event("export_queued", request, exporter=type(exporter).__name__, job=job.pk)
    return redirect("job", job.pk)


@require_GET
@login_required
def ranking_xlsx(request, year_id: int):
    year = access.get_year_for_ranking(roles_of(request.user), year_id)
    return serve_or_queue(
        request,
        RankingExporter(year=year),
        kind=jobs.Kind.EXPORT_RANKING,
        parameters={"year_id": year.pk},
        scores=jobs.year_scores(year),
    )


@require_GET
@login_required
def matrix_xlsx(request, year_id: int):
    """Every unit's score on every leaf: the ranking's detail, under the ranking's rule."""
    year = access.get_year_for_ranking(roles_of(request.user), year_id)
    return serve_or_queue(
        request,
        MatrixExporter(year=year),
        kind=jobs.Kind.EXPORT_MATRIX,
        parameters={"year_id": year.pk},
        scores=jobs.year_scores(year),
    )


@require_GET
@login_required
def scorecard_xlsx(request, year_id: int, unit_code: str):
    """One unit's card, but its rank is computed from every unit's results: sized by year."""
    roles = roles_of(request.user)
    assessment = access.get_assessment_for_user(roles, year_id, unit_code)
    return serve_or_queue(
        request,
        ScorecardExporter(assessment=assessment, roles=roles),
        kind=jobs.Kind.EXPORT_SCORECARD,
        parameters={"year_id": assessment.year_id, "unit_code": assessment.unit.code},
        scores=jobs.year_scores(assessment.year),
    )


@require_GET
@login_required
def history_xlsx(request, level_code: str):
    level = access.get_level_for_history(level_code)
    return serve_or_queue(
        request,
        HistoryExporter(level=level),
        kind=jobs.Kind.EXPORT_HISTORY,
        parameters={"level_code": level.code},
        scores=jobs.level_scores(level),
    )
