"""The reading helpers every import shares, and the staging of an upload between its preview
and its application."""

import datetime as dt
import io
import os
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from scoring.importers import ColumnSpec, ImportFailed, base, open_workbook, read_table, staging
from tests.scoring.test_import_survey import VQ, download, save_in_the_app, score

SPECS = [
    ColumnSpec("code", "Mã"),
    ColumnSpec("max", "Điểm tối đa"),
    ColumnSpec("guide", "Hướng dẫn chấm", required=False),
]


def workbook_bytes(rows, title="Bộ chỉ số") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_not_excel_and_old_excel_get_their_own_message():
    with pytest.raises(ImportFailed) as plain:
        open_workbook(b"name,score\nVu Quang,8\n")
    assert "không phải là tệp Excel" in str(plain.value)
    with pytest.raises(ImportFailed) as old:
        open_workbook(base.OLE_SIGNATURE + b"\0" * 100)
    assert ".xls" in str(old.value) and "lưu lại" in str(old.value)


def test_header_found_under_title_rows_whatever_the_case_and_spacing():
    content = workbook_bytes(
        [
            ["Bộ chỉ số năm 2025"],
            [],
            ["  MÃ ", "Điểm  tối\nđa", "Ghi chú"],
            ["1", 10],
            [],
            ["1.1", "4,5"],
        ]
    )
    problems = []
    sheet = base.find_sheet(open_workbook(content), "Bộ chỉ số", problems)
    table = read_table(sheet, SPECS, problems)
    assert problems == []
    assert table.header_row == 3
    assert table.columns == {"code": 0, "max": 1}  # the optional column is simply absent
    assert [number for number, _ in table.rows] == [4, 6]  # the blank row is skipped
    assert table.where(6, "max") == {"sheet": "Bộ chỉ số", "row": 6, "column": "B (Điểm  tối\nđa)"}
    assert base.cell_decimal(table.value(table.rows[1][1], "max")) == Decimal("4.5")


def test_english_headers_and_sheet_titles_are_read_too():
    with translation.override("en"):
        english_sheet = str(translation.gettext("Bộ chỉ số"))
    assert english_sheet != "Bộ chỉ số"  # the catalog knows it; otherwise this proves nothing
    with translation.override("en"):
        code, maximum = translation.gettext("Mã"), translation.gettext("Điểm tối đa")
    content = workbook_bytes([[code, maximum], ["1", 10]], title=english_sheet)
    problems = []
    sheet = base.find_sheet(open_workbook(content), "Bộ chỉ số", problems)
    table = read_table(sheet, SPECS, problems)
    assert problems == [] and table.columns == {"code": 0, "max": 1}


def test_missing_sheet_and_missing_header_are_problems_not_errors():
    workbook = open_workbook(workbook_bytes([["x"]], title="Sheet1"))
    problems = []
    assert base.find_sheet(workbook, "Bộ chỉ số", problems) is None
    assert "Thiếu trang tính “Bộ chỉ số”" in problems[0].message and "Sheet1" in problems[0].message
    problems = []
    assert read_table(workbook.worksheets[0], SPECS, problems) is None
    assert "Không tìm thấy dòng tiêu đề" in problems[0].message and "“Mã”" in problems[0].message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("  ", None),
        (8, Decimal(8)),
        (8.5, Decimal("8.5")),
        (0.1, Decimal("0.1")),
        ("8,25", Decimal("8.25")),
        (" 7.5 ", Decimal("7.5")),
    ],
)
def test_numbers_read_exactly(value, expected):
    assert base.cell_decimal(value) == expected


@pytest.mark.parametrize("value", ["tám", "1.000,5", "NaN", "inf", True])
def test_text_in_a_number_cell_is_refused(value):
    with pytest.raises(ValueError):
        base.cell_decimal(value)


def test_yes_no_dates_and_codes():
    assert [base.cell_bool(v) for v in ("Có", "không", "x", None, 1, "No")] == [
        True,
        False,
        True,
        None,
        True,
        False,
    ]
    with pytest.raises(ValueError):
        base.cell_bool("có lẽ")
    assert base.cell_date("05/03/2024") == dt.date(2024, 3, 5)
    assert base.cell_date(dt.datetime(2024, 3, 5, 8, 0)) == dt.date(2024, 3, 5)
    with pytest.raises(ValueError):
        base.cell_date("31/02/2024")
    assert base.cell_text(3.0) == "3" and base.cell_text(" 1.2 ") == "1.2"


def test_problem_says_where_in_the_users_words():
    problem = base.Problem(sheet="Bộ chỉ số", row=7, column="C (Điểm tối đa)", message="cần một số")
    assert str(problem) == "Bộ chỉ số, dòng 7, cột C (Điểm tối đa): cần một số"
    assert str(base.Problem(message="hỏng")) == "hỏng"


@pytest.fixture
def session_request(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    request = RequestFactory().post("/")
    request.session = {}
    return request


def test_a_staged_file_is_given_back_only_to_its_session_and_scope(session_request):
    token = staging.stage(session_request, b"content", "framework:1")
    assert staging.take(session_request, token, "framework:1") == b"content"
    assert staging.take(session_request, token, "framework:2") is None  # another page
    stranger = RequestFactory().post("/")
    stranger.session = {}
    assert staging.take(stranger, token, "framework:1") is None  # another session
    assert staging.take(session_request, "../../etc/passwd", "framework:1") is None
    staging.discard(session_request, token)
    assert staging.take(session_request, token, "framework:1") is None


def test_old_staged_files_are_swept(session_request, tmp_path):
    old = staging.stage(session_request, b"old", "x")
    path = tmp_path / "imports" / f"{old}.xlsx"
    day_ago = path.stat().st_mtime - staging.MAX_AGE_SECONDS - 60
    os.utime(path, (day_ago, day_ago))
    staging.stage(session_request, b"new", "x")
    assert not path.exists()


def damaged(content: bytes) -> bytes:
    """The workbook with its first sheet's XML cut off halfway (a broken download)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            target.writestr(item, data)
    return buffer.getvalue()


class TableImporter(base.Importer):
    """The smallest importer: the framework sheet's table, as a plan."""

    def read(self, content):
        problems = []
        workbook = open_workbook(content)
        sheet = base.find_sheet(workbook, "Bộ chỉ số", problems)
        table = sheet and read_table(sheet, SPECS, problems)
        if problems:
            raise ImportFailed(problems)
        return base.Plan(summary=f"{len(table.rows)} rows", payload=table)


def test_a_damaged_sheet_is_a_problem_not_a_crash(caplog):
    content = workbook_bytes([["Mã", "Điểm tối đa"]] + [[f"1.{i}", i] for i in range(300)])
    with pytest.raises(ImportFailed) as failed:
        base.read_plan(TableImporter(), damaged(content))
    assert "bị hỏng" in str(failed.value)
    assert "damaged" in caplog.text  # logged, in case the fault is ours


def test_a_sheet_claiming_too_many_rows_is_refused_unread():
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Bộ chỉ số"
    sheet.append(["Mã", "Điểm tối đa"])
    sheet.cell(row=base.MAX_ROWS + 1, column=1, value="x")
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ImportFailed) as failed:
        base.read_plan(TableImporter(), buffer.getvalue())
    assert "quá nhiều dòng" in str(failed.value)


def test_a_cell_far_to_the_right_does_not_widen_every_row():
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Bộ chỉ số"
    sheet.append(["Mã", "Điểm tối đa"])
    sheet.append(["1", 10])
    sheet.cell(row=2, column=16384, value="far")  # column XFD, the last one Excel has
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = base.read_plan(TableImporter(), buffer.getvalue()).payload
    assert table.rows == [(2, ("1", 10))]  # cut to the header's width
    assert table.columns == {"code": 0, "max": 1}


def test_a_damaged_upload_gets_its_message_on_the_page(as_user, interior_admin, year_2023):
    client = as_user(interior_admin)
    template = client.get(reverse("survey_template", args=[year_2023.pk])).content
    upload = SimpleUploadedFile("dieu-tra.xlsx", damaged(template))
    response = client.post(reverse("survey_import", args=[year_2023.pk]), {"file": upload})
    assert response.status_code == 422
    assert "Tệp Excel bị hỏng" in response.content.decode()


def test_a_sheet_without_a_declared_size_is_read_whole_and_still_bounded():
    """openpyxl's write-only files (our own reports) declare no size: read row by row (the
    matrix round trip reads one whole), and still refused past the limit."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Bộ chỉ số")
    sheet.append(["Tiêu đề"])
    sheet.append(["Mã", "Điểm tối đa"])
    for i in range(base.MAX_ROWS):
        sheet.append([f"1.{i}", 1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = buffer.getvalue()
    assert open_workbook(content).worksheets[0].max_column is None
    with pytest.raises(ImportFailed) as failed:
        base.read_plan(TableImporter(), content)
    assert "quá nhiều dòng" in str(failed.value)


def test_a_number_computed_by_a_formula_reads_as_excel_shows_it():
    assert base.cell_decimal(1.1 + 2.2) == Decimal("3.3")
    assert base.cell_decimal(0.1 + 0.2) == Decimal("0.3")
    assert base.cell_decimal(1e20) == Decimal("1E+20")


def test_a_workbook_unpacking_to_a_flood_of_strings_is_refused_unopened():
    content = workbook_bytes([["Mã", "Điểm tối đa"]])
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    flood = b"<sst>" + b"<si><t>x</t></si>" * (base.MAX_SHARED_STRINGS_BYTES // 16 + 1) + b"</sst>"
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, source.read(item), zipfile.ZIP_DEFLATED)
        target.writestr("xl/sharedStrings.xml", flood, zipfile.ZIP_DEFLATED)
    assert len(buffer.getvalue()) < 200_000  # small to upload, huge to open
    with pytest.raises(ImportFailed) as failed:
        open_workbook(buffer.getvalue())
    assert "quá lớn khi giải nén" in str(failed.value)


def test_rows_of_a_sheet_without_a_declared_size_stay_as_wide_as_the_header():
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Bộ chỉ số")
    sheet.append(["Mã", "Điểm tối đa"])
    far = [None] * 16383 + ["far"]
    sheet.append(["1", 10, *far[2:]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = base.read_plan(TableImporter(), buffer.getvalue()).payload
    assert table.rows == [(2, ("1", 10))]


def test_a_refused_apply_spends_the_upload_and_cancel_always_goes_back(
    as_user, interior_admin, year_2023
):
    """Apply reads the file again: a change in the app since the preview refuses it, and the
    staged file is gone (fixed, it is uploaded again). Cancel leaves, whatever the token."""
    client = as_user(interior_admin)
    url = reverse("survey_import", args=[year_2023.pk])
    sheet = download(client, year_2023)
    sheet.set(VQ, "10.1", 6)
    preview = client.post(url, {"file": SimpleUploadedFile("s.xlsx", sheet.bytes())})
    token = preview.context["token"]
    save_in_the_app(interior_admin, year_2023, VQ, "10.1", Decimal("5"))
    refused = client.post(url, {"token": token, "apply": ""})
    assert refused.status_code == 422
    assert "đã được sửa trên phần mềm" in refused.content.decode()
    assert score(year_2023, VQ, "10.1") == Decimal("5.00")
    again = client.post(url, {"token": token, "apply": ""})
    assert again.status_code == 302 and again["Location"] == url  # expired: upload again
    gone = client.post(url, {"token": token, "cancel": ""})
    assert gone["Location"] == reverse("survey", args=[year_2023.pk])
