"""The Interior Department's appraisal pages: the year's work list and a unit's field."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from units.roles import roles_of

from .. import access, selectors, services
from ..forms import AppraisalForm


@require_GET
@login_required
def worklist(request, year_id: int):
    roles = roles_of(request.user)
    year = access.get_year_for_appraisal(roles, year_id)
    return render(
        request,
        "scoring/appraisal/worklist.html",
        {"year": year, "items": selectors.worklist(year)},
    )


def _url(assessment, field_code):
    return reverse("appraise_field", args=[assessment.year_id, assessment.unit.code, field_code])


@require_http_methods(["GET", "POST"])
@login_required
def appraise_field(request, year_id: int, unit_code: str, field_code: str | None = None):
    roles = roles_of(request.user)
    assessment = access.get_assessment_for_appraisal(roles, year_id, unit_code)
    page = selectors.appraisal_page(assessment, field_code)
    if page is None:
        raise Http404
    if field_code is None:
        return redirect(_url(assessment, page.entry.field.code))
    scope = access.appraisal_scope(roles, assessment.year, request.user)
    round_no = scope.round_no
    can_edit = scope.may_edit_field(page.entry.field.id)
    data = request.POST if request.method == "POST" else None
    # A form for each leaf of the round (the service asks the same rule of each leaf saved).
    forms = {
        row.node.code: AppraisalForm(
            data,
            prefix=row.node.code,
            node=row.node,
            row=row.leaf,
            round_no=round_no or 1,
            reasons=page.reasons,
        )
        for row in page.rows
        if row.node.is_leaf and scope.why_not_leaf(row.node, row.leaf) is None
    }
    if data is not None:
        if not can_edit:
            raise PermissionDenied  # may read this field, not appraise it (now)
        if not all([form.is_valid() for form in forms.values()]):
            messages.error(request, _("Chưa lưu: hãy sửa các ô báo lỗi bên dưới."))
        else:
            try:
                services.appraise_leaves(
                    assessment=assessment,
                    roles=roles,
                    user=request.user,
                    round_no=round_no,
                    entries=[form.entry for form in forms.values() if form.touched],
                )
            except services.ConflictError as exc:
                codes = ", ".join(c.node.code for c in exc.conflicts)
                messages.error(
                    request,
                    _("Chưa lưu: người khác vừa thẩm định %(codes)s; hãy tải lại trang.")
                    % {"codes": codes},
                )
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("Đã lưu điểm thẩm định."))
                return redirect(_url(assessment, page.entry.field.code))
    return render(
        request,
        "scoring/appraisal/field.html",
        {
            "page": page.entry,
            "assessment": assessment,
            "year": assessment.year,
            "rows": [(row, forms.get(row.node.code)) for row in page.rows],
            "round_no": round_no,
            "correcting": scope.correcting,
            "can_edit": can_edit,
        },
    )
