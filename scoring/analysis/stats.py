"""Mean and median of Decimals: the one definition every analysis uses."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from ..rules import ZERO


def mean(values: Iterable[Decimal]) -> Decimal | None:
    """The arithmetic mean; None when there is nothing to average."""
    values = list(values)
    return sum(values, ZERO) / len(values) if values else None


def median(values: Iterable[Decimal]) -> Decimal | None:
    """The middle value (the mean of the two middle values for an even count); None when empty."""
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2
