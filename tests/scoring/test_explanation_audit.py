"""The unit's side of the audit trail: every submit and withdraw, every document put on or taken
off a leaf, every answer of the explanation round (old → new), and the explanation page's
optimistic lock."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from scoring import audit
from scoring.models import Assessment, AuditEvent, EvidenceLink, LeafScore
from scoring.services import Answer, ConflictError, answer_explanations
from tests.samples import PDF
from tests.scoring.appraisal_helpers import leaf, open_explanation_round
from tests.scoring.test_self_assessment_services import fill_everything
from units.roles import roles_of

pytestmark = pytest.mark.django_db

VQ = "vu-quang"
STALE = "có người khác vừa lưu giải trình của 1 tiêu chí"


def assessment_of(year, unit=VQ):
    return Assessment.objects.select_related("year", "unit").get(year=year, unit__code=unit)


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def events(kind, **where):
    return list(AuditEvent.objects.filter(kind=kind, **where).order_by("at", "pk"))


# --- submit and withdraw ----------------------------------------------------------------------


def test_every_submit_and_withdraw_stays_in_the_log(officer_a, leader_a, year_2024):
    assessment = assessment_of(year_2024)
    fill_everything(assessment, officer_a)
    client = signed_in(leader_a)
    submit = reverse("entry_submit", args=[year_2024.pk, VQ])
    withdraw = reverse("entry_withdraw", args=[year_2024.pk, VQ])
    first = timezone.now().replace(microsecond=0) - dt.timedelta(hours=2)
    second = first + dt.timedelta(hours=1)
    with time_machine.travel(first, tick=False):
        assert client.post(submit, {"problems_seen": "on"}).status_code == 302
    assert client.post(withdraw, {"confirm": "1"}).status_code == 302
    with time_machine.travel(second, tick=False):
        assert client.post(submit, {"problems_seen": "on"}).status_code == 302
    logged = events(audit.Kind.SUBMIT, unit=assessment.unit, year=year_2024) + events(
        audit.Kind.WITHDRAW, unit=assessment.unit, year=year_2024
    )
    logged.sort(key=lambda e: e.pk)
    who = leader_a.get_username()
    assert [(e.kind, e.actor, e.changes) for e in logged] == [
        (
            audit.Kind.SUBMIT,
            leader_a,
            {
                "status": ["draft", "submitted"],
                "submitted_at": [None, timezone.localtime(first).isoformat()],
                "submitted_by": [None, who],
            },
        ),
        (
            audit.Kind.WITHDRAW,
            leader_a,
            {
                "status": ["submitted", "draft"],
                "submitted_at": [timezone.localtime(first).isoformat(), None],
                "submitted_by": [who, None],
            },
        ),
        (
            audit.Kind.SUBMIT,
            leader_a,
            {
                "status": ["draft", "submitted"],
                "submitted_at": [None, timezone.localtime(second).isoformat()],
                "submitted_by": [None, who],
            },
        ),
    ]


def test_a_refused_submission_leaves_no_line(leader_a, year_2024):
    client = signed_in(leader_a)
    response = client.post(reverse("entry_submit", args=[year_2024.pk, VQ]))
    assert response.status_code == 200  # leaves still empty
    assert events(audit.Kind.SUBMIT, year=year_2024) == []


# --- evidence ---------------------------------------------------------------------------------


def test_attaching_and_removing_a_document_are_logged(officer_a, year_2024):
    client = signed_in(officer_a)
    field = reverse("entry_field", args=[year_2024.pk, VQ, "2"])
    data = {
        "2.2.1-version": "0",
        "ev-2.2.1-file": SimpleUploadedFile("Kế hoạch rà soát.pdf", PDF, "application/pdf"),
        "ev-2.2.1-document_number": "12/KH-UBND",
        "ev-2.2.1-document_date": "2024-03-05",
        "ev-2.2.1-reference": "Mục II, trang 3",
    }
    assert client.post(field, data).status_code == 302
    link = EvidenceLink.objects.get(leaf__assessment__year=year_2024, leaf__node__code="2.2.1")
    values = {
        "original_name": "Kế hoạch rà soát.pdf",
        "document_number": "12/KH-UBND",
        "document_date": "2024-03-05",
        "reference": "Mục II, trang 3",
        "supplementary": False,
    }
    [added] = events(audit.Kind.EVIDENCE, year=year_2024)
    assert (added.actor, added.node_code, added.field_code) == (officer_a, "2.2.1", "2")
    assert added.changes == {name: [None, value] for name, value in values.items()}
    remove = reverse("evidence_remove", args=[year_2024.pk, VQ, link.pk])
    assert client.post(remove).status_code == 302
    assert not EvidenceLink.objects.filter(pk=link.pk).exists()
    [_added, removed] = events(audit.Kind.EVIDENCE, year=year_2024)
    # The removed link is kept in the log in full.
    assert removed.changes == {name: [value, None] for name, value in values.items()}
    assert "xóa" in removed.note  # no leaf uses the document any more


# --- the explanation round --------------------------------------------------------------------


@pytest.fixture
def explanation_year(appraiser, year_2023):
    return open_explanation_round(appraiser, year_2023)


def explanation_url(year):
    return reverse("explanation", args=[year.pk, VQ])


def test_an_answer_is_logged_old_to_new_and_moves_the_version(officer_a, explanation_year):
    year = explanation_year
    client = signed_in(officer_a)
    form = client.get(explanation_url(year)).context["forms"][0][1]
    assert form["version"].value() == leaf(year, "1.3.2").version
    before = leaf(year, "1.3.2").version
    data = {"1.3.2-answer": "Đã bổ sung biên bản", "1.3.2-version": before}
    assert client.post(explanation_url(year), data).status_code == 302
    data = {"1.3.2-answer": "Đã bổ sung biên bản có chữ ký", "1.3.2-version": before + 1}
    assert client.post(explanation_url(year), data).status_code == 302
    row = leaf(year, "1.3.2")
    assert (row.explanation_answer, row.version, row.updated_by) == (
        "Đã bổ sung biên bản có chữ ký",
        before + 2,
        officer_a,
    )
    logged = events(audit.Kind.EXPLANATION, year=year)
    assert [(e.node_code, e.actor, e.changes) for e in logged] == [
        ("1.3.2", officer_a, {"explanation_answer": ["", "Đã bổ sung biên bản"]}),
        (
            "1.3.2",
            officer_a,
            {"explanation_answer": ["Đã bổ sung biên bản", "Đã bổ sung biên bản có chữ ký"]},
        ),
    ]
    # The appraisal is untouched by the unit's answer.
    assert (row.r1_score, row.flagged) == (Decimal("0.75"), True)


def test_an_answer_over_a_newer_one_is_refused_and_nothing_saved(
    officer_a, leader_a, explanation_year
):
    year = explanation_year
    officer, leader = signed_in(officer_a), signed_in(leader_a)
    shown = {code: leaf(year, code).version for code in ("1.3.2", "2.3.1")}
    officer.get(explanation_url(year))
    # The leader answers first.
    data = {"1.3.2-answer": "Lãnh đạo: đã bổ sung", "1.3.2-version": shown["1.3.2"]}
    assert leader.post(explanation_url(year), data).status_code == 302
    # The officer's page still shows the old version: refused, as a whole.
    data = {
        "1.3.2-answer": "Cán bộ: đã bổ sung",
        "1.3.2-version": shown["1.3.2"],
        "2.3.1-answer": "Kế hoạch ban hành ngày 5/1",
        "2.3.1-version": shown["2.3.1"],
    }
    response = officer.post(explanation_url(year), data)
    assert response.status_code == 409
    html = response.content.decode()
    assert STALE in html
    assert 'data-testid="conflict-1-3-2"' in html and "Lãnh đạo: đã bổ sung" in html
    assert leaf(year, "1.3.2").explanation_answer == "Lãnh đạo: đã bổ sung"
    assert leaf(year, "2.3.1").explanation_answer == ""
    assert len(events(audit.Kind.EXPLANATION, year=year)) == 1
    # The officer's text stays on the page, now over the leader's version: saving again
    # replaces it knowingly.
    forms = {row.node.code: answer for row, answer, _ev in response.context["forms"]}
    assert forms["1.3.2"]["answer"].value() == "Cán bộ: đã bổ sung"
    again = {**data, "1.3.2-version": forms["1.3.2"]["version"].value()}
    assert officer.post(explanation_url(year), again).status_code == 302
    assert leaf(year, "1.3.2").explanation_answer == "Cán bộ: đã bổ sung"
    assert leaf(year, "2.3.1").explanation_answer == "Kế hoạch ban hành ngày 5/1"


def test_a_changed_answer_without_a_version_is_refused(officer_a, explanation_year):
    year = explanation_year
    response = signed_in(officer_a).post(explanation_url(year), {"1.3.2-answer": "Không rõ"})
    assert response.status_code == 409
    assert leaf(year, "1.3.2").explanation_answer == ""
    with pytest.raises(ConflictError):
        answer_explanations(
            assessment=assessment_of(year),
            roles=roles_of(officer_a),
            user=officer_a,
            answers=[Answer(leaf(year, "1.3.2").node_id, "Không rõ")],
        )
    # An unchanged answer needs no version: nothing is written, nothing can be lost.
    assert (
        answer_explanations(
            assessment=assessment_of(year),
            roles=roles_of(officer_a),
            user=officer_a,
            answers=[Answer(leaf(year, "1.3.2").node_id, "")],
        )
        == 0
    )
    assert LeafScore.history.filter(explanation_answer="Không rõ").count() == 0
