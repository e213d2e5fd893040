"""`make bench`'s data set: a national-size level on the database of DATABASE_URL, built once.

Deterministic (the same data on every run) and idempotent: when the same set exists it says so
and stops; ``--force`` builds it again.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from scoring.bench import data


class Command(BaseCommand):
    help = (
        "Build the bench's data set on PostgreSQL: a level of --units communes, one of 70 and "
        "one of 13 district-level units, each with --years years of scores (the last in "
        "appraisal), ledgers and bands. Exits at once when the same set exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=3000, help="units of the big level")
        parser.add_argument("--leaves", type=int, default=150, help="leaves of each framework")
        parser.add_argument("--years", type=int, default=3, help="years of each level (≥ 2)")
        parser.add_argument("--force", action="store_true", help="build the set again")
        parser.add_argument(
            "--allow-sqlite", action="store_true", help="allow SQLite (small test runs only)"
        )

    def handle(self, *args, units, leaves, years, force, allow_sqlite, **options):
        started = time.perf_counter()
        try:
            built = data.ensure(
                units,
                leaves,
                years,
                force=force,
                allow_sqlite=allow_sqlite,
                progress=self._progress,
            )
        except (data.SQLiteRefused, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self._progress(
            f"Years to measure: big {built.big_year_id}, 70 communes {built.level70_year_id}, "
            f"13 districts {built.small_year_id} ({time.perf_counter() - started:.1f} s)."
        )

    def _progress(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()
