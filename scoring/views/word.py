"""Word reports: a unit's year and a level's year, each under its page's access rule."""

from django.contrib.auth.decorators import login_required
from django.urls import path
from django.views.decorators.http import require_GET

from units.roles import roles_of

from .. import access
from ..exporters import UnitReportExporter, YearReportExporter
from .exports import serve


@require_GET
@login_required
def unit_report_docx(request, year_id: int, unit_code: str):
    roles = roles_of(request.user)
    assessment = access.get_assessment_for_insight(roles, year_id, unit_code)
    return serve(UnitReportExporter(assessment=assessment, roles=roles))


@require_GET
@login_required
def year_report_docx(request, year_id: int):
    # The year's report holds appraised results only (no self-scores): the ranking's rule.
    year = access.get_year_for_ranking(roles_of(request.user), year_id)
    return serve(YearReportExporter(year=year))


urlpatterns = [
    path(
        "years/<int:year_id>/units/<slug:unit_code>/report.docx",
        unit_report_docx,
        name="unit_report_docx",
    ),
    path("years/<int:year_id>/report.docx", year_report_docx, name="year_report_docx"),
]
