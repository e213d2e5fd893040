from django.core.exceptions import PermissionDenied

from units.roles import Roles

from ..models import Assessment, AssessmentYear
from .concurrency import Audit


def require_interior_admin(roles: Roles) -> None:
    if not roles.is_interior_admin:
        raise PermissionDenied


def lock_assessment(assessment: Assessment) -> Assessment:
    """The assessment with its year, both locked, the year first (the order every writer
    uses, so none waits on another in reverse). A step of the year (advance_year locks the
    year) then cannot slip between a writer's check of the state and its writes."""
    year = AssessmentYear.objects.select_for_update(of=("self",)).get(pk=assessment.year_id)
    locked = Assessment.objects.select_for_update(of=("self",)).get(pk=assessment.pk)
    locked.year = year
    if Assessment.unit.is_cached(assessment):
        locked.unit = assessment.unit  # as the caller loaded it: no query for the audit log
    return locked


def leaf_audit(kind: str, assessment: Assessment) -> Audit:
    """How a save of one assessment's leaves is logged: its year and unit, the leaf's code."""
    unit_name = assessment.unit.name

    def describe(node, row):
        return {
            "year": assessment.year_id,
            "unit": assessment.unit_id,
            "node_code": node.code,
            "target": f"{unit_name} · {node.code}",
        }

    return Audit(kind, describe)
