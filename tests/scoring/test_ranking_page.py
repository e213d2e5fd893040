"""The ranking page: its columns in reading order, the band filter, the reader's own unit, and
the header it prints with."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from scoring.models import Band

pytestmark = pytest.mark.django_db


@pytest.fixture
def bands_2022(year_2022):
    year_2022.bands.all().delete()
    Band.objects.create(year=year_2022, label="Tốt", lower_bound=Decimal("90"))
    Band.objects.create(year=year_2022, label="Khá", lower_bound=Decimal("0"))
    return year_2022


def _url(year, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("ranking", args=[year.pk]) + (f"?{query}" if query else "")


def _headers(html):
    thead = html.split("<thead>", 1)[1].split("</thead>", 1)[0]
    return [
        re.sub(r"<[^>]+>|\s+", " ", th).strip() for th in re.findall(r"<th.*?</th>", thead, re.S)
    ]


def test_columns_read_rank_unit_index_band_change_then_points_then_fields(
    as_user, viewer, bands_2022
):
    html = as_user(viewer).get(_url(bands_2022)).content.decode()
    headers = _headers(html)
    assert headers[:10] == [
        "Hạng",
        "Đơn vị",
        "Chỉ số (%)",
        "Xếp loại",
        "Thay đổi hạng",
        "Tổng điểm",
        "Điểm tối đa áp dụng",
        "Thưởng",
        "Trừ",
        headers[9],
    ]
    assert headers[9].startswith("Điều tra XHH")
    assert headers[10:] and all(h.startswith("LV ") for h in headers[10:])
    # The rank is the default order, and says so.
    assert 'aria-sort="ascending"' in html.split("Đơn vị", 1)[0]
    # Field columns are folded on a phone, shown on paper, and a link unfolds them without JS.
    assert "col-field d-none d-md-table-cell d-print-table-cell" in html
    assert "?fields=1" in html and "Hiện điểm từng lĩnh vực" in html


def test_fields_param_shows_the_field_columns_on_every_screen(as_user, viewer, year_2022):
    html = as_user(viewer).get(_url(year_2022, fields=1)).content.decode()
    assert "col-field d-print-table-cell" in html
    assert "col-field d-none" not in html
    assert "Ẩn điểm từng lĩnh vực" in html


def test_band_filter_keeps_only_that_bands_units(as_user, viewer, bands_2022):
    response = as_user(viewer).get(_url(bands_2022, band="Tốt"))
    rows = response.context["rows"]
    assert rows and len(rows) < len(response.context["ranking"].rows)
    assert {row.band for row in rows} == {"Tốt"}
    html = response.content.decode()
    assert '<option value="Tốt" selected>' in html
    assert "Huyện Vũ Quang" not in html.split("<tbody>", 1)[1]  # 89,30: Khá


def test_unknown_band_shows_every_unit_with_a_message(as_user, viewer, bands_2022):
    response = as_user(viewer).get(_url(bands_2022, band="Xuất sắc"))
    assert len(response.context["rows"]) == len(response.context["ranking"].rows) == 13
    html = response.content.decode()
    assert "Không có xếp loại “Xuất sắc”; đang hiển thị tất cả đơn vị." in html
    assert '<option value="" selected>' not in html  # "Tất cả" is the default, nothing selected


def test_a_unit_officer_sees_their_own_unit_highlighted(as_user, officer_a, year_2022):
    html = as_user(officer_a).get(_url(year_2022)).content.decode()
    own = re.findall(r'<tr class="own-unit" aria-current="true" data-testid="row-([\w-]+)">', html)
    assert own == ["vu-quang"]
    assert html.count("Đơn vị của bạn") == 1


def test_a_viewer_has_no_own_unit(as_user, viewer, year_2022):
    html = as_user(viewer).get(_url(year_2022)).content.decode()
    assert "own-unit" not in html.split("<tbody>", 1)[1]


@pytest.mark.parametrize("page", ["ranking", "scorecard", "history"])
def test_results_pages_print_with_a_header_naming_year_date_and_source(
    as_user, appraiser, year_2022, page
):
    args = {
        "ranking": [year_2022.pk],
        "scorecard": [year_2022.pk, "vu-quang"],
        "history": [year_2022.unit_level.code],
    }[page]
    html = as_user(appraiser).get(reverse(page, args=args)).content.decode()
    header = html.split('data-testid="print-header"', 1)[1].split("</div>", 1)[0]
    assert "d-none d-print-block" in html.split('data-testid="print-header"', 1)[0][-60:]
    assert f"In ngày {timezone.localdate():%d/%m/%Y}" in header
    assert "Nguồn: Chỉ số CCHC Cấp huyện, Sở Nội vụ" in header
    if page != "history":
        assert "năm 2022" in header
        assert year_2022.get_state_display() in header


def test_ranking_loads_its_script_from_a_file(as_user, viewer, year_2022):
    html = as_user(viewer).get(_url(year_2022)).content.decode()
    assert re.search(r'<script src="[^"]*js/ranking\.js"></script>', html)
