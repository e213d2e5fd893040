"""Reading the Excel reports back in tests."""

import io

from openpyxl import load_workbook


def content(response) -> bytes:
    """The body of a download (reports are streamed from a temporary file)."""
    return b"".join(response.streaming_content)


def workbook(response):
    return load_workbook(io.BytesIO(content(response)))


def rows(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]
