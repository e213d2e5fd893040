"""The ranking's server time next to the one SQL statement that sums the same totals, and the
main pages' query counts at 13 and at national size.

The reference is the aggregate the ranking itself sends (both years' sums per unit and field),
run bare through a cursor: the ratio is what the rest of the work costs on top of the database
(the other queries, ranking, rank change, rows), which must stay within the same order.
"""

from __future__ import annotations

import statistics
import time

from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scoring.models import Assessment, AssessmentYear
from scoring.selectors import year_ranking

from . import BenchData, Figure

TARGET_RATIO = 2.0
RUNS = 3  # the median of warm runs: one slow run on a busy machine does not decide


def _median_seconds(work, runs: int = RUNS) -> float:
    work()  # warm: the connection, the planner's statistics, Python's first imports
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _year(year_id: int) -> AssessmentYear:
    return AssessmentYear.objects.select_related("framework", "unit_level").get(pk=year_id)


def ranking_against_sql(year_id: int, label: str) -> list[Figure]:
    year = _year(year_id)
    with CaptureQueriesContext(connection) as queries:
        year_ranking(year)
    aggregate = next(q["sql"] for q in queries.captured_queries if "scoring_leafscore" in q["sql"])

    def bare_sql():
        with connection.cursor() as cursor:
            cursor.execute(aggregate)
            cursor.fetchall()

    server = _median_seconds(lambda: year_ranking(_year(year_id)))
    sql = _median_seconds(bare_sql)
    ratio = server / sql if sql else float("inf")
    return [
        Figure(
            f"Ranking of {label}: server ÷ one SQL aggregate",
            f"{server * 1000:,.0f} ms ÷ {sql * 1000:,.0f} ms = {ratio:.2f}",
            f"≤ {TARGET_RATIO:g}",
            ratio <= TARGET_RATIO,
        )
    ]


def _pages(year: AssessmentYear) -> dict[str, str]:
    assessment = (
        Assessment.objects.filter(year=year).select_related("unit").order_by("unit__name").first()
    )
    unit = assessment.unit
    return {
        "ranking": reverse("ranking", args=[year.pk]),
        "scorecard": reverse("scorecard", args=[year.pk, unit.code]),
        "history": reverse("history", args=[year.unit_level.code]),
        "common gaps": reverse("year_gaps", args=[year.pk]),
    }


def _published(year_id: int) -> AssessmentYear:
    """The latest published year of ``year_id``'s level: what a viewer may open."""
    level = AssessmentYear.objects.get(pk=year_id).unit_level_id
    published = AssessmentYear.objects.filter(
        unit_level_id=level, state=AssessmentYear.State.PUBLISHED
    ).order_by("-year")
    return _year(published.values_list("pk", flat=True).first() or year_id)


def query_counts(small_year_id: int, big_year_id: int, big_label: str) -> list[Figure]:
    """Each page's queries for the 13 units and for the national-size level (their latest
    published years), as the province's leaders (a viewer) open them; the page caches are
    emptied first, so each page is drawn, not served from the cache."""
    viewer = User.objects.filter(groups__name="viewer", is_active=True).first()
    if viewer is None:
        return [Figure("Query counts", "no viewer account in the bench database", "equal", False)]
    client = Client()
    client.force_login(viewer)
    figures = []
    small, big = _pages(_published(small_year_id)), _pages(_published(big_year_id))
    for name in small:
        counts = []
        for url in (small[name], big[name]):
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, secure=True)
            counts.append(len(queries) if response.status_code == 200 else None)
        ok = None not in counts and counts[0] == counts[1]
        shown = " / ".join("error" if c is None else str(c) for c in counts)
        figures.append(
            Figure(f"Queries of the {name} page, 13 / {big_label} units", shown, "equal", ok)
        )
    return figures


def measure(data: BenchData) -> list[Figure]:
    return [
        *ranking_against_sql(data.big_year_id, f"{data.units:,} units"),
        *ranking_against_sql(data.level70_year_id, "one level of 70 units"),
        *query_counts(data.small_year_id, data.big_year_id, f"{data.units:,}"),
    ]
