"""The unit's side of the year: saving leaves, evidence, submitting and withdrawing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from units.roles import Roles

from .. import audit, rules, uploads, workflow
from ..models import Assessment, Evidence, EvidenceLink, FrameworkNode, LeafScore
from ..selectors.entry import entry_statuses, why_explanation_locked, why_locked, window_open
from . import notifications
from .common import leaf_audit, lock_assessment, store_file
from .concurrency import Edit, save_versioned


def _require_unit_staff(assessment: Assessment, roles: Roles) -> None:
    if assessment.unit_id not in roles.unit_ids:
        raise PermissionDenied


def _lock(assessment: Assessment) -> Assessment:
    """The assessment row, locked: saves, submission and withdrawal of one unit take turns."""
    return lock_assessment(assessment)


def _require_open(assessment: Assessment) -> None:
    if (reason := why_locked(assessment)) is not None:
        raise ValidationError(reason)


@dataclass(frozen=True)
class LeafEntry:
    """What the unit typed for one leaf, and the version of the leaf it typed it over."""

    node_id: int
    version: int
    declared: dict[str, Any] = field(default_factory=dict)
    typed_score: Decimal | None = None  # manual leaves
    not_applicable: bool = False
    na_reason: str = ""
    explanation: str = ""


ENTRY_FIELDS = ["declared", "self_score", "not_applicable", "na_reason", "explanation"]


@transaction.atomic
def save_leaves(*, assessment: Assessment, roles: Roles, user, entries: Sequence[LeafEntry]) -> int:
    """Save a unit's entries for some leaves (one field's form); returns how many changed.

    A bounded number of queries whatever the number of leaves. Refused as a whole (nothing
    saved) when entry is closed, an entry is invalid, or someone else saved one of the changed
    leaves since the form was opened (``ConflictError``, with their version of each).
    """
    _require_unit_staff(assessment, roles)
    assessment = _lock(assessment)
    _require_open(assessment)
    if len({e.node_id for e in entries}) != len(entries):
        raise ValidationError(_("Một tiêu chí được gửi hai lần trong cùng một lần lưu."))
    nodes = FrameworkNode.objects.in_bulk([e.node_id for e in entries])
    stored = {
        row.node_id: row
        for row in LeafScore.objects.select_for_update(of=("self",))
        .filter(assessment=assessment, node_id__in=nodes)
        .select_related("updated_by")
    }
    problems, edits = [], []
    for entry in entries:
        node = nodes.get(entry.node_id)
        if node is None or node.framework_id != assessment.year.framework_id or not node.is_leaf:
            raise ValidationError(_("Tiêu chí không thuộc bộ chỉ số của năm này."))
        if node.filled_by != FrameworkNode.FilledBy.UNIT:
            raise ValidationError(_("%s: tiêu chí do Sở Nội vụ chấm.") % node.code)
        try:
            score = workflow.self_score(
                workflow.LeafRule.of(node),
                declared=entry.declared,
                typed_score=entry.typed_score,
                not_applicable=entry.not_applicable,
                na_reason=entry.na_reason,
            )
        except rules.DeclaredError as exc:
            problems.append(f"{node.code}: {exc.message}")
            continue
        new = (
            {} if entry.not_applicable else dict(entry.declared),
            score,
            entry.not_applicable,
            entry.na_reason.strip() if entry.not_applicable else "",
            entry.explanation.strip(),
        )
        edits.append(Edit(node, entry.version, new))
    if problems:
        raise ValidationError(problems)
    stored_by_node = {nodes[node_id]: row for node_id, row in stored.items()}
    written = save_versioned(
        model=LeafScore,
        stored=stored_by_node,
        edits=edits,
        fields=ENTRY_FIELDS,
        version_field="version",
        new_row=lambda node: LeafScore(assessment=assessment, node=node),
        user=user,
        stamp={"updated_by": user, "updated_at": timezone.now()},
        log=leaf_audit(audit.Kind.SELF, assessment),
    )
    return len(written)


def _require_leader(assessment: Assessment, roles: Roles) -> None:
    if assessment.unit_id not in roles.leader_of:
        raise PermissionDenied


@transaction.atomic
def submit_assessment(
    *, assessment: Assessment, roles: Roles, user, problems_seen: bool
) -> Assessment:
    """The leader sends the unit's self-assessment; after this it is read-only for the unit.

    Refused while a leaf is empty or N/A without a reason; warnings (points without evidence
    or explanation) need ``problems_seen``: the leader has read them and sends anyway.
    """
    _require_leader(assessment, roles)
    assessment = _lock(assessment)
    _require_open(assessment)
    problems = workflow.submission_problems(entry_statuses(assessment))
    blocking = [p for p in problems if p.blocking]
    if blocking:
        raise ValidationError(
            ngettext(
                "Còn %(n)s tiêu chí phải hoàn thiện trước khi gửi.",
                "Còn %(n)s tiêu chí phải hoàn thiện trước khi gửi.",
                len(blocking),
            )
            % {"n": len(blocking)}
        )
    if problems and not problems_seen:
        raise ValidationError(_("Hãy xác nhận đã xem các cảnh báo trước khi gửi."))
    _set_submission(
        assessment, user, audit.Kind.SUBMIT, Assessment.Status.SUBMITTED, timezone.now(), user
    )
    transaction.on_commit(lambda: notifications.submission_received(assessment))
    return assessment


@transaction.atomic
def withdraw_assessment(*, assessment: Assessment, roles: Roles, user) -> Assessment:
    """The leader takes a submission back to fix it, while the window is still open."""
    _require_leader(assessment, roles)
    assessment = _lock(assessment)
    if assessment.status != Assessment.Status.SUBMITTED:
        raise ValidationError(_("Bản tự đánh giá chưa được gửi."))
    if not window_open(assessment):
        raise ValidationError(_("Đã hết thời gian tự đánh giá, không thể rút lại."))
    _set_submission(assessment, user, audit.Kind.WITHDRAW, Assessment.Status.DRAFT, None, None)
    return assessment


SUBMISSION_FIELDS = ["status", "submitted_at", "submitted_by"]


def _set_submission(assessment: Assessment, user, kind: str, status, at, by) -> None:
    """Submit or withdraw, with a line in the audit log: the row keeps only the last
    submission, so each cycle of submit and withdraw lives on in the log (old → new)."""
    old = audit.values_of(assessment, SUBMISSION_FIELDS)
    assessment.status, assessment.submitted_at, assessment.submitted_by = status, at, by
    assessment.save(update_fields=SUBMISSION_FIELDS)
    audit.record(
        kind,
        user=user,
        year=assessment.year_id,
        unit=assessment.unit_id,
        target=str(assessment.unit),
        changes=audit.diff(old, audit.values_of(assessment, SUBMISSION_FIELDS)),
    )


def _check_upload(upload: UploadedFile) -> str:
    try:
        return uploads.check_evidence_file(
            upload.name, upload.size, upload, settings.EVIDENCE_MAX_BYTES
        )
    except uploads.UploadRefused as exc:
        raise ValidationError(str(exc)) from exc


def _leaf_row(assessment: Assessment, node: FrameworkNode, user) -> LeafScore:
    """The leaf's row, created empty when the unit attaches evidence before typing anything."""
    row = LeafScore.objects.filter(assessment=assessment, node=node).first()
    if row is None:
        row = LeafScore(assessment=assessment, node=node, updated_by=user)
        row._history_user = user
        row.save()
    return row


@transaction.atomic
def add_evidence(
    *,
    assessment: Assessment,
    roles: Roles,
    user,
    node: FrameworkNode,
    reference: str = "",
    upload: UploadedFile | None = None,
    document_number: str = "",
    document_date: date | None = None,
    existing: Evidence | None = None,
    written: list | None = None,
    supplementary: bool = False,
) -> EvidenceLink:
    """Attach a document to a leaf: a new upload, or a file the unit already uploaded for
    another leaf (one document often proves several). The leaf's history records it.

    A new file is written before the transaction commits; it is removed again if this call
    fails, and appended to ``written`` so that a caller whose later step fails can remove it.
    ``supplementary``: added in the explanation round, to a leaf the appraisal flagged.
    """
    _require_unit_staff(assessment, roles)
    assessment = _lock(assessment)
    if supplementary:
        if (reason := why_explanation_locked(assessment)) is not None:
            raise ValidationError(reason)
    else:
        _require_open(assessment)
    if node.framework_id != assessment.year.framework_id or not node.is_leaf:
        raise ValidationError(_("Tiêu chí không thuộc bộ chỉ số của năm này."))
    if node.filled_by != FrameworkNode.FilledBy.UNIT:
        raise ValidationError(_("%s: tiêu chí do Sở Nội vụ chấm.") % node.code)
    if (upload is None) == (existing is None):
        raise ValidationError(_("Chọn một tệp để tải lên hoặc một tài liệu đã có."))
    leaf = _leaf_row(assessment, node, user)
    if supplementary and not leaf.flagged:
        raise ValidationError(_("Chỉ giải trình các tiêu chí được yêu cầu."))
    if existing is not None:
        if existing.assessment_id != assessment.id:
            raise PermissionDenied
        if EvidenceLink.objects.filter(evidence=existing, leaf=leaf).exists():
            raise ValidationError(_("Tài liệu này đã được gắn với tiêu chí."))
        evidence = existing
    else:
        content_type = _check_upload(upload)
        evidence = Evidence(
            assessment=assessment,
            original_name=upload.name[:255],
            content_type=content_type,
            size=upload.size,
            document_number=document_number.strip(),
            document_date=document_date,
            uploaded_by=user,
        )
        store_file(evidence.file, upload.name, upload, shown_name=upload.name)
        try:
            evidence.save()
        except Exception:
            evidence.file.storage.delete(evidence.file.name)
            raise
        if written is not None:
            written.append(evidence.file)
    link = EvidenceLink.objects.create(
        evidence=evidence, leaf=leaf, reference=reference.strip(), supplementary=supplementary
    )
    _record_event(
        leaf,
        user,
        _("Gắn tài liệu “%(name)s”%(where)s")
        % {
            "name": evidence.original_name,
            "where": f" ({link.reference})" if link.reference else "",
        },
    )
    _log_evidence(assessment, node, user, link, added=True)
    return link


def _record_event(leaf: LeafScore, user, note: str) -> None:
    """A line in the leaf's history for a change that is not one of its own fields."""
    leaf._change_reason = note
    leaf._history_user = user
    leaf.save(update_fields=["updated_at"])


def _link_values(link: EvidenceLink) -> dict[str, Any]:
    evidence = link.evidence
    return {
        "original_name": evidence.original_name,
        "document_number": evidence.document_number,
        "document_date": evidence.document_date,
        "reference": link.reference,
        "supplementary": link.supplementary,
    }


def _log_evidence(
    assessment: Assessment, node: FrameworkNode, user, link: EvidenceLink, *, added: bool, note=""
) -> None:
    """A document put on or taken off a leaf, in the audit log: added as nothing → values,
    removed as values → nothing, so the removed link is kept there in full."""
    values = _link_values(link)
    empty = dict.fromkeys(values)
    audit.record(
        audit.Kind.EVIDENCE,
        user=user,
        year=assessment.year_id,
        unit=assessment.unit_id,
        node_code=node.code,
        target=f"{assessment.unit.name} · {node.code}",
        changes=audit.diff(empty, values) if added else audit.diff(values, empty),
        note=note,
    )


@transaction.atomic
def remove_evidence_link(*, assessment: Assessment, roles: Roles, user, link: EvidenceLink) -> None:
    """Take a document off a leaf; a document no leaf uses any more is deleted with its file."""
    _require_unit_staff(assessment, roles)
    assessment = _lock(assessment)
    _require_open(assessment)
    if link.leaf.assessment_id != assessment.id:
        raise PermissionDenied
    evidence = link.evidence
    link.delete()
    _record_event(link.leaf, user, _("Gỡ tài liệu “%(name)s”") % {"name": evidence.original_name})
    orphan = not evidence.links.exists()
    note = _("Tài liệu không còn gắn với tiêu chí nào nên đã bị xóa.") if orphan else ""
    _log_evidence(assessment, link.leaf.node, user, link, added=False, note=note)
    if orphan:
        storage, name = evidence.file.storage, evidence.file.name
        evidence.delete()
        # The file goes only once the deletion is committed: a rollback must not lose it.
        transaction.on_commit(lambda: storage.delete(name))


@dataclass(frozen=True)
class Attachment:
    """A document to attach to a leaf in the same save as the entries."""

    node: FrameworkNode
    reference: str = ""
    upload: UploadedFile | None = None
    document_number: str = ""
    document_date: date | None = None
    existing: Evidence | None = None


def save_with_attachments(
    *,
    assessment: Assessment,
    roles: Roles,
    user,
    write: Callable[[], int],
    attachments: Sequence[Attachment] = (),
    supplementary: bool = False,
) -> int:
    """Run ``write`` and attach the documents, all or nothing.

    Files are checked before anything is written; should a later step still fail, the files
    this call wrote are removed, since a rolled-back transaction does not take them along.
    """
    for attachment in attachments:
        if attachment.upload is not None:
            _check_upload(attachment.upload)
    written: list = []
    try:
        with transaction.atomic():
            changed = write()
            for attachment in attachments:
                add_evidence(
                    assessment=assessment,
                    roles=roles,
                    user=user,
                    node=attachment.node,
                    reference=attachment.reference,
                    upload=attachment.upload,
                    document_number=attachment.document_number,
                    document_date=attachment.document_date,
                    existing=attachment.existing,
                    written=written,
                    supplementary=supplementary,
                )
    except BaseException:
        for file in written:
            file.storage.delete(file.name)
        raise
    return changed + len(attachments)


def save_field(
    *,
    assessment: Assessment,
    roles: Roles,
    user,
    entries: Sequence[LeafEntry],
    attachments: Sequence[Attachment] = (),
) -> int:
    """One field's form: its entries and the documents attached with them, all or nothing."""
    return save_with_attachments(
        assessment=assessment,
        roles=roles,
        user=user,
        write=lambda: save_leaves(assessment=assessment, roles=roles, user=user, entries=entries),
        attachments=attachments,
    )
