"""`make bench`: how fast the score matrix is written, and in how much memory, for a province
of 3,000 units × 150 leaves.

It works in a throwaway test database (created and destroyed like the test suite's, on SQLite
or PostgreSQL, never the app's own data). Figures are printed, not asserted: a busy machine
must not fail a build.
"""

import multiprocessing
import resource
import shutil
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases

BATCH_UNITS = 100  # leaf scores are created for this many units at a time: flat memory


def _max_rss_mib() -> float:
    # ru_maxrss: the process's peak resident memory so far, in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _high_water_mib() -> float | None:
    """The peak resident memory of this program since it started (Linux: VmHWM); unlike
    ru_maxrss it does not carry over the parent's size at fork/exec."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    line = next((x for x in status.splitlines() if x.startswith("VmHWM:")), None)
    return int(line.split()[1]) / 1024 if line else None


def _export_in_child(orders) -> None:
    """The export in a fresh process, started before the data is built: its memory figures are
    the export's (with Django loaded), not those of building 450,000 scores. It waits for the
    database and year, or None to stop."""
    import django

    django.setup()
    from django.db import connection

    from scoring.exporters import MatrixExporter
    from scoring.models import AssessmentYear

    order = orders.recv()
    if order is None:
        return
    db_name, year_id = order
    connection.settings_dict["NAME"] = db_name  # the throwaway database, not the app's
    year = AssessmentYear.objects.select_related("framework", "unit_level").get(pk=year_id)
    before = {"rss": _max_rss_mib(), "hwm": _high_water_mib()}
    with tempfile.TemporaryFile() as output, CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        MatrixExporter(year=year).write(output)
        elapsed = time.perf_counter() - started
        size = output.tell()
    after = {"rss": _max_rss_mib(), "hwm": _high_water_mib()}
    # Python's own allocations in a second run: tracing would slow the timed one down.
    tracemalloc.start()
    with tempfile.TemporaryFile() as output:
        MatrixExporter(year=year).write(output)
    traced_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    orders.send(
        {
            "elapsed": elapsed,
            "queries": len(queries),
            "size": size,
            "before": before,
            "after": after,
            "traced_peak": traced_peak,
        }
    )


class Command(BaseCommand):
    help = (
        "Print rows per second, queries and peak memory of the score matrix export for 3,000 "
        "units × 150 leaves (10 fields of 15), in a throwaway database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=3000, help="units (default 3000)")
        parser.add_argument("--fields", type=int, default=10, help="fields (default 10)")
        parser.add_argument("--leaves", type=int, default=15, help="leaves per field (default 15)")

    def handle(self, *args, units, fields, leaves, **options):
        folder = Path(tempfile.mkdtemp(prefix="cchc-bench-"))
        if connection.vendor == "sqlite":
            # A file, not memory: the export runs in another process, which must see it.
            connection.settings_dict["TEST"]["NAME"] = str(folder / "bench.sqlite3")
        orders, child_end = multiprocessing.Pipe()
        child = multiprocessing.get_context("spawn").Process(
            target=_export_in_child, args=(child_end,)
        )
        child.start()  # before building, so that it inherits nothing of the data's memory
        databases = setup_databases(verbosity=0, interactive=False)
        try:
            year = self._build(units, fields, leaves)
            self._progress("Exporting in the process started before the data was built …")
            orders.send((connection.settings_dict["NAME"], year.pk))
            self._report(orders.recv(), units, fields * leaves)
        finally:
            if child.is_alive():
                orders.send(None)
            child.join()
            teardown_databases(databases, verbosity=0)
            shutil.rmtree(folder, ignore_errors=True)

    def _progress(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def _build(self, n_units: int, fields: int, leaves_per_field: int):
        """A published year of ``n_units`` units with every leaf scored, some N/A, and one
        deduction each. Leaf scores are created a batch of units at a time (synthetic's
        ``build_level`` holds them all, and makes two years)."""
        from scoring import services
        from scoring.demo.synthetic import nodes
        from scoring.models import Adjustment, AdjustmentKind, AssessmentYear, LeafScore
        from units.models import Unit, UnitLevel
        from units.roles import SYSTEM_ADMIN

        started = time.perf_counter()
        self._progress(f"Building {n_units:,} units × {fields * leaves_per_field} leaves …")
        level = UnitLevel.objects.create(code="bench", name="Benchmark")
        units = Unit.objects.bulk_create(
            Unit(level=level, code=f"b-{i}", name=f"Đơn vị {i:05}", kind="xa")
            for i in range(n_units)
        )
        specs = nodes(fields, leaves_per_field)
        framework = services.create_framework(
            roles=SYSTEM_ADMIN,
            name="Benchmark",
            unit_level=level,
            nodes=specs,
            max_points=sum((s.max_points for s in specs if "." not in s.code), Decimal(0)),
        )
        leaf_nodes = list(framework.nodes.exclude(rule=""))
        year = services.create_year(
            roles=SYSTEM_ADMIN, year=2030, unit_level=level, framework=framework, units=units
        )
        assessments = list(year.assessments.order_by("id"))
        for start in range(0, len(assessments), BATCH_UNITS):
            LeafScore.objects.bulk_create(
                LeafScore(
                    assessment=a,
                    node=node,
                    r1_score=None if (i + j) % 97 == 0 else Decimal((i + j) % 5) / 2,
                    not_applicable=(i + j) % 97 == 0,
                )
                for i, a in enumerate(assessments[start : start + BATCH_UNITS], start=start)
                for j, node in enumerate(leaf_nodes)
            )
            done = min(start + BATCH_UNITS, len(assessments))
            if done % (10 * BATCH_UNITS) == 0 or done == len(assessments):
                self._progress(f"  {done:>6,} units ({time.perf_counter() - started:.0f} s)")
        kind = AdjustmentKind.objects.get(code="other-deduction")
        Adjustment.objects.bulk_create(
            Adjustment(
                assessment=a,
                kind=kind,
                direction=kind.direction,
                points=Decimal("0.25"),
                reason="x",
            )
            for a in assessments
        )
        AssessmentYear.objects.filter(pk=year.pk).update(state="published")
        self._progress(f"Built in {time.perf_counter() - started:.0f} s.\n")
        return AssessmentYear.objects.select_related("framework", "unit_level").get(pk=year.pk)

    def _report(self, figures: dict, n_units: int, n_leaves: int) -> None:
        elapsed, before, after = figures["elapsed"], figures["before"], figures["after"]
        self.stdout.write(
            f"Score matrix, {n_units:,} units × {n_leaves} leaves ({n_units * n_leaves:,} "
            "scores):\n"
            f"  {elapsed:.1f} s, {n_units / elapsed:,.0f} rows/s, {figures['queries']} queries, "
            f"{figures['size'] / 2**20:.1f} MiB file\n"
            f"  peak Python memory of the export (tracemalloc): {figures['traced_peak']:.1f} MiB\n"
            f"  peak resident memory of the process (ru_maxrss): {after['rss']:.0f} MiB, "
            f"{before['rss']:.0f} MiB before the export (Django loaded, the year read)"
        )
        if after["hwm"] is not None:
            self.stdout.write(
                f"  peak resident memory of the program (VmHWM): {after['hwm']:.0f} MiB, "
                f"{before['hwm']:.0f} MiB before the export"
            )
