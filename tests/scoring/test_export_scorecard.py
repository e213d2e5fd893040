"""A unit's scorecard as a workbook: the whole tree with every layer the reader may see, the
ledger and the totals, under the scorecard page's rules."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from scoring.models import Evidence, EvidenceLink, LeafScore

from .export_helpers import rows, workbook

pytestmark = pytest.mark.django_db

APPRAISAL = {"Vòng 1", "Lý do/nhận xét vòng 1", "Vòng 2", "Lý do/nhận xét vòng 2", "Điểm cuối"}
UNIT_SIDE = {"Số liệu kê khai", "Tự chấm", "Thuyết minh", "Giải trình", "Tài liệu kiểm chứng"}


def url(year, unit_code="vu-quang"):
    return reverse("scorecard_xlsx", args=[year.pk, unit_code])


def download(client, year, unit_code="vu-quang"):
    response = client.get(url(year, unit_code))
    assert response.status_code == 200
    return workbook(response).worksheets[0]


def header_row(values):
    return next(i for i, row in enumerate(values) if row[:2] == ["Mã", "Nội dung"])


def lines(values):
    """Node rows by code, each as {header: value}; the rest of the sheet under key None."""
    start = header_row(values)
    header = values[start]
    by_code, rest = {}, []
    for row in values[start + 1 :]:
        if row[0] and row[0][0].isdigit():
            by_code[row[0]] = dict(zip(header, row, strict=True))
        else:
            rest.append(row)
    return header, by_code, rest


def summary(rest):
    """The totals block: label -> value."""
    return {row[1]: row[2] for row in rest if row[1] and row[0] is None}


def test_the_interior_department_gets_every_layer(as_user, appraiser, year_2022):
    response = as_user(appraiser).get(url(year_2022))
    assert 'filename="phieu-diem-2022-vu-quang.xlsx"' in response["Content-Disposition"]
    sheet = workbook(response).worksheets[0]
    values = rows(sheet)
    assert values[0][0].startswith("Huyện Vũ Quang · Chỉ số cải cách hành chính năm 2022")
    assert values[1][0] == "Công bố ngày 10/02/2023"
    header, nodes, rest = lines(values)
    assert header == [
        "Mã",
        "Nội dung",
        "Điểm tối đa",
        "Không áp dụng",
        "Số liệu kê khai",
        "Tự chấm",
        "Thuyết minh",
        "Vòng 1",
        "Lý do/nhận xét vòng 1",
        "Giải trình",
        "Vòng 2",
        "Lý do/nhận xét vòng 2",
        "Điểm cuối",
        "Tài liệu kiểm chứng",
    ]
    assert len(nodes) == 82  # every field, criterion and leaf of the demo framework
    initiative = nodes["1.5.1"]
    assert (initiative["Tự chấm"], initiative["Vòng 1"], initiative["Điểm cuối"]) == (2, 0, 0)
    assert initiative["Lý do/nhận xét vòng 1"] == "Không đạt chỉ tiêu"
    assert initiative["Số liệu kê khai"] == "Đã thực hiện: Có"
    assert nodes["6.2.1"]["Số liệu kê khai"] == "Số đã thực hiện: 15; Tổng số: 100"
    # Parents carry their subtotals.
    assert (nodes["1"]["Điểm tối đa"], nodes["1"]["Tự chấm"], nodes["1"]["Điểm cuối"]) == (
        10,
        10,
        8,
    )
    assert nodes["10"]["Điểm cuối"] == pytest.approx(19.80)
    ledger = next(row for row in rest if row[0] == "Điểm trừ")
    assert ledger[2:4] == [-0.5, "02 công chức bị kiểm điểm, xem xét xử lý kỷ luật trong năm 2022"]
    assert "× 2" in ledger[1]
    totals = summary(rest)
    assert totals["Tổng điểm"] == pytest.approx(89.30)
    assert totals["Điểm trừ"] == 0.5
    assert totals["Chỉ số (%)"] == pytest.approx(89.30)
    assert (totals["Hạng"], totals["Số đơn vị được xếp hạng"]) == (12, 13)
    assert totals["Điểm tối đa áp dụng"] == 100
    # Fields bold, deeper levels indented in the text column.
    code_column = [row[0] for row in sheet.iter_rows()]
    field = next(c for c in code_column if c.value == "1")
    leaf = next(c for c in code_column if c.value == "1.1.1")
    assert field.font.b and not leaf.font.b
    assert sheet.cell(row=leaf.row, column=2).alignment.indent == 4
    assert sheet.cell(row=leaf.row, column=3).number_format == "0.00"


@pytest.mark.parametrize("reader", ["viewer", "officer_b"])
def test_other_readers_of_a_published_year_get_the_final_score_only(
    request, as_user, reader, year_2022
):
    """As on the page: the final score, the ledger and the totals; neither the unit's working
    layers nor the rounds with the appraisers' reasons."""
    header, nodes, rest = lines(rows(download(as_user(request.getfixturevalue(reader)), year_2022)))
    assert "Điểm cuối" in header
    assert not (APPRAISAL - {"Điểm cuối"}) & set(header)
    assert not UNIT_SIDE & set(header)
    assert nodes["4.1.2"]["Điểm cuối"] == 0
    assert summary(rest)["Tổng điểm"] == pytest.approx(89.30)


def test_the_units_officer_before_publication_gets_no_appraisal(as_user, officer_a, year_2023):
    values = rows(download(as_user(officer_a), year_2023))
    assert values[2][0] == "Điểm thẩm định sẽ hiển thị khi Sở Nội vụ công bố kết quả."
    header, nodes, rest = lines(values)
    assert set(header) >= UNIT_SIDE
    assert not APPRAISAL & set(header)
    flat = {value for row in values for value in row}
    assert "Điểm thưởng và điểm trừ" not in flat
    totals = summary(rest)
    assert set(totals) == {"Tổng điểm tự chấm", "Điểm tối đa áp dụng"}
    # 2023's improvement: a 25% enterprise share of budget revenue.
    improved = nodes["6.2.1"]
    assert (improved["Số liệu kê khai"], improved["Tự chấm"]) == (
        "Số đã thực hiện: 25; Tổng số: 100",
        1.5,
    )
    assert nodes["10.1"]["Tự chấm"] is None  # the survey is not self-scored


def test_the_units_officer_after_publication_gets_both(as_user, officer_a, year_2022):
    header, _nodes, rest = lines(rows(download(as_user(officer_a), year_2022)))
    assert set(header) >= APPRAISAL | UNIT_SIDE
    assert summary(rest)["Hạng"] == 12


@pytest.mark.parametrize(
    ("who", "unit_code"),
    [("officer_b", "vu-quang"), ("viewer", "vu-quang"), ("officer_a", "tp-ha-tinh")],
)
def test_an_unpublished_scorecard_does_not_exist_for_outsiders(
    as_user, request, year_2023, who, unit_code
):
    response = as_user(request.getfixturevalue(who)).get(url(year_2023, unit_code))
    assert response.status_code == 404


def test_anonymous_is_sent_to_login(client, year_2022):
    assert client.get(url(year_2022)).status_code == 302


def test_not_applicable_with_its_reason(as_user, appraiser, year_2023):
    _header, nodes, _rest = lines(rows(download(as_user(appraiser), year_2023, "tp-ha-tinh")))
    leaf = nodes["3.3.1"]
    assert leaf["Không áp dụng"] == (
        "KAD: Trong năm không phát sinh phản ánh, kiến nghị về quy định hành chính"
    )
    assert (leaf["Điểm cuối"], leaf["Tự chấm"]) == ("KAD", None)
    assert nodes["3.3"]["Không áp dụng"] == "KAD"
    assert nodes["3"]["Không áp dụng"] is None


@pytest.fixture
def evidence_2022(year_2022):
    leaf = LeafScore.objects.get(
        assessment__year=year_2022, assessment__unit__code="vu-quang", node__code="1.1.1"
    )
    plan = Evidence.objects.create(
        assessment=leaf.assessment,
        file="evidence/x/plan.pdf",
        original_name="Kế hoạch CCHC 2022.pdf",
        content_type="application/pdf",
        size=1000,
        document_number="12/KH-UBND",
        document_date=dt.date(2022, 1, 10),
    )
    note = Evidence.objects.create(
        assessment=leaf.assessment,
        file="evidence/x/note.pdf",
        original_name="=HYPERLINK(1).pdf",
        content_type="application/pdf",
        size=10,
    )
    EvidenceLink.objects.create(evidence=plan, leaf=leaf, reference="Mục II, trang 3")
    EvidenceLink.objects.create(evidence=note, leaf=leaf, supplementary=True)
    return leaf


def test_evidence_names_numbers_and_dates(as_user, officer_a, year_2022, evidence_2022):
    _header, nodes, _rest = lines(rows(download(as_user(officer_a), year_2022)))
    assert nodes["1.1.1"]["Tài liệu kiểm chứng"] == (
        "Kế hoạch CCHC 2022.pdf (số 12/KH-UBND; ngày 10/01/2022; Mục II, trang 3)\n"
        "=HYPERLINK(1).pdf (bổ sung khi giải trình)"
    )
    assert nodes["1.1.2"]["Tài liệu kiểm chứng"] is None


def test_text_typed_by_users_stays_text(as_user, appraiser, year_2022, evidence_2022):
    LeafScore.objects.filter(pk=evidence_2022.pk).update(
        explanation="=SUM(A1)", r1_comment="+1 điểm", explanation_answer="@giải trình"
    )
    sheet = download(as_user(appraiser), year_2022)
    row = next(r for r in sheet.iter_rows() if r[0].value == "1.1.1")
    texts = {c.value: c.data_type for c in row if isinstance(c.value, str)}
    assert texts["=SUM(A1)"] == "s"
    assert texts["@giải trình"] == "s"
    assert texts["+1 điểm"] == "s"


def test_the_scorecard_page_offers_the_download(as_user, officer_a, year_2023):
    html = as_user(officer_a).get(reverse("scorecard", args=[year_2023.pk, "vu-quang"]))
    assert url(year_2023) in html.content.decode()


def test_headers_follow_the_language(as_user, appraiser, year_2022):
    with translation.override("en"):
        client = as_user(appraiser)
        client.post(reverse("set_language"), {"language": "en", "next": "/"})
        values = rows(download(client, year_2022))
    header = values[3]  # under the title, the state and the year's story
    assert header[2] == "Max. points"
    assert "Self-score" in header
    assert values[1][0] == "Published on 10/02/2023"
