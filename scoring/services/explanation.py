"""The explanation round (giải trình): the unit answers the leaves the appraisal flagged."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from units.roles import Roles

from .. import audit
from ..models import Assessment, FrameworkNode, LeafScore
from ..selectors.entry import (
    explanation_deadline_passed,
    explanation_open,
    explanation_round_open,
    explanation_sent,
    flagged_rows,
    unanswered_rows,
    when_text,
    why_explanation_locked,
)
from . import notifications
from .common import leaf_audit, lock_assessment
from .concurrency import Edit, save_versioned

__all__ = [
    "Answer",
    "answer_explanations",
    "explanation_open",
    "save_explanations",
    "submit_explanations",
    "withdraw_explanations",
]


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
    if (reason := why_explanation_locked(assessment)) is not None:
        raise ValidationError(reason)
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


SENDING_FIELDS = ["explanation_submitted_at", "explanation_submitted_by"]


def _require_leader(assessment: Assessment, roles: Roles) -> None:
    if assessment.unit_id not in roles.leader_of:
        raise PermissionDenied


def _set_sending(assessment: Assessment, user, at, by, note: str) -> None:
    """Send or take back, with a line in the audit log. There is no kind of its own for it:
    the round's kind (EXPLANATION) with the unit as target (no leaf code) and the two fields
    old → new, so each cycle of sending and taking back stays in the log."""
    old = audit.values_of(assessment, SENDING_FIELDS)
    assessment.explanation_submitted_at, assessment.explanation_submitted_by = at, by
    assessment.save(update_fields=SENDING_FIELDS)
    audit.record(
        audit.Kind.EXPLANATION,
        user=user,
        year=assessment.year_id,
        unit=assessment.unit_id,
        target=str(assessment.unit),
        changes=audit.diff(old, audit.values_of(assessment, SENDING_FIELDS)),
        note=note,
    )


@transaction.atomic
def submit_explanations(
    *, assessment: Assessment, roles: Roles, user, unanswered_seen: bool = False
) -> Assessment:
    """The leader sends the unit's answers of the explanation round, before its deadline;
    after this they are read-only for the unit (until the leader takes them back).

    Refused when nothing is flagged or already sent. A flagged leaf left unanswered does not
    block (the unit may accept a flagged score) but is a warning, as at submission: it needs
    ``unanswered_seen``, the leader has seen the list and sends anyway.
    """
    _require_leader(assessment, roles)
    assessment = lock_assessment(assessment)
    if explanation_sent(assessment):
        raise ValidationError(
            _("Giải trình đã được gửi lúc %(when)s.")
            % {"when": when_text(assessment.explanation_submitted_at)}
        )
    if assessment.year.state == assessment.year.State.EXPLANATION and (
        explanation_deadline_passed(assessment)
    ):
        raise ValidationError(
            _("Đã hết hạn giải trình lúc %(when)s; không thể gửi.")
            % {"when": when_text(assessment.year.explanation_closes)}
        )
    if (reason := why_explanation_locked(assessment)) is not None:
        raise ValidationError(reason)
    rows = flagged_rows(assessment)
    if not rows:
        raise ValidationError(_("Không có tiêu chí nào cần giải trình."))
    blank = unanswered_rows(rows)
    if blank and not unanswered_seen:
        raise ValidationError(
            ngettext(
                "Còn %(n)s tiêu chí chưa có giải trình (%(codes)s): hãy xác nhận đã xem "
                "trước khi gửi.",
                "Còn %(n)s tiêu chí chưa có giải trình (%(codes)s): hãy xác nhận đã xem "
                "trước khi gửi.",
                len(blank),
            )
            % {"n": len(blank), "codes": ", ".join(row.node.code for row in blank)}
        )
    _set_sending(assessment, user, timezone.now(), user, _("Gửi giải trình"))
    transaction.on_commit(lambda: notifications.explanation_submitted(assessment))
    return assessment


@transaction.atomic
def withdraw_explanations(*, assessment: Assessment, roles: Roles, user) -> Assessment:
    """The leader takes the sent answers back to change them, while the round is open and
    before its deadline (as a submission is withdrawn); they must then be sent again."""
    _require_leader(assessment, roles)
    assessment = lock_assessment(assessment)
    if not explanation_sent(assessment):
        raise ValidationError(_("Giải trình chưa được gửi."))
    if not explanation_round_open(assessment):
        raise ValidationError(_("Vòng giải trình đã đóng, không thể rút lại giải trình."))
    _set_sending(assessment, user, None, None, _("Rút lại giải trình để sửa"))
    return assessment
