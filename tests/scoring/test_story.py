"""The year's story: a unit's (scorecard page, Excel) and a level's, in the province's register."""

from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import translation

from scoring.analysis.lost import DEDUCTION, LEAF, LostItem
from scoring.analysis.story import UnitIndex, story_items, unit_story, year_story
from scoring.models import LeafScore

from .export_helpers import rows, workbook

MEMBERS = "huyện, thị xã, thành phố"

VU_QUANG_2022 = (
    "Năm 2022, Chỉ số CCHC của huyện Vũ Quang đạt 89,30/100 điểm, xếp thứ 12/13 huyện, thị "
    "xã, thành phố. Các tiêu chí bị trừ điểm: không có từ 5–10 dự án được chấp thuận đầu tư "
    "với vốn 100–200 tỷ đồng; không có sáng kiến, mô hình CCHC được công nhận cấp tỉnh; số "
    "lượng lãnh đạo cấp phó tại các phòng chưa đúng quy định; tỷ lệ đóng góp của doanh "
    "nghiệp, hợp tác xã vào thu ngân sách huyện còn thấp; có CBCC bị kiểm điểm, xem xét xử "
    "lý kỷ luật."
)


def item(phrase, lost, *, code="1.1", kind=LEAF, survey=False):
    return LostItem(
        kind=kind,
        code=code if kind == LEAF else "",
        title=phrase,
        phrase=phrase,
        field_code=code.split(".")[0] if kind == LEAF else "",
        max_points=None,
        points=None,
        lost=D(lost),
        reason="",
        is_survey=survey,
    )


# Vũ Quang's 2022 losses, deliberately out of order, with the survey's.
VU_QUANG_LOST = [
    item("không có sáng kiến, mô hình CCHC được công nhận cấp tỉnh", "2", code="1.5.1"),
    item("khảo sát sự hài lòng", "0.15", code="10.1", survey=True),
    item("số lượng lãnh đạo cấp phó tại các phòng chưa đúng quy định", "2", code="4.1.2"),
    item("có CBCC bị kiểm điểm, xem xét xử lý kỷ luật", "0.5", kind=DEDUCTION),
    item(
        "tỷ lệ đóng góp của doanh nghiệp, hợp tác xã vào thu ngân sách huyện còn thấp",
        "2",
        code="6.2.1",
    ),
    item(
        "không có từ 5–10 dự án được chấp thuận đầu tư với vốn 100–200 tỷ đồng", "4", code="9.1.1"
    ),
]


def story(**changes):
    values = {
        "year": 2022,
        "unit_name": "Huyện Vũ Quang",
        "members_phrase": MEMBERS,
        "shown_index": D("89.30"),
        "rank": 12,
        "ranked_units": 13,
        "lost": VU_QUANG_LOST,
        "provisional": False,
    }
    return unit_story(**{**values, **changes})


# --- the unit's story, pure -------------------------------------------------------------------


def test_vu_quang_2022_reads_as_its_report():
    assert story() == VU_QUANG_2022


def test_items_by_points_lost_survey_left_out_ties_in_given_order():
    assert [i.code or "deduction" for i in story_items(VU_QUANG_LOST)] == [
        "9.1.1",
        "1.5.1",
        "4.1.2",
        "6.2.1",
        "deduction",
    ]


def test_provisional():
    assert story(provisional=True).startswith(
        "Năm 2022, Chỉ số CCHC của huyện Vũ Quang đạt 89,30/100 điểm (tạm tính), xếp thứ 12/13 "
        "huyện, thị xã, thành phố. Các tiêu chí"
    )
    assert story(provisional=True, rank=None).startswith(
        "Năm 2022, Chỉ số CCHC của huyện Vũ Quang đạt 89,30/100 điểm (tạm tính). Các"
    )


def test_without_a_rank():
    text = story(rank=None)
    assert text.startswith("Năm 2022, Chỉ số CCHC của huyện Vũ Quang đạt 89,30/100 điểm. Các")
    assert "xếp thứ" not in text
    assert "xếp thứ" not in story(ranked_units=0)


def test_nothing_lost_and_only_the_survey_lost():
    expected = (
        "Năm 2022, Chỉ số CCHC của thành phố Hà Tĩnh đạt 100,00/100 điểm, xếp thứ 1/13 huyện, "
        "thị xã, thành phố. Đơn vị không bị trừ điểm ở tiêu chí nào."
    )
    values = {"unit_name": "Thành phố Hà Tĩnh", "shown_index": D("100"), "rank": 1}
    assert story(lost=[], **values) == expected
    assert story(lost=[item("khảo sát", "0.8", survey=True)], **values) == expected


def test_one_lost_item():
    text = story(lost=[item("có văn bản bị yêu cầu sửa đổi.", "0.25", code="2.2.3")])
    assert text.endswith(
        "thành phố. Tiêu chí bị trừ điểm: có văn bản bị yêu cầu sửa đổi."
    )  # one full stop: the wording's own is dropped


def test_unscored_leaves_leave_the_index_unsaid():
    text = story(unscored=3, rank=None, shown_index=D("70.12"))
    assert text.startswith(
        "Năm 2022, huyện Vũ Quang còn 3 tiêu chí chưa có điểm thẩm định; Chỉ số CCHC chưa xác "
        "định. Các tiêu chí bị trừ điểm đến nay: không có từ 5–10 dự án"
    )
    assert "70,12" not in text
    assert story(unscored=1, lost=[]).endswith("Đến nay đơn vị chưa bị trừ điểm ở tiêu chí nào.")


def test_nothing_applicable():
    assert story(shown_index=None, rank=None) == (
        "Năm 2022, huyện Vũ Quang không có tiêu chí nào được áp dụng; Chỉ số CCHC không xác định."
    )


def test_the_levels_name_comes_from_data():
    assert "xếp thứ 12/13 đơn vị." in story(members_phrase="  ")
    assert "xếp thứ 12/13 xã, phường." in story(members_phrase="xã,  phường")
    assert "của Sở Tư pháp đạt" in story(unit_name="Sở Tư pháp")


def test_numbers_follow_the_language():
    with translation.override("en"):
        assert "89.30/100" in story()
    assert "89,30/100" in story(shown_index=D("89.3"))
    assert "xếp thứ 1/70" in story(rank=1, ranked_units=70)


# --- the level's story -------------------------------------------------------------------------


def test_year_story():
    units = [
        UnitIndex("Thành phố Hà Tĩnh", D("94.12"), 1),
        UnitIndex("Huyện Vũ Quang", D("89.30"), 2),
        UnitIndex("Huyện Kỳ Anh", D("88.64"), 3),
        UnitIndex("Huyện Lộc Hà", None, None),
    ]
    assert year_story(
        year=2022, members_phrase=MEMBERS, units=units, provisional=False, bands=[("A", 1)]
    ) == (
        "Năm 2022, 4 huyện, thị xã, thành phố được đánh giá; Chỉ số CCHC bình quân đạt "
        "90,69/100 điểm. Dẫn đầu là thành phố Hà Tĩnh (94,12 điểm); thấp nhất là huyện Kỳ Anh "
        "(88,64 điểm). Theo xếp loại: A: 1."
    )


def test_year_story_ties_provisional_and_empty():
    tied = [UnitIndex("Huyện A", D("90"), 1), UnitIndex("Huyện B", D("90"), 1)]
    text = year_story(year=2023, members_phrase="", units=tied, provisional=True)
    assert text == (
        "Năm 2023, 2 đơn vị được đánh giá; Chỉ số CCHC bình quân đạt 90,00/100 điểm. Kết quả "
        "tạm tính, chưa công bố. Dẫn đầu là huyện A, huyện B (90,00 điểm); thấp nhất là huyện "
        "A, huyện B (90,00 điểm)."
    )
    assert year_story(year=2023, members_phrase="", units=[], provisional=True) == (
        "Năm 2023, chưa có đơn vị nào có Chỉ số CCHC."
    )


# --- on the scorecard page and in its workbook ---------------------------------------------------


def summary_of(response) -> str:
    html = response.content.decode()
    start = html.index('data-testid="summary">') + len('data-testid="summary">')
    return html[start : html.index("</p>", start)]


@pytest.mark.django_db
def test_the_scorecard_tells_vu_quangs_story_and_lists_its_losses(as_user, officer_a, year_2022):
    response = as_user(officer_a).get(reverse("scorecard", args=[year_2022.pk, "vu-quang"]))
    assert summary_of(response) == VU_QUANG_2022
    assert response.context["story"] == VU_QUANG_2022
    lost = response.context["lost"]
    assert [i.code for i in lost] == ["9.1.1", "1.5.1", "4.1.2", "6.2.1", ""]
    html = response.content.decode()
    listed = html[html.index('data-testid="lost"') :]
    assert listed.index("9.1.1.") < listed.index("1.5.1.") < listed.index("6.2.1.")
    assert "Không đạt chỉ tiêu" in listed  # the appraiser's reason, to the unit's own staff
    assert "02 công chức bị kiểm điểm" in listed  # the ledger's reason
    assert reverse("unit_report_docx", args=[year_2022.pk, "vu-quang"]) in html


@pytest.mark.django_db
def test_another_reader_gets_the_story_but_not_the_appraisers_reasons(
    as_user, officer_b, year_2022
):
    response = as_user(officer_b).get(reverse("scorecard", args=[year_2022.pk, "vu-quang"]))
    assert summary_of(response) == VU_QUANG_2022
    html = response.content.decode()
    assert "Không đạt chỉ tiêu" not in html
    assert "02 công chức bị kiểm điểm" in html  # the published ledger


@pytest.mark.django_db
def test_the_page_and_the_insight_tell_the_same_story(as_user, appraiser, year_2022):
    from scoring.selectors.insight import unit_insight
    from units.roles import roles_of

    response = as_user(appraiser).get(reverse("scorecard", args=[year_2022.pk, "huong-khe"]))
    assessment = response.context["card"].assessment
    assert response.context["story"] == unit_insight(assessment, roles=roles_of(appraiser)).story


@pytest.mark.django_db
def test_before_publication_the_department_reads_a_provisional_story(as_user, appraiser, year_2023):
    LeafScore.objects.filter(assessment__year=year_2023, r1_score__isnull=True).update(r1_score=0)
    response = as_user(appraiser).get(reverse("scorecard", args=[year_2023.pk, "tp-ha-tinh"]))
    text = summary_of(response)
    assert text.startswith("Năm 2023, Chỉ số CCHC của thành phố Hà Tĩnh đạt ")
    assert "(tạm tính), xếp thứ " in text


@pytest.mark.django_db
def test_a_half_appraised_unit_says_what_is_missing(as_user, appraiser, year_2023):
    response = as_user(appraiser).get(reverse("scorecard", args=[year_2023.pk, "vu-quang"]))
    assert summary_of(response).startswith("Năm 2023, huyện Vũ Quang còn ")
    assert "chưa có điểm thẩm định; Chỉ số CCHC chưa xác định." in summary_of(response)


@pytest.mark.django_db
def test_the_workbook_carries_the_story_where_final_scores_show(
    as_user, officer_a, officer_b, year_2022, year_2023
):
    def titles(client, year):
        response = client.get(reverse("scorecard_xlsx", args=[year.pk, "vu-quang"]))
        return [row[0] for row in rows(workbook(response).worksheets[0])[:3]]

    assert titles(as_user(officer_b), year_2022)[2] == VU_QUANG_2022
    own_unpublished = titles(as_user(officer_a), year_2023)
    assert own_unpublished[2] == "Điểm thẩm định sẽ hiển thị khi Sở Nội vụ công bố kết quả."
    assert not any("Chỉ số CCHC của" in (t or "") for t in own_unpublished)
