"""Excel in a real browser, axe on every page: the admin fills the survey template and imports
it (after a file that is not Excel is refused), a viewer downloads the index over the years,
and Vũ Quang's officer fills the self-assessment template offline and imports it."""

import re
from decimal import Decimal

import openpyxl

from scoring.demo.data import PASSWORD
from scoring.models import LeafScore


def go(ui, link_name):
    ui.page.get_by_role("link", name=link_name).first.click()
    ui.page.wait_for_load_state()
    ui.check()


def click(ui, locator):
    locator.click()
    ui.page.wait_for_load_state()
    ui.check()


def download(ui, locator, tmp_path):
    """Click a download button; the saved file's path (an .xlsx)."""
    with ui.page.expect_download() as info:
        locator.click()
    file = info.value
    assert file.failure() is None
    assert file.suggested_filename.endswith(".xlsx"), file.suggested_filename
    path = tmp_path / file.suggested_filename
    file.save_as(path)
    return path


def upload(ui, path):
    """On an import page: choose the file and ask for its preview."""
    ui.page.locator("input[type=file][name=file]").set_input_files(str(path))
    click(ui, ui.page.get_by_role("button", name="Kiểm tra và xem trước"))


def header_row(sheet, first_header):
    """The number and the cells of the row whose column A reads ``first_header``."""
    for row in sheet.iter_rows():
        if row[0].value == first_header:
            return row[0].row, row
    raise AssertionError(f"no header row starting with {first_header!r} in {sheet.title}")


def row_of(sheet, code, below):
    return next(row[0].row for row in sheet.iter_rows(min_row=below + 1) if row[0].value == code)


def test_admin_imports_a_survey_score_from_the_excel_template(ui, tmp_path):
    page = ui.page
    ui.login("snv.quantri", PASSWORD)
    go(ui, "Thẩm định năm 2023")
    go(ui, "Điểm điều tra xã hội học")
    click(ui, page.get_by_test_id("survey-import"))  # the upload state
    import_url = page.url
    assert page.get_by_test_id("preview").count() == 0
    assert page.get_by_test_id("problems").count() == 0

    # A file that is not Excel: every problem in a table, nothing written.
    not_excel = tmp_path / "diem-dieu-tra.xlsx"
    not_excel.write_text("Đây không phải là một bảng tính.\n", encoding="utf-8")
    upload(ui, not_excel)
    problems = page.get_by_test_id("problems")
    assert problems.count() == 1
    assert "không phải là tệp Excel" in problems.locator("tbody").inner_text()
    assert page.get_by_test_id("preview").count() == 0

    template = download(ui, page.get_by_test_id("template-download"), tmp_path)
    workbook = openpyxl.load_workbook(template)
    sheet = workbook["Điều tra XHH"]
    header, cells = header_row(sheet, "Mã đơn vị")
    assert cells[1].value == "Đơn vị"
    leaf_code = cells[2].value  # the first survey leaf
    cell = sheet.cell(row=row_of(sheet, "vu-quang", header), column=3)
    assert sheet.cell(row=cell.row, column=2).value == "Huyện Vũ Quang"
    old = Decimal(str(cell.value))
    new = Decimal("8.5") if old != Decimal("8.5") else Decimal("7.25")
    cell.value = float(new)
    workbook.save(template)

    upload(ui, template)  # the preview state
    preview = page.get_by_test_id("preview")
    assert preview.count() == 1
    assert page.get_by_test_id("problems").count() == 0
    assert "1 ô thay đổi" in page.get_by_test_id("summary").inner_text()
    rows = preview.locator("tbody tr")
    assert rows.count() == 1
    cells_text = [rows.locator("td").nth(i).inner_text() for i in range(4)]
    assert cells_text[0] == "Huyện Vũ Quang"
    assert cells_text[1].startswith(f"{leaf_code}. ")
    assert cells_text[2] == f"{old:.2f}".replace(".", ",")
    assert cells_text[3] == f"{new:.2f}".replace(".", ",")
    assert ui.checked.count(import_url) == 3  # axe ran on the upload, problem and preview states

    click(ui, page.get_by_role("button", name="Ghi các thay đổi"))
    assert page.get_by_text("Đã nhập 1 điểm điều tra xã hội học từ tệp Excel.").count() == 1
    assert re.search(r"/survey/$", page.url)  # back on the survey grid
    grid_cell = page.get_by_label(f"Huyện Vũ Quang · {leaf_code}", exact=True)
    assert grid_cell.input_value() == f"{new:.2f}".replace(".", ",")
    leaf = LeafScore.objects.get(
        assessment__year__year=2023, assessment__unit__code="vu-quang", node__code=leaf_code
    )
    assert leaf.r1_score == new


def test_viewer_downloads_the_index_over_the_years(ui, tmp_path):
    page = ui.page
    ui.login("xem", PASSWORD)
    go(ui, re.compile("^Chỉ số qua các năm"))
    assert page.locator("h1").inner_text().startswith("Chỉ số CCHC qua các năm")
    path = download(ui, page.get_by_role("link", name="Tải chỉ số qua các năm (Excel)"), tmp_path)
    workbook = openpyxl.load_workbook(path, read_only=True)
    texts = {
        value
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if isinstance(value, str)
    }
    workbook.close()
    assert "Huyện Vũ Quang" in texts


def test_officer_fills_the_self_assessment_template_and_imports_it(ui, tmp_path):
    page = ui.page
    ui.login("vuquang.canbo", PASSWORD)
    go(ui, "Tự đánh giá năm 2024")
    assert page.get_by_test_id("filled").inner_text().startswith("38/43")
    assert page.get_by_test_id("entry-template").is_visible()
    assert page.get_by_test_id("entry-import").is_visible()

    template = download(ui, page.get_by_test_id("entry-template"), tmp_path)
    workbook = openpyxl.load_workbook(template)
    sheet = workbook["Tự đánh giá"]
    header, cells = header_row(sheet, "Mã")
    column = {cell.value: cell.column for cell in cells if cell.value}
    row = row_of(sheet, "2.3.1", header)  # a manual leaf of field 2, not filled yet
    assert sheet.cell(row=row, column=column["Điểm tự chấm"]).value is None
    sheet.cell(row=row, column=column["Điểm tự chấm"]).value = 1.75
    sheet.cell(row=row, column=column["Thuyết minh"]).value = "Đã tổ chức 4 đợt theo dõi"
    workbook.save(template)

    click(ui, page.get_by_test_id("entry-import"))  # the upload state
    upload(ui, template)  # the preview state
    assert page.get_by_test_id("problems").count() == 0
    assert "1 tiêu chí thay đổi" in page.get_by_test_id("summary").inner_text()
    rows = page.get_by_test_id("preview").locator("tbody tr")
    assert rows.count() >= 1
    subjects = rows.locator("td:first-child").all_inner_texts()
    assert all(subject.startswith("2.3.1. ") for subject in subjects)
    score_line = rows.filter(has_text="Điểm tự chấm")
    assert score_line.locator("td").nth(3).inner_text() == "1,75"

    click(ui, page.get_by_role("button", name="Ghi các thay đổi"))
    assert page.get_by_text("Đã nhập 1 tiêu chí từ tệp Excel.").count() == 1
    assert page.get_by_test_id("filled").inner_text().startswith("39/43")
    go(ui, re.compile(r"^LV 2 "))
    assert page.locator("[name='2.3.1-score']").input_value() == "1,75"
    leaf = LeafScore.objects.get(
        assessment__year__year=2024, assessment__unit__code="vu-quang", node__code="2.3.1"
    )
    assert leaf.self_score == Decimal("1.75")
