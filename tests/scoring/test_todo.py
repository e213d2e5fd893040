"""The home page starts with what the person has to do now: by role, with the deadline's days
left, each item a link; and it agrees with the reminder job on who still has work."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from scoring.models import (
    Assessment,
    AssessmentYear,
    Evidence,
    EvidenceLink,
    FieldAssignment,
    LeafScore,
)
from scoring.selectors import home_page, who_has_work
from scoring.selectors.todo import Due, fixes_of, load_work
from tests.scoring.appraisal_helpers import (
    HL,
    VQ,
    VQ_FIELD_1,
    appraise,
    assessment_of,
    entry,
    leaf,
    node_of,
    open_explanation_round,
)
from units.collation import name_key
from units.models import Membership, Unit
from units.roles import roles_of

SA = "self_assessment_closes"


def home_html(client, user, when=None) -> str:
    """The to-do section of the user's home page, at ``when`` (now by default)."""
    when = when or timezone.now()
    with time_machine.travel(when, tick=False):
        client.force_login(user)
        response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('data-testid="todo"')
    return html[start : html.index("</section>", start)]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def href(url: str) -> str:
    return f'href="{url}"'


def groups_of(user, when=None):
    user = User.objects.get(pk=user.pk)  # not the fixture's object: its roles may be cached
    return home_page(user, roles_of(user), now=when or timezone.now()).todo


# --- days left -------------------------------------------------------------------------------


def local(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


@pytest.mark.parametrize(
    ("now", "phrase", "tone"),
    [
        (local(2024, 11, 20, 8), "còn 10 ngày", "secondary"),
        (local(2024, 11, 27, 8), "còn 3 ngày", "warning"),
        (local(2024, 11, 29, 23, 59), "còn 1 ngày", "warning"),
        (local(2024, 11, 30, 9), "hôm nay", "warning"),
        (local(2024, 11, 30, 17), "đã hết hạn hôm nay", "danger"),
        (local(2024, 12, 1, 0, 1), "đã quá hạn 1 ngày", "danger"),
        (local(2024, 12, 2, 8), "đã quá hạn 2 ngày", "danger"),
    ],
)
def test_days_left_are_days_of_the_calendar(now, phrase, tone):
    due = Due(SA, local(2024, 11, 30, 17), now)
    with translation.override("vi"):
        assert (due.phrase, due.tone) == (phrase, tone)
        assert due.label == "Hạn tự đánh giá"


# --- unit staff: the self-assessment ---------------------------------------------------------


def test_an_officer_sees_the_deadline_and_what_to_fill_field_by_field(client, officer_a, year_2024):
    html = home_html(client, officer_a, year_2024.self_assessment_closes - dt.timedelta(days=3))
    words = text(html)
    assert "Huyện Vũ Quang · Tự đánh giá năm 2024" in words
    assert "còn 3 ngày" in words
    assert href(reverse("entry", args=[year_2024.pk, VQ])) in html  # the deadline's link
    field_2 = reverse("entry_field", args=[year_2024.pk, VQ, "2"])
    assert re.search(href(field_2) + r">Lĩnh vực 2\. [^<]*</a>: 5 tiêu chí chưa nhập<", html)
    # Only what is left: field 1 is entered, its leaves only lack evidence.
    assert (
        "Lĩnh vực 1. Công tác chỉ đạo, điều hành cải cách hành chính: 8 tiêu chí tự chấm" in words
    )
    assert "chưa nhập" not in words.split("Lĩnh vực 1.")[1].split("Lĩnh vực 2.")[0]
    # The leader sends; an officer is not offered it.
    assert reverse("entry_submit", args=[year_2024.pk, VQ]) not in html


def test_each_kind_of_fix_is_counted(officer_a, year_2024):
    assessment = assessment_of(year_2024)

    def field_1():
        work = load_work([assessment])
        return next(f for f in fixes_of(work, assessment) if f.field.code == "1")

    before = field_1()
    assert (before.empty, before.no_reason, before.no_evidence) == (0, 0, 8)
    LeafScore.objects.filter(pk=leaf(year_2024, "1.1.1").pk).update(
        not_applicable=True, na_reason="  ", self_score=None
    )
    row = leaf(year_2024, "1.1.2")
    document = Evidence.objects.create(
        assessment=assessment,
        file="evidence/test/ke-hoach.pdf",
        original_name="ke-hoach.pdf",
        content_type="application/pdf",
        size=100,
    )
    EvidenceLink.objects.create(evidence=document, leaf=row)
    LeafScore.objects.filter(pk=leaf(year_2024, "1.2.1").pk).update(self_score=None)
    after = field_1()
    assert (after.empty, after.no_reason, after.no_evidence) == (1, 1, 5)
    assert after.text == (
        "1 tiêu chí chưa nhập; 1 tiêu chí không áp dụng chưa nêu lý do; "
        "5 tiêu chí tự chấm điểm chưa có tài liệu kiểm chứng"
    )


def test_the_leader_is_asked_to_send(client, leader_a, year_2024):
    html = home_html(client, leader_a)
    submit = reverse("entry_submit", args=[year_2024.pk, VQ])
    assert re.search(href(submit) + r">Gửi bản tự đánh giá \(sau khi nhập đủ", html)


def test_a_leader_with_everything_entered_is_asked_to_send_it_plainly(client, year_2024):
    leader = User.objects.create_user("hatinh.lanhdao")
    Membership.objects.create(user=leader, unit=Unit.objects.get(code="tp-ha-tinh"), role="leader")
    html = home_html(client, leader)
    submit = reverse("entry_submit", args=[year_2024.pk, "tp-ha-tinh"])
    assert re.search(href(submit) + r">Gửi bản tự đánh giá cho Sở Nội vụ<", html)
    assert "chưa nhập" not in text(html)


def test_a_unit_that_has_sent_has_nothing_to_do(client, officer_a, year_2022, year_2024):
    Assessment.objects.filter(year=year_2024, unit__code=VQ).update(status="submitted")
    html = home_html(client, officer_a)
    assert "Tự đánh giá năm 2024" not in text(html)
    assert "Bạn không có việc nào cần làm lúc này." in text(html)
    assert href(reverse("ranking", args=[year_2022.pk])) in html  # the latest ranking instead
    assert [u.username for u in users_reminded(year_2024, SA)] == ["honglinh.canbo"]


def test_a_late_unit_is_told_the_deadline_passed(client, officer_a, year_2024):
    html = home_html(client, officer_a, year_2024.self_assessment_closes + dt.timedelta(days=2))
    words = text(html)
    assert "đã quá hạn 2 ngày" in words
    assert "Đã hết hạn mà bản tự đánh giá chưa được gửi" in words
    assert "Lĩnh vực 2." not in words  # nothing can be entered any more


def test_units_of_an_officer_are_in_vietnamese_order(client, officer_a, year_2024):
    for code in ("tx-hong-linh", "duc-tho", "can-loc"):
        unit = Unit.objects.get(code=code)
        Membership.objects.create(user=officer_a, unit=unit, role="officer")
    headings = [g.heading.split(" · ")[0] for g in groups_of(officer_a)]
    assert headings == sorted(headings, key=name_key)
    assert headings[:2] == ["Huyện Can Lộc", "Huyện Đức Thọ"]  # Đ after C, before H


# --- unit staff: the explanation round -------------------------------------------------------


def test_the_explanation_round_lists_the_flagged_leaves_to_answer(
    client, officer_a, leader_a, officer_b, appraiser, year_2023
):
    year = open_explanation_round(appraiser, year_2023)
    url = reverse("explanation", args=[year.pk, VQ])
    html = home_html(client, officer_a)
    assert re.search(href(url) + r">2 tiêu chí yêu cầu giải trình chưa trả lời \(trong 2\)<", html)
    assert "còn 1 ngày" in text(html) or "hôm nay" in text(html)  # closes in 24 hours
    assert "Gửi giải trình" not in text(html)
    assert re.search(href(url) + r">Gửi giải trình cho Sở Nội vụ<", home_html(client, leader_a))
    assert "Giải trình năm 2023" not in text(home_html(client, officer_b))  # nothing flagged


def test_nothing_to_explain_once_the_leader_has_sent(client, officer_a, appraiser, year_2023):
    year = open_explanation_round(appraiser, year_2023)
    Assessment.objects.filter(year=year, unit__code=VQ).update(
        explanation_submitted_at=timezone.now()
    )
    assert "Giải trình năm 2023" not in text(home_html(client, officer_a))
    assert who_has_work(year, "explanation_closes") == []


# --- appraisers ------------------------------------------------------------------------------


def test_an_appraiser_sees_the_units_left_in_their_fields(client, appraiser, year_2023):
    html = home_html(client, appraiser)
    field = reverse("appraise_field", args=[year_2023.pk, VQ, "1"])
    assert "Thẩm định năm 2023 · Cấp huyện" in text(html)
    assert re.search(href(field) + r">Huyện Vũ Quang: 8 tiêu chí chưa có điểm thẩm định<", html)
    assert re.search(href(field) + r">lĩnh vực 1 \(8\)<", html)
    assert href(reverse("worklist", args=[year_2023.pk])) in html


def test_an_appraiser_done_or_unassigned_has_nothing_to_do(client, appraiser, year_2023):
    appraise(appraiser, year_2023, *(entry(year_2023, c, m) for c, m in VQ_FIELD_1.items()))
    assert "Thẩm định năm 2023" not in text(home_html(client, appraiser))
    assert groups_of(appraiser) == []


def test_an_appraiser_without_fields_has_nothing_to_do(client, appraiser, year_2023):
    FieldAssignment.objects.filter(year=year_2023).delete()
    assert groups_of(appraiser) == []
    assert "Bạn không có việc nào cần làm lúc này." in text(home_html(client, appraiser))


def test_final_appraisal_lists_flagged_leaves_without_a_second_score(client, appraiser, year_2023):
    year = open_explanation_round(appraiser, year_2023)
    AssessmentYear.objects.filter(pk=year.pk).update(
        state="final_appraisal", final_appraisal_closes=timezone.now() + dt.timedelta(days=4)
    )
    words = text(home_html(client, appraiser))
    assert "Thẩm định lại năm 2023 · Cấp huyện" in words
    assert "Huyện Vũ Quang: 2 tiêu chí yêu cầu giải trình chưa thẩm định lại" in words
    assert "còn 4 ngày" in words


# --- the Interior Department's admins --------------------------------------------------------


def test_the_admin_sees_the_units_not_submitted_in_vietnamese_order(
    client, interior_admin, year_2024
):
    Assessment.objects.filter(year=year_2024, unit__code=HL).update(status="submitted")
    html = home_html(client, interior_admin)
    words = text(html)
    assert "Điều hành năm 2024 · Cấp huyện" in words
    assert "12 đơn vị chưa gửi bản tự đánh giá" in words
    listed = re.findall(rf"/years/{year_2024.pk}/units/([a-z0-9-]+)/self-assessment/\"", html)
    names = dict(Unit.objects.values_list("code", "name"))
    assert HL not in listed and len(listed) == 12
    assert [names[c] for c in listed] == sorted((names[c] for c in listed), key=name_key)


def test_the_admin_sees_what_blocks_the_next_step_and_fields_nobody_appraises(
    client, interior_admin, year_2023
):
    FieldAssignment.objects.filter(year=year_2023, field=node_of(year_2023, "1")).delete()
    html = home_html(client, interior_admin)
    words = text(html)
    assert re.search(
        href(reverse("assignments", args=[year_2023.pk]))
        + r">Lĩnh vực 1 chưa có người thẩm định: 8 tiêu chí còn phải chấm<",
        html,
    )
    # step_blockers' own words and link.
    assert "Huyện Vũ Quang · lĩnh vực 1: 8 tiêu chí chưa có điểm thẩm định vòng 1" in words
    assert href(reverse("appraise_field", args=[year_2023.pk, VQ, "1"])) in html


def test_a_long_list_of_blockers_is_cut_short(client, interior_admin, year_2023):
    LeafScore.objects.filter(assessment__year=year_2023, node__code__startswith="2.").update(
        r1_score=None
    )  # field 2 of all 13 units, and Vũ Quang's field 1: 14 blockers
    html = home_html(client, interior_admin)
    assert "… và 9 việc khác trước bước tiếp theo" in text(html)
    assert href(reverse("year_state", args=[year_2023.pk])) in html


def test_after_the_deadline_the_admin_is_asked_to_move_the_year_on(
    client, interior_admin, year_2024
):
    html = home_html(
        client, interior_admin, year_2024.self_assessment_closes + dt.timedelta(hours=1)
    )
    assert "đã hết hạn hôm nay" in text(html)
    assert re.search(
        href(reverse("year_state", args=[year_2024.pk]))
        + r">Chuyển kỳ đánh giá sang bước «Thẩm định»<",
        html,
    )
    before = text(
        home_html(
            client, interior_admin, year_2024.self_assessment_closes - dt.timedelta(minutes=1)
        )
    )
    assert "«Thẩm định»" not in before.split("Điều hành năm 2024")[1].split("Điều hành")[0]


# --- viewers and others ----------------------------------------------------------------------


def test_a_viewer_has_nothing_to_do_but_reads_the_latest_ranking(client, viewer, year_2022):
    html = home_html(client, viewer)
    assert "Bạn không có việc nào cần làm lúc này." in text(html)
    assert re.search(
        href(reverse("ranking", args=[year_2022.pk]))
        + r">Bảng xếp hạng công bố gần nhất: năm 2022 · Cấp huyện<",
        html,
    )


def test_nothing_published_and_nothing_to_do(client, db):
    AssessmentYear.objects.filter(state="published").update(state="final_appraisal")
    nobody = User.objects.create_user("khach")
    html = home_html(client, nobody)
    assert "Bạn không có việc nào cần làm lúc này." in text(html)
    assert "Bảng xếp hạng công bố gần nhất" not in html


# --- one source of truth ---------------------------------------------------------------------


def users_reminded(year, deadline) -> list[User]:
    return sorted({u for r in who_has_work(year, deadline) for u in r.users}, key=str)


CAST = ["officer_a", "leader_a", "officer_b", "appraiser", "interior_admin", "viewer"]


def lists_work(person, year) -> bool:
    """The person's home lists work of theirs in the year's step: a group of their unit or of
    their fields; in the admins' overview, only the fields nobody is assigned."""
    for group in groups_of(person):
        if group.year.pk != year.pk:
            continue
        if group.role != "admin":
            return True
        if any("chưa có người thẩm định" in task.text for task in group.tasks):
            return True
    return False


@pytest.mark.parametrize(
    "scenario", ["self_assessment", "one_sent", "appraisal", "unassigned", "admin_holds_it"]
)
def test_reminders_go_to_exactly_those_whose_home_lists_the_work(
    request, scenario, interior_admin, year_2023, year_2024
):
    year, deadline = (
        (year_2024, SA)
        if scenario in ("self_assessment", "one_sent")
        else (
            year_2023,
            "appraisal_closes",
        )
    )
    if scenario == "one_sent":
        Assessment.objects.filter(year=year_2024, unit__code=HL).update(status="submitted")
    if scenario in ("unassigned", "admin_holds_it"):
        FieldAssignment.objects.filter(year=year_2023, field=node_of(year_2023, "1")).delete()
    if scenario == "admin_holds_it":
        FieldAssignment.objects.create(
            year=year_2023, field=node_of(year_2023, "1"), appraiser=interior_admin
        )
    reminded = set(users_reminded(year, deadline))
    assert reminded  # someone has work in each scenario
    for name in CAST:
        person = request.getfixturevalue(name)
        assert lists_work(person, year) == (person in reminded), name


# --- queries ---------------------------------------------------------------------------------


def home_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


def more_units(year_2023, year_2024, n=4):
    """``n`` more units, assessed in 2023 (unappraised) and 2024 (empty), with a few rows."""
    level = year_2024.unit_level
    units = []
    for i in range(n):
        unit = Unit.objects.create(level=level, code=f"them-{i}", name=f"Xã thêm {i}", kind="xa")
        for year in (year_2023, year_2024):
            assessment = Assessment.objects.create(year=year, unit=unit)
            for code in ("1.1.1", "2.1.1"):
                LeafScore.objects.create(
                    assessment=assessment, node=node_of(year, code), self_score=1
                )
        units.append(unit)
    return units


@pytest.mark.parametrize("who", ["appraiser", "interior_admin"])
def test_the_interior_home_costs_the_same_queries_with_more_units(
    client, request, who, year_2023, year_2024
):
    user = request.getfixturevalue(who)
    few = home_queries(client, user)
    more_units(year_2023, year_2024)
    assert home_queries(client, user) == few


def test_the_unit_home_costs_the_same_queries_with_more_units(
    client, officer_a, year_2023, year_2024
):
    few = home_queries(client, officer_a)
    for unit in [*more_units(year_2023, year_2024), Unit.objects.get(code=HL)]:
        Membership.objects.create(user=officer_a, unit=unit, role="officer")
    assert len(groups_of(officer_a)) == 6  # their work is listed, unit by unit
    assert home_queries(client, officer_a) == few


def test_the_unit_home_query_count(client, officer_a, django_assert_num_queries):
    client.force_login(officer_a)
    # session, user, groups, memberships, published years, the user's units, their
    # assessments; the to-do: the leaves units fill, the rows of the open years; the bell
    with django_assert_num_queries(10):
        client.get(reverse("home"))


def test_the_admin_home_query_count(client, interior_admin, django_assert_num_queries):
    client.force_login(interior_admin)
    # session, user, groups, memberships, years; the to-do: the years' assessments, leaves,
    # rows of the years in appraisal, assignments; step_blockers: 2023's units, leaves, rows
    # (to explanation), 2024's units not sent (to appraisal); the bell
    with django_assert_num_queries(14):
        client.get(reverse("home"))


def test_members_of_the_appraiser_group_only_need_their_assignments(client, db, year_2023):
    """An appraiser without fields costs one query more than the page's own: their fields."""
    newcomer = User.objects.create_user("snv.moi")
    newcomer.groups.add(Group.objects.get(name="appraiser"))
    # session, user, groups, memberships, years, their fields, the bell
    assert home_queries(client, newcomer) == 7
