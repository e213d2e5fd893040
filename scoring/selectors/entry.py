"""The self-assessment pages: a field's leaves with their entries and evidence, and progress."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from ..models import Assessment, Evidence, EvidenceLink, FrameworkNode, LeafScore
from ..rules import ZERO
from ..workflow import LeafStatus


@dataclass
class EntryRow:
    node: FrameworkNode
    leaf: LeafScore | None = None
    links: list[EvidenceLink] = field(default_factory=list)

    @property
    def by_unit(self) -> bool:
        return self.node.is_leaf and self.node.filled_by == FrameworkNode.FilledBy.UNIT

    @property
    def status(self) -> LeafStatus:
        leaf = self.leaf
        return LeafStatus(
            code=self.node.code,
            title=self.node.title,
            self_score=leaf.self_score if leaf else None,
            not_applicable=bool(leaf and leaf.not_applicable),
            na_reason=leaf.na_reason if leaf else "",
            has_evidence=bool(self.links),
            has_explanation=bool(leaf and leaf.explanation.strip()),
        )


@dataclass(frozen=True)
class Progress:
    filled: int
    total: int
    claiming: int  # leaves with a self-score above 0
    claiming_with_evidence: int
    claimed: Decimal
    applicable_max: Decimal

    @property
    def filled_percent(self) -> int:
        return round(100 * self.filled / self.total) if self.total else 100

    @property
    def evidence_percent(self) -> int:
        return round(100 * self.claiming_with_evidence / self.claiming) if self.claiming else 100


def _progress(rows: list[EntryRow]) -> Progress:
    statuses = [row.status for row in rows if row.by_unit]
    claiming = [s for s in statuses if s.self_score]
    return Progress(
        filled=sum(1 for s in statuses if s.is_filled),
        total=len(statuses),
        claiming=len(claiming),
        claiming_with_evidence=sum(1 for s in claiming if s.has_evidence),
        claimed=sum((s.self_score or ZERO for s in statuses if not s.not_applicable), ZERO),
        applicable_max=sum(
            (row.node.max_points for row in rows if row.by_unit and not row.status.not_applicable),
            ZERO,
        ),
    )


@dataclass
class FieldTab:
    node: FrameworkNode
    progress: Progress


@dataclass
class EntryPage:
    assessment: Assessment
    tabs: list[FieldTab]
    field: FrameworkNode
    rows: list[EntryRow]  # the field's nodes in tree order
    progress: Progress  # of the whole assessment
    library: list[Evidence]  # every document of the unit, to attach to another leaf

    @property
    def field_progress(self) -> Progress:
        return next(t.progress for t in self.tabs if t.node.pk == self.field.pk)


def _rows(assessment: Assessment) -> list[EntryRow]:
    """Every node of the year's framework with the unit's entry and evidence: 3 queries."""
    nodes = FrameworkNode.objects.filter(framework_id=assessment.year.framework_id).order_by(
        "sort_key"
    )
    leaves = {
        leaf.node_id: leaf
        for leaf in LeafScore.objects.filter(assessment=assessment).select_related("updated_by")
    }
    links = defaultdict(list)
    for link in (
        EvidenceLink.objects.filter(leaf__assessment=assessment)
        .select_related("evidence")
        .order_by("evidence__uploaded_at", "pk")
    ):
        links[link.leaf_id].append(link)
    rows = []
    for node in nodes:
        leaf = leaves.get(node.id)
        rows.append(EntryRow(node, leaf, links.get(leaf.id, []) if leaf else []))
    return rows


def _top(code: str) -> str:
    return code.split(".", 1)[0]


def entry_page(assessment: Assessment, field_code: str | None) -> EntryPage | None:
    """One field of the unit's self-assessment (the first when ``field_code`` is None): 4 queries.
    ``None`` when the framework has no such field."""
    rows = _rows(assessment)
    by_field: dict[str, list[EntryRow]] = defaultdict(list)
    for row in rows:
        by_field[_top(row.node.code)].append(row)
    tabs = [
        FieldTab(row.node, _progress(by_field[row.node.code]))
        for row in rows
        if row.node.parent_id is None
    ]
    if not tabs:
        return None
    current = next((t.node for t in tabs if t.node.code == field_code), None)
    if field_code is None:
        current = tabs[0].node
    if current is None:
        return None
    return EntryPage(
        assessment=assessment,
        tabs=tabs,
        field=current,
        rows=by_field[current.code],
        progress=_progress(rows),
        library=list(Evidence.objects.filter(assessment=assessment).order_by("original_name")),
    )


def entry_statuses(assessment: Assessment) -> list[LeafStatus]:
    """The unit-filled leaves as the pre-submission check sees them: 3 queries."""
    return [row.status for row in _rows(assessment) if row.by_unit]


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: object
    new: object


@dataclass(frozen=True)
class Change:
    when: object
    who: object
    changes: list[FieldChange]


HISTORY_FIELDS = [
    "declared",
    "self_score",
    "not_applicable",
    "na_reason",
    "explanation",
    "r1_score",
    "r1_reason",
    "r1_comment",
    "explanation_answer",
    "r2_score",
    "r2_reason",
    "r2_comment",
]


def leaf_history(assessment: Assessment, node: FrameworkNode) -> list[Change]:
    """Every saved change to one leaf, newest first, with who, when, old and new: 1 query."""
    records = list(
        LeafScore.history.filter(assessment_id=assessment.id, node_id=node.id)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    label = {name: LeafScore._meta.get_field(name).verbose_name for name in HISTORY_FIELDS}
    changes, previous = [], None
    for record in records:
        if previous is None:
            fields = [
                FieldChange(label[name], None, getattr(record, name))
                for name in HISTORY_FIELDS
                if getattr(record, name) not in (None, "", {}, False)
            ]
        else:
            delta = record.diff_against(previous, included_fields=HISTORY_FIELDS)
            fields = [FieldChange(label[c.field], c.old, c.new) for c in delta.changes]
        if fields:
            changes.append(Change(record.history_date, record.history_user, fields))
        previous = record
    return changes[::-1]
