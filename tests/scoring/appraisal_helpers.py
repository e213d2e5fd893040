"""Helpers shared by the tests of the Interior Department's pages: reach a unit's leaves of a
year and appraise them through the service."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from scoring.models import Assessment, AssessmentYear, FrameworkNode, LeafScore
from scoring.services import AppraisalEntry, appraise_leaves
from units.roles import roles_of

VQ, HL = "vu-quang", "tx-hong-linh"

# Vũ Quang's field 1, unscored in the demo's 2023, with each leaf's maximum.
VQ_FIELD_1 = {
    "1.1.1": "1",
    "1.1.2": "2",
    "1.2.1": "1.5",
    "1.3.1": "1",
    "1.3.2": "1",
    "1.4.1": "0.5",
    "1.4.2": "1",
    "1.5.1": "2",
}


def assessment_of(year, unit=VQ):
    return Assessment.objects.select_related("year", "unit").get(year=year, unit__code=unit)


def node_of(year, code):
    return FrameworkNode.objects.get(framework_id=year.framework_id, code=code)


def leaf(year, code, unit=VQ):
    return LeafScore.objects.filter(
        assessment__year=year, assessment__unit__code=unit, node__code=code
    ).first()


def entry(year, code, score=None, reason="", comment="", flagged=False, version=None, unit=VQ):
    """An appraiser's input for one leaf; the version is the leaf's current one unless given."""
    if version is None:
        row = leaf(year, code, unit)
        version = row.appraisal_version if row else 0
    return AppraisalEntry(
        node_id=node_of(year, code).id,
        version=version,
        score=Decimal(score) if score is not None else None,
        reason=reason,
        comment=comment,
        flagged=flagged,
    )


def appraise(user, year, *entries, unit=VQ, round_no=1):
    return appraise_leaves(
        assessment=assessment_of(year, unit),
        roles=roles_of(user),
        user=user,
        round_no=round_no,
        entries=list(entries),
    )


def open_explanation_round(appraiser, year):
    """Vũ Quang's 1.3.2 and 2.3.1 scored below their maximum and flagged, then the year put in
    its explanation round (open for a day)."""
    appraise(
        appraiser,
        year,
        entry(year, "1.3.2", "0.75", "missing-evidence", "Biên bản chưa ký", flagged=True),
        entry(year, "2.3.1", "1", "late", "Nộp muộn", flagged=True),
    )
    AssessmentYear.objects.filter(pk=year.pk).update(
        state="explanation", explanation_closes=timezone.now() + dt.timedelta(days=1)
    )
    return AssessmentYear.objects.get(pk=year.pk)
