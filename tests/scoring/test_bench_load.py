"""`make bench` under load (scoring.bench.load, .server, .browser): reading wrk's report, the
figures and their verdicts, the forms a load client posts, the trivial page, and (PostgreSQL)
a short run of the whole harness against gunicorn."""

import os
import re

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from scoring.bench import load, server
from scoring.bench.browser import Reply, leaf_form
from scoring.bench.load import Tally, WrkResult
from scoring.demo.load import load_demo
from scoring.models import LeafScore
from units.models import SecondFactorPolicy

# Captured from wrk 4.1.0 (Debian) against this app under gunicorn, 2 workers.
TRIVIAL = """\
Running 2s test @ http://127.0.0.1:46895/bench/trivial/
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    47.47ms   84.41ms 416.26ms   89.06%
    Req/Sec   112.03     41.63   191.00     68.75%
  Latency Distribution
     50%   18.58ms
     75%   26.66ms
     90%  161.60ms
     99%  382.00ms
  394 requests in 2.08s, 212.01KB read
Requests/sec:    189.44
Transfer/sec:    101.94KB
"""
# The ranking page while each worker still drew its charts: seconds, a timeout (and wrk's
# trailing space after a duration in seconds, written \x20).
COLD = """\
Running 3s test @ http://127.0.0.1:46895/years/1/ranking/
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.34s   335.51ms   1.94s    71.43%
    Req/Sec     1.86      1.86     5.00     85.71%
  Latency Distribution
     50%    1.23s\x20
     75%    1.64s\x20
     90%    1.94s\x20
     99%    1.94s\x20
  7 requests in 3.03s, 833.92KB read
  Socket errors: connect 0, read 0, write 0, timeout 1
Requests/sec:      2.31
Transfer/sec:    275.44KB
"""
# A year that does not exist: every answer a 404.
NOT_FOUND = """\
Running 2s test @ http://127.0.0.1:36381/years/999/ranking/
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   403.16ms  241.24ms 969.65ms   82.61%
    Req/Sec     7.31      3.48    10.00     87.50%
  Latency Distribution
     50%  275.34ms
     75%  502.54ms
     90%  851.72ms
     99%  969.65ms
  20 requests in 2.05s, 83.96KB read
  Non-2xx or 3xx responses: 20
Requests/sec:      9.77
Transfer/sec:     41.02KB
"""


# --- wrk's report -----------------------------------------------------------------------------


def test_a_report_gives_rate_percentiles_and_failures():
    assert load.parse_wrk(TRIVIAL) == WrkResult(
        requests=394,
        requests_per_second=189.44,
        p50_ms=18.58,
        p99_ms=382.0,
        non_2xx=0,
        socket_errors=0,
    )


def test_seconds_and_socket_errors_are_read():
    result = load.parse_wrk(COLD)
    assert (result.p50_ms, result.p99_ms) == (1230.0, 1940.0)
    assert (result.requests, result.socket_errors, result.non_2xx) == (7, 1, 0)


def test_non_2xx_answers_are_counted():
    assert load.parse_wrk(NOT_FOUND).non_2xx == 20


@pytest.mark.parametrize(
    "output",
    [
        "",
        "Usage: wrk <options> <url>\n",
        TRIVIAL.replace("Requests/sec:    189.44\n", ""),
        # Without --latency there is no distribution to read p50 and p99 from.
        TRIVIAL.replace("     50%   18.58ms\n", ""),
    ],
)
def test_a_report_missing_a_figure_is_refused(output):
    with pytest.raises(ValueError):
        load.parse_wrk(output)


def test_a_duration_in_an_unknown_unit_is_refused():
    with pytest.raises(ValueError):
        load.parse_wrk(TRIVIAL.replace("18.58ms", "18.58ns"))


# --- the figures ------------------------------------------------------------------------------


def wrk(rate, non_2xx=0, errors=0):
    return WrkResult(100, rate, 10.0, 20.0, non_2xx, errors)


def verdicts(figures):
    return {f.name: f.passed for f in figures if f.passed is not None}


def test_the_ranking_passes_at_half_the_trivial_rate_and_fails_below():
    ratio = "Ranking ÷ trivial page (req/s)"
    half = load.throughput_figures({"ranking": wrk(50), "trivial": wrk(100)}, [])
    below = load.throughput_figures({"ranking": wrk(49.9), "trivial": wrk(100)}, [])
    assert verdicts(half)[ratio] is True
    assert verdicts(below)[ratio] is False
    assert [f.value for f in below if f.name == ratio] == ["49.9%"]


@pytest.mark.parametrize("failure", [{"non_2xx": 1}, {"errors": 2}])
def test_any_failed_response_under_wrk_fails(failure):
    figures = load.throughput_figures({"ranking": wrk(90, **failure), "trivial": wrk(100)}, [])
    assert verdicts(figures)["Failed responses under wrk (non-2xx, errors)"] is False


def test_a_page_that_did_not_answer_200_fails_and_gives_no_ratio():
    """A session that stopped working turns the page into fast redirects wrk counts as
    successes: the check's finding fails the run instead of a flattering rate."""
    figures = load.throughput_figures(
        {"ranking": wrk(90)}, ["http://127.0.0.1:1/bench/trivial/: HTTP 302 /accounts/login/"]
    )
    assert verdicts(figures) == {
        "Ranking ÷ trivial page (req/s)": False,
        "Failed responses under wrk (non-2xx, errors)": False,
    }
    assert "HTTP 302" in figures[-1].value


def reply(status, seconds=0.1):
    return Reply("/", status, "", {}, {}, seconds)


def mixed(**statuses):
    tallies = {role: Tally() for role in load.MIXED_CLIENTS}
    for role, codes in statuses.items():
        for code in codes:
            tallies[role].add(reply(code))
    return tallies


def test_a_conflict_is_counted_apart_and_is_not_a_server_error():
    figures = load.mixed_figures(mixed(officer=[200, 302, 409], viewer=[200]), 20)
    assert verdicts(figures) == {
        "Mixed load: server errors (5xx)": True,
        "Mixed load: failed requests or saves": True,
    }
    assert [f.value for f in figures if "conflicts" in f.name] == ["1"]


def test_a_server_error_fails_the_mixed_load():
    figures = load.mixed_figures(mixed(appraiser=[200, 500], viewer=[200]), 20)
    assert verdicts(figures)["Mixed load: server errors (5xx)"] is False


def test_p95_is_the_slowest_twentieth():
    tally = Tally()
    for n in range(1, 101):
        tally.add(reply(200, n / 1000))
    assert tally.p95_ms() == pytest.approx(95.0)
    assert Tally().p95_ms() != Tally().p95_ms()  # nan: no request, no figure


# --- what a load client posts -----------------------------------------------------------------


PAGE = """
<form method="post" action="/accounts/logout/"><input name="csrfmiddlewaretoken" value="x"></form>
<form method="post" action="/years/3/units/vu-quang/self-assessment/fields/2/">
  <input type="hidden" name="csrfmiddlewaretoken" value="tok">
  <input type="hidden" name="2.1.1-version" value="4">
  <input type="radio" name="2.1.1-d_done" value="1">
  <input type="radio" name="2.1.1-d_done" value="0" checked>
  <input type="checkbox" name="2.1.1-not_applicable">
  <select name="2.1.1-na_reason">
    <option value="">—</option><option value="a" selected>A</option>
  </select>
  <textarea name="2.1.1-explanation">Đã làm</textarea>
  <input type="file" name="ev-2.1.1-file">
  <button type="submit" name="save">Lưu</button>
</form>
"""


def test_the_form_of_leaves_is_read_as_a_browser_posts_it():
    assert leaf_form(PAGE) == {
        "csrfmiddlewaretoken": "tok",
        "2.1.1-version": "4",
        "2.1.1-d_done": "0",
        "2.1.1-na_reason": "a",
        "2.1.1-explanation": "Đã làm",
    }


def test_a_page_without_a_form_of_leaves_gives_none():
    assert leaf_form("<form><input name='q'></form><p>403</p>") is None


def test_the_changes_touch_one_leaf_each_round():
    form = leaf_form(PAGE)
    assert load._explain(2)(form, 7) and form["2.1.1-explanation"] == "Đo tải, người 2, lần 7"
    assert not load._explain(0)({"csrfmiddlewaretoken": "tok"}, 0)  # no leaf on the page
    score = load._score({"2.1.1": "1.50"})
    assert not score(dict(form), 0)  # no score input on this page: nothing to save
    form["2.1.1-score"] = ""
    assert score(form, 3) and (form["2.1.1-score"], form["2.1.1-comment"]) == (
        "1.50",
        "Đo tải, lần 3",
    )


# --- the trivial page -------------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="scoring.bench.urls")
def test_the_trivial_page_needs_a_sign_in_and_shows_the_base_layout(client, viewer):
    anonymous = client.get("/bench/trivial/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    client.force_login(viewer)
    html = client.get("/bench/trivial/").content.decode()
    assert 'data-testid="bench-trivial"' in html and 'data-testid="bell"' in html
    assert client.post("/bench/trivial/").status_code == 405


@pytest.mark.django_db
def test_the_app_itself_does_not_serve_the_trivial_page(client, viewer):
    client.force_login(viewer)
    assert client.get("/bench/trivial/").status_code == 404


# --- sessions ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_session_of_an_account_owing_a_second_factor_is_verified(client, appraiser, year_2023):
    SecondFactorPolicy.objects.update_or_create(
        role=SecondFactorPolicy.Role.APPRAISER, defaults={"required": True}
    )
    worklist = reverse("worklist", args=[year_2023.pk])
    client.force_login(appraiser)
    assert client.get(worklist).status_code == 302  # held on the set-up page
    client.logout()
    client.cookies["sessionid"] = server._session_for(appraiser)
    assert client.get(worklist).status_code == 200


@pytest.mark.django_db
def test_a_session_of_an_account_owing_nothing_carries_no_device(client, viewer, year_2022):
    key = server._session_for(viewer)
    assert "otp_device_id" not in SessionStore(session_key=key).load()
    client.cookies["sessionid"] = key
    assert client.get(reverse("ranking", args=[year_2022.pk])).status_code == 200


# --- the whole harness (PostgreSQL; about 30 s) -----------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="gunicorn beside the test database: PostgreSQL only (DATABASE_URL=postgres://…)",
)
def test_a_short_run_measures_both_pages_and_the_mixed_load():
    with override_settings(DEBUG=True):
        load_demo()
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    with server.serve(url) as running:
        figures = load.throughput(url, seconds=1, warmup=1, server=running)
        figures += load.mixed_load(url, 2, server=running)
        log = running.log.read_text()
    by_name = {f.name: f for f in figures}
    rates = [f.value for name, f in by_name.items() if "wrk 4 connections" in name]
    assert len(rates) == 2 and all(" req/s (p50 " in rate for rate in rates), figures
    assert by_name["Ranking ÷ trivial page (req/s)"].value.endswith("%")
    # Every answer a 200, the session still signed in at the end of each run.
    assert by_name["Failed responses under wrk (non-2xx, errors)"].passed, figures
    assert by_name["Mixed load: server errors (5xx)"].passed, log[-3000:]
    assert by_name["Mixed load: failed requests or saves"].passed, figures
    requests = next(f.value for name, f in by_name.items() if name.endswith(": requests"))
    counts = [int(n) for n in re.findall(r"\d+", requests)]
    assert len(counts) == 3 and min(counts) > 0, requests  # every role was served
    # The saves were real: an officer's explanation and an appraiser's comment are stored.
    assert LeafScore.objects.filter(explanation__startswith="Đo tải").exists()
    assert LeafScore.objects.filter(r1_comment__startswith="Đo tải").exists()
