"""The ranking as an Excel report: same access as the page, numbers as numbers, text never a
formula, the user's language."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from units.models import Unit

pytestmark = pytest.mark.django_db


def workbook(response):
    return load_workbook(io.BytesIO(response.content))


def rows(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


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
