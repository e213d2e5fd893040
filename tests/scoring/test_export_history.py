"""Year over year: each unit's index and rank in every published year of a level, as a page
and as a workbook, for every signed-in user, in a fixed number of queries."""

import pytest
from django.urls import reverse

from scoring.demo.synthetic import build_level
from scoring.models import AssessmentYear

from .export_helpers import rows, workbook

pytestmark = pytest.mark.django_db

PAGE = reverse("history", args=["cap-huyen"])
XLSX = reverse("history_xlsx", args=["cap-huyen"])


@pytest.mark.parametrize("who", ["officer_a", "officer_b", "viewer", "appraiser"])
def test_the_history_shows_published_years_only_to_everyone(as_user, request, year_2022, who):
    response = as_user(request.getfixturevalue(who)).get(PAGE)
    assert response.status_code == 200
    history = response.context["history"]
    assert [y.year for y in history.years] == [2022]  # 2023 and 2024 are not published
    assert len(history.rows) == 13
    vu_quang = next(row for row in history.rows if row.unit.code == "vu-quang")
    assert (str(vu_quang.results[0].total.shown_index), vu_quang.results[0].rank) == ("89.30", 12)
    html = response.content.decode()
    assert XLSX in html
    assert reverse("ranking", args=[year_2022.pk]) in html


def test_an_unknown_level_is_not_found(as_user, viewer, db):
    client = as_user(viewer)
    assert client.get(reverse("history", args=["khong-co"])).status_code == 404
    assert client.get(reverse("history_xlsx", args=["khong-co"])).status_code == 404


def test_anonymous_is_sent_to_login(client, db):
    assert client.get(PAGE).status_code == 302
    assert client.get(XLSX).status_code == 302


def test_a_second_published_year_adds_its_columns(as_user, viewer, year_2022, year_2023):
    # Published as a correction would leave it: every unit ranked, Vũ Quang with what it has.
    AssessmentYear.objects.filter(pk=year_2023.pk).update(state="published")
    response = as_user(viewer).get(XLSX)
    assert response.status_code == 200
    assert 'filename="chi-so-qua-cac-nam-cap-huyen.xlsx"' in response["Content-Disposition"]
    values = rows(workbook(response).active)
    assert values[0][0] == "Chỉ số cải cách hành chính qua các năm · Cấp huyện · tỉnh Hà Tĩnh"
    assert values[1][0] == "Các năm đã công bố: 2022, 2023"
    assert values[2] == [
        "Mã đơn vị",
        "Đơn vị",
        "2022 · Chỉ số (%)",
        "2022 · Hạng",
        "2023 · Chỉ số (%)",
        "2023 · Hạng",
        "Ghi chú",  # reorganisations: Lộc Hà's merge into Thạch Hà
    ]
    by_code = {row[0]: row for row in values[3:]}
    assert len(by_code) == 13
    assert by_code["vu-quang"][2:4] == [89.30, 12]
    assert by_code["vu-quang"][4] == pytest.approx(86.35)
    assert by_code["tp-ha-tinh"][4:6] == [92, 4]


def test_the_home_page_links_to_the_history(as_user, viewer, year_2022):
    assert PAGE in as_user(viewer).get(reverse("home")).content.decode()


@pytest.mark.parametrize(("n_units", "published_years"), [(13, 1), (130, 1), (13, 2)])
def test_history_query_count_does_not_grow_with_units_or_years(
    as_user, viewer, django_assert_num_queries, n_units, published_years
):
    _, this_year = build_level(n_units)
    if published_years == 2:
        AssessmentYear.objects.filter(pk=this_year.pk).update(state="published")
    level = this_year.unit_level.code
    client = as_user(viewer)
    # session, user, groups, memberships, the level, its published years, their trees, then
    # for all the years at once: assessments with units, leaf scores, adjustment sums; the
    # units' reorganisations (lineage).
    # + the bell's unread notifications (menu).
    with django_assert_num_queries(12):
        response = client.get(reverse("history", args=[level]))
    assert len(response.context["history"].rows) == n_units
    assert len(response.context["history"].years) == published_years
    # The download asks no role (the menu's context does, on the page): session, user, the
    # report's size (``jobs.year_scores``), then the same 7.
    with django_assert_num_queries(10):
        response = client.get(reverse("history_xlsx", args=[level]))
        assert len(rows(workbook(response).active)) == 3 + n_units
