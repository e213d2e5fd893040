"""The Interior Department's appraisal of a unit's leaves, round 1 and round 2."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
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
    # Instead of a typed score, take one already on the leaf, read under the lock: SELF (the
    # unit's self-score) or ROUND_1 (round 2 keeps round 1's score). The reason is dropped,
    # since nothing is cut below what the unit claimed or round 1 gave; the comment and the
    # flag stay as stored. The version still guards against a colleague's save in between.
    source: str = ""


SELF = "self"
ROUND_1 = "round1"


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
    from the list (and a comment where the reason asks for one), unless the unit claimed no
    more (``round_values``). An entry with a ``source`` accepts the self-score (or keeps round
    1) instead of a typed score. All or nothing, with the same optimistic lock as the unit's
    entry (``ConflictError``).
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
        row = stored.get(node.id)
        if (why := scope.why_not_leaf(node, row)) is not None:
            problems.append(f"{node.code}: {why}")
            continue
        try:
            if entry.source:
                entry = taken_over(entry, row, round_no)
            new = round_values(node, entry, round_no, reasons, row)
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


def taken_over(entry: AppraisalEntry, row: LeafScore | None, round_no: int) -> AppraisalEntry:
    """An accepting entry made plain: the score it takes from the stored row, no reason, the
    row's own comment (and round 1's flag). ``rules.DeclaredError`` when there is nothing to
    take."""
    if entry.source == SELF:
        score = row.self_score if row is not None and not row.not_applicable else None
        if score is None:
            raise rules.DeclaredError(
                "score", _("Đơn vị chưa tự chấm tiêu chí này: không có điểm để chấp nhận.")
            )
    elif entry.source == ROUND_1 and round_no == 2:
        score = row.r1_score if row is not None else None
        if score is None:
            raise rules.DeclaredError("score", _("Tiêu chí này chưa có điểm vòng 1 để giữ."))
    else:
        raise rules.DeclaredError("score", _("Không chấp nhận được điểm theo cách này."))
    if round_no == 1:
        return replace(
            entry,
            score=score,
            reason="",
            comment=row.r1_comment,
            flagged=row.flagged,
            source="",
        )
    return replace(entry, score=score, reason="", comment=row.r2_comment, source="")


def round_values(
    node, entry: AppraisalEntry, round_no: int, reasons, row: LeafScore | None = None
) -> tuple:
    """The stored values of one leaf's input for a round, or ``rules.DeclaredError``. Whether
    the leaf may be appraised at all is ``access.AppraisalScope``'s question.

    A score below the maximum needs a reason, except where it cuts nothing: it equals the
    unit's self-score (the unit claimed no more: accepting a self-score of 1 out of 2 is no
    decision against the unit) or, in round 2, round 1's score (whose reason stands)."""
    score = None
    if entry.score is not None:
        score = rules.check_score(entry.score, node.max_points, workflow.LeafRule.of(node).step)
    reason = reasons.get(entry.reason) if entry.reason else None
    if entry.reason and reason is None:
        raise rules.DeclaredError("reason", _("Lý do không có trong danh sách."))
    uncut = set()
    if row is not None and not row.not_applicable:
        uncut = {row.self_score, row.r1_score} if round_no == 2 else {row.self_score}
    if score is not None and score < node.max_points and reason is None and score not in uncut:
        raise rules.DeclaredError("reason", _("Chấm dưới điểm tối đa thì cần chọn lý do."))
    if reason is not None and reason.needs_comment and not entry.comment.strip():
        raise rules.DeclaredError("comment", _("Lý do này cần nhận xét kèm theo."))
    values = (score, reason.label if reason else "", entry.comment.strip())
    return (*values, entry.flagged) if round_no == 1 else values
