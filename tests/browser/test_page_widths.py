"""The results pages fit the screen: a wide table scrolls inside its own box, never the page."""

import pytest
from django.urls import reverse

from scoring.demo.data import PASSWORD
from scoring.demo.load import LEVEL_CODE
from scoring.models import AssessmentYear

WIDTHS = [390, 768, 1280, 1920]

# The widest elements, named, so that a failure says what pushes the page out.
WIDEST = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > width + 1)
    // inside a scrolling box only what escapes it (absolutely positioned, like .visually-hidden)
    .filter((el) => !el.closest(".table-responsive")
      || getComputedStyle(el).position === "absolute")
    .slice(0, 5)
    .map((el) => `${el.tagName}.${el.className} ${Math.round(el.getBoundingClientRect().right)}`);
}"""


def _pages():
    year = AssessmentYear.objects.select_related("unit_level").get(
        year=2022, unit_level__code=LEVEL_CODE
    )
    return {
        "ranking": reverse("ranking", args=[year.pk]),
        "scorecard": reverse("scorecard", args=[year.pk, "vu-quang"]),
        "history": reverse("history", args=[year.unit_level.code]),
        "insight": reverse("unit_insight", args=[year.pk, "vu-quang"]),
    }


def _interior_pages():
    """The pages of issue 12 as the Interior Department sees them (everything shown)."""
    year = AssessmentYear.objects.select_related("unit_level").get(
        year=2022, unit_level__code=LEVEL_CODE
    )
    return {
        "insight": reverse("unit_insight", args=[year.pk, "vu-quang"]),
        "gaps": reverse("year_gaps", args=[year.pk]),
        "overclaim": reverse("year_overclaim", args=[year.pk]),
        "overclaim-fields": reverse("year_overclaim", args=[year.pk]) + "?fields=1",
        "history-unit": reverse("history", args=[year.unit_level.code]) + "?unit=vu-quang",
        "scorecard": reverse("scorecard", args=[year.pk, "vu-quang"]),
    }


@pytest.mark.parametrize("width", WIDTHS)
def test_results_pages_are_no_wider_than_the_screen(ui, width):
    ui.page.set_viewport_size({"width": width, "height": 900})
    ui.login("xem", PASSWORD)
    for name, path in _pages().items():
        ui.page.goto(ui.base_url + path)
        scroll_width = ui.page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, (name, width, scroll_width, ui.page.evaluate(WIDEST))


def test_the_index_column_is_on_screen_at_1280(ui):
    ui.page.set_viewport_size({"width": 1280, "height": 900})
    ui.login("xem", PASSWORD)
    ui.page.goto(ui.base_url + _pages()["ranking"])
    header = ui.page.locator("table.table-ranking thead th", has_text="Chỉ số (%)")
    box = header.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1280


@pytest.mark.parametrize("width", WIDTHS)
def test_the_ranking_with_the_interior_departments_links_fits_the_screen(ui, width):
    ui.page.set_viewport_size({"width": width, "height": 900})
    ui.login("snv.thamdinh", PASSWORD)
    ui.goto(_pages()["ranking"])  # axe too
    assert ui.page.get_by_test_id("year-insight-links").count() == 1
    assert ui.page.locator("figure.chart img").count() == 2
    scroll_width = ui.page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, (width, scroll_width, ui.page.evaluate(WIDEST))


@pytest.mark.parametrize("width", WIDTHS)
def test_the_insight_pages_fit_the_screen_and_pass_axe(ui, width):
    ui.page.set_viewport_size({"width": width, "height": 900})
    ui.login("snv.quantri", PASSWORD)
    for name, path in _interior_pages().items():
        ui.goto(path)  # axe runs on each
        scroll_width = ui.page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, (name, width, scroll_width, ui.page.evaluate(WIDEST))
