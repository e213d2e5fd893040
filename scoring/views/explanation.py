"""The unit's explanation round: answer the leaves the appraisal flagged."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from units.roles import roles_of

from .. import access, selectors, services
from ..forms import AnswerForm, EvidenceForm

SHOWN_FROM = ("explanation", "final_appraisal", "published")


@require_http_methods(["GET", "POST"])
@login_required
def explanation(request, year_id: int, unit_code: str):
    roles = roles_of(request.user)
    is_post = request.method == "POST"
    get_assessment = (
        access.get_rw_assessment_for_entry if is_post else access.get_assessment_for_entry
    )
    assessment = get_assessment(roles, year_id, unit_code)
    # Every field's leaves: flagged ones may sit anywhere in the framework.
    all_rows = selectors.entry_rows(assessment)
    library = list(assessment.evidence.order_by("original_name"))
    # The flagged leaves and their round-1 scores reach the unit only once the round opens.
    shown = assessment.year.state in SHOWN_FROM or roles.is_interior_staff
    rows = [r for r in all_rows if shown and r.leaf is not None and r.leaf.flagged]
    data, files = (request.POST, request.FILES) if is_post else (None, None)
    forms = [
        (
            row,
            AnswerForm(data, prefix=row.node.code, initial={"answer": row.leaf.explanation_answer}),
            EvidenceForm(data, files, prefix=f"ev-{row.node.code}", library=library),
        )
        for row in rows
    ]
    is_open = services.explanation_open(assessment)
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
                        services.Answer(row.node.id, answer.cleaned_data["answer"] or "")
                        for row, answer, _ev in forms
                    ],
                    attachments=[
                        services.Attachment(node=row.node, **ev.for_service()) for row, ev in used
                    ],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("Đã lưu giải trình."))
                return redirect(reverse("explanation", args=[year_id, unit_code]))
    return render(
        request,
        "scoring/explanation.html",
        {
            "assessment": assessment,
            "year": assessment.year,
            "forms": forms,
            "shown": shown,
            "can_edit": is_open and assessment.unit_id in roles.unit_ids,
        },
    )
