"""The Interior Department's own blocks of a year: who appraises which field, the survey grid."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from units.roles import roles_of

from .. import access, selectors, services
from ..forms import SurveyGridForm


def _pairs_text(pairs) -> str:
    """The assignments a page shows, sent back with the form: "field:appraiser …"."""
    return " ".join(f"{field}:{person}" for field, person in sorted(pairs))


def _read_pairs(text: str | None):
    """The assignments the page showed; None when the form did not say (an old page)."""
    if text is None:
        return None
    try:
        return {tuple(int(n) for n in item.split(":", 1)) for item in text.split()}
    except ValueError:
        return None


def _conflict_message(conflict, people) -> str:
    names = [people.get(username, username) for username in conflict.theirs]
    return _(
        "Lĩnh vực %(code)s: người khác đã sửa phân công sau khi bạn mở trang, nay là: "
        "%(names)s. Bản của bạn chưa được lưu; lưu lại lần nữa sẽ ghi bản của bạn."
    ) % {"code": conflict.key.code, "names": ", ".join(names) or _("chưa phân công ai")}


@require_http_methods(["GET", "POST"])
@login_required
def assignments(request, year_id: int):
    roles = roles_of(request.user)
    year = access.get_year_for_admin(roles, year_id)
    grid = selectors.assignment_grid(year)
    checked, status = grid.shown, 200
    if request.method == "POST":
        posted = {
            (field.id, person.id)
            for field in grid.fields
            for person in grid.appraisers
            if request.POST.get(f"a-{field.id}-{person.id}")
        }
        shown = _read_pairs(request.POST.get("shown"))
        try:
            if shown is None:
                raise ValidationError(
                    _(
                        "Chưa lưu: trang phân công đã cũ. Phân công hiện tại được hiện bên dưới; "
                        "hãy đánh dấu lại rồi lưu."
                    )
                )
            changed = services.set_assignments(
                year=year, roles=roles, user=request.user, pairs=posted, shown=shown
            )
        except services.ConflictError as exc:
            people = {p.username: p.get_full_name() or p.username for p in grid.appraisers}
            for conflict in exc.conflicts:
                messages.error(request, _conflict_message(conflict, people))
            # The user's boxes stay on the fields they changed; the others show what is
            # stored now, and the page now stands on it (saving again is deliberate).
            touched = {f for f, _p in posted ^ shown}
            checked = {p for p in posted if p[0] in touched} | {
                p for p in grid.shown if p[0] not in touched
            }
            status = 409
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            if changed:
                messages.success(request, _("Đã lưu phân công thẩm định."))
            else:
                messages.info(request, _("Không có phân công nào thay đổi."))
            return redirect(reverse("assignments", args=[year.pk]))
    return render(
        request,
        "scoring/manage/assignments.html",
        {
            "year": year,
            "appraisers": grid.appraisers,
            "grid": grid.rows(checked),
            "shown": _pairs_text(grid.shown),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def survey(request, year_id: int):
    roles = roles_of(request.user)
    year = access.get_year_for_appraisal(roles, year_id)
    grid = selectors.survey_grid(year)
    form = SurveyGridForm(request.POST or None, grid=grid)
    conflicts = {}
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, _("Chưa lưu: hãy sửa các ô báo lỗi bên dưới."))
        else:
            try:
                changed = services.save_survey(
                    year=year, roles=roles, user=request.user, scores=form.scores()
                )
            except services.ConflictError as exc:
                conflicts = {conflict.key: conflict for conflict in exc.conflicts}
                form = form.after_conflict(conflicts)
                messages.error(
                    request,
                    _(
                        "Chưa lưu: có người khác vừa lưu %(n)s ô bạn đang sửa. Điểm của họ hiện "
                        "ngay dưới từng ô; hãy xem lại rồi lưu. Lưu lại lần nữa sẽ ghi điểm của "
                        "bạn đè lên điểm của họ."
                    )
                    % {"n": len(conflicts)},
                )
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                if changed:
                    messages.success(request, _("Đã lưu điểm điều tra xã hội học."))
                else:
                    messages.info(request, _("Không có điểm nào thay đổi."))
                return redirect(reverse("survey", args=[year.pk]))
    return render(
        request,
        "scoring/manage/survey.html",
        {
            "year": year,
            "leaves": grid.leaves,
            "form": form,
            "can_edit": access.can_edit_survey(roles, year),
        },
        status=409 if conflicts else 200,
    )
