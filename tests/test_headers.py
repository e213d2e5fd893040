"""Response headers of the main pages: a Content-Security-Policy that runs no inline script on
every page, and ``Cache-Control: no-store`` on every page shown to someone signed in. And the
templates themselves: no inline script, no event-handler attribute, no inline style, so the
policy never has to allow them."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

VQ = "vu-quang"
ROOT = Path(__file__).resolve().parents[1]


def policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_strict_policy(response):
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    for values in directives.values():
        assert "'unsafe-inline'" not in values
        assert "'unsafe-eval'" not in values


def no_store(response) -> bool:
    directives = response.headers.get("Cache-Control", "").replace(" ", "").split(",")
    return "no-store" in directives


# (who, url name, its arguments by fixture) for the main pages, each as a user who may see it.
PAGES = [
    ("viewer", "home", lambda y: []),
    ("viewer", "ranking", lambda y: [y["2022"].pk]),
    ("viewer", "scorecard", lambda y: [y["2022"].pk, VQ]),
    ("officer_a", "entry_field", lambda y: [y["2024"].pk, VQ, "1"]),
    ("officer_a", "entry_submit", lambda y: [y["2024"].pk, VQ]),
    ("appraiser", "worklist", lambda y: [y["2023"].pk]),
    ("appraiser", "appraise_field", lambda y: [y["2023"].pk, VQ, "1"]),
    ("interior_admin", "survey", lambda y: [y["2023"].pk]),
    ("interior_admin", "ledger", lambda y: [y["2023"].pk, VQ]),
    ("interior_admin", "year_state", lambda y: [y["2024"].pk]),
    ("interior_admin", "year_settings", lambda y: [y["2024"].pk]),
    ("appraiser", "year_log", lambda y: [y["2023"].pk]),
    ("interior_admin", "accounts", lambda y: []),
    ("officer_a", "password_change", lambda y: []),
    ("interior_admin", "admin:index", lambda y: []),
]


@pytest.fixture
def years(year_2022, year_2023, year_2024):
    return {"2022": year_2022, "2023": year_2023, "2024": year_2024}


@pytest.mark.parametrize(("who", "name", "args"), PAGES, ids=[p[1] for p in PAGES])
def test_a_signed_in_page_has_the_policy_and_is_never_stored(
    request, as_user, years, who, name, args
):
    response = as_user(request.getfixturevalue(who)).get(reverse(name, args=args(years)))
    assert response.status_code == 200
    assert_strict_policy(response)
    assert no_store(response), response.headers.get("Cache-Control")
    # Django's own, kept on: no MIME sniffing, no full address sent to other sites, no framing.
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_sign_in_page_has_the_policy(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert_strict_policy(response)
    assert "X-Frame-Options" in response.headers


def test_a_download_keeps_its_own_cache_rule(as_user, viewer, year_2022):
    """A download already says private, no-store: nothing is added to it."""
    response = as_user(viewer).get(reverse("ranking_xlsx", args=[year_2022.pk]))
    assert set(response["Cache-Control"].replace(" ", "").split(",")) == {"private", "no-store"}


def test_an_htmx_fragment_is_never_stored_either(as_user, officer_a, year_2024):
    url = reverse("entry_preview", args=[year_2024.pk, VQ, "1.1"])
    response = as_user(officer_a).post(url, {}, HTTP_HX_REQUEST="true")
    assert no_store(response)


def test_a_refusal_has_the_policy_too(as_user, viewer, year_2024, settings):
    settings.DEBUG = False  # django-csp leaves Django's debug 404 page alone
    response = as_user(viewer).get(reverse("scorecard", args=[year_2024.pk, "no-such-unit"]))
    assert response.status_code == 404
    assert_strict_policy(response)
    assert no_store(response)


def test_the_htmx_page_tells_htmx_to_add_no_style_and_evaluate_nothing(
    as_user, officer_a, year_2024
):
    html = as_user(officer_a).get(reverse("entry_field", args=[year_2024.pk, VQ, "1"]))
    html = html.content.decode()
    meta = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    assert meta, "no htmx-config meta"
    assert '"includeIndicatorStyles": false' in meta.group(1)
    assert '"allowEval": false' in meta.group(1)
    # The meta comes before htmx itself, which reads it once the page has loaded.
    assert html.index('name="htmx-config"') < html.index("htmx.min.js")
    # The progress bar's width is set by entry.js, not by a style attribute.
    assert 'class="progress-bar" data-width="' in html


# --- the templates ------------------------------------------------------------------------


def templates() -> list[Path]:
    folders = [Path(folder) for config in settings.TEMPLATES for folder in config["DIRS"]]
    folders += [ROOT / app / "templates" for app in ("scoring", "units", "cchc")]
    return sorted(path for folder in folders if folder.exists() for path in folder.rglob("*.html"))


def without_comments(text: str) -> str:
    text = re.sub(r"\{#.*?#\}", "", text)
    text = re.sub(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", "", text, flags=re.S)
    return re.sub(r"<!--.*?-->", "", text, flags=re.S)


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I)
# An attribute named on… inside a tag (onclick=, onchange= …), htmx's hx-on, a javascript: URL.
HANDLER = re.compile(r"<[a-z][^>]*?\s(on[a-z]+|hx-on[:\w-]*|data-hx-on[:\w-]*)\s*=", re.I)
JS_URL = re.compile(r"""(href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)
STYLE_ATTR = re.compile(r"<[a-z][^>]*?\sstyle\s*=", re.I)
STYLE_TAG = re.compile(r"<style\b", re.I)

# Templates outside this change that still carry an inline style attribute, which the policy
# makes the browser ignore (cosmetic only). Each is to be moved to a class in static/css/app.css;
# the test fails once one is fixed, so its entry is removed with the fix.
STYLE_ATTR_PENDING: set[str] = set()


def test_the_template_scan_finds_the_templates():
    names = {str(p.relative_to(ROOT / "templates")) for p in templates()}
    assert {"base.html", "scoring/entry/field.html", "registration/login.html"} <= names


@pytest.mark.parametrize("path", templates(), ids=lambda p: p.name)
def test_no_template_has_an_inline_script_or_handler(path):
    text = without_comments(path.read_text(encoding="utf-8"))
    assert not INLINE_SCRIPT.findall(text), f"{path}: inline <script>; move it to static/js/"
    assert not HANDLER.findall(text), f"{path}: event-handler attribute; use addEventListener"
    assert not JS_URL.findall(text), f"{path}: javascript: URL"
    assert not STYLE_TAG.findall(text), f"{path}: <style> element; use static/css/app.css"


@pytest.mark.parametrize("path", templates(), ids=lambda p: p.name)
def test_no_template_has_an_inline_style(path):
    name = str(path.relative_to(ROOT / "templates")) if "templates" in path.parts else path.name
    found = bool(STYLE_ATTR.findall(without_comments(path.read_text(encoding="utf-8"))))
    if name in STYLE_ATTR_PENDING:
        assert found, f"{name} has no style attribute now: remove it from STYLE_ATTR_PENDING"
    else:
        assert not found, f"{name}: style attribute; use a class (the policy refuses it)"


def test_the_static_scripts_evaluate_no_strings():
    for path in (ROOT / "static" / "js").rglob("*.js"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\beval\s*\(|new\s+Function\s*\(|innerHTML\s*=", text), path
