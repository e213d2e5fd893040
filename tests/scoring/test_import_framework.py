"""A year's framework from the Excel template, copying last year's, and the command."""

import dataclasses
import io
import json
from decimal import Decimal as D

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from scoring import rules
from scoring.importers import Change
from scoring.importers.framework import EXAMPLE_MAX, EXAMPLES, FrameworkImporter
from scoring.models import (
    AssessmentYear,
    FieldAssignment,
    Framework,
    FrameworkNode,
    LeafScore,
)
from scoring.services import NodeSpec, new_year_from
from scoring.services.frameworks import (
    clone_framework,
    copy_previous_framework,
    node_changes,
    node_problems,
    replace_framework,
    specs_of,
    tree_problems,
)
from units.models import UnitLevel
from units.roles import SYSTEM_ADMIN

pytestmark = pytest.mark.django_db

SHEET = "Bộ chỉ số"
HEADER_ROW = 5  # three title rows and a blank one above it


@pytest.fixture
def year_2025(year_2024):
    """A year being prepared, with its own copy of 2024's framework."""
    return new_year_from(roles=SYSTEM_ADMIN, year=2025, unit_level=year_2024.unit_level)


def counts():
    return Framework.objects.count(), FrameworkNode.objects.count()


def template(client, year) -> bytes:
    response = client.get(reverse("framework_template", args=[year.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="bo-chi-so-{year.year}-cap-huyen.xlsx"'
    )
    return response.content


def edited(content: bytes, change) -> bytes:
    workbook = load_workbook(io.BytesIO(content))
    change(workbook[SHEET])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def row_of(sheet, code: str) -> int:
    for row in range(HEADER_ROW + 1, sheet.max_row + 1):
        if sheet.cell(row, 1).value == code:
            return row
    raise LookupError(code)


def set_cell(code: str, column: str, value):
    """An edit of the template: the cell of ``column`` (A…H) in the row of ``code``."""

    def change(sheet):
        sheet[f"{column}{row_of(sheet, code)}"] = value

    return change


def upload(client, year, content: bytes):
    return client.post(
        reverse("framework_import", args=[year.pk]),
        {"file": SimpleUploadedFile("bo-chi-so.xlsx", content)},
    )


def apply(client, year, preview):
    return client.post(
        reverse("framework_import", args=[year.pk]),
        {"token": preview.context["token"], "apply": ""},
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- the template -----------------------------------------------------------------------------


def test_the_template_is_the_years_framework_with_dropdowns_and_the_rules(
    as_user, interior_admin, year_2025
):
    workbook = load_workbook(io.BytesIO(template(as_user(interior_admin), year_2025)))
    assert workbook.sheetnames == ["Bộ chỉ số", "Cách chấm"]
    sheet = workbook[SHEET]
    assert [c.value for c in sheet[HEADER_ROW]] == [
        "Mã",
        "Nội dung",
        "Điểm tối đa",
        "Cách chấm",
        "Tham số",
        "Cho phép không áp dụng",
        "Người chấm",
        "Hướng dẫn chấm",
        "Diễn đạt khi bị mất điểm",
    ]
    assert sheet["A1"].value == "Bộ chỉ số năm 2025 · Cấp huyện"
    assert sheet.freeze_panes == f"B{HEADER_ROW + 1}"
    nodes = list(year_2025.framework.nodes.order_by("sort_key"))
    assert sheet.max_row == HEADER_ROW + len(nodes)
    first = [c.value for c in sheet[HEADER_ROW + 1]]
    assert first[:4] == ["1", "Công tác chỉ đạo, điều hành cải cách hành chính", 10, None]
    assert sheet.cell(HEADER_ROW + 1, 3).number_format == "0.00"
    leaf = [c.value for c in sheet[row_of(sheet, "1.2.1")]]
    assert leaf[2:7] == [
        1.5,
        "timeliness",
        '{"on_time": "1.5", "late": "0.75", "late_days": 15}',
        "Không",
        "Đơn vị tự đánh giá",
    ]
    survey = [c.value for c in sheet[row_of(sheet, "10.1")]]
    assert (survey[3], survey[6]) == ("survey", "Sở Nội vụ")
    assert sheet.cell(row_of(sheet, "2.2.2"), 6).value == "Có"
    dropdowns = {
        str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation
    }
    assert dropdowns["D6"] == '"' + ",".join(rules.RULES) + '"'
    assert dropdowns["F6"] == '"Có,Không"'
    assert dropdowns["G6"] == '"Đơn vị tự đánh giá,Sở Nội vụ"'
    listed = workbook["Cách chấm"]
    assert [listed.cell(row, 1).value for row in range(2, listed.max_row + 1)] == list(rules.RULES)


def test_every_rule_has_an_example_the_rule_accepts():
    assert set(EXAMPLES) == set(rules.RULES)
    for code, example in EXAMPLES.items():
        text = json.dumps(example)
        rules.validate_params(code, json.loads(text, parse_float=str), EXAMPLE_MAX)


def test_the_template_text_cells_are_text(as_user, interior_admin, year_2025):
    FrameworkNode.objects.filter(framework=year_2025.framework, code="1.1.1").update(
        title="=HYPERLINK(1)"
    )
    sheet = load_workbook(io.BytesIO(template(as_user(interior_admin), year_2025)))[SHEET]
    cell = sheet.cell(row_of(sheet, "1.1.1"), 2)
    assert (cell.value, cell.data_type) == ("=HYPERLINK(1)", "s")


def test_a_guide_pasted_with_control_characters_downloads(as_user, interior_admin, year_2025):
    # A vertical tab (Word's line break) made the whole template fail to save.
    FrameworkNode.objects.filter(framework=year_2025.framework, code="1.1.1").update(
        guide="Kế hoạch\x0bban hành trước 31/12"
    )
    sheet = load_workbook(io.BytesIO(template(as_user(interior_admin), year_2025)))[SHEET]
    guide = next(c.column for c in sheet[HEADER_ROW] if c.value == "Hướng dẫn chấm")
    assert sheet.cell(row_of(sheet, "1.1.1"), guide).value == "Kế hoạchban hành trước 31/12"


# --- the round trip ---------------------------------------------------------------------------


def test_the_unchanged_template_previews_no_change_and_writes_nothing(
    as_user, interior_admin, year_2025
):
    client = as_user(interior_admin)
    framework = year_2025.framework_id
    preview = upload(client, year_2025, template(client, year_2025))
    assert preview.status_code == 200
    plan = preview.context["plan"]
    assert plan.changes == []
    assert plan.summary == "10 lĩnh vực, 27 tiêu chí, 45 tiêu chí thành phần; tổng 100 điểm."
    assert "Tệp không thay đổi gì" in preview.content.decode()
    done = apply(client, year_2025, preview)
    assert done.status_code == 302
    assert messages_of(done) == ["Bộ chỉ số của năm 2025 không thay đổi."]
    year_2025.refresh_from_db()
    assert year_2025.framework_id == framework


def test_a_changed_title_max_and_a_new_leaf_are_previewed_then_replace_the_framework(
    as_user, interior_admin, appraiser, year_2025
):
    client = as_user(interior_admin)
    old = year_2025.framework
    field_1 = old.nodes.get(code="1")
    FieldAssignment.objects.create(year=year_2025, field=field_1, appraiser=appraiser)

    def change(sheet):
        sheet.cell(row_of(sheet, "1.1.1"), 2).value = "Ban hành kế hoạch CCHC năm"
        sheet.cell(row_of(sheet, "1.5.1"), 3).value = 1  # 2 → 1, and a new leaf of 1
        sheet.append(["1.5.2", "Mô hình mới được nhân rộng", 1, "binary", None, "Không"])

    preview = upload(client, year_2025, edited(template(client, year_2025), change))
    assert preview.status_code == 200, preview.context["problems"]
    assert preview.context["plan"].changes == [
        Change(
            "1.1.1",
            "Nội dung",
            "Ban hành kế hoạch CCHC năm đúng thời hạn",
            "Ban hành kế hoạch CCHC năm",
        ),
        Change("1.5.1", "Điểm tối đa", "2", "1"),
        Change("1.5.2", "Thêm", "", "Mô hình mới được nhân rộng (1 điểm)"),
    ]
    assert counts() == (Framework.objects.count(), FrameworkNode.objects.count())
    done = apply(client, year_2025, preview)
    assert done.status_code == 302 and done.url == reverse("year_state", args=[year_2025.pk])
    assert messages_of(done)[0].startswith("Đã thay bộ chỉ số của năm 2025:")
    year_2025.refresh_from_db()
    new = year_2025.framework
    assert new.pk != old.pk and not Framework.objects.filter(pk=old.pk).exists()
    assert new.tree_problems() == []
    assert new.nodes.get(code="1.1.1").title == "Ban hành kế hoạch CCHC năm"
    added = new.nodes.get(code="1.5.2")
    assert (added.parent.code, added.max_points, added.rule, added.filled_by) == (
        "1.5",
        D("1"),
        "binary",
        "unit",
    )
    assert new.nodes.get(code="1.5").max_points == D("2")
    # The timeliness parameters came back from their JSON unchanged.
    assert new.nodes.get(code="1.2.1").rule_params == old_params(year_2025, "1.2.1")
    # The appraiser assigned to field 1 still is, on the new field 1.
    assignment = FieldAssignment.objects.get(year=year_2025)
    assert assignment.field.framework_id == new.pk and assignment.field.code == "1"


def old_params(year, code):
    return AssessmentYear.objects.get(year=2024).framework.nodes.get(code=code).rule_params


def test_a_removed_leaf_and_the_values_people_type_are_understood(
    as_user, interior_admin, year_2025
):
    client = as_user(interior_admin)

    def change(sheet):
        sheet.delete_rows(row_of(sheet, "1.4.2"))
        sheet.cell(row_of(sheet, "1.4.1"), 3).value = "1,5"  # a decimal comma, as text
        sheet.cell(row_of(sheet, "1.4.1"), 4).value = "Có / không"  # the label, not the code
        sheet.cell(row_of(sheet, "1.4.1"), 6).value = "yes"
        sheet.cell(row_of(sheet, "1.4.1"), 7).value = "interior"
        sheet.cell(row_of(sheet, "1.1.2"), 7).value = "Unit (self-assessment)"  # in English
        sheet.cell(row_of(sheet, "1.1.2"), 6).value = "KHÔNG"
        sheet.cell(row_of(sheet, "1.3.2"), 5).value = "{“step”: 0.5}"  # pasted quotes, a float

    preview = upload(client, year_2025, edited(template(client, year_2025), change))
    assert preview.status_code == 200, preview.context["problems"]
    changes = preview.context["plan"].changes
    assert Change("1.4.1", "Điểm tối đa", "0,5", "1,5") in changes
    assert Change("1.4.1", "Cho phép không áp dụng", "Không", "Có") in changes
    assert Change("1.4.1", "Người chấm", "Đơn vị tự đánh giá", "Sở Nội vụ") in changes
    assert Change("1.3.2", "Tham số", '{"step": "0.25"}', '{"step": "0.5"}') in changes
    assert changes[-1].subject == "1.4.2" and changes[-1].what == "Bỏ"
    assert not any(c.what == "Cách chấm" for c in changes)
    assert apply(client, year_2025, preview).status_code == 302
    year_2025.refresh_from_db()
    assert not year_2025.framework.nodes.filter(code="1.4.2").exists()
    assert year_2025.framework.nodes.get(code="1.3.2").rule_params == {"step": "0.5"}


# --- bad workbooks ----------------------------------------------------------------------------


def add_row(*values):
    return lambda sheet: sheet.append(list(values))


def duplicate_code(sheet):
    sheet.cell(row_of(sheet, "1.1.2"), 1).value = "1.1.1"


BAD = {
    # name: (edit, code of the row or None, column, message part)
    "bad code": (set_cell("1.1.1", "A", "1..1"), "1..1", "A (Mã)", "mã chỉ gồm chữ số"),
    "parent missing": (
        add_row("11.1", "Mồ côi", 1, "binary"),
        "11.1",
        "A (Mã)",
        "11.1: không có tiêu chí cha 11",
    ),
    "text in max": (
        set_cell("1.1.1", "C", "một"),
        "1.1.1",
        "C (Điểm tối đa)",
        "cần một số, ô đang có “một”",
    ),
    "leaf above its parent": (
        set_cell("1.1.1", "C", 5),
        "1.1",
        "C (Điểm tối đa)",
        "1.1: điểm tối đa 3 nhưng tổng các tiêu chí con là 7",
    ),
    "duplicate code": (duplicate_code, "1.1.1", "A (Mã)", "Mã 1.1.1 trùng với dòng"),
    "unknown rule": (
        set_cell("1.1.1", "D", "abc"),
        "1.1.1",
        "D (Cách chấm)",
        "Không có cách chấm “abc”; chọn một trong: binary, timeliness",
    ),
    "params not JSON": (
        set_cell("1.1.1", "E", '{"on_time": "1"'),
        "1.1.1",
        "E (Tham số)",
        "Tham số không phải JSON hợp lệ (lỗi ở ký tự thứ 16)",
    ),
    "params refused": (
        set_cell("1.1.1", "E", '{"on_time": "3"}'),
        "1.1.1",
        "E (Tham số)",
        "1.1.1: on_time: 3 nằm ngoài khoảng 0..1",
    ),
    "params without a rule": (
        set_cell("1.1", "E", '{"step": "1"}'),
        "1.1",
        "E (Tham số)",
        "Chỉ tiêu chí thành phần mới có tham số",
    ),
    "bad yes/no": (
        set_cell("1.1.1", "F", "có lẽ"),
        "1.1.1",
        "F (Cho phép không áp dụng)",
        "cần “Có” hoặc “Không”, ô đang có “có lẽ”",
    ),
    "unknown filled by": (
        set_cell("1.1.1", "G", "Phòng Nội vụ"),
        "1.1.1",
        "G (Người chấm)",
        "Không có người chấm “Phòng Nội vụ”",
    ),
    "survey filled by the unit": (
        set_cell("10.1", "G", "Đơn vị tự đánh giá"),
        "10.1",
        "G (Người chấm)",
        "Tiêu chí điều tra xã hội học do Sở Nội vụ nhập",
    ),
    "a parent with a rule": (
        set_cell("1.1", "D", "manual"),
        "1.1",
        "D (Cách chấm)",
        "1.1: tiêu chí có cách chấm không được có tiêu chí con",
    ),
    "blank title": (set_cell("1.1.1", "B", None), "1.1.1", "B (Nội dung)", "1.1.1: "),
}


@pytest.mark.parametrize("name", BAD)
def test_a_bad_row_is_named_with_its_sheet_row_and_column_and_nothing_is_written(
    as_user, interior_admin, year_2025, name
):
    change, code, column, message = BAD[name]
    client = as_user(interior_admin)
    content = template(client, year_2025)
    sheet = load_workbook(io.BytesIO(edited(content, change)))[SHEET]
    before, framework = counts(), year_2025.framework_id
    response = upload(client, year_2025, edited(content, change))
    assert response.status_code == 422
    problems = response.context["problems"]
    assert len(problems) == 1, problems
    problem = problems[0]
    expected_row = row_of(sheet, code)
    if name == "duplicate code":  # the second row with the code is the one named
        expected_row = row_of(sheet, "1.1.1") + 1
    assert (problem.sheet, problem.row, problem.column) == (SHEET, expected_row, column)
    assert message in problem.message
    assert counts() == before and response.context["token"] == ""
    year_2025.refresh_from_db()
    assert year_2025.framework_id == framework


def test_a_row_without_a_code_is_named(as_user, interior_admin, year_2025):
    client = as_user(interior_admin)
    content = edited(template(client, year_2025), add_row(None, "Không có mã", 1, "binary"))
    response = upload(client, year_2025, content)
    assert [(p.row, p.column, p.message) for p in response.context["problems"]] == [
        (load_workbook(io.BytesIO(content))[SHEET].max_row, "A (Mã)", "Thiếu mã.")
    ]


def test_fields_not_summing_to_the_total_are_named_too(as_user, interior_admin, year_2025):
    client = as_user(interior_admin)
    content = edited(template(client, year_2025), set_cell("2", "C", 7))
    response = upload(client, year_2025, content)
    problems = [(p.row, p.column, p.message) for p in response.context["problems"]]
    assert problems == [
        (
            row_of(load_workbook(io.BytesIO(content))[SHEET], "2"),
            "C (Điểm tối đa)",
            "2: điểm tối đa 7 nhưng tổng các tiêu chí con là 6.5",
        ),
        (None, "", "Tổng điểm các lĩnh vực là 100.5, không phải 100"),
    ]


def renamed_sheet(content):
    workbook = load_workbook(io.BytesIO(content))
    workbook[SHEET].title = "Sheet1"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def no_header(content):
    workbook = Workbook()
    workbook.active.title = SHEET
    workbook.active.append(["Mã", "Tên"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (renamed_sheet, "Thiếu trang tính “Bộ chỉ số” (tệp có: Sheet1, Cách chấm)."),
        (no_header, "Không tìm thấy dòng tiêu đề có các cột “Mã”, “Nội dung”"),
        (lambda content: b"not a workbook at all", "không phải là tệp Excel (.xlsx)"),
        (
            lambda content: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,
            "Đây là tệp Excel 97-2003 (.xls)",
        ),
    ],
    ids=["missing sheet", "no header", "not Excel", "xls"],
)
def test_a_file_that_is_not_the_template_says_why(
    as_user, interior_admin, year_2025, make, message
):
    client = as_user(interior_admin)
    before = counts()
    response = upload(client, year_2025, make(template(client, year_2025)))
    assert response.status_code == 422
    assert message in " ".join(p.message for p in response.context["problems"])
    assert counts() == before


# --- who and when -----------------------------------------------------------------------------


def test_a_year_past_preparation_keeps_its_framework(as_user, interior_admin, year_2024):
    client = as_user(interior_admin)
    framework, before = year_2024.framework_id, counts()
    url = reverse("framework_import", args=[year_2024.pk])
    response = client.get(url)
    assert response.status_code == 302 and response.url == reverse(
        "year_state", args=[year_2024.pk]
    )
    assert "đang ở bước “Tự đánh giá”" in messages_of(response)[0]
    assert upload(client, year_2024, template(client, year_2024)).status_code == 302
    client.post(reverse("framework_copy", args=[year_2024.pk]))
    with pytest.raises(ValidationError):
        replace_framework(roles=SYSTEM_ADMIN, year=year_2024, nodes=specs_of(year_2024.framework))
    year_2024.refresh_from_db()
    assert year_2024.framework_id == framework and counts() == before


def test_a_year_with_scores_keeps_its_framework(year_2025):
    assessment = year_2025.assessments.first()
    LeafScore.objects.create(
        assessment=assessment, node=year_2025.framework.nodes.get(code="1.4.1")
    )
    with pytest.raises(ValidationError) as exc:
        copy_previous_framework(roles=SYSTEM_ADMIN, year=year_2025)
    assert exc.value.messages == ["Năm 2025 đã có điểm của đơn vị; không thay được bộ chỉ số."]


def test_the_year_page_links_to_the_import_while_preparing(as_user, interior_admin, year_2025):
    page = as_user(interior_admin).get(reverse("year_state", args=[year_2025.pk]))
    assert reverse("framework_import", args=[year_2025.pk]) in page.content.decode()
    form = as_user(interior_admin).get(reverse("framework_import", args=[year_2025.pk]))
    html = form.content.decode()
    assert form.status_code == 200
    assert reverse("framework_template", args=[year_2025.pk]) in html
    assert reverse("framework_copy", args=[year_2025.pk]) in html
    assert "Chép bộ chỉ số năm 2024" in html
    assert "Người chấm" in html  # the columns' help


@pytest.mark.parametrize(
    ("who", "status"), [("appraiser", 403), ("officer_a", 404), ("viewer", 404)]
)
def test_only_the_interior_admin_gets_the_template_the_import_and_the_copy(
    as_user, request, year_2025, who, status
):
    client = as_user(request.getfixturevalue(who))
    framework = year_2025.framework_id
    assert client.get(reverse("framework_template", args=[year_2025.pk])).status_code == status
    assert client.get(reverse("framework_import", args=[year_2025.pk])).status_code == status
    assert upload(client, year_2025, b"x").status_code == status
    assert client.post(reverse("framework_copy", args=[year_2025.pk])).status_code == status
    year_2025.refresh_from_db()
    assert year_2025.framework_id == framework


def test_anonymous_visitors_are_sent_to_sign_in(client, year_2025):
    response = client.get(reverse("framework_template", args=[year_2025.pk]))
    assert response.status_code == 302 and "login" in response.url


def test_the_copy_accepts_only_post(as_user, interior_admin, year_2025):
    url = reverse("framework_copy", args=[year_2025.pk])
    assert as_user(interior_admin).get(url).status_code == 405


# --- the wording of a lost leaf ("Diễn đạt khi bị mất điểm") ------------------------------------

SHORTFALL_COLUMN = "I"
INITIATIVE = "không có sáng kiến, mô hình CCHC được công nhận cấp tỉnh"


def test_the_template_carries_each_leafs_wording_when_points_are_lost(
    as_user, interior_admin, year_2025
):
    sheet = load_workbook(io.BytesIO(template(as_user(interior_admin), year_2025)))[SHEET]
    assert sheet[f"{SHORTFALL_COLUMN}{row_of(sheet, '1.5.1')}"].value == INITIATIVE
    assert sheet[f"{SHORTFALL_COLUMN}{row_of(sheet, '1.5')}"].value is None  # a criterion


def test_a_changed_wording_is_previewed_and_imported(as_user, interior_admin, year_2025):
    client = as_user(interior_admin)
    content = edited(
        template(client, year_2025),
        set_cell("1.3.2", SHORTFALL_COLUMN, "  chưa xử lý hết vấn đề phát hiện qua kiểm tra "),
    )
    preview = upload(client, year_2025, content)
    assert preview.status_code == 200, preview.context["problems"]
    assert preview.context["plan"].changes == [
        Change(
            "1.3.2",
            "Diễn đạt khi bị mất điểm",
            "xử lý các vấn đề phát hiện qua kiểm tra chưa triệt để",
            "chưa xử lý hết vấn đề phát hiện qua kiểm tra",
        )
    ]
    apply(client, year_2025, preview)
    year_2025.refresh_from_db()
    nodes = year_2025.framework.nodes
    assert nodes.get(code="1.3.2").shortfall == "chưa xử lý hết vấn đề phát hiện qua kiểm tra"
    assert nodes.get(code="1.5.1").shortfall == INITIATIVE  # the others kept theirs


def test_a_template_without_the_wording_column_still_imports(as_user, interior_admin, year_2025):
    """A file filled before the column existed: it imports, and the leaves' wordings become
    blank (the file says nothing of them), which the preview shows."""
    client = as_user(interior_admin)

    def drop_column(sheet):
        sheet.delete_cols(9)

    preview = upload(client, year_2025, edited(template(client, year_2025), drop_column))
    assert preview.status_code == 200, preview.context["problems"]
    changes = preview.context["plan"].changes
    assert {c.what for c in changes} == {"Diễn đạt khi bị mất điểm"}
    assert Change("1.5.1", "Diễn đạt khi bị mất điểm", INITIATIVE, "") in changes
    apply(client, year_2025, preview)
    year_2025.refresh_from_db()
    assert year_2025.framework.nodes.get(code="1.5.1").shortfall == ""


def test_a_wording_over_500_characters_is_named_with_its_cell(as_user, interior_admin, year_2025):
    client = as_user(interior_admin)
    content = edited(template(client, year_2025), set_cell("1.5.1", SHORTFALL_COLUMN, "ạ" * 501))
    response = upload(client, year_2025, content)
    problems = [str(p) for p in response.context["problems"]]
    assert len(problems) == 1 and "1.5.1" in problems[0]
    assert response.context["problems"][0].column.startswith(f"{SHORTFALL_COLUMN} (")


def test_a_copy_keeps_the_wording_and_a_changed_wording_counts_as_a_change(year_2024):
    framework = year_2024.framework
    copy = clone_framework(roles=SYSTEM_ADMIN, framework=framework, name="Bản sao")
    assert copy.nodes.get(code="9.1.1").shortfall == (
        "không có từ 5–10 dự án được chấp thuận đầu tư với vốn 100–200 tỷ đồng"
    )
    assert specs_of(copy) == specs_of(framework)
    old = specs_of(framework)
    new = [
        dataclasses.replace(spec, shortfall="khác") if spec.code == "1.5.1" else spec
        for spec in old
    ]
    assert node_changes(old, new) == {"added": 0, "removed": 0, "changed": 1}


# --- copying last year's ----------------------------------------------------------------------


def test_copying_last_years_framework_replaces_the_years_own(
    as_user, interior_admin, year_2024, year_2025
):
    client = as_user(interior_admin)
    replace_framework(
        roles=SYSTEM_ADMIN,
        year=year_2025,
        nodes=[
            NodeSpec("1", "Một lĩnh vực", D("100")),
            NodeSpec("1.1", "Chấm trực tiếp", D("100"), rule="manual"),
        ],
    )
    year_2025.refresh_from_db()
    small = year_2025.framework_id
    response = client.post(reverse("framework_copy", args=[year_2025.pk]))
    assert response.status_code == 302
    assert response.url == reverse("framework_import", args=[year_2025.pk])
    assert messages_of(response) == ["Đã chép bộ chỉ số năm 2024 sang năm 2025."]
    year_2025.refresh_from_db()
    assert not Framework.objects.filter(pk=small).exists()
    assert year_2025.framework_id != year_2024.framework_id  # a copy of its own
    assert specs_of(year_2025.framework) == specs_of(year_2024.framework)
    assert year_2025.framework.name == f"{year_2024.framework.name} (2025)"


def test_copying_with_no_earlier_year_says_so(as_user, interior_admin, year_2022):
    earliest = new_year_from(
        roles=SYSTEM_ADMIN,
        year=2021,
        unit_level=year_2022.unit_level,
        framework=year_2022.framework,
    )
    framework = earliest.framework_id
    response = as_user(interior_admin).post(reverse("framework_copy", args=[earliest.pk]))
    assert messages_of(response) == [
        "Chưa có năm nào trước năm 2021 của cấp này để chép bộ chỉ số."
    ]
    earliest.refresh_from_db()
    assert earliest.framework_id == framework
    page = as_user(interior_admin).get(reverse("framework_import", args=[earliest.pk]))
    assert "Chưa có năm nào trước năm này" in page.content.decode()


# --- the shared checks ------------------------------------------------------------------------


def test_tree_problems_name_the_node_and_the_attribute_at_fault():
    nodes = [
        NodeSpec("1", "Lĩnh vực", D("10")),
        NodeSpec("1.1", "Tiêu chí", D("4"), rule="manual"),
        NodeSpec("1.2", "Tiêu chí có con", D("5"), rule="manual"),
        NodeSpec("1.2.1", "Con", D("5"), rule="binary"),
        NodeSpec("3.1", "Mồ côi", D("1"), rule="binary"),
    ]
    found = [(p.code, p.field) for p in tree_problems(nodes, max_points=D(10))]
    assert found == [("3.1", "code"), ("1", "max_points"), ("1.2", "rule")]


def test_node_problems_name_the_attribute_at_fault():
    spec = NodeSpec("1 .1", "", D("1"), rule="survey")
    found = {(p.field, p.message.split(": ")[0]) for p in node_problems(spec)}
    assert found == {("code", "1 .1"), ("title", "1 .1"), ("filled_by", "1 .1")}


# --- the command ------------------------------------------------------------------------------


@pytest.fixture
def template_file(tmp_path, as_user, interior_admin, year_2025):
    path = tmp_path / "bo-chi-so.xlsx"
    path.write_bytes(
        edited(
            template(as_user(interior_admin), year_2025),
            set_cell("1.1.1", "B", "Ban hành kế hoạch CCHC năm"),
        )
    )
    return path


def test_the_command_replaces_a_years_framework(template_file, year_2025, capsys):
    call_command("import_framework", str(template_file), level="cap-huyen", year=2025)
    out = capsys.readouterr().out
    assert "1.1.1 · Nội dung: Ban hành kế hoạch CCHC năm đúng thời hạn → Ban hành" in out
    assert "Đã thay bộ chỉ số của năm 2025" in out
    year_2025.refresh_from_db()
    assert year_2025.framework.nodes.get(code="1.1.1").title == "Ban hành kế hoạch CCHC năm"


def test_the_command_dry_run_prints_the_plan_and_writes_nothing(template_file, year_2025, capsys):
    before, framework = counts(), year_2025.framework_id
    call_command("import_framework", str(template_file), level="cap-huyen", year=2025, dry_run=True)
    out = capsys.readouterr().out
    assert "tổng 100 điểm" in out and "1.1.1 · Nội dung" in out
    assert "Chạy thử: chưa có gì được ghi." in out
    year_2025.refresh_from_db()
    assert counts() == before and year_2025.framework_id == framework


def test_the_command_creates_a_standalone_framework(template_file, capsys):
    level = UnitLevel.objects.get(code="cap-huyen")
    call_command("import_framework", str(template_file), level="cap-huyen", name="Bộ chỉ số 2026")
    framework = Framework.objects.get(name="Bộ chỉ số 2026")
    assert framework.unit_level == level and not framework.years.exists()
    assert framework.tree_problems() == []
    assert "Đã tạo bộ chỉ số “Bộ chỉ số 2026”" in capsys.readouterr().out
    with pytest.raises(CommandError):  # the same name twice
        call_command(
            "import_framework", str(template_file), level="cap-huyen", name="Bộ chỉ số 2026"
        )


def test_the_command_prints_every_problem_and_fails(tmp_path, template_file, year_2025, capsys):
    bad = tmp_path / "sai.xlsx"
    bad.write_bytes(edited(template_file.read_bytes(), set_cell("1.1.1", "C", "một")))
    before = counts()
    with pytest.raises(CommandError, match=r"Chưa có gì được ghi; 1 lỗi:") as failed:
        call_command("import_framework", str(bad), level="cap-huyen", year=2025)
    row = row_of(load_workbook(bad)[SHEET], "1.1.1")
    assert str(failed.value).splitlines()[1].strip() == (
        f"Bộ chỉ số, dòng {row}, cột C (Điểm tối đa): cần một số, ô đang có “một”"
    )
    assert counts() == before


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"level": "cap-xa", "year": 2025}, "No unit level 'cap-xa'"),
        ({"level": "cap-huyen", "year": 2030}, "No year 2030"),
        ({"level": "cap-huyen", "year": 2024}, "đang ở bước “Tự đánh giá”"),  # not in preparation
    ],
    ids=["unknown level", "unknown year", "year past preparation"],
)
def test_the_command_refuses_a_wrong_target(template_file, options, message):
    before = counts()
    with pytest.raises(CommandError, match=message):
        call_command("import_framework", str(template_file), **options)
    assert counts() == before


def test_the_command_refuses_a_missing_file(tmp_path, year_2025):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_framework", str(tmp_path / "none.xlsx"), level="cap-huyen", year=2025)


def test_the_command_needs_a_year_or_a_name(template_file):
    with pytest.raises(CommandError):
        call_command("import_framework", str(template_file), level="cap-huyen")


def test_the_importer_takes_a_year_or_a_level_and_a_name(year_2025):
    with pytest.raises(ValueError):
        FrameworkImporter(roles=SYSTEM_ADMIN)
    with pytest.raises(ValueError):
        FrameworkImporter(
            roles=SYSTEM_ADMIN, year=year_2025, unit_level=year_2025.unit_level, name="x"
        )
