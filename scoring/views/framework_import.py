"""STUB: to be written (Excel imports, issue 5)."""

from django.http import Http404
from django.urls import path

YEAR = "years/<int:year_id>/"
ENTRY = "years/<int:year_id>/units/<slug:unit_code>/self-assessment/"


def framework_template(request, **kwargs):
    raise Http404


def framework_import(request, **kwargs):
    raise Http404


def framework_copy(request, **kwargs):
    raise Http404


urlpatterns = [
    path(YEAR + "framework/template.xlsx", framework_template, name="framework_template"),
    path(YEAR + "framework/import/", framework_import, name="framework_import"),
    path(YEAR + "framework/copy-last-year/", framework_copy, name="framework_copy"),
]
