"""One access helper per object type; every view goes through them.

They return the object or raise 404 when the user has no right to know it exists (an unpublished
year, another unit's assessment), so nothing leaks through a 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from units.models import UnitLevel
from units.roles import Roles

from .models import Assessment, AssessmentYear, Evidence, EvidenceLink, FrameworkNode


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
        EvidenceLink.objects.select_related("evidence", "leaf"),
        pk=link_id,
        leaf__assessment=assessment,
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


def can_see_year_log(roles: Roles) -> bool:
    """A year's audit log: the Interior Department (appraisers and admins)."""
    return roles.is_interior_staff


def get_assessment_for_log(roles: Roles, year_id: int, unit_code: str) -> Assessment:
    """A unit's audit log of a year: its own staff and the Interior Department; anyone else is
    told it does not exist."""
    return get_assessment_for_entry(roles, year_id, unit_code)


def require_accounts_admin(roles: Roles) -> None:
    """The accounts pages: the Interior Department's admins; for anyone else they do not exist."""
    if not roles.is_interior_admin:
        raise Http404
