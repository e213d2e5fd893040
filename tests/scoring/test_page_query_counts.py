"""The appraisal field, ledger, explanation and submit pages cost a fixed number of queries,
read or saved, whether they show (or save) a few rows or many."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from scoring.models import (
    AdjustmentKind,
    Assessment,
    AssessmentYear,
    Evidence,
    EvidenceLink,
    LeafScore,
)
from scoring.services import add_adjustment
from tests.scoring.appraisal_helpers import VQ_FIELD_1, appraise, assessment_of, entry, leaf
from tests.scoring.test_self_assessment_services import fill_everything
from units.roles import roles_of

pytestmark = pytest.mark.django_db

VQ = "vu-quang"
FEW, MANY = 2, 8


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def codes(n):
    return list(VQ_FIELD_1)[:n]


def flag(user, year, n):
    """Round 1 of ``n`` leaves of field 1 at their maximum, each flagged for explanation."""
    appraise(user, year, *(entry(year, code, VQ_FIELD_1[code], flagged=True) for code in codes(n)))


def attach_documents(year, n):
    """A document on each of ``n`` leaves of field 1 (rows as the unit left them)."""
    assessment = assessment_of(year)
    for code in codes(n):
        row = leaf(year, code) or LeafScore.objects.create(
            assessment=assessment, node_id=entry(year, code).node_id
        )
        evidence = Evidence.objects.create(
            assessment=assessment,
            file=f"evidence/{assessment.pk}/{code}.pdf",
            original_name=f"Tài liệu {code}.pdf",
            content_type="application/pdf",
            size=10,
        )
        EvidenceLink.objects.create(evidence=evidence, leaf=row, reference=f"Mục {code}")


# --- the appraisal field page -----------------------------------------------------------------


@pytest.mark.parametrize("n", [FEW, MANY])
def test_the_appraisal_field_page_costs_the_same_whatever_its_rows(
    appraiser, year_2023, django_assert_num_queries, n
):
    flag(appraiser, year_2023, n)
    attach_documents(year_2023, n)
    client = signed_in(appraiser)
    url = reverse("appraise_field", args=[year_2023.pk, VQ, "1"])
    # 1 session, 2 user, 3 groups, 4 memberships (roles); 5 the assessment with year, level,
    # framework and unit; 6 leaves with who saved them, 7 evidence links with documents,
    # 8 nodes; 9 appraisal reasons; 10 the appraiser's fields; 11 the bell's unread
    # notifications (menu). (The unit's document library is the unit's page's, not read here.)
    with django_assert_num_queries(11):
        response = client.get(url)
    assert response.status_code == 200
    assert sum(1 for _row, form in response.context["rows"] if form) == len(VQ_FIELD_1)


@pytest.mark.parametrize("n", [FEW, MANY])
def test_saving_the_appraisal_field_costs_the_same_whatever_its_rows(
    appraiser, year_2023, django_assert_num_queries, n
):
    attach_documents(year_2023, MANY)
    client = signed_in(appraiser)
    url = reverse("appraise_field", args=[year_2023.pk, VQ, "1"])
    data = {}
    for code in codes(n):
        data[f"{code}-version"] = "0"
        data[f"{code}-score"] = VQ_FIELD_1[code].replace(".", ",")
    # The page's queries but the bell (a redirect renders no menu): 10; then 11 savepoint,
    # 12 lock of the year, 13 of the assessment, 14 the appraiser's fields (the service asks the
    # rule again), 15 the nodes saved, 16 the framework's fields, 17 reasons, 18 lock of the
    # leaves; 19 one update of them all, 20 their history rows, 21 the audit lines (one
    # insert); 22 release.
    # + a savepoint, the session's update and its release: a message set or shown is kept in
    # the session (never in a cookie), which then is saved.
    with django_assert_num_queries(25):
        response = client.post(url, data)
    assert response.status_code == 302
    assert [leaf(year_2023, code).r1_score for code in codes(n)] == [
        Decimal(VQ_FIELD_1[code]) for code in codes(n)
    ]


def test_round_2_adds_one_query_for_the_years_reopenings(
    interior_admin, year_2023, django_assert_num_queries
):
    flag(interior_admin, year_2023, MANY)
    AssessmentYear.objects.filter(pk=year_2023.pk).update(state="final_appraisal")
    client = signed_in(interior_admin)
    url = reverse("appraise_field", args=[year_2023.pk, VQ, "1"])
    # As round 1 for an admin (no assignment query: every field is theirs), plus 11 whether
    # the year was reopened for a correction.
    with django_assert_num_queries(11):
        assert client.get(url).status_code == 200


# --- the ledger -------------------------------------------------------------------------------


def fill_ledger(admin, year, n):
    for i in range(n):
        add_adjustment(
            assessment=assessment_of(year),
            roles=roles_of(admin),
            user=admin,
            kind="other-deduction",
            points=Decimal("0.25"),
            reason=f"Báo cáo trễ lần {i + 1}",
        )


@pytest.mark.parametrize("n", [FEW, MANY])
def test_the_ledger_page_costs_the_same_whatever_its_entries(
    interior_admin, year_2023, django_assert_num_queries, n
):
    fill_ledger(interior_admin, year_2023, n)
    client = signed_in(interior_admin)
    # 1 session, 2 user, 3 groups, 4 memberships; 5 the assessment with year, level, framework
    # and unit; 6 the entries with their kinds and who made them; 7 the form's kinds.
    # 8 the bell's unread notifications (menu).
    with django_assert_num_queries(8):
        response = client.get(reverse("ledger", args=[year_2023.pk, VQ]))
    assert response.content.decode().count('data-testid="entry"') == n


@pytest.mark.parametrize("n", [FEW, MANY])
def test_adding_to_the_ledger_costs_the_same_whatever_its_entries(
    interior_admin, year_2023, django_assert_num_queries, n
):
    fill_ledger(interior_admin, year_2023, n)
    client = signed_in(interior_admin)
    data = {
        "kind": AdjustmentKind.objects.get(code="other-bonus").pk,
        "points": "1",
        "reason": "Sáng kiến cấp tỉnh",
        "version": assessment_of(year_2023).ledger_version,
    }
    # 1-4 session, user, groups, memberships; 5 the assessment; 6 the kind chosen (form);
    # 7 savepoint, 8 lock of the year, 9 of the assessment, 10 the kind (service); 11 insert
    # of the entry, 12 the ledger's version, 13 the audit line; 14 release.
    # + a savepoint, the session's update and its release: a message set or shown is kept in
    # the session (never in a cookie), which then is saved.
    with django_assert_num_queries(17):
        response = client.post(reverse("ledger", args=[year_2023.pk, VQ]), data)
    assert response.status_code == 302


# --- the explanation page ---------------------------------------------------------------------


def open_round(year):
    AssessmentYear.objects.filter(pk=year.pk).update(
        state="explanation", explanation_closes=timezone.now() + dt.timedelta(days=1)
    )
    return AssessmentYear.objects.get(pk=year.pk)


@pytest.mark.parametrize("n", [FEW, MANY])
def test_the_explanation_page_costs_the_same_whatever_its_flagged_leaves(
    appraiser, officer_a, year_2023, django_assert_num_queries, n
):
    flag(appraiser, year_2023, n)
    attach_documents(year_2023, n)
    year = open_round(year_2023)
    client = signed_in(officer_a)
    # 1 session, 2 user, 3 groups, 4 memberships; 5 the assessment; 6 nodes, 7 leaves with
    # who saved them, 8 evidence links with documents; 9 the document library.
    # 10 the bell's unread notifications (menu).
    with django_assert_num_queries(10):
        response = client.get(reverse("explanation", args=[year.pk, VQ]))
    assert len(response.context["forms"]) == n


@pytest.mark.parametrize("n", [FEW, MANY])
def test_answering_costs_the_same_whatever_the_number_of_answers(
    appraiser, officer_a, year_2023, django_assert_num_queries, n
):
    flag(appraiser, year_2023, n)
    year = open_round(year_2023)
    client = signed_in(officer_a)
    data = {}
    for code in codes(n):
        data[f"{code}-version"] = leaf(year, code).version
        data[f"{code}-answer"] = f"Giải trình {code}"
    # The page's 9 queries; 10 savepoint (the save with its documents), 11 savepoint (the
    # answers), 12 lock of the year, 13 of the assessment, 14 lock of the leaves with who
    # saved them, 15 their nodes; 16 one update of them all, 17 their history rows, 18 the
    # audit lines; 19, 20 releases.
    # + a savepoint, the session's update and its release: a message set or shown is kept in
    # the session (never in a cookie), which then is saved.
    with django_assert_num_queries(23):
        response = client.post(reverse("explanation", args=[year.pk, VQ]), data)
    assert response.status_code == 302
    assert all(leaf(year, code).explanation_answer for code in codes(n))


# --- the submit page --------------------------------------------------------------------------


@pytest.fixture
def filled_2024(officer_a, year_2024):
    """Vũ Quang's 2024 with every leaf filled, and documents on several."""
    assessment = Assessment.objects.select_related("year", "unit").get(
        year=year_2024, unit__code=VQ
    )
    fill_everything(assessment, officer_a)
    return year_2024


def test_the_submit_page_costs_the_same_whatever_its_rows(
    leader_a, filled_2024, django_assert_num_queries
):
    client = signed_in(leader_a)
    url = reverse("entry_submit", args=[filled_2024.pk, VQ])
    # 1 session, 2 user, 3 groups, 4 memberships; 5 the assessment; 6 leaves, 7 evidence links,
    # 8 nodes (every leaf's status for the check).
    # 9 the bell's unread notifications (menu).
    with django_assert_num_queries(9):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["problems"]) > FEW  # many rows: no evidence anywhere yet


def test_submitting_costs_a_fixed_number_of_queries(
    leader_a, filled_2024, django_assert_num_queries
):
    client = signed_in(leader_a)
    url = reverse("entry_submit", args=[filled_2024.pk, VQ])
    # 1-4 session, user, groups, memberships; 5 the assessment; 6 savepoint, 7 lock of the
    # year, 8 of the assessment; 9 leaves, 10 evidence links, 11 nodes (the check); 12 the
    # update, 13 the audit line; 14 release.
    # + a savepoint, the session's update and its release: a message set or shown is kept in
    # the session (never in a cookie), which then is saved.
    with django_assert_num_queries(17):
        response = client.post(url, {"problems_seen": "on"})
    assert response.status_code == 302
    assert Assessment.objects.get(year=filled_2024, unit__code=VQ).status == "submitted"
