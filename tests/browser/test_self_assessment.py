"""Vũ Quang's officer fills a field with a rule-based leaf and an upload, the leader submits,
and the officer can no longer edit: in a real browser, every page checked by axe."""

import re

import pytest

from scoring.demo.data import PASSWORD
from scoring.models import Assessment, Evidence
from tests.samples import PDF


@pytest.fixture
def evidence_pdf(tmp_path):
    path = tmp_path / "ke-hoach-ra-soat.pdf"
    path.write_bytes(PDF)
    return path


def filled(ui):
    return ui.page.get_by_test_id("filled").inner_text()


def sign_out(ui):
    ui.page.get_by_role("button", name="Đăng xuất").click()
    ui.page.wait_for_load_state()


def test_officer_fills_field_2_and_the_leader_submits(ui, evidence_pdf):
    page = ui.page
    ui.login("vuquang.canbo", PASSWORD)
    page.get_by_role("link", name="Tự đánh giá năm 2024").click()
    page.wait_for_load_state()
    ui.check()
    assert filled(ui).startswith("38/43")

    page.get_by_role("link", name=re.compile(r"^LV 2 ")).click()
    page.wait_for_load_state()
    ui.check()
    # A rule-based leaf: the score appears as the figures are typed (htmx, server-side).
    page.locator("[name='2.1.1-d_done']").fill("95")
    page.locator("[name='2.1.1-d_total']").fill("100")
    score = page.locator("#score-2-1-1")
    score.filter(has_text="2,00").wait_for()
    page.locator("[name='2.1.1-explanation']").fill("Ban hành 19/20 văn bản theo kế hoạch.")
    page.locator("#leaf-2-1-1 summary").click()
    page.locator("[name='ev-2.1.1-file']").set_input_files(str(evidence_pdf))
    page.locator("[name='ev-2.1.1-document_number']").fill("12/KH-UBND")
    page.locator("[name='ev-2.1.1-reference']").fill("Mục II, trang 3")
    page.get_by_label("Có", exact=True).first.check()  # 2.2.1: plan issued
    page.locator("[name='2.2.2-not_applicable']").check()
    page.locator("[name='2.2.2-na_reason']").fill("Không phát hiện văn bản trái pháp luật")
    page.locator("[name='2.2.3-d_count']").fill("0")
    page.locator("[name='2.3.1-score']").fill("1,75")
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.wait_for_load_state()
    ui.check()

    assert page.get_by_text("Đã lưu.").count() == 1
    assert filled(ui).startswith("43/43")
    assert page.get_by_test_id("evidence-2-1-1").inner_text().startswith("ke-hoach-ra-soat.pdf")
    assert Evidence.objects.filter(original_name="ke-hoach-ra-soat.pdf").count() == 1
    sign_out(ui)

    ui.login("vuquang.lanhdao", PASSWORD)
    page.get_by_role("link", name="Tự đánh giá năm 2024").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Kiểm tra và gửi").click()
    page.wait_for_load_state()
    ui.check()
    page.get_by_label("Tôi đã xem các cảnh báo").check()
    page.get_by_role("button", name="Gửi bản tự đánh giá").click()
    page.wait_for_load_state()
    ui.check()
    assert page.get_by_test_id("status").inner_text() == "Đã gửi"
    assert Assessment.objects.get(unit__code="vu-quang", year__year=2024).status == "submitted"
    sign_out(ui)

    ui.login("vuquang.canbo", PASSWORD)
    page.get_by_role("link", name="Tự đánh giá năm 2024").click()
    page.wait_for_load_state()
    ui.check()
    assert "đã được gửi" in page.get_by_test_id("locked").inner_text()
    assert page.locator("[name='1.1.1-d_due']").is_disabled()
    assert page.get_by_role("button", name="Lưu", exact=True).count() == 0


def test_unsaved_input_survives_a_lost_page_and_is_offered_back(ui):
    """What a session expiry or a closed tab would lose stays in the browser until saved."""
    page = ui.page
    ui.login("vuquang.canbo", PASSWORD)
    page.get_by_role("link", name="Tự đánh giá năm 2024").click()
    page.wait_for_load_state()
    page.get_by_role("link", name=re.compile(r"^LV 2 ")).click()
    page.wait_for_load_state()
    page.locator("[name='2.3.1-explanation']").fill("Đã tổ chức 4 đợt theo dõi")
    page.locator("[name='2.3.1-score']").fill("1,5")
    page.on("dialog", lambda dialog: dialog.accept())  # the "leave unsaved?" prompt
    page.reload()
    page.wait_for_load_state()
    assert page.locator("[name='2.3.1-score']").input_value() == ""
    banner = page.locator("#draft-banner")
    assert banner.is_visible()
    ui.check()
    page.get_by_role("button", name="Khôi phục").click()
    assert page.locator("[name='2.3.1-score']").input_value() == "1,5"
    assert page.locator("[name='2.3.1-explanation']").input_value() == "Đã tổ chức 4 đợt theo dõi"
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_text("Đã lưu.").count() == 1
    assert not page.locator("#draft-banner").is_visible()  # the saved page drops the draft
