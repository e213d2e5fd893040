"""Synthetic data of any size, for query-count tests, page tests and the national-size bench.

One generator, made of small pieces a caller composes: units with Vietnamese names
(``create_level``), frameworks shaped like real ones (``framework_nodes``: fields of leaves of
every rule type, a survey block, maxima in quarter points summing to 100, domain §3), a year
(``add_year``) and every layer of its scores and ledger (``score_year``).

Generated data goes through the validation real data goes through, before anything is written:
frameworks are made by ``services.create_framework``; every leaf row is built by the check an
import of results applies (``services.results._leaf_score``: scores within 0..max with 2
decimals and on the leaf's step, a computed leaf's self-score equal to what its declared figures
give, interior leaves not self-scored, N/A only where allowed and with a reason, no round 2
without round 1); every ledger entry by the ledger's own check (``adjustment_entry``: points
above 0, the direction of its kind), and each block of a unit stays within the year's cap.
Only then are the rows written in bulk (``bulk_create``, a batch of units at a time, so memory
stays flat whatever the size).

Deterministic: every choice comes from ``random.Random`` seeded with the caller's seed and the
year, and rows are generated in the order of unit and leaf codes; a unit's strength depends only
on the seed and its position. The same arguments give the same values on every run.
"""

from __future__ import annotations

from decimal import Decimal

from units.models import Unit

from ...models import Adjustment, AssessmentYear
from .frameworks import (
    FIELD_TITLES,
    RULE_CYCLE,
    SEED,
    SURVEY_TITLE,
    create_framework,
    framework_nodes,
    nodes,
)
from .scores import (
    BANDS,
    CHECKED,
    LeafCheck,
    Plan,
    add_year,
    as_leaf_score,
    leaf_record,
    leaf_rows,
    ledger_rows,
    save_leaf_rows,
    score_year,
    set_state,
    strength,
    uniform_ledger,
)
from .units import DISTRICTS, LONG, create_level, create_units, district_units, unit_names

__all__ = [
    "BANDS",
    "CHECKED",
    "DISTRICTS",
    "FIELD_TITLES",
    "LONG",
    "RULE_CYCLE",
    "SEED",
    "SURVEY_TITLE",
    "LeafCheck",
    "Plan",
    "add_year",
    "as_leaf_score",
    "build_level",
    "create_framework",
    "create_level",
    "create_units",
    "district_units",
    "framework_nodes",
    "leaf_record",
    "leaf_rows",
    "ledger_rows",
    "nodes",
    "save_leaf_rows",
    "score_year",
    "set_state",
    "strength",
    "uniform_ledger",
    "unit_names",
]


def build_level(
    n_units: int, *, fields: int = 2, leaves_per_field: int = 3, seed: int = SEED
) -> tuple[AssessmentYear, AssessmentYear]:
    """A level with ``n_units`` units on the plainest framework (``nodes``): last year (2022)
    published, this year (2023) in appraisal, every leaf self-scored and appraised in round 1,
    and one deduction of 0.25 per unit: data on which an N+1 query would show."""
    level, units = create_level(
        f"synthetic-{n_units}",
        f"Synthetic {n_units}",
        n_units,
        code_prefix=f"s{n_units}",
        kind=Unit.Kind.DISTRICT,
    )
    framework = create_framework(level, f"Synthetic {n_units}", nodes(fields, leaves_per_field))
    years = []
    for number, state in ((2022, "published"), (2023, "appraisal")):
        year = add_year(level, framework, units, number, bands=())
        Adjustment.objects.bulk_create(
            uniform_ledger(
                year.assessments.all(),
                kind="other-deduction",
                points=Decimal("0.25"),
                reason="Báo cáo trễ hạn",
            )
        )
        years.append(score_year(year, state=state, seed=seed, plan=Plan(ledger=False)))
    return years[0], years[1]
