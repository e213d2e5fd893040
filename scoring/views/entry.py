"""The unit's self-assessment pages: enter a field, preview a score, evidence, history, submit."""

from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from units.roles import roles_of

from .. import access, selectors, services
from ..forms import EvidenceForm, LeafForm, SubmitForm, error_lines
from ..models import FrameworkNode


def _field_url(assessment, field_code, anchor=""):
    url = reverse("entry_field", args=[assessment.year_id, assessment.unit.code, field_code])
    return f"{url}#{anchor}" if anchor else url


def login_required_htmx(view):
    """Like login_required, but an htmx request whose session expired is sent to the login
    page as a whole (HX-Redirect) instead of having it pasted into a fragment."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.headers.get("HX-Request"):
            login = redirect_to_login(request.headers.get("HX-Current-URL", "/"))
            return HttpResponse(status=401, headers={"HX-Redirect": login.url})
        return redirect_to_login(request.get_full_path())

    return wrapper


def _posted_versions(page, data) -> dict[int, int]:
    versions = {}
    for row in page.rows:
        if row.by_unit:
            try:
                versions[row.node.id] = int(data.get(f"{row.node.code}-version") or 0)
            except ValueError:
                versions[row.node.id] = 0
    return versions


def _forms(page, data=None, files=None):
    """A LeafForm and an EvidenceForm per unit-filled leaf of the field. Bound forms compare
    what was posted with the leaf as the page showed it, to find the leaves the user touched."""
    shown = selectors.shown_leaves(page, _posted_versions(page, data)) if data else None
    leaf_forms, evidence_forms = {}, {}
    for row in page.rows:
        if row.by_unit:
            code = row.node.code
            leaf_forms[code] = LeafForm(
                data,
                prefix=code,
                node=row.node,
                shown=shown.get(row.node.id) if data else row.leaf,
            )
            evidence_forms[code] = EvidenceForm(
                data, files, prefix=f"ev-{code}", library=page.library
            )
    return leaf_forms, evidence_forms


def _after_conflict(page, leaf_forms, conflicts, data):
    """The page after a refused save: conflicting leaves keep the user's input, now standing
    on the other person's version (saving again replaces it, knowingly); untouched leaves show
    what is stored now; other touched leaves (and any with errors) keep the user's input."""
    data = data.copy()
    current = {row.node.code: row.leaf for row in page.rows}
    for code, conflict in conflicts.items():
        data[f"{code}-version"] = conflict.theirs.version if conflict.theirs else 0
    result = {}
    for code, form in leaf_forms.items():
        if code in conflicts:
            result[code] = LeafForm(data, prefix=code, node=form.node, shown=conflicts[code].theirs)
            result[code].is_valid()
        elif not form.touched and not form.errors:
            result[code] = LeafForm(prefix=code, node=form.node, shown=current[code])
        else:
            result[code] = form
    return result


def _after_partial_save(page, leaf_forms, evidence_forms, saved):
    """The page after a save that took the valid leaves and left the others: ``page`` is read
    again, so the saved leaves show what is stored now, at their new version (saving the page
    again is no conflict with oneself); the others keep the user's input and errors."""
    current = {row.node.code: row.leaf for row in page.rows}
    for code, evidence in evidence_forms.items():
        if code in saved:
            leaf_forms[code] = LeafForm(
                prefix=code, node=leaf_forms[code].node, shown=current[code]
            )
            evidence_forms[code] = EvidenceForm(prefix=f"ev-{code}", library=page.library)
        else:
            evidence.set_library(page.library)  # with the documents just uploaded
    return leaf_forms, evidence_forms


def _leaf_is_valid(leaf_form, evidence_form) -> bool:
    """A leaf is saved whole or not at all: its entry and the document attached with it."""
    valid = leaf_form.is_valid()
    if evidence_form.is_used:
        valid = evidence_form.is_valid() and valid
    return valid


@dataclass(frozen=True)
class Unsaved:
    """A leaf the save left out, for the list at the top of the page."""

    node: FrameworkNode
    lines: list[str]  # its errors, each with its input's label


def _unsaved_message(saved: int, unsaved: list[Unsaved]) -> str:
    codes = ", ".join(item.node.code for item in unsaved)
    n = len(unsaved)
    if saved:
        return ngettext(
            "Đã lưu %(saved)s tiêu chí; %(n)s tiêu chí chưa lưu được: %(codes)s.",
            "Đã lưu %(saved)s tiêu chí; %(n)s tiêu chí chưa lưu được: %(codes)s.",
            n,
        ) % {"saved": saved, "n": n, "codes": codes}
    return ngettext(
        "Chưa lưu: %(n)s tiêu chí có lỗi (%(codes)s). Hãy sửa các ô báo lỗi bên dưới.",
        "Chưa lưu: %(n)s tiêu chí có lỗi (%(codes)s). Hãy sửa các ô báo lỗi bên dưới.",
        n,
    ) % {"n": n, "codes": codes}


@require_http_methods(["GET", "POST"])
@login_required
def entry_field(request, year_id: int, unit_code: str, field_code: str | None = None):
    roles = roles_of(request.user)
    is_post = request.method == "POST"
    get_assessment = (
        access.get_rw_assessment_for_entry if is_post else access.get_assessment_for_entry
    )
    assessment = get_assessment(roles, year_id, unit_code)
    page = selectors.entry_page(assessment, field_code)
    if page is None:
        raise Http404
    if field_code is None:
        return redirect(_field_url(assessment, page.field.code))
    leaf_forms, evidence_forms = (
        _forms(page, request.POST, request.FILES) if is_post else _forms(page)
    )
    conflicts, saved, invalid = {}, [], []
    if is_post:
        # Each leaf stands alone: the valid ones are saved even when others are not, so one
        # typo does not hold back a field's worth of typing.
        invalid = [c for c in leaf_forms if not _leaf_is_valid(leaf_forms[c], evidence_forms[c])]
        ready = [
            code
            for code in leaf_forms
            if code not in invalid and (leaf_forms[code].touched or evidence_forms[code].is_used)
        ]
        if ready or not invalid:
            nodes = {row.node.code: row.node for row in page.rows}
            try:
                services.save_field(
                    assessment=assessment,
                    roles=roles,
                    user=request.user,
                    entries=[leaf_forms[c].entry for c in ready if leaf_forms[c].touched],
                    attachments=[
                        services.Attachment(node=nodes[c], **evidence_forms[c].for_service())
                        for c in ready
                        if evidence_forms[c].is_used
                    ],
                )
            except services.ConflictError as exc:
                # As before: a conflict saves nothing, so nobody's input is silently replaced.
                conflicts = {c.node.code: c for c in exc.conflicts}
                leaf_forms = _after_conflict(page, leaf_forms, conflicts, request.POST)
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
                saved = ready
                if not invalid:
                    messages.success(request, _("Đã lưu."))
                    # ?saved tells the page's script that the browser's draft is now stale.
                    return redirect(_field_url(assessment, page.field.code) + "?saved=1")
        if saved:
            page = selectors.entry_page(assessment, page.field.code)
            leaf_forms, evidence_forms = _after_partial_save(
                page, leaf_forms, evidence_forms, set(saved)
            )
    unsaved = [
        Unsaved(
            leaf_forms[code].node,
            error_lines(
                leaf_forms[code], *([evidence_forms[code]] if evidence_forms[code].is_used else [])
            ),
        )
        for code in invalid
    ]
    if unsaved and not conflicts:
        messages.error(request, _unsaved_message(len(saved), unsaved))
    # A file chosen for a leaf that was not saved must be chosen again (browsers never refill
    # a file input).
    posted_files = {key.removeprefix("ev-").removesuffix("-file") for key in request.FILES}
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
            "action": _field_url(assessment, page.field.code),
            "reselect_files": bool(posted_files - set(saved)),
            "unsaved": unsaved,
            "unsaved_codes": {item.node.code for item in unsaved},
            # The page holds input not yet stored: the script keeps it as the draft.
            "holds_input": bool(unsaved or conflicts),
            "can_edit": access.can_edit_entry(roles, assessment),
            "locked_because": selectors.why_locked(assessment),
            "is_leader": access.is_leader_of(roles, assessment),
        },
        status=409 if conflicts else 200,
    )


@require_POST
@login_required_htmx
def entry_preview(request, year_id: int, unit_code: str, node_code: str):
    """The score a leaf's inputs give, as a fragment for htmx; the full page works without it."""
    assessment = access.get_assessment_for_entry(roles_of(request.user), year_id, unit_code)
    node = access.get_leaf_for_entry(assessment, node_code)
    form = LeafForm(request.POST, prefix=node.code, node=node)
    form.is_valid()
    return render(request, "scoring/entry/score.html", {"form": form, "node": node})


@require_POST
@login_required
def evidence_remove(request, year_id: int, unit_code: str, link_id: int):
    roles = roles_of(request.user)
    assessment = access.get_rw_assessment_for_entry(roles, year_id, unit_code)
    link = access.get_link_for_entry(assessment, link_id)
    node = link.leaf.node
    try:
        services.remove_evidence_link(
            assessment=assessment, roles=roles, user=request.user, link=link
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã gỡ tài liệu khỏi tiêu chí %s.") % node.code)
    return redirect(_field_url(assessment, node.field_code, f"leaf-{node.dom_id}"))


@require_GET
@never_cache  # private documents stay out of shared caches
@login_required
def evidence_download(request, year_id: int, unit_code: str, evidence_id: int):
    assessment = access.get_assessment_for_entry(roles_of(request.user), year_id, unit_code)
    evidence = access.get_evidence_for_entry(assessment, evidence_id)
    try:
        stream = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        stream,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )


@require_GET
@login_required
def leaf_history(request, year_id: int, unit_code: str, node_code: str):
    roles = roles_of(request.user)
    assessment = access.get_assessment_for_entry(roles, year_id, unit_code)
    node = access.get_leaf_for_entry(assessment, node_code)
    changes = selectors.leaf_history(
        assessment,
        node,
        with_appraisal=access.can_see_final_scores(roles, assessment.year),
    )
    return render(
        request,
        "scoring/entry/history.html",
        {"assessment": assessment, "node": node, "changes": changes},
    )


@require_http_methods(["GET", "POST"])
@login_required
def entry_submit(request, year_id: int, unit_code: str):
    roles = roles_of(request.user)
    is_post = request.method == "POST"
    get_assessment = (
        access.get_rw_assessment_for_entry if is_post else access.get_assessment_for_entry
    )
    assessment = get_assessment(roles, year_id, unit_code)
    form = SubmitForm(request.POST or None)
    if is_post and form.is_valid():
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
    check = selectors.submission_check(assessment)
    can_withdraw = access.can_withdraw(roles, assessment)
    return render(
        request,
        "scoring/entry/submit.html",
        {
            "assessment": assessment,
            "year": assessment.year,
            "problems": check.problems,
            "groups": check.groups,
            "blocking": check.blocking,
            "warnings": len(check.problems) - len(check.blocking),
            "form": form,
            "is_leader": access.is_leader_of(roles, assessment),
            "locked_because": selectors.why_locked(assessment),
            "can_withdraw": can_withdraw,
            # The confirmation step of a withdrawal: a page of its own, no script needed.
            "confirm_withdraw": can_withdraw and request.GET.get("withdraw") == "1",
        },
    )


@require_POST
@login_required
def entry_withdraw(request, year_id: int, unit_code: str):
    """Withdraw once confirmed: a post without ``confirm`` (an old page, a stray click) is
    sent to the confirmation step and changes nothing."""
    roles = roles_of(request.user)
    assessment = access.get_rw_assessment_for_entry(roles, year_id, unit_code)
    if not access.is_leader_of(roles, assessment):
        raise PermissionDenied
    if request.POST.get("confirm") != "1":
        return redirect(reverse("entry_submit", args=[year_id, unit_code]) + "?withdraw=1")
    try:
        services.withdraw_assessment(assessment=assessment, roles=roles, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Đã rút bản tự đánh giá về để sửa. Sửa xong, lãnh đạo đơn vị cần gửi lại trước hạn."),
        )
    return redirect(reverse("entry", args=[year_id, unit_code]))
