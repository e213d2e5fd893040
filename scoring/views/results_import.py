"""STUB: to be written (Excel imports, issue 5)."""

from django.http import Http404
from django.urls import path

YEAR = "years/<int:year_id>/"
ENTRY = "years/<int:year_id>/units/<slug:unit_code>/self-assessment/"


def results_template(request, **kwargs):
    raise Http404


def results_import(request, **kwargs):
    raise Http404


urlpatterns = [
    path(YEAR + "results/template.xlsx", results_template, name="results_template"),
    path(YEAR + "results/import/", results_import, name="results_import"),
]
