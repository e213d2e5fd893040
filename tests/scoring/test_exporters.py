"""The exporters' contract (registry, write/render, served from a temporary file) and the
ranking as an Excel report: same access as the page, numbers as numbers, text never a formula,
the user's language."""

import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from scoring.exporters import (
    EXPORTERS,
    AuditLogExporter,
    HistoryExporter,
    MatrixExporter,
    RankingExporter,
    ScorecardExporter,
)
from scoring.exporters.base import XLSX
from scoring.exporters.word import UnitReportExporter, YearReportExporter
from units.models import Unit

from .export_helpers import rows, workbook

pytestmark = pytest.mark.django_db


def test_every_report_is_registered_by_its_identifier():
    registered = {
        "ranking": RankingExporter,
        "matrix": MatrixExporter,
        "scorecard": ScorecardExporter,
        "history": HistoryExporter,
        "audit_log": AuditLogExporter,
        "unit_report": UnitReportExporter,
        "year_report": YearReportExporter,
    }
    assert dict(EXPORTERS) == registered
    assert {cls.scope for cls in EXPORTERS.values()} == {"year", "unit", "level"}


def test_render_is_the_file_write_produces(year_2022):
    exporter = MatrixExporter(year=year_2022)
    buffer = io.BytesIO()
    exporter.write(buffer)
    export = exporter.render()
    assert (export.filename, export.content_type) == ("ma-tran-diem-2022-cap-huyen.xlsx", XLSX)
    first, second = (
        rows(load_workbook(io.BytesIO(data))["Ma trận điểm"])
        for data in (buffer.getvalue(), export.content)
    )
    assert first == second
    assert len(first) == 3 + 13


def test_downloads_are_attachments_no_shared_cache_keeps(as_user, viewer, year_2022):
    response = as_user(viewer).get(reverse("ranking_xlsx", args=[year_2022.pk]))
    assert response.streaming  # from a temporary file, not a bytes string in memory
    assert response["Content-Disposition"].startswith("attachment;")
    assert set(response["Cache-Control"].replace(" ", "").split(",")) == {"private", "no-store"}
    assert int(response["Content-Length"]) > 1000


def test_the_published_ranking_downloads_as_a_report(as_user, viewer, year_2022):
    response = as_user(viewer).get(reverse("ranking_xlsx", args=[year_2022.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="xep-hang-2022-cap-huyen.xlsx"' in response["Content-Disposition"]
    sheet = workbook(response).active
    values = rows(sheet)
    assert values[0][0].startswith("Chỉ số cải cách hành chính năm 2022")
    assert values[1][0] == "Công bố ngày 10/02/2023"
    assert values[2][:2] == ["Hạng", "Đơn vị"]
    assert len(values) == 3 + 13
    vu_quang = next(row for row in values[3:] if row[1] == "Huyện Vũ Quang")
    assert vu_quang[0] == 12
    header = values[2]
    assert vu_quang[header.index("Tổng điểm")] == pytest.approx(89.30)
    assert vu_quang[header.index("Chỉ số (%)")] == pytest.approx(89.30)
    index_cell = sheet.cell(row=4, column=header.index("Chỉ số (%)") + 1)
    assert index_cell.number_format == "0.00"
    assert sheet.freeze_panes == "A4"
    assert sheet.page_setup.orientation == "landscape"


def test_an_unpublished_ranking_downloads_only_for_the_interior_department(
    as_user, viewer, officer_a, appraiser, year_2023
):
    url = reverse("ranking_xlsx", args=[year_2023.pk])
    assert as_user(viewer).get(url).status_code == 404
    assert as_user(officer_a).get(url).status_code == 404
    response = as_user(appraiser).get(url)
    assert rows(workbook(response).active)[1][0] == "Tạm tính, chưa công bố"


def test_anonymous_is_sent_to_login(client, year_2022):
    assert client.get(reverse("ranking_xlsx", args=[year_2022.pk])).status_code == 302


def test_text_that_looks_like_a_formula_stays_text(as_user, viewer, year_2022):
    Unit.objects.filter(code="vu-quang").update(name='=HYPERLINK("http://x","Vũ Quang")')
    sheet = workbook(as_user(viewer).get(reverse("ranking_xlsx", args=[year_2022.pk]))).active
    cells = [row[1] for row in sheet.iter_rows(min_row=4)]
    cell = next(c for c in cells if str(c.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s"


def test_the_report_follows_the_users_language(as_user, viewer, year_2022):
    client = as_user(viewer)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    values = rows(workbook(client.get(reverse("ranking_xlsx", args=[year_2022.pk]))).active)
    assert values[2][:2] == ["Rank", "Unit"]
    assert values[1][0] == "Published on 10/02/2023"


@pytest.mark.parametrize("identifier", ["ranking", "matrix"])
def test_year_reports_are_written_in_the_active_language(year_2022, identifier):
    with translation.override("en"):
        book = load_workbook(io.BytesIO(EXPORTERS[identifier](year=year_2022).render().content))
    header = rows(book.worksheets[0])[2]
    # Strings the catalog already translates come out in English...
    assert "Total score" in header
    assert "Applicable maximum" in header
    assert "Index (%)" in header
    assert "Tổng điểm" not in header
