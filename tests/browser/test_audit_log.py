"""The year's audit log in a real browser, with axe on every page: the Interior Department's
admin opens it from the home page and filters it by unit; the page fits a phone's width and a
desktop's (a wide table scrolls inside its own box)."""

import os

from scoring.demo.data import PASSWORD
from scoring.models import AssessmentYear, AuditEvent

# Screenshots for a person to look at, when asked for (SCREENSHOTS=/some/folder).
SCREENSHOTS = os.environ.get("SCREENSHOTS")


def page_fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_admin_filters_the_years_log_by_unit(ui):
    page = ui.page
    ui.login("snv.quantri", PASSWORD)
    page.get_by_role("link", name="Nhật ký năm 2023").click()
    page.wait_for_load_state()
    ui.check()
    year = AssessmentYear.objects.get(year=2023)
    lines = page.get_by_test_id("log-line")
    assert lines.count() == min(AuditEvent.objects.filter(year=year).count(), 100)

    page.get_by_label("Đơn vị").select_option(label="Thị xã Hồng Lĩnh")
    page.get_by_role("button", name="Lọc").click()
    page.wait_for_load_state()
    ui.check()
    assert "unit=tx-hong-linh" in page.url
    expected = AuditEvent.objects.filter(year=year, unit__code="tx-hong-linh").count()
    assert expected and lines.count() == expected
    for n in range(lines.count()):
        assert "Thị xã Hồng Lĩnh" in lines.nth(n).inner_text()

    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{ui.base_url}/years/{year.pk}/log/?unit=tx-hong-linh")
        page.wait_for_load_state()
        assert page_fits(page), f"the log is wider than a {width} px screen"
        if SCREENSHOTS:
            page.screenshot(path=os.path.join(SCREENSHOTS, f"nhat-ky-{width}.png"), full_page=True)
