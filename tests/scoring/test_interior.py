"""The Interior Department's own pages around the appraisal: the unit's explanation round, round 2
and the final score, the bonus/deduction ledger, the year's steps (advance, publish, reopen),
the field assignments and the survey grid, with their access rules and query counts."""

import datetime as dt
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from scoring import selectors
from scoring.defaults import APPRAISAL_REASONS
from scoring.models import (
    Adjustment,
    AdjustmentKind,
    AssessmentYear,
    EvidenceLink,
    FieldAssignment,
    LeafScore,
    YearReopening,
)
from scoring.services import (
    Answer,
    add_adjustment,
    answer_explanations,
    explanation_open,
    save_survey,
    set_assignments,
)
from scoring.services.interior import SurveyScore
from tests.samples import PDF
from tests.scoring.appraisal_helpers import (
    HL,
    VQ,
    VQ_FIELD_1,
    appraise,
    assessment_of,
    entry,
    leaf,
    node_of,
)
from units.roles import roles_of

pytestmark = pytest.mark.django_db  # run before the browser tests flush the database

VQ_NAME, HL_NAME = "Huyện Vũ Quang", "Thị xã Hồng Lĩnh"
MISSING = APPRAISAL_REASONS["missing-evidence"][0]  # "Thiếu tài liệu kiểm chứng"
LATE = APPRAISAL_REASONS["late"][0]
NOT_A_PDF = b"just some text renamed to .pdf\n"
NOT_YET_OPEN = "Vòng giải trình chưa mở; Sở Nội vụ sẽ thông báo các tiêu chí cần giải trình."
ROUND_CLOSED = "Vòng giải trình không mở."
LEDGER_CLOSED = "Điểm thưởng, điểm trừ chỉ nhập trong thời gian thẩm định (trước khi công bố)."


# --- helpers ----------------------------------------------------------------------------------


def to_state(year, state, **extra):
    AssessmentYear.objects.filter(pk=year.pk).update(state=state, **extra)
    return AssessmentYear.objects.get(pk=year.pk)


def fresh(year):
    return AssessmentYear.objects.get(pk=year.pk)


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def by_testid(html, name):
    """The text inside the element carrying ``data-testid=name`` (first one)."""
    match = re.search(rf'data-testid="{re.escape(name)}"[^>]*>(.*?)</', html, re.S)
    return match.group(1).strip() if match else None


class _Inputs(HTMLParser):
    """The text and hidden inputs of a page, as a browser would post them."""

    def __init__(self):
        super().__init__()
        self.values, self.disabled_fieldset = {}, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "fieldset" and "disabled" in attrs:
            self.disabled_fieldset = True
        if tag == "input" and attrs.get("name") and attrs.get("type") in ("text", "hidden"):
            self.values[attrs["name"]] = attrs.get("value") or ""


def survey_inputs(html):
    reader = _Inputs()
    reader.feed(html)
    return {k: v for k, v in reader.values.items() if k.startswith("s-")}, reader


def survey_layer(year):
    return sorted(
        LeafScore.objects.filter(assessment__year=year, node__rule="survey").values_list(
            "assessment__unit__code", "node__code", "r1_score", "appraisal_version", "appraised_by"
        )
    )


def ledger_of(year, unit=VQ):
    return sorted(
        Adjustment.objects.filter(assessment__year=year, assessment__unit__code=unit).values_list(
            "kind__code", "points", "count", "reason"
        )
    )


@pytest.fixture
def client_of(request, client):
    def sign_in(who):
        if who != "anonymous":
            client.force_login(request.getfixturevalue(who))
        return client

    return sign_in


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# --- the explanation round ---------------------------------------------------------------------


def explanation_url(year, unit=VQ):
    return reverse("explanation", args=[year.pk, unit])


def with_versions(year, data):
    """The page's post: each answered leaf with the version the page showed."""
    codes = [name.removesuffix("-answer") for name in data if name.endswith("-answer")]
    return {**data, **{f"{code}-version": leaf(year, code).version for code in codes}}


@pytest.fixture
def flagged_2023(appraiser, year_2023):
    """2023 in appraisal, Vũ Quang's 1.3.2 cut to 0.75 and flagged with a comment; 1.4.2 cut to
    0.25 and not flagged (a score the unit must not see through the explanation page)."""
    appraise(
        appraiser,
        year_2023,
        entry(year_2023, "1.3.2", "0.75", "missing-evidence", "Biên bản chưa ký", flagged=True),
        entry(year_2023, "1.4.2", "0.25", "late", "Nộp muộn ba tuần"),
    )
    return year_2023


@pytest.fixture
def explanation_year(flagged_2023):
    """The same, with the round open until tomorrow."""
    return to_state(
        flagged_2023,
        "explanation",
        explanation_closes=timezone.now() + dt.timedelta(days=1),
    )


def test_before_the_round_opens_the_unit_sees_no_flag_and_no_score(
    as_user, officer_a, flagged_2023
):
    assert leaf(flagged_2023, "1.3.2").flagged  # flagged indeed: the page must still hide it
    response = as_user(officer_a).get(explanation_url(flagged_2023))
    assert response.status_code == 200
    html = response.content.decode()
    assert NOT_YET_OPEN in html
    assert response.context["forms"] == []
    assert 'data-testid="r1-' not in html
    assert "0,75" not in html and "0.75" not in html
    assert MISSING not in html
    assert "Biên bản chưa ký" not in html
    assert 'name="1.3.2-answer"' not in html


def test_before_the_round_opens_a_post_is_refused(as_user, officer_a, flagged_2023):
    data = {"1.3.2-answer": "Đã bổ sung biên bản"}
    response = as_user(officer_a).post(explanation_url(flagged_2023), data)
    assert response.status_code == 200
    assert ROUND_CLOSED in messages_of(response)
    assert leaf(flagged_2023, "1.3.2").explanation_answer == ""
    with pytest.raises(ValidationError, match=re.escape(ROUND_CLOSED)):
        answer_explanations(
            assessment=assessment_of(flagged_2023),
            roles=roles_of(officer_a),
            user=officer_a,
            answers=[Answer(node_of(flagged_2023, "1.3.2").id, "Đã bổ sung")],
        )
    assert leaf(flagged_2023, "1.3.2").explanation_answer == ""


def test_in_the_round_the_unit_sees_only_the_flagged_leaves_with_score_reason_comment(
    as_user, officer_a, explanation_year
):
    response = as_user(officer_a).get(explanation_url(explanation_year))
    assert response.status_code == 200
    html = response.content.decode()
    assert [row.node.code for row, _a, _e in response.context["forms"]] == ["1.3.2"]
    assert by_testid(html, "r1-1-3-2") == "0,75"
    assert MISSING in html
    assert "Biên bản chưa ký" in html
    assert 'name="1.3.2-answer"' in html
    assert 'name="ev-1.3.2-file"' in html
    assert 'data-testid="locked"' not in html
    assert "Lưu giải trình" in html
    # Nothing of the leaves that were not flagged: no section, no score, no reason or comment.
    assert 'id="leaf-1-3-2"' in html
    assert len(re.findall(r'id="leaf-', html)) == 1
    assert 'data-testid="r1-1-4-2"' not in html
    assert "0,25" not in html
    assert LATE not in html
    assert "Nộp muộn ba tuần" not in html
    assert 'name="1.4.2-answer"' not in html


def test_a_flagged_leaf_of_any_field_is_on_the_explanation_page(
    as_user, appraiser, officer_a, year_2023
):
    """The unit answers every flagged leaf, not only those of the framework's first field."""
    appraise(
        appraiser,
        year_2023,
        entry(year_2023, "1.3.2", "0.75", "missing-evidence", flagged=True),
        entry(year_2023, "2.3.1", "1.5", "late", flagged=True),
        entry(year_2023, "4.1.1", "1", "missing-evidence", flagged=True),
    )
    year = to_state(
        year_2023, "explanation", explanation_closes=timezone.now() + dt.timedelta(days=1)
    )
    client = as_user(officer_a)
    response = client.get(explanation_url(year))
    shown = [row.node.code for row, _a, _e in response.context["forms"]]
    assert shown == ["1.3.2", "2.3.1", "4.1.1"]
    html = response.content.decode()
    assert by_testid(html, "r1-2-3-1") == "1,50"
    # And the unit can answer one of them through the page.
    data = {
        "1.3.2-answer": "Đã bổ sung biên bản",
        "2.3.1-answer": "Kế hoạch ban hành ngày 5/1",
        "4.1.1-answer": "",
    }
    assert client.post(explanation_url(year), with_versions(year, data)).status_code == 302
    assert leaf(year, "2.3.1").explanation_answer == "Kế hoạch ban hành ngày 5/1"


def test_the_officer_saves_an_answer_and_a_supplementary_pdf(as_user, officer_a, explanation_year):
    year = explanation_year
    row = leaf(year, "1.3.2")
    records = LeafScore.history.filter(id=row.id).count()
    client = as_user(officer_a)
    data = {
        "1.3.2-answer": "  Đơn vị đã bổ sung biên bản có chữ ký.  ",
        "ev-1.3.2-file": SimpleUploadedFile("bien-ban-ky.pdf", PDF, "application/pdf"),
        "ev-1.3.2-reference": "Trang 2",
    }
    response = client.post(explanation_url(year), with_versions(year, data))
    assert response.status_code == 302
    assert response.url == explanation_url(year)
    row = leaf(year, "1.3.2")
    assert row.explanation_answer == "Đơn vị đã bổ sung biên bản có chữ ký."
    # The appraisal is untouched by the unit's answer.
    assert (row.r1_score, row.r1_reason, row.flagged) == (Decimal("0.75"), MISSING, True)
    # History: the answer, by the officer.
    history = LeafScore.history.filter(id=row.id).order_by("history_date", "history_id")
    assert history.count() > records
    answered = [r for r in history if r.explanation_answer]
    assert answered and answered[0].history_user == officer_a
    assert answered[0].explanation_answer == "Đơn vị đã bổ sung biên bản có chữ ký."
    # The document: a supplementary link on the flagged leaf.
    links = list(EvidenceLink.objects.filter(leaf=row).select_related("evidence"))
    assert [
        (link.evidence.original_name, link.supplementary, link.reference) for link in links
    ] == [("bien-ban-ky.pdf", True, "Trang 2")]
    link = links[0]
    with link.evidence.file.open("rb") as stored:
        assert stored.read() == PDF
    page = client.get(response.url)
    html = page.content.decode()
    assert "Đã lưu giải trình." in html
    assert "bien-ban-ky.pdf" in html
    assert "bổ sung" in html
    assert "Đơn vị đã bổ sung biên bản có chữ ký." in html
    # The work list counts the answer.
    item = next(i for i in selectors.worklist(fresh(year)) if i.assessment.unit.code == VQ)
    assert (item.flagged, item.answered, item.stage) == (1, 1, "Đã giải trình")


def test_the_leader_may_answer_too(as_user, leader_a, explanation_year):
    data = with_versions(explanation_year, {"1.3.2-answer": "Lãnh đạo xác nhận"})
    assert as_user(leader_a).post(explanation_url(explanation_year), data).status_code == 302
    assert leaf(explanation_year, "1.3.2").explanation_answer == "Lãnh đạo xác nhận"


def test_a_fake_pdf_is_refused_and_nothing_saved(as_user, officer_a, explanation_year):
    year = explanation_year
    data = {
        "1.3.2-answer": "Có tài liệu",
        "ev-1.3.2-file": SimpleUploadedFile("bien-ban.pdf", NOT_A_PDF, "application/pdf"),
    }
    response = as_user(officer_a).post(explanation_url(year), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Chưa lưu: hãy sửa các ô báo lỗi bên dưới." in html
    assert "không phải là tệp PDF thật" in html
    assert leaf(year, "1.3.2").explanation_answer == ""
    assert not EvidenceLink.objects.filter(leaf=leaf(year, "1.3.2")).exists()


def test_the_service_refuses_an_answer_to_a_leaf_not_flagged(officer_a, explanation_year):
    year = explanation_year
    with pytest.raises(
        ValidationError, match=re.escape("Chỉ giải trình các tiêu chí được yêu cầu.")
    ):
        answer_explanations(
            assessment=assessment_of(year),
            roles=roles_of(officer_a),
            user=officer_a,
            answers=[
                Answer(node_of(year, "1.3.2").id, "Hợp lệ"),
                Answer(node_of(year, "1.4.2").id, "Không được hỏi"),
            ],
        )
    # All or nothing: the good answer alongside is not kept either.
    assert leaf(year, "1.3.2").explanation_answer == ""
    assert leaf(year, "1.4.2").explanation_answer == ""
    # A leaf posted through the page that is not flagged is simply not offered.
    data = with_versions(year, {"1.3.2-answer": "Hợp lệ", "1.4.2-answer": "Không được hỏi"})
    client = Client()
    client.force_login(officer_a)
    assert client.post(explanation_url(year), data).status_code == 302
    assert leaf(year, "1.3.2").explanation_answer == "Hợp lệ"
    assert leaf(year, "1.4.2").explanation_answer == ""


def test_the_service_refuses_another_units_staff(officer_b, explanation_year):
    with pytest.raises(PermissionDenied):
        answer_explanations(
            assessment=assessment_of(explanation_year),
            roles=roles_of(officer_b),
            user=officer_b,
            answers=[Answer(node_of(explanation_year, "1.3.2").id, "Không phải đơn vị mình")],
        )
    assert leaf(explanation_year, "1.3.2").explanation_answer == ""


def test_the_round_closes_at_its_deadline(as_user, officer_a, explanation_year):
    year = explanation_year
    closes = year.explanation_closes
    assessment = assessment_of(year)
    with time_machine.travel(closes - dt.timedelta(seconds=1), tick=False):
        assert explanation_open(assessment)
    with time_machine.travel(closes, tick=False):
        assert not explanation_open(assessment)
    with time_machine.travel(closes + dt.timedelta(minutes=5), tick=False):
        client = as_user(officer_a)  # signed in after the deadline: the session is fresh
        page = client.get(explanation_url(year))
        assert page.status_code == 200
        html = page.content.decode()
        assert 'data-testid="locked"' in html
        assert "Lưu giải trình" not in html
        assert by_testid(html, "r1-1-3-2") == "0,75"  # still shown, read-only
        response = client.post(explanation_url(year), {"1.3.2-answer": "Quá hạn"})
        assert response.status_code == 200
        assert ROUND_CLOSED in messages_of(response)
        with pytest.raises(ValidationError, match=re.escape(ROUND_CLOSED)):
            answer_explanations(
                assessment=assessment,
                roles=roles_of(officer_a),
                user=officer_a,
                answers=[Answer(node_of(year, "1.3.2").id, "Quá hạn")],
            )
    assert leaf(year, "1.3.2").explanation_answer == ""


@pytest.mark.parametrize("state", ["final_appraisal", "published"])
def test_after_the_round_the_page_is_locked_and_a_post_refused(
    as_user, officer_a, explanation_year, state
):
    year = to_state(explanation_year, state)
    client = as_user(officer_a)
    html = client.get(explanation_url(year)).content.decode()
    assert 'data-testid="locked"' in html
    assert "Lưu giải trình" not in html
    response = client.post(explanation_url(year), {"1.3.2-answer": "Muộn"})
    assert response.status_code == 200
    assert ROUND_CLOSED in messages_of(response)
    assert leaf(year, "1.3.2").explanation_answer == ""
    with pytest.raises(ValidationError, match=re.escape(ROUND_CLOSED)):
        answer_explanations(
            assessment=assessment_of(year),
            roles=roles_of(officer_a),
            user=officer_a,
            answers=[Answer(node_of(year, "1.3.2").id, "Muộn")],
        )


def test_explanation_page_access(client_of, request, explanation_year):
    url = explanation_url(explanation_year)
    data = {"1.3.2-answer": "Không được lưu"}
    # Another unit's staff: the page does not exist for them.
    client = client_of("officer_b")
    assert client.get(url).status_code == 404
    assert client.post(url, data).status_code == 404
    client.logout()
    # The viewer neither.
    client = client_of("viewer")
    assert client.get(url).status_code == 404
    client.logout()
    # The appraiser reads, read-only, but may not answer for the unit.
    client = client_of("appraiser")
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert by_testid(html, "r1-1-3-2") == "0,75"
    assert 'data-testid="locked"' in html
    assert client.post(url, data).status_code == 403
    client.logout()
    # Anonymous: sign in first.
    assert_login_redirect(client.get(url))
    assert_login_redirect(client.post(url, data))
    assert leaf(explanation_year, "1.3.2").explanation_answer == ""


# --- round 2 and the final score --------------------------------------------------------------


@pytest.mark.parametrize(
    ("r2", "reason"),
    [("0.5", "late"), ("1", "")],
    ids=["lower than round 1", "higher than round 1"],
)
def test_round_2_sets_the_final_score(appraiser, explanation_year, r2, reason):
    year = to_state(explanation_year, "final_appraisal")
    assert leaf(year, "1.3.2").final_score == Decimal("0.75")
    assert appraise(appraiser, year, entry(year, "1.3.2", r2, reason), round_no=2) == 1
    row = leaf(year, "1.3.2")
    assert row.r1_score == Decimal("0.75")
    assert row.r2_score == Decimal(r2)
    assert row.final_score == Decimal(r2)
    # The year's results count the round-2 score.
    result = next(r for r in selectors.year_results(year) if r.unit.code == VQ)
    assert result.node_totals["1.3.2"].points == Decimal(r2)


# --- the ledger -------------------------------------------------------------------------------


def ledger_url(year, unit=VQ):
    return reverse("ledger", args=[year.pk, unit])


def kind_pk(code):
    return AdjustmentKind.objects.get(code=code).pk


def with_ledger_version(year, data, unit=VQ):
    """The ledger page's post: with the version of the ledger the page showed."""
    return {**data, "version": assessment_of(year, unit).ledger_version}


def test_the_admin_adds_a_per_occurrence_deduction(as_user, interior_admin, year_2023):
    client = as_user(interior_admin)
    data = {"kind": kind_pk("officials-disciplined"), "count": "2", "reason": "Hai CBCC bị kỷ luật"}
    response = client.post(ledger_url(year_2023), with_ledger_version(year_2023, data))
    assert response.status_code == 302
    assert response.url == ledger_url(year_2023)
    entry_ = Adjustment.objects.get(assessment__year=year_2023, assessment__unit__code=VQ)
    assert (entry_.points, entry_.count, entry_.direction) == (Decimal("0.50"), 2, "deduction")
    assert (entry_.reason, entry_.created_by) == ("Hai CBCC bị kỷ luật", interior_admin)
    assert not entry_.document
    html = client.get(response.url).content.decode()
    assert "Đã thêm vào sổ điểm thưởng, điểm trừ." in html
    assert html.count('data-testid="entry"') == 1
    assert "−0,50" in html
    # Other units' ledgers are untouched.
    assert ledger_of(year_2023, HL) == []


def test_the_admin_adds_one_off_entries_with_explicit_or_default_points(
    as_user, interior_admin, year_2023
):
    client = as_user(interior_admin)
    posts = [
        {"kind": kind_pk("other-bonus"), "points": "1,25", "reason": "Sáng kiến cấp tỉnh"},
        {"kind": kind_pk("other-deduction"), "points": "0,75", "reason": "Báo cáo trễ"},
        {"kind": kind_pk("no-provincial-initiative"), "reason": "Không có sáng kiến"},
    ]
    for data in posts:
        data = with_ledger_version(year_2023, data)
        assert client.post(ledger_url(year_2023), data).status_code == 302
    assert ledger_of(year_2023) == [
        ("no-provincial-initiative", Decimal("0.50"), None, "Không có sáng kiến"),
        ("other-bonus", Decimal("1.25"), None, "Sáng kiến cấp tỉnh"),
        ("other-deduction", Decimal("0.75"), None, "Báo cáo trễ"),
    ]
    result = next(r for r in selectors.year_results(year_2023) if r.unit.code == VQ)
    assert (result.total.bonus, result.total.deductions) == (Decimal("1.25"), Decimal("1.25"))


def test_the_admin_adds_an_entry_with_a_pdf_document(as_user, interior_admin, year_2023):
    data = {
        "kind": kind_pk("other-deduction"),
        "points": "1",
        "reason": "Theo kết luận thanh tra",
        "document": SimpleUploadedFile("ket-luan.pdf", PDF, "application/pdf"),
    }
    response = as_user(interior_admin).post(
        ledger_url(year_2023), with_ledger_version(year_2023, data)
    )
    assert response.status_code == 302
    stored = Adjustment.objects.get(assessment__year=year_2023, assessment__unit__code=VQ)
    assert stored.points == Decimal("1.00")
    assert stored.document.name.startswith("adjustments/")
    assert stored.document.name.endswith(".pdf")
    with stored.document.open("rb") as file:
        assert file.read() == PDF
    client = as_user(interior_admin)
    document_url = reverse("ledger_document", args=[year_2023.pk, VQ, stored.pk])
    assert f'href="{document_url}"' in client.get(ledger_url(year_2023)).content.decode()
    download = client.get(document_url)
    assert b"".join(download.streaming_content) == PDF
    assert "no-store" in download.headers["Cache-Control"]


def test_ledger_documents_are_for_the_interior_department_only(
    as_user, interior_admin, officer_a, year_2023
):
    as_user(interior_admin).post(
        ledger_url(year_2023),
        {
            "kind": kind_pk("other-deduction"),
            "points": "1",
            "reason": "Theo kết luận thanh tra",
            "document": SimpleUploadedFile("ket-luan.pdf", PDF, "application/pdf"),
            "version": assessment_of(year_2023).ledger_version,
        },
    )
    stored = Adjustment.objects.get(assessment__year=year_2023, assessment__unit__code=VQ)
    url = reverse("ledger_document", args=[year_2023.pk, VQ, stored.pk])
    assert as_user(officer_a).get(url).status_code == 404


BAD_LEDGER = {
    "count 0 on a per-occurrence kind": (
        {"kind": "officials-disciplined", "count": "0", "reason": "Kỷ luật"},
        "count",
        "cần số trường hợp (từ 1 trở lên)",
    ),
    "no count on a per-occurrence kind": (
        {"kind": "officials-disciplined", "count": "", "reason": "Kỷ luật"},
        "count",
        "cần số trường hợp (từ 1 trở lên)",
    ),
    "a count on a one-off kind": (
        {"kind": "no-provincial-initiative", "count": "2", "reason": "Không có"},
        "count",
        "loại này không tính theo số trường hợp",
    ),
    "a blank reason": (
        {"kind": "other-deduction", "points": "1", "reason": "   "},
        "reason",
        "bắt buộc",
    ),
    "a fake pdf document": (
        {"kind": "other-deduction", "points": "1", "reason": "Thanh tra", "document": "fake"},
        "document",
        "Nội dung tệp “ket-luan.pdf” không phải là tệp PDF thật; hãy kiểm tra lại tệp.",
    ),
    "three decimals": (
        {"kind": "other-deduction", "points": "1,255", "reason": "Thanh tra"},
        "points",
        "2 chữ số",
    ),
    "no points on a kind without default": (
        {"kind": "other-bonus", "reason": "Thưởng"},
        "points",
        "cần nhập số điểm",
    ),
    "zero points": (
        {"kind": "other-bonus", "points": "0", "reason": "Thưởng"},
        "points",
        "điểm phải lớn hơn 0",
    ),
}


@pytest.mark.parametrize("case", list(BAD_LEDGER))
def test_bad_ledger_input_is_refused_with_a_message_and_nothing_stored(
    as_user, interior_admin, year_2023, case
):
    values, field, message = BAD_LEDGER[case]
    data = with_ledger_version(year_2023, dict(values, kind=kind_pk(values["kind"])))
    if data.get("document") == "fake":
        data["document"] = SimpleUploadedFile("ket-luan.pdf", NOT_A_PDF, "application/pdf")
    response = as_user(interior_admin).post(ledger_url(year_2023), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert any(message in error for error in form.errors[field]), form.errors[field]
    html = response.content.decode()
    assert message in html  # shown on the page, in Vietnamese
    assert ledger_of(year_2023) == []


def test_the_service_refuses_bad_input_too(interior_admin, year_2023):
    roles = roles_of(interior_admin)
    assessment = assessment_of(year_2023)
    cases = [
        {"kind": "officials-disciplined", "count": 0, "reason": "x"},
        {"kind": "other-deduction", "points": Decimal("1"), "reason": "  "},
        {"kind": "other-deduction", "points": Decimal("1.255"), "reason": "x"},
        {"kind": "no-such-kind", "points": Decimal("1"), "reason": "x"},
    ]
    for case in cases:
        with pytest.raises(ValidationError):
            add_adjustment(assessment=assessment, roles=roles, user=interior_admin, **case)
    with pytest.raises(ValidationError):
        add_adjustment(
            assessment=assessment,
            roles=roles,
            user=interior_admin,
            kind="other-deduction",
            points=Decimal("1"),
            reason="x",
            document=SimpleUploadedFile("ket-luan.pdf", NOT_A_PDF, "application/pdf"),
        )
    assert ledger_of(year_2023) == []


def test_the_appraiser_reads_the_ledger_but_may_not_write(as_user, appraiser, year_2023):
    client = as_user(appraiser)
    response = client.get(ledger_url(year_2023))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sổ điểm thưởng, điểm trừ" in html
    assert "Thêm mục" not in html
    data = {"kind": kind_pk("other-deduction"), "points": "1", "reason": "Không được"}
    assert client.post(ledger_url(year_2023), data).status_code == 403
    assert ledger_of(year_2023) == []
    with pytest.raises(PermissionDenied):
        add_adjustment(
            assessment=assessment_of(year_2023),
            roles=roles_of(appraiser),
            user=appraiser,
            kind="other-deduction",
            points=Decimal("1"),
            reason="Không được",
        )


@pytest.mark.parametrize("who", ["officer_a", "leader_a", "officer_b", "viewer"])
def test_unit_staff_and_viewers_do_not_know_the_ledger(client_of, year_2023, who):
    client = client_of(who)
    assert client.get(ledger_url(year_2023)).status_code == 404
    data = {"kind": kind_pk("other-bonus"), "points": "1", "reason": "Tự thưởng"}
    assert client.post(ledger_url(year_2023), data).status_code == 404
    assert ledger_of(year_2023) == []


def test_anonymous_is_sent_to_sign_in_from_the_ledger(client, year_2023):
    assert_login_redirect(client.get(ledger_url(year_2023)))


@pytest.mark.parametrize("year_fixture", ["year_2022", "year_2024"])
def test_adding_outside_the_appraisal_is_refused_with_a_message(
    as_user, request, interior_admin, year_fixture
):
    year = request.getfixturevalue(year_fixture)  # published; self-assessment
    before = ledger_of(year)
    data = {"kind": kind_pk("other-bonus"), "points": "1", "reason": "Sau công bố"}
    response = as_user(interior_admin).post(ledger_url(year), data)
    assert response.status_code == 200
    # The admin is told why on the page, not just left to see nothing happen.
    assert LEDGER_CLOSED in response.content.decode()
    assert ledger_of(year) == before
    with pytest.raises(ValidationError, match="chỉ nhập trong thời gian thẩm định"):
        add_adjustment(
            assessment=assessment_of(year),
            roles=roles_of(interior_admin),
            user=interior_admin,
            kind="other-bonus",
            points=Decimal("1"),
            reason="Sau công bố",
        )
    assert ledger_of(year) == before


def test_removing_an_entry(as_user, interior_admin, year_2023):
    entry_ = add_adjustment(
        assessment=assessment_of(year_2023),
        roles=roles_of(interior_admin),
        user=interior_admin,
        kind="other-deduction",
        points=Decimal("2"),
        reason="Nhập nhầm",
    )
    client = as_user(interior_admin)
    url = reverse("ledger_remove", args=[year_2023.pk, VQ, entry_.pk])
    assert url in client.get(ledger_url(year_2023)).content.decode()
    response = client.post(url, with_ledger_version(year_2023, {}))
    assert response.status_code == 302
    assert response.url == ledger_url(year_2023)
    assert not Adjustment.objects.filter(pk=entry_.pk).exists()
    assert "Đã xóa khỏi sổ." in client.get(response.url).content.decode()


def test_removing_is_admin_only_and_of_this_unit(as_user, interior_admin, appraiser, year_2023):
    entry_ = add_adjustment(
        assessment=assessment_of(year_2023),
        roles=roles_of(interior_admin),
        user=interior_admin,
        kind="other-deduction",
        points=Decimal("2"),
        reason="Giữ lại",
    )
    assert (
        as_user(appraiser)
        .post(reverse("ledger_remove", args=[year_2023.pk, VQ, entry_.pk]))
        .status_code
        == 403
    )
    # The entry through another unit's URL: not found.
    assert (
        as_user(interior_admin)
        .post(reverse("ledger_remove", args=[year_2023.pk, HL, entry_.pk]))
        .status_code
        == 404
    )
    assert Adjustment.objects.filter(pk=entry_.pk).exists()


def test_removing_after_publication_is_refused(as_user, interior_admin, year_2022):
    entry_ = Adjustment.objects.get(assessment__year=year_2022, assessment__unit__code=VQ)
    client = as_user(interior_admin)
    response = client.post(reverse("ledger_remove", args=[year_2022.pk, VQ, entry_.pk]))
    assert response.status_code == 302
    assert Adjustment.objects.filter(pk=entry_.pk).exists()
    html = client.get(response.url).content.decode()
    assert LEDGER_CLOSED in html
    assert "Đã xóa khỏi sổ." not in html


def test_the_deduction_block_is_clamped_at_the_years_cap(interior_admin, year_2023):
    year = year_2023
    assert year.deduction_max == Decimal("10")
    assessment = assessment_of(year)
    before = next(r for r in selectors.year_results(year) if r.unit.code == VQ).total
    for points, reason in [("6", "Thanh tra lần 1"), ("4.5", "Thanh tra lần 2")]:
        add_adjustment(
            assessment=assessment,
            roles=roles_of(interior_admin),
            user=interior_admin,
            kind="other-deduction",
            points=Decimal(points),
            reason=reason,
        )
    add_adjustment(
        assessment=assessment,
        roles=roles_of(interior_admin),
        user=interior_admin,
        kind="officials-disciplined",
        count=2,
        reason="Kỷ luật",
    )
    stored = sum(a.points for a in Adjustment.objects.filter(assessment=assessment))
    assert stored == Decimal("11.00")  # above the cap
    total = next(r for r in selectors.year_results(year) if r.unit.code == VQ).total
    assert total.deductions == year.deduction_max
    assert total.points == before.points - year.deduction_max
    # The bonus block is clamped the same way.
    for points in ["3", "3"]:
        add_adjustment(
            assessment=assessment,
            roles=roles_of(interior_admin),
            user=interior_admin,
            kind="other-bonus",
            points=Decimal(points),
            reason="Thưởng",
        )
    total = next(r for r in selectors.year_results(year) if r.unit.code == VQ).total
    assert total.bonus == year.bonus_max == Decimal("5")


# --- the year's steps -------------------------------------------------------------------------


def state_url(year):
    return reverse("year_state", args=[year.pk])


def explanation_deadline(year) -> str:
    """A deadline for the explanation round that keeps the year's deadlines in order: the
    day before round 2 closes, as the admin's datetime-local field sends it."""
    local = timezone.localtime(year.final_appraisal_closes) - dt.timedelta(days=1)
    return local.strftime("%Y-%m-%dT%H:%M")


def reopen_url(year):
    return reverse("year_reopen", args=[year.pk])


def next_step_form(html):
    """The card that moves the year on (the page has other forms, e.g. the deadlines)."""
    start = html.index('id="next-title"')
    return html[start : html.index("</section>", start)]


def ranking_url(year):
    return reverse("ranking", args=[year.pk])


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", "login"),
        ("officer_a", 404),
        ("leader_a", 404),
        ("officer_b", 404),
        ("viewer", 404),
        ("appraiser", 403),
        ("interior_admin", 200),
    ],
)
def test_year_state_access(client_of, year_2023, who, expected):
    client = client_of(who)
    get = client.get(state_url(year_2023))
    post = client.post(
        state_url(year_2023),
        {
            "confirm": "on",
            "to_state": "explanation",
            "explanation_closes": explanation_deadline(year_2023),
        },
    )
    reopen = client.post(reopen_url(year_2023), {"reason": "Thử"})
    if expected == "login":
        for response in (get, post, reopen):
            assert_login_redirect(response)
    elif expected == 200:
        assert get.status_code == 200
    else:
        assert get.status_code == post.status_code == reopen.status_code == expected
    if who != "interior_admin":
        assert fresh(year_2023).state == "appraisal"
    assert not YearReopening.objects.filter(year=year_2023).exists()


def test_the_page_says_what_the_next_step_locks(as_user, interior_admin, year_2023):
    client = as_user(interior_admin)
    html = client.get(state_url(year_2023)).content.decode()
    assert by_testid(html, "state") == "Thẩm định"
    assert by_testid(html, "effect").startswith("Khóa thẩm định vòng 1.")
    step = next_step_form(html)
    assert 'name="explanation_closes"' in step
    assert 'name="confirm"' in step
    year = to_state(year_2023, "final_appraisal")
    html = client.get(state_url(year)).content.decode()
    assert by_testid(html, "effect") == (
        "Công bố kết quả cho mọi người dùng. Điểm bị đóng băng; muốn sửa phải mở lại có lý do."
    )
    step = next_step_form(html)
    assert 'name="confirm"' in step
    assert 'name="explanation_closes"' not in step  # no deadline to set for publication


def test_without_confirm_the_year_does_not_move(as_user, interior_admin, year_2023):
    response = as_user(interior_admin).post(
        state_url(year_2023),
        {"to_state": "explanation", "explanation_closes": explanation_deadline(year_2023)},
    )
    assert response.status_code == 200
    assert "confirm" in response.context["form"].errors
    year = fresh(year_2023)
    assert year.state == "appraisal"
    assert year.explanation_closes == year_2023.explanation_closes


def test_opening_the_explanation_round_moves_one_step_and_sets_its_deadline(
    as_user, appraiser, interior_admin, year_2023
):
    score_vu_quang_field_1(appraiser, year_2023)  # round 1 complete: nothing blocks the step
    client = as_user(interior_admin)
    response = client.post(
        state_url(year_2023),
        {
            "confirm": "on",
            "to_state": "explanation",
            "explanation_closes": explanation_deadline(year_2023),
        },
    )
    assert response.status_code == 302
    assert response.url == state_url(year_2023)
    year = fresh(year_2023)
    assert year.state == "explanation"
    assert year.explanation_closes == timezone.make_aware(
        dt.datetime.strptime(explanation_deadline(year_2023), "%Y-%m-%dT%H:%M")
    )
    assert year.published_at is None
    html = client.get(response.url).content.decode()
    assert "Đã chuyển kỳ đánh giá sang bước tiếp theo." in html
    assert by_testid(html, "state") == "Giải trình"
    # The same page posted again (a double click): refused, the year stays where it is.
    again = client.post(
        state_url(year),
        {
            "confirm": "on",
            "to_state": "explanation",
            "explanation_closes": explanation_deadline(year_2023),
        },
    )
    assert again.status_code == 200
    assert fresh(year).state == "explanation"
    # The next page's step: one more step, no deadline to set there.
    assert (
        client.post(state_url(year), {"confirm": "on", "to_state": "final_appraisal"}).status_code
        == 302
    )
    year = fresh(year)
    assert year.state == "final_appraisal"
    assert year.explanation_closes == timezone.make_aware(
        dt.datetime.strptime(explanation_deadline(year_2023), "%Y-%m-%dT%H:%M")
    )


def test_publishing_is_refused_while_a_leaf_is_unscored(as_user, interior_admin, viewer, year_2023):
    year = to_state(year_2023, "final_appraisal")
    response = as_user(interior_admin).post(
        state_url(year), {"confirm": "on", "to_state": "published"}
    )
    assert response.status_code == 200
    messages = messages_of(response)
    missing = (
        "Huyện Vũ Quang · lĩnh vực 1: còn 8 tiêu chí chưa có điểm "
        "(1.1.1, 1.1.2, 1.2.1, 1.3.1, 1.3.2, 1.4.1, 1.4.2, 1.5.1)"
    )
    assert messages == [missing]
    assert HL_NAME not in " ".join(messages)
    assert missing in response.content.decode()
    year = fresh(year)
    assert (year.state, year.published_at) == ("final_appraisal", None)
    # Still not open to the viewer.
    assert as_user(viewer).get(ranking_url(year)).status_code == 404


def score_vu_quang_field_1(appraiser, year):
    appraise(appraiser, year, *(entry(year, code, score) for code, score in VQ_FIELD_1.items()))


def test_publishing_once_everything_is_scored(
    as_user, appraiser, interior_admin, viewer, year_2023
):
    score_vu_quang_field_1(appraiser, year_2023)
    year = to_state(year_2023, "final_appraisal")
    assert as_user(viewer).get(ranking_url(year)).status_code == 404
    before = timezone.now()
    response = as_user(interior_admin).post(
        state_url(year), {"confirm": "on", "to_state": "published"}
    )
    assert response.status_code == 302
    year = fresh(year)
    assert year.state == "published"
    assert year.published_at is not None and year.published_at >= before
    page = as_user(viewer).get(ranking_url(year))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Tạm tính" not in html
    assert VQ_NAME in html
    assert 'data-testid="corrected"' not in html
    # Published: nothing further to advance to, only a reopening.
    html = as_user(interior_admin).get(state_url(year)).content.decode()
    assert 'data-testid="effect"' not in html
    assert 'name="reason"' in html


def test_reopening_needs_a_reason(as_user, interior_admin, year_2022):
    client = as_user(interior_admin)
    for data in ({}, {"reason": "   "}):
        response = client.post(reopen_url(year_2022), data)
        assert response.status_code == 302
        assert "Cần nêu lý do mở lại." in client.get(response.url).content.decode()
    year = fresh(year_2022)
    assert year.state == "published"
    assert not YearReopening.objects.filter(year=year).exists()


def test_reopening_and_publishing_again_shows_the_correction(
    as_user, interior_admin, viewer, year_2022
):
    published_at = year_2022.published_at
    client = as_user(interior_admin)
    reason = "Sửa điểm tiêu chí 1.3.2 của Huyện Vũ Quang theo khiếu nại"
    response = client.post(reopen_url(year_2022), {"reason": f"  {reason}  "})
    assert response.status_code == 302
    year = fresh(year_2022)
    assert year.state == "final_appraisal"
    reopening = YearReopening.objects.get(year=year)
    assert (reopening.reason, reopening.by, reopening.previously_published_at) == (
        reason,
        interior_admin,
        published_at,
    )
    # While reopened, the viewer no longer sees the ranking.
    assert as_user(viewer).get(ranking_url(year)).status_code == 404
    client = as_user(interior_admin)
    assert reason in client.get(state_url(year)).content.decode()
    assert (
        client.post(state_url(year), {"confirm": "on", "to_state": "published"}).status_code == 302
    )
    year = fresh(year)
    assert year.state == "published"
    page = as_user(viewer).get(ranking_url(year))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Tạm tính" not in html
    assert html.count('data-testid="corrected"') == 1
    assert reason in by_testid(html, "corrected")


def test_reopening_a_year_not_published_is_refused(as_user, interior_admin, year_2023):
    client = as_user(interior_admin)
    response = client.post(reopen_url(year_2023), {"reason": "Nhầm năm"})
    assert response.status_code == 302
    assert "Chỉ mở lại được kỳ đánh giá đã công bố." in client.get(response.url).content.decode()
    assert fresh(year_2023).state == "appraisal"
    assert not YearReopening.objects.exists()


# --- assignments ------------------------------------------------------------------------------


def assignments_url(year):
    return reverse("assignments", args=[year.pk])


def shown_of(html):
    """The assignments the page showed, as its form sends them back."""
    return re.search(r'name="shown" value="([^"]*)"', html).group(1)


@pytest.fixture
def new_appraiser(db):
    user = User.objects.create_user("stp.thamdinh", first_name="Sở Tư", last_name="pháp")
    user.groups.add(Group.objects.get(name="appraiser"))
    return user


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", "login"),
        ("officer_a", 404),
        ("viewer", 404),
        ("appraiser", 403),
        ("interior_admin", 200),
    ],
)
def test_assignments_access(client_of, year_2023, who, expected):
    before = set(FieldAssignment.objects.filter(year=year_2023).values_list("field", "appraiser"))
    client = client_of(who)
    get = client.get(assignments_url(year_2023))
    post = client.post(assignments_url(year_2023), {})  # would clear every assignment
    if expected == "login":
        assert_login_redirect(get)
        assert_login_redirect(post)
    elif expected == 200:
        assert get.status_code == 200
    else:
        assert get.status_code == post.status_code == expected
    if who != "interior_admin":
        after = set(
            FieldAssignment.objects.filter(year=year_2023).values_list("field", "appraiser")
        )
        assert after == before


def test_saving_the_grid_replaces_the_assignments(
    as_user, interior_admin, appraiser, new_appraiser, year_2023
):
    field2 = node_of(year_2023, "2")
    assert FieldAssignment.objects.filter(year=year_2023, appraiser=appraiser).count() == 10
    client = as_user(interior_admin)
    html = client.get(assignments_url(year_2023)).content.decode()
    assert f'name="a-{field2.id}-{new_appraiser.id}"' in html
    response = client.post(
        assignments_url(year_2023),
        {"shown": shown_of(html), f"a-{field2.id}-{new_appraiser.id}": "on"},
    )
    assert response.status_code == 302
    assert set(
        FieldAssignment.objects.filter(year=year_2023).values_list("field", "appraiser")
    ) == {(field2.id, new_appraiser.id)}
    html = client.get(response.url).content.decode()
    assert "Đã lưu phân công thẩm định." in html
    assert re.search(rf'name="a-{field2.id}-{new_appraiser.id}"[^>]*checked', html)
    field1 = node_of(year_2023, "1")
    assert not re.search(rf'name="a-{field1.id}-{appraiser.id}"[^>]*checked', html)


def test_the_newly_assigned_appraiser_appraises_their_field_only(
    as_user, interior_admin, new_appraiser, year_2023
):
    field2 = node_of(year_2023, "2")
    admin = as_user(interior_admin)
    shown = shown_of(admin.get(assignments_url(year_2023)).content.decode())
    admin.post(
        assignments_url(year_2023), {"shown": shown, f"a-{field2.id}-{new_appraiser.id}": "on"}
    )
    admin.logout()
    client = as_user(new_appraiser)
    field_2 = reverse("appraise_field", args=[year_2023.pk, VQ, "2"])
    data = {"2.3.1-version": "0", "2.3.1-score": "1,5", "2.3.1-reason": "late"}
    assert client.post(field_2, data).status_code == 302
    row = leaf(year_2023, "2.3.1")
    assert (row.r1_score, row.appraised_by) == (Decimal("1.5"), new_appraiser)
    field_1 = reverse("appraise_field", args=[year_2023.pk, VQ, "1"])
    data = {"1.3.2-version": "0", "1.3.2-score": "0,75", "1.3.2-reason": "late"}
    assert client.post(field_1, data).status_code == 403
    assert leaf(year_2023, "1.3.2").r1_score is None


def test_the_service_refuses_a_pair_that_is_not_a_field_and_an_appraiser(
    interior_admin, officer_a, viewer, new_appraiser, year_2023, year_2024
):
    roles = roles_of(interior_admin)
    before = set(FieldAssignment.objects.values_list("year", "field", "appraiser"))
    field2 = node_of(year_2023, "2")
    bad_pairs = [
        (field2.id, officer_a.id),  # not an appraiser
        (field2.id, viewer.id),
        (node_of(year_2023, "2.3").id, new_appraiser.id),  # not a field
        (node_of(year_2023, "2.3.1").id, new_appraiser.id),
    ]
    for pair in bad_pairs:
        with pytest.raises(ValidationError, match="Chỉ phân công lĩnh vực"):
            set_assignments(
                year=year_2023,
                roles=roles,
                user=interior_admin,
                pairs=[(field2.id, new_appraiser.id), pair],
            )
    new_appraiser.is_active = False
    new_appraiser.save()
    with pytest.raises(ValidationError):
        set_assignments(
            year=year_2023, roles=roles, user=interior_admin, pairs=[(field2.id, new_appraiser.id)]
        )
    with pytest.raises(PermissionDenied):
        set_assignments(year=year_2023, roles=roles_of(officer_a), user=officer_a, pairs=[])
    assert set(FieldAssignment.objects.values_list("year", "field", "appraiser")) == before


# --- the survey grid --------------------------------------------------------------------------


def survey_url(year):
    return reverse("survey", args=[year.pk])


def cell(year, unit, code):
    return f"s-{assessment_of(year, unit).pk}-{node_of(year, code).pk}"


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", "login"),
        ("officer_a", 404),
        ("leader_a", 404),
        ("officer_b", 404),
        ("viewer", 404),
        ("appraiser", 200),
        ("interior_admin", 200),
    ],
)
def test_survey_access(client_of, year_2023, who, expected):
    before = survey_layer(year_2023)
    client = client_of(who)
    response = client.get(survey_url(year_2023))
    post = client.post(survey_url(year_2023), {cell(year_2023, VQ, "10.1"): "1"})
    if expected == "login":
        assert_login_redirect(response)
        assert_login_redirect(post)
        return
    assert response.status_code == expected
    if expected == 404:
        assert post.status_code == 404
        assert survey_layer(year_2023) == before
    else:
        inputs, _reader = survey_inputs(response.content.decode())
        assert len(inputs) == 13 * 2 * 3  # per cell: the score, its version, the score shown
        assert inputs[cell(year_2023, VQ, "10.1")] == "9,68"
        assert inputs[cell(year_2023, VQ, "10.1") + "-was"] == "9.68"


@pytest.mark.parametrize("who", ["interior_admin", "appraiser"])
def test_saving_a_changed_cell(client_of, request, year_2023, who):
    client = client_of(who)
    data, reader = survey_inputs(client.get(survey_url(year_2023)).content.decode())
    assert not reader.disabled_fieldset
    before = {(u, c): rest for u, c, *rest in survey_layer(year_2023)}
    changed = cell(year_2023, VQ, "10.1")
    data[changed] = "9,5"
    response = client.post(survey_url(year_2023), data)
    assert response.status_code == 302
    assert response.url == survey_url(year_2023)
    row = leaf(year_2023, "10.1")
    assert row.r1_score == Decimal("9.50")
    assert row.appraisal_version == 1
    assert row.appraised_by == request.getfixturevalue(who)
    after = {(u, c): rest for u, c, *rest in survey_layer(year_2023)}
    for key in after:
        if key != (VQ, "10.1"):
            assert after[key] == before[key], key  # not rewritten: same score and version
    assert "Đã lưu điểm điều tra xã hội học." in client.get(response.url).content.decode()


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("10,5", "Điểm không được lớn hơn điểm tối đa (10,00)."),
        ("-1", "Điểm không được âm."),
        ("chín", "Nhập một số."),
    ],
)
def test_a_bad_score_is_refused_in_its_cell(as_user, interior_admin, year_2023, typed, error):
    client = as_user(interior_admin)
    data, _reader = survey_inputs(client.get(survey_url(year_2023)).content.decode())
    before = survey_layer(year_2023)
    data[cell(year_2023, VQ, "10.1")] = typed
    data[cell(year_2023, HL, "10.2")] = "9"  # a good cell alongside is not saved either
    response = client.post(survey_url(year_2023), data)
    assert response.status_code == 200
    assert messages_of(response) == ["Chưa lưu: hãy sửa các ô báo lỗi bên dưới."]
    form = response.context["form"]
    assert form.errors == {cell(year_2023, VQ, "10.1"): [error]}
    assert error in response.content.decode()
    inputs, _reader = survey_inputs(response.content.decode())
    assert inputs[cell(year_2023, VQ, "10.1")] == typed  # the user's input stays
    assert inputs[cell(year_2023, HL, "10.2")] == "9"
    assert survey_layer(year_2023) == before


def test_a_cell_that_is_not_a_number_is_refused(as_user, interior_admin, year_2023):
    client = as_user(interior_admin)
    data, _reader = survey_inputs(client.get(survey_url(year_2023)).content.decode())
    before = survey_layer(year_2023)
    data[cell(year_2023, VQ, "10.1")] = "chín"
    response = client.post(survey_url(year_2023), data)
    assert response.status_code == 200
    assert "Chưa lưu: hãy sửa các ô báo lỗi bên dưới." in messages_of(response)
    assert survey_layer(year_2023) == before


def test_the_service_saves_only_changed_cells(interior_admin, year_2023):
    roles = roles_of(interior_admin)
    key = (assessment_of(year_2023).pk, node_of(year_2023, "10.2").pk)
    same = (assessment_of(year_2023, HL).pk, node_of(year_2023, "10.2").pk)
    changed = save_survey(
        year=year_2023,
        roles=roles,
        user=interior_admin,
        scores=[
            SurveyScore(*key, version=0, score=Decimal("8.25")),
            SurveyScore(*same, version=0, score=leaf(year_2023, "10.2", HL).r1_score),
        ],
    )
    assert changed == 1
    assert leaf(year_2023, "10.2").r1_score == Decimal("8.25")
    assert leaf(year_2023, "10.2", HL).appraisal_version == 0


def test_in_self_assessment_the_grid_is_read_only(as_user, interior_admin, year_2024):
    client = as_user(interior_admin)
    response = client.get(survey_url(year_2024))
    assert response.status_code == 200
    html = response.content.decode()
    data, reader = survey_inputs(html)
    assert reader.disabled_fieldset
    assert "Lưu điểm điều tra" not in html
    data[cell(year_2024, VQ, "10.1")] = "9,5"
    response = client.post(survey_url(year_2024), data)
    assert response.status_code == 200
    assert "Điểm điều tra xã hội học nhập trong thời gian thẩm định." in messages_of(response)
    assert survey_layer(year_2024) == []


@pytest.mark.parametrize("year_fixture", ["year_2022", "year_2024"])
def test_the_service_refuses_outside_the_appraisal(request, interior_admin, year_fixture):
    year = request.getfixturevalue(year_fixture)
    before = survey_layer(year)
    key = (assessment_of(year).pk, node_of(year, "10.1").pk)
    with pytest.raises(ValidationError, match="nhập trong thời gian thẩm định"):
        save_survey(
            year=year,
            roles=roles_of(interior_admin),
            user=interior_admin,
            scores=[SurveyScore(*key, version=0, score=Decimal(5))],
        )
    assert survey_layer(year) == before


def test_the_service_refuses_unit_staff(officer_a, year_2023):
    key = (assessment_of(year_2023).pk, node_of(year_2023, "10.1").pk)
    with pytest.raises(PermissionDenied):
        save_survey(
            year=year_2023,
            roles=roles_of(officer_a),
            user=officer_a,
            scores=[SurveyScore(*key, version=0, score=Decimal(5))],
        )
    assert leaf(year_2023, "10.1").r1_score == Decimal("9.68")


# --- query counts -----------------------------------------------------------------------------


def test_worklist_page_query_count_is_fixed(
    as_user, appraiser, year_2023, django_assert_num_queries
):
    client = as_user(appraiser)
    url = reverse("worklist", args=[year_2023.pk])
    # 1 session, 2 user, 3 the user's groups and 4 unit memberships (roles_of), 5 the year
    # with its level and framework, 6 the framework's leaf count, 7 the leaf-score counts by
    # assessment, 8 the assessments with their unit and year. The same whatever the number of
    # units.
    # + 9 the bell's unread notifications (menu).
    with django_assert_num_queries(9):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="stage"') == 13


def test_survey_page_query_count_is_fixed(
    as_user, interior_admin, year_2023, django_assert_num_queries
):
    client = as_user(interior_admin)
    url = survey_url(year_2023)
    # 1 session, 2 user, 3 groups and 4 memberships (roles_of), 5 the year with its level and
    # framework, 6 the survey leaves, 7 the assessments with their unit, 8 the stored survey
    # scores. No query per unit or per cell.
    # + 9 the bell's unread notifications (menu).
    with django_assert_num_queries(9):
        response = client.get(url)
    assert response.status_code == 200
    inputs, _reader = survey_inputs(response.content.decode())
    assert len(inputs) == 26 * 3


def test_query_counts_do_not_grow_with_the_data(as_user, appraiser, interior_admin, year_2023):
    """A flagged and an answered leaf, a ledger entry: the pages still cost the same."""
    client = as_user(appraiser)
    urls = [reverse("worklist", args=[year_2023.pk]), survey_url(year_2023)]

    def counts():
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            result.append(len(queries))
        return result

    first = counts()
    appraise(appraiser, year_2023, entry(year_2023, "1.3.2", "0.75", "late", flagged=True))
    add_adjustment(
        assessment=assessment_of(year_2023),
        roles=roles_of(interior_admin),
        user=interior_admin,
        kind="other-bonus",
        points=Decimal(1),
        reason="Thưởng",
    )
    assert counts() == first
