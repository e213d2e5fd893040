"""The unit's explanation round: answer the leaves the appraisal flagged."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from units.roles import roles_of

from .. import access, selectors, services
from ..forms import AnswerForm, EvidenceForm, SendExplanationsForm

# A page that did not send a leaf's version: never the current one, so a changed answer from
# it is refused as stale.
UNKNOWN_VERSION = -1


def _forms(rows, library, data=None, files=None):
    return [
        (
            row,
            AnswerForm(data, prefix=row.node.code, shown=row.leaf),
            EvidenceForm(data, files, prefix=f"ev-{row.node.code}", library=library),
        )
        for row in rows
    ]


def _after_conflict(forms, conflicts, data):
    """The page after a refused save: each conflicting answer keeps the user's text, now over
    the other person's version (saving again replaces theirs, knowingly)."""
    data = data.copy()
    for code, conflict in conflicts.items():
        data[f"{code}-version"] = conflict.theirs.version
    result = []
    for row, answer, evidence in forms:
        if row.node.code in conflicts:
            answer = AnswerForm(data, prefix=row.node.code, shown=conflicts[row.node.code].theirs)
            answer.is_valid()
            answer.conflict = conflicts[row.node.code]
        result.append((row, answer, evidence))
    return result


# The explanation page's form has two buttons: save (no action) and send (the leader's);
# taking the sent answers back is a form of its own, after a confirmation step.
SEND, WITHDRAW = "send", "withdraw"


def _page_url(year_id, unit_code) -> str:
    return reverse("explanation", args=[year_id, unit_code])


def _withdraw(request, roles, assessment, year_id, unit_code):
    """Take the sent answers back, once confirmed (a post without ``confirm`` is sent to the
    confirmation step and changes nothing)."""
    if request.POST.get("confirm") != "1":
        return redirect(_page_url(year_id, unit_code) + "?withdraw=1#confirm-withdraw")
    try:
        services.withdraw_explanations(assessment=assessment, roles=roles, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Đã rút giải trình về để sửa. Sửa xong, lãnh đạo đơn vị cần gửi lại trước hạn."),
        )
    return redirect(_page_url(year_id, unit_code))


def _send(request, roles, assessment, form) -> None:
    form.is_valid()
    try:
        services.submit_explanations(
            assessment=assessment,
            roles=roles,
            user=request.user,
            unanswered_seen=bool(form.cleaned_data.get("unanswered_seen")),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, _("Giải trình đã được lưu nhưng chưa gửi: %s") % message)
    else:
        messages.success(request, _("Đã gửi giải trình tới Sở Nội vụ."))


@require_http_methods(["GET", "POST"])
@login_required
def explanation(request, year_id: int, unit_code: str):
    roles = roles_of(request.user)
    is_post = request.method == "POST"
    get_assessment = (
        access.get_assessment_for_entry if not is_post else access.get_rw_assessment_for_entry
    )
    assessment = get_assessment(roles, year_id, unit_code)
    action = request.POST.get("action", "") if is_post else ""
    if action in (SEND, WITHDRAW) and not access.is_leader_of(roles, assessment):
        raise PermissionDenied  # only the leader sends or takes back; officers answer
    if action == WITHDRAW:
        return _withdraw(request, roles, assessment, year_id, unit_code)
    shown = access.can_see_flags(roles, assessment.year)
    # Every field's flagged leaves (they may sit anywhere in the framework), once shown.
    rows = selectors.flagged_rows(assessment) if shown else []
    library = selectors.evidence_library(assessment) if rows else []
    forms = _forms(rows, library, *((request.POST, request.FILES) if is_post else ()))
    send_form = SendExplanationsForm(request.POST if action == SEND else None)
    conflicts = {}
    if is_post:
        used = [(row, ev) for row, _answer, ev in forms if ev.is_used]
        valid = [a.is_valid() for _row, a, _ev in forms] + [ev.is_valid() for _row, ev in used]
        if not all(valid):
            messages.error(request, _("Chưa lưu: hãy sửa các ô báo lỗi bên dưới."))
        else:
            try:
                services.save_explanations(
                    assessment=assessment,
                    roles=roles,
                    user=request.user,
                    answers=[
                        services.Answer(
                            row.node.id,
                            answer.cleaned_data["answer"] or "",
                            version=answer.cleaned_data["version"]
                            if answer.cleaned_data["version"] is not None
                            else UNKNOWN_VERSION,
                        )
                        for row, answer, _ev in forms
                    ],
                    attachments=[
                        services.Attachment(node=row.node, **ev.for_service()) for row, ev in used
                    ],
                )
            except services.ConflictError as exc:
                conflicts = {c.node.code: c for c in exc.conflicts}
                forms = _after_conflict(forms, conflicts, request.POST)
                messages.error(
                    request,
                    _(
                        "Chưa lưu: có người khác vừa lưu giải trình của %(n)s tiêu chí bạn đang "
                        "sửa. Hãy xem bản của họ bên dưới, sửa lại rồi lưu."
                    )
                    % {"n": len(conflicts)},
                )
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                if action == SEND:
                    # The answers as typed are saved first: what is sent is what the page shows.
                    _send(request, roles, assessment, send_form)
                else:
                    messages.success(request, _("Đã lưu giải trình."))
                return redirect(_page_url(year_id, unit_code))
    can_take_back = access.can_take_back_explanations(roles, assessment)
    return render(
        request,
        "scoring/explanation.html",
        {
            "assessment": assessment,
            "year": assessment.year,
            "forms": forms,
            "shown": shown,
            "can_edit": access.can_edit_explanation(roles, assessment),
            "locked_because": selectors.why_explanation_locked(assessment) if rows else None,
            "is_unit_staff": assessment.unit_id in roles.unit_ids,
            "sent": selectors.explanation_sent(assessment),
            "round_open": selectors.explanation_round_open(assessment),
            "can_send": bool(rows) and access.can_send_explanations(roles, assessment),
            "unanswered": selectors.unanswered_rows([row for row, _a, _e in forms]),
            "send_form": send_form,
            "can_take_back": can_take_back,
            "confirm_withdraw": can_take_back and request.GET.get("withdraw") == "1",
        },
        status=409 if conflicts else 200,
    )
