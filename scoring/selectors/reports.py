"""Reads of the Excel reports that no page needs as such: the score matrix (streamed), the
years of a unit level side by side, and a unit's evidence by leaf."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import dateformat
from django.utils.translation import gettext as _

from units.collation import name_key
from units.models import Unit, UnitLevel, UnitSuccession

from ..analysis.phrasing import unit_in_sentence
from ..models import Assessment, AssessmentYear, EvidenceLink
from .lineage import Lineage, lineage
from .results import (
    UnitResult,
    framework_trees,
    results_of_years,
)


class NoteKind:
    """What a history row says of a reorganisation, from the row's side."""

    MERGED_INTO = "merged_into"  # this unit went into another
    MERGED_FROM = "merged_from"  # others went into this one
    SPLIT_INTO = "split_into"
    SPLIT_FROM = "split_from"
    RENAMED_TO = "renamed_to"
    RENAMED_FROM = "renamed_from"  # "trước đây: …"

    ENDS = (MERGED_INTO, SPLIT_INTO, RENAMED_TO)


@dataclass
class HistoryNote:
    kind: str  # a NoteKind
    units: list[Unit]  # the units on the other side, by name
    effective_on: dt.date
    # For each of ``units`` that the history shows under a later name (it was renamed since):
    # that name ("sáp nhập vào huyện Z (nay là W)").
    now_named: dict[int, str] = field(default_factory=dict)

    @property
    def ends(self) -> bool:
        return self.kind in NoteKind.ENDS

    def _names(self, *, in_sentence: bool) -> str:
        names = []
        for unit in self.units:
            name = unit_in_sentence(unit.name) if in_sentence else unit.name
            if unit.id in self.now_named:
                name += " (" + _("nay là %(name)s") % {"name": self.now_named[unit.id]} + ")"
            names.append(name)
        return ", ".join(names)

    @property
    def text(self) -> str:
        """The note in a sentence, in the language active when it is read (page or Excel)."""
        values = {
            "units": self._names(in_sentence=self.kind != NoteKind.RENAMED_FROM),
            "date": dateformat.format(self.effective_on, "d/m/Y"),
        }
        if self.kind == NoteKind.MERGED_INTO:
            return _("Sáp nhập vào %(units)s từ %(date)s") % values
        if self.kind == NoteKind.MERGED_FROM and len(self.units) > 1:
            return _("Hợp nhất từ %(units)s (từ %(date)s)") % values
        if self.kind == NoteKind.MERGED_FROM:
            return _("Nhận sáp nhập %(units)s (từ %(date)s)") % values
        if self.kind == NoteKind.SPLIT_INTO:
            return _("Chia tách thành %(units)s từ %(date)s") % values
        if self.kind == NoteKind.SPLIT_FROM:
            return _("Tách ra từ %(units)s (từ %(date)s)") % values
        if self.kind == NoteKind.RENAMED_TO:
            return _("Đổi tên thành %(units)s từ %(date)s") % values
        return _("trước đây: %(units)s (đổi tên từ %(date)s)") % values


@dataclass
class HistoryRow:
    unit: Unit
    results: list[UnitResult | None]  # one per year of the history; None: not assessed
    # Reorganisations, oldest first. A rename continues the row: the years before it are the
    # old unit's (``result.unit`` says whose), and a "trước đây" note names it.
    notes: list[HistoryNote] = field(default_factory=list)
    # The units whose years the row shows: the unit and the names it had before, oldest first.
    members: list[Unit] = field(default_factory=list)

    @property
    def ended(self) -> HistoryNote | None:
        """The note of how the unit ended (merged into another, split, renamed without a row
        of its own to continue in), or None while it goes on."""
        return next((note for note in reversed(self.notes) if note.ends), None)

    @property
    def former_names(self) -> list[Unit]:
        return [
            unit for note in self.notes if note.kind == NoteKind.RENAMED_FROM for unit in note.units
        ]

    @property
    def values(self) -> list[Decimal | None]:
        """The shown index of each year (None: not assessed, or no index), for the chart."""
        return [None if result is None else result.total.shown_index for result in self.results]


@dataclass
class History:
    level: UnitLevel
    years: list[AssessmentYear]  # published, oldest first
    rows: list[HistoryRow]  # by unit name

    @property
    def column_count(self) -> int:
        return 1 + 2 * len(self.years)  # the unit, then each year's index and rank

    @property
    def has_notes(self) -> bool:
        return any(row.notes for row in self.rows)

    @property
    def has_renamed_rows(self) -> bool:
        """Whether a row shows years of a unit under its former name."""
        return any(len(row.members) > 1 for row in self.rows)


def level_history(level: UnitLevel) -> History:
    """Each unit's index and rank in every published year of a unit level: 6 queries however
    many years and units (the years, their frameworks' trees, then assessments, leaf scores and
    adjustment sums of all the years at once, and the units' reorganisations).

    A unit that ended (merged into another, split) keeps its row up to its last year, with a
    note; a renamed unit's row carries the old name's years (see ``_fold_renames``)."""
    years = list(
        AssessmentYear.objects.filter(
            unit_level=level, state=AssessmentYear.State.PUBLISHED
        ).order_by("year")
    )
    if not years:
        return History(level=level, years=[], rows=[])
    trees = framework_trees({year.framework_id for year in years})
    by_year = results_of_years(years, trees, keep=())
    rows: dict[int, HistoryRow] = {}
    for position, year in enumerate(years):
        for result in by_year[year.id]:
            row = rows.setdefault(result.unit.id, HistoryRow(result.unit, [None] * len(years)))
            row.results[position] = result
    links = lineage()
    holder = _fold_renames(rows, links)
    units = {result.unit.id: result.unit for results in by_year.values() for result in results}
    for unit_id, row in rows.items():
        row.notes = _notes(unit_id, holder, links, rows)
        row.members = [units[member] for member in holder[unit_id]]
    return History(
        level=level,
        years=years,
        rows=sorted(rows.values(), key=lambda row: (name_key(row.unit.name), row.unit.code)),
    )


def _fold_renames(rows: dict[int, HistoryRow], links: Lineage) -> dict[int, list[int]]:
    """Moves each renamed unit's years into the row of the unit it became, when the history
    shows that unit too and no year has both: one line to follow. A rename is followed when it
    is the old unit's only way out and the new unit's only rename in (a chain of renames folds
    into its last name). Returns each remaining row's units, oldest first; ``rows`` keeps
    only the rows that remain."""

    def next_name(unit_id: int) -> int | None:
        out = links.successors(unit_id)
        if len(out) != 1 or out[0].kind != UnitSuccession.Kind.RENAME:
            return None
        renames_in = [
            link
            for link in links.predecessors(out[0].successor_id)
            if link.kind == UnitSuccession.Kind.RENAME
        ]
        return out[0].successor_id if len(renames_in) == 1 else None

    members: dict[int, list[int]] = {unit_id: [unit_id] for unit_id in rows}
    # Oldest names first, so that a chain A → B → C moves A's years into B, then B's into C.
    for unit_id in sorted(rows, key=lambda u: len(links.ancestors(u))):
        if unit_id not in rows:
            continue
        target, seen = next_name(unit_id), {unit_id}
        while target is not None and target not in rows and target not in seen:
            seen.add(target)
            target = next_name(target)
        if target is None or target not in rows or target in seen:
            continue
        old, new = rows[unit_id], rows[target]
        pairs = list(zip(old.results, new.results, strict=True))
        if any(a is not None and b is not None for a, b in pairs):
            continue  # both assessed in one year: two rows, each with its note
        new.results = [b if b is not None else a for a, b in pairs]
        members[target] = members.pop(unit_id) + members[target]
        del rows[unit_id]
    return {unit_id: members[unit_id] for unit_id in rows}


_KIND_NOTES = {
    UnitSuccession.Kind.MERGE: (NoteKind.MERGED_INTO, NoteKind.MERGED_FROM),
    UnitSuccession.Kind.SPLIT: (NoteKind.SPLIT_INTO, NoteKind.SPLIT_FROM),
    UnitSuccession.Kind.RENAME: (NoteKind.RENAMED_TO, NoteKind.RENAMED_FROM),
}


def _notes(
    unit_id: int, holder: dict[int, list[int]], links: Lineage, rows: dict[int, HistoryRow]
) -> list[HistoryNote]:
    """The notes of a row: every link into or out of its units but the links between them
    (a folded rename is said once, as "trước đây"), grouped by kind and date."""
    members = holder[unit_id]
    row_of = {member: owner for owner, units in holder.items() for member in units}
    grouped: dict[tuple[str, dt.date], list[Unit]] = defaultdict(list)
    for member in members:
        for link in links.successors(member):
            if link.successor_id in members:
                continue
            grouped[(_KIND_NOTES[link.kind][0], link.effective_on)].append(link.successor)
        for link in links.predecessors(member):
            if link.predecessor_id in members:
                grouped[(NoteKind.RENAMED_FROM, link.effective_on)].append(link.predecessor)
                continue
            grouped[(_KIND_NOTES[link.kind][1], link.effective_on)].append(link.predecessor)
    notes = []
    for (kind, effective_on), units in grouped.items():
        now_named = {
            unit.id: rows[row_of[unit.id]].unit.name
            for unit in units
            if unit.id in row_of and row_of[unit.id] not in (unit.id, unit_id)
        }
        notes.append(
            HistoryNote(
                kind=kind,
                units=sorted(units, key=lambda unit: name_key(unit.name)),
                effective_on=effective_on,
                now_named=now_named,
            )
        )
    return sorted(notes, key=lambda note: note.effective_on)


def evidence_by_leaf(assessment: Assessment) -> dict[int, list[EvidenceLink]]:
    """The documents proving each leaf of an assessment (by leaf score id), in upload order:
    1 query."""
    links: dict[int, list[EvidenceLink]] = defaultdict(list)
    for link in (
        EvidenceLink.objects.filter(leaf__assessment=assessment)
        .select_related("evidence")
        .order_by("evidence__uploaded_at", "pk")
    ):
        links[link.leaf_id].append(link)
    return dict(links)
