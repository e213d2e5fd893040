"""The self-assessment pages: a field's leaves with their entries and evidence, and progress."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .. import rules, workflow
from ..models import Assessment, Evidence, EvidenceLink, FrameworkNode, LeafScore
from ..rules import ZERO
from ..workflow import LeafStatus


def window_open(assessment: Assessment, now: datetime | None = None) -> bool:
    """The year's self-assessment window is open now (submitted or not)."""
    year = assessment.year
    return workflow.entry_open(
        state=year.state,
        opens=year.self_assessment_opens,
        closes=year.self_assessment_closes,
        now=now or timezone.now(),
    )


def is_open(assessment: Assessment, now: datetime | None = None) -> bool:
    """The unit may change its entry now: the window is open and nothing has been submitted."""
    return assessment.status == Assessment.Status.DRAFT and window_open(assessment, now)


def explanation_round_open(assessment: Assessment, now: datetime | None = None) -> bool:
    """The year is in its explanation round, before its deadline (sent or not)."""
    year = assessment.year
    return workflow.explanation_round_open(
        state=year.state, closes=year.explanation_closes, now=now or timezone.now()
    )


def explanation_sent(assessment: Assessment) -> bool:
    """The unit's leader has sent its answers: they are no longer a draft."""
    return assessment.explanation_submitted_at is not None


def explanation_open(assessment: Assessment, now: datetime | None = None) -> bool:
    """The unit may answer: the round is open and its leader has not sent the answers yet
    (once sent they are read-only until the leader takes them back)."""
    return explanation_round_open(assessment, now) and not explanation_sent(assessment)


ROUND_CLOSED = _lazy("Vòng giải trình không mở.")


def why_explanation_locked(assessment: Assessment, now: datetime | None = None) -> str | None:
    """What stops the unit from answering, in words for the page; ``None`` when it may. The
    page shows the deadline beside it."""
    if not explanation_round_open(assessment, now):
        return str(ROUND_CLOSED)
    if explanation_sent(assessment):
        return _("Lãnh đạo đơn vị đã gửi giải trình lúc %(when)s; nội dung chỉ còn để xem.") % {
            "when": when_text(assessment.explanation_submitted_at)
        }
    return None


def explanation_deadline_passed(assessment: Assessment, now: datetime | None = None) -> bool:
    closes = assessment.year.explanation_closes
    return closes is not None and (now or timezone.now()) >= closes


def when_text(moment: datetime) -> str:
    """A moment as the pages write it, in local time: "16:30 05/12/2026"."""
    return formats.date_format(timezone.localtime(moment), "H:i d/m/Y")


def why_locked(assessment: Assessment, now: datetime | None = None) -> str | None:
    """What stops the unit from editing, in words for the page; ``None`` when it may."""
    year = assessment.year
    if not window_open(assessment, now):
        return _("Thời gian tự đánh giá của năm %(year)s không mở.") % {"year": year.year}
    if assessment.status == Assessment.Status.SUBMITTED:
        return _("Bản tự đánh giá đã được gửi; chỉ lãnh đạo đơn vị có thể rút lại để sửa.")
    return None


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
        # Nothing to fill is not "100 % done": the page says there is nothing instead.
        return round(100 * self.filled / self.total) if self.total else 0

    @property
    def evidence_percent(self) -> int:
        return round(100 * self.claiming_with_evidence / self.claiming) if self.claiming else 0


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


def entry_rows(assessment: Assessment) -> list[EntryRow]:
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


def entry_page(assessment: Assessment, field_code: str | None) -> EntryPage | None:
    """One field of the unit's self-assessment (the first when ``field_code`` is None): 4 queries.
    ``None`` when the framework has no such field."""
    rows = entry_rows(assessment)
    by_field: dict[str, list[EntryRow]] = defaultdict(list)
    for row in rows:
        by_field[row.node.field_code].append(row)
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
        library=evidence_library(assessment),
    )


def evidence_library(assessment: Assessment) -> list[Evidence]:
    """Every document of the unit, by name, to attach to another leaf: 1 query."""
    return list(Evidence.objects.filter(assessment=assessment).order_by("original_name", "pk"))


def flagged_rows(assessment: Assessment) -> list[EntryRow]:
    """The leaves the appraisal asked the unit to explain, from every field, with their entry
    and evidence: 3 queries."""
    return [row for row in entry_rows(assessment) if row.leaf is not None and row.leaf.flagged]


def entry_statuses(assessment: Assessment) -> list[LeafStatus]:
    """The unit-filled leaves as the pre-submission check sees them: 3 queries."""
    return [row.status for row in entry_rows(assessment) if row.by_unit]


@dataclass(frozen=True)
class SubmissionCheck:
    problems: list[workflow.Problem]  # leaf by leaf, in framework order
    groups: list[workflow.ProblemGroup]  # by field and kind, for the leader's page

    @property
    def blocking(self) -> list[workflow.Problem]:
        return [p for p in self.problems if p.blocking]


def submission_check(assessment: Assessment) -> SubmissionCheck:
    """The leader's check before sending, grouped by field with the fields' titles: 3 queries
    (the same rows as ``entry_statuses``)."""
    rows = entry_rows(assessment)
    titles = {row.node.code: row.node.title for row in rows if row.node.parent_id is None}
    problems = workflow.submission_problems(row.status for row in rows if row.by_unit)
    return SubmissionCheck(problems, workflow.group_problems(problems, titles))


def unanswered_rows(rows: list[EntryRow]) -> list[EntryRow]:
    """The flagged leaves (``flagged_rows``) whose answer is still blank: no query."""
    blank = set(
        workflow.unanswered(
            (row.node.code, row.leaf.explanation_answer if row.leaf else "") for row in rows
        )
    )
    return [row for row in rows if row.node.code in blank]


def shown_leaves(page: EntryPage, versions: dict[int, int]) -> dict[int, object]:
    """Each leaf as the user's page showed it, from the versions the form posted: the current
    row where the version still matches, else its history record of that version (1 query,
    only when someone saved in between). Version 0, or no record: the leaf was empty."""
    current = {row.node.id: row.leaf for row in page.rows if row.leaf is not None}
    shown: dict[int, object] = {}
    stale = {}
    for node_id, version in versions.items():
        leaf = current.get(node_id)
        if version and leaf is not None and leaf.version == version:
            shown[node_id] = leaf
        elif version:
            stale[node_id] = version
    if stale:
        records = LeafScore.history.filter(
            assessment_id=page.assessment.id,
            node_id__in=stale,
            version__in=set(stale.values()),
        ).order_by("history_date", "history_id")
        for record in records:
            if stale[record.node_id] == record.version:
                shown[record.node_id] = record  # the latest record of that version wins
    return shown


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
    note: str = ""  # an event without a field change, e.g. a document attached
    # The row as first recorded (demo data, an import, or a row older than its history): its
    # values are a starting state, not something ``who`` typed in.
    baseline: bool = False


ENTRY_HISTORY_FIELDS = ["declared", "self_score", "not_applicable", "na_reason", "explanation"]
APPRAISAL_HISTORY_FIELDS = [
    "r1_score",
    "r1_reason",
    "r1_comment",
    "explanation_answer",
    "r2_score",
    "r2_reason",
    "r2_comment",
]


def describe_declared(node: FrameworkNode, declared: dict | None) -> str:
    """Declared figures in words and the user's formats ("Số đã thực hiện: 3; Tổng số: 4";
    dates d/m/Y; decimal commas), not the stored JSON."""
    if not declared:
        return ""
    specs = {spec.name: spec for spec in rules.get_rule(node.rule).inputs}
    parts = []
    for name, value in declared.items():
        spec = specs.get(name)
        kind = spec.kind if spec else None
        try:
            if kind in ("bool", "flag"):
                value = _("Có") if value else _("Không")
            elif kind == "date":
                value = formats.date_format(date.fromisoformat(str(value)), "d/m/Y")
            elif kind in ("int", "decimal"):
                value = formats.number_format(Decimal(str(value)))
        except (ValueError, ArithmeticError):
            pass  # shown as stored rather than not at all
        parts.append(f"{spec.label if spec else name}: {value}")
    return "; ".join(parts)


def _is_baseline(record) -> bool:
    """Whether a row's first record is a starting state rather than someone's entry: a
    creation with a reason (the demo's "Dữ liệu mẫu", an import naming its file), or not a
    creation at all (the row was written without history, e.g. bulk-loaded before baselines
    were recorded: this record is the first known state, whatever its save changed). A
    creation with neither is a person's entry, theirs even once their account is deleted."""
    return record.history_type != "+" or bool(record.history_change_reason)


def leaf_history(
    assessment: Assessment, node: FrameworkNode, *, with_appraisal: bool
) -> list[Change]:
    """Every saved change to one leaf, newest first, with who, when, old and new: 1 query.

    A row's first record is either its creation by a person (every filled field new, by them)
    or a baseline (``_is_baseline``): its values listed as the starting state, with the
    record's note ("Dữ liệu mẫu", the imported file) or, lacking one, "state as first
    recorded". A deleted row (results imported again) ends its chain; the next row starts
    a new one. Appraisal layers are left out for those who may not see them yet
    (``with_appraisal``).
    """
    fields = ENTRY_HISTORY_FIELDS + (APPRAISAL_HISTORY_FIELDS if with_appraisal else [])
    records = list(
        LeafScore.history.filter(assessment_id=assessment.id, node_id=node.id)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    label = {name: LeafScore._meta.get_field(name).verbose_name for name in fields}

    def shown(name, value):
        return describe_declared(node, value) if name == "declared" else value

    changes, previous = [], None
    for record in records:
        note = record.history_change_reason or ""
        if record.history_type == "-":
            changes.append(
                Change(record.history_date, record.history_user, [], note or _("Xóa dữ liệu"))
            )
            previous = None
            continue
        baseline = False
        if previous is None:
            baseline = _is_baseline(record)
            items = [
                FieldChange(label[name], None, shown(name, getattr(record, name)))
                for name in fields
                if getattr(record, name) not in (None, "", {}, False)
            ]
            if baseline and not note:
                note = _(
                    "Trạng thái khi bắt đầu ghi nhận lịch sử (không có bản ghi trước đó để biết "
                    "lần lưu này đã thay đổi gì)"
                )
        else:
            delta = record.diff_against(previous, included_fields=fields)
            items = [
                FieldChange(label[c.field], shown(c.field, c.old), shown(c.field, c.new))
                for c in delta.changes
            ]
        if items or note:
            changes.append(
                Change(record.history_date, record.history_user, items, note, baseline=baseline)
            )
        previous = record
    return changes[::-1]
