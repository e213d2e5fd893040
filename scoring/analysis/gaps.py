"""A level's common gaps: the leaves on which many units lost points, and by how much.

Pure: the selector (``scoring.selectors.year_insight``) streams each unit's final scores into a
``GapTally`` one unit at a time; nothing here touches the database."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from units.collation import name_key

from ..rules import ZERO
from .lost import code_key


@dataclass(frozen=True)
class GapLeaf:
    """A leaf of the framework as the tally needs it."""

    code: str
    title: str
    field_code: str  # the top-level node above the leaf
    field_title: str
    max_points: Decimal
    is_survey: bool = False


@dataclass(frozen=True)
class Gap:
    """One leaf on which at least one unit lost points."""

    code: str
    title: str
    field_code: str
    field_title: str
    max_points: Decimal
    units_lost: int  # units scored below the maximum
    units_applicable: int  # units to which the leaf applies (N/A units left out)
    total_lost: Decimal
    average_lost: Decimal  # over the units that lost points
    share: Decimal  # units_lost / units_applicable, 0..1
    units: list[str] = field(default_factory=list)  # who lost, in Vietnamese order


class GapTally:
    """Counts, leaf by leaf, the units that lost points: ``add`` each unit once, then ``gaps``.

    A leaf is lost when it is applicable, has a final score, and the score is below the
    maximum; an unscored leaf has lost nothing yet (but the unit is among those it applies
    to); an N/A leaf neither loses nor counts. Survey leaves are left out: a survey result is
    not a criterion a unit failed."""

    def __init__(self, leaves: Iterable[GapLeaf]):
        self.leaves = [leaf for leaf in leaves if not leaf.is_survey]
        self._applicable: dict[str, int] = {leaf.code: 0 for leaf in self.leaves}
        self._lost: dict[str, list[tuple[str, Decimal]]] = {leaf.code: [] for leaf in self.leaves}

    def add(self, unit_name: str, scores: Mapping[str, tuple[Decimal | None, bool]]) -> None:
        """One unit's final scores by leaf code: (score or None, N/A). A leaf missing from
        ``scores`` is applicable and unscored."""
        for leaf in self.leaves:
            score, not_applicable = scores.get(leaf.code, (None, False))
            if not_applicable:
                continue
            self._applicable[leaf.code] += 1
            if score is not None and score < leaf.max_points:
                self._lost[leaf.code].append((unit_name, leaf.max_points - score))

    def gaps(self) -> list[Gap]:
        """The leaves some unit lost: most units first, then most points lost in total, then
        by code."""
        result = []
        for leaf in self.leaves:
            lost = self._lost[leaf.code]
            if not lost:
                continue
            total = sum((points for _name, points in lost), ZERO)
            applicable = self._applicable[leaf.code]
            result.append(
                Gap(
                    code=leaf.code,
                    title=leaf.title,
                    field_code=leaf.field_code,
                    field_title=leaf.field_title,
                    max_points=leaf.max_points,
                    units_lost=len(lost),
                    units_applicable=applicable,
                    total_lost=total,
                    average_lost=total / len(lost),
                    share=Decimal(len(lost)) / Decimal(applicable),
                    units=sorted((name for name, _points in lost), key=name_key),
                )
            )
        return sorted(result, key=lambda g: (-g.units_lost, -g.total_lost, code_key(g.code)))
