"""One access helper per object type; every view goes through them.

They return the object or raise 404 when the user has no right to know it exists (an unpublished
year, another unit's assessment), so nothing leaks through a 403.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from units.roles import Roles

from .models import Assessment, AssessmentYear


def get_year_for_ranking(roles: Roles, year_id: int) -> AssessmentYear:
    """Published years for every signed-in user; unpublished ones for the Interior Department."""
    year = get_object_or_404(
        AssessmentYear.objects.select_related("unit_level", "framework"), pk=year_id
    )
    if not can_see_ranking(roles, year):
        raise Http404
    return year


def can_see_ranking(roles: Roles, year: AssessmentYear) -> bool:
    return year.is_published or roles.is_interior_staff


def get_assessment_for_user(roles: Roles, year_id: int, unit_code: str) -> Assessment:
    """A unit's assessment: its own staff and the Interior Department always; others once it
    is published."""
    assessment = get_object_or_404(
        Assessment.objects.select_related("year__unit_level", "year__framework", "unit"),
        year_id=year_id,
        unit__code=unit_code,
    )
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
