"""The year's own pages: what is missing before its next step, what a step back would clear,
and how the ranking would look under other settings. Each read is a fixed number of queries
whatever the number of units and leaves."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from units.collation import VietnameseOrder, name_key
from units.models import Unit

from .. import calculations
from ..models import Assessment, AssessmentYear, Evidence, FrameworkNode, LeafScore
from .results import UnitResult, framework_tree, year_results

State = AssessmentYear.State
UNIT = FrameworkNode.FilledBy.UNIT


@dataclass(frozen=True)
class Blocker:
    """Something to fix (or, not ``blocking``, to know) before a step, and where to fix it."""

    message: str
    url: str = ""
    blocking: bool = True


def _codes(codes: list[str]) -> str:
    return ", ".join(codes)


def _leaves(year: AssessmentYear) -> dict[int, tuple[str, str, bool]]:
    """The year's leaves in tree order: id -> (code, field code, filled by the unit)."""
    rows = (
        FrameworkNode.objects.filter(framework_id=year.framework_id)
        .exclude(rule="")
        .order_by("sort_key")
        .values_list("id", "code", "filled_by")
    )
    return {pk: (code, code.split(".", 1)[0], by == UNIT) for pk, code, by in rows}


def _assessments(year: AssessmentYear) -> list[tuple[int, str, str]]:
    """(assessment id, unit name, unit code), by unit name."""
    return list(
        Assessment.objects.filter(year=year)
        .order_by(VietnameseOrder("unit__name"), "id")
        .values_list("id", "unit__name", "unit__code")
    )


def _missing(leaves, assessments, is_missing):
    """The (assessment id, leaf id) pairs ``is_missing`` picks, grouped by unit and field as
    {(assessment id, field code, filled by the unit): [leaf codes]} in unit and tree order."""
    missing: dict[tuple[int, str, bool], list[str]] = defaultdict(list)
    for assessment_id, _name, _code in assessments:
        for node_id, (code, field_code, by_unit) in leaves.items():
            if is_missing((assessment_id, node_id)):
                missing[(assessment_id, field_code, by_unit)].append(code)
    return missing


def _field_blockers(year, assessments, missing, message) -> list[Blocker]:
    units = {pk: (name, code) for pk, name, code in assessments}
    blockers = []
    for (assessment_id, field_code, by_unit), codes in missing.items():
        name, unit_code = units[assessment_id]
        if by_unit:
            where = _("lĩnh vực %(field)s") % {"field": field_code}
            url = reverse("appraise_field", args=[year.pk, unit_code, field_code])
        else:
            where = _("điều tra xã hội học")
            url = reverse("survey", args=[year.pk])
        blockers.append(
            Blocker(
                message % {"unit": name, "where": where, "n": len(codes), "codes": _codes(codes)},
                url,
            )
        )
    return blockers


def _to_self_assessment(year: AssessmentYear) -> list[Blocker]:
    url = reverse("framework_import", args=[year.pk])
    blockers = [Blocker(problem, url) for problem in year.framework.tree_problems()]
    if not Assessment.objects.filter(year=year).exists():
        blockers.append(
            Blocker(
                _("Kỳ đánh giá chưa có đơn vị nào được đánh giá."),
                reverse("admin:scoring_assessment_changelist"),
            )
        )
    return blockers


def _to_appraisal(year: AssessmentYear) -> list[Blocker]:
    waiting = (
        Assessment.objects.filter(year=year)
        .exclude(status=Assessment.Status.SUBMITTED)
        .order_by(VietnameseOrder("unit__name"))
        .values_list("unit__name", "unit__code")
    )
    return [
        Blocker(
            _("%(unit)s chưa gửi bản tự đánh giá; bản đang nhập sẽ bị khóa như hiện có.")
            % {"unit": name},
            reverse("entry", args=[year.pk, code]),
            blocking=False,
        )
        for name, code in waiting
    ]


def _to_explanation(year: AssessmentYear) -> list[Blocker]:
    """Round 1 must have scored every applicable leaf the units fill: round 2 only re-scores
    flagged leaves, so a leaf left out here could never be scored before publication."""
    leaves = {k: v for k, v in _leaves(year).items() if v[2]}
    assessments = _assessments(year)
    done = set(
        LeafScore.objects.filter(assessment__year=year, node_id__in=leaves)
        .filter(Q(r1_score__isnull=False) | Q(not_applicable=True))
        .values_list("assessment_id", "node_id")
    )
    return _field_blockers(
        year,
        assessments,
        _missing(leaves, assessments, lambda pair: pair not in done),
        _("%(unit)s · %(where)s: %(n)s tiêu chí chưa có điểm thẩm định vòng 1 (%(codes)s)"),
    )


def _to_final_appraisal(year: AssessmentYear) -> list[Blocker]:
    unanswered = (
        LeafScore.objects.filter(assessment__year=year, flagged=True, explanation_answer="")
        .order_by(VietnameseOrder("assessment__unit__name"), "node__sort_key")
        .values_list("assessment__unit__name", "assessment__unit__code", "node__code")
    )
    by_unit: dict[tuple[str, str], list[str]] = defaultdict(list)
    for name, code, node_code in unanswered:
        by_unit[(name, code)].append(node_code)
    return [
        Blocker(
            _("%(unit)s chưa trả lời %(n)s tiêu chí yêu cầu giải trình (%(codes)s)")
            % {"unit": name, "n": len(codes), "codes": _codes(codes)},
            reverse("explanation", args=[year.pk, code]),
            blocking=False,
        )
        for (name, code), codes in by_unit.items()
    ]


def _to_published(year: AssessmentYear) -> list[Blocker]:
    leaves = _leaves(year)
    assessments = _assessments(year)
    done = set(
        LeafScore.objects.filter(assessment__year=year)
        .filter(Q(r1_score__isnull=False) | Q(r2_score__isnull=False) | Q(not_applicable=True))
        .values_list("assessment_id", "node_id")
    )
    blockers = _field_blockers(
        year,
        assessments,
        _missing(leaves, assessments, lambda pair: pair not in done),
        _("%(unit)s · %(where)s: còn %(n)s tiêu chí chưa có điểm (%(codes)s)"),
    )
    waiting = set(
        LeafScore.objects.filter(
            assessment__year=year, flagged=True, r2_score__isnull=True, not_applicable=False
        ).values_list("assessment_id", "node_id")
    )
    blockers += _field_blockers(
        year,
        assessments,
        _missing(leaves, assessments, waiting.__contains__),
        _(
            "%(unit)s · %(where)s: còn %(n)s tiêu chí yêu cầu giải trình chưa thẩm định lại "
            "(%(codes)s)"
        ),
    )
    return blockers


CHECKS = {
    State.SELF_ASSESSMENT: _to_self_assessment,
    State.APPRAISAL: _to_appraisal,
    State.EXPLANATION: _to_explanation,
    State.FINAL_APPRAISAL: _to_final_appraisal,
    State.PUBLISHED: _to_published,
}


def step_blockers(year: AssessmentYear) -> list[Blocker]:
    """What stands before the year's next step (``blocking``) or is worth knowing first, each
    with the page where it is fixed: at most 4 queries. ``advance_year`` refuses a step with
    the same messages, so the page and the refusal never disagree. ``year`` must come with its
    framework loaded."""
    check = CHECKS.get(year.next_state)
    return check(year) if check else []


# --- a step back -----------------------------------------------------------------------------

PREVIOUS = {
    State.SELF_ASSESSMENT: State.PREPARING,
    State.APPRAISAL: State.SELF_ASSESSMENT,
    State.EXPLANATION: State.APPRAISAL,
    State.FINAL_APPRAISAL: State.EXPLANATION,
}
# The deadline a step back asks for, so that the round it reopens is open again.
REOPENED_DEADLINE = {
    State.SELF_ASSESSMENT: "self_assessment_closes",
    State.EXPLANATION: "explanation_closes",
}


@dataclass(frozen=True)
class ClearedScore:
    """A round-2 score that stepping back from final appraisal removes."""

    row: LeafScore
    unit_name: str

    @property
    def node_code(self) -> str:
        return self.row.node.code


@dataclass
class StepBack:
    to_state: str | None
    kept: str = ""  # what stays as it is, said on the page
    refused: list[Blocker] = field(default_factory=list)
    cleared: list[ClearedScore] = field(default_factory=list)

    @property
    def deadline(self) -> str | None:
        """The deadline the step asks for (a field name of the year), if any."""
        return REOPENED_DEADLINE.get(self.to_state)

    @property
    def label(self) -> str:
        return State(self.to_state).label if self.to_state else ""

    @property
    def token(self) -> str:
        """The cleared values as the page listed them: the step is refused when they changed
        since (someone scored round 2 meanwhile), since the admin confirmed another list."""
        listed = "|".join(
            f"{c.row.pk}:{c.row.appraisal_version}:{c.row.r2_score}" for c in self.cleared
        )
        return hashlib.sha256(listed.encode()).hexdigest()[:32]


def step_back_plan(year: AssessmentYear) -> StepBack:
    """Where a step back takes the year and what it costs: at most 2 queries. A published year
    is re-opened instead (``reopen_year``)."""
    to_state = PREVIOUS.get(year.state)
    if to_state is None:
        return StepBack(None)
    if to_state == State.PREPARING:
        return StepBack(to_state, refused=_units_with_data(year))
    if to_state == State.SELF_ASSESSMENT:
        kept = _(
            "Không mất dữ liệu: điểm thẩm định vòng 1 đã chấm được giữ nguyên. Các đơn vị nhập "
            "lại được đến hạn tự đánh giá mới; đơn vị đã gửi phải rút lại bản tự đánh giá để sửa."
        )
        return StepBack(to_state, kept)
    if to_state == State.APPRAISAL:
        kept = _(
            "Không mất dữ liệu: các câu trả lời giải trình và tài liệu bổ sung của đơn vị được "
            "giữ nguyên; đơn vị không trả lời thêm được cho đến khi vòng giải trình mở lại."
        )
        return StepBack(to_state, kept)
    if year.reopenings.exists():
        refused = _(
            "Kỳ đánh giá này đã công bố rồi được mở lại để sửa: điểm thẩm định lại là kết quả đã "
            "công bố, không lùi về giải trình được. Hãy sửa ở bước thẩm định lại rồi công bố lại."
        )
        return StepBack(to_state, refused=[Blocker(refused)])
    rows = (
        LeafScore.objects.filter(assessment__year=year)
        .filter(Q(r2_score__isnull=False) | ~Q(r2_reason="") | ~Q(r2_comment=""))
        .select_related("node", "assessment__unit")
        .order_by(VietnameseOrder("assessment__unit__name"), "node__sort_key")
    )
    kept = _(
        "Điểm thẩm định vòng 1 và các câu trả lời giải trình được giữ nguyên; điểm thẩm định lại "
        "(vòng 2) đã chấm dưới đây bị xóa, mỗi giá trị được ghi vào nhật ký."
    )
    return StepBack(to_state, kept, cleared=[ClearedScore(r, r.assessment.unit.name) for r in rows])


def _units_with_data(year: AssessmentYear) -> list[Blocker]:
    """Units that entered something: going back to preparing makes the framework replaceable,
    and their entries would point at leaves that may go."""
    units = (
        Assessment.objects.filter(year=year)
        .filter(
            Q(status=Assessment.Status.SUBMITTED)
            | Exists(LeafScore.objects.filter(assessment=OuterRef("pk")))
            | Exists(Evidence.objects.filter(assessment=OuterRef("pk")))
        )
        .order_by(VietnameseOrder("unit__name"))
        .values_list("unit__name", "unit__code")
    )
    return [
        Blocker(
            _("%(unit)s đã nhập dữ liệu tự đánh giá.") % {"unit": name},
            reverse("entry", args=[year.pk, code]),
        )
        for name, code in units
    ]


# --- the settings page's preview -------------------------------------------------------------


@dataclass(frozen=True)
class Placing:
    rank: int | None
    index: Decimal | None  # as shown (2 dp)
    band: str | None


@dataclass(frozen=True)
class PreviewRow:
    unit: Unit
    before: Placing
    after: Placing

    @property
    def changed(self) -> bool:
        return self.before != self.after


def _placings(results: list[UnitResult], bands) -> dict[int, Placing]:
    return {
        r.assessment_id: Placing(
            r.rank, r.total.shown_index, calculations.band_for(r.total.index, bands)
        )
        for r in results
    }


def ranking_preview(
    year: AssessmentYear,
    *,
    tie_policy: str,
    bonus_max: Decimal,
    deduction_max: Decimal,
    bands: list[tuple[str, Decimal]],
) -> list[PreviewRow]:
    """Each unit's rank, index and band as they are and as they would be under the given
    settings, computed by the same engine as the ranking, saving nothing: 8 queries (tree,
    bands, then the year's results twice). Rows in the order of the proposed ranking."""
    tree = framework_tree(year.framework_id)
    current_bands = [(b.label, b.lower_bound) for b in year.bands.all()]
    before = _placings(year_results(year, tree, keep=()), current_bands)
    # An unsaved copy carrying the proposed settings, read by the engine like the real year.
    what_if = AssessmentYear(
        id=year.id,
        framework_id=year.framework_id,
        state=year.state,
        tie_policy=tie_policy,
        bonus_max=bonus_max,
        deduction_max=deduction_max,
    )
    results = year_results(what_if, tree, keep=())
    after = _placings(results, bands)
    rows = [PreviewRow(r.unit, before[r.assessment_id], after[r.assessment_id]) for r in results]
    return sorted(
        rows, key=lambda r: (r.after.rank is None, r.after.rank or 0, name_key(r.unit.name))
    )
