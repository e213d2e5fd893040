"""The Interior Department's pages of running a year: its steps, deadlines, re-opening, a new
year."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from units.roles import roles_of

from .. import access, services
from ..forms import (
    AdvanceForm,
    DeadlinesForm,
    NewYearForm,
    ReopenForm,
)
from ..models import (
    AssessmentYear,
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


@require_POST
@login_required
def year_step_back(request, year_id: int):
    raise Http404


@require_http_methods(["GET", "POST"])
@login_required
def year_settings(request, year_id: int):
    raise Http404
