"""The Interior Department's side of 2023, in a real browser with axe on every page: an
appraiser appraises Vũ Quang's field 1 and flags a leaf, the officer explains, round 2 changes
it, a deduction is added, the admin publishes, and the published ranking shows the result."""

import datetime as dt
import re
from decimal import Decimal

from django.utils import timezone

from scoring import selectors
from scoring.demo.data import PASSWORD
from scoring.models import AssessmentYear, LeafScore

FIELD_1 = {  # leaf: round-1 score as typed (the unit self-scored every leaf at its maximum)
    "1.1.1": "1",
    "1.1.2": "2",
    "1.2.1": "1,5",
    "1.3.1": "1",
    "1.3.2": "1",
    "1.4.1": "0,5",
    "1.4.2": "1",
    "1.5.1": "0",
}


def sign_out(ui):
    ui.page.get_by_role("button", name="Đăng xuất").click()
    ui.page.wait_for_load_state()


def go(ui, link_name):
    ui.page.get_by_role("link", name=link_name).first.click()
    ui.page.wait_for_load_state()
    ui.check()


def advance(ui, deadline=None):
    """As the admin, on the year's page: confirm the next step."""
    ui.goto("/")
    go(ui, "Điều hành năm 2023")
    if deadline is not None:
        ui.page.locator("[name='explanation_closes']").fill(deadline)
    ui.page.get_by_label("Tôi đã đọc và xác nhận.").check()
    ui.page.get_by_role("button", name=re.compile("^Chuyển sang")).click()
    ui.page.wait_for_load_state()
    ui.check()
    assert ui.page.get_by_text("Đã chuyển kỳ đánh giá sang bước tiếp theo.").count() == 1


def test_appraise_explain_reappraise_deduct_and_publish(ui):
    page = ui.page
    ui.login("snv.thamdinh", PASSWORD)
    go(ui, "Thẩm định năm 2023")
    go(ui, "Huyện Vũ Quang")
    for code, score in FIELD_1.items():
        page.locator(f"[name='{code}-score']").fill(score)
    page.locator("[name='1.5.1-reason']").select_option("target-not-reached")
    page.locator("[name='1.5.1-comment']").fill("Chưa có quyết định công nhận sáng kiến cấp tỉnh")
    page.locator("[name='1.5.1-flagged']").check()
    page.get_by_test_id("save").click()
    page.wait_for_load_state()
    ui.check()
    assert page.get_by_text("Đã lưu điểm thẩm định.").count() == 1
    sign_out(ui)

    ui.login("snv.quantri", PASSWORD)
    # Between the demo's appraisal deadline (+20 days) and round 2's (+50): in order.
    deadline = (timezone.localtime() + dt.timedelta(days=30)).strftime("%Y-%m-%dT17:00")
    advance(ui, deadline)
    sign_out(ui)

    ui.login("vuquang.canbo", PASSWORD)
    go(ui, "Giải trình năm 2023")
    assert page.get_by_test_id("r1-1-5-1").inner_text() == "0,00"
    page.locator("[name='1.5.1-answer']").fill(
        "Sáng kiến đã được UBND tỉnh công nhận tại Quyết định số 15/QĐ-UBND."
    )
    page.get_by_role("button", name="Lưu giải trình").click()
    page.wait_for_load_state()
    ui.check()
    assert page.get_by_text("Đã lưu giải trình.").count() == 1
    sign_out(ui)

    ui.login("snv.quantri", PASSWORD)
    advance(ui)  # to final appraisal
    sign_out(ui)

    ui.login("snv.thamdinh", PASSWORD)
    go(ui, "Thẩm định năm 2023")
    go(ui, "Huyện Vũ Quang")
    page.locator("[name='1.5.1-score']").fill("2")
    page.get_by_test_id("save").click()
    page.wait_for_load_state()
    ui.check()
    sign_out(ui)

    ui.login("snv.quantri", PASSWORD)
    go(ui, "Thẩm định năm 2023")
    page.get_by_role("link", name=re.compile("^Sổ Huyện Vũ Quang")).click()
    page.wait_for_load_state()
    ui.check()
    # Each kind reads with what it does: "… (mỗi người) — Trừ 0,25 điểm mỗi trường hợp".
    disciplined = page.locator("[name='kind'] option", has_text="xử lý kỷ luật (mỗi người) — Trừ")
    page.locator("[name='kind']").select_option(disciplined.get_attribute("value"))
    page.locator("[name='count']").fill("1")
    page.locator("[name='reason']").fill("01 công chức bị kỷ luật khiển trách năm 2023")
    page.get_by_role("button", name="Thêm").click()
    page.wait_for_load_state()
    ui.check()
    assert page.get_by_test_id("entry").count() == 1
    advance(ui)  # publish
    sign_out(ui)

    year = AssessmentYear.objects.get(year=2023)
    assert year.is_published
    leaf = LeafScore.objects.get(
        assessment__year=year, assessment__unit__code="vu-quang", node__code="1.5.1"
    )
    assert (leaf.r1_score, leaf.r2_score, leaf.final_score) == (0, 2, 2)
    result = next(r for r in selectors.year_results(year) if r.unit.code == "vu-quang")
    # Fields 2–9 as appraised in the demo (70 less 2 on 9.1.1 and 1 on 6.2.1), field 1 in full
    # after round 2, the survey 19.35, less the 0.25 deduction.
    assert result.total.points == Decimal("96.10")
    assert result.total.deductions == Decimal("0.25")

    ui.login("xem", PASSWORD)
    go(ui, "Xếp hạng năm 2023")
    row = page.locator("table.table-ranking tbody tr").filter(has_text="Huyện Vũ Quang")
    assert "96,10" in row.inner_text()
    assert row.locator("td").first.inner_text() == str(result.rank)


def test_a_conflict_shows_their_appraisal_beside_mine_and_fits_a_phone(ui):
    from django.contrib.auth.models import User

    from tests.scoring.appraisal_helpers import appraise, entry

    page = ui.page
    page.set_viewport_size({"width": 390, "height": 900})
    ui.login("snv.thamdinh", PASSWORD)
    year = AssessmentYear.objects.get(year=2023, unit_level__code="cap-huyen")
    ui.goto(f"/years/{year.pk}/units/vu-quang/appraisal/fields/1/")
    page.locator("[name='1.3.2-score']").fill("0,5")
    page.locator("[name='1.3.2-reason']").select_option("late")
    page.locator("[name='1.3.2-comment']").fill("Nộp muộn")
    # Meanwhile the admin appraises the same leaf.
    admin = User.objects.get(username="snv.quantri")
    appraise(admin, year, entry(year, "1.3.2", "0.25", "other", "Biên bản chưa ký"))
    page.get_by_test_id("save").click()
    page.wait_for_load_state()
    ui.check()
    box = page.get_by_test_id("conflict-1-3-2")
    assert box.is_visible()
    assert box.get_by_test_id("their-score").inner_text() == "0,25"
    assert box.get_by_test_id("my-score").inner_text() == "0,5"
    assert "Biên bản chưa ký" in box.inner_text() and "Nộp muộn" in box.inner_text()
    assert page.locator("[name='1.3.2-score']").input_value() == "0,5"  # kept
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # Saving again replaces theirs, knowingly.
    page.get_by_test_id("save").click()
    page.wait_for_load_state()
    ui.check()
    row = LeafScore.objects.get(
        assessment__year=year, assessment__unit__code="vu-quang", node__code="1.3.2"
    )
    assert (row.r1_score, row.r1_comment) == (Decimal("0.5"), "Nộp muộn")
