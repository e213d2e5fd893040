"""The Interior Department's pages of a year (common gaps, over-claim) on a phone, a laptop
and a wide screen: no wider than the screen, no axe violation, sorting by a column, and on
paper (A4 landscape, no navigation)."""

import os

import pytest
from django.urls import reverse

from scoring.demo.data import PASSWORD
from scoring.demo.load import LEVEL_CODE
from scoring.models import AssessmentYear

from .test_page_widths import WIDEST

SHOTS = os.environ.get("YEAR_INSIGHT_SHOTS")  # a folder: keep screenshots there to look at


def _pages():
    year = AssessmentYear.objects.get(year=2022, unit_level__code=LEVEL_CODE)
    return {
        "gaps": reverse("year_gaps", args=[year.pk]),
        "overclaim": reverse("year_overclaim", args=[year.pk]),
    }


def _gaps_2023():
    """2023 (in appraisal) against 2022: the most improved units' table is there."""
    year = AssessmentYear.objects.get(year=2023, unit_level__code=LEVEL_CODE)
    return reverse("year_gaps", args=[year.pk])


def _shot(ui, name):
    if SHOTS:
        ui.page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [390, 768, 1280, 1920])
def test_pages_fit_the_screen_and_pass_axe(ui, width):
    ui.page.set_viewport_size({"width": width, "height": 900})
    ui.login("snv.quantri", PASSWORD)
    for name, path in _pages().items():
        ui.goto(path)  # axe runs here
        scroll_width = ui.page.evaluate("document.documentElement.scrollWidth")
        inner_width = ui.page.evaluate("window.innerWidth")
        assert scroll_width <= inner_width, (name, width, scroll_width, ui.page.evaluate(WIDEST))
        _shot(ui, f"{name}-{width}")
    ui.goto(_gaps_2023())
    assert ui.page.locator('[data-testid="improved-table"] tbody tr').count() > 0
    assert ui.page.evaluate("document.documentElement.scrollWidth") <= width
    _shot(ui, f"gaps-2023-{width}")
    assert [url for url in ui.checked if "/years/" in url] == [
        ui.base_url + path for path in [*_pages().values(), _gaps_2023()]
    ]


def test_gaps_page_reads_1_5_1_and_unfolds_its_units(ui):
    ui.page.set_viewport_size({"width": 1280, "height": 900})
    ui.login("snv.quantri", PASSWORD)
    ui.goto(_pages()["gaps"])
    row = ui.page.locator('[data-testid="gap-1.5.1"]')
    units = row.locator("details")
    names = units.locator(".gap-unit-list")
    assert "Huyện Vũ Quang" in names.text_content()
    assert not names.is_visible()  # folded
    units.locator("summary").click()
    assert names.is_visible()
    ui.check()
    assert (
        "huyện, thị xã, thành phố mất điểm ở tiêu chí"
        in ui.page.locator('[data-testid="gaps-summary"]').inner_text()
    )


def test_overclaim_sorts_by_a_column_and_prints_without_navigation(ui):
    ui.page.set_viewport_size({"width": 1280, "height": 900})
    ui.login("snv.quantri", PASSWORD)
    ui.goto(_pages()["overclaim"])
    table = ui.page.locator('[data-testid="overclaim-table"]')
    header = table.locator("thead th", has_text="Tự chấm").first
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    values = [
        float(t.replace(".", "").replace(",", "."))
        for t in table.locator("tbody tr td:nth-of-type(2)").all_inner_texts()
    ]
    assert values == sorted(values, reverse=True) and len(values) == 13
    ui.check()
    ui.page.emulate_media(media="print")
    assert not ui.page.locator("header").first.is_visible()
    assert ui.page.locator('[data-testid="print-header"]').is_visible()
    # Every field column is on paper, and the table fits the printed page (A4 landscape: 277 mm
    # between the margins, about 1047 CSS px).
    ui.page.set_viewport_size({"width": 1047, "height": 740})
    assert table.locator("thead th.col-field").first.is_visible()
    assert ui.page.evaluate("document.documentElement.scrollWidth") <= 1047
    _shot(ui, "overclaim-print")
    if SHOTS:
        ui.page.pdf(path=os.path.join(SHOTS, "overclaim.pdf"), prefer_css_page_size=True)
    ui.goto(_pages()["gaps"])
    ui.page.emulate_media(media="print")
    assert ui.page.locator('[data-testid="gap-1.5.1"] .d-print-inline').is_visible()
    assert ui.page.evaluate("document.documentElement.scrollWidth") <= 1047
    _shot(ui, "gaps-print")
    if SHOTS:
        ui.page.pdf(path=os.path.join(SHOTS, "gaps.pdf"), prefer_css_page_size=True)
