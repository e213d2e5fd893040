"""The Interior Department's own blocks of a year: who appraises which field, the survey grid."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from units.roles import GROUP_APPRAISER, roles_of

from .. import access, services
from ..forms import (
    SurveyGridForm,
)
from ..models import (
    Assessment,
    FieldAssignment,
    FrameworkNode,
    LeafScore,
)


@require_http_methods(["GET", "POST"])
@login_required
def assignments(request, year_id: int):
    roles = roles_of(request.user)
    year = access.get_year_for_admin(roles, year_id)
    fields = list(FrameworkNode.objects.filter(framework_id=year.framework_id, parent=None))
    appraisers = list(
        User.objects.filter(groups__name=GROUP_APPRAISER, is_active=True).order_by("username")
    )
    current = set(FieldAssignment.objects.filter(year=year).values_list("field_id", "appraiser_id"))
    if request.method == "POST":
        pairs = {
            (field.id, person.id)
            for field in fields
            for person in appraisers
            if request.POST.get(f"a-{field.id}-{person.id}")
        }
        try:
            services.set_assignments(year=year, roles=roles, pairs=pairs)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Đã lưu phân công thẩm định."))
            return redirect(reverse("assignments", args=[year.pk]))
    return render(
        request,
        "scoring/manage/assignments.html",
        {
            "year": year,
            "appraisers": appraisers,
            "grid": [
                (field, [(person, (field.id, person.id) in current) for person in appraisers])
                for field in fields
            ],
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def survey(request, year_id: int):
    roles = roles_of(request.user)
    year = access.get_year_for_appraisal(roles, year_id)
    leaves = list(FrameworkNode.objects.filter(framework_id=year.framework_id, rule="survey"))
    units = list(Assessment.objects.filter(year=year).select_related("unit").order_by("unit__name"))
    stored = {
        (assessment_id, node_id): score
        for assessment_id, node_id, score in LeafScore.objects.filter(
            assessment__year=year, node__rule="survey"
        ).values_list("assessment_id", "node_id", "r1_score")
    }
    form = SurveyGridForm(request.POST or None, assessments=units, leaves=leaves, stored=stored)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.save_survey(
                    year=year, roles=roles, user=request.user, scores=form.scores()
                )
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("Đã lưu điểm điều tra xã hội học."))
                return redirect(reverse("survey", args=[year.pk]))
        else:
            messages.error(request, _("Chưa lưu: hãy sửa các ô báo lỗi bên dưới."))
    return render(
        request,
        "scoring/manage/survey.html",
        {"year": year, "leaves": leaves, "form": form, "can_edit": year.in_appraisal},
    )
