"""The Interior Department's admin pages of a year: its state, and a unit's ledger."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from units.roles import GROUP_APPRAISER, roles_of

from .. import access, services
from ..forms import (
    AdjustmentForm,
    AdvanceForm,
    DeadlinesForm,
    NewYearForm,
    ReopenForm,
    SurveyGridForm,
)
from ..models import (
    Adjustment,
    Assessment,
    AssessmentYear,
    FieldAssignment,
    FrameworkNode,
    LeafScore,
)

# What each step locks or opens, said before the admin confirms it.
STEP_EFFECTS = {
    "self_assessment": gettext_lazy(
        "Mở cho các đơn vị tự đánh giá trong thời hạn đã đặt. Bộ chỉ số của năm không sửa được nữa."
    ),
    "appraisal": gettext_lazy(
        "Khóa tự đánh giá của mọi đơn vị, kể cả đơn vị chưa gửi. Các thành viên hội đồng bắt đầu "
        "thẩm định vòng 1."
    ),
    "explanation": gettext_lazy(
        "Khóa thẩm định vòng 1. Mỗi đơn vị thấy các tiêu chí được yêu cầu giải trình, với điểm và "
        "lý do vòng 1, và trả lời trước hạn giải trình."
    ),
    "final_appraisal": gettext_lazy(
        "Khóa giải trình. Thẩm định lại (vòng 2) các tiêu chí đã yêu cầu giải trình."
    ),
    "published": gettext_lazy(
        "Công bố kết quả cho mọi người dùng. Điểm bị đóng băng; muốn sửa phải mở lại có lý do."
    ),
}


def _admin_year(request, year_id):
    roles = roles_of(request.user)
    return roles, access.get_year_for_admin(roles, year_id)


@require_http_methods(["GET", "POST"])
@login_required
def year_state(request, year_id: int):
    roles, year = _admin_year(request, year_id)
    form = AdvanceForm(
        request.POST or None,
        initial={"to_state": year.next_state, "explanation_closes": year.explanation_closes},
    )
    reopen = ReopenForm()
    if request.method == "POST" and form.is_valid():
        try:
            services.advance_year(
                year=year,
                roles=roles,
                to_state=form.cleaned_data["to_state"],
                explanation_closes=form.cleaned_data["explanation_closes"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Đã chuyển kỳ đánh giá sang bước tiếp theo."))
            return redirect(reverse("year_state", args=[year.pk]))
    return render(
        request,
        "scoring/manage/year_state.html",
        {
            "year": year,
            "form": form,
            "reopen_form": reopen,
            "effect": STEP_EFFECTS.get(year.next_state),
            "next_label": dict(AssessmentYear.State.choices).get(year.next_state),
            "reopenings": year.reopenings.select_related("by"),
            # Prefixed: the step form above has a field of the same name (ids must be unique).
            "deadlines_form": DeadlinesForm(
                prefix="deadlines",
                initial={name: getattr(year, name) for name in AssessmentYear.DEADLINES},
            ),
        },
    )


@require_POST
@login_required
def year_reopen(request, year_id: int):
    roles, year = _admin_year(request, year_id)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.reopen_year(
                year=year, roles=roles, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Đã mở lại kỳ đánh giá để sửa."))
    else:
        messages.error(request, _("Cần nêu lý do mở lại."))
    return redirect(reverse("year_state", args=[year.pk]))


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


@require_http_methods(["GET", "POST"])
@login_required
def assignments(request, year_id: int):
    roles, year = _admin_year(request, year_id)
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


@require_http_methods(["GET", "POST"])
@login_required
def year_new(request):
    roles = roles_of(request.user)
    if not roles.is_interior_admin:
        raise Http404
    form = NewYearForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            year = services.new_year_from(
                roles=roles,
                year=data["year"],
                unit_level=data["unit_level"],
                framework=data["framework"],
                deadlines={name: data[name] for name in AssessmentYear.DEADLINES if data[name]},
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Đã tạo kỳ đánh giá năm %s.") % year.year)
            return redirect(reverse("year_state", args=[year.pk]))
    return render(request, "scoring/manage/year_new.html", {"form": form})


@require_POST
@login_required
def year_deadlines(request, year_id: int):
    roles, year = _admin_year(request, year_id)
    form = DeadlinesForm(request.POST, prefix="deadlines")
    if form.is_valid():
        try:
            services.set_deadlines(year=year, roles=roles, deadlines=form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Đã lưu các mốc thời gian."))
    else:
        messages.error(request, _("Các mốc thời gian chưa hợp lệ."))
    return redirect(reverse("year_state", args=[year.pk]))


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
