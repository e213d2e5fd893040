"""A unit's faster, clearer days in a real browser, every page checked by axe and at a phone's
and a desktop's width: a save that keeps the good leaves and points at the bad one, the
leader's grouped check before sending, withdrawing through a confirmation step, and the
explanation round ended by the leader's "Gửi giải trình" (and taken back, confirmed)."""

import os
import re

from django.contrib.auth.models import User
from django.urls import reverse

from scoring.demo.data import PASSWORD
from scoring.models import Assessment, AssessmentYear, LeafScore
from tests.scoring.appraisal_helpers import open_explanation_round
from tests.scoring.test_self_assessment_services import fill_everything

# Screenshots for a person to look at, when asked for (SCREENSHOTS=/some/folder).
SCREENSHOTS = os.environ.get("SCREENSHOTS")
WIDTHS = (390, 1280)


def page_fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def at_each_width(ui, name):
    """The page as it stands fits a phone and a desktop (nothing wider than the screen)."""
    page = ui.page
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert page_fits(page), f"{name} is wider than a {width} px screen"
        if SCREENSHOTS:
            page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def sign_out(ui):
    ui.page.get_by_role("button", name="Đăng xuất").click()
    ui.page.wait_for_load_state()


def vu_quang(year):
    return Assessment.objects.select_related("year", "unit").get(
        year__year=year, year__unit_level__code="cap-huyen", unit__code="vu-quang"
    )


def test_a_save_keeps_the_good_leaves_and_lists_the_bad_one_at_the_top(ui):
    page = ui.page
    year = AssessmentYear.objects.get(year=2024, unit_level__code="cap-huyen")
    ui.login("vuquang.canbo", PASSWORD)
    ui.goto(reverse("entry_field", args=[year.pk, "vu-quang", "2"]))
    page.locator("[name='2.2.3-d_count']").fill("12,5")
    page.locator("[name='2.3.1-score']").fill("1,75")
    page.locator("[name='2.3.1-explanation']").fill("Đã tổ chức 4 đợt theo dõi")
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.wait_for_load_state()
    ui.check()
    assert page.get_by_text("Đã lưu 1 tiêu chí; 1 tiêu chí chưa lưu được: 2.2.3.").count() == 1
    unsaved = page.get_by_test_id("unsaved")
    assert "Nhập số nguyên, ví dụ 12." in unsaved.inner_text()
    # The typed input is still there, with its score; the saved leaf shows its new score.
    assert page.locator("[name='2.2.3-d_count']").input_value() == "12,5"
    assert page.locator("#score-2-3-1").inner_text() == "1,75"
    assert LeafScore.objects.get(assessment=vu_quang(2024), node__code="2.3.1").version == 1
    # The browser's draft is now the page: the saved leaf at its new version (restoring an
    # older draft would make the next save a conflict with one's own), the bad leaf as typed.
    draft = page.evaluate(
        "JSON.parse(localStorage.getItem(document.getElementById('entry-form').dataset.draftKey))"
    )
    assert (draft["2.3.1-version"], draft["2.2.3-d_count"]) == ("1", "12,5")
    assert not page.locator("#draft-banner").is_visible()
    at_each_width(ui, "luu-mot-phan")
    unsaved.get_by_role("link", name=re.compile(r"^2\.2\.3\. ")).click()
    assert page.url.endswith("#leaf-2-2-3")
    # Fixed and saved again: no conflict with one's own save a moment ago.
    page.locator("[name='2.2.3-d_count']").fill("12")
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_text("Đã lưu.").count() == 1
    assert LeafScore.objects.get(assessment=vu_quang(2024), node__code="2.2.3").declared == {
        "count": 12
    }


def test_the_leader_checks_grouped_problems_sends_and_withdraws_after_confirming(ui):
    page = ui.page
    assessment = vu_quang(2024)
    fill_everything(assessment, User.objects.get(username="vuquang.canbo"))
    ui.login("vuquang.lanhdao", PASSWORD)
    ui.goto(reverse("entry_submit", args=[assessment.year_id, "vu-quang"]))
    # One line per field and kind instead of a line per leaf; each opens onto its leaves.
    group = page.get_by_test_id("group-1-no_evidence")
    summary = group.locator("summary")
    assert re.fullmatch(
        r"Cảnh báo Lĩnh vực 1 · \d+ tiêu chí có điểm nhưng chưa có tài liệu kiểm chứng",
        " ".join(summary.inner_text().split()),
    )
    first_leaf = group.get_by_role("link").first
    assert not first_leaf.is_visible()
    summary.click()
    assert first_leaf.is_visible()
    ui.check()
    at_each_width(ui, "kiem-tra-truoc-khi-gui")
    page.get_by_label("Tôi đã xem các cảnh báo").check()
    page.get_by_role("button", name="Gửi bản tự đánh giá").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("status").inner_text() == "Đã gửi"

    ui.goto(reverse("entry_submit", args=[assessment.year_id, "vu-quang"]))
    page.get_by_role("link", name="Rút lại để sửa").click()
    page.wait_for_load_state()
    ui.check()
    confirm = page.get_by_test_id("confirm-withdraw")
    assert "Rút bản tự đánh giá về để sửa?" in confirm.inner_text()
    at_each_width(ui, "xac-nhan-rut-lai")
    confirm.get_by_role("link", name="Không rút, giữ bản đã gửi").click()
    page.wait_for_load_state()
    assert vu_quang(2024).status == "submitted"
    page.get_by_role("link", name="Rút lại để sửa").click()
    page.wait_for_load_state()
    page.get_by_test_id("confirm-withdraw").get_by_role("button", name="Rút lại để sửa").click()
    page.wait_for_load_state()
    ui.check()
    assert page.get_by_test_id("status").inner_text() == "Đang nhập"
    assert vu_quang(2024).status == "draft"


def test_the_leader_sends_the_explanations_and_takes_them_back_after_confirming(ui):
    page = ui.page
    year = open_explanation_round(
        User.objects.get(username="snv.thamdinh"),
        AssessmentYear.objects.get(year=2023, unit_level__code="cap-huyen"),
    )
    url = reverse("explanation", args=[year.pk, "vu-quang"])
    ui.login("vuquang.lanhdao", PASSWORD)
    ui.goto(url)
    assert "Bản nháp, chưa gửi" in page.get_by_test_id("sending").inner_text()
    page.locator("[name='1.3.2-answer']").fill("Biên bản đã được ký, gửi kèm bản chụp.")
    page.get_by_role("button", name="Gửi giải trình").click()
    page.wait_for_load_state()
    ui.check()
    # 2.3.1 is still unanswered: saved, not sent, and the leader is asked to confirm.
    assert page.get_by_text("Giải trình đã được lưu nhưng chưa gửi").count() == 1
    assert vu_quang(2023).explanation_submitted_at is None
    at_each_width(ui, "giai-trinh-nhap")
    page.get_by_label("Tôi đã xem các tiêu chí chưa có giải trình và vẫn gửi.").check()
    page.get_by_role("button", name="Gửi giải trình").click()
    page.wait_for_load_state()
    ui.check()
    assert page.get_by_text("Đã gửi giải trình tới Sở Nội vụ.").count() == 1
    assert "đã gửi giải trình lúc" in page.get_by_test_id("sending").inner_text()
    assert page.locator("[name='1.3.2-answer']").is_disabled()
    assert vu_quang(2023).explanation_submitted_at is not None
    at_each_width(ui, "giai-trinh-da-gui")

    page.get_by_role("link", name="Rút lại giải trình để sửa").click()
    page.wait_for_load_state()
    ui.check()
    page.get_by_test_id("confirm-withdraw").get_by_role("button", name="Rút lại giải trình").click()
    page.wait_for_load_state()
    ui.check()
    assert vu_quang(2023).explanation_submitted_at is None
    assert "Bản nháp, chưa gửi" in page.get_by_test_id("sending").inner_text()
    assert page.locator("[name='1.3.2-answer']").is_enabled()
