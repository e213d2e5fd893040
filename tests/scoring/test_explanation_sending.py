"""The explanation round ends with the leader's "Gửi giải trình": the service (who, when, what
it refuses, the audit line, the notification after commit), taking it back, and the page
(draft, sending with a named button, read-only once sent, the confirmation step)."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from scoring import audit
from scoring.models import Assessment, AssessmentYear, AuditEvent, Evidence, LeafScore
from scoring.selectors.entry import explanation_open, explanation_round_open
from scoring.services import Answer, add_evidence, answer_explanations
from scoring.services import notifications as notifications_module
from scoring.services.explanation import submit_explanations, withdraw_explanations
from scoring.services.years import advance_year, step_back_year
from tests.samples import PDF
from tests.scoring.appraisal_helpers import (
    assessment_of,
    leaf,
    node_of,
    open_explanation_round,
)
from units.roles import roles_of

pytestmark = pytest.mark.django_db

VQ = "vu-quang"
ROUND_CLOSED = "Vòng giải trình không mở."


@pytest.fixture
def year(appraiser, year_2023):
    """Vũ Quang's 1.3.2 and 2.3.1 flagged, the round open for a day."""
    return open_explanation_round(appraiser, year_2023)


@pytest.fixture
def sent_to(monkeypatch):
    """The assessments ``notifications.explanation_submitted`` was called with."""
    calls = []
    monkeypatch.setattr(notifications_module, "explanation_submitted", calls.append)
    return calls


def answer_all(year, user, text="Đã bổ sung biên bản"):
    rows = {code: leaf(year, code) for code in ("1.3.2", "2.3.1")}
    answer_explanations(
        assessment=assessment_of(year),
        roles=roles_of(user),
        user=user,
        answers=[
            Answer(row.node_id, f"{text} {code}", version=row.version) for code, row in rows.items()
        ],
    )


def send(year, user, **kwargs):
    return submit_explanations(
        assessment=assessment_of(year), roles=roles_of(user), user=user, **kwargs
    )


def take_back(year, user):
    return withdraw_explanations(assessment=assessment_of(year), roles=roles_of(user), user=user)


def sending_events(year):
    return list(
        AuditEvent.objects.filter(
            kind=audit.Kind.EXPLANATION, year=year, node_code="", unit__code=VQ
        ).order_by("pk")
    )


# --- the service ------------------------------------------------------------------------------


def test_the_leader_sends_and_it_is_logged_and_notified_after_commit(
    officer_a, leader_a, year, sent_to, django_capture_on_commit_callbacks
):
    answer_all(year, officer_a)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        send(year, leader_a)
    assessment = assessment_of(year)
    assert assessment.explanation_submitted_by == leader_a
    assert timezone.now() - assessment.explanation_submitted_at < dt.timedelta(minutes=1)
    assert len(callbacks) == 1
    assert [a.pk for a in sent_to] == [assessment.pk]
    (event,) = sending_events(year)
    assert event.actor == leader_a
    assert event.target == assessment.unit.name
    assert event.note == "Gửi giải trình"
    assert event.changes["explanation_submitted_by"] == [None, leader_a.username]
    assert event.changes["explanation_submitted_at"][0] is None
    # Answers are now read-only for the unit, documents too.
    assert not explanation_open(assessment)
    assert explanation_round_open(assessment)


def test_once_sent_the_units_answers_and_documents_are_refused(officer_a, leader_a, year, sent_to):
    answer_all(year, officer_a)
    send(year, leader_a)
    row = leaf(year, "1.3.2")
    with pytest.raises(ValidationError, match="đã gửi giải trình"):
        answer_explanations(
            assessment=assessment_of(year),
            roles=roles_of(officer_a),
            user=officer_a,
            answers=[Answer(row.node_id, "Sửa sau khi gửi", version=row.version)],
        )
    with pytest.raises(ValidationError, match="đã gửi giải trình"):
        add_evidence(
            assessment=assessment_of(year),
            roles=roles_of(officer_a),
            user=officer_a,
            node=node_of(year, "1.3.2"),
            upload=SimpleUploadedFile("bo-sung.pdf", PDF, "application/pdf"),
            supplementary=True,
        )
    assert leaf(year, "1.3.2").explanation_answer == "Đã bổ sung biên bản 1.3.2"
    assert not Evidence.objects.filter(original_name="bo-sung.pdf").exists()


@pytest.mark.parametrize("who", ["officer_a", "officer_b", "appraiser", "interior_admin"])
def test_only_the_units_leader_sends(request, officer_a, year, sent_to, who):
    answer_all(year, officer_a)
    with pytest.raises(PermissionDenied):
        send(year, request.getfixturevalue(who))
    assert assessment_of(year).explanation_submitted_at is None
    assert sent_to == [] and sending_events(year) == []


def test_unanswered_flagged_leaves_warn_and_need_the_leaders_confirmation(
    officer_a, leader_a, year, sent_to, django_capture_on_commit_callbacks
):
    row = leaf(year, "2.3.1")
    answer_explanations(
        assessment=assessment_of(year),
        roles=roles_of(officer_a),
        user=officer_a,
        answers=[Answer(row.node_id, "Đã nộp đúng hạn, xem công văn", version=row.version)],
    )
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError) as refused,
    ):
        send(year, leader_a)
    assert refused.value.messages == [
        "Còn 1 tiêu chí chưa có giải trình (1.3.2): hãy xác nhận đã xem trước khi gửi."
    ]
    assert assessment_of(year).explanation_submitted_at is None
    assert sent_to == []
    # Seen: the unit accepts 1.3.2's score without a word, and sends.
    with django_capture_on_commit_callbacks(execute=True):
        send(year, leader_a, unanswered_seen=True)
    assert assessment_of(year).explanation_submitted_by == leader_a
    assert len(sent_to) == 1


def test_sending_twice_is_refused(officer_a, leader_a, year, sent_to):
    answer_all(year, officer_a)
    send(year, leader_a)
    with pytest.raises(ValidationError, match="Giải trình đã được gửi lúc"):
        send(year, leader_a)
    assert len(sending_events(year)) == 1


@pytest.mark.parametrize("state", ["appraisal", "final_appraisal", "published"])
def test_outside_the_round_sending_is_refused(officer_a, leader_a, year, sent_to, state):
    answer_all(year, officer_a)
    AssessmentYear.objects.filter(pk=year.pk).update(state=state)
    with pytest.raises(ValidationError) as refused:
        send(year, leader_a)
    assert refused.value.messages == [ROUND_CLOSED]
    assert assessment_of(year).explanation_submitted_at is None


def test_after_the_deadline_sending_is_refused_and_a_second_before_it_is_not(
    officer_a, leader_a, year, sent_to
):
    answer_all(year, officer_a)
    closes = year.explanation_closes
    with time_machine.travel(closes, tick=False), pytest.raises(ValidationError) as refused:
        send(year, leader_a)
    deadline = timezone.localtime(closes).strftime("%H:%M %d/%m/%Y")
    assert refused.value.messages == [f"Đã hết hạn giải trình lúc {deadline}; không thể gửi."]
    assert assessment_of(year).explanation_submitted_at is None
    with time_machine.travel(closes - dt.timedelta(seconds=1), tick=False):
        send(year, leader_a)
    assert assessment_of(year).explanation_submitted_at is not None


def test_nothing_flagged_nothing_to_send(leader_a, year_2023, sent_to):
    AssessmentYear.objects.filter(pk=year_2023.pk).update(
        state="explanation", explanation_closes=timezone.now() + dt.timedelta(days=1)
    )
    LeafScore.objects.filter(assessment__year=year_2023).update(flagged=False)
    with pytest.raises(ValidationError, match=r"Không có tiêu chí nào cần giải trình\."):
        send(year_2023, leader_a)


def test_the_leader_takes_it_back_before_the_deadline_and_may_send_again(
    officer_a, leader_a, year, sent_to, django_capture_on_commit_callbacks
):
    answer_all(year, officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        send(year, leader_a)
    with django_capture_on_commit_callbacks(execute=True):
        take_back(year, leader_a)
    assessment = assessment_of(year)
    assert (assessment.explanation_submitted_at, assessment.explanation_submitted_by) == (
        None,
        None,
    )
    assert explanation_open(assessment)
    answer_all(year, officer_a, text="Bổ sung lần hai")
    with django_capture_on_commit_callbacks(execute=True):
        send(year, leader_a)
    sending, withdrawal, again = sending_events(year)
    assert (sending.note, withdrawal.note, again.note) == (
        "Gửi giải trình",
        "Rút lại giải trình để sửa",
        "Gửi giải trình",
    )
    assert withdrawal.changes["explanation_submitted_by"] == [leader_a.username, None]
    assert len(sent_to) == 2  # each sending is news; taking back tells no one


def test_taking_back_is_refused_to_the_officer_unsent_or_after_the_deadline(
    officer_a, leader_a, year, sent_to
):
    with pytest.raises(ValidationError, match=r"Giải trình chưa được gửi\."):
        take_back(year, leader_a)
    answer_all(year, officer_a)
    send(year, leader_a)
    with pytest.raises(PermissionDenied):
        take_back(year, officer_a)
    with (
        time_machine.travel(year.explanation_closes, tick=False),
        pytest.raises(ValidationError, match="không thể rút lại"),
    ):
        take_back(year, leader_a)
    assert assessment_of(year).explanation_submitted_by == leader_a


# --- the page ---------------------------------------------------------------------------------


def page_url(year):
    return reverse("explanation", args=[year.pk, VQ])


def answers_post(year, **texts):
    data = {}
    for code in ("1.3.2", "2.3.1"):
        data[f"{code}-version"] = leaf(year, code).version
        data[f"{code}-answer"] = texts.get("_" + code.replace(".", "_"), "")
    return data


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_the_page_says_the_answers_are_a_draft_until_sent(as_user, officer_a, year):
    html = as_user(officer_a).get(page_url(year)).content.decode()
    assert "Bản nháp, chưa gửi" in html
    assert "Lãnh đạo đơn vị xem lại và gửi giải trình" in html
    assert 'value="send"' not in html  # the officer has no send button


def test_the_officer_cannot_send_through_the_page(as_user, officer_a, year, sent_to):
    data = {**answers_post(year, _1_3_2="Thử gửi"), "action": "send"}
    response = as_user(officer_a).post(page_url(year), data)
    assert response.status_code == 403
    assert leaf(year, "1.3.2").explanation_answer == ""  # not even saved
    assert assessment_of(year).explanation_submitted_at is None


def test_the_leader_saves_and_sends_in_one_click_then_the_page_is_read_only(
    as_user, leader_a, officer_a, year, sent_to
):
    client = as_user(leader_a)
    html = client.get(page_url(year)).content.decode()
    assert 'data-testid="send"' in html
    assert "Còn 2 tiêu chí chưa có giải trình" in html
    data = {
        **answers_post(year, _1_3_2="Biên bản đã ký", _2_3_1="Nộp đúng hạn"),
        "action": "send",
    }
    response = client.post(page_url(year), data)
    assert response.status_code == 302
    assert leaf(year, "1.3.2").explanation_answer == "Biên bản đã ký"
    assert assessment_of(year).explanation_submitted_by == leader_a
    page = client.get(page_url(year))
    assert "Đã gửi giải trình tới Sở Nội vụ." in messages_of(page)
    html = page.content.decode()
    assert "Lãnh đạo đơn vị đã gửi giải trình lúc" in html
    assert re.search(r"<fieldset disabled", html)
    assert "Lưu giải trình</button>" not in html
    assert 'value="send"' not in html
    # The officer's page is read-only too, and a save is refused with the reason.
    officer = as_user(officer_a)
    response = officer.post(page_url(year), answers_post(year, _1_3_2="Sửa sau khi gửi"))
    assert response.status_code == 200
    assert any("đã gửi giải trình" in m for m in messages_of(response))
    assert leaf(year, "1.3.2").explanation_answer == "Biên bản đã ký"


def test_sending_with_an_unanswered_leaf_saves_and_asks_for_the_confirmation(
    as_user, leader_a, year, sent_to
):
    client = as_user(leader_a)
    data = {**answers_post(year, _2_3_1="Nộp đúng hạn"), "action": "send"}
    response = client.post(page_url(year), data, follow=True)
    assert leaf(year, "2.3.1").explanation_answer == "Nộp đúng hạn"
    assert assessment_of(year).explanation_submitted_at is None
    assert messages_of(response) == [
        "Giải trình đã được lưu nhưng chưa gửi: Còn 1 tiêu chí chưa có giải trình (1.3.2): hãy "
        "xác nhận đã xem trước khi gửi."
    ]
    html = response.content.decode()
    assert "Còn 1 tiêu chí chưa có giải trình" in html
    assert 'href="#leaf-1-3-2"' in html
    data = {**answers_post(year, _2_3_1="Nộp đúng hạn"), "action": "send", "unanswered_seen": "on"}
    assert client.post(page_url(year), data).status_code == 302
    assert assessment_of(year).explanation_submitted_by == leader_a


def test_a_bad_answer_is_neither_saved_nor_sent(as_user, leader_a, year, sent_to):
    data = {**answers_post(year, _1_3_2="x" * 20_001, _2_3_1="Ok"), "action": "send"}
    response = as_user(leader_a).post(page_url(year), data)
    assert response.status_code == 200
    assert "Dài quá: tối đa 20000 ký tự" in response.content.decode()
    assert assessment_of(year).explanation_submitted_at is None
    assert leaf(year, "2.3.1").explanation_answer == ""


def test_taking_back_goes_through_a_confirmation_step(as_user, officer_a, leader_a, year, sent_to):
    answer_all(year, officer_a)
    send(year, leader_a)
    client = as_user(leader_a)
    html = client.get(page_url(year)).content.decode()
    assert "Rút lại giải trình để sửa" in html
    assert 'data-testid="confirm-withdraw"' not in html
    html = client.get(page_url(year) + "?withdraw=1").content.decode()
    assert 'data-testid="confirm-withdraw"' in html
    assert 'name="confirm" value="1"' in html
    # A post without the confirmation only leads to it.
    response = client.post(page_url(year), {"action": "withdraw"})
    assert response.status_code == 302
    assert response.url == page_url(year) + "?withdraw=1#confirm-withdraw"
    assert assessment_of(year).explanation_submitted_at is not None
    response = client.post(page_url(year), {"action": "withdraw", "confirm": "1"})
    assert response.status_code == 302
    assert assessment_of(year).explanation_submitted_at is None
    html = client.get(page_url(year)).content.decode()
    assert "Bản nháp, chưa gửi" in html
    assert "<fieldset disabled" not in html


def test_the_officer_cannot_take_back_nor_see_the_confirmation(
    as_user, officer_a, leader_a, year, sent_to
):
    answer_all(year, officer_a)
    send(year, leader_a)
    client = as_user(officer_a)
    html = client.get(page_url(year) + "?withdraw=1").content.decode()
    assert 'data-testid="confirm-withdraw"' not in html
    assert "Rút lại giải trình để sửa" not in html
    response = client.post(page_url(year), {"action": "withdraw", "confirm": "1"})
    assert response.status_code == 403
    assert assessment_of(year).explanation_submitted_by == leader_a


def test_after_the_deadline_a_sent_explanation_cannot_be_taken_back_from_the_page(
    client, officer_a, leader_a, year, sent_to
):
    answer_all(year, officer_a)
    send(year, leader_a)
    with time_machine.travel(year.explanation_closes + dt.timedelta(minutes=1), tick=False):
        client.force_login(leader_a)
        html = client.get(page_url(year) + "?withdraw=1").content.decode()
        assert 'data-testid="confirm-withdraw"' not in html
        assert "Rút lại giải trình để sửa" not in html
        response = client.post(page_url(year), {"action": "withdraw", "confirm": "1"}, follow=True)
        assert "Vòng giải trình đã đóng, không thể rút lại giải trình." in messages_of(response)
    assert assessment_of(year).explanation_submitted_by == leader_a


@pytest.mark.parametrize("who", ["appraiser", "interior_admin"])
def test_the_interior_department_reads_the_sending_state_but_cannot_send(
    as_user, request, officer_a, leader_a, year, sent_to, who
):
    client = as_user(request.getfixturevalue(who))
    html = client.get(page_url(year)).content.decode()
    assert "Bản nháp, chưa gửi" in html
    assert 'value="send"' not in html
    assert client.post(page_url(year), {"action": "send"}).status_code == 403
    answer_all(year, officer_a)
    send(year, leader_a)
    html = client.get(page_url(year)).content.decode()
    assert "Lãnh đạo đơn vị đã gửi giải trình lúc" in html


def test_once_sent_the_page_costs_one_query_more_for_the_sender_whatever_its_rows(
    officer_a, leader_a, year, sent_to
):
    """Sent, the page names who sent: one query for that person, nothing per leaf."""
    client = Client()
    client.force_login(officer_a)
    client.get(page_url(year))  # the session as it will be

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page_url(year)).status_code == 200
        return len(captured)

    draft = queries()
    answer_all(year, officer_a)
    send(year, leader_a)
    assert queries() == draft + 1


def test_an_assessment_fetched_before_the_sending_is_still_refused(
    officer_a, leader_a, year, sent_to
):
    """The service reads the row under its lock, not the caller's stale copy."""
    stale = Assessment.objects.select_related("year", "unit").get(year=year, unit__code=VQ)
    answer_all(year, officer_a)
    send(year, leader_a)
    with pytest.raises(ValidationError, match="Giải trình đã được gửi"):
        submit_explanations(
            assessment=stale, roles=roles_of(leader_a), user=leader_a, unanswered_seen=True
        )


def test_stepping_back_into_the_round_makes_what_was_sent_a_draft_again(
    officer_a, leader_a, interior_admin, year, sent_to
):
    answer_all(year, officer_a)
    send(year, leader_a)
    admin = roles_of(interior_admin)
    # The demo's deadlines around the round are not in order with the fixture's explanation
    # deadline: not this test's concern.
    AssessmentYear.objects.filter(pk=year.pk).update(
        appraisal_closes=None, final_appraisal_closes=None, publication_due=None
    )
    year = AssessmentYear.objects.get(pk=year.pk)
    year = advance_year(year=year, roles=admin, to_state="final_appraisal", user=interior_admin)
    step_back_year(
        year=year,
        roles=admin,
        user=interior_admin,
        from_state="final_appraisal",
        reason="Đơn vị cần bổ sung giải trình",
        deadline=year.explanation_closes,  # the round's deadline as it was: still ahead
    )
    assessment = assessment_of(year)
    assert assessment.explanation_submitted_at is None
    assert assessment.explanation_submitted_by is None
    assert explanation_open(assessment)  # the unit answers again, and its leader sends again
    last = sending_events(year)[-1]
    assert last.actor == interior_admin
    assert last.note == "Đơn vị cần bổ sung giải trình"
    assert last.changes["explanation_submitted_by"][1] is None
