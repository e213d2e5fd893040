"""Excel for the units' side of a year: a unit's self-assessment template and its upload, and
the survey scores of every unit. The upload pages follow the shared flow of ``importing``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from units.roles import roles_of

from .. import access, selectors
from ..importers import self_assessment, survey
from .exports import serve_file
from .importing import ImportPage, import_page

YEAR = "years/<int:year_id>/"
ENTRY = "years/<int:year_id>/units/<slug:unit_code>/self-assessment/"


@require_GET
@never_cache  # a unit's unpublished figures stay out of shared caches
@login_required
def entry_template(request, year_id: int, unit_code: str):
    """The unit's staff fill it; the Interior Department may download it to read."""
    assessment = access.get_assessment_for_entry(roles_of(request.user), year_id, unit_code)
    return serve_file(self_assessment.entry_template(assessment))


@require_http_methods(["GET", "POST"])
@login_required
def entry_import(request, year_id: int, unit_code: str):
    roles = roles_of(request.user)
    assessment = access.get_rw_assessment_for_entry(roles, year_id, unit_code)
    back = reverse("entry", args=[year_id, unit_code])
    if (reason := selectors.why_locked(assessment)) is not None:
        messages.error(request, reason)
        return redirect(back)
    page = ImportPage(
        title=_("Nhập tự đánh giá từ Excel · %(unit)s · năm %(year)s")
        % {"unit": assessment.unit.name, "year": assessment.year.year},
        intro=_(
            "Tải mẫu của đơn vị (đã điền sẵn những gì đơn vị đã nhập), điền rồi tải lên. Mỗi "
            "dòng là toàn bộ nội dung một tiêu chí; dòng để trống mọi ô nhập được giữ nguyên. "
            "Tài liệu kiểm chứng vẫn đính kèm trên phần mềm."
        ),
        back_url=back,
        template_url=reverse("entry_template", args=[year_id, unit_code]),
        columns_help=self_assessment.COLUMNS_HELP,
    )
    return import_page(
        request,
        page=page,
        importer=lambda: self_assessment.SelfAssessmentImporter(
            assessment=assessment, roles=roles, user=request.user
        ),
        scope=f"entry:{assessment.pk}",
    )


@require_GET
@never_cache
@login_required
def survey_template(request, year_id: int):
    year = access.get_year_for_appraisal(roles_of(request.user), year_id)
    return serve_file(survey.survey_template(year))


@require_http_methods(["GET", "POST"])
@login_required
def survey_import(request, year_id: int):
    roles = roles_of(request.user)
    year = access.get_year_for_appraisal(roles, year_id)
    back = reverse("survey", args=[year.pk])
    if not year.in_appraisal:
        messages.error(request, str(survey.CLOSED))
        return redirect(back)
    page = ImportPage(
        title=_("Nhập điểm điều tra xã hội học từ Excel · năm %(year)s") % {"year": year.year},
        intro=_(
            "Tải mẫu (mọi đơn vị của năm, đã điền điểm hiện có), điền rồi tải lên. Ô để trống "
            "giữ nguyên điểm đã có."
        ),
        back_url=back,
        template_url=reverse("survey_template", args=[year.pk]),
        columns_help=survey.COLUMNS_HELP,
    )
    return import_page(
        request,
        page=page,
        importer=lambda: survey.SurveyImporter(year=year, roles=roles, user=request.user),
        scope=f"survey:{year.pk}",
    )


urlpatterns = [
    path(ENTRY + "template.xlsx", entry_template, name="entry_template"),
    path(ENTRY + "import/", entry_import, name="entry_import"),
    path(YEAR + "survey/template.xlsx", survey_template, name="survey_template"),
    path(YEAR + "survey/import/", survey_import, name="survey_import"),
]
