"""`manage.py send_reminders`: 7, 3 and 1 days before the deadline that closes a year's step,
once each, to those who still have work before it (and to nobody else)."""

import datetime as dt
import io
import threading

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from scoring.demo.load import load_demo
from scoring.management.commands.send_reminders import reminder_key
from scoring.models import Assessment, AssessmentYear, FieldAssignment, LeafScore, Notification
from scoring.selectors import who_has_work
from scoring.selectors.todo import reminder_tier
from tests.scoring.appraisal_helpers import (
    HL,
    VQ,
    VQ_FIELD_1,
    appraise,
    entry,
    node_of,
    open_explanation_round,
)
from units.models import Membership, Unit

SA = "self_assessment_closes"


def run(now: dt.datetime | None = None, *extra: str) -> str:
    out = io.StringIO()
    args = [*extra]
    if now is not None:
        args += ["--now", now.isoformat()]
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def key(year, deadline, days, unit_code=None):
    """A reminder's key: a unit's staff are reminded of each of their units."""
    unit = Unit.objects.get(code=unit_code) if unit_code else None
    return reminder_key(year, deadline, days, unit)


def reminded(year, deadline=None):
    """username -> [the days of each reminder] of this year (and deadline)."""
    rows = Notification.objects.filter(
        kind=Notification.Kind.DEADLINE, key__startswith=f"deadline:{year.pk}:"
    )
    if deadline:
        rows = rows.filter(key__startswith=f"deadline:{year.pk}:{deadline}:")
    found: dict[str, list[int]] = {}
    for row in rows.select_related("recipient").order_by("created_at", "id"):
        found.setdefault(row.recipient.username, []).append(int(row.key.rsplit(":", 1)[1]))
    return found


def reminder_of(user, year) -> Notification:
    """The one deadline reminder of a person in a year (other notifications aside)."""
    return Notification.objects.get(
        recipient__username=getattr(user, "username", user),
        kind=Notification.Kind.DEADLINE,
        year=year,
    )


def unit_leaves(year) -> int:
    return (
        year.framework.nodes.filter(filled_by="unit").exclude(rule="").count()
    )  # every leaf a unit fills


def submit(year, unit):
    Assessment.objects.filter(year=year, unit__code=unit).update(
        status=Assessment.Status.SUBMITTED, submitted_at=timezone.now()
    )


STAFF = {"vuquang.canbo", "vuquang.lanhdao", "honglinh.canbo"}


def move_2023_apart():
    """The demo closes 2023's appraisal and 2024's self-assessment at the same moment: 2023's
    is moved 10 days later, so that each test's runs concern one year."""
    AssessmentYear.objects.filter(year=2023, unit_level__code="cap-huyen").update(
        appraisal_closes=F("appraisal_closes") + dt.timedelta(days=10)
    )


@pytest.fixture(autouse=True)
def apart(db):
    move_2023_apart()


# --- when ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "tier"),
    [
        (dt.timedelta(days=8), None),
        (dt.timedelta(days=7, seconds=1), None),
        (dt.timedelta(days=7), 7),
        (dt.timedelta(days=3, seconds=1), 7),
        (dt.timedelta(days=3), 3),
        (dt.timedelta(days=1, seconds=1), 3),
        (dt.timedelta(days=1), 1),
        (dt.timedelta(seconds=1), 1),
        (dt.timedelta(0), None),
        (-dt.timedelta(hours=1), None),
    ],
)
def test_the_reminder_due_is_the_most_urgent_one_within_reach(before, tier):
    at = dt.datetime(2024, 11, 30, 17, tzinfo=dt.UTC)
    assert reminder_tier(at, at - before) == tier


def test_the_7_day_reminder_reaches_the_staff_of_every_unit_not_submitted(year_2024):
    closes = year_2024.self_assessment_closes
    output = run(closes - dt.timedelta(days=6, hours=12))
    assert reminded(year_2024) == {name: [7] for name in STAFF}
    row = Notification.objects.get(
        recipient__username="honglinh.canbo", key=key(year_2024, SA, 7, HL)
    )
    assert row.kind == Notification.Kind.DEADLINE
    assert row.year_id == year_2024.pk and row.unit.code == HL
    assert row.url == reverse("entry", args=[year_2024.pk, HL])
    assert row.params == {
        "deadline": SA,
        "at": timezone.localtime(closes).isoformat(),
        "days": 6,  # 05:00 six days before a deadline at 17:00: "còn 6 ngày"
        "reminder": 7,
        "year": 2024,
        "level": "Cấp huyện",
        "work": "self_assessment",
        "unit": "Thị xã Hồng Lĩnh",
        "left": unit_leaves(year_2024),  # Hồng Lĩnh has entered nothing
    }
    officer = Notification.objects.get(recipient__username="vuquang.canbo", key__contains=SA)
    assert officer.unit.code == VQ and officer.url == reverse("entry", args=[year_2024.pk, VQ])
    assert "Reminders sent: 3; already sent before: 0." in output


def test_someone_on_the_staff_of_two_units_is_reminded_of_each(year_2024):
    officer = User.objects.get(username="honglinh.canbo")
    Membership.objects.create(
        user=officer, unit=Unit.objects.get(code=VQ), role=Membership.Role.OFFICER
    )
    run(year_2024.self_assessment_closes - dt.timedelta(days=6, hours=12))
    rows = Notification.objects.filter(recipient=officer, kind=Notification.Kind.DEADLINE)
    assert sorted(row.unit.code for row in rows) == sorted([HL, VQ])
    assert {row.key for row in rows} == {key(year_2024, SA, 7, HL), key(year_2024, SA, 7, VQ)}
    run(year_2024.self_assessment_closes - dt.timedelta(days=6))  # the next run: nothing new
    assert rows.count() == 2


def test_a_moved_deadline_is_reminded_of_again(year_2024):
    closes = year_2024.self_assessment_closes
    run(closes - dt.timedelta(days=2))
    assert reminded(year_2024) == {name: [3] for name in STAFF}
    later = closes + dt.timedelta(days=10)  # extended (or a step taken back with a new deadline)
    AssessmentYear.objects.filter(pk=year_2024.pk).update(self_assessment_closes=later)
    output = run(later - dt.timedelta(days=2))
    assert reminded(year_2024) == {name: [3, 3] for name in STAFF}
    assert "already sent before: 0." in output  # (2023's appraisers are reminded too, then)


def test_the_3_and_1_day_reminders_follow_once_each(year_2024):
    closes = year_2024.self_assessment_closes
    for before, days in [
        (dt.timedelta(days=6), 7),
        (dt.timedelta(days=2), 3),
        (dt.timedelta(hours=20), 1),
    ]:
        run(closes - before)
        run(closes - before + dt.timedelta(hours=1))  # the next hour's run: nothing new
        assert Notification.objects.filter(key=key(year_2024, SA, days, VQ)).count() == 2
        assert Notification.objects.filter(key=key(year_2024, SA, days, HL)).count() == 1
    assert reminded(year_2024) == {name: [7, 3, 1] for name in STAFF}
    one_day = Notification.objects.get(
        recipient__username="vuquang.lanhdao", key=key(year_2024, SA, 1, VQ)
    )
    assert (one_day.params["reminder"], one_day.params["days"]) == (1, 1)  # 21:00 the day before


def test_a_run_that_missed_the_earlier_days_sends_the_most_urgent_reminder_only(year_2024):
    run(year_2024.self_assessment_closes - dt.timedelta(hours=12))
    assert reminded(year_2024) == {name: [1] for name in STAFF}


def test_running_twice_sends_each_reminder_once(year_2024):
    now = year_2024.self_assessment_closes - dt.timedelta(days=2)
    run(now)
    output = run(now)
    assert reminded(year_2024) == {name: [3] for name in STAFF}
    assert "Reminders sent: 0; already sent before: 3." in output


def test_no_reminder_for_a_unit_that_has_submitted(year_2024):
    submit(year_2024, VQ)
    run(year_2024.self_assessment_closes - dt.timedelta(days=2))
    assert reminded(year_2024) == {"honglinh.canbo": [3]}


def test_no_reminder_to_an_inactive_account(year_2024, leader_a):
    leader_a.is_active = False
    leader_a.save()
    run(year_2024.self_assessment_closes - dt.timedelta(days=2))
    assert set(reminded(year_2024)) == STAFF - {"vuquang.lanhdao"}


@pytest.mark.parametrize(
    "shift",
    [
        dt.timedelta(days=-8),  # too early
        dt.timedelta(0),  # the deadline itself
        dt.timedelta(minutes=1),  # after it
        dt.timedelta(days=2),
    ],
)
def test_no_reminder_outside_the_7_days_before_the_deadline(year_2024, shift):
    run(year_2024.self_assessment_closes + shift)
    assert reminded(year_2024) == {}


def test_no_reminder_before_the_window_opens(year_2024):
    closes = year_2024.self_assessment_closes
    AssessmentYear.objects.filter(pk=year_2024.pk).update(
        self_assessment_opens=closes - dt.timedelta(days=1)
    )
    run(closes - dt.timedelta(days=2))
    assert reminded(year_2024) == {}


def test_no_reminder_of_a_step_the_year_has_left(year_2023, year_2024):
    # 2023 is in appraisal: its self-assessment deadline, even moved ahead, concerns nobody.
    soon = timezone.now() + dt.timedelta(days=2)
    AssessmentYear.objects.filter(pk=year_2023.pk).update(self_assessment_closes=soon)
    year_2023.refresh_from_db()
    Assessment.objects.filter(year=year_2023).update(status=Assessment.Status.DRAFT)
    assert who_has_work(year_2023, SA) == []
    run(soon - dt.timedelta(hours=1))
    assert reminded(year_2023, SA) == {}
    # Nor for a deadline of a step not begun: 2024's appraisal.
    assert who_has_work(year_2024, "appraisal_closes") == []


def test_a_published_year_is_never_reminded_of(year_2022):
    AssessmentYear.objects.filter(pk=year_2022.pk).update(
        final_appraisal_closes=timezone.now() + dt.timedelta(days=2)
    )
    run()
    assert reminded(year_2022) == {}


# --- appraisal -------------------------------------------------------------------------------


def appraisal_now(year):
    return year.appraisal_closes - dt.timedelta(days=2)


def test_an_assigned_account_that_left_the_appraisers_is_not_reminded_the_admins_are(
    year_2023, appraiser
):
    appraiser.groups.clear()  # its assignments stay; its fields are nobody's now
    run(appraisal_now(year_2023))
    assert reminded(year_2023) == {"snv.quantri": [3]}


def test_an_interior_account_holding_a_unit_role_gets_no_unit_reminder(year_2024, appraiser):
    Membership.objects.bulk_create(  # data from before the separation of duties (no guard)
        [Membership(user=appraiser, unit=Unit.objects.get(code=VQ), role="officer")]
    )
    run(year_2024.self_assessment_closes - dt.timedelta(days=2))
    assert reminded(year_2024) == {name: [3] for name in STAFF}


def test_appraisers_are_reminded_of_the_unscored_leaves_of_their_fields(year_2023, appraiser):
    run(appraisal_now(year_2023))
    assert reminded(year_2023) == {"snv.thamdinh": [3]}
    row = Notification.objects.get(recipient=appraiser, key=key(year_2023, "appraisal_closes", 3))
    assert row.url == reverse("worklist", args=[year_2023.pk]) and row.unit is None
    assert row.params["work"] == "appraisal"
    assert (row.params["left"], row.params["units"]) == (len(VQ_FIELD_1), 1)
    assert "unassigned" not in row.params


def test_an_appraiser_done_with_their_fields_is_not_reminded(year_2023, appraiser):
    appraise(appraiser, year_2023, *(entry(year_2023, c, m) for c, m in VQ_FIELD_1.items()))
    run(appraisal_now(year_2023))
    assert reminded(year_2023) == {}


def test_the_admins_are_reminded_of_a_field_nobody_is_assigned(year_2023, appraiser):
    FieldAssignment.objects.filter(year=year_2023, field=node_of(year_2023, "1")).delete()
    run(appraisal_now(year_2023))
    # Field 1 is the only one with work left; the appraiser's other fields are done.
    assert reminded(year_2023) == {"snv.quantri": [3]}
    row = reminder_of("snv.quantri", year_2023)
    assert row.params["unassigned"] == ["1"] and row.params["left"] == len(VQ_FIELD_1)


def test_an_admin_holding_a_field_gets_one_reminder_of_both(year_2023, interior_admin):
    FieldAssignment.objects.filter(year=year_2023, field=node_of(year_2023, "1")).delete()
    FieldAssignment.objects.create(
        year=year_2023, field=node_of(year_2023, "2"), appraiser=interior_admin
    )
    LeafScore.objects.filter(
        assessment__year=year_2023, assessment__unit__code=HL, node__code="2.1.1"
    ).update(r1_score=None)
    run(appraisal_now(year_2023))
    assert reminded(year_2023) == {"snv.quantri": [3], "snv.thamdinh": [3]}
    mine = reminder_of(interior_admin, year_2023).params
    assert (mine["left"], mine["units"], mine["unassigned"]) == (len(VQ_FIELD_1) + 1, 2, ["1"])
    theirs = reminder_of("snv.thamdinh", year_2023).params
    assert (theirs["left"], theirs["units"], "unassigned" in theirs) == (1, 1, False)


# --- explanation and final appraisal ---------------------------------------------------------


def test_units_with_flagged_leaves_are_reminded_until_the_leader_sends(year_2023, appraiser):
    year = open_explanation_round(appraiser, year_2023)  # closes in a day
    run(timezone.now())
    assert reminded(year, "explanation_closes") == {"vuquang.canbo": [1], "vuquang.lanhdao": [1]}
    row = reminder_of("vuquang.canbo", year)
    assert row.url == reverse("explanation", args=[year.pk, VQ])
    assert (row.params["work"], row.params["unit"], row.params["left"]) == (
        "explanation",
        "Huyện Vũ Quang",
        2,
    )


def test_no_explanation_reminder_once_sent(year_2023, appraiser):
    year = open_explanation_round(appraiser, year_2023)
    Assessment.objects.filter(year=year, unit__code=VQ).update(
        explanation_submitted_at=timezone.now()
    )
    run(timezone.now())
    assert reminded(year) == {}


def test_final_appraisal_reminds_of_flagged_leaves_without_a_second_score(year_2023, appraiser):
    year = open_explanation_round(appraiser, year_2023)
    closes = timezone.now() + dt.timedelta(days=5)
    AssessmentYear.objects.filter(pk=year.pk).update(
        state="final_appraisal", final_appraisal_closes=closes
    )
    LeafScore.objects.filter(
        assessment__year=year, assessment__unit__code=VQ, node__code="2.3.1"
    ).update(r2_score=1)
    run(timezone.now())
    assert reminded(year) == {"snv.thamdinh": [7]}
    row = reminder_of(appraiser, year)
    assert (row.params["work"], row.params["left"], row.params["units"]) == (
        "final_appraisal",
        1,
        1,
    )


# --- the command's options -------------------------------------------------------------------


def test_a_dry_run_lists_and_sends_nothing(year_2024):
    output = run(year_2024.self_assessment_closes - dt.timedelta(days=2), "--dry-run")
    assert Notification.objects.filter(kind=Notification.Kind.DEADLINE).count() == 0
    assert "would remind honglinh.canbo (Thị xã Hồng Lĩnh)" in output
    assert "would remind vuquang.lanhdao (Huyện Vũ Quang)" in output
    assert "Reminders would send: 3; already sent before: 0." in output


@pytest.mark.parametrize("value", ["hôm qua", "2024-13-01", "30/11/2024"])
def test_a_bad_now_is_refused(db, value):
    with pytest.raises(CommandError, match="ISO"):
        call_command("send_reminders", "--now", value, stdout=io.StringIO())


def test_a_now_without_offset_is_local_time(year_2024):
    closes = timezone.localtime(year_2024.self_assessment_closes)
    naive = (closes - dt.timedelta(hours=2)).replace(tzinfo=None)
    call_command("send_reminders", "--now", naive.isoformat(), stdout=io.StringIO())
    assert set(reminded(year_2024)) == STAFF  # 2 hours before, not 2 + 7 hours after


def test_the_help_gives_a_cron_line():
    from scoring.management.commands.send_reminders import Command

    assert "0 * * * * cd /srv/cchc && .venv/bin/python manage.py send_reminders" in Command.help


# --- two runs at the same moment (PostgreSQL) ------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_reminder_once():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises the whole database)")
    with override_settings(DEBUG=True):
        load_demo()  # transactional tests start from an empty database, or the session's demo
    move_2023_apart()
    year = AssessmentYear.objects.get(year=2024, unit_level__code="cap-huyen")
    now = year.self_assessment_closes - dt.timedelta(days=2)
    start = threading.Barrier(2)
    outputs, errors = [], []

    def one_run():
        try:
            start.wait()
            outputs.append(run(now))
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert reminded(year) == {name: [3] for name in STAFF}
    sent = [int(o.split("Reminders sent: ")[1].split(";")[0]) for o in outputs]
    assert sum(sent) == len(STAFF)  # between them, each person reminded by exactly one run
