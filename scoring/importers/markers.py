"""Which assessment a downloaded template was made for, kept in the workbook itself.

A template carries a hidden custom document property naming its unit and year (or its year
only); an upload of another unit's or year's template is then refused instead of being read
into this one. A workbook without the property (a sheet people built themselves) is read.
"""

from __future__ import annotations

from openpyxl.packaging.custom import StringProperty

from .base import ImportFailed, Problem

NAME = "cchc-template"


def write_marker(workbook, value: str) -> None:
    workbook.custom_doc_props.append(StringProperty(name=NAME, value=value))


def check_marker(workbook, expected: str, refusal: str) -> None:
    """``ImportFailed`` with ``refusal`` when the workbook is a template made for something
    other than ``expected``."""
    marker = next((p.value for p in workbook.custom_doc_props if p.name == NAME), None)
    if marker is not None and marker != expected:
        raise ImportFailed([Problem(message=refusal)])
