"""The explanation round (giải trình): the unit answers the leaves the appraisal flagged."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from units.roles import Roles

from .. import audit
from ..models import Assessment, FrameworkNode, LeafScore
from ..selectors.entry import explanation_open
from .common import leaf_audit, lock_assessment
from .concurrency import Edit, save_versioned

__all__ = ["Answer", "answer_explanations", "explanation_open", "save_explanations"]


@dataclass(frozen=True)
class Answer:
    """The unit's answer to one flagged leaf, and the version of the leaf its page showed (the
    unit's layer: its entry and its answers share one version)."""

    node_id: int
    text: str
    version: int | None = None  # None: the page did not say; refused if the answer changes


@transaction.atomic
def answer_explanations(
    *, assessment: Assessment, roles: Roles, user, answers: Sequence[Answer]
) -> int:
    """Save the unit's answers to flagged leaves; returns how many changed.

    Written through the one optimistic-concurrency save: an answer over a leaf someone saved
    since the page was opened is refused (``ConflictError``, nothing saved), and every changed
    answer gets a line in the audit log with old → new.
    """
    if assessment.unit_id not in roles.unit_ids:
        raise PermissionDenied
    assessment = lock_assessment(assessment)
    if not explanation_open(assessment):
        raise ValidationError(_("Vòng giải trình không mở."))
    if len({a.node_id for a in answers}) != len(answers):
        raise ValidationError(_("Một tiêu chí được gửi hai lần trong cùng một lần lưu."))
    rows = {
        row.node_id: row
        for row in LeafScore.objects.select_for_update(of=("self",))
        .filter(assessment=assessment, node_id__in=[a.node_id for a in answers])
        .select_related("updated_by")  # shown with a refused save's conflict
    }
    nodes = FrameworkNode.objects.in_bulk(list(rows))
    edits = []
    for answer in answers:
        row = rows.get(answer.node_id)
        if row is None or not row.flagged:
            raise ValidationError(_("Chỉ giải trình các tiêu chí được yêu cầu."))
        # -1 never matches a stored version: a page that did not say is refused if it changes.
        version = answer.version if answer.version is not None else -1
        edits.append(Edit(nodes[answer.node_id], version, (answer.text.strip(),)))
    written = save_versioned(
        model=LeafScore,
        stored={nodes[node_id]: row for node_id, row in rows.items()},
        edits=edits,
        fields=["explanation_answer"],
        version_field="version",
        new_row=lambda node: LeafScore(assessment=assessment, node=node),  # never: flagged rows
        user=user,
        stamp={"updated_by": user, "updated_at": timezone.now()},
        log=leaf_audit(audit.Kind.EXPLANATION, assessment),
    )
    return len(written)


def save_explanations(
    *, assessment: Assessment, roles: Roles, user, answers: Sequence[Answer], attachments=()
) -> int:
    """The explanation page's save: answers and supplementary documents, all or nothing."""
    from .self_assessment import save_with_attachments  # it imports this module

    return save_with_attachments(
        assessment=assessment,
        roles=roles,
        user=user,
        write=lambda: answer_explanations(
            assessment=assessment, roles=roles, user=user, answers=answers
        ),
        attachments=attachments,
        supplementary=True,
    )
