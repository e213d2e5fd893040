"""The bench's data set: a national-size level, a level of 70 communes and one of 13
district-level units, each with its years, scored by the shared generator (``demo.synthetic``).

Built once per size and kept: a finished set is marked by its big level's name (written last),
so ``ensure`` returns at once when the same set exists and rebuilds a set left half-built by an
interrupted run. Years: all but the last published, the last in appraisal. So every page has
something to show: the last year's ranking (appraisers, the Interior Department) carries the
rank change against the published year before it, the appraisal work list and the survey grid
have leaves to score, and the published years are what viewers read, with their own rank change
from the third year on.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import connection, transaction

from scoring.demo import synthetic
from scoring.models import (
    Adjustment,
    Assessment,
    AssessmentYear,
    Framework,
    LeafScore,
)
from units.models import Unit, UnitLevel

from . import BenchData

LAST_YEAR = 2025
COMMUNES = 70
# The big level's name: written last, it marks the set as finished.
DONE = "Bench: cấp xã toàn quốc ({units} đơn vị, {leaves} tiêu chí, {years} năm)"
BUILDING = "Bench: cấp xã toàn quốc (đang tạo)"


class SQLiteRefused(Exception):
    """The national-size set is for PostgreSQL; SQLite only when asked for (small test runs)."""


def tag(units: int, leaves: int, years: int) -> str:
    return f"bench-{units}-{leaves}-{years}"


def level_codes(units: int, leaves: int, years: int) -> tuple[str, str, str]:
    """The big level (also the set's marker), the 70 communes, the 13 districts."""
    base = tag(units, leaves, years)
    return base, f"{base}-xa70", f"{base}-huyen13"


def ensure(
    units: int = 3000,
    leaves: int = 150,
    years: int = 3,
    *,
    force: bool = False,
    allow_sqlite: bool = False,
    progress: Callable[[str], None] = lambda text: None,
) -> BenchData:
    """The data set of this size, built if missing (or if ``force``); ANALYZE after building
    on PostgreSQL, so the planner knows the tables' new sizes."""
    if connection.vendor == "sqlite" and not allow_sqlite:
        raise SQLiteRefused(
            "The bench's data set is built on PostgreSQL (set DATABASE_URL); SQLite only for "
            "small test runs, with --allow-sqlite."
        )
    if units < 1 or leaves < 3 or years < 2:
        raise ValueError("at least 1 unit, 3 leaves and 2 years (the rank change needs two)")
    codes = level_codes(units, leaves, years)
    done = DONE.format(units=units, leaves=leaves, years=years)
    if not force and UnitLevel.objects.filter(code=codes[0], name=done).exists():
        progress(f"The data set {codes[0]} exists already (--force rebuilds it).")
        return bench_data(units, leaves, years)
    started = time.perf_counter()
    if delete(codes):
        progress(
            f"Deleted the earlier data set {codes[0]} ({time.perf_counter() - started:.0f} s)."
        )
    numbers = list(range(LAST_YEAR - years + 1, LAST_YEAR + 1))
    levels = (
        (codes[0], BUILDING, units),
        (codes[1], "Bench: cấp xã (70)", COMMUNES),
        (codes[2], "Bench: cấp huyện (13)", None),  # Hà Tĩnh's 13, by name
    )
    for code, name, n_units in levels:
        _build_level(code, name, n_units, leaves, numbers, progress, started)
    UnitLevel.objects.filter(code=codes[0]).update(name=done)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    progress(f"Built {codes[0]} in {time.perf_counter() - started:.0f} s.")
    return bench_data(units, leaves, years)


def bench_data(units: int, leaves: int, years: int) -> BenchData:
    codes = level_codes(units, leaves, years)
    last = dict(
        AssessmentYear.objects.filter(unit_level__code__in=codes, year=LAST_YEAR).values_list(
            "unit_level__code", "id"
        )
    )
    return BenchData(
        big_year_id=last[codes[0]],
        level70_year_id=last[codes[1]],
        small_year_id=last[codes[2]],
        units=units,
        leaves=leaves,
        years=years,
    )


def _build_level(code, name, n_units, leaves, numbers, progress, started) -> None:
    progress(f"{code}: {n_units or len(synthetic.DISTRICTS):,} units × {leaves} leaves")
    with transaction.atomic():
        if n_units is None:
            level = UnitLevel.objects.create(code=code, name=name)
            units = synthetic.district_units(level, code_prefix=code)
        else:
            level, units = synthetic.create_level(code, name, n_units)
        framework = synthetic.create_framework(
            level, f"Bộ chỉ số {code}", synthetic.framework_nodes(leaves)
        )
    for number in numbers:
        state = "appraisal" if number == numbers[-1] else "published"

        def report(done, total, number=number):
            if done == total or done % 500 == 0:
                elapsed = time.perf_counter() - started
                progress(f"  {number}: {done:>6,} / {total:,} units ({elapsed:.0f} s)")

        with transaction.atomic():
            year = synthetic.add_year(level, framework, units, number)
            synthetic.score_year(year, state=state, progress=report)


def delete(codes) -> bool:
    """Remove a data set (finished or not). Leaf scores and ledger entries go in one statement
    each (``_raw_delete``, Django's own fast path): the ORM would load each of a million rows
    to send the leaf history's signals, and generated rows have no history to keep."""
    levels = list(UnitLevel.objects.filter(code__in=codes))
    if not levels:
        return False
    with transaction.atomic():
        assessments = Assessment.objects.filter(year__unit_level__in=levels).values("id")
        LeafScore.objects.filter(assessment__in=assessments)._raw_delete(LeafScore.objects.db)
        Adjustment.objects.filter(assessment__in=assessments)._raw_delete(Adjustment.objects.db)
        AssessmentYear.objects.filter(unit_level__in=levels).delete()  # with bands, assessments
        Framework.objects.filter(unit_level__in=levels).delete()  # with its nodes
        Unit.objects.filter(level__in=levels).delete()
        UnitLevel.objects.filter(pk__in=[level.pk for level in levels]).delete()
    return True
