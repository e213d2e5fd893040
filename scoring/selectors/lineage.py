"""Units through reorganisations: who took over from whom, and when (``UnitSuccession``).

One query loads every link (a province records a few hundred at most); the walks are in
Python. History, rank change and a unit's "own previous year" use ``counterparts_in`` so that
a renamed unit, the part of a split, or the unit a merge kept, is compared with what it was."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from units.models import UnitSuccession


class Lineage:
    def __init__(self, links: Collection[UnitSuccession]):
        self.links = list(links)
        self._before: defaultdict[int, list[UnitSuccession]] = defaultdict(list)
        self._after: defaultdict[int, list[UnitSuccession]] = defaultdict(list)
        for link in self.links:
            self._before[link.successor_id].append(link)
            self._after[link.predecessor_id].append(link)

    def predecessors(self, unit_id: int) -> list[UnitSuccession]:
        """The links into ``unit_id`` (the units it took over from), oldest first."""
        return self._before.get(unit_id, [])

    def successors(self, unit_id: int) -> list[UnitSuccession]:
        """The links out of ``unit_id`` (the units it went into), oldest first."""
        return self._after.get(unit_id, [])

    def ancestors(self, unit_id: int) -> list[UnitSuccession]:
        """Every link behind ``unit_id``, nearest first (a rename of a merge of …)."""
        seen: set[int] = {unit_id}
        result: list[UnitSuccession] = []
        frontier = [unit_id]
        while frontier:
            following: list[int] = []
            for current in frontier:
                for link in self.predecessors(current):
                    if link.predecessor_id not in seen:
                        seen.add(link.predecessor_id)
                        result.append(link)
                        following.append(link.predecessor_id)
            frontier = following
        return result

    def counterparts_in(self, unit_id: int, present: Collection[int]) -> list[int]:
        """The units that stand for ``unit_id`` among ``present`` (the units of an earlier
        year): the unit itself if it is there; else, walking back link by link, the nearest
        predecessors that are there. A merge into a new unit gives several; none: empty."""
        if unit_id in present:
            return [unit_id]
        found: list[int] = []
        seen: set[int] = {unit_id}
        frontier = [unit_id]
        while frontier and not found:
            following: list[int] = []
            for current in frontier:
                for link in self.predecessors(current):
                    if link.predecessor_id in seen:
                        continue
                    seen.add(link.predecessor_id)
                    if link.predecessor_id in present:
                        found.append(link.predecessor_id)
                    else:
                        following.append(link.predecessor_id)
            frontier = following
        return found

    def trail(self, unit_id: int, counterpart_id: int) -> list[UnitSuccession]:
        """The links from ``unit_id`` back to ``counterpart_id``, nearest first (a rename of a
        merge: [the rename, the merge]); empty when they are the same unit or not related.
        The shortest way back wins."""
        if unit_id == counterpart_id:
            return []
        came_by: dict[int, UnitSuccession] = {}
        frontier = [unit_id]
        while frontier and counterpart_id not in came_by:
            following: list[int] = []
            for current in frontier:
                for link in self.predecessors(current):
                    earlier = link.predecessor_id
                    if earlier == unit_id or earlier in came_by:
                        continue
                    came_by[earlier] = link
                    following.append(earlier)
            frontier = following
        if counterpart_id not in came_by:
            return []
        path: list[UnitSuccession] = []
        current = counterpart_id
        while current != unit_id:
            link = came_by[current]
            path.append(link)
            current = link.successor_id
        return path[::-1]

    def would_cycle(self, predecessor_id: int, successor_id: int) -> bool:
        """Whether a new link ``predecessor_id`` → ``successor_id`` would close a circle: the
        successor is already behind the predecessor (A→B then B→A, or A→B→C then C→A)."""
        if predecessor_id == successor_id:
            return True
        return any(link.predecessor_id == successor_id for link in self.ancestors(predecessor_id))

    def single_counterpart(self, unit_id: int, present: Collection[int]) -> int | None:
        """The one unit that stands for ``unit_id`` among ``present``, or None when there is
        none or several (a rank change against several merged units would mean nothing)."""
        found = self.counterparts_in(unit_id, present)
        return found[0] if len(found) == 1 else None


def lineage() -> Lineage:
    """Every succession link with both units: 1 query."""
    return Lineage(UnitSuccession.objects.select_related("predecessor", "successor"))
