"""The Interior Department's own blocks of a year: who appraises which field, and the survey."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from units.roles import GROUP_APPRAISER, Roles

from .. import rules
from ..models import Assessment, AssessmentYear, FieldAssignment, FrameworkNode, LeafScore
from .appraisal import appraisable_fields
from .common import require_interior_admin


@transaction.atomic
def set_assignments(
    *, year: AssessmentYear, roles: Roles, pairs: Iterable[tuple[int, int]]
) -> None:
    """Replace the year's assignments with these (field id, appraiser id) pairs."""
    require_interior_admin(roles)
    pairs = set(pairs)
    fields = set(
        FrameworkNode.objects.filter(framework_id=year.framework_id, parent=None).values_list(
            "id", flat=True
        )
    )
    appraisers = set(
        get_user_model()
        .objects.filter(groups__name=GROUP_APPRAISER, is_active=True)
        .values_list("id", flat=True)
    )
    if any(field not in fields or user not in appraisers for field, user in pairs):
        raise ValidationError(_("Chỉ phân công lĩnh vực của năm này cho người thẩm định."))
    FieldAssignment.objects.filter(year=year).delete()
    FieldAssignment.objects.bulk_create(
        FieldAssignment(year=year, field_id=field, appraiser_id=user) for field, user in pairs
    )


@transaction.atomic
def save_survey(
    *,
    year: AssessmentYear,
    roles: Roles,
    user,
    scores: Mapping[tuple[int, int], Decimal | None],
) -> int:
    """Survey scores of every unit at once: ``scores`` maps (assessment id, survey leaf id) to
    a score (None clears it). All or nothing; returns how many cells changed."""
    if not (roles.is_interior_admin or roles.is_appraiser):
        raise PermissionDenied
    year = AssessmentYear.objects.select_for_update(of=("self",)).get(pk=year.pk)
    if not year.in_appraisal:
        raise ValidationError(_("Điểm điều tra xã hội học nhập trong thời gian thẩm định."))
    leaves = {
        node.id: node
        for node in FrameworkNode.objects.filter(framework_id=year.framework_id, rule="survey")
    }
    allowed = appraisable_fields(year=year, roles=roles, user=user)
    field_ids = dict(
        FrameworkNode.objects.filter(framework_id=year.framework_id, parent=None).values_list(
            "code", "id"
        )
    )
    assessments = set(Assessment.objects.filter(year=year).values_list("id", flat=True))
    stored = {
        (row.assessment_id, row.node_id): row
        for row in LeafScore.objects.select_for_update(of=("self",)).filter(
            assessment__year=year, node_id__in=leaves
        )
    }
    problems, changed, created = [], [], []
    for (assessment_id, node_id), value in scores.items():
        node = leaves.get(node_id)
        if node is None or assessment_id not in assessments:
            raise ValidationError(_("Ô không thuộc bảng điều tra của năm này."))
        if allowed is not None and field_ids.get(node.field_code) not in allowed:
            raise PermissionDenied
        try:
            score = None if value is None else rules.check_score(value, node.max_points)
        except rules.DeclaredError as exc:
            problems.append(f"{node.code}: {exc.message}")
            continue
        row = stored.get((assessment_id, node_id))
        if (row.r1_score if row else None) == score:
            continue
        if row is None:
            row = LeafScore(assessment_id=assessment_id, node=node)
            created.append(row)
        else:
            changed.append(row)
        row.r1_score, row.appraised_by = score, user
        row.appraisal_version += 1
    if problems:
        raise ValidationError(problems)
    fields = ["r1_score", "appraised_by", "appraisal_version"]
    if changed:
        bulk_update_with_history(changed, LeafScore, fields, default_user=user)
    if created:
        bulk_create_with_history(created, LeafScore, default_user=user)
    return len(changed) + len(created)
