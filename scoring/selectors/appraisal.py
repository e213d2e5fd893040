"""The Interior Department's appraisal pages: the year's work list and a unit's field."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from units.collation import name_key

from .. import guide
from ..models import AppraisalReason, Assessment, AssessmentYear, FrameworkNode, LeafScore
from ..workflow import LeafRule
from .entry import EntryRow, entry_rows


@dataclass(frozen=True)
class WorkItem:
    assessment: Assessment
    leaves: int  # applicable leaves of the framework
    appraised: int  # with a round-1 score
    flagged: int
    answered: int  # flagged leaves the unit has explained
    reappraised: int  # flagged leaves with a round-2 score

    @property
    def stage(self) -> str:
        """Where the unit stands, from its rows and the year's state."""
        state = self.assessment.year.state
        if state in ("preparing", "self_assessment"):
            return str(self.assessment.get_status_display())
        if state == "appraisal":
            if self.appraised == 0:
                # Not started yet: say whether the unit submitted (appraised either way).
                if self.assessment.status == Assessment.Status.SUBMITTED:
                    return str(_("Đã gửi, chưa thẩm định"))
                return str(_("Chưa gửi, chưa thẩm định"))
            if self.appraised < self.leaves:
                return str(_("Đang thẩm định"))
            return str(_("Đã thẩm định vòng 1"))
        if state == "explanation":
            if self.flagged and self.answered < self.flagged:
                return str(_("Chờ giải trình"))
            return str(_("Đã giải trình")) if self.flagged else str(_("Không cần giải trình"))
        if self.flagged and self.reappraised < self.flagged:
            return str(_("Đang thẩm định lại"))
        return str(_("Đã có điểm cuối cùng"))

    @property
    def to_score(self) -> int:
        """Leaves still waiting for the appraisers in the year's round: round 1's unscored
        leaves, then (final appraisal) the flagged leaves not scored again."""
        if self.assessment.year.state == AssessmentYear.State.FINAL_APPRAISAL:
            return self.flagged - self.reappraised
        return self.leaves - self.appraised

    @property
    def explanation_sending(self) -> str:
        """During the explanation round, whether the unit's leader has sent its answers: until
        then they are a draft the unit may still change. Empty outside the round, or for a
        unit asked nothing."""
        if self.assessment.year.state != AssessmentYear.State.EXPLANATION or not self.flagged:
            return ""
        if self.assessment.explanation_submitted_at is not None:
            return str(_("Đã gửi giải trình"))
        return str(_("Giải trình đang soạn, chưa gửi"))


def worklist(year: AssessmentYear) -> list[WorkItem]:
    """Every unit of the year with its counts, in Vietnamese alphabetical order: 3 queries
    whatever the number of units."""
    # The survey is entered in its own grid, not appraised leaf by leaf: left out here.
    leaf_count = (
        FrameworkNode.objects.filter(framework_id=year.framework_id)
        .exclude(rule__in=["", "survey"])
        .count()
    )
    counts = {
        row["assessment_id"]: row
        for row in LeafScore.objects.filter(assessment__year=year)
        .exclude(node__rule="survey")
        .values("assessment_id")
        # Aliases differ from the field names: an alias named like a field would shadow it
        # in the filters that follow.
        .annotate(
            n_na=Count("id", filter=Q(not_applicable=True)),
            n_appraised=Count("id", filter=Q(r1_score__isnull=False)),
            n_flagged=Count("id", filter=Q(flagged=True)),
            n_answered=Count("id", filter=Q(flagged=True) & ~Q(explanation_answer="")),
            n_reappraised=Count("id", filter=Q(flagged=True, r2_score__isnull=False)),
        )
        .order_by()
    }
    items = []
    for assessment in Assessment.objects.filter(year=year).select_related("unit", "year"):
        row = counts.get(assessment.id, {})
        items.append(
            WorkItem(
                assessment=assessment,
                leaves=leaf_count - row.get("n_na", 0),
                appraised=row.get("n_appraised", 0),
                flagged=row.get("n_flagged", 0),
                answered=row.get("n_answered", 0),
                reappraised=row.get("n_reappraised", 0),
            )
        )
    return sorted(items, key=lambda item: name_key(item.assessment.unit.name))


# --- a unit's field -----------------------------------------------------------------------

# What a bulk acceptance covers (``AppraisalRow.accepted_by``).
REST = "rest"  # round 1: every leaf not yet scored, at its self-score
EVIDENCE = "evidence"  # round 1: the same, where the claim has its evidence
UNEXPLAINED = "unexplained"  # round 2: flagged leaves the unit did not explain keep round 1
BULK = {1: (REST, EVIDENCE), 2: (UNEXPLAINED,)}

# The page's filters: only the leaves an appraiser looks at first.
TO_SCORE = "to-score"
NO_EVIDENCE = "no-evidence"
OVER_CLAIM = "over-claim"
FILTERS = (TO_SCORE, NO_EVIDENCE, OVER_CLAIM)


@dataclass
class AppraisalRow:
    """One node of the field as the appraiser sees it: the unit's entry, the rule's guide and
    what the rule gives for the declared figures."""

    entry: EntryRow
    round_no: int | None
    appraisable: bool  # has inputs in this round (whoever asks: assignment is the page's)
    guide: list[str] = field(default_factory=list)
    rule_points: Decimal | None = None

    @property
    def node(self) -> FrameworkNode:
        return self.entry.node

    @property
    def leaf(self) -> LeafScore | None:
        return self.entry.leaf

    @property
    def links(self):
        return self.entry.links

    @property
    def status(self):
        return self.entry.status

    @property
    def self_score(self) -> Decimal | None:
        leaf = self.leaf
        return leaf.self_score if leaf is not None and not leaf.not_applicable else None

    @property
    def version(self) -> int:
        return self.leaf.appraisal_version if self.leaf is not None else 0

    @property
    def r1_score(self) -> Decimal | None:
        return self.leaf.r1_score if self.leaf is not None else None

    @property
    def flagged(self) -> bool:
        return bool(self.leaf and self.leaf.flagged)

    @property
    def answered(self) -> bool:
        return bool(self.leaf and self.leaf.explanation_answer.strip())

    @property
    def scored(self) -> bool:
        """Scored in the round the year is in (round 1 outside the rounds)."""
        if self.leaf is None:
            return False
        score = self.leaf.r2_score if self.round_no == 2 else self.leaf.r1_score
        return score is not None

    @property
    def claimed_without_evidence(self) -> bool:
        """Points claimed and not one document to prove them (domain §4.2)."""
        return bool(self.entry.by_unit and self.self_score and not self.links)

    @property
    def over_claim(self) -> bool:
        """A self-score above what the rule gives for the unit's own declared figures."""
        return (
            self.rule_points is not None
            and self.self_score is not None
            and self.self_score > self.rule_points
        )

    @property
    def rule_differs(self) -> bool:
        return self.rule_points is not None and self.rule_points != self.self_score

    def accepted_by(self, how: str) -> bool:
        """Whether a bulk acceptance takes this leaf. None overwrites a score of this round
        (a colleague's or one's own: a decision already taken), and none takes an over-claim
        (an exception by definition: the appraiser scores it)."""
        if not self.appraisable or self.scored:
            return False
        if how in (REST, EVIDENCE):
            if self.round_no != 1 or self.self_score is None or self.over_claim:
                return False
            return how == REST or not self.claimed_without_evidence
        if how == UNEXPLAINED:
            has_round_1 = self.r1_score is not None
            return self.round_no == 2 and self.flagged and not self.answered and has_round_1
        return False

    def shown_by(self, show: str) -> bool:
        if show == TO_SCORE:
            return self.appraisable and not self.scored
        if show == NO_EVIDENCE:
            return self.claimed_without_evidence
        if show == OVER_CLAIM:
            return self.over_claim
        return True


@dataclass(frozen=True)
class AppraisalProgress:
    scored: int
    to_score: int
    flagged: int

    @property
    def total(self) -> int:
        return self.scored + self.to_score


def _progress(rows: list[AppraisalRow]) -> AppraisalProgress:
    appraisable = [row for row in rows if row.node.is_leaf and row.appraisable]
    scored = sum(1 for row in appraisable if row.scored)
    return AppraisalProgress(
        scored=scored,
        to_score=len(appraisable) - scored,
        flagged=sum(1 for row in rows if row.node.is_leaf and row.flagged),
    )


@dataclass
class AppraisalTab:
    node: FrameworkNode
    progress: AppraisalProgress


@dataclass
class AppraisalPage:
    assessment: Assessment
    tabs: list[AppraisalTab]
    field: FrameworkNode
    rows: list[AppraisalRow]  # the field's nodes in tree order
    reasons: list[AppraisalReason]

    @property
    def progress(self) -> AppraisalProgress:
        return next(tab.progress for tab in self.tabs if tab.node.pk == self.field.pk)

    @property
    def leaves(self) -> list[AppraisalRow]:
        return [row for row in self.rows if row.node.is_leaf]

    def shown(self, show: str) -> list[AppraisalRow]:
        """The rows a filter keeps; the criteria above a kept leaf stay as its headings."""
        if not show:
            return self.rows
        kept = [row for row in self.leaves if row.shown_by(show)]
        codes = {row.node.code for row in kept}
        return [
            row
            for row in self.rows
            if row.node.code in codes
            or (
                not row.node.is_leaf
                and row.node.parent_id is not None
                and any(code.startswith(row.node.code + ".") for code in codes)
            )
        ]

    def bulk(self, how: str) -> list[AppraisalRow]:
        return [row for row in self.leaves if row.accepted_by(how)]

    @property
    def bulk_counts(self) -> dict[str, int]:
        return {how: len(self.bulk(how)) for hows in BULK.values() for how in hows}

    @property
    def filter_counts(self) -> dict[str, int]:
        return {show: sum(1 for row in self.leaves if row.shown_by(show)) for show in FILTERS}

    def left_out(self, how: str) -> dict[str, int]:
        """Leaves not yet scored that a bulk acceptance leaves to the appraiser, by why."""
        waiting = [row for row in self.leaves if row.appraisable and not row.scored]
        if how not in (REST, EVIDENCE):
            return {}
        return {
            OVER_CLAIM: sum(1 for row in waiting if row.over_claim),
            NO_EVIDENCE: sum(
                1
                for row in waiting
                if how == EVIDENCE and row.claimed_without_evidence and not row.over_claim
            ),
        }


def appraisal_page(assessment: Assessment, field_code: str | None, scope) -> AppraisalPage | None:
    """One field of a unit as appraised in the round ``scope`` (an ``access.AppraisalScope``)
    says, with every field's progress for the tabs: 4 queries (nodes, leaves, evidence links
    with their documents, reasons). ``None`` when the framework has no such field."""
    by_field: dict[str, list[AppraisalRow]] = defaultdict(list)
    fields = []
    for entry in entry_rows(assessment):
        node = entry.node
        leaf_rule = LeafRule.of(node) if node.is_leaf else None
        row = AppraisalRow(
            entry=entry,
            round_no=scope.round_no,
            appraisable=node.is_leaf and scope.why_not_leaf(node, entry.leaf) is None,
            guide=guide.guide_lines(leaf_rule) if leaf_rule else [],
            rule_points=(
                guide.rule_points(leaf_rule, entry.leaf.declared)
                if leaf_rule and entry.leaf is not None and entry.by_unit
                else None
            ),
        )
        by_field[node.field_code].append(row)
        if node.parent_id is None:
            fields.append(node)
    if not fields:
        return None
    current = fields[0] if field_code is None else None
    current = current or next((node for node in fields if node.code == field_code), None)
    if current is None:
        return None
    return AppraisalPage(
        assessment=assessment,
        tabs=[AppraisalTab(node, _progress(by_field[node.code])) for node in fields],
        field=current,
        rows=by_field[current.code],
        reasons=list(AppraisalReason.objects.filter(is_active=True)),
    )


# --- a conflict ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TheirAppraisal:
    """A leaf's appraisal as someone else saved it while the page was open."""

    score: Decimal | None
    reason: str
    comment: str
    flagged: bool
    who: Any  # a user, or None when unknown (account deleted, a row without history)
    when: Any
    version: int
    gone: bool = False  # the row itself is gone (results imported again)


def their_appraisals(
    conflicts: Mapping[str, Any], round_no: int | None
) -> dict[str, TheirAppraisal]:
    """The other person's values of each conflicting leaf (keyed by node code, from
    ``services.ConflictError``), with who saved them and when, read off the history record of
    the version they saved: 1 query, whatever the number of conflicts."""
    rows = {code: conflict.theirs for code, conflict in conflicts.items()}
    versions = {row.id: row.appraisal_version for row in rows.values() if row is not None}
    saved = {}
    if versions:
        for record in (
            LeafScore.history.filter(id__in=versions)
            .select_related("history_user")
            .order_by("history_date", "history_id")
        ):
            if record.appraisal_version == versions[record.id] and record.id not in saved:
                saved[record.id] = record  # the first record of their version: their save
    result = {}
    for code, row in rows.items():
        if row is None:
            result[code] = TheirAppraisal(None, "", "", False, None, None, 0, gone=True)
            continue
        record = saved.get(row.id)
        prefix = "r2" if round_no == 2 else "r1"
        result[code] = TheirAppraisal(
            score=getattr(row, f"{prefix}_score"),
            reason=getattr(row, f"{prefix}_reason"),
            comment=getattr(row, f"{prefix}_comment"),
            flagged=row.flagged,
            who=record.history_user if record else None,
            when=record.history_date if record else None,
            version=row.appraisal_version,
        )
    return result
