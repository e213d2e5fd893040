"""A unit's bonus and deduction ledger, kept by the Interior Department."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from units.roles import roles_of

from .. import access, selectors, services
from ..forms.ledger import AdjustmentForm, RemoveForm
from ..selectors.ledger import cap_usage, kind_effect

# A page that did not send the ledger's version: never the current one, so refused as stale.
UNKNOWN_VERSION = -1


def _stale(request) -> None:
    messages.error(
        request,
        _(
            "Chưa lưu: người khác vừa thay đổi sổ điểm thưởng, điểm trừ của đơn vị này. Đây là "
            "sổ hiện tại; hãy xem lại trước khi thêm hoặc xóa."
        ),
    )


def _version(data) -> int:
    return data["version"] if data.get("version") is not None else UNKNOWN_VERSION


@require_http_methods(["GET", "POST"])
@login_required
def ledger(request, year_id: int, unit_code: str):
    roles = roles_of(request.user)
    is_post = request.method == "POST"
    get_assessment = (
        access.get_rw_assessment_for_ledger if is_post else access.get_assessment_for_ledger
    )
    assessment = get_assessment(roles, year_id, unit_code)
    form = AdjustmentForm(
        request.POST if is_post else None,
        request.FILES if is_post else None,
        initial={"version": assessment.ledger_version},
    )
    status = 200
    if is_post and form.is_valid():
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
                version=_version(data),
            )
        except services.ConflictError as exc:
            _stale(request)
            # The user's input stays, now over the ledger as it is: adding it again is a
            # choice made while seeing the other admin's change.
            current = exc.conflicts[0].theirs.ledger_version
            assessment.ledger_version = current
            form = AdjustmentForm(
                dict(request.POST.items(), version=str(current)),
                initial={"version": current},
            )
            status = 409
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
    entries = selectors.ledger_entries(assessment)
    return render(
        request,
        "scoring/manage/ledger.html",
        {
            "assessment": assessment,
            "year": assessment.year,
            "entries": [(entry, kind_effect(entry.kind)) for entry in entries],
            "usage": cap_usage(assessment.year, entries),
            "form": form,
            "can_edit": access.can_edit_ledger(roles, assessment.year),
            "why_not": access.why_not_edit_ledger(roles, assessment.year),
        },
        status=status,
    )


@require_POST
@login_required
def ledger_remove(request, year_id: int, unit_code: str, entry_id: int):
    roles = roles_of(request.user)
    assessment = access.get_rw_assessment_for_ledger(roles, year_id, unit_code)
    entry = access.get_ledger_entry(assessment, entry_id)
    form = RemoveForm(request.POST)
    form.is_valid()  # a missing or broken version counts as a stale page
    try:
        services.remove_adjustment(
            adjustment=entry,
            roles=roles,
            user=request.user,
            version=_version(form.cleaned_data),
        )
    except services.ConflictError:
        _stale(request)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Đã xóa khỏi sổ."))
    return redirect(reverse("ledger", args=[year_id, unit_code]))


@require_GET
@never_cache  # private documents stay out of shared caches
@login_required
def ledger_document(request, year_id: int, unit_code: str, entry_id: int):
    assessment = access.get_assessment_for_ledger(roles_of(request.user), year_id, unit_code)
    entry = access.get_ledger_entry(assessment, entry_id)
    if not entry.document:
        raise Http404
    try:
        stream = entry.document.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(stream, as_attachment=True, filename=entry.document.name.rsplit("/", 1)[-1])
