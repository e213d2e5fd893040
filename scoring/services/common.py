import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

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


logger = logging.getLogger(__name__)


def store_file(field_file, disk_name: str, content, *, shown_name: str, form_field=None) -> None:
    """Write an uploaded file through the private storage. A storage that cannot write (a full
    disk, an object store that does not answer: ``cchc.s3`` reports it as an OSError) is said
    to the user, and the caller's transaction takes the rest back: nothing half-saved."""
    try:
        field_file.save(disk_name, content, save=False)
    except OSError as exc:
        logger.exception("%s could not be stored", field_file.field)
        message = _(
            "Chưa lưu: không ghi được tệp “%(name)s” vào kho tài liệu. Hãy thử lại sau; "
            "nếu vẫn lỗi, hãy báo quản trị hệ thống."
        ) % {"name": shown_name}
        raise ValidationError({form_field: message} if form_field else message) from exc
