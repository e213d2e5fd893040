"""The Interior Department's bonus and deduction ledger of a unit's year.

The ledger is versioned as a whole (``Assessment.ledger_version``): two admins working from the
same page must not both enter the same deduction, nor remove an entry the other has just
replaced. Every addition and removal is in the audit log; a removed entry is kept there in full
and its document stays on disk, named by the log.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from units.roles import Roles

from .. import audit, rules, uploads
from ..models import Adjustment, AdjustmentKind, Assessment
from .common import lock_assessment, require_interior_admin, store_file
from .concurrency import check_version
from .results import AdjustmentRecord, adjustment_entry

# Room left for the storage's suffix when the name is taken (``_abc1234``).
DISK_NAME_BYTES = 200

# What the log keeps of an entry: every value it was made with.
ENTRY_FIELDS = ["kind", "direction", "points", "count", "reason", "document"]


def _open_ledger(assessment: Assessment, version: int | None) -> Assessment:
    """The assessment locked, once the ledger may change and the page's version is current
    (``None``: a caller holding no page, e.g. an import, which has nothing to be stale)."""
    assessment = lock_assessment(assessment)
    if not assessment.year.in_appraisal:
        raise ValidationError(
            _("Điểm thưởng, điểm trừ chỉ nhập trong thời gian thẩm định (trước khi công bố).")
        )
    if version is not None:
        check_version(assessment, "ledger_version", version)
    return assessment


def _disk_name(name: str) -> str:
    """The user's file name, shortened to what a file system takes: the column's 100
    characters are cut by the storage, but Vietnamese letters take two or three bytes each and
    a file name stops at 255 bytes."""
    path = PurePath(name)
    stem, suffix = path.stem, path.suffix[:10]
    while len(f"{stem}{suffix}".encode()) > DISK_NAME_BYTES and stem:
        stem = stem[:-1]
    return f"{stem}{suffix}"


def _bump(assessment: Assessment) -> None:
    assessment.ledger_version += 1
    assessment.save(update_fields=["ledger_version"])


def _values(entry: Adjustment) -> dict:
    values = audit.values_of(entry, ENTRY_FIELDS)
    values["kind"] = entry.kind.name
    values["document"] = entry.document.name or None
    return values


def _log(kind: str, entry: Adjustment, assessment: Assessment, user, changes, note="") -> None:
    audit.record(
        kind,
        user=user,
        year=assessment.year_id,
        unit=assessment.unit_id,
        target=f"{assessment.unit.name} · {entry.kind.name}",
        changes=changes,
        note=note,
    )


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
    version: int | None = None,
) -> Adjustment:
    """One ledger entry; its block is clamped to the year's cap when totals are computed.

    ``version`` is the ledger's version the page showed: refused (``ConflictError``, nothing
    saved) when someone changed the ledger since; a page that did not say passes -1 (never
    current). ``None``: a caller holding no page (an import), nothing to be stale.
    """
    require_interior_admin(roles)
    assessment = _open_ledger(assessment, version)
    kinds = {k.code: k for k in AdjustmentKind.objects.filter(code=kind)}
    try:
        entry = adjustment_entry(
            kinds.get(kind), AdjustmentRecord(kind, reason, points=points, count=count)
        )
    except rules.DeclaredError as exc:
        # The score check names its field "score"; here the figure is the entry's points.
        field = "points" if exc.field == "score" else exc.field
        raise ValidationError({field: exc.message}) from exc
    entry.assessment, entry.created_by = assessment, user
    if document is not None:
        try:
            uploads.check_evidence_file(
                document.name, document.size, document, settings.EVIDENCE_MAX_BYTES
            )
        except uploads.UploadRefused as exc:
            raise ValidationError({"document": str(exc)}) from exc
        store_file(
            entry.document,
            _disk_name(document.name),
            document,
            shown_name=document.name,
            form_field="document",
        )
    try:
        entry.save()
        _bump(assessment)
        values = _values(entry)
        if document is not None:
            values["document"] = document.name  # as the user named it; the note has its path
        _log(
            audit.Kind.LEDGER_ADD,
            entry,
            assessment,
            user,
            audit.diff(dict.fromkeys(values), values),
            note=_("Tệp lưu tại: %s") % entry.document.name if entry.document else "",
        )
    except Exception:
        if entry.document:
            entry.document.storage.delete(entry.document.name)
        raise
    return entry


@transaction.atomic
def remove_adjustment(
    *, adjustment: Adjustment, roles: Roles, user=None, version: int | None = None
) -> None:
    """Take an entry off the ledger. Its values stay in the audit log (old → nothing) and its
    document stays on disk, named in the log's note, so the removed record is complete.

    ``version`` as for ``add_adjustment``: a page showing an older ledger is refused.
    """
    require_interior_admin(roles)
    assessment = _open_ledger(adjustment.assessment, version)
    # Read again under the lock: the entry as it is now, if it is still there.
    adjustment = (
        Adjustment.objects.select_related("kind")
        .filter(pk=adjustment.pk, assessment=assessment)
        .first()
    )
    if adjustment is None:
        raise ValidationError(_("Mục này không còn trong sổ."))
    values = _values(adjustment)
    note = _("Tài liệu được giữ lại tại: %s") % values["document"] if values["document"] else ""
    adjustment.delete()
    _bump(assessment)
    _log(
        audit.Kind.LEDGER_REMOVE,
        adjustment,
        assessment,
        user,
        audit.diff(values, dict.fromkeys(values)),
        note=note,
    )
