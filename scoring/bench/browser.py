"""What a load client of `make bench` does in place of a browser: one request at a time over
a keep-alive connection, and the form a page would post (scoring.bench.load)."""

from __future__ import annotations

import http.client
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit


@dataclass
class Reply:
    path: str
    status: int
    body: str
    headers: dict[str, str]
    cookies: dict[str, str]
    seconds: float


def fetch(
    url: str,
    *,
    cookies: dict[str, str] | None = None,
    data: dict[str, str] | None = None,
    connection: http.client.HTTPConnection | None = None,
) -> Reply:
    """One GET (or a form POST with ``data``), redirects not followed."""
    parts = urlsplit(url)
    conn = connection or http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    body = None
    if data is not None:
        body = urlencode(data)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    started = time.perf_counter()
    try:
        conn.request("POST" if data is not None else "GET", path, body=body, headers=headers)
        response = conn.getresponse()
        content = response.read().decode("utf-8", errors="replace")
    finally:
        if connection is None:
            conn.close()
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return Reply(
        path,
        response.status,
        content,
        {k.lower(): v for k, v in response.getheaders()},
        {name: morsel.value for name, morsel in jar.items()},
        time.perf_counter() - started,
    )


class FormReader(HTMLParser):
    """What a browser would post from each form of a page: ``forms`` holds, per form, its
    inputs as shown (checked boxes and radios only, selected options, textareas)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self._form = self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "form":
            self._form = {}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._form[name] = attrs.get("value") or "on"
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self._form[name] = attrs.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            self._form.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self._form[self._select] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self._form[name] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form[self._textarea] += data


def leaf_form(html: str) -> dict[str, str] | None:
    """The page's form of leaves (the one with ``<code>-version`` inputs), or None."""
    reader = FormReader()
    reader.feed(html)
    for form in reader.forms:
        if any(name.endswith("-version") for name in form):
            return form
    return None
