"""A year's steps: what each step needs, listed with links before it is taken and refused by the
service with the same words; the step back, with a reason, and exactly what it costs; every step
recorded in the audit log."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from scoring import selectors
from scoring.audit import Kind
from scoring.models import (
    Assessment,
    AssessmentYear,
    AuditEvent,
    FrameworkNode,
    LeafScore,
    YearReopening,
)
from scoring.services import advance_year, new_year_from, reopen_year
from scoring.services.years import step_back_year
from tests.scoring.appraisal_helpers import VQ, appraise, assessment_of, entry, leaf
from units.roles import roles_of

pytestmark = pytest.mark.django_db

# Vũ Quang's field 1, unscored in the demo's 2023: round 1 scores the first five only.
FIRST_FIVE = {"1.1.1": "1", "1.1.2": "2", "1.2.1": "1.5", "1.3.1": "1", "1.3.2": "1"}
LAST_THREE = {"1.4.1": "0.5", "1.4.2": "1", "1.5.1": "2"}
THREE_MISSING = (
    "Huyện Vũ Quang · lĩnh vực 1: 3 tiêu chí chưa có điểm thẩm định vòng 1 (1.4.1, 1.4.2, 1.5.1)"
)


def state_url(year):
    return reverse("year_state", args=[year.pk])


def back_url(year):
    return reverse("year_step_back", args=[year.pk])


def fresh(year):
    return AssessmentYear.objects.select_related("framework").get(pk=year.pk)


def to_state(year, state, **extra):
    AssessmentYear.objects.filter(pk=year.pk).update(state=state, **extra)
    return fresh(year)


def local(when) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


def in_days(days):
    return (timezone.now() + dt.timedelta(days=days)).replace(second=0, microsecond=0)


def messages_of(client, response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def section(html, testid):
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</section>", start)] if "<section" in html else html


def card(html, title_id):
    start = html.index(f'id="{title_id}"')
    return html[start : html.index("</section>", start)]


@pytest.fixture(autouse=True)
def _log_from_here(db):
    """The demo's own steps are in the log already: the tests read what comes after."""
    LOG_START[0] = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


LOG_START = [0]


def step_events(year, kind):
    rows = AuditEvent.objects.filter(year=year, kind=kind, pk__gt=LOG_START[0])
    return list(rows.order_by("pk"))


def score(appraiser, year, leaves, unit=VQ):
    appraise(appraiser, year, *(entry(year, c, s, unit=unit) for c, s in leaves.items()))


# --- appraisal → explanation: the defect ------------------------------------------------------


def test_the_explanation_round_does_not_open_while_round_1_misses_leaves(
    as_user, appraiser, interior_admin, year_2023
):
    """The stuck year: explanation opened with Vũ Quang's 1.4.1, 1.4.2, 1.5.1 unscored, round 2
    then refused them and publication waited for ever. Now the page lists them with a link to
    where they are scored, the button is disabled, and the service refuses with the same words."""
    score(appraiser, year_2023, FIRST_FIVE)
    client = as_user(interior_admin)
    html = card(client.get(state_url(year_2023)).content.decode(), "next-title")
    link = reverse("appraise_field", args=[year_2023.pk, VQ, "1"])
    assert f'<a href="{link}" class="alert-link">{THREE_MISSING}</a>' in html
    assert re.search(r"<button[^>]*disabled[^>]*>Chuyển sang “Giải trình”", html)
    response = client.post(
        state_url(year_2023),
        {"confirm": "on", "to_state": "explanation", "explanation_closes": local(in_days(30))},
    )
    assert response.status_code == 200
    assert messages_of(client, response) == [THREE_MISSING]
    assert fresh(year_2023).state == "appraisal"
    assert not step_events(year_2023, Kind.YEAR_STEP)
    with pytest.raises(ValidationError) as exc:
        advance_year(
            year=year_2023,
            roles=roles_of(interior_admin),
            to_state="explanation",
            explanation_closes=in_days(30),
        )
    assert exc.value.messages == [THREE_MISSING]


def test_a_leaf_the_unit_marked_not_applicable_needs_no_round_1_score(
    appraiser, interior_admin, year_2023
):
    score(appraiser, year_2023, FIRST_FIVE | {"1.4.1": "0.5", "1.4.2": "1"})
    LeafScore.objects.filter(pk=leaf(year_2023, "1.5.1").pk).update(
        not_applicable=True, na_reason="Không phát sinh"
    )
    assert selectors.step_blockers(fresh(year_2023)) == []


def test_a_leaf_the_unit_never_touched_still_needs_its_round_1_score(interior_admin, year_2023):
    LeafScore.objects.filter(assessment__year=year_2023, r1_score__isnull=True).update(r1_score=0)
    LeafScore.objects.filter(
        assessment__year=year_2023, assessment__unit__code="can-loc", node__code="2.1.1"
    ).delete()
    blockers = selectors.step_blockers(fresh(year_2023))
    assert [b.message for b in blockers] == [
        "Huyện Can Lộc · lĩnh vực 2: 1 tiêu chí chưa có điểm thẩm định vòng 1 (2.1.1)"
    ]
    assert blockers[0].url == reverse("appraise_field", args=[year_2023.pk, "can-loc", "2"])


def test_once_round_1_is_complete_the_round_opens_and_the_step_is_recorded(
    as_user, appraiser, interior_admin, year_2023
):
    score(appraiser, year_2023, FIRST_FIVE | LAST_THREE)
    client = as_user(interior_admin)
    html = card(client.get(state_url(year_2023)).content.decode(), "next-title")
    assert 'data-testid="blockers"' not in html
    assert not re.search(r"<button[^>]*disabled", html)
    deadline = in_days(30)
    response = client.post(
        state_url(year_2023),
        {"confirm": "on", "to_state": "explanation", "explanation_closes": local(deadline)},
    )
    assert response.status_code == 302
    (event,) = step_events(year_2023, Kind.YEAR_STEP)
    assert event.actor == interior_admin
    assert event.changes["state"] == ["appraisal", "explanation"]
    assert dt.datetime.fromisoformat(event.changes["explanation_closes"][1]) == deadline


# --- the other steps' checks ---------------------------------------------------------------------


def test_leaving_preparing_needs_a_sound_framework(interior_admin, year_2024):
    year = new_year_from(roles=roles_of(interior_admin), year=2025, unit_level=year_2024.unit_level)
    year = fresh(year)
    assert selectors.step_blockers(year) == []
    FrameworkNode.objects.filter(framework=year.framework, code="1.1.1").update(max_points=9)
    (blocker,) = selectors.step_blockers(year)
    assert blocker.blocking and blocker.url == reverse("framework_import", args=[year.pk])
    assert blocker.message.startswith("1.1: điểm tối đa")
    with pytest.raises(ValidationError) as exc:
        advance_year(year=year, roles=roles_of(interior_admin), to_state="self_assessment")
    assert exc.value.messages == [blocker.message]


def test_leaving_preparing_needs_units(interior_admin, year_2024):
    year = new_year_from(roles=roles_of(interior_admin), year=2025, unit_level=year_2024.unit_level)
    Assessment.objects.filter(year=year).delete()
    (blocker,) = selectors.step_blockers(fresh(year))
    assert blocker.message == "Kỳ đánh giá chưa có đơn vị nào được đánh giá."


def test_units_not_submitted_are_a_warning_not_a_blocker(as_user, interior_admin, year_2024):
    Assessment.objects.filter(year=year_2024).exclude(unit__code=VQ).update(status="submitted")
    client = as_user(interior_admin)
    html = card(client.get(state_url(year_2024)).content.decode(), "next-title")
    entry_url = reverse("entry", args=[year_2024.pk, VQ])
    assert (
        f'<a href="{entry_url}" class="alert-link">Huyện Vũ Quang chưa gửi bản tự đánh giá; '
        "bản đang nhập sẽ bị khóa như hiện có.</a>"
    ) in html
    assert 'data-testid="blockers"' not in html
    response = client.post(state_url(year_2024), {"confirm": "on", "to_state": "appraisal"})
    assert response.status_code == 302
    assert fresh(year_2024).state == "appraisal"


def test_unanswered_explanations_are_said_before_round_2(appraiser, year_2023):
    score(appraiser, year_2023, FIRST_FIVE | LAST_THREE)
    appraise(appraiser, year_2023, entry(year_2023, "1.5.1", "0", "late", "Muộn", flagged=True))
    year = to_state(year_2023, "explanation", explanation_closes=in_days(40))
    (blocker,) = selectors.step_blockers(year)
    assert not blocker.blocking
    assert blocker.message == "Huyện Vũ Quang chưa trả lời 1 tiêu chí yêu cầu giải trình (1.5.1)"
    assert blocker.url == reverse("explanation", args=[year.pk, VQ])


def test_publication_lists_unscored_survey_and_flagged_leaves_with_their_pages(
    appraiser, interior_admin, year_2023
):
    score(appraiser, year_2023, FIRST_FIVE | LAST_THREE)
    appraise(appraiser, year_2023, entry(year_2023, "1.5.1", "0", "late", "Muộn", flagged=True))
    LeafScore.objects.filter(
        assessment__year=year_2023, assessment__unit__code="can-loc", node__code="10.2"
    ).update(r1_score=None)
    year = to_state(year_2023, "final_appraisal")
    blockers = selectors.step_blockers(year)
    assert [(b.message, b.url) for b in blockers] == [
        (
            "Huyện Can Lộc · điều tra xã hội học: còn 1 tiêu chí chưa có điểm (10.2)",
            reverse("survey", args=[year.pk]),
        ),
        (
            "Huyện Vũ Quang · lĩnh vực 1: còn 1 tiêu chí yêu cầu giải trình chưa thẩm định lại "
            "(1.5.1)",
            reverse("appraise_field", args=[year.pk, VQ, "1"]),
        ),
    ]
    with pytest.raises(ValidationError) as exc:
        advance_year(year=year, roles=roles_of(interior_admin), to_state="published")
    assert exc.value.messages == [b.message for b in blockers]


# --- the page's queries ---------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["appraisal", "explanation", "final_appraisal"])
def test_the_year_page_query_count_is_fixed(
    as_user, interior_admin, year_2023, django_assert_num_queries, state
):
    """13 units. Queries: session, user, roles (groups, memberships), the year with its level
    and framework; the next step's checks (appraisal: leaves, assessments, round-1 scores;
    explanation: unanswered flags; final appraisal: leaves, assessments, final scores, flags
    awaiting round 2); the step back's plan (final appraisal: reopenings, round-2 scores);
    bands, reopenings; the bell's unread notifications (menu)."""
    year = to_state(year_2023, state, explanation_closes=in_days(40))
    client = as_user(interior_admin)
    client.get(state_url(year))  # warm the session
    expected = {"appraisal": 11, "explanation": 9, "final_appraisal": 14}[state]
    with django_assert_num_queries(expected):
        assert client.get(state_url(year)).status_code == 200
    # More data (every unit's leaves rescored, flags, answers) leaves the count alone.
    LeafScore.objects.filter(assessment__year=year).update(
        flagged=True, r2_score=0, explanation_answer=""
    )
    with django_assert_num_queries(expected):
        assert client.get(state_url(year)).status_code == 200


# --- stepping back ------------------------------------------------------------------------------


def post_back(client, year, **data):
    plan = selectors.step_back_plan(fresh(year))
    form = {"back-from_state": year.state, "back-token": plan.token, "back-confirm": "on"}
    form.update({f"back-{k}": v for k, v in data.items()})
    return client.post(back_url(year), form)


def test_explanation_back_to_appraisal_keeps_the_answers(
    as_user, appraiser, interior_admin, officer_a, year_2023
):
    score(appraiser, year_2023, FIRST_FIVE | LAST_THREE)
    appraise(appraiser, year_2023, entry(year_2023, "1.5.1", "0", "late", "Muộn", flagged=True))
    LeafScore.objects.filter(pk=leaf(year_2023, "1.5.1").pk).update(
        explanation_answer="Đã có quyết định"
    )
    year = to_state(year_2023, "explanation", explanation_closes=in_days(40))
    client = as_user(interior_admin)
    html = card(client.get(state_url(year)).content.decode(), "back-title")
    assert "Lùi về bước “Thẩm định”" in html
    assert "các câu trả lời giải trình và tài liệu bổ sung của đơn vị được giữ nguyên" in html
    response = post_back(client, year, reason="Còn tiêu chí 1.5.1 cần chấm lại vòng 1")
    assert response.status_code == 302
    assert fresh(year).state == "appraisal"
    assert leaf(year, "1.5.1").explanation_answer == "Đã có quyết định"
    (event,) = step_events(year, Kind.YEAR_STEP_BACK)
    assert event.changes == {"state": ["explanation", "appraisal"]}
    assert event.note == "Còn tiêu chí 1.5.1 cần chấm lại vòng 1"
    assert event.actor == interior_admin
    # Round 1 may be changed again.
    appraise(appraiser, year, entry(year, "1.5.1", "1", "late", "Đã bổ sung"))
    assert leaf(year, "1.5.1").r1_score == Decimal("1")


def final_with_round_2(appraiser, year):
    """Final appraisal with two flagged leaves of Vũ Quang, one of them re-scored in round 2."""
    score(appraiser, year, FIRST_FIVE | LAST_THREE)
    appraise(
        appraiser,
        year,
        entry(year, "1.4.2", "0.5", "late", "Muộn", flagged=True),
        entry(year, "1.5.1", "0", "late", "Muộn", flagged=True),
    )
    year = to_state(
        year, "final_appraisal", appraisal_closes=in_days(-2), explanation_closes=in_days(-1)
    )
    appraise(appraiser, year, entry(year, "1.5.1", "2"), round_no=2)
    return year


def test_final_appraisal_back_to_explanation_lists_and_clears_round_2(
    as_user, appraiser, interior_admin, year_2023
):
    year = final_with_round_2(appraiser, year_2023)
    client = as_user(interior_admin)
    html = card(client.get(state_url(year)).content.decode(), "back-title")
    table = html[html.index('data-testid="back-cleared"') :]
    assert "1 điểm thẩm định lại sẽ bị xóa" in table
    assert re.search(r"<td>Huyện Vũ Quang</td><td>1.5.1</td><td>2[,.]00</td>", table)
    assert 'name="back-deadline"' in html
    version = leaf(year, "1.5.1").appraisal_version
    # The explanation round it reopens needs a new deadline, in the future.
    response = post_back(client, year, reason="Đơn vị xin giải trình thêm")
    assert fresh(year).state == "final_appraisal"
    response = post_back(
        client, year, reason="Đơn vị xin giải trình thêm", deadline=local(in_days(5))
    )
    assert response.status_code == 302
    year = fresh(year)
    assert year.state == "explanation"
    assert year.explanation_closes == in_days(5)
    row = leaf(year, "1.5.1")
    assert (row.r2_score, row.r2_reason, row.r2_comment) == (None, "", "")
    assert row.appraisal_version == version + 1
    assert row.r1_score == Decimal("0") and row.flagged
    (cleared,) = [e for e in step_events(year, Kind.APPRAISAL) if e.note]
    assert cleared.changes == {"r2_score": ["2.00", None]}
    assert (cleared.node_code, cleared.target) == ("1.5.1", "Huyện Vũ Quang · 1.5.1")
    (event,) = step_events(year, Kind.YEAR_STEP_BACK)
    assert event.changes["state"] == ["final_appraisal", "explanation"]
    assert event.note == "Đơn vị xin giải trình thêm"


def test_a_round_2_score_given_after_the_page_was_shown_refuses_the_step_back(
    as_user, appraiser, interior_admin, year_2023
):
    year = final_with_round_2(appraiser, year_2023)
    plan = selectors.step_back_plan(year)
    appraise(appraiser, year, entry(year, "1.4.2", "1"), round_no=2)  # meanwhile
    client = as_user(interior_admin)
    response = client.post(
        back_url(year),
        {
            "back-from_state": "final_appraisal",
            "back-token": plan.token,
            "back-confirm": "on",
            "back-reason": "Giải trình thêm",
            "back-deadline": local(in_days(5)),
        },
        follow=True,
    )
    assert "Điểm thẩm định lại đã thay đổi từ khi trang được mở" in response.content.decode()
    assert fresh(year).state == "final_appraisal"
    assert leaf(year, "1.4.2").r2_score == Decimal("1")
    assert not step_events(year, Kind.YEAR_STEP_BACK)


def test_appraisal_back_to_self_assessment_keeps_round_1_and_reopens_entry(
    as_user, appraiser, interior_admin, year_2023
):
    score(appraiser, year_2023, FIRST_FIVE)
    client = as_user(interior_admin)
    html = card(client.get(state_url(year_2023)).content.decode(), "back-title")
    assert "Hạn tự đánh giá mới (để các đơn vị nhập lại)" in html
    for bad in ("", local(in_days(-1))):
        post_back(client, year_2023, reason="Đơn vị xin bổ sung", deadline=bad)
        assert fresh(year_2023).state == "appraisal"
    closes = in_days(5)
    response = post_back(client, year_2023, reason="Đơn vị xin bổ sung", deadline=local(closes))
    assert response.status_code == 302
    year = fresh(year_2023)
    assert (year.state, year.self_assessment_closes) == ("self_assessment", closes)
    assert leaf(year, "1.1.2").r1_score == Decimal("2")  # round 1 kept
    assert selectors.window_open(assessment_of(year))
    (event,) = step_events(year, Kind.YEAR_STEP_BACK)
    assert event.changes["state"] == ["appraisal", "self_assessment"]
    assert dt.datetime.fromisoformat(event.changes["self_assessment_closes"][1]) == closes


def test_self_assessment_back_to_preparing_is_refused_while_units_entered_data(
    as_user, interior_admin, year_2024
):
    client = as_user(interior_admin)
    html = card(client.get(state_url(year_2024)).content.decode(), "back-title")
    refused = html[html.index('data-testid="back-refused"') :]
    for name, code in [
        ("Huyện Vũ Quang", VQ),
        ("Huyện Thạch Hà", "thach-ha"),
        ("Thành phố Hà Tĩnh", "tp-ha-tinh"),
    ]:
        url = reverse("entry", args=[year_2024.pk, code])
        assert (
            f'<a href="{url}" class="alert-link">{name} đã nhập dữ liệu tự đánh giá.</a>' in refused
        )
    assert 'name="back-reason"' not in html  # nothing to submit
    response = post_back(client, year_2024, reason="Đổi bộ chỉ số")
    assert response.status_code == 302
    assert fresh(year_2024).state == "self_assessment"
    assert not step_events(year_2024, Kind.YEAR_STEP_BACK)


def test_self_assessment_back_to_preparing_when_nobody_entered_anything(interior_admin, year_2024):
    admin = roles_of(interior_admin)
    year = new_year_from(roles=admin, year=2025, unit_level=year_2024.unit_level)
    year = advance_year(year=year, roles=admin, to_state="self_assessment")
    step_back_year(
        year=year,
        roles=admin,
        user=interior_admin,
        from_state="self_assessment",
        reason="Bộ chỉ số còn sai",
    )
    assert fresh(year).state == "preparing"
    assert [e.kind for e in AuditEvent.objects.filter(year=year).order_by("pk")] == [
        Kind.YEAR_CREATE,
        Kind.YEAR_STEP,
        Kind.YEAR_STEP_BACK,
    ]


def test_a_stale_page_or_no_reason_is_refused(as_user, interior_admin, year_2023):
    client = as_user(interior_admin)
    year = to_state(year_2023, "explanation", explanation_closes=in_days(40))
    stale = client.post(
        back_url(year),
        {"back-from_state": "appraisal", "back-confirm": "on", "back-reason": "Thử"},
        follow=True,
    )
    assert "trang đã cũ" in stale.content.decode()
    no_reason = client.post(
        back_url(year),
        {"back-from_state": "explanation", "back-confirm": "on", "back-reason": "  "},
        follow=True,
    )
    assert "Cần nêu lý do lùi bước và đánh dấu xác nhận." in no_reason.content.decode()
    unconfirmed = client.post(
        back_url(year), {"back-from_state": "explanation", "back-reason": "Thử"}, follow=True
    )
    assert "Cần nêu lý do lùi bước và đánh dấu xác nhận." in unconfirmed.content.decode()
    assert fresh(year).state == "explanation"
    with pytest.raises(ValidationError, match="Cần nêu lý do"):
        step_back_year(
            year=year, roles=roles_of(interior_admin), from_state="explanation", reason=" "
        )
    assert not step_events(year, Kind.YEAR_STEP_BACK)


def test_a_published_year_is_reopened_not_stepped_back(as_user, interior_admin, year_2022):
    admin = roles_of(interior_admin)
    html = as_user(interior_admin).get(state_url(year_2022)).content.decode()
    assert 'data-testid="step-back"' not in html
    with pytest.raises(ValidationError, match="Mở lại để sửa"):
        step_back_year(year=year_2022, roles=admin, from_state="published", reason="Sửa")
    reopen_year(year=year_2022, roles=admin, user=interior_admin, reason="Khiếu nại 1.5.1")
    (event,) = step_events(year_2022, Kind.YEAR_REOPEN)
    assert (event.changes, event.note) == (
        {"state": ["published", "final_appraisal"]},
        "Khiếu nại 1.5.1",
    )
    # Re-opened for a correction: round 2 holds the published scores, no step back past it.
    plan = selectors.step_back_plan(fresh(year_2022))
    assert plan.refused and not plan.cleared
    with pytest.raises(ValidationError, match="đã công bố rồi được mở lại"):
        step_back_year(year=year_2022, roles=admin, from_state="final_appraisal", reason="Sửa")
    assert YearReopening.objects.filter(year=year_2022).count() == 1


@pytest.mark.parametrize(
    ("who", "expected"),
    [("officer_a", 404), ("leader_a", 404), ("viewer", 404), ("appraiser", 403)],
)
def test_only_the_interior_admin_steps_back(as_user, request, year_2023, who, expected):
    year = to_state(year_2023, "explanation", explanation_closes=in_days(40))
    response = as_user(request.getfixturevalue(who)).post(
        back_url(year),
        {"back-from_state": "explanation", "back-confirm": "on", "back-reason": "Thử"},
    )
    assert response.status_code == expected
    assert fresh(year).state == "explanation"
    with pytest.raises(PermissionDenied):
        step_back_year(
            year=year,
            roles=roles_of(request.getfixturevalue(who)),
            from_state="explanation",
            reason="Thử",
        )


def test_anonymous_is_sent_to_sign_in(client, year_2023):
    response = client.post(back_url(year_2023), {})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_year_page_links_to_its_settings_and_log(as_user, interior_admin, year_2023):
    html = as_user(interior_admin).get(state_url(year_2023)).content.decode()
    assert f'href="{reverse("year_settings", args=[year_2023.pk])}"' in html
    assert f'href="{reverse("year_log", args=[year_2023.pk])}"' in html
