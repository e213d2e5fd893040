"""The one flow every Excel import page follows: upload → preview (or every problem) → apply.

A page view checks access, builds its importer and calls ``import_page``; nothing here knows
what is imported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.security import log_event

from .. import audit
from ..importers import Importer, ImportFailed, Problem, staging
from ..importers.base import read_plan
from ..services import jobs

MAX_BYTES = 20 * 1024 * 1024  # a results matrix of a few thousand units fits easily


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp Excel (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise ValidationError(_("Tệp quá lớn (tối đa %(mb)s MB).") % {"mb": MAX_BYTES // 2**20})
        return upload


@dataclass(frozen=True)
class ImportPage:
    """What an import page shows around the shared flow."""

    title: str
    intro: str
    back_url: str  # where "cancel" and a successful apply go
    template_url: str = ""  # the blank (or pre-filled) template to download
    columns_help: list[tuple[str, str]] | None = None  # (column, what to put there)


def import_page(
    request,
    *,
    page: ImportPage,
    importer: Callable[[], Importer],
    scope: str,
    template_name: str = "scoring/imports/import.html",
    extra_context: dict | None = None,
):
    """GET: the upload form. POST a file: its preview, or every problem found. POST "apply"
    with the staged token: read again (things may have changed since the preview) and apply,
    all or nothing."""
    form = ImportForm()
    context = {"page": page, "form": form, "problems": None, "plan": None, "token": ""}
    context.update(extra_context or {})
    if request.method == "POST" and "token" in request.POST:
        token = request.POST["token"]
        if "cancel" in request.POST:
            staging.discard(request, token)
            return redirect(page.back_url)
        content = staging.take(request, token, scope)
        name = staging.name_of(request, token)
        if content is None:
            staging.discard(request, token)
            messages.error(request, _("Tệp đã hết hạn hoặc đã được nhập; hãy tải lên lại."))
            return redirect(request.path)
        kind = jobs.import_kind(scope)
        if kind is not None and jobs.import_is_large(staging.size_of(request, token)):
            # A large import is applied by a background job, on its page (progress, then the
            # outcome); the session gives the file up, so it cannot be applied twice.
            staging.hand_over(request, token)
            job = jobs.start_job(
                owner=request.user,
                kind=kind,
                parameters={
                    "id": int(scope.split(":", 1)[1]),
                    "token": token,
                    "name": name,
                    "back_url": page.back_url,
                },
            )
            log_event("import_queued", request, scope=scope, job=job.pk)
            return redirect("job", job.pk)
        # Whatever happens now, this upload is spent: a refused one is fixed and uploaded again.
        staging.discard(request, token)
        try:
            # Everything the import changes is logged as coming from this file.
            with (
                audit.origin(audit.Path.IMPORT, audit.file_source(name, content)),
                transaction.atomic(),
            ):
                worker = importer()
                done = worker.apply(read_plan(worker, content))
        except ImportFailed as exc:
            context["problems"] = exc.problems
        except (ValidationError, PermissionDenied) as exc:
            context["problems"] = [Problem(message=m) for m in _messages_of(exc)]
        else:
            log_event("import_applied", request, scope=scope, file=audit.file_source(name, content))
            messages.success(request, done)
            return redirect(page.back_url)
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read()
            try:
                plan = read_plan(importer(), content)
            except ImportFailed as exc:
                context["problems"] = exc.problems
            except (ValidationError, PermissionDenied) as exc:
                context["problems"] = [Problem(message=m) for m in _messages_of(exc)]
            else:
                context["plan"] = plan
                context["token"] = staging.stage(
                    request, content, scope, upload.name, size=len(plan.changes)
                )
    status = 422 if context["problems"] else 200
    return render(request, template_name, context, status=status)


def _messages_of(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return exc.messages
    return [str(exc) or _("Bạn không có quyền thực hiện việc này.")]
