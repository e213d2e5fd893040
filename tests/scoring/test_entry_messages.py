"""Messages of the unit's pages in plain Vietnamese: no Python repr, no Django English, no space
before a full stop; counts take whole numbers only; progress says "nothing yet" instead of
"0/0 (100%)"; dates are read day first."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from scoring.models import Assessment, AssessmentYear, LeafScore
from scoring.selectors.entry import Progress
from scoring.services import NodeSpec, create_framework, create_year
from tests.scoring.test_self_assessment_services import clear
from units.models import Membership, Unit, UnitLevel
from units.roles import SYSTEM_ADMIN

pytestmark = pytest.mark.django_db

VQ = "vu-quang"
FIELD_2 = ["2.1.1", "2.2.1", "2.2.2", "2.2.3", "2.3.1"]
# What Django would say in English, or its Vietnamese with a stray space ("0 .").
ENGLISH = ("This field", "Enter a", "Ensure", "Select a valid", "is not one of", "required")
RAW = re.compile(r"\['|'\]|\s[.,;:!?]")


def field_url(year, field="2"):
    return reverse("entry_field", args=[year.pk, VQ, field])


def post_field_2(client, year, values):
    data = {f"{code}-version": "0" for code in FIELD_2}
    data.update(values)
    return client.post(field_url(year), data)


def texts(html, css_class):
    """The text of every element with ``css_class``, tags removed, spaces collapsed."""
    found = []
    for match in re.finditer(rf'<(\w+)[^>]*class="[^"]*\b{css_class}\b[^"]*"[^>]*>', html):
        tag, start = match[1], match.end()
        end = html.index(f"</{tag}>", start)
        # Tags go without a trace: only the spaces the page really has remain.
        found.append(" ".join(re.sub(r"<[^>]+>", "", html[start:end]).split()))
    return found


def plain(text):
    """A sentence as a user should read it: no repr, no English, no space before punctuation."""
    return not RAW.search(text) and not any(word in text for word in ENGLISH)


BAD = {
    "2.1.1-d_done": ("-1", "Không được là số âm."),
    "2.1.1-d_total": ("1,23456", "Tối đa 4 chữ số sau dấu phẩy."),
    "2.2.1-d_done": ("7", "Chọn Có hoặc Không."),
    "2.2.3-d_count": ("12,5", "Nhập số nguyên, ví dụ 12."),
    "2.3.1-score": ("-1", "Không được là số âm."),
}


def test_every_refusal_on_the_entry_page_reads_as_plain_vietnamese(as_user, officer_a, year_2024):
    values = {name: value for name, (value, _message) in BAD.items()}
    values.update(
        {
            "2.2.2-version": "abc",  # a page the browser did not send as written
            "2.2.2-d_done": "1",
            "ev-2.2.2-existing": "999999",  # a document removed meanwhile
            "ev-2.3.1-document_date": "45/13/2024",
            "ev-2.3.1-reference": "Mục 2",
        }
    )
    response = post_field_2(as_user(officer_a), year_2024, values)
    assert response.status_code == 200
    html = response.content.decode()
    feedback = texts(html, "invalid-feedback")
    for name, (_value, message) in BAD.items():
        assert message in " ".join(feedback), name
    assert "Nhập ngày theo dạng ngày/tháng/năm, ví dụ 31/12/2024." in feedback
    assert "Tài liệu đã chọn không còn trong danh sách; hãy chọn lại." in feedback
    top = " ".join(texts(html, "alert-danger"))
    assert "Trang này đã cũ hoặc không đầy đủ; hãy tải lại trang rồi nhập lại." in top
    assert "Chưa lưu: 5 tiêu chí có lỗi (2.1.1, 2.2.1, 2.2.2, 2.2.3, 2.3.1)." in top
    messages = feedback + texts(html, "alert") + [m for m in response.context["messages"]]
    assert messages
    for text in map(str, messages):
        assert plain(text), text
    assert not LeafScore.objects.filter(
        assessment__year=year_2024, assessment__unit__code=VQ, node__code__in=FIELD_2
    ).exists()


def test_the_score_preview_says_it_plainly_too(as_user, officer_a, year_2024):
    url = reverse("entry_preview", args=[year_2024.pk, VQ, "2.3.1"])
    html = as_user(officer_a).post(url, {"2.3.1-version": "0", "2.3.1-score": "-1"})
    text = " ".join(re.sub(r"<[^>]+>", " ", html.content.decode()).split())
    assert text == "Không được là số âm."


@pytest.mark.parametrize("typed", ["31/12/2023", "2023-12-31"])
def test_a_date_is_read_day_first_or_from_the_date_picker(as_user, officer_a, year_2024, typed):
    row = LeafScore.objects.filter(
        assessment__year=year_2024, assessment__unit__code=VQ, node__code="1.1.1"
    ).first()
    data = {"1.1.1-version": row.version if row else 0, "1.1.1-d_due": typed}
    response = as_user(officer_a).post(field_url(year_2024, "1"), data)
    assert response.status_code == 302
    row = LeafScore.objects.get(
        assessment__year=year_2024, assessment__unit__code=VQ, node__code="1.1.1"
    )
    assert row.declared["due"] == "2023-12-31"


def test_a_month_first_date_is_refused_not_misread(as_user, officer_a, year_2024):
    response = as_user(officer_a).post(field_url(year_2024, "1"), {"1.1.1-d_due": "12/31/2023"})
    assert response.status_code == 200
    assert "Nhập ngày theo dạng ngày/tháng/năm, ví dụ 31/12/2024." in response.content.decode()


# --- progress ---------------------------------------------------------------------------------


def progress(filled, total, claiming=0, with_evidence=0):
    return Progress(filled, total, claiming, with_evidence, Decimal(0), Decimal(0))


@pytest.mark.parametrize(
    ("filled", "total", "percent"), [(0, 0, 0), (0, 43, 0), (1, 3, 33), (43, 43, 100)]
)
def test_nothing_to_fill_is_not_a_hundred_percent(filled, total, percent):
    assert progress(filled, total).filled_percent == percent


@pytest.mark.parametrize(("claiming", "with_evidence", "percent"), [(0, 0, 0), (4, 1, 25)])
def test_evidence_percent_of_no_claim_is_zero(claiming, with_evidence, percent):
    assert progress(0, 1, claiming, with_evidence).evidence_percent == percent


def test_an_untouched_assessment_reads_zero_percent(as_user, officer_a, year_2024):
    clear(Assessment.objects.get(year=year_2024, unit__code=VQ))
    html = as_user(officer_a).get(field_url(year_2024)).content.decode()
    assert re.search(r'data-testid="filled">0/\d+ \(0%\)</dd>', html)
    assert 'data-testid="evidence">Chưa có tiêu chí nào có điểm.</dd>' in html
    assert "100%" not in html


def test_a_framework_with_nothing_for_the_unit_says_so(client, db):
    level = UnitLevel.objects.create(code="khao-sat", name="Chỉ khảo sát")
    unit = Unit.objects.create(level=level, code="ks-1", name="Đơn vị khảo sát", kind="xa")
    specs = [
        NodeSpec("1", "Điều tra xã hội học", Decimal(10)),
        NodeSpec("1.1", "Mức hài lòng", Decimal(10), "survey", filled_by="interior"),
    ]
    framework = create_framework(
        roles=SYSTEM_ADMIN, name="Khảo sát", unit_level=level, nodes=specs, max_points=Decimal(10)
    )
    year = create_year(
        roles=SYSTEM_ADMIN, year=2031, unit_level=level, framework=framework, units=[unit]
    )
    AssessmentYear.objects.filter(pk=year.pk).update(state="self_assessment")
    officer = User.objects.create_user("ks-canbo")
    Membership.objects.create(user=officer, unit=unit, role="officer")
    client.force_login(officer)
    html = client.get(reverse("entry_field", args=[year.pk, unit.code, "1"])).content.decode()
    assert 'data-testid="filled">Chưa có tiêu chí nào để đơn vị nhập.</dd>' in html
    assert 'data-testid="claimed">—</dd>' in html
    assert "0/0" not in html and "0,00/0,00" not in html and "100%" not in html
    assert 'role="progressbar"' not in html
