"""A year's framework from the Excel template, or copied from last year (Interior admin)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from units.roles import roles_of

from .. import access
from ..importers import framework as framework_importer
from ..services.frameworks import (
    copy_previous_framework,
    framework_change_refusal,
    nearest_earlier_year,
)
from .exports import serve_file
from .importing import ImportPage, import_page

YEAR = "years/<int:year_id>/"


@require_GET
@login_required
def framework_template(request, year_id: int):
    """The template, pre-filled with the year's framework (any state: a published year's
    framework is a fine start for next year's)."""
    year = access.get_year_for_admin(roles_of(request.user), year_id)
    return serve_file(framework_importer.framework_template(year))


@require_http_methods(["GET", "POST"])
@login_required
def framework_import(request, year_id: int):
    roles = roles_of(request.user)
    year = access.get_year_for_admin(roles, year_id)
    if refusal := framework_change_refusal(year):
        messages.error(request, refusal)
        return redirect(reverse("year_state", args=[year.pk]))
    page = ImportPage(
        title=_("Bộ chỉ số năm %(year)s · %(level)s")
        % {"year": year.year, "level": year.unit_level.name},
        intro=_(
            "Tải mẫu (đã điền sẵn bộ chỉ số hiện tại của năm), sửa, rồi tải lên: các dòng và "
            "các tổng điểm được kiểm tra, và bạn xem trước những gì thay đổi trước khi ghi. Bộ "
            "chỉ số mới thay hẳn bộ chỉ số hiện tại của năm."
        ),
        back_url=reverse("year_state", args=[year.pk]),
        template_url=reverse("framework_template", args=[year.pk]),
        columns_help=framework_importer.columns_help(),
    )
    return import_page(
        request,
        page=page,
        importer=lambda: framework_importer.FrameworkImporter(roles=roles, year=year),
        scope=f"framework:{year.pk}",
        # The shared page, plus the button that copies last year's framework.
        template_name="scoring/imports/framework.html",
        extra_context={"year": year, "previous": nearest_earlier_year(year)},
    )


@require_POST
@login_required
def framework_copy(request, year_id: int):
    roles = roles_of(request.user)
    year = access.get_year_for_admin(roles, year_id)
    source = nearest_earlier_year(year)
    try:
        copy_previous_framework(roles=roles, year=year, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Đã chép bộ chỉ số năm %(source)s sang năm %(year)s.")
            % {"source": source.year, "year": year.year},
        )
    return redirect(reverse("framework_import", args=[year.pk]))


urlpatterns = [
    path(YEAR + "framework/template.xlsx", framework_template, name="framework_template"),
    path(YEAR + "framework/import/", framework_import, name="framework_import"),
    path(YEAR + "framework/copy-last-year/", framework_copy, name="framework_copy"),
]
