"""A unit's bonus and deduction ledger as its page shows it."""

from __future__ import annotations

from ..models import Adjustment, Assessment


def ledger_entries(assessment: Assessment) -> list[Adjustment]:
    """The unit's ledger entries in the order they were made, with their kind and who made
    them: 1 query whatever their number."""
    return list(
        Adjustment.objects.filter(assessment=assessment)
        .select_related("kind", "created_by")
        .order_by("created_at", "pk")
    )
