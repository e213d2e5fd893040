"""A person signs in and reads the ranking, in a real browser, and every page passes axe."""

import re

from scoring.demo.data import PASSWORD


def test_viewer_signs_in_and_reads_the_2022_ranking(ui):
    ui.goto("/")
    assert "/accounts/login/" in ui.page.url  # the home page asks for a login first
    ui.login("xem", PASSWORD)
    ui.page.get_by_role("link", name="Xếp hạng năm 2022").click()
    ui.page.wait_for_load_state()
    ui.check()
    rows = ui.page.locator("table.table-ranking tbody tr")
    assert rows.count() == 13
    vu_quang = rows.filter(has_text="Huyện Vũ Quang")
    assert vu_quang.locator("td").first.inner_text() == "12"
    assert vu_quang.locator("[data-testid=index]").inner_text() == "89,30"


def test_vu_quang_officer_reads_the_unit_scorecard_and_its_lost_points(ui):
    ui.login("vuquang.canbo", PASSWORD)
    ui.page.get_by_role("link", name="Kết quả năm 2022").click()
    ui.page.wait_for_load_state()
    ui.check()
    summary = ui.page.get_by_test_id("summary").inner_text()
    assert re.search(r"89,30/100 điểm.*xếp thứ 12/13", summary)
    assert ui.page.get_by_text("Có sáng kiến, mô hình CCHC được công nhận cấp tỉnh").count() >= 1


def test_appraiser_reads_the_provisional_2023_ranking(ui):
    ui.login("snv.thamdinh", PASSWORD)
    ui.page.get_by_role("link", name="Xếp hạng năm 2023").click()
    ui.page.wait_for_load_state()
    ui.check()
    assert ui.page.get_by_text("Tạm tính").count() >= 1
