"""The Interior Department's bonus and deduction ledger of a unit's year."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from units.roles import Roles

from .. import rules, uploads
from ..models import Adjustment, AdjustmentKind, Assessment
from .common import lock_assessment, require_interior_admin
from .results import AdjustmentRecord, adjustment_entry


def _require_ledger_open(assessment: Assessment) -> Assessment:
    assessment = lock_assessment(assessment)
    if not assessment.year.in_appraisal:
        raise ValidationError(
            _("Điểm thưởng, điểm trừ chỉ nhập trong thời gian thẩm định (trước khi công bố).")
        )
    return assessment


@transaction.atomic
def add_adjustment(
    *,
    assessment: Assessment,
    roles: Roles,
    user,
    kind: str,
    reason: str,
    points: Decimal | None = None,
    count: int | None = None,
    document: UploadedFile | None = None,
) -> Adjustment:
    """One ledger entry; its block is clamped to the year's cap when totals are computed."""
    require_interior_admin(roles)
    assessment = _require_ledger_open(assessment)
    kinds = {k.code: k for k in AdjustmentKind.objects.filter(code=kind)}
    try:
        entry = adjustment_entry(
            kinds.get(kind), AdjustmentRecord(kind, reason, points=points, count=count)
        )
    except rules.DeclaredError as exc:
        raise ValidationError({exc.field: exc.message}) from exc
    entry.assessment, entry.created_by = assessment, user
    if document is not None:
        try:
            uploads.check_evidence_file(
                document.name, document.size, document, settings.EVIDENCE_MAX_BYTES
            )
        except uploads.UploadRefused as exc:
            raise ValidationError({"document": str(exc)}) from exc
        entry.document.save(document.name, document, save=False)
    try:
        entry.save()
    except Exception:
        if entry.document:
            entry.document.storage.delete(entry.document.name)
        raise
    return entry


@transaction.atomic
def remove_adjustment(*, adjustment: Adjustment, roles: Roles) -> None:
    require_interior_admin(roles)
    _require_ledger_open(adjustment.assessment)
    storage, name = adjustment.document.storage, adjustment.document.name
    adjustment.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
