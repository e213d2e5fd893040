"""The explanation round (giải trình): the unit answers the leaves the appraisal flagged."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from units.roles import Roles

from ..models import Assessment, LeafScore
from .common import lock_assessment


def explanation_open(assessment: Assessment, now=None) -> bool:
    """The unit may answer while the year is in its explanation round, before its deadline."""
    year = assessment.year
    now = now or timezone.now()
    return year.state == year.State.EXPLANATION and (
        year.explanation_closes is None or now < year.explanation_closes
    )


@dataclass(frozen=True)
class Answer:
    node_id: int
    text: str


@transaction.atomic
def answer_explanations(
    *, assessment: Assessment, roles: Roles, user, answers: Sequence[Answer]
) -> int:
    """Save the unit's answers to flagged leaves; returns how many changed."""
    if assessment.unit_id not in roles.unit_ids:
        raise PermissionDenied
    assessment = lock_assessment(assessment)
    if not explanation_open(assessment):
        raise ValidationError(_("Vòng giải trình không mở."))
    rows = {
        row.node_id: row
        for row in LeafScore.objects.select_for_update(of=("self",)).filter(
            assessment=assessment, node_id__in=[a.node_id for a in answers]
        )
    }
    changed = []
    for answer in answers:
        row = rows.get(answer.node_id)
        if row is None or not row.flagged:
            raise ValidationError(_("Chỉ giải trình các tiêu chí được yêu cầu."))
        text = answer.text.strip()
        if text != row.explanation_answer:
            row.explanation_answer = text
            row.updated_at = timezone.now()
            changed.append(row)
    if changed:
        bulk_update_with_history(
            changed, LeafScore, ["explanation_answer", "updated_at"], default_user=user
        )
    return len(changed)


def save_explanations(
    *, assessment: Assessment, roles: Roles, user, answers: Sequence[Answer], attachments=()
) -> int:
    """The explanation page's save: answers and supplementary documents, all or nothing."""
    from .self_assessment import save_with_attachments  # it imports explanation_open from here

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
