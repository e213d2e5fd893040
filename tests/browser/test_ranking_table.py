"""The ranking table in a browser: sorting by a header, the reader's own unit, folded fields."""

from scoring.demo.data import PASSWORD
from tests.browser.test_page_widths import _pages


def _first_unit(ui):
    return ui.page.locator("table.table-ranking tbody tr").first.locator("th").inner_text()


def _header(ui, name):
    return ui.page.get_by_role("columnheader", name=name, exact=True)


def test_sorting_by_a_header_reorders_the_rows_and_says_so(ui):
    ui.login("vuquang.canbo", PASSWORD)
    ui.goto(_pages()["ranking"])  # axe: with the sort buttons in place
    assert _header(ui, "Hạng").get_attribute("aria-sort") == "ascending"
    assert (
        ui.page.locator("tr[aria-current=true]")
        .locator("th")
        .inner_text()
        .startswith("Huyện Vũ Quang")
    )

    ui.page.get_by_role("button", name="Trừ", exact=True).click()
    assert _header(ui, "Trừ").get_attribute("aria-sort") == "descending"
    assert _header(ui, "Hạng").get_attribute("aria-sort") is None
    assert _first_unit(ui).startswith("Huyện Vũ Quang")  # the only unit with a deduction

    ui.page.get_by_role("button", name="Đơn vị").click()
    assert _header(ui, "Đơn vị").get_attribute("aria-sort") == "ascending"
    assert _first_unit(ui) == "Huyện Can Lộc"  # Vietnamese order: a before â (Can, Cẩm)
    ui.page.get_by_role("button", name="Đơn vị").click()
    assert _first_unit(ui) == "Thị xã Kỳ Anh"

    ui.page.get_by_role("button", name="Chỉ số (%)").click()
    index = ui.page.locator("table.table-ranking [data-testid=index]")
    assert index.first.inner_text() == "94,12"
    ui.page.get_by_role("button", name="Chỉ số (%)").click()
    assert index.first.inner_text() == "88,64"
    ui.check()


def test_field_columns_fold_on_a_phone_and_unfold_with_a_link(ui):
    ui.page.set_viewport_size({"width": 390, "height": 900})
    ui.login("xem", PASSWORD)
    ui.goto(_pages()["ranking"])
    field = ui.page.locator("table.table-ranking thead th.col-field").first
    assert not field.is_visible()
    ui.page.get_by_role("link", name="Hiện điểm từng lĩnh vực").click()
    ui.page.wait_for_load_state()
    assert field.is_visible()
    assert ui.page.evaluate("document.documentElement.scrollWidth") <= 390
