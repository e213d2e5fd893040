"""`make bench`: a national-size data set on PostgreSQL, then every figure of issue 13 with its
target and PASS/FAIL, in one table.

The big data set lives in the database of DATABASE_URL (built once by ``seed_bench``'s code and
kept); the load runs against a copy of the demo (13 district-level units, its accounts and a
year open for entry and appraisal) in a second database, created afresh each run, because the
demo's deadlines are relative to when it is loaded.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from scoring.bench import Figure, table


class Command(BaseCommand):
    help = "Build the bench data set if missing and print every figure with its target."

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=3000)
        parser.add_argument("--leaves", type=int, default=150)
        parser.add_argument("--years", type=int, default=3)
        parser.add_argument("--seconds", type=float, default=10, help="each wrk run")
        parser.add_argument("--mixed-seconds", type=float, default=20, help="the mixed load")
        parser.add_argument(
            "--only",
            choices=["ranking", "matrix", "imports", "load"],
            action="append",
            help="measure only these parts (repeatable); default: all",
        )

    def handle(self, *args, units, leaves, years, seconds, mixed_seconds, only, **options):
        if connection.vendor != "postgresql":
            raise CommandError("make bench runs on PostgreSQL: set DATABASE_URL.")
        from scoring.bench import data

        parts = set(only or ["ranking", "matrix", "imports", "load"])
        started = time.perf_counter()
        bench = data.ensure(units, leaves, years, progress=self._say)
        figures: list[Figure] = []
        if "ranking" in parts:
            from scoring.bench import ranking

            self._say("Ranking and query counts …")
            figures += ranking.measure(bench)
        if "matrix" in parts:
            from scoring.bench import matrix

            self._say("Score matrix …")
            figures += matrix.measure(bench.big_year_id)
        if "imports" in parts:
            from scoring.bench import imports

            self._say("Imports …")
            figures += imports.measure(bench)
        if "load" in parts:
            figures += self._load(seconds, mixed_seconds)
        self.stdout.write("")
        self.stdout.write(table(figures))
        failed = [f for f in figures if f.passed is False]
        self.stdout.write(
            f"\n{len(figures)} figures, {sum(f.passed is True for f in figures)} PASS, "
            f"{len(failed)} FAIL ({time.perf_counter() - started:.0f} s)."
        )
        if failed:
            sys.exit(1)

    def _say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def _load(self, seconds: float, mixed_seconds: float) -> list[Figure]:
        """gunicorn with 2 workers on a fresh copy of the demo: throughput, then the mixed
        load."""
        from scoring.bench import load
        from scoring.bench.server import serve

        url = self._fresh_demo_database()
        self._say("Under load (gunicorn, wrk) …")
        with serve(url) as server:
            figures = load.throughput(url, seconds=seconds, server=server)
            self._say("Mixed load …")
            figures += load.mixed_load(url, mixed_seconds, server=server)
        return figures

    def _fresh_demo_database(self) -> str:
        db = settings.DATABASES["default"]
        name = f"{db['NAME']}_demo"
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
        url = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{name}"
        )
        env = {**os.environ, "DATABASE_URL": url, "DEBUG": "true"}
        self._say(f"A fresh demo in {name} …")
        for command in (["migrate", "--no-input", "-v0"], ["load_demo"]):
            subprocess.run(
                [sys.executable, "manage.py", *command],
                cwd=settings.BASE_DIR,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        return url
