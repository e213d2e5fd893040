"""The notification bell in a real browser, with axe on every page: a unit's officer sees the
number of unread notifications (also said to a screen reader), opens the list, follows one,
marks the rest read, and turns e-mail off; every page fits a phone's width and a desktop's."""

import os
import re

from django.contrib.auth.models import User

from scoring.demo.data import PASSWORD
from scoring.models import Notification
from units.models import AccountState

SCREENSHOTS = os.environ.get("SCREENSHOTS")
WIDTHS = (390, 1280)


def page_fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def unread(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def test_the_officer_reads_notifications_from_the_bell(ui):
    page = ui.page
    officer = User.objects.get(username="vuquang.canbo")
    count = unread(officer)  # the demo's steps of its years notified the unit's staff
    assert count >= 2

    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        if width == WIDTHS[0]:
            ui.login("vuquang.canbo", PASSWORD)
        else:
            ui.goto("/")
        bell = page.get_by_test_id("bell")
        assert bell.is_visible(), f"no bell on a {width} px screen"  # not folded in the menu
        assert page.get_by_test_id("bell-count").inner_text() == str(count)
        assert page.get_by_role("link", name=f"Thông báo, {count} chưa đọc").count() == 1
        assert page_fits(page), f"the home page is wider than a {width} px screen"

        bell.click()
        page.wait_for_load_state()
        ui.check()
        assert page.get_by_role("heading", name="Thông báo").is_visible()
        items = page.get_by_test_id("notification")
        assert items.count() == Notification.objects.filter(recipient=officer).count()
        assert page.locator(".notification-unread").count() == count
        assert page_fits(page), f"the list is wider than a {width} px screen"
        if SCREENSHOTS:
            page.screenshot(path=os.path.join(SCREENSHOTS, f"thong-bao-{width}.png"))

    # Newest first: the 2024 self-assessment is the demo's last step for the unit.
    first = items.first.get_by_role("link")
    assert first.inner_text() == "Mở tự đánh giá năm 2024"
    first.click()
    page.wait_for_load_state()
    ui.check()
    assert re.search(r"/units/vu-quang/self-assessment/", page.url)
    assert page.get_by_test_id("bell-count").inner_text() == str(count - 1)

    page.get_by_test_id("bell").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Đánh dấu đã đọc tất cả").click()
    page.wait_for_load_state()
    ui.check()
    assert page.get_by_test_id("bell-count").count() == 0
    assert page.get_by_role("link", name="Thông báo, không có thông báo chưa đọc").count() == 1
    assert page.locator(".notification-unread").count() == 0
    assert unread(officer) == 0


def test_the_officer_turns_email_off_and_chooses_english(ui):
    page = ui.page
    ui.login("vuquang.canbo", PASSWORD)
    ui.goto("/notifications/settings/")
    box = page.get_by_label("Nhận thông báo qua thư điện tử")
    assert box.is_checked()
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert page_fits(page), f"the settings page is wider than a {width} px screen"
    box.uncheck()
    page.get_by_label("Ngôn ngữ của thư").select_option("en")
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_load_state()
    ui.check()
    assert page.get_by_text("Đã lưu cài đặt thông báo.").is_visible()
    state = AccountState.objects.get(user__username="vuquang.canbo")
    assert (state.email_notifications, state.language) == (False, "en")
    assert not page.get_by_label("Nhận thông báo qua thư điện tử").is_checked()
