"""The audit log's pages: a year's log for the Interior Department, a unit's for its staff."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.views.decorators.http import require_GET


@require_GET
@login_required
def year_log(request, year_id: int):
    raise Http404


@require_GET
@login_required
def year_log_xlsx(request, year_id: int):
    raise Http404


@require_GET
@login_required
def unit_log(request, year_id: int, unit_code: str):
    raise Http404


@require_GET
@login_required
def unit_log_xlsx(request, year_id: int, unit_code: str):
    raise Http404
