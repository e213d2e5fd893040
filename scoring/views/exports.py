"""Excel downloads, each under the same access rule as its page, served from a temporary file."""

import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
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


@require_GET
@login_required
def ranking_xlsx(request, year_id: int):
    year = access.get_year_for_ranking(roles_of(request.user), year_id)
    return serve(RankingExporter(year=year))


@require_GET
@login_required
def matrix_xlsx(request, year_id: int):
    """Every unit's score on every leaf: the ranking's detail, under the ranking's rule."""
    year = access.get_year_for_ranking(roles_of(request.user), year_id)
    return serve(MatrixExporter(year=year))


@require_GET
@login_required
def scorecard_xlsx(request, year_id: int, unit_code: str):
    roles = roles_of(request.user)
    assessment = access.get_assessment_for_user(roles, year_id, unit_code)
    return serve(ScorecardExporter(assessment=assessment, roles=roles))


@require_GET
@login_required
def history_xlsx(request, level_code: str):
    return serve(HistoryExporter(level=access.get_level_for_history(level_code)))
