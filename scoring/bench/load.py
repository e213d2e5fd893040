"""`make bench` under load: the district ranking page next to a trivial page under gunicorn
(wrk), and a mixed load of officers saving, appraisers scoring and viewers reading.

gunicorn runs the app as in production (scoring.bench.server). wrk counts a 3xx as a success:
a session that stopped working would turn each page into a fast redirect to the sign-in page.
So each page is checked to answer 200 with the session before and after its run, and a failed
check is a FAIL, never a figure.
"""

from __future__ import annotations

import http.client
import math
import re
import subprocess
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from . import Figure
from .browser import Reply, fetch, leaf_form
from .server import DISTRICT_LEVEL, WORKERS, Server, prepare, serve

WRK_CONNECTIONS = 4
WRK_THREADS = 2
TARGET_SHARE = 0.5  # the ranking page serves at least half the trivial page's rate
# The mixed load's clients, each a thread in a closed loop (the next request when the last
# one is answered): bounded in number and time, not a stress test.
MIXED_CLIENTS = {"officer": 2, "appraiser": 1, "viewer": 3}


# --- wrk --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WrkResult:
    requests: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int  # wrk's "Non-2xx or 3xx responses" (it counts a 3xx as a success)
    socket_errors: int  # connect, read, write and timeout errors together


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match[1]) * _UNITS_MS[match[2]]


def parse_wrk(output: str) -> WrkResult:
    """Read wrk's report (run with ``--latency``). Raises ValueError when a line the figures
    need is missing (wrk failed, or ran without ``--latency``)."""

    def find(pattern: str) -> re.Match:
        match = re.search(pattern, output, re.MULTILINE)
        if not match:
            raise ValueError(f"wrk output without {pattern!r}:\n{output}")
        return match

    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return WrkResult(
        requests=int(find(r"^\s*(\d+) requests in ")[1]),
        requests_per_second=float(find(r"^Requests/sec:\s+([\d.]+)")[1]),
        p50_ms=_ms(find(r"^\s+50%\s+(\S+)")[1]),
        p99_ms=_ms(find(r"^\s+99%\s+(\S+)")[1]),
        non_2xx=int(non_2xx[1]) if non_2xx else 0,
        socket_errors=sum(int(n) for n in errors.groups()) if errors else 0,
    )


def run_wrk(url: str, cookie: str, seconds: float) -> WrkResult:
    command = [
        "wrk",
        f"--threads={WRK_THREADS}",
        f"--connections={WRK_CONNECTIONS}",
        f"--duration={max(1, round(seconds))}s",
        "--timeout=10s",
        "--latency",
        "--header",
        f"Cookie: {cookie}",
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse_wrk(done.stdout)


# --- the checks and the throughput ------------------------------------------------------------


def check_page(url: str, cookie: dict[str, str]) -> str | None:
    """None when the page answers 200 to the session; else what it answered."""
    try:
        reply = fetch(url, cookies=cookie)
    except OSError as exc:
        return f"{url}: {exc}"
    if reply.status != 200:
        return f"{url}: HTTP {reply.status} {reply.headers.get('location', '')}".rstrip()
    return None


def throughput(
    database_url: str,
    *,
    seconds: float = 10,
    warmup: float = 2,
    year_id: int | None = None,
    server: Server | None = None,
) -> list[Figure]:
    """The ranking page of ``year_id`` (by default the latest published year of the district
    level) and the trivial page, each under wrk (4 connections) after a warm-up (which also
    fills each worker's caches), on gunicorn with 2 workers (a fresh one unless ``server``)."""
    if server is None:
        with serve(database_url) as server:
            return throughput(
                database_url, seconds=seconds, warmup=warmup, server=server, year_id=year_id
            )
    prepared = prepare(server, year_id=year_id)
    if not prepared["ranking"] or not prepared["viewer"]:
        return [
            Figure(
                "Ranking under gunicorn",
                f"no published year of level {DISTRICT_LEVEL} or no viewer",
                "ranking ≥ 50 % of trivial",
                False,
            )
        ]
    cookie = {"sessionid": prepared["viewer"]}
    pages = {
        f"Ranking page ({prepared['ranking_units']} units)": prepared["ranking"],
        "Trivial signed-in page": prepared["trivial"],
    }
    results, problems = {}, []
    for label, path in pages.items():
        url = server.base_url + path
        problem = check_page(url, cookie)
        if problem is None:
            run_wrk(url, f"sessionid={prepared['viewer']}", warmup)
            results[label] = run_wrk(url, f"sessionid={prepared['viewer']}", seconds)
            problem = check_page(url, cookie)  # the session still signed in after the run
        if problem:
            problems.append(problem)
    return throughput_figures(results, problems)


def throughput_figures(results: dict[str, WrkResult], problems: list[str]) -> list[Figure]:
    where = f"gunicorn {WORKERS} workers, wrk {WRK_CONNECTIONS} connections"
    figures = [
        Figure(
            f"{label}, {where}",
            f"{r.requests_per_second:.0f} req/s (p50 {r.p50_ms:.0f} ms, p99 {r.p99_ms:.0f} ms)",
        )
        for label, r in results.items()
    ]
    if len(results) == 2 and not problems:
        ranking, trivial = results.values()
        share = ranking.requests_per_second / trivial.requests_per_second
        figures.append(
            Figure(
                "Ranking ÷ trivial page (req/s)", f"{share:.1%}", "≥ 50 %", share >= TARGET_SHARE
            )
        )
    else:
        figures.append(Figure("Ranking ÷ trivial page (req/s)", "not measured", "≥ 50 %", False))
    failed = sum(r.non_2xx + r.socket_errors for r in results.values())
    value = str(failed) + "".join(f"; {p}" for p in problems)
    figures.append(
        Figure(
            "Failed responses under wrk (non-2xx, errors)", value, "0", not failed and not problems
        )
    )
    return figures


# --- the mixed load ---------------------------------------------------------------------------


@dataclass
class Tally:
    """What one role's clients saw."""

    seconds: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    conflicts: int = 0  # 409: a concurrent edit of the same leaf, answered as designed
    errors: list[str] = field(default_factory=list)  # 5xx, broken connections, odd answers

    def add(self, reply: Reply) -> None:
        self.seconds.append(reply.seconds)
        self.statuses[reply.status] = self.statuses.get(reply.status, 0) + 1
        if reply.status == 409:
            self.conflicts += 1
        elif reply.status >= 500:
            self.errors.append(f"HTTP {reply.status}")

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def p95_ms(self) -> float:
        if not self.seconds:
            return math.nan
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)] * 1000


class Client:
    """One person's browser: a keep-alive connection and a cookie jar."""

    def __init__(self, base_url: str, session: str, tally: Tally):
        parts = urlsplit(base_url)
        self.base_url, self.tally = base_url, tally
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        self.cookies = {"sessionid": session}

    def request(self, path: str, data: dict[str, str] | None = None) -> Reply | None:
        try:
            reply = fetch(
                self.base_url + path, cookies=self.cookies, data=data, connection=self.conn
            )
        except (OSError, http.client.HTTPException) as exc:
            self.tally.errors.append(f"{path}: {exc!r}")
            self.conn.close()  # reconnects at the next request
            return None
        self.cookies.update(reply.cookies)
        self.tally.add(reply)
        return reply

    def close(self) -> None:
        self.conn.close()


def _open(client: Client, url: str) -> Reply | None:
    """A page as a browser shows it: one redirect followed (the entry page goes to its first
    field; a save goes back to its field)."""
    return _follow(client, client.request(url))


def _follow(client: Client, reply: Reply | None) -> Reply | None:
    if reply is not None and reply.status in (301, 302, 303):
        location = urlsplit(reply.headers.get("location", ""))
        reply = client.request(location.path + (f"?{location.query}" if location.query else ""))
    return reply


def _save_round(client: Client, page: Reply | None, url: str, change, n: int) -> Reply | None:
    """Change one leaf of ``page``'s form and save it as the browser posts it; the page the
    person sees next (after the save's redirect, or the conflict page standing on the other
    person's version), or None after a failure (counted)."""
    form = leaf_form(page.body) if page is not None and page.status in (200, 409) else None
    if form is None:
        if page is not None:
            client.tally.errors.append(f"{url}: HTTP {page.status}, no form of leaves")
        time.sleep(0.1)  # a broken page is not retried in a tight loop
        return None
    if not change(form, n):
        client.tally.errors.append(f"{url}: no leaf to change")
        time.sleep(0.1)
        return None
    reply = client.request(page.path, form)
    if reply is None:
        return None
    if reply.status == 409:
        return reply
    if reply.status == 302:
        return _follow(client, reply)
    client.tally.errors.append(f"save {page.path}: HTTP {reply.status}")
    return None


def _explain(who: int):
    """An officer's change: one leaf's explanation (valid for any kind of leaf), signed with
    the client's number, so that two officers saving the same leaf at once really conflict
    (the same text saved twice is no conflict)."""

    def change(form: dict[str, str], n: int) -> bool:
        codes = sorted(name.removesuffix("-version") for name in form if name.endswith("-version"))
        if not codes:
            return False
        form[f"{codes[n % len(codes)]}-explanation"] = f"Đo tải, người {who}, lần {n}"
        return True

    return change


def _score(maxima: dict[str, str]):
    """An appraiser's change: one leaf scored at its maximum (no reason needed), with a new
    comment so that the save is a change."""

    def change(form: dict[str, str], n: int) -> bool:
        codes = sorted(code for name in form if (code := name.removesuffix("-score")) in maxima)
        if not codes:
            return False
        code = codes[n % len(codes)]
        form[f"{code}-score"] = maxima[code]
        form[f"{code}-comment"] = f"Đo tải, lần {n}"
        return True

    return change


def mixed_load(
    database_url: str, seconds: float = 20, *, server: Server | None = None
) -> list[Figure]:
    """Officers saving self-assessment leaves, appraisers scoring, viewers reading the
    ranking, all at once for ``seconds``; each client waits for its answer before the next."""
    if server is None:
        with serve(database_url) as server:
            return mixed_load(database_url, seconds, server=server)
    prepared = prepare(server)
    missing = [
        what
        for what, present in (
            ("a viewer and a published year", prepared["viewer"] and prepared["ranking"]),
            ("an officer of a year open for self-assessment", prepared["officers"]),
            ("an appraiser of a year in appraisal round 1", prepared["appraisers"]),
        )
        if not present
    ]
    if missing:
        return [Figure("Mixed load", "no " + ", no ".join(missing), "0 server errors", False)]
    tallies = {role: Tally() for role in MIXED_CLIENTS}
    stop_at = time.monotonic() + seconds

    def officer(k: int) -> None:
        # Two officers of the first unit edit the same field: now and then the same leaf.
        target = prepared["officers"][k % len(prepared["officers"])]
        client = Client(server.base_url, target["session"], tallies["officer"])
        page, n = None, 0
        while time.monotonic() < stop_at:
            page = page or _open(client, target["url"])
            page = _save_round(client, page, target["url"], _explain(k), n)
            n += 1
        client.close()

    def appraiser(k: int) -> None:
        # Unit after unit, field after field, as a work list is gone through.
        targets = prepared["appraisers"]
        clients: dict[str, Client] = {}
        n = 0
        while time.monotonic() < stop_at:
            target = targets[(k + n) % len(targets)]
            client = clients.get(target["session"])
            if client is None:
                client = Client(server.base_url, target["session"], tallies["appraiser"])
                clients[target["session"]] = client
            page = _open(client, target["url"])
            _save_round(client, page, target["url"], _score(target["max"]), n)
            n += 1
        for client in clients.values():
            client.close()

    def viewer(k: int) -> None:
        client = Client(server.base_url, prepared["viewer"], tallies["viewer"])
        while time.monotonic() < stop_at:
            reply = client.request(prepared["ranking"])
            if reply is not None and reply.status != 200:
                client.tally.errors.append(f"ranking: HTTP {reply.status}")
        client.close()

    work = {"officer": officer, "appraiser": appraiser, "viewer": viewer}
    threads = [
        threading.Thread(target=_guarded(work[role], k, tallies[role]), daemon=True)
        for role, count in MIXED_CLIENTS.items()
        for k in range(count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    return mixed_figures(tallies, seconds)


def _guarded(work, k: int, tally: Tally):
    """A client that breaks is an error of the run, not a lost thread."""

    def run():
        try:
            work(k)
        except Exception as exc:  # reported as a figure, never lost
            tally.errors.append(f"client stopped: {exc!r}")

    return run


def mixed_figures(tallies: dict[str, Tally], seconds: float) -> list[Figure]:
    clients = ", ".join(f"{n} {role}{'s' * (n != 1)}" for role, n in MIXED_CLIENTS.items())
    figures = [
        Figure(
            f"Mixed load {seconds:.0f} s ({clients}): requests",
            " / ".join(f"{role}s {len(t.seconds)}" for role, t in tallies.items()),
        ),
        Figure(
            "Mixed load: p95 per role",
            " / ".join(f"{role}s {t.p95_ms():.0f} ms" for role, t in tallies.items()),
        ),
        Figure(
            "Mixed load: save conflicts (409, as designed)",
            str(sum(t.conflicts for t in tallies.values())),
        ),
    ]
    server_errors = sum(t.server_errors for t in tallies.values())
    figures.append(
        Figure("Mixed load: server errors (5xx)", str(server_errors), "0", server_errors == 0)
    )
    other = [e for t in tallies.values() for e in t.errors if not e.startswith("HTTP 5")]
    value = str(len(other)) + (f" (first: {other[0]})" if other else "")
    figures.append(Figure("Mixed load: failed requests or saves", value, "0", not other))
    return figures
