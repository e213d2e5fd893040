"""What is done and what is left of the year's current step, and who has work before its
deadline (the reminder job). See the package's docstring for the definitions."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import User
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.urls import reverse
from django.utils.translation import ngettext

from units.collation import name_key
from units.models import Unit
from units.roles import GROUP_INTERIOR_ADMIN

from ... import workflow
from ...models import (
    Assessment,
    AssessmentYear,
    EvidenceLink,
    FrameworkNode,
    LeafScore,
)
from ..people import field_holders, unit_staff_memberships
from .deadlines import APPRAISAL_ROUNDS, STEP_DEADLINES, UNIT_STATES

State = AssessmentYear.State


@dataclass(frozen=True)
class Leaf:
    id: int
    code: str
    field_id: int


@dataclass(frozen=True)
class Row:
    """What the to-do needs of one LeafScore."""

    self_score: Decimal | None
    not_applicable: bool
    na_reason: str
    has_evidence: bool
    flagged: bool
    answered: bool
    r1_score: Decimal | None
    r2_score: Decimal | None


@dataclass
class Work:
    """Some assessments with the leaves of their frameworks and their rows, loaded once."""

    assessments: list[Assessment]  # with .year and .unit loaded, in Vietnamese unit order
    fields: dict[int, FrameworkNode]  # top-level nodes by id
    leaves: dict[int, list[Leaf]]  # framework id -> the leaves units fill, in tree order
    rows: dict[tuple[int, int], Row]  # (assessment id, node id) -> row
    assignees: dict[tuple[int, int], set[int]] = field(default_factory=dict)  # (year, field)


def load_work(
    assessments: list[Assessment], *, rows_of: set[int] | None = None, assignments=()
) -> Work:
    """3 queries (nodes, rows, and the assignments of the ``assignments`` years when given),
    none without assessments. ``rows_of``: the year ids whose rows are needed (default all)."""
    assessments = sorted(assessments, key=lambda a: (name_key(a.unit.name), a.year_id))
    frameworks = {a.year.framework_id for a in assessments}
    fields: dict[int, FrameworkNode] = {}
    leaves: dict[int, list[Leaf]] = defaultdict(list)
    if frameworks:
        nodes = list(
            FrameworkNode.objects.filter(framework_id__in=frameworks)
            .filter(Q(parent=None) | (Q(filled_by=FrameworkNode.FilledBy.UNIT) & ~Q(rule="")))
            .only("id", "code", "title", "framework_id", "parent_id", "filled_by", "rule")
            .order_by("sort_key")
        )
        by_code = {(n.framework_id, n.code): n for n in nodes if n.parent_id is None}
        fields = {n.id: n for n in by_code.values()}
        for node in nodes:
            if node.is_leaf and node.filled_by == FrameworkNode.FilledBy.UNIT:
                parent = by_code[(node.framework_id, node.field_code)]
                leaves[node.framework_id].append(Leaf(node.id, node.code, parent.id))
    wanted = [a.id for a in assessments if rows_of is None or a.year_id in rows_of]
    rows = {}
    if wanted:
        values = (
            LeafScore.objects.filter(assessment_id__in=wanted)
            .annotate(
                is_answered=ExpressionWrapper(~Q(explanation_answer=""), BooleanField()),
                has_evidence=Exists(EvidenceLink.objects.filter(leaf=OuterRef("pk"))),
            )
            .values_list(
                "assessment_id",
                "node_id",
                "self_score",
                "not_applicable",
                "na_reason",
                "has_evidence",
                "flagged",
                "is_answered",
                "r1_score",
                "r2_score",
            )
        )
        rows = {(a, n): Row(*rest) for a, n, *rest in values}
    assignees: dict[tuple[int, int], set[int]] = defaultdict(set)
    if assignments:
        for year_id, field_id, user_id in (
            field_holders()
            .filter(year__in=assignments)
            .values_list("year_id", "field_id", "appraiser_id")
        ):
            assignees[(year_id, field_id)].add(user_id)
    return Work(assessments, fields, leaves, rows, assignees)


@dataclass(frozen=True)
class FieldFixes:
    """A field's leaves still to fill or fix before the self-assessment is sent."""

    field: FrameworkNode
    empty: int = 0
    no_reason: int = 0  # not applicable, without a reason
    no_evidence: int = 0  # points claimed without evidence

    @property
    def total(self) -> int:
        return self.empty + self.no_reason + self.no_evidence

    @property
    def blocking(self) -> bool:
        return bool(self.empty or self.no_reason)

    @property
    def text(self) -> str:
        parts = []
        if self.empty:
            parts.append(
                ngettext("%(n)d tiêu chí chưa nhập", "%(n)d tiêu chí chưa nhập", self.empty)
                % {"n": self.empty}
            )
        if self.no_reason:
            parts.append(
                ngettext(
                    "%(n)d tiêu chí không áp dụng chưa nêu lý do",
                    "%(n)d tiêu chí không áp dụng chưa nêu lý do",
                    self.no_reason,
                )
                % {"n": self.no_reason}
            )
        if self.no_evidence:
            parts.append(
                ngettext(
                    "%(n)d tiêu chí tự chấm điểm chưa có tài liệu kiểm chứng",
                    "%(n)d tiêu chí tự chấm điểm chưa có tài liệu kiểm chứng",
                    self.no_evidence,
                )
                % {"n": self.no_evidence}
            )
        return "; ".join(parts)


def _fix_of(row: Row | None) -> str | None:
    """Which fix a leaf needs, as the pre-submission check sees it: empty and N/A without a
    reason block the sending, points without evidence are warned about. The explanation
    warning is left out: the evidence is what the to-do chases."""
    status = workflow.LeafStatus(
        code="",
        title="",
        self_score=row.self_score if row else None,
        not_applicable=bool(row and row.not_applicable),
        na_reason=row.na_reason if row else "",
        has_evidence=bool(row and row.has_evidence),
        has_explanation=True,
    )
    problems = workflow.submission_problems([status])
    if not problems:
        return None
    if not problems[0].blocking:
        return "no_evidence"
    return "no_reason" if status.not_applicable else "empty"


def fixes_of(work: Work, assessment: Assessment) -> list[FieldFixes]:
    """The fields of a unit with leaves to fill or fix, in tree order."""
    counts: dict[int, dict[str, int]] = {}
    for leaf in work.leaves[assessment.year.framework_id]:
        fix = _fix_of(work.rows.get((assessment.id, leaf.id)))
        if fix:
            per_field = counts.setdefault(leaf.field_id, defaultdict(int))
            per_field[fix] += 1
    return [FieldFixes(work.fields[pk], **found) for pk, found in counts.items()]


def flagged_of(work: Work, assessment: Assessment) -> tuple[int, int]:
    """(flagged leaves, flagged leaves not answered yet) of a unit."""
    flagged = unanswered = 0
    for leaf in work.leaves[assessment.year.framework_id]:
        row = work.rows.get((assessment.id, leaf.id))
        if row is not None and row.flagged:
            flagged += 1
            unanswered += not row.answered
    return flagged, unanswered


def unit_has_work(work: Work, assessment: Assessment) -> bool:
    """The unit's staff have something to do in the year's current step."""
    state = assessment.year.state
    if state == State.SELF_ASSESSMENT:
        return assessment.status == Assessment.Status.DRAFT
    if state == State.EXPLANATION:
        return assessment.explanation_submitted_at is None and flagged_of(work, assessment)[0] > 0
    return False


def to_appraise(work: Work, assessment: Assessment) -> dict[int, int]:
    """Field id -> leaves of the unit left in the year's appraisal round (none outside one):
    round 1, every applicable leaf without a round-1 score; round 2, every flagged applicable
    leaf without a round-2 score (as ``step_blockers``)."""
    round_no = APPRAISAL_ROUNDS.get(assessment.year.state)
    left: dict[int, int] = defaultdict(int)
    if round_no is None:
        return left
    for leaf in work.leaves[assessment.year.framework_id]:
        row = work.rows.get((assessment.id, leaf.id))
        if round_no == 1:
            missing = row is None or (not row.not_applicable and row.r1_score is None)
        else:
            missing = (
                row is not None and row.flagged and not row.not_applicable and row.r2_score is None
            )
        if missing:
            left[leaf.field_id] += 1
    return left


@dataclass(frozen=True)
class Pending:
    """Leaves of one unit's field left in the round, and whose they are."""

    assessment: Assessment
    field: FrameworkNode
    count: int

    @property
    def url(self) -> str:
        return reverse(
            "appraise_field",
            args=[self.assessment.year_id, self.assessment.unit.code, self.field.code],
        )


def appraisal_work(work: Work, year: AssessmentYear) -> dict[int | None, list[Pending]]:
    """Appraiser id -> what is left in their fields, by unit (Vietnamese order) and field;
    under ``None``, what is left in the fields nobody is assigned (the admins' to do)."""
    owners: dict[int | None, list[Pending]] = defaultdict(list)
    for assessment in work.assessments:
        if assessment.year_id != year.pk:
            continue
        for field_id, count in to_appraise(work, assessment).items():
            item = Pending(assessment, work.fields[field_id], count)
            for user_id in work.assignees.get((year.pk, field_id)) or [None]:
                owners[user_id].append(item)
    return owners


# --- who has work before a deadline (the reminder job) --------------------------------------


@dataclass(frozen=True)
class Reminder:
    """People to remind together: the same unit, page and count of what is left."""

    users: tuple[User, ...]
    unit: Unit | None
    url: str
    params: dict


def _year_assessments(year: AssessmentYear) -> list[Assessment]:
    assessments = list(Assessment.objects.filter(year=year).select_related("unit"))
    for assessment in assessments:
        assessment.year = year
    return assessments


def _unit_staff(unit_ids) -> dict[int, list[User]]:
    staff = defaultdict(list)
    for membership in (
        unit_staff_memberships()
        .filter(unit_id__in=unit_ids)
        .select_related("user")
        .order_by("user__username")
    ):
        staff[membership.unit_id].append(membership.user)
    return staff


def interior_admins() -> list[User]:
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name=GROUP_INTERIOR_ADMIN))
        .distinct()
        .order_by("username")
    )


def who_has_work(year: AssessmentYear, deadline: str) -> list[Reminder]:
    """Those who still have work before ``deadline`` (a field of the year), with what is left
    (``params``: ``left``, and for appraisers ``units``, for admins ``unassigned`` field
    codes). Nobody for a deadline that does not close the year's current step: that step is
    over, or has not begun. At most 6 queries whatever the number of units."""
    if STEP_DEADLINES.get(year.state) != deadline:
        return []
    assessments = _year_assessments(year)
    if year.state in UNIT_STATES:
        work = load_work(assessments)
        waiting = [a for a in work.assessments if unit_has_work(work, a)]
        staff = _unit_staff([a.unit_id for a in waiting])
        reminders = []
        for assessment in waiting:
            if year.state == State.SELF_ASSESSMENT:
                left = sum(f.total for f in fixes_of(work, assessment))
                url = reverse("entry", args=[year.pk, assessment.unit.code])
            else:
                left = flagged_of(work, assessment)[1]
                url = reverse("explanation", args=[year.pk, assessment.unit.code])
            users = staff.get(assessment.unit_id)
            if users:
                params = {"unit": assessment.unit.name, "left": left}
                reminders.append(Reminder(tuple(users), assessment.unit, url, params))
        return reminders
    work = load_work(assessments, assignments=[year])
    owners = appraisal_work(work, year)
    unassigned = owners.pop(None, [])
    people = {u.pk: u for u in User.objects.filter(pk__in=list(owners), is_active=True)}
    work_of: dict[User, list[Pending]] = {
        people[pk]: items for pk, items in owners.items() if pk in people
    }
    admins = interior_admins() if unassigned else []
    for admin in admins:  # an admin may also hold fields: one reminder with both
        work_of[admin] = work_of.get(admin, []) + unassigned
    codes = sorted({i.field.code for i in unassigned}, key=lambda code: (len(code), code))
    url = reverse("worklist", args=[year.pk])
    reminders = []
    for user, items in sorted(work_of.items(), key=lambda pair: pair[0].username):
        params = {
            "left": sum(i.count for i in items),
            "units": len({i.assessment.id for i in items}),
        }
        if user in admins:
            params["unassigned"] = codes
        reminders.append(Reminder((user,), None, url, params))
    return reminders
