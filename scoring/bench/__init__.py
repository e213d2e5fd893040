"""`make bench`: every figure of a national-size deployment with its target and PASS/FAIL.

The data set is built once on PostgreSQL by ``seed_bench`` (deterministic); each module here
measures one part and returns its figures. Figures are printed, never asserted by the test
suite: a busy machine must not fail a build (a failed target shows as FAIL in the table).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One line of the bench table: what was measured, the value read, the target (or "")
    and whether the target was met (None: a figure without a target, printed for the record)."""

    name: str
    value: str
    target: str = ""
    passed: bool | None = None

    @property
    def verdict(self) -> str:
        return "" if self.passed is None else ("PASS" if self.passed else "FAIL")


@dataclass(frozen=True)
class BenchData:
    """What ``seed_bench`` built, as the measuring modules need it (ids in the bench database)."""

    big_year_id: int  # this year of the level of ``units`` units (3,000)
    level70_year_id: int  # this year of a level of 70 communes
    small_year_id: int  # this year of a level of 13 district-level units
    units: int
    leaves: int
    years: int


def table(figures: list[Figure]) -> str:
    """The figures as an aligned plain-text table (also pasted into the README)."""
    rows = [("Figure", "Value", "Target", "")] + [
        (f.name, f.value, f.target, f.verdict) for f in figures
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = []
    for n, row in enumerate(rows):
        lines.append(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
        if n == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)
