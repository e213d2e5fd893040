"""Home, ranking and scorecard pages: who gets what (works / 404 for outsiders / login)."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from scoring.models import Assessment, LeafScore

pytestmark = pytest.mark.django_db  # run before the browser tests flush the database


def ranking_url(year):
    return reverse("ranking", args=[year.pk])


def scorecard_url(year, unit_code):
    return reverse("scorecard", args=[year.pk, unit_code])


# --- anonymous -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["home", "ranking", "scorecard"])
def test_anonymous_is_sent_to_login(client, year_2022, name):
    args = {"home": [], "ranking": [year_2022.pk], "scorecard": [year_2022.pk, "vu-quang"]}[name]
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_login_page_is_vietnamese(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert '<html lang="vi">' in response.content.decode()
    assert "Đăng nhập" in response.content.decode()


def test_login_with_a_wrong_password_says_so_in_vietnamese(client, db):
    response = client.post(reverse("login"), {"username": "xem", "password": "sai"})
    assert response.status_code == 200
    assert "Vui lòng nhập chính xác" in response.content.decode()


# --- ranking ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer_a", "officer_b", "leader_a", "appraiser", "viewer"])
def test_published_ranking_is_open_to_every_signed_in_user(as_user, request, year_2022, who):
    response = as_user(request.getfixturevalue(who)).get(ranking_url(year_2022))
    assert response.status_code == 200
    assert len(response.context["ranking"].rows) == 13
    assert "Tạm tính" not in response.content.decode()


@pytest.mark.parametrize("who", ["officer_a", "leader_a", "viewer"])
def test_unpublished_ranking_does_not_exist_for_units_and_viewers(as_user, request, year_2023, who):
    response = as_user(request.getfixturevalue(who)).get(ranking_url(year_2023))
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["appraiser", "interior_admin"])
def test_unpublished_ranking_is_provisional_for_the_interior_department(
    as_user, request, year_2023, who
):
    response = as_user(request.getfixturevalue(who)).get(ranking_url(year_2023))
    assert response.status_code == 200
    assert "Tạm tính" in response.content.decode()


def test_unknown_year_is_404(as_user, appraiser):
    assert as_user(appraiser).get(reverse("ranking", args=[999999])).status_code == 404


def test_ranking_row_shows_rank_points_index_and_field_columns(as_user, viewer, year_2022):
    response = as_user(viewer).get(ranking_url(year_2022))
    ranking = response.context["ranking"]
    assert [f.code for f in ranking.fields] == [str(n) for n in range(1, 10)]
    assert str(ranking.survey_max) == "20.00"
    vu_quang = next(row for row in ranking.rows if row.unit.code == "vu-quang")
    assert str(vu_quang.result.survey_points) == "19.80"
    assert [str(p) for p in vu_quang.field_points[:2]] == ["8.00", "6.50"]
    assert (vu_quang.rank, str(vu_quang.total.shown_index)) == (12, "89.30")
    assert [r.rank for r in ranking.rows] == list(range(1, 14))
    # Vietnamese number format: a decimal comma.
    html = response.content.decode()
    assert "89,30" in html
    assert "Huyện Vũ Quang" in html


def test_2023_ranking_shows_the_change_since_2022_and_bands(as_user, appraiser, year_2023):
    ranking = as_user(appraiser).get(ranking_url(year_2023)).context["ranking"]
    assert ranking.previous.year == 2022
    ky_anh = next(row for row in ranking.rows if row.unit.code == "ky-anh")
    assert ky_anh.previous_rank == 13
    assert ky_anh.rank_change == 13 - ky_anh.rank
    assert {row.band for row in ranking.rows if row.rank} <= {"A", "B"}


def test_an_english_browser_still_gets_vietnamese(as_user, viewer, year_2022):
    response = as_user(viewer).get(ranking_url(year_2022), HTTP_ACCEPT_LANGUAGE="en-US,en")
    assert '<html lang="vi">' in response.content.decode()
    assert response.headers["Content-Language"] == "vi"


def test_english_ranking_when_the_user_chooses_english(as_user, viewer, year_2022):
    client = as_user(viewer)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(ranking_url(year_2022)).content.decode()
    assert '<html lang="en">' in html
    assert "Ranking" in html


# --- scorecard -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer_a", "leader_a"])
def test_own_unit_sees_self_scores_but_not_the_appraisal_before_publication(
    as_user, request, year_2023, who
):
    # An appraisal under way on one of Vũ Quang's leaves, with a value found nowhere else.
    LeafScore.objects.filter(
        assessment__year=year_2023, assessment__unit__code="vu-quang", node__code="1.3.2"
    ).update(r1_score=Decimal("0.37"))
    response = as_user(request.getfixturevalue(who)).get(scorecard_url(year_2023, "vu-quang"))
    assert response.status_code == 200
    assert (response.context["show_self"], response.context["show_final"]) == (True, False)
    html = response.content.decode()
    assert "0,37" not in html
    assert 'data-testid="summary"' not in html
    assert 'data-testid="total"' not in html
    assert "Điểm thẩm định sẽ hiển thị khi Sở Nội vụ công bố kết quả." in html


@pytest.mark.parametrize("who", ["officer_b", "viewer"])
def test_another_units_unpublished_scorecard_does_not_exist(as_user, request, year_2023, who):
    response = as_user(request.getfixturevalue(who)).get(scorecard_url(year_2023, "vu-quang"))
    assert response.status_code == 404


def test_unknown_unit_is_404(as_user, appraiser, year_2022):
    assert as_user(appraiser).get(scorecard_url(year_2022, "no-such-unit")).status_code == 404


def test_unit_not_assessed_that_year_is_404(as_user, appraiser, year_2022):
    Assessment.objects.filter(year=year_2022, unit__code="loc-ha").delete()
    assert as_user(appraiser).get(scorecard_url(year_2022, "loc-ha")).status_code == 404


def test_published_scorecard_of_another_unit_hides_its_self_scores(as_user, officer_b, year_2022):
    response = as_user(officer_b).get(scorecard_url(year_2022, "vu-quang"))
    assert response.status_code == 200
    assert (response.context["show_self"], response.context["show_final"]) == (False, True)


def test_appraiser_sees_every_layer(as_user, appraiser, year_2023):
    response = as_user(appraiser).get(scorecard_url(year_2023, "tp-ha-tinh"))
    assert (response.context["show_self"], response.context["show_final"]) == (True, True)
    card = response.context["card"]
    na = [line for line in card.lines if line.not_applicable]
    assert [line.node.code for line in na] == ["3.3", "3.3.1"]
    assert str(card.total.applicable_max) == "97.50"


def test_vu_quang_2022_scorecard_tells_its_report(as_user, officer_a, year_2022):
    response = as_user(officer_a).get(scorecard_url(year_2022, "vu-quang"))
    html = response.content.decode()
    summary = html[html.index('data-testid="summary"') :][:3000]
    assert "89,30/100" in summary
    assert "xếp thứ 12/13" in summary
    for lost in ("1.5.1.", "4.1.2.", "6.2.1.", "9.1.1."):
        assert lost in summary
    assert "kỷ luật" in summary


def test_scorecard_tree_shows_max_self_final_and_lost(as_user, officer_a, year_2022):
    card = as_user(officer_a).get(scorecard_url(year_2022, "vu-quang")).context["card"]
    line = next(line for line in card.lines if line.node.code == "6.2.1")
    assert (str(line.max_points), str(line.self_points), str(line.final_points)) == (
        "2.50",
        "0.50",
        "0.50",
    )
    assert str(line.lost) == "2.00"
    field_1 = next(line for line in card.lines if line.node.code == "1")
    assert (str(field_1.final.points), str(field_1.lost)) == ("8.00", "2.00")


# --- home ------------------------------------------------------------------------------------


def test_home_sends_unit_staff_to_their_unit(as_user, officer_a, year_2024):
    html = as_user(officer_a).get(reverse("home")).content.decode()
    assert "Đơn vị của bạn" in html
    assert scorecard_url(year_2024, "vu-quang") in html
    assert scorecard_url(year_2024, "tx-hong-linh") not in html


def test_home_lists_every_year_for_the_interior_department(as_user, appraiser, year_2023):
    html = as_user(appraiser).get(reverse("home")).content.decode()
    assert ranking_url(year_2023) in html
    assert "Đơn vị của bạn" not in html


def test_home_lists_only_published_rankings_for_viewers(as_user, viewer, year_2022, year_2023):
    html = as_user(viewer).get(reverse("home")).content.decode()
    assert ranking_url(year_2022) in html
    assert ranking_url(year_2023) not in html


# --- the rest of the access matrix -----------------------------------------------------------


@pytest.fixture
def nobody(db):
    """Signed in, but in no group and no unit."""
    return User.objects.create_user("khach", password="x")


def test_a_user_without_a_role_reads_published_results_only(as_user, nobody, year_2022, year_2023):
    client = as_user(nobody)
    assert client.get(ranking_url(year_2022)).status_code == 200
    assert client.get(scorecard_url(year_2022, "vu-quang")).status_code == 200
    assert client.get(ranking_url(year_2023)).status_code == 404
    assert client.get(scorecard_url(year_2023, "vu-quang")).status_code == 404


@pytest.mark.parametrize("who", ["officer_a", "leader_a", "officer_b"])
def test_unit_staff_get_no_ranking_of_the_open_year(as_user, request, year_2024, who):
    response = as_user(request.getfixturevalue(who)).get(ranking_url(year_2024))
    assert response.status_code == 404


def test_an_officer_cannot_open_another_units_open_year(as_user, officer_a, year_2024):
    assert as_user(officer_a).get(scorecard_url(year_2024, "tp-ha-tinh")).status_code == 404


@pytest.mark.parametrize("name", ["home", "ranking", "scorecard"])
def test_the_pages_only_read(as_user, appraiser, year_2022, name):
    args = {"home": [], "ranking": [year_2022.pk], "scorecard": [year_2022.pk, "vu-quang"]}[name]
    assert as_user(appraiser).post(reverse(name, args=args)).status_code == 405


def test_not_found_page_is_vietnamese_and_leads_home(as_user, officer_a, year_2023):
    response = as_user(officer_a).get(scorecard_url(year_2023, "tp-ha-tinh"))
    html = response.content.decode()
    assert response.status_code == 404
    assert "Không tìm thấy trang" in html
    assert f'href="{reverse("home")}"' in html


def test_home_query_count_is_fixed(as_user, officer_a, django_assert_num_queries):
    client = as_user(officer_a)
    # session, user, groups, memberships, published years, the user's units, their assessments;
    # the to-do list: the framework's leaves, the leaf rows of the open assessments; the bell's
    # unread notifications (menu)
    with django_assert_num_queries(10):
        assert client.get(reverse("home")).status_code == 200
