"""The admin's year page in a real browser with axe on every page: the next step lists what is
missing with a link to where it is fixed, and the year is stepped back with a reason; the
settings page previews a change of the ranking. Both pages fit a phone's width."""

import datetime as dt
import os
import re

from django.utils import timezone

from scoring.demo.data import PASSWORD
from scoring.models import AssessmentYear, AuditEvent

SHOTS = os.environ.get("CCHC_SCREENSHOTS")  # a folder: keep the pages' screenshots there


def open_year(ui):
    ui.goto("/")
    ui.page.get_by_role("link", name="Điều hành năm 2023").first.click()
    ui.page.wait_for_load_state()
    ui.check()


def fits(ui, name):
    """At a phone's and a desk's width, nothing is wider than the window."""
    for width in (390, 1280):
        ui.page.set_viewport_size({"width": width, "height": 900})
        overflow = ui.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if SHOTS:
            ui.page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
        assert overflow <= 0, f"{name} is {overflow}px wider than a {width}px window"


def test_the_admin_sees_the_blockers_and_steps_the_year_back(ui):
    page = ui.page
    ui.login("snv.quantri", PASSWORD)
    open_year(ui)
    blockers = page.get_by_test_id("blockers")
    link = blockers.get_by_role("link", name=re.compile("^Huyện Vũ Quang · lĩnh vực 1: 8 tiêu chí"))
    assert link.count() == 1
    assert page.get_by_role("button", name="Chuyển sang “Giải trình”").is_disabled()
    fits(ui, "year-state")
    link.click()
    page.wait_for_load_state()
    ui.check()
    assert page.locator("[name='1.4.1-score']").count() == 1  # the leaf is scored right here

    open_year(ui)
    back = page.get_by_test_id("step-back")
    assert "điểm thẩm định vòng 1 đã chấm được giữ nguyên" in back.inner_text()
    back.get_by_label("Lý do lùi bước").fill("Huyện Vũ Quang xin bổ sung tài liệu lĩnh vực 1")
    closes = timezone.localtime() + dt.timedelta(days=5)
    back.get_by_label("Hạn tự đánh giá mới (để các đơn vị nhập lại)").fill(
        closes.strftime("%Y-%m-%dT%H:%M")
    )
    back.get_by_label("Tôi xác nhận lùi bước.").check()
    back.get_by_role("button", name="Lùi về “Tự đánh giá”").click()
    page.wait_for_load_state()
    ui.check()
    assert page.get_by_text("Đã lùi kỳ đánh giá về bước trước.").count() == 1
    assert page.get_by_test_id("state").inner_text() == "Tự đánh giá"
    year = AssessmentYear.objects.get(year=2023, unit_level__code="cap-huyen")
    assert year.state == "self_assessment"
    event = AuditEvent.objects.get(year=year, kind="year.step_back")
    assert event.note == "Huyện Vũ Quang xin bổ sung tài liệu lĩnh vực 1"
    assert event.actor.username == "snv.quantri"


def test_the_settings_page_previews_the_ranking(ui):
    page = ui.page
    ui.login("snv.quantri", PASSWORD)
    open_year(ui)
    page.get_by_test_id("settings-link").click()
    page.wait_for_load_state()
    ui.check()
    page.get_by_label("Đồng hạng, không bỏ hạng (1, 1, 2)").check()
    page.get_by_label("Điểm trừ tối đa").fill("0")
    page.get_by_label("Xếp loại, dòng 3").fill("C")
    page.get_by_label("Từ chỉ số, dòng 3").fill("70,5")
    page.get_by_role("button", name="Xem trước").click()
    page.wait_for_load_state()
    ui.check()
    assert page.get_by_test_id("preview").count() == 1
    fits(ui, "year-settings")
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.wait_for_load_state()
    ui.check()
    assert page.get_by_text("Đã lưu thiết lập xếp hạng của năm.").count() == 1
    year = AssessmentYear.objects.get(year=2023, unit_level__code="cap-huyen")
    assert (year.tie_policy, year.deduction_max) == ("dense", 0)
    assert [str(b) for b in year.bands.all()] == ["A ≥ 90.00", "B ≥ 80.00", "C ≥ 70.50"]
