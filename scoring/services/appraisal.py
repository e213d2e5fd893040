"""The Interior Department's appraisal of a unit's leaves, round 1 and round 2."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from units.roles import Roles

from .. import access, audit, rules, workflow
from ..models import AppraisalReason, Assessment, FrameworkNode, LeafScore
from .common import leaf_audit, lock_assessment
from .concurrency import Edit, save_versioned

# Kept here for the callers that ask the service module; the rule lives in ``access``.
appraisable_fields = access.appraisable_fields


@dataclass(frozen=True)
class AppraisalEntry:
    """An appraiser's input for one leaf, and the appraisal version their page showed."""

    node_id: int
    version: int
    score: Decimal | None
    reason: str = ""  # an AppraisalReason code
    comment: str = ""
    flagged: bool = False  # round 1: ask the unit to explain this leaf


FIELDS = {
    1: ["r1_score", "r1_reason", "r1_comment", "flagged"],
    2: ["r2_score", "r2_reason", "r2_comment"],
}


@transaction.atomic
def appraise_leaves(
    *,
    assessment: Assessment,
    roles: Roles,
    user,
    round_no: int,
    entries: Sequence[AppraisalEntry],
) -> int:
    """Save appraisal scores of one round; returns how many leaves changed.

    Round 1 while the year is in appraisal, round 2 (flagged leaves only) in final appraisal;
    an appraiser only on the fields assigned to them. A score below the maximum needs a reason
    from the list (and a comment where the reason asks for one). All or nothing, with the same
    optimistic lock as the unit's entry (``ConflictError``).
    """
    if not (roles.is_appraiser or roles.is_interior_admin):
        raise PermissionDenied
    assessment = lock_assessment(assessment)
    year = assessment.year
    scope = access.appraisal_scope(roles, year, user)
    if scope.round_no != round_no:
        raise ValidationError(
            _("Kỳ đánh giá đang ở bước “%(state)s”: không thẩm định vòng %(n)s được.")
            % {"state": year.get_state_display(), "n": round_no}
        )
    nodes = FrameworkNode.objects.in_bulk([e.node_id for e in entries])
    field_ids = dict(
        FrameworkNode.objects.filter(framework_id=year.framework_id, parent=None).values_list(
            "code", "id"
        )
    )
    reasons = {r.code: r for r in AppraisalReason.objects.filter(is_active=True)}
    stored = {
        row.node_id: row
        for row in LeafScore.objects.select_for_update(of=("self",)).filter(
            assessment=assessment, node_id__in=nodes
        )
    }
    problems, edits = [], []
    for entry in entries:
        node = nodes.get(entry.node_id)
        if node is None or node.framework_id != year.framework_id or not node.is_leaf:
            raise ValidationError(_("Tiêu chí không thuộc bộ chỉ số của năm này."))
        if not scope.may_edit_field(field_ids.get(node.field_code)):
            raise PermissionDenied
        if (why := scope.why_not_leaf(node, stored.get(node.id))) is not None:
            problems.append(f"{node.code}: {why}")
            continue
        try:
            new = round_values(node, entry, round_no, reasons)
        except rules.DeclaredError as exc:
            problems.append(f"{node.code}: {exc.message}")
            continue
        edits.append(Edit(node, entry.version, new))
    if problems:
        raise ValidationError(problems)
    # updated_at is the unit's own "last saved" (shown on its page): not touched here.
    written = save_versioned(
        model=LeafScore,
        stored={nodes[node_id]: row for node_id, row in stored.items()},
        edits=edits,
        fields=FIELDS[round_no],
        version_field="appraisal_version",
        new_row=lambda node: LeafScore(assessment=assessment, node=node),
        user=user,
        stamp={"appraised_by": user},
        log=leaf_audit(audit.Kind.APPRAISAL, assessment),
    )
    return len(written)


def round_values(node, entry: AppraisalEntry, round_no: int, reasons) -> tuple:
    """The stored values of one leaf's input for a round, or ``rules.DeclaredError``. Whether
    the leaf may be appraised at all is ``access.AppraisalScope``'s question."""
    score = None
    if entry.score is not None:
        score = rules.check_score(entry.score, node.max_points, workflow.LeafRule.of(node).step)
    reason = reasons.get(entry.reason) if entry.reason else None
    if entry.reason and reason is None:
        raise rules.DeclaredError("reason", _("Lý do không có trong danh sách."))
    if score is not None and score < node.max_points and reason is None:
        raise rules.DeclaredError("reason", _("Chấm dưới điểm tối đa thì cần chọn lý do."))
    if reason is not None and reason.needs_comment and not entry.comment.strip():
        raise rules.DeclaredError("comment", _("Lý do này cần nhận xét kèm theo."))
    values = (score, reason.label if reason else "", entry.comment.strip())
    return (*values, entry.flagged) if round_no == 1 else values
