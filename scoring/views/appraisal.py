"""The Interior Department's appraisal pages: the year's work list and a unit's field."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from units.roles import roles_of

from .. import access, selectors, services
from ..forms import AppraisalForm
from ..forms.appraisal import read_acceptance, wrong_round
from ..guide import number
from ..selectors import appraisal as pages
from ..services.appraisal import ROUND_1, SELF


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


def _url(assessment, field_code, show="", anchor=""):
    url = reverse("appraise_field", args=[assessment.year_id, assessment.unit.code, field_code])
    if show:
        url += "?" + urlencode({"show": show})
    return f"{url}#{anchor}" if anchor else url


def _forms(page, rows, data, round_no):
    """A form for each leaf of the round among the rows shown (the service asks the same rule
    of each leaf saved). A leaf whose inputs were not posted (a filtered page, a post naming
    only some leaves) is left alone rather than read as cleared."""
    return {
        row.node.code: AppraisalForm(
            data if data is not None and f"{row.node.code}-version" in data else None,
            prefix=row.node.code,
            node=row.node,
            row=row.leaf,
            round_no=round_no or 1,
            reasons=page.reasons,
        )
        for row in rows
        if row.appraisable
    }


def _posted_version(data, row) -> int:
    """The version of a leaf as the user's page showed it; a leaf the page did not show (a
    filter hid it) counts as seen now."""
    try:
        return int(data[f"{row.node.code}-version"])
    except (KeyError, ValueError):
        return row.version


def _accepted(page, acceptance, forms, data):
    """The rows an accept button takes: its leaf, or the bulk action's leaves the user did not
    type anything into (what they typed wins)."""
    if acceptance is None:
        return []
    if acceptance.code:
        return [row for row in page.leaves if row.node.code == acceptance.code]
    typed = {code for code, form in forms.items() if form.touched}
    return [row for row in page.bulk(acceptance.bulk) if row.node.code not in typed]


def _accepted_value(row, source):
    return row.self_score if source == SELF else row.r1_score


def _after_conflict(page, forms, conflicts, data, accepted, acceptance, round_no):
    """The page after a refused save: each form keeps what the user typed (an accepted leaf
    shows the score it was to take), now standing on the version saved in between, so that
    saving again replaces the other person's values knowingly; untouched leaves show what is
    stored now."""
    data = data.copy()
    for row in accepted:
        code = row.node.code
        value = _accepted_value(row, acceptance.source)
        data[f"{code}-score"] = number(value) if value is not None else ""
        data[f"{code}-reason"] = ""
    for code, conflict in conflicts.items():
        data[f"{code}-version"] = conflict.theirs.appraisal_version if conflict.theirs else 0
    rows = {row.node.code: row for row in page.leaves}
    accepted_codes = {row.node.code for row in accepted}
    result = {}
    for code, form in forms.items():
        if code in conflicts or code in accepted_codes:
            shown = conflicts[code].theirs if code in conflicts else rows[code].leaf
            result[code] = AppraisalForm(
                data,
                prefix=code,
                node=form.node,
                row=shown,
                round_no=round_no or 1,
                reasons=page.reasons,
            )
            result[code].is_valid()
        elif not form.touched:
            result[code] = AppraisalForm(
                prefix=code,
                node=form.node,
                row=rows[code].leaf,
                round_no=round_no or 1,
                reasons=page.reasons,
            )
        else:
            result[code] = form
    return result


def _mine(form, reasons):
    """What the user had for a leaf, as the conflict box shows it beside the other's."""
    reason = form["reason"].value() or ""
    labels = {r.code: r.label for r in reasons}
    flagged = form["flagged"].value() if "flagged" in form.fields else False
    return {
        "score": form["score"].value() or "",
        "reason": labels.get(reason, reason),
        "comment": form["comment"].value() or "",
        "flagged": bool(flagged),
    }


def _saved_messages(request, acceptance, accepted, typed, page):
    if acceptance is not None and not accepted:
        messages.info(request, _("Không có tiêu chí nào để chấp nhận."))
    elif acceptance is not None and acceptance.source == ROUND_1:
        text = ngettext(
            "Đã giữ điểm vòng 1 cho %(n)s tiêu chí.",
            "Đã giữ điểm vòng 1 cho %(n)s tiêu chí.",
            len(accepted),
        )
        messages.success(request, text % {"n": len(accepted)})
    elif acceptance is not None:
        text = ngettext(
            "Đã chấp nhận điểm tự chấm của %(n)s tiêu chí.",
            "Đã chấp nhận điểm tự chấm của %(n)s tiêu chí.",
            len(accepted),
        )
        messages.success(request, text % {"n": len(accepted)})
    if typed or acceptance is None:
        messages.success(request, _("Đã lưu điểm thẩm định."))
    if acceptance is not None and acceptance.bulk:
        left = page.left_out(acceptance.bulk)
        if left.get(pages.OVER_CLAIM):
            messages.warning(
                request,
                _(
                    "Chưa chấp nhận %(n)s tiêu chí tự chấm cao hơn điểm tính từ số liệu kê "
                    "khai: hãy chấm riêng (bộ lọc “Tự chấm cao hơn số liệu”)."
                )
                % {"n": left[pages.OVER_CLAIM]},
            )
        if left.get(pages.NO_EVIDENCE):
            messages.warning(
                request,
                _(
                    "Chưa chấp nhận %(n)s tiêu chí tự chấm điểm nhưng không có tài liệu kiểm "
                    "chứng: hãy chấm riêng (bộ lọc “Tự chấm nhưng không có tài liệu”)."
                )
                % {"n": left[pages.NO_EVIDENCE]},
            )


@require_http_methods(["GET", "POST"])
@login_required
def appraise_field(request, year_id: int, unit_code: str, field_code: str | None = None):
    roles = roles_of(request.user)
    assessment = access.get_assessment_for_appraisal(roles, year_id, unit_code)
    scope = access.appraisal_scope(roles, assessment.year, request.user)
    page = selectors.appraisal_page(assessment, field_code, scope)
    if page is None:
        raise Http404
    if field_code is None:
        return redirect(_url(assessment, page.field.code))
    show = request.GET.get("show", "")
    if show not in pages.FILTERS:
        show = ""
    round_no = scope.round_no
    can_edit = scope.may_edit_field(page.field.id)
    rows = page.shown(show)
    data = request.POST if request.method == "POST" else None
    forms = _forms(page, rows, data, round_no)
    conflicts, theirs = {}, {}
    if data is not None:
        if not can_edit:
            raise PermissionDenied  # may read this field, not appraise it (now)
        response = _save(request, assessment, roles, page, forms, data, round_no, show)
        if not isinstance(response, tuple):
            return response
        forms, conflicts, theirs = response
    mine = {code: _mine(forms[code], page.reasons) for code in conflicts if code in forms}
    return render(
        request,
        "scoring/appraisal/field.html",
        {
            "page": page,
            "assessment": assessment,
            "year": assessment.year,
            "rows": [(row, forms.get(row.node.code)) for row in rows],
            "round_no": round_no,
            "correcting": scope.correcting,
            "can_edit": can_edit,
            "show": show,
            "filters": [
                (key, label, page.filter_counts[key])
                for key, label in (
                    (pages.TO_SCORE, _("Chưa chấm")),
                    (pages.NO_EVIDENCE, _("Tự chấm nhưng không có tài liệu")),
                    (pages.OVER_CLAIM, _("Tự chấm cao hơn số liệu")),
                )
            ],
            "bulk": page.bulk_counts,
            "theirs": theirs,
            "mine": mine,
        },
        status=409 if conflicts else 200,
    )


def _save(request, assessment, roles, page, forms, data, round_no, show):
    """Save what the post asks: the typed leaves, and what an accept button takes. Returns a
    redirect, or (forms, conflicts, their values) for the page to show again."""
    codes = {row.node.code for row in page.leaves}
    acceptance = None
    try:
        posted_round = int(data.get("round") or round_no or 0)
    except ValueError:
        posted_round = 0
    if posted_round != (round_no or 0):
        # A page left open across a step of the year: its inputs belong to the other round.
        messages.error(request, wrong_round(round_no))
        return redirect(_url(assessment, page.field.code, show))
    if data.get("accept"):
        try:
            acceptance = read_acceptance(data["accept"], round_no=round_no, codes=codes)
        except ValidationError as exc:
            if exc.code == "bad-request":
                raise BadRequest from exc
            messages.error(request, " ".join(exc.messages))
            return redirect(_url(assessment, page.field.code, show))
    single = acceptance.code if acceptance else ""
    # The leaf whose accept button was pressed takes its accepted score, whatever was typed.
    checked = [form.is_valid() for code, form in forms.items() if form.is_bound and code != single]
    if not all(checked):
        messages.error(request, _("Chưa lưu: hãy sửa các ô báo lỗi bên dưới."))
        return forms, {}, {}
    typed = [form.entry for code, form in forms.items() if form.touched and code != single]
    accepted = _accepted(page, acceptance, forms, data)
    entries = typed + [
        services.AppraisalEntry(
            node_id=row.node.id,
            version=_posted_version(data, row),
            score=None,
            source=acceptance.source,
        )
        for row in accepted
    ]
    anchor = f"leaf-{accepted[0].node.dom_id}" if single else ""
    if acceptance is not None and not entries:
        messages.info(request, _("Không có tiêu chí nào để chấp nhận."))
        return redirect(_url(assessment, page.field.code, show))
    try:
        services.appraise_leaves(
            assessment=assessment,
            roles=roles,
            user=request.user,
            round_no=round_no,
            entries=entries,
        )
    except services.ConflictError as exc:
        conflicts = {c.node.code: c for c in exc.conflicts}
        messages.error(
            request,
            ngettext(
                "Chưa lưu: có người khác vừa thẩm định %(n)s tiêu chí (%(codes)s) sau khi bạn "
                "mở trang. Hãy xem bản của họ bên cạnh bản của bạn, sửa lại nếu cần rồi lưu.",
                "Chưa lưu: có người khác vừa thẩm định %(n)s tiêu chí (%(codes)s) sau khi bạn "
                "mở trang. Hãy xem bản của họ bên cạnh bản của bạn, sửa lại nếu cần rồi lưu.",
                len(conflicts),
            )
            % {"n": len(conflicts), "codes": ", ".join(conflicts)},
        )
        forms = _after_conflict(page, forms, conflicts, data, accepted, acceptance, round_no)
        return forms, conflicts, pages.their_appraisals(conflicts, round_no)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return forms, {}, {}
    _saved_messages(request, acceptance, accepted, typed, page)
    return redirect(_url(assessment, page.field.code, show, anchor))
