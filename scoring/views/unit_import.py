"""STUB: to be written (Excel imports, issue 5)."""

from django.http import Http404
from django.urls import path

YEAR = "years/<int:year_id>/"
ENTRY = "years/<int:year_id>/units/<slug:unit_code>/self-assessment/"


def entry_template(request, **kwargs):
    raise Http404


def entry_import(request, **kwargs):
    raise Http404


def survey_template(request, **kwargs):
    raise Http404


def survey_import(request, **kwargs):
    raise Http404


urlpatterns = [
    path(ENTRY + "template.xlsx", entry_template, name="entry_template"),
    path(ENTRY + "import/", entry_import, name="entry_import"),
    path(YEAR + "survey/template.xlsx", survey_template, name="survey_template"),
    path(YEAR + "survey/import/", survey_import, name="survey_import"),
]
