"""The ranking page: its columns in reading order, the band filter, the reader's own unit, and
the header it prints with."""

import base64
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from scoring.models import AssessmentYear, Band
from scoring.selectors import year_ranking
from scoring.templatetags.charts import ranking_charts

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
    table = html.split("<table", 1)[1].split("</table>", 1)[0]
    assert table.count("Đơn vị của bạn") == 1


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


# --- The charts -------------------------------------------------------------------------------


def _figures(html):
    """Each chart's (testid, alt, caption, decoded SVG root)."""
    figures = []
    for testid, body in re.findall(
        r'<figure class="chart" data-testid="([\w-]+)">(.*?)</figure>', html, re.S
    ):
        src = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', body).group(1)
        alt = unescape(re.search(r'alt="([^"]*)"', body).group(1))
        caption = re.sub(
            r"<[^>]+>", "", re.search(r"<figcaption.*?</figcaption>", body, re.S).group(0)
        )
        figures.append(
            (testid, alt, unescape(caption).strip(), ET.fromstring(base64.b64decode(src)))
        )
    return figures


def test_the_ranking_shows_its_bars_and_distribution_with_alt_text_and_captions(
    as_user, officer_a, bands_2022
):
    html = as_user(officer_a).get(_url(bands_2022)).content.decode()
    figures = _figures(html)
    assert [f[0] for f in figures] == ["chart-bars", "chart-distribution"]
    (_, bars_alt, bars_caption, bars_svg), (_, dist_alt, dist_caption, dist_svg) = figures
    assert bars_svg.tag.endswith("svg") and dist_svg.tag.endswith("svg")
    # the demo's 2022: TP Hà Tĩnh leads with 94,12; Vũ Quang 89,30 (rank 12)
    assert "Biểu đồ thanh chỉ số CCHC của 13 đơn vị: cao nhất Thành phố Hà Tĩnh (94,12)" in bars_alt
    assert "Đơn vị của bạn: Huyện Vũ Quang (89,30)." in bars_alt
    assert bars_caption.startswith("Chỉ số CCHC năm 2022 của từng đơn vị · ")
    ranked = [row for row in year_ranking(bands_2022).rows if row.rank]
    good = sum(1 for row in ranked if row.total.shown_index >= 90)
    assert f"Số đơn vị theo xếp loại: Tốt {good}, Khá {len(ranked) - good}." in dist_alt
    assert dist_caption.startswith("Số đơn vị theo khoảng chỉ số năm 2022 · ")
    # each figure points at the table holding the same figures
    assert 'id="ranking-table"' in html and html.count('href="#ranking-table"') == 2
    assert 'href="#charts"' in html and 'id="charts"' in html


def test_the_charts_show_the_whole_ranking_when_the_table_is_filtered(as_user, viewer, bands_2022):
    html = as_user(viewer).get(_url(bands_2022, band="Tốt")).content.decode()
    bars_alt = _figures(html)[0][1]
    assert "13 đơn vị" in bars_alt
    assert "Đơn vị của bạn" not in bars_alt  # a viewer has no unit


def test_building_the_charts_costs_no_query(django_assert_num_queries, year_2022):
    year = AssessmentYear.objects.select_related("unit_level", "framework").get(pk=year_2022.pk)
    ranking = year_ranking(year)
    with django_assert_num_queries(0):
        charts = ranking_charts(ranking, frozenset())
        charts.bars.svg_data_uri()
        charts.distribution.svg_data_uri()


def test_a_unit_without_a_rank_has_no_bar_value(year_2022):
    year = AssessmentYear.objects.select_related("unit_level", "framework").get(pk=year_2022.pk)
    ranking = year_ranking(year)
    ranking.rows[0].result.rank = None  # as if a leaf were left unscored in a provisional year
    name = ranking.rows[0].unit.name
    charts = ranking_charts(ranking, {ranking.rows[0].unit.id})
    assert "12 đơn vị" in charts.bars.alt
    assert f"Đơn vị của bạn: {name} (—)." in charts.bars.alt
    assert "12 đơn vị" in charts.distribution.alt


def test_an_empty_year_shows_no_chart(as_user, appraiser, year_2022):
    year_2022.assessments.all().delete()
    html = as_user(appraiser).get(_url(year_2022)).content.decode()
    assert "Kỳ đánh giá chưa có đơn vị nào." in html
    assert "<figure" not in html and 'href="#charts"' not in html


INTERIOR_LINKS = ["year_gaps", "year_overclaim", "year_report_docx"]


@pytest.mark.parametrize("who", ["appraiser", "interior_admin"])
def test_interior_staff_find_the_year_report_the_gaps_and_the_overclaims(
    request, as_user, who, year_2022
):
    html = as_user(request.getfixturevalue(who)).get(_url(year_2022)).content.decode()
    links = html.split('data-testid="year-insight-links"', 1)[1].split("</div>", 1)[0]
    for name in INTERIOR_LINKS:
        assert f'href="{reverse(name, args=[year_2022.pk])}"' in links


@pytest.mark.parametrize("who", ["officer_a", "leader_a", "viewer"])
def test_other_readers_find_the_year_report_and_the_gaps_but_not_the_overclaims(
    request, as_user, who, year_2022
):
    html = as_user(request.getfixturevalue(who)).get(_url(year_2022)).content.decode()
    links = html.split('data-testid="year-insight-links"', 1)[1].split("</div>", 1)[0]
    for name in ("year_report_docx", "year_gaps"):
        assert f'href="{reverse(name, args=[year_2022.pk])}"' in links
    assert reverse("year_overclaim", args=[year_2022.pk]) not in html
