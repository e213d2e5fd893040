"""The demo data: real units, Vũ Quang's real 2022 result, idempotent, refused in production."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from scoring import selectors
from scoring.demo import data
from scoring.demo.load import load_demo
from scoring.models import Assessment, AssessmentYear, LeafScore
from units.models import Unit


def results_by_code(year):
    return {r.unit.code: r for r in selectors.year_results(year)}


def test_hà_tĩnh_has_13_district_level_units(db):
    assert Unit.objects.filter(level__code="cap-huyen").count() == 13


def test_three_years_in_their_states(year_2022, year_2023, year_2024):
    assert [year_2022.state, year_2023.state, year_2024.state] == [
        AssessmentYear.State.PUBLISHED,
        AssessmentYear.State.APPRAISAL,
        AssessmentYear.State.SELF_ASSESSMENT,
    ]


def test_vu_quang_2022_scores_89_30_and_ranks_12th_of_13(year_2022):
    results = results_by_code(year_2022)
    vu_quang = results["vu-quang"]
    assert vu_quang.total.points == Decimal("89.30")
    assert vu_quang.total.shown_index == Decimal("89.30")
    assert vu_quang.rank == 12
    assert len(results) == 13


@pytest.mark.parametrize(("code", "expected"), [(c, v[2]) for c, v in data.RESULTS_2022.items()])
def test_every_2022_total_is_the_one_the_demo_promises(year_2022, code, expected):
    assert results_by_code(year_2022)[code].total.points == expected


def test_vu_quang_2022_loses_points_where_its_report_says(year_2022):
    assessment = Assessment.objects.get(year=year_2022, unit__code="vu-quang")
    card = selectors.unit_scorecard(
        Assessment.objects.select_related("year__framework", "unit").get(pk=assessment.pk)
    )
    assert [line.node.code for line in card.lost_leaves] == ["1.5.1", "4.1.2", "6.2.1", "9.1.1"]
    assert [(a.kind.code, a.count, a.points) for a in card.deductions] == [
        ("officials-disciplined", 2, Decimal("0.50"))
    ]


def test_vu_quang_2022_self_score_claimed_the_initiative_the_appraisal_refused(year_2022):
    leaf = LeafScore.objects.get(
        assessment__year=year_2022, assessment__unit__code="vu-quang", node__code="1.5.1"
    )
    assert (leaf.self_score, leaf.final_score) == (Decimal("2.00"), Decimal("0.00"))


def test_2023_units_awaiting_appraisal_are_not_ranked_yet(year_2023):
    results = results_by_code(year_2023)
    assert results["vu-quang"].rank is None
    assert results["vu-quang"].unscored == 8  # its field 1
    assert sorted(r.rank for r in results.values() if r.rank) == list(range(1, 13))


def test_2024_window_is_open_relative_to_the_load_day(year_2024):
    from django.utils import timezone

    now = timezone.now()
    assert year_2024.self_assessment_opens < now < year_2024.self_assessment_closes


def test_loading_twice_changes_nothing(db):
    counts = (User.objects.count(), LeafScore.objects.count(), AssessmentYear.objects.count())
    with override_settings(DEBUG=True):
        assert load_demo() is False
    assert (User.objects.count(), LeafScore.objects.count(), AssessmentYear.objects.count()) == (
        counts
    )


def test_demo_refuses_to_run_with_debug_off(db):
    with override_settings(DEBUG=False), pytest.raises(ImproperlyConfigured):
        load_demo()


def test_command_reports_refusal_as_a_command_error(db):
    with override_settings(DEBUG=False), pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo")


def test_command_prints_the_demo_accounts(db, capsys):
    with override_settings(DEBUG=True):
        call_command("load_demo")
    out = capsys.readouterr().out
    assert "nothing changed" in out
    assert data.PASSWORD in out
    for username, *_ in data.ACCOUNTS:
        assert username in out


@pytest.mark.parametrize("username", [a[0] for a in data.ACCOUNTS])
def test_every_demo_account_signs_in_with_the_demo_password(client, db, username):
    response = client.post(reverse("login"), {"username": username, "password": data.PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_past_windows_were_submitted_by_the_leaders(year_2022, year_2023, year_2024):
    for year in (year_2022, year_2023):
        statuses = set(year.assessments.values_list("status", flat=True))
        assert statuses == {"submitted"}
    vu_quang = Assessment.objects.get(year=year_2023, unit__code="vu-quang")
    assert vu_quang.submitted_by.username == "vuquang.lanhdao"
    assert set(year_2024.assessments.values_list("status", flat=True)) == {"draft"}


def test_the_demo_records_a_baseline_for_every_assessment_it_fills(year_2022, year_2023):
    from scoring.models import AuditEvent

    filled = Assessment.objects.filter(leaves__isnull=False).distinct()
    baselines = AuditEvent.objects.filter(kind=AuditEvent.Kind.BASELINE, path="demo")
    assert sorted(baselines.values_list("year_id", "unit_id")) == sorted(
        filled.values_list("year_id", "unit_id")
    )
    assert set(baselines.values_list("source", "note", "actor")) == {
        ("load_demo", "Dữ liệu mẫu", None)
    }


def test_every_demo_leaf_row_has_its_baseline_in_its_history(db):
    rows = LeafScore.objects.count()
    records = LeafScore.history.filter(history_change_reason="Dữ liệu mẫu", history_user=None)
    assert records.count() == rows
    assert set(records.values_list("history_type", flat=True)) == {"+"}


def test_loading_twice_records_nothing_more(db):
    from scoring.models import AuditEvent

    before = (AuditEvent.objects.count(), LeafScore.history.count())
    with override_settings(DEBUG=True):
        assert load_demo() is False
    assert (AuditEvent.objects.count(), LeafScore.history.count()) == before
