"""The unit's self-assessment pages: enter a field, preview a score, evidence, history, submit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from units.roles import roles_of

from .. import access, selectors, services, workflow
from ..forms import EvidenceForm, LeafForm, SubmitForm
from ..services.self_assessment import is_open, why_locked, window_open


def _field_url(assessment, field_code, anchor=""):
    url = reverse("entry_field", args=[assessment.year_id, assessment.unit.code, field_code])
    return f"{url}#{anchor}" if anchor else url


def _forms(page, request=None):
    """A LeafForm and an EvidenceForm per unit-filled leaf of the field, bound on a POST."""
    data = request.POST if request else None
    files = request.FILES if request else None
    library = page.assessment.evidence.all()
    leaf_forms, evidence_forms = {}, {}
    for row in page.rows:
        if row.by_unit:
            code = row.node.code
            leaf_forms[code] = LeafForm(data, prefix=code, node=row.node, leaf=row.leaf)
            evidence_forms[code] = EvidenceForm(data, files, prefix=f"ev-{code}", library=library)
    return leaf_forms, evidence_forms


@require_http_methods(["GET", "POST"])
@login_required
def entry_field(request, year_id: int, unit_code: str, field_code: str | None = None):
    roles = roles_of(request.user)
    if request.method == "POST":
        assessment = access.get_rw_assessment_for_entry(roles, year_id, unit_code)
    else:
        assessment = access.get_assessment_for_entry(roles, year_id, unit_code)
    page = selectors.entry_page(assessment, field_code)
    if page is None:
        raise Http404
    if field_code is None:
        return redirect(_field_url(assessment, page.field.code))
    is_post = request.method == "POST"
    leaf_forms, evidence_forms = _forms(page, request if is_post else None)
    conflicts = {}
    if is_post:
        used = [(code, form) for code, form in evidence_forms.items() if form.is_used]
        valid = all([f.is_valid() for f in leaf_forms.values()] + [f.is_valid() for _, f in used])
        if not valid:
            messages.error(request, _("Chưa lưu: hãy sửa các ô báo lỗi bên dưới."))
        else:
            nodes = {row.node.code: row.node for row in page.rows}
            try:
                services.save_field(
                    assessment=assessment,
                    roles=roles,
                    user=request.user,
                    entries=[form.entry for form in leaf_forms.values()],
                    attachments=[
                        services.Attachment(node=nodes[code], **form.cleaned_data_for_service())
                        for code, form in used
                    ],
                )
            except services.ConflictError as exc:
                conflicts = {c.node.code: c for c in exc.conflicts}
                # The form now stands on their version: saving again, knowingly, replaces it.
                data = request.POST.copy()
                for code, conflict in conflicts.items():
                    data[f"{code}-version"] = conflict.theirs.version if conflict.theirs else 0
                for code, form in leaf_forms.items():
                    leaf_forms[code] = LeafForm(data, prefix=code, node=form.node, leaf=form.leaf)
                    leaf_forms[code].is_valid()
                messages.error(
                    request,
                    _(
                        "Chưa lưu: có người khác vừa lưu %(n)s tiêu chí bạn đang sửa. Hãy xem "
                        "bản của họ bên dưới, sửa lại rồi lưu."
                    )
                    % {"n": len(conflicts)},
                )
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("Đã lưu."))
                # ?saved tells the page's script that the browser's draft copy is now stale.
                return redirect(_field_url(assessment, page.field.code) + "?saved=1")
    return render(
        request,
        "scoring/entry/field.html",
        {
            "page": page,
            "year": assessment.year,
            "rows": [
                (
                    row,
                    leaf_forms.get(row.node.code),
                    evidence_forms.get(row.node.code),
                    conflicts.get(row.node.code),
                )
                for row in page.rows
            ],
            "can_edit": assessment.unit_id in roles.unit_ids and is_open(assessment),
            "locked_because": why_locked(assessment),
            "is_leader": assessment.unit_id in roles.leader_of,
        },
        status=409 if conflicts else 200,
    )


@require_POST
@login_required
def entry_preview(request, year_id: int, unit_code: str, node_code: str):
    """The score a leaf's inputs give, as a fragment for htmx; the full page works without it."""
    assessment = access.get_assessment_for_entry(roles_of(request.user), year_id, unit_code)
    node = access.get_leaf_for_entry(assessment, node_code)
    form = LeafForm(request.POST, prefix=node.code, node=node, leaf=None)
    form.is_valid()
    return render(request, "scoring/entry/score.html", {"form": form, "node": node})


@require_POST
@login_required
def evidence_remove(request, year_id: int, unit_code: str, link_id: int):
    roles = roles_of(request.user)
    assessment = access.get_rw_assessment_for_entry(roles, year_id, unit_code)
    link = access.get_link_for_entry(assessment, link_id)
    node_code = link.leaf.node.code
    try:
        services.remove_evidence_link(assessment=assessment, roles=roles, link=link)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã gỡ tài liệu khỏi tiêu chí %s.") % node_code)
    return redirect(
        _field_url(assessment, link.leaf.node.code.split(".")[0], f"leaf-{link.leaf.node.dom_id}")
    )


@require_GET
@login_required
def evidence_download(request, year_id: int, unit_code: str, evidence_id: int):
    assessment = access.get_assessment_for_entry(roles_of(request.user), year_id, unit_code)
    evidence = access.get_evidence_for_entry(assessment, evidence_id)
    return FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )


@require_GET
@login_required
def leaf_history(request, year_id: int, unit_code: str, node_code: str):
    assessment = access.get_assessment_for_entry(roles_of(request.user), year_id, unit_code)
    node = access.get_leaf_for_entry(assessment, node_code)
    return render(
        request,
        "scoring/entry/history.html",
        {
            "assessment": assessment,
            "node": node,
            "changes": selectors.leaf_history(assessment, node),
            "field_code": node.code.split(".", 1)[0],
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def entry_submit(request, year_id: int, unit_code: str):
    roles = roles_of(request.user)
    if request.method == "POST":
        assessment = access.get_rw_assessment_for_entry(roles, year_id, unit_code)
    else:
        assessment = access.get_assessment_for_entry(roles, year_id, unit_code)
    form = SubmitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_assessment(
                assessment=assessment,
                roles=roles,
                user=request.user,
                problems_seen=form.cleaned_data["problems_seen"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Đã gửi bản tự đánh giá tới Sở Nội vụ."))
            return redirect(reverse("entry", args=[year_id, unit_code]))
    problems = workflow.submission_problems(selectors.entry_statuses(assessment))
    return render(
        request,
        "scoring/entry/submit.html",
        {
            "assessment": assessment,
            "year": assessment.year,
            "problems": problems,
            "blocking": [p for p in problems if p.blocking],
            "form": form,
            "is_leader": assessment.unit_id in roles.leader_of,
            "locked_because": why_locked(assessment),
            "can_withdraw": assessment.unit_id in roles.leader_of
            and assessment.status == assessment.Status.SUBMITTED
            and window_open(assessment),
        },
    )


@require_POST
@login_required
def entry_withdraw(request, year_id: int, unit_code: str):
    roles = roles_of(request.user)
    assessment = access.get_rw_assessment_for_entry(roles, year_id, unit_code)
    try:
        services.withdraw_assessment(assessment=assessment, roles=roles, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Đã rút bản tự đánh giá về để sửa."))
    return redirect(reverse("entry", args=[year_id, unit_code]))
