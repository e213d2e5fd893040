"""The survey scores of every unit through Excel: the template, its upload (preview, then apply),
every bad workbook with its sheet/row/column problem, access and the year's state."""

import io
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from scoring.importers import ImportFailed
from scoring.importers.survey import SurveyImporter
from scoring.models import Assessment, AuditEvent, FieldAssignment, FrameworkNode, LeafScore
from scoring.services import save_survey
from scoring.services.interior import SurveyScore
from units.roles import roles_of

pytestmark = pytest.mark.django_db

VQ, HL = "vu-quang", "tx-hong-linh"
SHEET = "Điều tra XHH"
NOT_EXCEL = "Tệp không phải là tệp Excel (.xlsx) hoặc đã bị hỏng."
CLOSED = "Điểm điều tra xã hội học nhập trong thời gian thẩm định."


def template_url(year):
    return reverse("survey_template", args=[year.pk])


def import_url(year):
    return reverse("survey_import", args=[year.pk])


def survey_layer(year):
    return sorted(
        LeafScore.objects.filter(assessment__year=year, node__rule="survey").values_list(
            "assessment__unit__code", "node__code", "r1_score", "appraisal_version"
        )
    )


def score(year, unit, code):
    return LeafScore.objects.get(
        assessment__year=year, assessment__unit__code=unit, node__code=code
    ).r1_score


class Sheet:
    """The downloaded template: cells by unit code and header."""

    def __init__(self, content: bytes):
        self.workbook = load_workbook(io.BytesIO(content))
        self.sheet = self.workbook[SHEET]
        self.header_row = next(
            row[0].row for row in self.sheet.iter_rows() if row[0].value == "Mã đơn vị"
        )
        self.columns = {
            cell.value: cell.column for cell in self.sheet[self.header_row] if cell.value
        }
        self.rows = {
            self.sheet.cell(row=number, column=1).value: number
            for number in range(self.header_row + 1, self.sheet.max_row + 1)
        }

    def cell(self, unit, header):
        return self.sheet.cell(row=self.rows[unit], column=self.columns[header])

    def set(self, unit, header, value):
        self.cell(unit, header).value = value

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        return buffer.getvalue()


def download(client, year) -> Sheet:
    response = client.get(template_url(year))
    assert response.status_code == 200
    return Sheet(response.content)


def upload(client, year, content: bytes):
    return client.post(import_url(year), {"file": SimpleUploadedFile("dieu-tra.xlsx", content)})


def apply(client, year, preview):
    return client.post(import_url(year), {"token": preview.context["token"], "apply": "1"})


def problems_of(response):
    return [(p.sheet, p.row, p.column, p.message) for p in response.context["problems"]]


# --- the template -----------------------------------------------------------------------------


def test_template_layout(as_user, appraiser, year_2023):
    sheet = download(as_user(appraiser), year_2023)
    ws = sheet.sheet
    assert ws.cell(row=1, column=1).value == "Điểm điều tra xã hội học năm 2023 · Cấp huyện"
    assert [c.value for c in ws[sheet.header_row]] == [
        "Mã đơn vị",
        "Đơn vị",
        "10.1",
        "10.2",
        "Giá trị khi tải",
    ]
    assert ws.column_dimensions["E"].hidden  # the scores as downloaded, for conflicts
    above = [c.value for c in ws[sheet.header_row - 1]][2:4]
    assert above == [
        "Khảo sát sự hài lòng của người dân, tổ chức (tối đa 10)",
        "Khảo sát lãnh đạo, công chức về công tác CCHC (tối đa 10)",
    ]
    assert len(sheet.rows) == 13
    assert sheet.cell(VQ, "Đơn vị").value == "Huyện Vũ Quang"
    assert Decimal(str(sheet.cell(VQ, "10.1").value)) == Decimal("9.68")
    assert Decimal(str(sheet.cell(HL, "10.2").value)) == score(year_2023, HL, "10.2")


def test_template_query_count_is_fixed(
    as_user, interior_admin, year_2023, django_assert_num_queries
):
    client = as_user(interior_admin)
    # 1 session, 2 user, 3 groups and 4 memberships (roles_of), 5 the year with its level and
    # framework, 6 the survey leaves, 7 the assessments with their unit, 8 the stored survey
    # scores. None per unit (13 of them here).
    with django_assert_num_queries(8):
        assert client.get(template_url(year_2023)).status_code == 200


# --- the good path ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["interior_admin", "appraiser"])
def test_fill_preview_apply(client, request, year_2023, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    sheet = download(client, year_2023)
    sheet.set(VQ, "10.1", 9.5)
    # Hồng Lĩnh found by its name, typed differently, with its code cell emptied.
    sheet.set(HL, "Mã đơn vị", None)
    sheet.set(HL, "Đơn vị", "  thị xã  HỒNG LĨNH ")
    sheet.set(HL, "10.2", "8,25")
    # A blank cell leaves the stored score as it is.
    sheet.set("can-loc", "10.1", None)
    before = survey_layer(year_2023)
    old_hl = score(year_2023, HL, "10.2")

    preview = upload(client, year_2023, sheet.bytes())
    assert preview.status_code == 200, problems_of(preview)
    plan = preview.context["plan"]
    assert plan.summary == (
        "Điểm điều tra xã hội học năm 2023: 2 ô thay đổi, trên 13 đơn vị trong tệp."
    )
    assert [(c.subject, c.what.split(".")[0:2], c.old, c.new) for c in plan.changes] == [
        ("Huyện Vũ Quang", ["10", "1"], "9,68", "9,50"),
        ("Thị xã Hồng Lĩnh", ["10", "2"], f"{old_hl:.2f}".replace(".", ","), "8,25"),
    ]
    assert survey_layer(year_2023) == before  # a preview writes nothing

    response = apply(client, year_2023, preview)
    assert response.status_code == 302 and response.url == reverse("survey", args=[year_2023.pk])
    assert score(year_2023, VQ, "10.1") == Decimal("9.50")
    assert score(year_2023, HL, "10.2") == Decimal("8.25")
    assert score(year_2023, "can-loc", "10.1") is not None
    after = {(u, c): rest for u, c, *rest in survey_layer(year_2023)}
    for unit, code, *rest in before:
        if (unit, code) not in {(VQ, "10.1"), (HL, "10.2")}:
            assert after[(unit, code)] == rest, (unit, code)  # not rewritten
    grid = client.get(response.url).content.decode()
    assert "Đã nhập 2 điểm điều tra xã hội học từ tệp Excel." in grid
    assert 'value="9,50"' in grid and 'value="8,25"' in grid


def test_the_untouched_template_changes_nothing(as_user, interior_admin, year_2023):
    client = as_user(interior_admin)
    before = survey_layer(year_2023)
    preview = upload(client, year_2023, download(client, year_2023).bytes())
    assert preview.status_code == 200
    assert preview.context["plan"].changes == []
    assert apply(client, year_2023, preview).status_code == 302
    assert survey_layer(year_2023) == before


def test_a_hand_made_sheet_with_names_and_one_column(as_user, interior_admin, year_2023):
    """The Interior Department's own sheet: unit names, one survey column, a note column."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = SHEET
    ws.append(["Kết quả khảo sát người dân 2023"])
    ws.append(["Đơn vị", "10.1", "Ghi chú"])
    ws.append(["Huyện Vũ Quang", 9.25, "phiếu bổ sung"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    client = as_user(interior_admin)
    preview = upload(client, year_2023, buffer.getvalue())
    assert preview.status_code == 200, problems_of(preview)
    assert apply(client, year_2023, preview).status_code == 302
    assert score(year_2023, VQ, "10.1") == Decimal("9.25")


def test_a_name_without_its_prefix_or_accents_finds_the_unit(as_user, interior_admin, year_2023):
    sheet = download(as_user(interior_admin), year_2023)
    rows = {VQ: "Vũ Quang", HL: "hong linh", "can-loc": "Huyện Can Lộc"}
    for unit, name in rows.items():
        sheet.set(unit, "Mã đơn vị", None)
        sheet.set(unit, "Đơn vị", name)
    sheet.set(VQ, "10.1", 9.5)
    sheet.set(HL, "10.1", 8)
    worker = SurveyImporter(year=year_2023, roles=roles_of(interior_admin), user=interior_admin)
    plan = worker.read(sheet.bytes())
    assert {(c.subject, c.new) for c in plan.changes} == {
        ("Huyện Vũ Quang", "9,50"),
        ("Thị xã Hồng Lĩnh", "8,00"),
    }


def test_a_short_name_two_units_share_is_not_guessed(as_user, interior_admin, year_2023):
    sheet = download(as_user(interior_admin), year_2023)
    sheet.set("ky-anh", "Mã đơn vị", None)
    sheet.set("ky-anh", "Đơn vị", "Kỳ Anh")
    before = survey_layer(year_2023)
    with pytest.raises(ImportFailed) as failed:
        SurveyImporter(year=year_2023, roles=roles_of(interior_admin), user=interior_admin).read(
            sheet.bytes()
        )
    [problem] = failed.value.problems
    assert (problem.row, problem.column) == (sheet.rows["ky-anh"], "B (Đơn vị)")
    assert problem.message == (
        "“Kỳ Anh” có thể là nhiều đơn vị (Huyện Kỳ Anh, Thị xã Kỳ Anh); hãy ghi đủ tên"
    )
    assert survey_layer(year_2023) == before


# --- bad workbooks ----------------------------------------------------------------------------


def _set(unit, header, value):
    def change(sheet):
        sheet.set(unit, header, value)
        return sheet.rows[unit], sheet.cell(unit, header).column_letter

    return change


def _duplicate(sheet):
    ws, source = sheet.sheet, sheet.rows[VQ]
    target = ws.max_row + 1
    for column in range(1, 5):
        ws.cell(row=target, column=column).value = ws.cell(row=source, column=column).value
    return target, "A"


def _unknown_column(sheet):
    ws = sheet.sheet
    ws.cell(row=sheet.header_row, column=5).value = "10.3"
    ws.cell(row=sheet.rows[VQ], column=5).value = 5
    return sheet.header_row, "E"


def _unknown_unit(sheet):
    sheet.set(VQ, "Đơn vị", "Huyện Không Có")  # nor is the name a unit's
    return _set(VQ, "Mã đơn vị", "vu-quang-2")(sheet)


CASES = {
    "unknown unit": (
        _unknown_unit,
        "Mã đơn vị",
        "Không có đơn vị “vu-quang-2” trong năm 2023.",
    ),
    "text in a number": (_set(VQ, "10.1", "chín"), "10.1", "cần một số, ô đang có “chín”"),
    "above max": (
        _set(VQ, "10.1", 10.5),
        "10.1",
        "Điểm không được lớn hơn điểm tối đa (10,00).",
    ),
    "three decimals": (
        _set(HL, "10.2", 9.555),
        "10.2",
        "Điểm chỉ có tối đa 2 chữ số thập phân.",
    ),
    "negative": (_set(HL, "10.2", -1), "10.2", "Điểm không được âm."),
    "duplicate unit": (_duplicate, "Mã đơn vị", None),
    "unknown survey column": (
        _unknown_column,
        "10.3",
        "“10.3” không phải tiêu chí điều tra xã hội học của năm (các mã: 10.1, 10.2).",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_workbook_names_the_cell_and_writes_nothing(as_user, interior_admin, year_2023, case):
    change, header, message = CASES[case]
    client = as_user(interior_admin)
    sheet = download(client, year_2023)
    sheet.set(VQ, "10.2", 7)  # a good change alongside is not saved either
    row, letter = change(sheet)
    if message is None:  # the duplicate: it names the first row
        message = f"Đơn vị Huyện Vũ Quang đã có ở dòng {sheet.rows[VQ]}."
    before = survey_layer(year_2023)
    response = upload(client, year_2023, sheet.bytes())
    assert response.status_code == 422
    assert problems_of(response) == [(SHEET, row, f"{letter} ({header})", message)]
    assert message in response.content.decode()
    assert survey_layer(year_2023) == before


def test_a_missing_sheet(as_user, interior_admin, year_2023):
    client = as_user(interior_admin)
    sheet = download(client, year_2023)
    sheet.sheet.title = "Kết quả"
    before = survey_layer(year_2023)
    response = upload(client, year_2023, sheet.bytes())
    assert response.status_code == 422
    assert problems_of(response) == [
        (SHEET, None, "", "Thiếu trang tính “Điều tra XHH” (tệp có: Kết quả).")
    ]
    assert survey_layer(year_2023) == before


def test_no_survey_column(as_user, interior_admin, year_2023):
    workbook = Workbook()
    workbook.active.title = SHEET
    workbook.active.append(["Đơn vị", "Người dân"])
    workbook.active.append(["Huyện Vũ Quang", 9])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(as_user(interior_admin), year_2023, buffer.getvalue())
    assert problems_of(response) == [
        (
            SHEET,
            1,
            "",
            "Không có cột nào mang mã tiêu chí điều tra xã hội học (10.1, 10.2).",
        )
    ]


def test_not_excel_at_all(as_user, interior_admin, year_2023):
    before = survey_layer(year_2023)
    response = upload(as_user(interior_admin), year_2023, b"\x89PNG\r\n\x1a\n not a workbook")
    assert response.status_code == 422
    assert problems_of(response) == [("", None, "", NOT_EXCEL)]
    assert survey_layer(year_2023) == before


def test_another_years_template_is_refused(as_user, interior_admin, year_2022, year_2023):
    client = as_user(interior_admin)
    sheet = download(client, year_2022)  # downloadable, to read
    sheet.set(VQ, "10.1", 9)
    response = upload(client, year_2023, sheet.bytes())
    assert response.status_code == 422
    [(_s, _r, _c, message)] = problems_of(response)
    assert message.startswith("Tệp này là mẫu của một năm khác.")


# --- access and the year's state --------------------------------------------------------------

EXPECTED = {
    "anonymous": "login",
    "officer_a": 404,
    "leader_a": 404,
    "officer_b": 404,
    "viewer": 404,
    "appraiser": 200,
    "interior_admin": 200,
}


@pytest.fixture
def client_of(request, client):
    def sign_in(who):
        if who != "anonymous":
            client.force_login(request.getfixturevalue(who))
        return client

    return sign_in


@pytest.mark.parametrize("who", list(EXPECTED))
def test_access(client_of, interior_admin, year_2023, who):
    client = client_of("interior_admin")
    sheet = download(client, year_2023)
    sheet.set(VQ, "10.1", 1)
    client.logout()
    client = client_of(who)
    before = survey_layer(year_2023)
    responses = [
        client.get(template_url(year_2023)),
        client.get(import_url(year_2023)),
        upload(client, year_2023, sheet.bytes()),
    ]
    expected = EXPECTED[who]
    for response in responses:
        if expected == "login":
            assert response.status_code == 302 and response.url.startswith(reverse("login"))
        else:
            assert response.status_code == expected
    if expected == 200:
        assert responses[2].context["plan"].changes
    assert survey_layer(year_2023) == before


@pytest.mark.parametrize("year_fixture", ["year_2022", "year_2024"])
def test_upload_refused_outside_the_appraisal(request, as_user, interior_admin, year_fixture):
    year = request.getfixturevalue(year_fixture)
    client = as_user(interior_admin)
    sheet = download(client, year)  # the template is there to read in any state
    sheet.set(VQ, "10.1", 5)
    before = survey_layer(year)
    survey = reverse("survey", args=[year.pk])
    for response in (client.get(import_url(year)), upload(client, year, sheet.bytes())):
        assert response.status_code == 302 and response.url == survey
    assert CLOSED in [str(m) for m in client.get(survey, follow=True).context["messages"]]
    assert survey_layer(year) == before
    with pytest.raises(ImportFailed) as failed:
        SurveyImporter(year=year, roles=roles_of(interior_admin), user=interior_admin).read(
            sheet.bytes()
        )
    assert failed.value.problems[0].message == CLOSED


def test_an_appraiser_not_assigned_the_survey_field(as_user, appraiser, year_2023):
    FieldAssignment.objects.filter(year=year_2023, appraiser=appraiser, field__code="10").delete()
    client = as_user(appraiser)
    sheet = download(client, year_2023)
    sheet.set(VQ, "10.1", 9)
    before = survey_layer(year_2023)
    response = upload(client, year_2023, sheet.bytes())
    assert response.status_code == 422
    assert problems_of(response) == [
        (SHEET, sheet.header_row, "C (10.1)", "Bạn không được phân công thẩm định lĩnh vực 10.")
    ]
    assert survey_layer(year_2023) == before


def test_survey_page_buttons(as_user, interior_admin, year_2023, year_2024):
    client = as_user(interior_admin)
    html = client.get(reverse("survey", args=[year_2023.pk])).content.decode()
    assert 'data-testid="survey-template"' in html and 'data-testid="survey-import"' in html
    html = client.get(reverse("survey", args=[year_2024.pk])).content.decode()
    assert 'data-testid="survey-template"' in html and 'data-testid="survey-import"' not in html


# --- a score changed in the app since the download ------------------------------------------


def save_in_the_app(user, year, unit, code, value):
    assessment = Assessment.objects.get(year=year, unit__code=unit)
    node = FrameworkNode.objects.get(framework_id=year.framework_id, code=code)
    version = LeafScore.objects.get(assessment=assessment, node=node).appraisal_version
    save_survey(
        year=year,
        roles=roles_of(user),
        user=user,
        scores=[SurveyScore(assessment.id, node.id, version=version, score=value)],
    )


def test_a_cell_left_alone_keeps_the_score_changed_in_the_app(as_user, interior_admin, year_2023):
    client = as_user(interior_admin)
    sheet = download(client, year_2023)
    save_in_the_app(interior_admin, year_2023, VQ, "10.1", Decimal("5"))
    sheet.set(HL, "10.2", 7)
    preview = upload(client, year_2023, sheet.bytes())
    assert preview.status_code == 200
    plan = preview.context["plan"]
    assert [(c.subject, c.what[:4]) for c in plan.changes] == [("Thị xã Hồng Lĩnh", "10.2")]
    assert "1 ô đã được sửa trên phần mềm sau khi tải mẫu" in plan.summary
    apply(client, year_2023, preview)
    assert score(year_2023, VQ, "10.1") == Decimal("5.00")  # not undone to 9.68
    assert score(year_2023, HL, "10.2") == Decimal("7.00")


def test_a_cell_changed_in_both_places_is_refused(as_user, interior_admin, year_2023):
    client = as_user(interior_admin)
    sheet = download(client, year_2023)
    save_in_the_app(interior_admin, year_2023, VQ, "10.1", Decimal("5"))
    sheet.set(VQ, "10.1", 6)
    response = upload(client, year_2023, sheet.bytes())
    assert response.status_code == 422
    [(_sheet, row, _column, message)] = problems_of(response)
    assert row == sheet.rows[VQ]
    assert "đã được sửa trên phần mềm sau khi bạn tải mẫu (nay là 5,00)" in message
    assert score(year_2023, VQ, "10.1") == Decimal("5.00")


def test_a_tampered_downloaded_cell_is_refused(as_user, interior_admin, year_2023):
    client = as_user(interior_admin)
    sheet = download(client, year_2023)
    sheet.set(VQ, "Giá trị khi tải", "{sửa")
    response = upload(client, year_2023, sheet.bytes())
    assert response.status_code == 422
    assert problems_of(response)[0][3] == "Ô này đã bị sửa; hãy tải mẫu mới."


def test_a_score_changed_and_changed_back_in_the_app_is_still_refused(
    as_user, interior_admin, year_2023
):
    """Saved twice in the app since the download (back to the score downloaded): the version
    says someone changed it, so a change in the file is refused like on the survey page."""
    client = as_user(interior_admin)
    sheet = download(client, year_2023)
    save_in_the_app(interior_admin, year_2023, VQ, "10.1", Decimal("5"))
    save_in_the_app(interior_admin, year_2023, VQ, "10.1", Decimal("9.68"))
    sheet.set(VQ, "10.1", 6)
    response = upload(client, year_2023, sheet.bytes())
    assert response.status_code == 422
    [(_sheet, row, column, message)] = problems_of(response)
    assert (row, column) == (sheet.rows[VQ], "C (10.1)")
    assert "đã được sửa trên phần mềm sau khi bạn tải mẫu (nay là 9,68)" in message
    assert score(year_2023, VQ, "10.1") == Decimal("9.68")


def test_a_conflict_between_reading_and_writing_is_a_problem_and_nothing_is_written(
    as_user, interior_admin, year_2023
):
    client = as_user(interior_admin)
    sheet = download(client, year_2023)
    sheet.set(VQ, "10.1", 6)
    sheet.set(HL, "10.2", 7)
    importer = SurveyImporter(year=year_2023, roles=roles_of(interior_admin), user=interior_admin)
    plan = importer.read(sheet.bytes())
    assert len(plan.changes) == 2
    save_in_the_app(interior_admin, year_2023, VQ, "10.1", Decimal("5"))  # meanwhile
    before = survey_layer(year_2023)
    with pytest.raises(ImportFailed) as refused:
        importer.apply(plan)
    [problem] = refused.value.problems
    assert (problem.sheet, problem.row, problem.column) == (SHEET, sheet.rows[VQ], "C (10.1)")
    assert problem.message == (
        "Điểm 10.1 của Huyện Vũ Quang đã được sửa trên phần mềm sau khi bạn tải mẫu (nay là "
        "5,00); hãy tải mẫu mới rồi nhập lại."
    )
    assert survey_layer(year_2023) == before  # Hồng Lĩnh's 10.2 not written either


def test_the_import_is_logged_per_cell(as_user, interior_admin, year_2023):
    client = as_user(interior_admin)
    sheet = download(client, year_2023)
    old = score(year_2023, HL, "10.2")
    sheet.set(HL, "10.2", 7)
    apply(client, year_2023, upload(client, year_2023, sheet.bytes()))
    [line] = AuditEvent.objects.filter(kind=AuditEvent.Kind.SURVEY, year=year_2023)
    assert (line.actor, line.target) == (interior_admin, "Thị xã Hồng Lĩnh · 10.2")
    assert line.changes == {"r1_score": [format(old, "f"), "7.00"]}


def test_a_template_of_an_earlier_release_is_still_read(as_user, interior_admin, year_2023):
    """Its hidden column kept the scores without their versions: compared by value."""
    client = as_user(interior_admin)
    sheet = download(client, year_2023)
    hidden = sheet.cell(VQ, "Giá trị khi tải")
    downloaded = json.loads(hidden.value)
    hidden.value = json.dumps({code: value for code, (value, _v) in downloaded.items()})
    save_in_the_app(interior_admin, year_2023, HL, "10.1", Decimal("5"))
    sheet.set(VQ, "10.1", 6)
    apply(client, year_2023, upload(client, year_2023, sheet.bytes()))
    assert score(year_2023, VQ, "10.1") == Decimal("6")
