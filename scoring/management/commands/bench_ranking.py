"""`make bench`: how long the ranking takes to compute, and with how many queries, by size.

It works in a throwaway test database (created and destroyed like the test suite's, on SQLite
or PostgreSQL, never the app's own data). Figures are printed, not asserted: a busy machine
must not fail a build.
"""

import time
import tracemalloc

from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases

SIZES = [(13, 9, 5), (130, 9, 5), (1300, 9, 5)]  # units, fields, leaves per field


class Command(BaseCommand):
    help = "Print time, peak memory and queries of the ranking for 13, 130 and 1,300 units."

    def handle(self, *args, **options):
        from scoring.demo.synthetic import build_level
        from scoring.selectors import year_ranking

        databases = setup_databases(verbosity=0, interactive=False)
        try:
            self.stdout.write(
                f"{'units':>6} {'leaves':>6} {'queries':>7} {'ms':>8} {'peak MiB':>9}"
            )
            for n_units, fields, leaves in SIZES:
                _, year = build_level(n_units, fields=fields, leaves_per_field=leaves)
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    ranking = year_ranking(year)
                    elapsed = time.perf_counter() - started
                # Memory in a second run: tracing would slow the timed one down.
                tracemalloc.start()
                year_ranking(year)
                peak = tracemalloc.get_traced_memory()[1] / 2**20
                tracemalloc.stop()
                assert len(ranking.rows) == n_units
                self.stdout.write(
                    f"{n_units:>6} {fields * leaves:>6} {len(queries):>7} "
                    f"{elapsed * 1000:>8.1f} {peak:>9.1f}"
                )
        finally:
            teardown_databases(databases, verbosity=0)
