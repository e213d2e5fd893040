"""Notifications: who each event of the year reaches, the mail (on or off, in the reader's
language, one failing address among others), the bell, the list, and its access rules."""

from __future__ import annotations

import datetime as dt
import logging
import threading

import pytest
from django.contrib.auth.models import Group, User
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from scoring import notification_texts, services
from scoring.models import Assessment, AssessmentYear, FieldAssignment, Notification
from scoring.selectors import notifications as selectors
from scoring.services import notifications
from tests.scoring.appraisal_helpers import VQ, open_explanation_round
from units.models import AccountState, Membership, Unit
from units.roles import GROUP_APPRAISER, roles_of

Kind = Notification.Kind
HL = "tx-hong-linh"


@pytest.fixture(autouse=True)
def no_demo_notifications(db):
    """The demo's own steps notified its accounts; each test starts from none."""
    Notification.objects.all().delete()


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run what the code defers to the commit (the senders, then the mail), as in production."""

    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


def received(kind=None, **filters) -> dict[str, Notification]:
    """Username -> notification, of every notification (of the kind) there is."""
    rows = Notification.objects.select_related("recipient").filter(**filters)
    if kind is not None:
        rows = rows.filter(kind=kind)
    return {row.recipient.username: row for row in rows}


def with_email(user, address, *, wants=True, language=None):
    user.email = address
    user.save(update_fields=["email"])
    if language is not None or not wants:
        AccountState.objects.update_or_create(
            user=user, defaults={"email_notifications": wants, "language": language or "vi"}
        )
    return user


def new_user(username, *, group=None, unit=None, role=Membership.Role.OFFICER, active=True):
    user = User.objects.create_user(username, is_active=active)
    if group:
        user.groups.add(Group.objects.get(name=group))
    if unit:
        Membership.objects.create(user=user, unit=unit, role=role)
    return user


def with_state(year, state):
    AssessmentYear.objects.filter(pk=year.pk).update(state=state)
    return AssessmentYear.objects.get(pk=year.pk)


# --- the events --------------------------------------------------------------------------------


def test_self_assessment_opening_reaches_the_staff_of_the_assessed_units(
    run_on_commit, year_2024, officer_a, leader_a, officer_b
):
    other_level_unit = Unit.objects.create(
        level=year_2024.unit_level, code="xa-moi", name="Xã Mới", kind="xa"
    )  # of the level, but not assessed this year
    new_user("xamoi.canbo", unit=other_level_unit)
    new_user("nghiviec.canbo", unit=Unit.objects.get(code=VQ), active=False)

    created = run_on_commit(notifications.year_step, year_2024)

    got = received(Kind.YEAR_STEP)
    assert {"vuquang.canbo", "vuquang.lanhdao", "honglinh.canbo"} <= set(got)
    assert not {"xamoi.canbo", "nghiviec.canbo", "snv.thamdinh", "snv.quantri", "xem"} & set(got)
    assert len(created) == len(got)
    mine = got["vuquang.canbo"]
    assert mine.url == reverse("entry", args=[year_2024.pk, VQ])
    assert mine.unit.code == VQ
    assert got["honglinh.canbo"].url == reverse("entry", args=[year_2024.pk, HL])
    assert mine.params["state"] == "self_assessment"
    assert mine.params["deadline"] == "self_assessment_closes"
    text = notification_texts.render(mine.kind, mine.params)
    assert text.title == "Mở tự đánh giá năm 2024"
    assert "Hạn tự đánh giá: " in text.body


def test_advancing_a_year_sends_its_notifications_after_the_commit(
    run_on_commit, year_2024, interior_admin, appraiser, officer_a, viewer
):
    """Through the service: 2024 goes to appraisal; none is assigned to its fields yet, so the
    whole Interior Department hears of it."""
    run_on_commit(
        services.advance_year,
        year=year_2024,
        roles=roles_of(interior_admin),
        to_state="appraisal",
        user=interior_admin,
    )
    got = received(Kind.YEAR_STEP)
    assert set(got) == {"snv.thamdinh", "snv.quantri"}
    assert got["snv.thamdinh"].url == reverse("worklist", args=[year_2024.pk])
    assert notification_texts.render(Kind.YEAR_STEP, got["snv.quantri"].params).title == (
        "Bắt đầu thẩm định năm 2024"
    )


def test_a_refused_step_tells_no_one(run_on_commit, year_2024, interior_admin):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        run_on_commit(
            services.advance_year,
            year=year_2024,
            roles=roles_of(interior_admin),
            to_state="published",  # a jump
            user=interior_admin,
        )
    assert not Notification.objects.exists()


def test_appraisal_steps_reach_the_assigned_appraisers_only(run_on_commit, year_2023):
    unassigned = new_user("chuaphancong.thamdinh", group=GROUP_APPRAISER)
    run_on_commit(notifications.year_step, year_2023)  # in appraisal, every field assigned
    assert set(received(Kind.YEAR_STEP)) == {"snv.thamdinh"}

    Notification.objects.all().delete()
    run_on_commit(notifications.year_step, with_state(year_2023, "final_appraisal"))
    got = received(Kind.YEAR_STEP)
    assert set(got) == {"snv.thamdinh"}
    assert unassigned.username not in got
    assert got["snv.thamdinh"].params["state"] == "final_appraisal"


def test_explanation_round_tells_units_with_flagged_leaves_how_many(
    run_on_commit, year_2023, appraiser
):
    year = open_explanation_round(appraiser, year_2023)  # Vũ Quang: two leaves flagged
    run_on_commit(notifications.year_step, year)

    got = received(Kind.FLAGGED)
    assert set(got) == {"vuquang.canbo", "vuquang.lanhdao"}
    assert not received(Kind.YEAR_STEP)
    row = got["vuquang.canbo"]
    assert row.params["count"] == 2
    assert row.url == reverse("explanation", args=[year.pk, VQ])
    text = notification_texts.render(row.kind, row.params)
    assert text.title == "2 tiêu chí cần giải trình"
    assert "Huyện Vũ Quang" in text.body
    assert "Hạn giải trình: " in text.body


def test_explanation_round_without_flags_tells_no_one(run_on_commit, year_2023):
    run_on_commit(notifications.year_step, with_state(year_2023, "explanation"))
    assert not Notification.objects.exists()


def test_publication_reaches_everyone_concerned(
    run_on_commit, year_2022, officer_a, officer_b, leader_a, appraiser, interior_admin, viewer
):
    nobody = new_user("khongvaitro")  # signed in, but no role anywhere
    new_user("nghiviec.thamdinh", group=GROUP_APPRAISER, active=False)
    run_on_commit(notifications.year_step, year_2022)

    got = received(Kind.YEAR_STEP)
    cast = {"vuquang.canbo", "vuquang.lanhdao", "honglinh.canbo"}
    cast |= {"snv.thamdinh", "snv.quantri", "xem"}
    assert cast <= set(got)
    assert nobody.username not in got and "nghiviec.thamdinh" not in got
    assert got["vuquang.canbo"].url == reverse("scorecard", args=[year_2022.pk, VQ])
    assert got["honglinh.canbo"].url == reverse("scorecard", args=[year_2022.pk, HL])
    for name in ("snv.thamdinh", "snv.quantri", "xem"):
        assert got[name].url == reverse("ranking", args=[year_2022.pk])
    assert notification_texts.render(Kind.YEAR_STEP, got["xem"].params).title == (
        "Công bố kết quả năm 2022"
    )


def test_the_recipients_cost_the_same_queries_whatever_their_number(run_on_commit, year_2022):
    def queries():
        Notification.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            run_on_commit(notifications.year_step, year_2022)
        return len(captured), Notification.objects.count()

    before, sent_before = queries()
    for n in range(5):
        new_user(f"them{n}.canbo", unit=Unit.objects.get(code=HL))
        new_user(f"them{n}.xem", group="viewer")
    after, sent_after = queries()
    assert sent_after == sent_before + 10
    assert after == before


def test_a_submission_reaches_every_appraiser_and_admin_while_none_is_assigned(
    run_on_commit, year_2024
):
    assessment = Assessment.objects.get(year=year_2024, unit__code=VQ)
    run_on_commit(notifications.submission_received, assessment)
    got = received(Kind.SUBMITTED)
    assert set(got) == {"snv.thamdinh", "snv.quantri"}
    row = got["snv.thamdinh"]
    assert row.url == reverse("entry", args=[year_2024.pk, VQ])
    assert notification_texts.render(row.kind, row.params).title == (
        "Huyện Vũ Quang đã gửi tự đánh giá năm 2024"
    )


def test_a_submission_reaches_the_assigned_appraisers_only(run_on_commit, year_2023):
    assessment = Assessment.objects.get(year=year_2023, unit__code=VQ)
    run_on_commit(notifications.submission_received, assessment)
    assert set(received(Kind.SUBMITTED)) == {"snv.thamdinh"}


def test_an_admin_holding_a_field_is_told_of_submissions_as_its_appraiser(
    run_on_commit, year_2023, interior_admin
):
    field = FieldAssignment.objects.filter(year=year_2023).first().field
    FieldAssignment.objects.create(year=year_2023, field=field, appraiser=interior_admin)
    assessment = Assessment.objects.get(year=year_2023, unit__code=VQ)
    run_on_commit(notifications.submission_received, assessment)
    assert set(received(Kind.SUBMITTED)) == {"snv.thamdinh", "snv.quantri"}


def test_an_assigned_account_that_left_the_appraisers_is_not_told(
    run_on_commit, year_2023, appraiser
):
    appraiser.groups.clear()  # left the Department: its assignments stay, its role does not
    assessment = Assessment.objects.get(year=year_2023, unit__code=VQ)
    run_on_commit(notifications.submission_received, assessment)
    assert "snv.thamdinh" not in received(Kind.SUBMITTED)


def test_sent_explanations_reach_the_appraisers_with_the_explanation_page(run_on_commit, year_2023):
    assessment = Assessment.objects.get(year=year_2023, unit__code=VQ)
    run_on_commit(notifications.explanation_submitted, assessment)
    got = received(Kind.EXPLANATION_SUBMITTED)
    assert set(got) == {"snv.thamdinh"}
    assert got["snv.thamdinh"].url == reverse("explanation", args=[year_2023.pk, VQ])
    assert notification_texts.render(Kind.EXPLANATION_SUBMITTED, got["snv.thamdinh"].params) == (
        notification_texts.Text(
            title="Huyện Vũ Quang đã gửi giải trình năm 2023",
            body="Huyện Vũ Quang đã gửi giải trình của kỳ đánh giá năm 2023 (Cấp huyện).",
        )
    )


def test_a_failing_sender_is_logged_and_the_change_stands(
    run_on_commit, year_2024, monkeypatch, caplog
):
    def broken(year):
        raise RuntimeError("database gone")

    monkeypatch.setattr(selectors, "unit_staff", broken)
    with caplog.at_level(logging.ERROR, logger="cchc.notifications"):
        assert run_on_commit(notifications.year_step, year_2024) == []
    assert "year_step" in caplog.text
    assert not Notification.objects.exists()


# --- the texts ----------------------------------------------------------------------------------


def test_a_notification_with_missing_parameters_reads_as_its_kind():
    assert notification_texts.render(Kind.FLAGGED, {}).title == "Tiêu chí cần giải trình"
    assert notification_texts.render(Kind.YEAR_STEP, {"state": "nowhere"}).body == ""
    assert notification_texts.render("unknown.kind", {}).title == "unknown.kind"


def test_a_deadline_reminder_reads_its_deadline():
    at = dt.datetime(2024, 11, 30, 10, 0, tzinfo=dt.UTC).isoformat()
    text = notification_texts.render(
        Kind.DEADLINE,
        {"deadline": "explanation_closes", "at": at, "year": 2024, "level": "Cấp huyện"},
    )
    assert text.title == "Sắp đến hạn: Hạn giải trình, 17:00 30/11/2024"  # local time
    assert text.body == "Hạn giải trình của kỳ đánh giá năm 2024 (Cấp huyện): 17:00 30/11/2024."


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ({"work": "self_assessment", "left": 4, "unit": "Huyện Vũ Quang"},
         "Đơn vị: Huyện Vũ Quang. Còn 4 việc cần hoàn thành trước khi gửi."),
        ({"work": "explanation", "left": 2}, "Còn 2 tiêu chí chưa giải trình."),
        ({"work": "appraisal", "left": 30, "units": 3, "unassigned": ["3", "10"]},
         "Còn 30 tiêu chí chưa thẩm định, của 3 đơn vị. "
         "Lĩnh vực chưa phân công người thẩm định: 3, 10."),
    ],
)  # fmt: skip
def test_a_deadline_reminder_says_the_days_and_the_work_left(extra, says):
    at = dt.datetime(2024, 11, 30, 10, 0, tzinfo=dt.UTC).isoformat()
    params = {"deadline": "self_assessment_closes", "at": at, "year": 2024, "level": "Cấp huyện"}
    text = notification_texts.render(Kind.DEADLINE, params | {"days": 3} | extra)
    assert text.title == "Hạn tự đánh giá năm 2024: còn 3 ngày"
    assert text.body == (
        "Hạn tự đánh giá của kỳ đánh giá năm 2024 (Cấp huyện): 17:00 30/11/2024. " + says
    )


def test_a_deadline_reminder_with_an_unknown_deadline_reads_as_its_kind():
    text = notification_texts.render(Kind.DEADLINE, {"deadline": "tomorrow", "at": "soon"})
    assert text == notification_texts.Text("Sắp đến hạn", "")


# --- e-mail ------------------------------------------------------------------------------------


def step_2024(run_on_commit, year_2024):
    return run_on_commit(notifications.year_step, year_2024)


def test_mail_goes_to_those_who_want_it_and_have_an_address(
    run_on_commit, mailoutbox, year_2024, officer_a, leader_a, officer_b
):
    with_email(officer_a, "canbo@vuquang.example")
    with_email(leader_a, "lanhdao@vuquang.example", wants=False)
    # officer_b has no address

    step_2024(run_on_commit, year_2024)

    assert [m.to for m in mailoutbox] == [["canbo@vuquang.example"]]
    message = mailoutbox[0]
    assert message.subject == "[Chỉ số CCHC] Mở tự đánh giá năm 2024"
    link = "http://127.0.0.1:8000" + reverse(
        "notification_open", args=[received()["vuquang.canbo"].pk]
    )
    assert link in message.body
    assert "http://127.0.0.1:8000" + reverse("notification_settings") in message.body
    got = received()
    assert got["vuquang.canbo"].emailed_at is not None
    assert got["vuquang.lanhdao"].emailed_at is None  # e-mail off: the bell only
    assert got["honglinh.canbo"].emailed_at is None


def test_an_account_without_a_state_row_gets_mail_in_vietnamese(
    run_on_commit, mailoutbox, year_2024, officer_a
):
    AccountState.objects.filter(user=officer_a).delete()
    with_email(officer_a, "canbo@vuquang.example")
    step_2024(run_on_commit, year_2024)
    (message,) = mailoutbox
    assert message.extra_headers["Content-Language"] == "vi"
    assert "Kính gửi" in message.body


def test_mail_is_written_in_the_recipients_language(
    run_on_commit, mailoutbox, year_2024, officer_a, leader_a, settings
):
    settings.SITE_URL = "https://cchc.example.gov.vn"
    with_email(officer_a, "canbo@vuquang.example", language="en")
    with_email(leader_a, "lanhdao@vuquang.example", language="vi")
    step_2024(run_on_commit, year_2024)

    by_address = {m.to[0]: m for m in mailoutbox}
    english, vietnamese = by_address["canbo@vuquang.example"], by_address["lanhdao@vuquang.example"]
    assert english.extra_headers["Content-Language"] == "en"
    assert vietnamese.extra_headers["Content-Language"] == "vi"
    html, _type = english.alternatives[0]
    assert '<html lang="en">' in html
    # The year's deadline names are translated already: the body speaks English, the other
    # mail Vietnamese, from the same notification kind.
    assert "Self-assessment deadline: " in english.body
    assert "Hạn tự đánh giá: " in vietnamese.body
    assert "https://cchc.example.gov.vn/notifications/" in english.body


def test_a_language_the_site_does_not_offer_falls_back_to_vietnamese(
    run_on_commit, mailoutbox, year_2024, officer_a
):
    with_email(officer_a, "canbo@vuquang.example", language="fr")
    step_2024(run_on_commit, year_2024)
    assert mailoutbox[0].extra_headers["Content-Language"] == "vi"


class FailingForOne(BaseEmailBackend):
    """Delivers to ``sent`` except to one refused address, like an SMTP server refusing it."""

    sent: list = []

    def send_messages(self, messages):
        for message in messages:
            if "refused@example.com" in message.to:
                raise OSError("550 mailbox unavailable")
            FailingForOne.sent.append(message)
        return len(messages)


class CannotOpen(BaseEmailBackend):
    def open(self):
        raise OSError("connection refused")

    def send_messages(self, messages):  # pragma: no cover - never reached
        raise AssertionError("no connection")


def test_one_failing_address_does_not_stop_the_others(
    run_on_commit, year_2024, officer_a, leader_a, officer_b, settings, caplog
):
    settings.EMAIL_BACKEND = f"{__name__}.FailingForOne"
    FailingForOne.sent = []
    with_email(officer_a, "canbo@vuquang.example")
    with_email(leader_a, "refused@example.com")
    with_email(officer_b, "canbo@honglinh.example")

    with caplog.at_level(logging.ERROR, logger="cchc.notifications"):
        step_2024(run_on_commit, year_2024)

    assert sorted(m.to[0] for m in FailingForOne.sent) == [
        "canbo@honglinh.example",
        "canbo@vuquang.example",
    ]
    assert "refused@example.com" in caplog.text
    assert [r.name for r in caplog.records] == ["cchc.notifications"]
    got = received()
    assert got["vuquang.canbo"].emailed_at is not None
    assert got["honglinh.canbo"].emailed_at is not None
    assert got["vuquang.lanhdao"].emailed_at is None  # not sent: may be sent again later


def test_a_mail_backend_that_cannot_open_is_logged(
    run_on_commit, year_2024, officer_a, settings, caplog
):
    settings.EMAIL_BACKEND = f"{__name__}.CannotOpen"
    with_email(officer_a, "canbo@vuquang.example")
    with caplog.at_level(logging.ERROR, logger="cchc.notifications"):
        step_2024(run_on_commit, year_2024)
    assert "could not be opened" in caplog.text
    assert received()["vuquang.canbo"].emailed_at is None  # still on the bell


def test_a_notification_is_mailed_once(run_on_commit, mailoutbox, year_2024, officer_a):
    with_email(officer_a, "canbo@vuquang.example")
    created = step_2024(run_on_commit, year_2024)
    notifications.deliver(created)
    assert len(mailoutbox) == 1


def test_deliver_costs_two_queries_whatever_the_number(
    year_2022, mailoutbox, django_assert_num_queries
):
    created = notifications.year_step(year_2022)  # callbacks not run: nothing mailed yet
    users = User.objects.filter(pk__in=[row.recipient_id for row in created])
    for user in users:
        with_email(user, f"{user.username}@example.com")
    # the notifications (with each recipient and account state), then the "mailed" mark
    with django_assert_num_queries(2):
        notifications.deliver(created)
    assert len(mailoutbox) == len(created) > 5


# --- notify() and its key ----------------------------------------------------------------------


def test_notify_creates_a_keyed_notification_once(run_on_commit, officer_a, mailoutbox):
    with_email(officer_a, "canbo@vuquang.example")
    first = run_on_commit(
        notifications.notify, [officer_a, officer_a], kind=Kind.DEADLINE, key="deadline:1"
    )
    again = run_on_commit(notifications.notify, [officer_a], kind=Kind.DEADLINE, key="deadline:1")
    assert len(first) == 1 and again == []
    assert Notification.objects.filter(recipient=officer_a, key="deadline:1").count() == 1
    assert len(mailoutbox) == 1


def test_notify_skips_inactive_accounts(run_on_commit):
    gone = new_user("nghiviec", active=False)
    assert run_on_commit(notifications.notify, [gone], kind=Kind.DEADLINE) == []


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_create_a_keyed_notification_once():
    """Two processes sending the same reminder at the same moment: the unique constraint lets
    one row through. Needs real concurrent transactions: PostgreSQL only."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: no concurrent transactions to race")
    user = User.objects.create_user("dongthoi")
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            with transaction.atomic():
                barrier.wait(timeout=10)
                results.append(
                    notifications.notify([user], kind=Kind.DEADLINE, key="deadline:race")
                )
        except Exception as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(len(r) for r in results) == [0, 1]
    assert Notification.objects.filter(recipient=user, key="deadline:race").count() == 1


# --- the bell, the list, opening, marking read ------------------------------------------------


def make(user, n=1, **fields):
    fields = {"url": reverse("home")} | fields
    rows = [
        Notification(
            recipient=user,
            kind=Kind.SUBMITTED,
            params={"unit": f"Đơn vị {i}", "year": 2024, "level": "Cấp huyện"},
            created_at=timezone.now() - dt.timedelta(minutes=n - i),
            **fields,
        )
        for i in range(n)
    ]
    return Notification.objects.bulk_create(rows)


def test_the_bell_shows_the_unread_count_in_one_query(as_user, appraiser, officer_a):
    make(appraiser, 3)
    make(appraiser, 2, read_at=timezone.now())
    make(officer_a, 4)  # someone else's
    client = as_user(appraiser)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("home"))
    html = response.content.decode()
    assert 'data-testid="bell-count">3<' in html
    assert "Thông báo, 3 chưa đọc" in html
    bell_queries = [q for q in captured if "scoring_notification" in q["sql"]]
    assert len(bell_queries) == 1


def test_the_bell_without_unread_notifications_shows_no_number(as_user, appraiser):
    make(appraiser, 1, read_at=timezone.now())
    html = as_user(appraiser).get(reverse("home")).content.decode()
    assert 'data-testid="bell"' in html
    assert 'data-testid="bell-count"' not in html
    assert "Thông báo, không có thông báo chưa đọc" in html


def test_the_bell_shows_99_plus(as_user, appraiser):
    make(appraiser, 120)
    html = as_user(appraiser).get(reverse("home")).content.decode()
    assert 'data-testid="bell-count">99+<' in html
    assert "Thông báo, 120 chưa đọc" in html


def test_no_bell_for_an_anonymous_visitor(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        html = client.get(reverse("login")).content.decode()
    assert 'data-testid="bell"' not in html


def test_the_list_shows_own_notifications_newest_first_unread_highlighted(
    as_user, appraiser, officer_a
):
    make(appraiser, 2)
    oldest = Notification.objects.filter(recipient=appraiser).order_by("created_at").first()
    Notification.objects.filter(pk=oldest.pk).update(read_at=timezone.now())
    make(officer_a, 1, url="")
    response = as_user(appraiser).get(reverse("notifications"))
    assert response.status_code == 200
    lines = response.context["lines"]
    assert [line.title for line in lines] == [
        "Đơn vị 1 đã gửi tự đánh giá năm 2024",
        "Đơn vị 0 đã gửi tự đánh giá năm 2024",
    ]
    assert [line.unread for line in lines] == [True, False]
    html = response.content.decode()
    assert html.count("notification-unread") == 1
    assert reverse("notification_open", args=[lines[0].id]) in html
    assert "Đánh dấu đã đọc tất cả" in html


def test_the_list_is_paginated_and_survives_a_bad_page_number(as_user, appraiser):
    make(appraiser, selectors.PER_PAGE + 5)
    client = as_user(appraiser)
    assert len(client.get(reverse("notifications")).context["lines"]) == selectors.PER_PAGE
    assert len(client.get(reverse("notifications") + "?page=2").context["lines"]) == 5
    assert client.get(reverse("notifications") + "?page=abc").context["page"].number == 1
    assert client.get(reverse("notifications") + "?page=999").context["page"].number == 2


def test_the_list_costs_the_same_queries_for_one_notification_or_a_full_page(as_user, appraiser):
    client = as_user(appraiser)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("notifications")).status_code == 200
        return len(captured)

    make(appraiser, 1)
    one = queries()
    make(appraiser, selectors.PER_PAGE + 5)
    assert queries() == one


def test_an_empty_list_says_so(as_user, viewer):
    html = as_user(viewer).get(reverse("notifications")).content.decode()
    assert "Chưa có thông báo nào." in html
    assert "Đánh dấu đã đọc tất cả" not in html


def test_opening_a_notification_marks_it_read_and_follows_its_link(as_user, officer_a):
    (row,) = make(officer_a, 1, url=reverse("ranking", args=[1]))
    response = as_user(officer_a).get(reverse("notification_open", args=[row.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("ranking", args=[1])
    row.refresh_from_db()
    assert row.read_at is not None


def test_opening_a_notification_without_a_safe_link_goes_to_the_list(as_user, officer_a):
    (empty,) = make(officer_a, 1, url="")
    (outside,) = make(officer_a, 1, url="https://lua-dao.example/")
    client = as_user(officer_a)
    for row in (empty, outside):
        response = client.get(reverse("notification_open", args=[row.pk]))
        assert response["Location"] == reverse("notifications")


def test_someone_elses_notification_is_not_found_and_stays_unread(as_user, officer_a, officer_b):
    (row,) = make(officer_a, 1)
    response = as_user(officer_b).get(reverse("notification_open", args=[row.pk]))
    assert response.status_code == 404
    row.refresh_from_db()
    assert row.read_at is None


def test_an_unknown_notification_is_not_found(as_user, officer_a):
    assert as_user(officer_a).get(reverse("notification_open", args=[987654])).status_code == 404


def test_opening_needs_a_sign_in(client, officer_a):
    (row,) = make(officer_a, 1)
    response = client.get(reverse("notification_open", args=[row.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_mark_all_read_marks_only_ones_own(as_user, officer_a, officer_b):
    make(officer_a, 3)
    make(officer_b, 2)
    response = as_user(officer_a).post(reverse("notifications_read_all"), follow=True)
    assert "Đã đánh dấu 3 thông báo là đã đọc." in response.content.decode()
    assert not Notification.objects.filter(recipient=officer_a, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=officer_b, read_at__isnull=True).count() == 2


def test_mark_all_read_is_a_post(as_user, officer_a):
    make(officer_a, 1)
    assert as_user(officer_a).get(reverse("notifications_read_all")).status_code == 405
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


# --- preferences and language ------------------------------------------------------------------


def test_preferences_show_the_defaults_for_an_account_without_a_state(as_user, officer_a):
    AccountState.objects.filter(user=officer_a).delete()
    response = as_user(officer_a).get(reverse("notification_settings"))
    assert response.status_code == 200
    assert response.context["form"].initial == {"email_notifications": True, "language": "vi"}
    assert 'data-testid="no-email"' in response.content.decode()


def test_preferences_turn_mail_off_and_choose_its_language(as_user, officer_a):
    client = as_user(officer_a)
    response = client.post(reverse("notification_settings"), {"language": "en"})
    assert response.status_code == 302
    state = AccountState.objects.get(user=officer_a)
    assert (state.email_notifications, state.language) == (False, "en")
    client.post(reverse("notification_settings"), {"email_notifications": "on", "language": "vi"})
    state.refresh_from_db()
    assert (state.email_notifications, state.language) == (True, "vi")


def test_preferences_refuse_a_language_the_site_does_not_offer(as_user, officer_a):
    response = as_user(officer_a).post(
        reverse("notification_settings"), {"email_notifications": "on", "language": "fr"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["language"]
    assert not AccountState.objects.filter(user=officer_a, language="fr").exists()


def test_the_service_refuses_a_language_the_site_does_not_offer(officer_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        notifications.set_preferences(user=officer_a, email_notifications=True, language="xx")


def test_changing_the_site_language_changes_the_mail_language(as_user, officer_a):
    client = as_user(officer_a)
    response = client.post(reverse("choose_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
    assert AccountState.objects.get(user=officer_a).language == "en"
    client.post(reverse("choose_language"), {"language": "xx", "next": "/"})
    assert AccountState.objects.get(user=officer_a).language == "en"  # unknown: ignored


def test_an_anonymous_visitor_changes_the_language_without_an_account(client):
    response = client.post(reverse("choose_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"


def test_the_footer_switch_posts_to_the_recording_view(as_user, officer_a):
    html = as_user(officer_a).get(reverse("home")).content.decode()
    assert f'action="{reverse("choose_language")}"' in html


def test_recipients_of_a_unit_ignore_an_interior_account_holding_a_unit_role(year_2024):
    """Data older than the separation of duties: the unit role is ignored, as roles_of does."""
    both = new_user("caihai.thamdinh", group=GROUP_APPRAISER)
    Membership.objects.bulk_create(  # bulk: past the signal that refuses it today
        [Membership(user=both, unit=Unit.objects.get(code=VQ), role="officer")]
    )
    staff = {m.user.username for m in selectors.unit_staff(year_2024)}
    assert "vuquang.canbo" in staff and both.username not in staff
