"""The home page opens on what needs doing, on a phone and on a desk, and passes axe."""

import datetime as dt

import pytest
from django.utils import timezone

from scoring.demo.data import PASSWORD
from scoring.models import AssessmentYear

WIDTHS = [390, 1280]


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def close_2024_in(days: int) -> None:
    AssessmentYear.objects.filter(year=2024, unit_level__code="cap-huyen").update(
        self_assessment_closes=timezone.now() + dt.timedelta(days=days)
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_an_officer_sees_the_deadline_three_days_ahead(ui, width):
    close_2024_in(3)
    ui.page.set_viewport_size({"width": width, "height": 900})
    ui.login("vuquang.canbo", PASSWORD)
    todo = ui.page.get_by_test_id("todo")
    assert todo.get_by_role("heading", name="Việc cần làm").is_visible()
    group = todo.get_by_test_id("todo-group").filter(has_text="Tự đánh giá năm 2024")
    assert group.get_by_test_id("days-left").inner_text() == "còn 3 ngày"
    assert fits(ui.page)
    # Each item leads to its field of the entry.
    group.get_by_role("link", name="Lĩnh vực 2.", exact=False).click()
    ui.page.wait_for_load_state()
    ui.check()
    assert ui.page.url.endswith("/fields/2/")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_admins_long_lists_fit_the_screen(ui, width):
    ui.page.set_viewport_size({"width": width, "height": 900})
    ui.login("snv.quantri", PASSWORD)
    assert ui.page.get_by_text("13 đơn vị chưa gửi bản tự đánh giá").is_visible()
    assert fits(ui.page)
