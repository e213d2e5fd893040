"""The Interior Department's pages of running a year: its steps forward and back, deadlines,
re-opening, a new year, the settings of its ranking."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from units.roles import roles_of

from .. import access, selectors, services
from ..forms.years import (
    AdvanceForm,
    BandFormSet,
    DeadlinesForm,
    NewYearForm,
    ReopenForm,
    StepBackForm,
    YearSettingsForm,
)
from ..models import AssessmentYear
from ..services.concurrency import ConflictError
from ..services.years import band_text, set_year_settings, step_back_year

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


# The deadline a step back asks for, named after the round it reopens.
DEADLINE_LABELS = {
    "self_assessment": gettext_lazy("Hạn tự đánh giá mới (để các đơn vị nhập lại)"),
    "explanation": gettext_lazy("Hạn giải trình mới"),
}


def _admin_year(request, year_id):
    roles = roles_of(request.user)
    return roles, access.get_year_for_admin(roles, year_id)


def _refused(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@require_http_methods(["GET", "POST"])
@login_required
def year_state(request, year_id: int):
    """The year's steps: what the next one needs (blockers, with links) and does, the step
    back and what it would cost, the deadlines. A fixed number of queries (pinned by a test)."""
    roles, year = _admin_year(request, year_id)
    form = AdvanceForm(
        request.POST or None,
        initial={"to_state": year.next_state, "explanation_closes": year.explanation_closes},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.advance_year(
                year=year,
                roles=roles,
                to_state=form.cleaned_data["to_state"],
                explanation_closes=form.cleaned_data["explanation_closes"],
                user=request.user,
            )
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("Đã chuyển kỳ đánh giá sang bước tiếp theo."))
            return redirect(reverse("year_state", args=[year.pk]))
    blockers = selectors.step_blockers(year)
    back = selectors.step_back_plan(year)
    return render(
        request,
        "scoring/manage/year_state.html",
        {
            "year": year,
            "form": form,
            "blocking": [b for b in blockers if b.blocking],
            "warnings": [b for b in blockers if not b.blocking],
            "back": back,
            "back_form": StepBackForm(
                deadline_label=DEADLINE_LABELS.get(back.to_state),
                initial={
                    "from_state": year.state,
                    "token": back.token,
                    "deadline": getattr(year, back.deadline) if back.deadline else None,
                },
            ),
            "reopen_form": ReopenForm(),
            "effect": STEP_EFFECTS.get(year.next_state),
            "next_label": dict(AssessmentYear.State.choices).get(year.next_state),
            "reopenings": year.reopenings.select_related("by"),
            "bands": [band_text(b.label, b.lower_bound) for b in year.bands.all()],
            # Prefixed: the step form above has a field of the same name (ids must be unique).
            "deadlines_form": DeadlinesForm(
                prefix="deadlines",
                initial={
                    "version": year.version,
                    **{name: getattr(year, name) for name in AssessmentYear.DEADLINES},
                },
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
            _refused(request, exc)
        else:
            messages.success(request, _("Đã mở lại kỳ đánh giá để sửa."))
    else:
        messages.error(request, _("Cần nêu lý do mở lại."))
    return redirect(reverse("year_state", args=[year.pk]))


@require_http_methods(["GET", "POST"])
@login_required
def year_new(request):
    roles = roles_of(request.user)
    access.require_interior_admin(roles)
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
                user=request.user,
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
        data = form.cleaned_data
        try:
            services.set_deadlines(
                year=year,
                roles=roles,
                deadlines={name: data[name] for name in AssessmentYear.DEADLINES},
                version=data["version"],
                user=request.user,
            )
        except ConflictError:
            messages.error(
                request,
                _(
                    "Người khác đã đổi các mốc thời gian hoặc thiết lập của năm này từ khi trang "
                    "được mở; chưa lưu gì. Đây là các mốc hiện tại."
                ),
            )
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("Đã lưu các mốc thời gian."))
    else:
        messages.error(request, _("Các mốc thời gian chưa hợp lệ."))
    return redirect(reverse("year_state", args=[year.pk]))


@require_POST
@login_required
def year_step_back(request, year_id: int):
    roles, year = _admin_year(request, year_id)
    form = StepBackForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Cần nêu lý do lùi bước và đánh dấu xác nhận."))
        return redirect(reverse("year_state", args=[year.pk]))
    data = form.cleaned_data
    try:
        step_back_year(
            year=year,
            roles=roles,
            user=request.user,
            from_state=data["from_state"],
            reason=data["reason"],
            deadline=data["deadline"],
            token=data["token"],
        )
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Đã lùi kỳ đánh giá về bước trước."))
    return redirect(reverse("year_state", args=[year.pk]))


def _settings_forms(year, data=None):
    """The settings form and the bands' rows, bound to ``data`` or showing the year as stored."""
    initial = {
        "tie_policy": year.tie_policy,
        "bonus_max": year.bonus_max,
        "deduction_max": year.deduction_max,
        "version": year.version,
    }
    bands = [{"label": b.label, "lower_bound": b.lower_bound} for b in year.bands.all()]
    return (
        YearSettingsForm(data, initial=initial),
        BandFormSet(data, initial=bands, prefix="bands"),
    )


@require_http_methods(["GET", "POST"])
@login_required
def year_settings(request, year_id: int):
    """How the year ranks. "Xem trước" shows the ranking as it is and as it would be, saving
    nothing; "Lưu" saves, refused when someone changed the settings since the page was shown."""
    roles, year = _admin_year(request, year_id)
    editable = not year.is_published
    if request.method == "POST" and not editable:
        messages.error(
            request, _("Kỳ đánh giá đã công bố: hãy mở lại kỳ đánh giá trước khi đổi thiết lập.")
        )
        return redirect(reverse("year_settings", args=[year.pk]))
    form, bands = _settings_forms(year, request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid() and bands.is_valid():
        values = {
            "tie_policy": form.cleaned_data["tie_policy"],
            "bonus_max": form.cleaned_data["bonus_max"],
            "deduction_max": form.cleaned_data["deduction_max"],
            "bands": bands.bands(),
        }
        if request.POST.get("action") == "save":
            try:
                set_year_settings(
                    year=year,
                    roles=roles,
                    user=request.user,
                    version=form.cleaned_data["version"],
                    **values,
                )
            except ConflictError:
                messages.error(
                    request,
                    _(
                        "Người khác đã đổi thiết lập hoặc các mốc thời gian của năm này từ khi "
                        "trang được mở; chưa lưu gì. Đây là thiết lập hiện tại."
                    ),
                )
                form, bands = _settings_forms(year)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("Đã lưu thiết lập xếp hạng của năm."))
                return redirect(reverse("year_settings", args=[year.pk]))
        else:
            preview = selectors.ranking_preview(year, **values)
    return render(
        request,
        "scoring/manage/year_settings.html",
        {
            "year": year,
            "editable": editable,
            "form": form,
            "bands": bands,
            "stored_bands": [band_text(b.label, b.lower_bound) for b in year.bands.all()],
            "preview": preview,
            "changed": sum(1 for row in preview or () if row.changed),
        },
    )
