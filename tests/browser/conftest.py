"""Browser tests: Playwright driving Debian's chromium, with axe-core on every page visited.

Where no chromium is installed (a developer's machine) they are skipped with a message saying
so; `.ci/run` installs chromium, so CI always runs them.
"""

import os
import shutil

import pytest
from django.test import override_settings

from scoring.demo.load import load_demo

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
# body are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM:
                item.add_marker(
                    pytest.mark.skip(reason="no chromium here: apt-get install -y chromium")
                )


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def demo_server(live_server, transactional_db):
    """A live server with the demo data. Live-server tests are transactional: each flushes the
    database when it ends, so each loads the demo again (about two seconds)."""
    with override_settings(DEBUG=True):
        load_demo()
    return live_server


class AccessiblePage:
    """A page that runs axe-core (WCAG 2.1 A/AA) after every navigation and fails on violations."""

    def __init__(self, page, base_url):
        from axe_playwright_python.sync_playwright import Axe

        self.page = page
        self.base_url = base_url
        self.axe = Axe()
        self.checked: list[str] = []

    def check(self):
        results = self.axe.run(self.page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        self.checked.append(self.page.url)
        assert results.violations_count == 0, f"axe: {self.page.url}\n{results.generate_report()}"

    def goto(self, path):
        self.page.goto(self.base_url + path)
        self.check()

    def login(self, username, password):
        self.goto("/accounts/login/")
        self.page.get_by_label("Tên đăng nhập").fill(username)
        self.page.get_by_label("Mật khẩu").fill(password)
        self.page.get_by_role("button", name="Đăng nhập").click()
        self.page.wait_for_load_state()
        self.check()


@pytest.fixture
def ui(browser, demo_server):
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    yield AccessiblePage(page, demo_server.url)
    context.close()
