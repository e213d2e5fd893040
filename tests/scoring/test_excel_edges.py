"""Edges of Excel files: text that looks like a formula, formulas nobody computed, rows after a
long gap or past a sheet's declared size, and imports in the audit log."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from scoring import audit
from scoring.exporters.base import Column, ListExporter, put
from scoring.importers import ImportFailed, base
from scoring.models import AuditEvent, LeafScore
from scoring.services import clone_framework, create_year
from tests.scoring.test_import_base import TableImporter
from tests.scoring.test_import_self_assessment import (
    download,
    import_url,
    problems_of,
    snapshot,
)
from units.roles import SYSTEM_ADMIN

pytestmark = pytest.mark.django_db

FORMULA_LIKE = ["=SUM(A1:A9)", "+84 912 345 678", "-0,5 điểm do chậm", "@Sở Nội vụ"]
UNCOMPUTED = (
    "ô có công thức nhưng chưa có giá trị tính sẵn; hãy mở tệp bằng Excel, lưu lại rồi tải lên"
)


def rewrite_sheet(content: bytes, change) -> bytes:
    """The workbook with its first sheet's XML passed through ``change`` (what another program
    might have written)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            target.writestr(item, data)
    return buffer.getvalue()


def saved(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_sheet(rows, title="Bộ chỉ số") -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    return workbook


# --- text that looks like a formula ---------------------------------------------------------


class Reasons(ListExporter):
    identifier = "reasons"
    sheet_title = "Lý do"

    def filename(self):
        return "ly-do.xlsx"

    def columns(self):
        return [Column("Lý do", 30)]

    def rows(self):
        return [[text] for text in [*FORMULA_LIKE, "Đúng hạn"]]


def test_formula_like_text_keeps_excels_quote_prefix_in_reports_and_templates():
    """Stored as text only, "=…" became a formula as soon as someone edited the cell in Excel."""
    report = load_workbook(io.BytesIO(Reasons().render().content))["Lý do"]
    cells = {cell.value: cell for (cell,) in report.iter_rows(min_row=2)}
    for text in FORMULA_LIKE:
        assert cells[text].data_type == "s"
        assert cells[text].quotePrefix, text
    assert not cells["Đúng hạn"].quotePrefix

    template = Workbook()  # the small, styled templates write through ``put``
    put(template.active, 1, 1, "=1+1")
    put(template.active, 1, 2, "1+1")
    sheet = load_workbook(io.BytesIO(saved(template))).active
    assert (sheet["A1"].value, sheet["A1"].data_type, sheet["A1"].quotePrefix) == (
        "=1+1",
        "s",
        True,
    )
    assert not sheet["B1"].quotePrefix


# --- formulas nobody computed ---------------------------------------------------------------


def test_a_formula_without_a_value_is_refused_not_read_as_blank(as_user, officer_a, year_2024):
    """A self-score written as a formula by a program (no stored result) cleared the score;
    now the file is refused with the cell's place, and nothing is written."""
    client = as_user(officer_a)
    sheet = download(client, year_2024)
    sheet.set("1.3.2", "Điểm tự chấm", "=0.25*2")  # openpyxl stores no result
    sheet.set("1.3.2", "Thuyết minh", "Điểm tính bằng công thức")
    row, column = sheet.rows["1.3.2"], sheet.columns["Điểm tự chấm"]
    before = snapshot(year_2024)
    response = client.post(
        import_url(year_2024), {"file": SimpleUploadedFile("tu-danh-gia.xlsx", sheet.bytes())}
    )
    assert response.status_code == 422
    letter = sheet.cell("1.3.2", "Điểm tự chấm").column_letter
    assert problems_of(response) == [("Tự đánh giá", row, f"{letter} (Điểm tự chấm)", UNCOMPUTED)]
    assert str(response.context["problems"][0]).startswith(
        f"Tự đánh giá, dòng {row}, cột {letter} (Điểm tự chấm): ô có công thức"
    )
    assert snapshot(year_2024) == before
    assert column  # the header was found where the template put it


def test_a_formula_excel_computed_is_read_as_its_value_and_an_empty_text_result_as_blank():
    workbook = table_sheet([["Mã", "Điểm tối đa", "Hướng dẫn chấm"], ["1", None, None]])
    workbook.active["B2"] = "=4+4"
    workbook.active["C2"] = '=IF(B2>0,"","x")'

    # openpyxl writes an empty value as <v/> or, with lxml installed, as <v></v>.
    def as_excel_saves_it(xml: bytes) -> bytes:
        xml = re.sub(rb"<f>4\+4</f>(?:<v\s*/>|<v></v>)", b"<f>4+4</f><v>8</v>", xml)
        return re.sub(
            rb'<c r="C2"([^>]*)>(<f>.*?</f>)(?:<v\s*/>|<v></v>)',
            rb'<c r="C2" t="str">\2<v></v>',
            xml,
        )

    content = rewrite_sheet(saved(workbook), as_excel_saves_it)
    table = base.read_plan(TableImporter(), content).payload
    assert table.rows == [(2, ("1", 8, None))]


def test_formula_problems_are_listed_up_to_a_limit():
    rows = [["Mã", "Điểm tối đa"]] + [[f"1.{i}", f"={i}+1"] for i in range(60)]
    with pytest.raises(ImportFailed) as failed:
        base.read_plan(TableImporter(), saved(table_sheet(rows)))
    problems = failed.value.problems
    assert len(problems) == base.MAX_FORMULA_PROBLEMS + 1
    assert (problems[0].row, problems[0].column, problems[0].message) == (
        2,
        "B (Điểm tối đa)",
        UNCOMPUTED,
    )
    assert problems[-1].message == "… và 10 ô công thức khác chưa có giá trị tính sẵn."


def test_a_formula_outside_the_table_is_not_read():
    workbook = table_sheet([["=TODAY()"], ["Mã", "Điểm tối đa"], ["1", 10]])
    workbook.active["F3"] = "=B3*2"  # right of the header: not a column the import reads
    table = base.read_plan(TableImporter(), saved(workbook)).payload
    assert table.rows == [(3, ("1", 10))]


# --- rows after a long gap, sizes declared wrong --------------------------------------------


def _declare(dimension: bytes):
    return lambda xml: re.sub(rb'<dimension ref="[^"]*"\s*/>', dimension, xml)


def test_rows_after_a_long_gap_are_read_with_their_own_numbers():
    workbook = table_sheet([["Mã", "Điểm tối đa"], ["1", 10]])
    workbook.active.cell(row=9000, column=1, value="2")
    workbook.active.cell(row=9000, column=2, value=5)
    for dimension in (b'<dimension ref="A1:B2"/>', b""):  # declared too small, or not at all
        content = rewrite_sheet(saved(workbook), _declare(dimension))
        table = base.read_plan(TableImporter(), content).payload
        assert table.rows == [(2, ("1", 10)), (9000, ("2", 5))]


def test_columns_past_a_declared_size_are_read():
    """A sheet declaring one column less than it has lost its last column's values."""
    workbook = table_sheet([["Mã", "Điểm tối đa", "Hướng dẫn chấm"], ["1", 10, "Xem phụ lục"]])
    content = rewrite_sheet(saved(workbook), _declare(b'<dimension ref="A1:B2"/>'))
    table = base.read_plan(TableImporter(), content).payload
    assert table.rows == [(2, ("1", 10, "Xem phụ lục"))]
    assert table.columns == {"code": 0, "max": 1, "guide": 2}


def test_a_row_past_the_limit_after_a_gap_is_refused_not_skipped():
    """Without a declared size, reading stopped at the limit: a row after a long gap past it
    was silently left out."""
    workbook = table_sheet([["Mã", "Điểm tối đa"], ["1", 10]])
    workbook.active.cell(row=base.MAX_ROWS + 5, column=1, value="2")
    content = rewrite_sheet(saved(workbook), _declare(b""))
    with pytest.raises(ImportFailed) as failed:
        base.read_plan(TableImporter(), content)
    assert "quá nhiều dòng" in str(failed.value)


# --- imports in the audit log ---------------------------------------------------------------


def _framework_file(client, year) -> bytes:
    """The year's framework template with one title changed and one criterion's max moved."""
    response = client.get(reverse("framework_template", args=[year.pk]))
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["Bộ chỉ số"]
    rows = {row[0].value: row[0].row for row in sheet.iter_rows() if row[0].value}
    sheet.cell(row=rows["1.1.1"], column=2, value="Tiêu chí 1.1.1 (sửa)")
    return saved(workbook)


@pytest.fixture
def preparing_year(year_2022):
    framework = clone_framework(
        roles=SYSTEM_ADMIN, framework=year_2022.framework, name="Bộ chỉ số 2021"
    )
    return create_year(
        roles=SYSTEM_ADMIN,
        year=2021,
        unit_level=year_2022.unit_level,
        framework=framework,
        units=[a.unit for a in year_2022.assessments.select_related("unit")],
    )


def test_a_framework_import_is_logged_by_page_with_its_file(
    as_user, interior_admin, preparing_year
):
    client = as_user(interior_admin)
    content = _framework_file(client, preparing_year)
    url = reverse("framework_import", args=[preparing_year.pk])
    preview = client.post(url, {"file": SimpleUploadedFile("bo-chi-so.xlsx", content)})
    assert preview.status_code == 200, preview.context["problems"]
    client.post(url, {"token": preview.context["token"], "apply": ""})
    event = AuditEvent.objects.get(year=preparing_year, kind=audit.Kind.FRAMEWORK)
    assert (event.path, event.source, event.actor) == (
        audit.Path.IMPORT,
        audit.file_source("bo-chi-so.xlsx", content),
        interior_admin,
    )
    assert event.changes == {"added": [None, 0], "removed": [None, 0], "changed": [None, 1]}


def test_a_framework_import_by_command_is_logged_as_the_command(
    as_user, interior_admin, preparing_year, tmp_path
):
    path = tmp_path / "bo-chi-so-2021.xlsx"
    path.write_bytes(_framework_file(as_user(interior_admin), preparing_year))
    call_command("import_framework", str(path), "--level", "cap-huyen", "--year", "2021")
    event = AuditEvent.objects.get(year=preparing_year, kind=audit.Kind.FRAMEWORK)
    assert (event.path, event.source) == (
        audit.Path.COMMAND,
        audit.file_source("bo-chi-so-2021.xlsx", path.read_bytes()),
    )


def test_copying_last_years_framework_is_logged(as_user, interior_admin, year_2022, year_2024):
    next_year = create_year(
        roles=SYSTEM_ADMIN,
        year=2025,
        unit_level=year_2022.unit_level,
        framework=clone_framework(
            roles=SYSTEM_ADMIN, framework=year_2022.framework, name="Bộ chỉ số 2025"
        ),
        units=[],
    )
    as_user(interior_admin).post(reverse("framework_copy", args=[next_year.pk]))
    event = AuditEvent.objects.get(year=next_year, kind=audit.Kind.FRAMEWORK)
    assert (event.note, event.actor) == ("Chép từ bộ chỉ số năm 2024", interior_admin)
    old_name, new_name = event.changes["framework"]
    assert old_name == "Bộ chỉ số 2025" and new_name.endswith("(2025)")
    # The same tree as 2024's, which the demo copied from 2022's: nothing added or removed.
    assert (event.changes["added"], event.changes["removed"]) == ([None, 0], [None, 0])
    assert {"added", "removed", "changed"} <= set(event.changes)


def test_a_refused_import_logs_nothing(as_user, interior_admin, preparing_year):
    client = as_user(interior_admin)
    workbook = load_workbook(io.BytesIO(_framework_file(client, preparing_year)))
    workbook["Bộ chỉ số"]["C10"] = "mười"
    url = reverse("framework_import", args=[preparing_year.pk])
    response = client.post(url, {"file": SimpleUploadedFile("x.xlsx", saved(workbook))})
    assert response.status_code == 422
    assert not AuditEvent.objects.filter(kind=audit.Kind.FRAMEWORK).exists()
    assert not LeafScore.objects.filter(assessment__year=preparing_year).exists()
