"""Two Interior Department users on the 2023 survey grid in two browsers, axe on every page: the
admin saves Can Lộc 10.1; the appraiser, on a page opened before, changes the same cell and Kỳ
Anh 10.2 and is refused with the admin's score shown next to the cell; saving again is
deliberate and replaces it. Screenshots of the refused page at phone and desktop widths go to
``CCHC_SCREENSHOTS`` when it is set."""

import os
from decimal import Decimal
from pathlib import Path

import pytest

from scoring.demo.data import PASSWORD
from scoring.models import AssessmentYear, LeafScore
from tests.browser.conftest import AccessiblePage

CAN_LOC, KY_ANH = "Huyện Can Lộc · 10.1", "Huyện Kỳ Anh · 10.2"


@pytest.fixture
def two_users(browser, demo_server):
    """The admin and the appraiser, each in a browser of their own."""
    pages = []
    contexts = []
    for username in ("snv.quantri", "snv.thamdinh"):
        context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
        contexts.append(context)
        ui = AccessiblePage(context.new_page(), demo_server.url)
        ui.login(username, PASSWORD)
        pages.append(ui)
    yield pages
    for context in contexts:
        context.close()


def score(unit, code):
    return LeafScore.objects.get(
        assessment__year__year=2023, assessment__unit__code=unit, node__code=code
    ).r1_score


def save(ui):
    ui.page.get_by_role("button", name="Lưu điểm điều tra").click()
    ui.page.wait_for_load_state()
    ui.check()


def test_the_same_cell_from_a_stale_page_is_refused_with_their_score(two_users):
    admin, appraiser = two_users
    year = AssessmentYear.objects.get(year=2023, unit_level__code="cap-huyen")
    path = f"/years/{year.pk}/survey/"
    admin.goto(path)
    appraiser.goto(path)  # opened before the admin saves

    admin.page.get_by_label(CAN_LOC).fill("9,11")
    save(admin)
    assert admin.page.get_by_text("Đã lưu điểm điều tra xã hội học.").count() == 1

    appraiser.page.get_by_label(CAN_LOC).fill("8,5")
    appraiser.page.get_by_label(KY_ANH).fill("8,22")
    save(appraiser)
    page = appraiser.page
    assert page.get_by_text("Chưa lưu: có người khác vừa lưu 1 ô bạn đang sửa.").count() == 1
    conflict = page.get_by_test_id("conflict")
    assert conflict.count() == 1
    assert conflict.inner_text() == "Quản trị Sở Nội vụ vừa lưu: 9,11"
    assert page.get_by_label(CAN_LOC).input_value() == "8,5"  # the user's input stays
    assert page.get_by_label(KY_ANH).input_value() == "8,22"
    assert score("can-loc", "10.1") == Decimal("9.11")
    assert score("ky-anh", "10.2") != Decimal("8.22")  # nothing saved

    shots = os.environ.get("CCHC_SCREENSHOTS")
    if shots:
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.get_by_label(CAN_LOC).scroll_into_view_if_needed()
            page.screenshot(path=str(Path(shots) / f"survey-conflict-{width}.png"))
        page.set_viewport_size({"width": 1280, "height": 900})

    save(appraiser)  # deliberately, having seen the admin's score
    assert page.get_by_text("Đã lưu điểm điều tra xã hội học.").count() == 1
    assert score("can-loc", "10.1") == Decimal("8.5")
    assert score("ky-anh", "10.2") == Decimal("8.22")
