"""The ranking table in a browser: sorting by a header, the reader's own unit, folded fields,
and the charts after it, on screen and on paper."""

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


def test_the_charts_load_under_the_csp_with_their_text_alternative(ui):
    ui.page.set_viewport_size({"width": 390, "height": 900})
    ui.login("vuquang.canbo", PASSWORD)
    errors = []
    ui.page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    ui.goto(_pages()["ranking"])  # axe: with the figures
    figures = ui.page.locator("figure.chart")
    assert figures.count() == 2
    for img in figures.locator("img").all():
        # decoded: the Content-Security-Policy lets data: images through (img-src 'self' data:)
        assert img.evaluate("(el) => el.complete && el.naturalWidth > 0")
        assert img.bounding_box()["width"] <= 390
    bars = ui.page.get_by_role("img", name="Biểu đồ thanh chỉ số CCHC của 13 đơn vị", exact=False)
    assert "Đơn vị của bạn: Huyện Vũ Quang (89,30)." in bars.get_attribute("alt")
    assert not [e for e in errors if "Content Security Policy" in e]
    # the table comes first; a link at the top leads to the charts
    table_top = ui.page.locator("#ranking-table").bounding_box()["y"]
    assert ui.page.locator("#charts").bounding_box()["y"] > table_top
    ui.page.get_by_test_id("charts-link").click()
    assert ui.page.url.endswith("#charts")
    assert ui.page.evaluate("document.documentElement.scrollWidth") <= 390


def test_on_paper_the_charts_follow_the_table_on_a_page_of_their_own(ui):
    ui.login("snv.thamdinh", PASSWORD)
    ui.goto(_pages()["ranking"])
    assert ui.page.get_by_test_id("year-insight-links").is_visible()
    ui.page.emulate_media(media="print")
    section = ui.page.locator("#charts")
    assert section.evaluate("(el) => getComputedStyle(el).breakBefore") == "page"
    assert section.locator("img").first.is_visible()
    assert not ui.page.get_by_test_id("year-insight-links").is_visible()
    assert not ui.page.get_by_test_id("charts-link").is_visible()
    # each chart fits the height of an A4 landscape page (165 mm at 96 px/in)
    for img in section.locator("img").all():
        assert img.bounding_box()["height"] <= 165 / 25.4 * 96 + 1
