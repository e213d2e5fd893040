"""The score matrix of a national-size year: workbook rows per second next to a bare openpyxl
write-only loop writing as many cells in the same run, and the export's peak memory.

Both are measured in a fresh process (spawned, not forked: its memory is the export's with
Django loaded, never the parent's data building), connected to the parent's database.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from django.db import connection

from . import Figure

TARGET_RATIO = 0.70  # of the bare loop's rows/s
TARGET_PEAK_MB = 150
ROUNDS = 2  # export and loop alternate; the best of each counts (a busy machine's noise)

# What the child needs to reach the parent's database (a test database's name included).
_CONNECTION_KEYS = ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT", "OPTIONS")


def measure(year_id: int) -> list[Figure]:
    """The matrix of ``year_id`` (3,000 units × 150 leaves in ``make bench``), exported in a
    spawned child, and a bare loop in the same child; see the module's docstring."""
    database = {key: connection.settings_dict[key] for key in _CONNECTION_KEYS}
    context = multiprocessing.get_context("spawn")
    parent_end, child_end = context.Pipe()
    child = context.Process(target=_child, args=(child_end, database, year_id))
    child.start()
    try:
        figures = parent_end.recv()
    finally:
        child.join()
    if "error" in figures:
        raise RuntimeError(f"the matrix bench failed in its process: {figures['error']}")
    return _figures(figures)


def _figures(f: dict) -> list[Figure]:
    rows, size = f["rows"], f"{f['units']:,} × {f['leaves']}"
    export_rate, loop_rate = rows / f["export_s"], rows / f["loop_s"]
    ratio = export_rate / loop_rate
    peak = f["peak_mb"]
    return [
        Figure(
            f"Score matrix {size}: rows/s",
            f"{export_rate:,.0f} (bare openpyxl loop {loop_rate:,.0f}: {ratio:.0%})",
            "≥ 70 % of bare openpyxl loop",
            ratio >= TARGET_RATIO,
        ),
        Figure("Score matrix peak memory", f"{peak:.0f} MB", "≤ 150 MB", peak <= TARGET_PEAK_MB),
        Figure("Score matrix export: SQL queries", str(f["queries"])),
    ]


def _peak_mb() -> float:
    """The process's peak resident memory in MB (10^6 bytes): VmHWM on Linux, else ru_maxrss
    (KiB on Linux)."""
    try:
        status = Path("/proc/self/status").read_text()
        line = next(x for x in status.splitlines() if x.startswith("VmHWM:"))
        return int(line.split()[1]) * 1024 / 1e6
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


def _child(pipe, database: dict, year_id: int) -> None:
    try:
        pipe.send(_run(database, year_id))
    except Exception as error:  # the parent reports it; a child's traceback would be lost
        pipe.send({"error": repr(error)})
    finally:
        pipe.close()


def _run(database: dict, year_id: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    connection.settings_dict.update(database)
    from scoring.exporters import MatrixExporter
    from scoring.models import AssessmentYear
    from scoring.selectors import framework_tree

    year = AssessmentYear.objects.select_related("framework", "unit_level").get(pk=year_id)
    tree = framework_tree(year.framework_id)
    units = year.assessments.count()
    # The matrix's data rows: code, name, the leaves, a subtotal per field, 6 totals.
    fields = sum(not top.is_leaf for top, _leaves in tree.top_level_groups)
    columns = 2 + len(tree.leaves) + fields + 6
    export_times, loop_times, queries, peak = [], [], 0, 0.0
    for round_ in range(ROUNDS):
        with tempfile.TemporaryFile() as output, CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            MatrixExporter(year=year).write(output)
            export_times.append(time.perf_counter() - started)
        if round_ == 0:
            queries, peak = len(captured), _peak_mb()  # before the loop adds anything
        loop_times.append(_bare_loop(units, columns))
    return {
        "units": units,
        "leaves": len(tree.leaves),
        "rows": units,
        "export_s": min(export_times),
        "loop_s": min(loop_times),
        "queries": queries,
        "peak_mb": peak,
    }


def _bare_loop(rows: int, columns: int) -> float:
    """Seconds for openpyxl alone to write ``rows`` rows of ``columns`` cells like the matrix's
    (code and name as text, then scores as Decimals, the rank an integer), unstyled, to a
    file."""
    from openpyxl import Workbook

    scores = [Decimal(n % 5) / 2 for n in range(columns - 3)]
    started = time.perf_counter()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("loop")
    for n in range(rows):
        sheet.append([f"u-{n}", f"Đơn vị {n:05}", *scores, n + 1])
    with tempfile.TemporaryFile() as output:
        workbook.save(output)
    return time.perf_counter() - started
