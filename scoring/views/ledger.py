"""A unit's bonus and deduction ledger, kept by the Interior Department."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from units.roles import roles_of

from .. import access, services
from ..forms import (
    AdjustmentForm,
)
from ..models import (
    Adjustment,
)


@require_http_methods(["GET", "POST"])
@login_required
def ledger(request, year_id: int, unit_code: str):
    roles = roles_of(request.user)
    assessment = access.get_assessment_for_appraisal(roles, year_id, unit_code)
    form = AdjustmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not roles.is_interior_admin:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.add_adjustment(
                    assessment=assessment,
                    roles=roles,
                    user=request.user,
                    kind=data["kind"].code,
                    reason=data["reason"],
                    points=data["points"],
                    count=data["count"],
                    document=data["document"],
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.error_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    # Not about a field (e.g. the year is not being appraised): a message the
                    # page always shows, even where the form is not drawn.
                    for message in exc.messages:
                        messages.error(request, message)
            else:
                messages.success(request, _("Đã thêm vào sổ điểm thưởng, điểm trừ."))
                return redirect(reverse("ledger", args=[year_id, unit_code]))
    entries = list(
        Adjustment.objects.filter(assessment=assessment).select_related("kind", "created_by")
    )
    return render(
        request,
        "scoring/manage/ledger.html",
        {
            "assessment": assessment,
            "year": assessment.year,
            "entries": entries,
            "form": form,
            "can_edit": roles.is_interior_admin and assessment.year.in_appraisal,
        },
    )


@require_POST
@login_required
def ledger_remove(request, year_id: int, unit_code: str, entry_id: int):
    roles = roles_of(request.user)
    assessment = access.get_assessment_for_appraisal(roles, year_id, unit_code)
    entry = get_object_or_404(Adjustment, pk=entry_id, assessment=assessment)
    try:
        services.remove_adjustment(adjustment=entry, roles=roles)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Đã xóa khỏi sổ."))
    return redirect(reverse("ledger", args=[year_id, unit_code]))


@require_GET
@never_cache  # private documents stay out of shared caches
@login_required
def ledger_document(request, year_id: int, unit_code: str, entry_id: int):
    roles = roles_of(request.user)
    assessment = access.get_assessment_for_appraisal(roles, year_id, unit_code)
    entry = get_object_or_404(Adjustment, pk=entry_id, assessment=assessment)
    if not entry.document:
        raise Http404
    try:
        stream = entry.document.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(stream, as_attachment=True, filename=entry.document.name.rsplit("/", 1)[-1])
