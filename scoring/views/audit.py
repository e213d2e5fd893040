"""The audit log's pages: a year's log for the Interior Department, a unit's for its staff
(what each sees: ``scoring.selectors.audit``); each with its Excel download, under the same
access and the same filters."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from units.roles import roles_of

from .. import access, selectors
from ..exporters import AuditLogExporter
from ..forms.audit import LogFilterForm
from .exports import serve


def _year_scope(request, year_id: int):
    year = access.get_year_for_appraisal(roles_of(request.user), year_id)  # 404 outside
    return selectors.log_scope(year, full=True)


def _unit_scope(request, year_id: int, unit_code: str):
    roles = roles_of(request.user)
    assessment = access.get_assessment_for_log(roles, year_id, unit_code)
    return selectors.log_scope(
        assessment.year, unit=assessment.unit, full=access.can_see_whole_log(roles)
    ), assessment


def _filtered(request, scope):
    form = LogFilterForm(request.GET, scope=scope, options=selectors.log_options(scope))
    form.is_valid()  # invalid filters are reported on the page and left out
    return form, form.filters()


def _page(request, scope, assessment=None):
    form, filters = _filtered(request, scope)
    return render(
        request,
        "scoring/audit/log.html",
        {
            "scope": scope,
            "year": scope.year,
            "assessment": assessment,
            "form": form,
            "log": selectors.log_page(scope, filters, request.GET.get("page")),
        },
    )


@require_GET
@never_cache  # who changed what: not for shared caches
@login_required
def year_log(request, year_id: int):
    return _page(request, _year_scope(request, year_id))


@require_GET
@login_required
def year_log_xlsx(request, year_id: int):
    scope = _year_scope(request, year_id)
    _form, filters = _filtered(request, scope)
    return serve(AuditLogExporter(year=scope.year, log=scope, filters=filters))


@require_GET
@never_cache
@login_required
def unit_log(request, year_id: int, unit_code: str):
    scope, assessment = _unit_scope(request, year_id, unit_code)
    return _page(request, scope, assessment)


@require_GET
@login_required
def unit_log_xlsx(request, year_id: int, unit_code: str):
    scope, _assessment = _unit_scope(request, year_id, unit_code)
    _form, filters = _filtered(request, scope)
    return serve(AuditLogExporter(year=scope.year, log=scope, filters=filters))
