"""One access helper per object type; every view goes through them.

They return the object or raise 404 when the user has no right to know it exists (an unpublished
year, another unit's assessment), so nothing leaks through a 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from units.models import UnitLevel, UnitSuccession
from units.roles import Roles

from .models import (
    Adjustment,
    Assessment,
    AssessmentYear,
    Evidence,
    EvidenceLink,
    FieldAssignment,
    FrameworkNode,
    Job,
    LeafScore,
    Notification,
)
from .selectors.entry import (
    explanation_open,
    explanation_round_open,
    explanation_sent,
    is_open,
    window_open,
)


def _assessment(year_id: int, unit_code: str) -> Assessment:
    """A unit's assessment of a year, with what every page of it shows (one query)."""
    return get_object_or_404(
        Assessment.objects.select_related("year__unit_level", "year__framework", "unit"),
        year_id=year_id,
        unit__code=unit_code,
    )


def get_year_for_ranking(roles: Roles, year_id: int) -> AssessmentYear:
    """Published years for every signed-in user; unpublished ones for the Interior Department."""
    year = get_object_or_404(
        AssessmentYear.objects.select_related("unit_level", "framework"), pk=year_id
    )
    if not can_see_ranking(roles, year):
        raise Http404
    return year


def can_see_ranking(roles: Roles, year: AssessmentYear) -> bool:
    # A ranking is appraised scores: the same rule.
    return can_see_final_scores(roles, year)


def get_assessment_for_user(roles: Roles, year_id: int, unit_code: str) -> Assessment:
    """A unit's assessment: its own staff and the Interior Department always; others once it
    is published."""
    assessment = _assessment(year_id, unit_code)
    if not (
        assessment.year.is_published
        or roles.is_interior_staff
        or assessment.unit_id in roles.unit_ids
    ):
        raise Http404
    return assessment


def get_assessment_for_insight(roles: Roles, year_id: int, unit_code: str) -> Assessment:
    """Where a unit lost points, what it takes to climb, the what-if and its Word report: its
    appraised scores beside the other units of its level, so the scorecard's rule and, on top,
    the ranking's (published, or the Interior Department). Anyone else: not found."""
    assessment = get_assessment_for_user(roles, year_id, unit_code)
    if not can_see_final_scores(roles, assessment.year):
        raise Http404
    return assessment


def can_see_overclaim(roles: Roles, assessment: Assessment) -> bool:
    """Self-assessment against appraisal: both layers must be visible to the reader."""
    return can_see_self_scores(roles, assessment) and can_see_final_scores(roles, assessment.year)


def can_see_working_figures_through(roles: Roles, unit_id: int, trail) -> bool:
    """Self-scores and appraisers' reasons of ``unit_id``, reached from a unit it became through
    ``trail`` (its ``UnitSuccession`` links). A rename keeps the unit, so its staff keep sight of
    its figures under the old name; a merge or a split hands over another unit's working
    figures, which stay the Interior Department's (and that unit's own staff's)."""
    return (
        roles.is_interior_staff
        or unit_id in roles.unit_ids
        or all(link.kind == UnitSuccession.Kind.RENAME for link in trail)
    )


def get_year_for_level_insight(roles: Roles, year_id: int) -> AssessmentYear:
    """A level's table of units by over-claim: every unit's self-scores side by side, the
    Interior Department's alone. (Its common gaps and the year's Word report hold appraised
    results only: they follow the ranking, ``get_year_for_ranking``.)"""
    year = get_year_for_ranking(roles, year_id)
    if not roles.is_interior_staff:
        raise Http404
    return year


def can_see_final_scores(roles: Roles, year: AssessmentYear) -> bool:
    """Appraised scores reach units when the year is published (until then they may change)."""
    return year.is_published or roles.is_interior_staff


def can_see_self_scores(roles: Roles, assessment: Assessment) -> bool:
    """A unit's own self-scores are its working figures: its staff and the Interior Department."""
    return roles.is_interior_staff or assessment.unit_id in roles.unit_ids


def get_assessment_for_entry(roles: Roles, year_id: int, unit_code: str) -> Assessment:
    """A unit's self-assessment: its own staff (who edit it) and the Interior Department (who
    read it). Anyone else, including other units' staff, is told it does not exist."""
    assessment = _assessment(year_id, unit_code)
    if not (roles.is_interior_staff or assessment.unit_id in roles.unit_ids):
        raise Http404
    return assessment


def get_rw_assessment_for_entry(roles: Roles, year_id: int, unit_code: str) -> Assessment:
    """As ``get_assessment_for_entry``, for a change: the Interior Department may read a unit's
    entry but not change it (403)."""
    assessment = get_assessment_for_entry(roles, year_id, unit_code)
    if assessment.unit_id not in roles.unit_ids:
        raise PermissionDenied
    return assessment


def get_leaf_for_entry(assessment: Assessment, node_code: str) -> FrameworkNode:
    return get_object_or_404(
        FrameworkNode.objects.exclude(rule=""),
        framework_id=assessment.year.framework_id,
        code=node_code,
    )


def get_evidence_for_entry(assessment: Assessment, evidence_id: int) -> Evidence:
    return get_object_or_404(Evidence, pk=evidence_id, assessment=assessment)


def get_link_for_entry(assessment: Assessment, link_id: int) -> EvidenceLink:
    return get_object_or_404(
        EvidenceLink.objects.select_related("evidence", "leaf__node"),
        pk=link_id,
        leaf__assessment=assessment,
    )


def can_edit_entry(roles: Roles, assessment: Assessment) -> bool:
    """The unit's own staff, while its entry is open (window open, nothing submitted)."""
    return assessment.unit_id in roles.unit_ids and is_open(assessment)


def is_leader_of(roles: Roles, assessment: Assessment) -> bool:
    """The unit's leader: the one who submits and withdraws its self-assessment."""
    return assessment.unit_id in roles.leader_of


def can_withdraw(roles: Roles, assessment: Assessment) -> bool:
    """The leader may take a submission back while the self-assessment window is open."""
    return (
        is_leader_of(roles, assessment)
        and assessment.status == Assessment.Status.SUBMITTED
        and window_open(assessment)
    )


# The flags and round-1 scores reach the unit from the explanation round on; before it they
# are the appraisers' working figures.
FLAGS_SHOWN_FROM = (
    AssessmentYear.State.EXPLANATION,
    AssessmentYear.State.FINAL_APPRAISAL,
    AssessmentYear.State.PUBLISHED,
)


def can_see_flags(roles: Roles, year: AssessmentYear) -> bool:
    """Which leaves the appraisal asked the unit to explain (with their round-1 score)."""
    return year.state in FLAGS_SHOWN_FROM or roles.is_interior_staff


def can_edit_explanation(roles: Roles, assessment: Assessment) -> bool:
    """The unit's staff (officers and leader) answer while the round is open."""
    return assessment.unit_id in roles.unit_ids and explanation_open(assessment)


def can_send_explanations(roles: Roles, assessment: Assessment) -> bool:
    """The leader sends the unit's answers, while the unit may still answer (round open,
    before its deadline, not yet sent)."""
    return is_leader_of(roles, assessment) and explanation_open(assessment)


def can_take_back_explanations(roles: Roles, assessment: Assessment) -> bool:
    """The leader takes sent answers back to change them, while the round is still open."""
    return (
        is_leader_of(roles, assessment)
        and explanation_sent(assessment)
        and explanation_round_open(assessment)
    )


def get_assessment_for_appraisal(roles: Roles, year_id: int, unit_code: str) -> Assessment:
    """A unit's assessment as the Interior Department appraises it; nobody else knows the
    appraisal pages exist."""
    if not roles.is_interior_staff:
        raise Http404
    return _assessment(year_id, unit_code)


def get_year_for_appraisal(roles: Roles, year_id: int) -> AssessmentYear:
    if not roles.is_interior_staff:
        raise Http404
    return get_object_or_404(
        AssessmentYear.objects.select_related("unit_level", "framework"), pk=year_id
    )


def get_year_for_admin(roles: Roles, year_id: int) -> AssessmentYear:
    """A year as its admins run it: unknown to anyone outside the Interior Department (404),
    closed to its appraisers (403)."""
    year = get_year_for_appraisal(roles, year_id)
    if not roles.is_interior_admin:
        raise PermissionDenied
    return year


def get_level_for_history(level_code: str) -> UnitLevel:
    """A unit level's index over the years: open to every signed-in user, since it shows
    published years only (the page and its download both come through here)."""
    return get_object_or_404(UnitLevel, code=level_code)


def can_edit_survey(roles: Roles, year: AssessmentYear) -> bool:
    """The survey grid: the Interior Department while the year is being appraised (an appraiser
    only on the survey fields assigned to them; the service checks each cell)."""
    return (roles.is_interior_admin or roles.is_appraiser) and year.in_appraisal


def can_edit_ledger(roles: Roles, year: AssessmentYear) -> bool:
    """A unit's bonus/deduction ledger: the Interior Department's admins, before publication."""
    return roles.is_interior_admin and year.in_appraisal


def why_not_edit_ledger(roles: Roles, year: AssessmentYear) -> str | None:
    """Why ``can_edit_ledger`` refuses this person now, in words for the ledger page: the role
    first (it holds in every step), then the year's step. ``None`` when they may edit."""
    if not roles.is_interior_admin:
        return _("Bạn chỉ xem được sổ này: chỉ Quản trị Sở Nội vụ được thêm, xóa mục.")
    if not year.in_appraisal:
        return _(
            "Kỳ đánh giá đang ở bước “%(state)s”: sổ chỉ được thêm, xóa từ bước Thẩm định "
            "đến trước khi công bố."
        ) % {"state": year.get_state_display()}
    return None


def get_assessment_for_ledger(roles: Roles, year_id: int, unit_code: str) -> Assessment:
    """A unit's ledger: read by the whole Interior Department, unknown to anyone else."""
    return get_assessment_for_appraisal(roles, year_id, unit_code)


def get_rw_assessment_for_ledger(roles: Roles, year_id: int, unit_code: str) -> Assessment:
    """As ``get_assessment_for_ledger``, for a change: appraisers read it, only admins write
    (403). Outside the appraisal the service refuses with a message the page shows."""
    assessment = get_assessment_for_ledger(roles, year_id, unit_code)
    if not roles.is_interior_admin:
        raise PermissionDenied
    return assessment


def get_ledger_entry(assessment: Assessment, entry_id: int) -> Adjustment:
    """An entry of this unit's ledger; one of another unit's is not found here."""
    entry = get_object_or_404(
        Adjustment.objects.select_related("kind"), pk=entry_id, assessment=assessment
    )
    entry.assessment = assessment  # as loaded, with its year and unit: no query for them
    return entry


def can_see_whole_log(roles: Roles) -> bool:
    """Every line of a year's (or a unit's) change log: the Interior Department (appraisers and
    admins); a unit's staff see their unit's log filtered (selectors.audit)."""
    return roles.is_interior_staff


def get_assessment_for_log(roles: Roles, year_id: int, unit_code: str) -> Assessment:
    """A unit's audit log of a year: its own staff and the Interior Department; anyone else is
    told it does not exist."""
    return get_assessment_for_entry(roles, year_id, unit_code)


def require_interior_admin(roles: Roles) -> None:
    """Pages of the Interior Department's admins that belong to no year (accounts, a new year):
    for anyone else they do not exist."""
    if not roles.is_interior_admin:
        raise Http404


# --- which leaves an appraiser may edit ------------------------------------------------------

APPRAISAL_ROUNDS = {AssessmentYear.State.APPRAISAL: 1, AssessmentYear.State.FINAL_APPRAISAL: 2}


def appraisal_round(year: AssessmentYear) -> int | None:
    """The round the year is in (1 or 2), or ``None`` outside the appraisal rounds."""
    return APPRAISAL_ROUNDS.get(year.state)


def appraisable_fields(*, year: AssessmentYear, roles: Roles, user) -> set[int] | None:
    """Ids of the fields this person appraises in a year; ``None`` means every field (the
    Interior Department's admins)."""
    if roles.is_interior_admin:
        return None
    if not roles.is_appraiser:
        return set()
    return set(
        FieldAssignment.objects.filter(year=year, appraiser=user).values_list("field_id", flat=True)
    )


@dataclass(frozen=True)
class AppraisalScope:
    """What one person may appraise in a year now: the page and the service ask the same."""

    round_no: int | None  # None: the year is in no appraisal round
    fields: frozenset[int] | None  # ids of their fields; None: every field
    correcting: bool  # a published year reopened: round 2 may re-score any leaf

    def may_edit_field(self, field_id: int) -> bool:
        return self.round_no is not None and (self.fields is None or field_id in self.fields)

    def why_not_leaf(self, node: FrameworkNode, row: LeafScore | None) -> str | None:
        """Why a leaf is not appraised in this round, whoever asks; ``None`` when it is."""
        if node.filled_by != FrameworkNode.FilledBy.UNIT:
            return _("Điểm điều tra xã hội học nhập ở bảng điều tra.")
        if row is not None and row.not_applicable:
            return _("Đơn vị đã đánh dấu không áp dụng.")
        if self.round_no == 2 and not self.correcting and not (row is not None and row.flagged):
            return _("Chỉ thẩm định lại tiêu chí đã yêu cầu giải trình.")
        return None


def appraisal_scope(roles: Roles, year: AssessmentYear, user) -> AppraisalScope:
    """The leaves this person may appraise: their assigned fields (every field for an admin),
    in the round the year is in; in round 2 only the flagged leaves unless the year was
    reopened for a correction; never the survey (its own grid) nor a leaf the unit declared
    not applicable (``why_not_leaf``). At most 2 queries."""
    round_no = appraisal_round(year)
    if roles.is_interior_admin or roles.is_appraiser:
        allowed = appraisable_fields(year=year, roles=roles, user=user)
        fields = None if allowed is None else frozenset(allowed)
    else:
        fields = frozenset()
    correcting = round_no == 2 and year.reopenings.exists()
    return AppraisalScope(round_no=round_no, fields=fields, correcting=correcting)


def get_own_notification(user, notification_id: int) -> Notification:
    """A notification is its recipient's alone: anyone else's is not found (404)."""
    return get_object_or_404(Notification, pk=notification_id, recipient=user)


def get_job_for_user(user, job_id: int) -> Job:
    """A background export or import is its owner's alone: anyone else, an administrator
    too, gets 404. (Takes the user, not the roles: roles say what one may see, not who one is.)
    A job's file is downloaded only while the rule of the page that asked for it still holds:
    ``scoring.services.jobs.build_exporter`` runs that page's helper again."""
    return get_object_or_404(Job.objects.select_related("owner"), pk=job_id, owner_id=user.pk)
