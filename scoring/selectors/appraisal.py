"""The Interior Department's appraisal pages: the year's work list and a unit's field."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from ..models import AppraisalReason, Assessment, AssessmentYear, FrameworkNode, LeafScore
from .entry import EntryRow, entry_page


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


def worklist(year: AssessmentYear) -> list[WorkItem]:
    """Every unit of the year with its counts: 3 queries whatever the number of units."""
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
    return sorted(items, key=lambda item: item.assessment.unit.name)


@dataclass
class AppraisalPage:
    entry: object  # the EntryPage of the field: leaves, entries, evidence, progress
    reasons: list[AppraisalReason]

    @property
    def rows(self) -> list[EntryRow]:
        return self.entry.rows


def appraisal_page(assessment: Assessment, field_code: str | None) -> AppraisalPage | None:
    page = entry_page(assessment, field_code)
    if page is None:
        return None
    return AppraisalPage(entry=page, reasons=list(AppraisalReason.objects.filter(is_active=True)))
