"""A unit's self-assessment through Excel: the template, its upload (preview, then apply), every
bad workbook with its sheet/row/column problem, access, the closed window and conflicts."""

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from scoring.importers import ImportFailed
from scoring.importers.self_assessment import SelfAssessmentImporter, entry_template
from scoring.models import Assessment, FrameworkNode, LeafScore
from scoring.services import LeafEntry, save_leaves
from units.roles import roles_of

pytestmark = pytest.mark.django_db

VQ, HL = "vu-quang", "tx-hong-linh"
SHEET = "Tự đánh giá"
LEADER_A_NAME = "Lãnh đạo UBND huyện Vũ Quang"
FIELD_2 = ["2.1.1", "2.2.1", "2.2.2", "2.2.3", "2.3.1"]
# The template's columns, by header (the test reads them off the sheet, not off the code).
HEADERS = [
    "Mã",
    "Nội dung",
    "Điểm tối đa",
    "Cách chấm",
    "Số liệu 1",
    "Giá trị 1",
    "Số liệu 2",
    "Giá trị 2",
    "Số liệu 3",
    "Giá trị 3",
    "Điểm tự chấm",
    "Không áp dụng",
    "Lý do không áp dụng",
    "Thuyết minh",
    "Hướng dẫn chấm",
    "Phiên bản",
    "Mã kiểm tra",
]
NOT_EXCEL = "Tệp không phải là tệp Excel (.xlsx) hoặc đã bị hỏng."


# --- helpers ----------------------------------------------------------------------------------


def template_url(year, unit=VQ):
    return reverse("entry_template", args=[year.pk, unit])


def import_url(year, unit=VQ):
    return reverse("entry_import", args=[year.pk, unit])


def assessment_of(year, unit=VQ):
    return Assessment.objects.select_related("year", "unit").get(year=year, unit__code=unit)


def leaf(year, code, unit=VQ):
    return LeafScore.objects.filter(
        assessment__year=year, assessment__unit__code=unit, node__code=code
    ).first()


def snapshot(year, unit=VQ):
    """Everything an import could touch in the unit's assessment."""
    return sorted(
        LeafScore.objects.filter(assessment__year=year, assessment__unit__code=unit).values_list(
            "node__code",
            "version",
            "declared",
            "self_score",
            "not_applicable",
            "na_reason",
            "explanation",
        )
    )


class Sheet:
    """The downloaded template, opened for filling: cells by leaf code and header."""

    def __init__(self, content: bytes):
        self.workbook = load_workbook(io.BytesIO(content))
        self.sheet = self.workbook[SHEET]
        self.header_row = next(row[0].row for row in self.sheet.iter_rows() if row[0].value == "Mã")
        self.columns = {
            cell.value: cell.column for cell in self.sheet[self.header_row] if cell.value
        }
        self.rows = {
            self.sheet.cell(row=number, column=1).value: number
            for number in range(self.header_row + 1, self.sheet.max_row + 1)
        }

    def cell(self, code, header):
        return self.sheet.cell(row=self.rows[code], column=self.columns[header])

    def get(self, code, header):
        return self.cell(code, header).value

    def set(self, code, header, value):
        self.cell(code, header).value = value

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        return buffer.getvalue()


def download(client, year, unit=VQ) -> Sheet:
    response = client.get(template_url(year, unit))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return Sheet(response.content)


def upload(client, year, content: bytes, unit=VQ):
    return client.post(import_url(year, unit), {"file": io_file(content)})


def io_file(content: bytes):
    return SimpleUploadedFile("tu-danh-gia.xlsx", content)


def apply(client, year, preview, unit=VQ):
    return client.post(import_url(year, unit), {"token": preview.context["token"], "apply": "1"})


def problems_of(response):
    return [(p.sheet, p.row, p.column, p.message) for p in response.context["problems"]]


def fill_field_2(sheet: Sheet):
    """Field 2 as the officer fills it offline (all five leaves empty in the demo)."""
    sheet.set("2.1.1", "Giá trị 1", 19)  # 19 of 20 documents: 95 % → 2 points
    sheet.set("2.1.1", "Giá trị 2", 20)
    sheet.set("2.1.1", "Thuyết minh", "Ban hành 19/20 văn bản theo kế hoạch.")
    sheet.set("2.2.1", "Giá trị 1", "Có")  # binary → 0.5
    sheet.set("2.2.2", "Không áp dụng", "Có")
    sheet.set("2.2.2", "Lý do không áp dụng", "Không phát hiện văn bản trái pháp luật.")
    sheet.set("2.2.3", "Giá trị 1", 1)  # one document: 1 − 0.25 = 0.75
    sheet.set("2.3.1", "Điểm tự chấm", "1,5")  # manual, typed with a decimal comma


FIELD_2_SCORES = {
    "2.1.1": Decimal("2.00"),
    "2.2.1": Decimal("0.50"),
    "2.2.2": None,
    "2.2.3": Decimal("0.75"),
    "2.3.1": Decimal("1.50"),
}


# --- the template -----------------------------------------------------------------------------


def test_template_layout(as_user, officer_a, year_2024):
    sheet = download(as_user(officer_a), year_2024)
    ws = sheet.sheet
    titles = [ws.cell(row=n, column=1).value or "" for n in range(1, sheet.header_row)]
    assert titles[0] == "Tự đánh giá năm 2024 · Huyện Vũ Quang"
    closes = timezone.localtime(year_2024.self_assessment_closes)
    assert titles[1] == f"Hạn tự đánh giá: {closes:%H:%M %d/%m/%Y}"
    assert any("không đính kèm trong tệp Excel" in title for title in titles)
    assert [cell.value for cell in ws[sheet.header_row]] == HEADERS
    # Tree order: fields and criteria as context rows, then the unit's leaves; no survey.
    codes = list(sheet.rows)
    assert codes[:3] == ["1", "1.1", "1.1.1"]
    assert codes[codes.index("2") : codes.index("3")] == [
        "2",
        "2.1",
        "2.1.1",
        "2.2",
        "2.2.1",
        "2.2.2",
        "2.2.3",
        "2.3",
        "2.3.1",
    ]
    assert "10" not in codes and "10.1" not in codes
    unit_leaves = FrameworkNode.objects.filter(
        framework_id=year_2024.framework_id, filled_by="unit"
    ).exclude(rule="")
    assert len([c for c in codes if c.count(".") == 2]) == unit_leaves.count()
    # Pre-filled with what the unit entered: 1.1.1's dates as real dates, its score computed.
    stored = leaf(year_2024, "1.1.1")
    assert sheet.get("1.1.1", "Số liệu 1") == "Hạn phải thực hiện"
    assert sheet.get("1.1.1", "Giá trị 1") == dt.datetime.fromisoformat(stored.declared["due"])
    assert sheet.cell("1.1.1", "Giá trị 1").number_format == "DD/MM/YYYY"
    assert sheet.get("1.1.1", "Số liệu 3") == "Không thực hiện"
    assert Decimal(str(sheet.get("1.1.1", "Điểm tự chấm"))) == stored.self_score
    assert sheet.get("1.1.1", "Phiên bản") == stored.version
    assert sheet.get("1.4.1", "Giá trị 1") == "Có"  # binary, done
    assert Decimal(str(sheet.get("1.3.2", "Điểm tự chấm"))) == leaf(year_2024, "1.3.2").self_score
    # Field 2 is empty; a binary leaf has one figure, the others grey and blank.
    assert sheet.get("2.2.1", "Giá trị 1") is None
    assert sheet.get("2.2.1", "Số liệu 2") is None
    assert sheet.get("2.2.1", "Phiên bản") == 0
    assert sheet.get("2.3.1", "Hướng dẫn chấm").startswith("Từ 0 đến 2, bội số của 0,25")
    assert "không áp dụng" in sheet.get("2.2.2", "Hướng dẫn chấm")
    # The version column is hidden; yes/no cells have a dropdown.
    for hidden in ("Phiên bản", "Mã kiểm tra"):
        letter = ws.cell(row=1, column=sheet.columns[hidden]).column_letter
        assert ws.column_dimensions[letter].hidden
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert lists and lists[0].formula1 == '"Có,Không"'
    assert sheet.cell("2.2.1", "Giá trị 1").coordinate in lists[0].sqref
    assert sheet.cell("2.2.2", "Không áp dụng").coordinate in lists[0].sqref
    assert sheet.cell("2.3.1", "Không áp dụng").coordinate not in lists[0].sqref


def test_template_is_in_english_for_an_english_reader(as_user, officer_a, year_2024):
    client = as_user(officer_a)
    client.cookies["django_language"] = "en"
    response = client.get(template_url(year_2024))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Self-assessment"]


def test_text_from_the_database_stays_text(officer_a, year_2024):
    """An explanation typed as a formula is written as text, not run by Excel; a control
    character pasted into one does not break the workbook."""
    row = leaf(year_2024, "1.3.2")
    LeafScore.objects.filter(pk=row.pk).update(explanation='=HYPERLINK("http://x")\x0b')
    content = entry_template(assessment_of(year_2024)).content
    cell = Sheet(content).cell("1.3.2", "Thuyết minh")
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x")'


def test_template_query_count_is_fixed(as_user, officer_a, year_2024, django_assert_num_queries):
    client = as_user(officer_a)
    # 1 session, 2 user, 3 groups and 4 memberships (roles_of), 5 the assessment with its
    # year, level, framework and unit, 6 the framework's nodes, 7 the unit's leaf scores with
    # who saved them, 8 the evidence links. None per leaf.
    with django_assert_num_queries(8):
        assert client.get(template_url(year_2024)).status_code == 200


# --- the good path ----------------------------------------------------------------------------


def test_fill_field_2_preview_then_apply_round_trip(as_user, officer_a, year_2024):
    client = as_user(officer_a)
    sheet = download(client, year_2024)
    fill_field_2(sheet)
    before = snapshot(year_2024)
    preview = upload(client, year_2024, sheet.bytes())
    assert preview.status_code == 200, problems_of(preview)
    plan = preview.context["plan"]
    assert "5 tiêu chí thay đổi" in plan.summary
    lines = {(c.subject.split(" ")[0], c.what): c for c in plan.changes}
    assert lines[("2.1.1.", "Số liệu kê khai")].new == "Số đã thực hiện: 19; Tổng số: 20"
    assert lines[("2.1.1.", "Điểm tự chấm")].old == ""
    assert lines[("2.1.1.", "Điểm tự chấm")].new == "2,00"
    assert lines[("2.2.2.", "Không áp dụng")].new == "Có"
    assert lines[("2.2.2.", "Điểm tự chấm")].new == "Không áp dụng"
    assert lines[("2.2.3.", "Điểm tự chấm")].new == "0,75"
    assert lines[("2.3.1.", "Điểm tự chấm")].new == "1,50"
    assert {c.subject.split(" ")[0] for c in plan.changes} == {f"{code}." for code in FIELD_2}
    assert snapshot(year_2024) == before  # a preview writes nothing

    response = apply(client, year_2024, preview)
    assert response.status_code == 302
    assert response.url == reverse("entry", args=[year_2024.pk, VQ])
    for code, score in FIELD_2_SCORES.items():
        row = leaf(year_2024, code)
        assert row.self_score == score, code
        assert row.version == 1 and row.updated_by == officer_a
    assert leaf(year_2024, "2.1.1").declared == {"done": "19", "total": "20"}
    assert leaf(year_2024, "2.2.3").declared == {"count": 1}
    assert leaf(year_2024, "2.2.2").na_reason == "Không phát hiện văn bản trái pháp luật."
    # Other fields were left as they were.
    assert [r for r in snapshot(year_2024) if not r[0].startswith("2.")] == [
        r for r in before if not r[0].startswith("2.")
    ]
    # The scores show on the entry page, and the import's message with them.
    page = client.get(reverse("entry_field", args=[year_2024.pk, VQ, "2"]))
    html = page.content.decode()
    assert "Đã nhập 5 tiêu chí từ tệp Excel." in html
    for code in ("2.1.1", "2.2.3", "2.3.1"):
        output = html.split(f'id="score-{code.replace(".", "-")}"', 1)[1].split("</output>")[0]
        assert f"{FIELD_2_SCORES[code]:.2f}".replace(".", ",") in output, code

    # Round trip: a fresh template says what was stored, and uploading it changes nothing.
    again = download(client, year_2024)
    for code, score in FIELD_2_SCORES.items():
        shown = again.get(code, "Điểm tự chấm")
        assert (Decimal(str(shown)) if shown is not None else None) == score, code
        assert again.get(code, "Phiên bản") == 1
    assert again.get("2.1.1", "Giá trị 1") == 19
    assert again.get("2.2.2", "Không áp dụng") == "Có"
    unchanged = upload(client, year_2024, again.bytes())
    assert unchanged.status_code == 200
    assert unchanged.context["plan"].changes == []
    assert "0 tiêu chí thay đổi" in unchanged.context["plan"].summary


def test_the_untouched_demo_template_changes_nothing(as_user, officer_a, year_2024):
    """Demo figures are stored as numbers (20), the form's as text ("20"): the same figure."""
    client = as_user(officer_a)
    # Typed in the browser, whose line breaks are CRLF; the workbook gives LF back.
    LeafScore.objects.filter(pk=leaf(year_2024, "1.3.2").pk).update(explanation="Một\r\nHai")
    before = snapshot(year_2024)
    sheet = download(client, year_2024)
    # A note under the table (no code, nothing in an input column) is not read.
    sheet.sheet.cell(row=sheet.sheet.max_row + 2, column=2).value = "Người lập biểu: Nguyễn Văn A"
    preview = upload(client, year_2024, sheet.bytes())
    assert preview.status_code == 200, problems_of(preview)
    assert preview.context["plan"].changes == []
    assert apply(client, year_2024, preview).status_code == 302
    assert snapshot(year_2024) == before


def test_a_row_changes_the_whole_leaf_and_blank_rows_leave_it(as_user, officer_a, year_2024):
    client = as_user(officer_a)
    sheet = download(client, year_2024)
    # 1.3.2 (manual): a new score; its explanation cleared in the file is cleared.
    sheet.set("1.3.2", "Điểm tự chấm", 0.5)
    sheet.set("1.3.2", "Thuyết minh", None)
    # 1.1.2 (percent tiers): every input cell emptied → left as it is.
    for header in ("Giá trị 1", "Giá trị 2", "Thuyết minh"):
        sheet.set("1.1.2", header, None)
    kept = leaf(year_2024, "1.1.2")
    preview = upload(client, year_2024, sheet.bytes())
    assert preview.status_code == 200, problems_of(preview)
    assert apply(client, year_2024, preview).status_code == 302
    row = leaf(year_2024, "1.3.2")
    assert row.self_score == Decimal("0.50") and row.explanation == ""
    after = leaf(year_2024, "1.1.2")
    assert (after.version, after.declared, after.self_score) == (
        kept.version,
        kept.declared,
        kept.self_score,
    )


def test_the_computed_score_column_is_not_read(as_user, officer_a, year_2024):
    client = as_user(officer_a)
    sheet = download(client, year_2024)
    sheet.set("2.2.1", "Giá trị 1", "Không")
    sheet.set("2.2.1", "Điểm tự chấm", 0.5)  # the officer's own idea: the rule says 0
    preview = upload(client, year_2024, sheet.bytes())
    assert apply(client, year_2024, preview).status_code == 302
    assert leaf(year_2024, "2.2.1").self_score == Decimal("0.00")
    assert leaf(year_2024, "2.2.1").declared == {"done": False}


# --- bad workbooks: the problem where it is, and nothing written ------------------------------


def _set(code, header, value):
    def change(sheet):
        sheet.set(code, header, value)
        return sheet.rows[code]

    return change


def _duplicate(sheet):
    fill_field_2(sheet)
    ws, source = sheet.sheet, sheet.rows["2.3.1"]
    target = ws.max_row + 1
    for column in range(1, len(HEADERS) + 1):
        ws.cell(row=target, column=column).value = ws.cell(row=source, column=column).value
    return target


def _survey_row(sheet):
    target = sheet.sheet.max_row + 1
    sheet.sheet.cell(row=target, column=1).value = "10.1"
    sheet.sheet.cell(row=target, column=sheet.columns["Điểm tự chấm"]).value = 9
    return target


CASES = {
    "unknown code": (
        _set("2.3.1", "Mã", "2.3.9"),
        "A (Mã)",
        "Không có tiêu chí mã “2.3.9” trong bộ chỉ số năm 2024.",
    ),
    "text in a number column": (
        _set("2.1.1", "Giá trị 1", "mười"),
        "F (Giá trị 1)",
        "cần một số, ô đang có “mười”",
    ),
    "thousands dot": (
        _set("2.1.1", "Giá trị 1", "1.500"),
        "F (Giá trị 1)",
        "Dùng dấu phẩy cho phần thập phân, không dùng dấu chấm phân cách hàng nghìn.",
    ),
    "a count with a dot": (
        _set("2.2.3", "Giá trị 1", "1.000"),
        "F (Giá trị 1)",
        "Nhập một số nguyên, chỉ gồm chữ số (không dấu chấm, phẩy).",  # as on the form
    ),
    # The web form's own field decides, with its own words.
    "a figure the form refuses as too long": (
        _set("2.1.1", "Giá trị 1", 10**30),
        "F (Giá trị 1)",
        "Số quá dài: tối đa 16 chữ số.",
    ),
    "a figure with more decimals than the form takes": (
        _set("2.1.1", "Giá trị 1", "1,23456"),
        "F (Giá trị 1)",
        "Tối đa 4 chữ số sau dấu phẩy.",
    ),
    "score above max": (
        _set("2.3.1", "Điểm tự chấm", 2.5),
        "K (Điểm tự chấm)",
        "Điểm không được lớn hơn điểm tối đa (2,00).",
    ),
    "score off step": (
        _set("2.3.1", "Điểm tự chấm", 1.3),
        "K (Điểm tự chấm)",
        "Điểm phải là bội số của 0,25.",
    ),
    "text score": (
        _set("2.3.1", "Điểm tự chấm", "khá"),
        "K (Điểm tự chấm)",
        "cần một số, ô đang có “khá”",
    ),
    "bad yes/no": (
        _set("2.2.1", "Giá trị 1", "có lẽ"),
        "F (Giá trị 1)",
        "cần “Có” hoặc “Không”, ô đang có “có lẽ”",
    ),
    "bad date": (
        _set("1.1.1", "Giá trị 2", "32/01/2024"),
        "H (Giá trị 2)",
        "cần một ngày (dd/mm/yyyy), ô đang có “32/01/2024”",
    ),
    "N/A where not allowed": (
        _set("2.3.1", "Không áp dụng", "Có"),
        "L (Không áp dụng)",
        "Tiêu chí này không được đánh dấu không áp dụng.",
    ),
    "N/A without reason": (
        _set("2.2.2", "Không áp dụng", "Có"),
        "M (Lý do không áp dụng)",
        "Cần nêu lý do không áp dụng.",
    ),
    "figures the rule refuses": (
        lambda sheet: (
            _set("2.1.1", "Giá trị 1", 5)(sheet),
            _set("2.1.1", "Giá trị 2", 0)(sheet),
        )[0],
        "H (Giá trị 2)",
        "Tổng số phải lớn hơn 0.",
    ),
    "done above total": (
        lambda sheet: (
            _set("2.2.2", "Giá trị 1", 5)(sheet),
            _set("2.2.2", "Giá trị 2", 4)(sheet),
        )[0],
        "F (Giá trị 1)",
        "Số đã thực hiện không được lớn hơn tổng số.",
    ),
    "a figure the rule does not have": (
        _set("2.2.1", "Giá trị 2", 3),
        "H (Giá trị 2)",
        "Tiêu chí này không có số liệu thứ 2; hãy để trống ô này.",
    ),
    "a survey leaf": (_survey_row, "A (Mã)", "10.1: tiêu chí do Sở Nội vụ chấm."),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_workbook_names_the_cell_and_writes_nothing(as_user, officer_a, year_2024, case):
    change, column, message = CASES[case]
    client = as_user(officer_a)
    sheet = download(client, year_2024)
    row = change(sheet)
    before = snapshot(year_2024)
    response = upload(client, year_2024, sheet.bytes())
    assert response.status_code == 422
    assert problems_of(response) == [(SHEET, row, column, message)]
    assert message in response.content.decode()
    assert snapshot(year_2024) == before


def test_a_duplicate_row_is_refused(as_user, officer_a, year_2024):
    client = as_user(officer_a)
    sheet = download(client, year_2024)
    row = _duplicate(sheet)
    before = snapshot(year_2024)
    response = upload(client, year_2024, sheet.bytes())
    assert response.status_code == 422
    first = sheet.rows["2.3.1"]
    assert problems_of(response) == [
        (SHEET, row, "A (Mã)", f"Tiêu chí 2.3.1 đã có ở dòng {first}.")
    ]
    assert snapshot(year_2024) == before


def test_every_problem_is_listed_at_once(as_user, officer_a, year_2024):
    client = as_user(officer_a)
    sheet = download(client, year_2024)
    sheet.set("2.1.1", "Giá trị 1", "mười")
    sheet.set("2.3.1", "Điểm tự chấm", 3)
    sheet.set("2.2.1", "Giá trị 1", "Có")  # a good row alongside is not saved either
    before = snapshot(year_2024)
    response = upload(client, year_2024, sheet.bytes())
    assert [p[1] for p in problems_of(response)] == [sheet.rows["2.1.1"], sheet.rows["2.3.1"]]
    assert snapshot(year_2024) == before


def test_a_missing_sheet(as_user, officer_a, year_2024):
    client = as_user(officer_a)
    sheet = download(client, year_2024)
    sheet.sheet.title = "Sheet1"
    before = snapshot(year_2024)
    response = upload(client, year_2024, sheet.bytes())
    assert response.status_code == 422
    assert problems_of(response) == [
        (SHEET, None, "", "Thiếu trang tính “Tự đánh giá” (tệp có: Sheet1).")
    ]
    assert snapshot(year_2024) == before


def test_a_sheet_without_the_header(as_user, officer_a, year_2024):
    workbook = Workbook()
    workbook.active.title = SHEET
    workbook.active.append(["Mã", "Điểm tự chấm"])
    workbook.active.append(["2.3.1", 1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(as_user(officer_a), year_2024, buffer.getvalue())
    assert response.status_code == 422
    [(sheet, row, column, message)] = problems_of(response)
    assert (sheet, row, column) == (SHEET, None, "")
    assert message.startswith("Không tìm thấy dòng tiêu đề có các cột “Mã”")


def test_not_excel_at_all(as_user, officer_a, year_2024):
    before = snapshot(year_2024)
    response = upload(as_user(officer_a), year_2024, b"ma,diem\n2.3.1,1.5\n")
    assert response.status_code == 422
    assert problems_of(response) == [("", None, "", NOT_EXCEL)]
    assert snapshot(year_2024) == before


def test_another_units_or_years_template_is_refused(as_user, officer_a, year_2023, year_2024):
    client = as_user(officer_a)
    last_year = download(client, year_2023)  # same codes, but last year's figures
    other_unit = Sheet(entry_template(assessment_of(year_2024, HL)).content)
    before = snapshot(year_2024)
    for sheet in (last_year, other_unit):
        sheet.set("2.3.1", "Điểm tự chấm", 1)
        response = upload(client, year_2024, sheet.bytes())
        assert response.status_code == 422
        [(_s, _r, _c, message)] = problems_of(response)
        assert message.startswith("Tệp này là mẫu của một đơn vị hoặc một năm khác.")
        assert "năm 2024 của Huyện Vũ Quang" in message
    assert snapshot(year_2024) == before


# --- access -----------------------------------------------------------------------------------

WHO = ["anonymous", "officer_a", "leader_a", "officer_b", "appraiser", "interior_admin", "viewer"]
TEMPLATE = {
    "anonymous": "login",
    "officer_a": 200,
    "leader_a": 200,
    "officer_b": 404,
    "appraiser": 200,  # the Interior Department may download, to read
    "interior_admin": 200,
    "viewer": 404,
}
IMPORT = {**TEMPLATE, "appraiser": 403, "interior_admin": 403}


@pytest.fixture
def client_of(request, client):
    def sign_in(who):
        if who != "anonymous":
            client.force_login(request.getfixturevalue(who))
        return client

    return sign_in


@pytest.mark.parametrize("who", WHO)
def test_template_access(client_of, year_2024, who):
    response = client_of(who).get(template_url(year_2024))
    expected = TEMPLATE[who]
    if expected == "login":
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("who", WHO)
def test_import_access(client_of, officer_a, year_2024, who):
    content = Sheet(entry_template(assessment_of(year_2024)).content)
    content.set("2.3.1", "Điểm tự chấm", 1)
    before = snapshot(year_2024)
    client = client_of(who)
    get = client.get(import_url(year_2024))
    post = upload(client, year_2024, content.bytes())
    expected = IMPORT[who]
    if expected == "login":
        for response in (get, post):
            assert response.status_code == 302 and response.url.startswith(reverse("login"))
    else:
        assert get.status_code == expected
        assert post.status_code == expected
    if expected == 200:
        assert 'data-testid="template-download"' in get.content.decode()
        assert post.context["plan"].changes  # the preview, not yet written
    assert snapshot(year_2024) == before


def test_upload_refused_when_the_window_is_closed(as_user, officer_a, year_2023):
    client = as_user(officer_a)
    sheet = download(client, year_2023)  # the template can still be downloaded, to read
    sheet.set("1.3.2", "Điểm tự chấm", 0.25)
    before = snapshot(year_2023)
    entry = reverse("entry", args=[year_2023.pk, VQ])
    for response in (client.get(import_url(year_2023)), upload(client, year_2023, sheet.bytes())):
        assert response.status_code == 302 and response.url == entry
    messages = [str(m) for m in client.get(entry, follow=True).context["messages"]]
    assert "Thời gian tự đánh giá của năm 2023 không mở." in messages
    assert snapshot(year_2023) == before


def test_the_deadline_passing_between_preview_and_apply(as_user, officer_a, year_2024):
    client = as_user(officer_a)
    sheet = download(client, year_2024)
    fill_field_2(sheet)
    preview = upload(client, year_2024, sheet.bytes())
    assert preview.status_code == 200
    before = snapshot(year_2024)
    with time_machine.travel(year_2024.self_assessment_closes + dt.timedelta(minutes=1)):
        response = apply(client, year_2024, preview)
    assert response.status_code == 302  # back to the entry page, which says why
    assert snapshot(year_2024) == before
    with time_machine.travel(year_2024.self_assessment_closes + dt.timedelta(minutes=1)):
        importer = SelfAssessmentImporter(
            assessment=assessment_of(year_2024), roles=roles_of(officer_a), user=officer_a
        )
        with pytest.raises(ImportFailed) as failed:
            importer.read(sheet.bytes())
    assert failed.value.problems[0].message == "Thời gian tự đánh giá của năm 2024 không mở."


def test_upload_refused_once_submitted(as_user, officer_a, year_2024):
    Assessment.objects.filter(year=year_2024, unit__code=VQ).update(status="submitted")
    response = as_user(officer_a).get(import_url(year_2024), follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["Bản tự đánh giá đã được gửi; chỉ lãnh đạo đơn vị có thể rút lại để sửa."]


# --- conflicts --------------------------------------------------------------------------------


def save_in_browser(user, year, code, score):
    """A colleague saves a manual leaf in the app, over its current version."""
    row = leaf(year, code)
    node = FrameworkNode.objects.get(framework_id=year.framework_id, code=code)
    save_leaves(
        assessment=assessment_of(year),
        roles=roles_of(user),
        user=user,
        entries=[
            LeafEntry(
                node_id=node.id,
                version=row.version if row else 0,
                typed_score=Decimal(score),
                explanation=row.explanation if row else "",
            )
        ],
    )


def test_a_leaf_saved_in_the_app_since_the_download_is_a_conflict(
    as_user, officer_a, leader_a, year_2024
):
    client = as_user(officer_a)
    sheet = download(client, year_2024)
    fill_field_2(sheet)
    save_in_browser(leader_a, year_2024, "2.3.1", "0.5")
    saved = leaf(year_2024, "2.3.1")
    before = snapshot(year_2024)
    response = upload(client, year_2024, sheet.bytes())
    assert response.status_code == 422
    when = timezone.localtime(saved.updated_at).strftime("%H:%M %d/%m/%Y")
    assert problems_of(response) == [
        (
            SHEET,
            sheet.rows["2.3.1"],
            "A (Mã)",
            f"Tiêu chí 2.3.1 đã được {LEADER_A_NAME} sửa lúc {when}, sau khi bạn tải mẫu; "
            "hãy tải mẫu mới rồi nhập lại.",
        )
    ]
    assert snapshot(year_2024) == before


def test_a_leaf_saved_in_the_app_but_untouched_in_the_file_is_kept(
    as_user, officer_a, leader_a, year_2024
):
    client = as_user(officer_a)
    sheet = download(client, year_2024)  # 1.3.2 as it stands, untouched below
    fill_field_2(sheet)
    save_in_browser(leader_a, year_2024, "1.3.2", "0.5")
    preview = upload(client, year_2024, sheet.bytes())
    assert preview.status_code == 200, problems_of(preview)
    assert "1 tiêu chí đã được sửa trên phần mềm sau khi tải mẫu" in preview.context["plan"].summary
    assert not [c for c in preview.context["plan"].changes if c.subject.startswith("1.3.2")]
    assert apply(client, year_2024, preview).status_code == 302
    assert leaf(year_2024, "1.3.2").self_score == Decimal("0.50")  # the colleague's
    assert leaf(year_2024, "2.3.1").self_score == Decimal("1.50")


def test_a_save_between_preview_and_apply_is_a_conflict(officer_a, leader_a, year_2024):
    sheet = Sheet(entry_template(assessment_of(year_2024)).content)
    fill_field_2(sheet)
    importer = SelfAssessmentImporter(
        assessment=assessment_of(year_2024), roles=roles_of(officer_a), user=officer_a
    )
    plan = importer.read(sheet.bytes())
    save_in_browser(leader_a, year_2024, "2.3.1", "0.5")
    before = snapshot(year_2024)
    with pytest.raises(ImportFailed) as failed:
        importer.apply(plan)
    [problem] = failed.value.problems
    assert (problem.sheet, problem.row) == (SHEET, sheet.rows["2.3.1"])
    assert problem.message.startswith(f"Tiêu chí 2.3.1 đã được {LEADER_A_NAME} sửa lúc ")
    assert snapshot(year_2024) == before


# --- the entry page's buttons -----------------------------------------------------------------


def _buttons(client, year):
    html = client.get(reverse("entry_field", args=[year.pk, VQ, "1"])).content.decode()
    return 'data-testid="entry-template"' in html, 'data-testid="entry-import"' in html


def test_entry_page_buttons(as_user, officer_a, interior_admin, year_2023, year_2024):
    assert _buttons(as_user(officer_a), year_2024) == (True, True)
    assert _buttons(as_user(officer_a), year_2023) == (True, False)  # closed: download only
    assert _buttons(as_user(interior_admin), year_2024) == (True, False)
