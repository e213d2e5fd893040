"""Vũ Quang's 2022 insight page in a browser, as its officer: the story, the lost points its
report names, the what-if with and without typing, the page's width on a phone and a desktop."""

import io
from pathlib import Path

from django.urls import reverse
from docx import Document

from scoring.demo.data import PASSWORD
from scoring.models import AssessmentYear, LeafScore

SHOTS = Path("/tmp/h2-shots")  # screenshots for a person to look at; not asserted on


def _url():
    year = AssessmentYear.objects.get(year=2022, unit_level__code="cap-huyen")
    return reverse("unit_insight", args=[year.pk, "vu-quang"])


def _fits(ui, width):
    return ui.page.evaluate("document.documentElement.scrollWidth") <= width


def test_vu_quangs_officer_reads_where_points_were_lost_and_tries_a_what_if(ui):
    ui.page.set_viewport_size({"width": 1280, "height": 900})
    ui.login("vuquang.canbo", PASSWORD)
    ui.goto(_url())
    page = ui.page
    story = page.get_by_test_id("story").inner_text()
    assert "89,30/100 điểm" in story and "12/13" in story
    lost = page.get_by_test_id("lost")
    for code in ("1.5.1", "4.1.2", "6.2.1", "9.1.1"):
        assert lost.get_by_test_id(f"lost-{code}").is_visible()
    assert "kỷ luật" in lost.get_by_test_id("lost-deduction").inner_text()
    assert _fits(ui, 1280)

    # The Word report, downloaded from the page, tells the same story word for word.
    with page.expect_download() as download:
        page.get_by_test_id("word-report").click()
    path = download.value.path()
    assert download.value.suggested_filename.endswith(".docx")
    paragraphs = [p.text for p in Document(io.BytesIO(Path(path).read_bytes())).paragraphs]
    assert " ".join(story.split()) in paragraphs
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / "insight-1280.png", full_page=True)

    # Typing updates the answer without leaving the page (the script fetches the partial).
    before = LeafScore.objects.count(), LeafScore.history.count()
    field = page.get_by_label("1.5.1. Có sáng kiến, mô hình CCHC được công nhận cấp tỉnh")
    field.fill("2")
    page.get_by_test_id("what-if-index").wait_for()
    assert page.get_by_test_id("what-if-index").inner_text() == "91,30"
    assert page.get_by_test_id("what-if-rank").inner_text() == "7/13"
    # A bad value: a message beside the field, nothing computed.
    field.fill("hai")
    page.get_by_test_id("what-if-errors").wait_for()
    assert page.get_by_test_id("error-wi-leaf-1-5-1").inner_text() == (
        "“hai” không phải là một số điểm."
    )
    assert field.get_attribute("aria-invalid") == "true"
    ui.check()
    field.fill("2,00")
    page.get_by_test_id("what-if-index").wait_for()
    assert page.get_by_test_id("error-wi-leaf-1-5-1").inner_text() == ""
    ui.check()
    assert (LeafScore.objects.count(), LeafScore.history.count()) == before

    # The printed page: no form, no buttons.
    page.emulate_media(media="print")
    assert not page.get_by_test_id("what-if-form").is_visible()
    assert page.get_by_test_id("print-header").is_visible()
    page.screenshot(path=SHOTS / "insight-print.png", full_page=True)
    page.emulate_media(media="screen")

    page.set_viewport_size({"width": 390, "height": 900})
    ui.goto(_url())
    assert _fits(ui, 390)
    page.screenshot(path=SHOTS / "insight-390.png", full_page=True)


def test_the_what_if_works_without_javascript(browser, demo_server):
    # axe needs scripts, so this page is checked by the test above, with them.
    context = browser.new_context(locale="vi-VN", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(demo_server.url + "/accounts/login/")
        page.get_by_label("Tên đăng nhập").fill("vuquang.canbo")
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_load_state()
        page.goto(demo_server.url + _url())
        page.get_by_label("9.1.1. Số dự án được chấp thuận đầu tư").fill("4")
        page.get_by_label("Tổng điểm trừ").fill("0")
        page.get_by_role("button", name="Tính thử").click()
        page.wait_for_load_state()
        # 89.30 + 4 + the 0.50 deduction back: 93.80, second after TP Hà Tĩnh's 94.12.
        assert page.get_by_test_id("what-if-index").inner_text() == "93,80"
        assert page.get_by_test_id("what-if-rank").inner_text() == "2/13"
        assert "#what-if" in page.url
    finally:
        context.close()
