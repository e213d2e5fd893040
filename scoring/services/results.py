from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from units.roles import Roles

from .. import rules, workflow
from ..models import (
    Adjustment,
    AdjustmentKind,
    Assessment,
    AssessmentYear,
    FrameworkNode,
    LeafScore,
)
from .common import require_interior_admin


@dataclass(frozen=True)
class LeafRecord:
    """Every layer of one leaf, as an import or the demo knows it."""

    code: str
    declared: Mapping[str, Any] = field(default_factory=dict)
    self_score: Decimal | None = None
    not_applicable: bool = False
    na_reason: str = ""
    explanation: str = ""
    r1_score: Decimal | None = None
    r1_reason: str = ""
    r1_comment: str = ""
    explanation_answer: str = ""
    r2_score: Decimal | None = None
    r2_reason: str = ""
    r2_comment: str = ""


@dataclass(frozen=True)
class AdjustmentRecord:
    kind: str  # AdjustmentKind.code
    reason: str
    points: Decimal | None = None  # default: the kind's points, times count if per occurrence
    count: int | None = None


def _leaf_score(node: FrameworkNode, record: LeafRecord) -> LeafScore:
    """The row for one record, or a ``DeclaredError`` saying what is wrong with it."""
    step = workflow.LeafRule.of(node).step
    scores = {}
    for name in ("self_score", "r1_score", "r2_score"):
        value = getattr(record, name)
        scores[name] = None if value is None else rules.check_score(value, node.max_points, step)
    computed = rules.compute_score(node.rule, node.rule_params, node.max_points, record.declared)
    if computed is not None:
        if scores["self_score"] is not None and scores["self_score"] != computed:
            raise rules.DeclaredError(
                "self_score",
                _("điểm tự chấm %(given)s khác điểm tính theo số liệu kê khai %(computed)s")
                % {"given": scores["self_score"], "computed": computed},
            )
        scores["self_score"] = computed
    if node.filled_by == FrameworkNode.FilledBy.INTERIOR and (
        scores["self_score"] is not None or record.declared
    ):
        raise rules.DeclaredError(
            "self_score", _("tiêu chí do Sở Nội vụ chấm, đơn vị không tự chấm")
        )
    if scores["r2_score"] is not None and scores["r1_score"] is None:
        raise rules.DeclaredError("r2_score", _("chưa thẩm định vòng 1 thì không có vòng 2"))
    if record.not_applicable:
        if not node.allows_na:
            raise rules.DeclaredError(
                "not_applicable", _("tiêu chí này không được đánh dấu không áp dụng")
            )
        if any(v is not None for v in scores.values()):
            raise rules.DeclaredError(
                "not_applicable", _("tiêu chí không áp dụng thì không có điểm")
            )
        if not record.na_reason.strip():
            raise rules.DeclaredError("na_reason", _("cần nêu lý do không áp dụng"))
    return LeafScore(
        node=node,
        declared=dict(record.declared),
        not_applicable=record.not_applicable,
        na_reason=record.na_reason,
        explanation=record.explanation,
        r1_reason=record.r1_reason,
        r1_comment=record.r1_comment,
        explanation_answer=record.explanation_answer,
        r2_reason=record.r2_reason,
        r2_comment=record.r2_comment,
        **scores,
    )


def adjustment_entry(kind: AdjustmentKind | None, record: AdjustmentRecord) -> Adjustment:
    """The ledger entry for one record, or a ``DeclaredError`` saying what is wrong with it."""
    if kind is None or not kind.is_active:
        raise rules.DeclaredError("kind", _("không có loại điểm thưởng/trừ %s") % record.kind)
    if kind.per_occurrence and (record.count is None or record.count < 1):
        raise rules.DeclaredError("count", _("cần số trường hợp (từ 1 trở lên)"))
    if not kind.per_occurrence and record.count is not None:
        raise rules.DeclaredError("count", _("loại này không tính theo số trường hợp"))
    if not record.reason.strip():
        raise rules.DeclaredError("reason", _("cần nêu lý do"))
    points = record.points
    if points is None and kind.default_points is not None:
        points = kind.default_points * (record.count if kind.per_occurrence else 1)
    if points is None:
        raise rules.DeclaredError("points", _("cần nhập số điểm"))
    points = rules.check_score(points, Decimal("999.99"))
    if points == 0:
        raise rules.DeclaredError("points", _("điểm phải lớn hơn 0"))
    return Adjustment(
        kind=kind,
        direction=kind.direction,
        points=points,
        count=record.count,
        reason=record.reason,
    )


@transaction.atomic
def import_results(
    *,
    roles: Roles,
    assessment: Assessment,
    leaves: Sequence[LeafRecord],
    adjustments: Sequence[AdjustmentRecord] = (),
    user=None,
    baseline_reason: str | None = None,
) -> None:
    """Replace a unit's leaf layers and ledger with the given ones (demo data, historical
    imports). All or nothing: every problem is collected, and if there is one nothing is
    written. A published year is frozen and refused.

    With ``baseline_reason`` each leaf written gets its first history record, by ``user``
    with that reason (where the values came from): without one, the first later change of a
    leaf would show every value as new, entered by whoever made that change."""
    require_interior_admin(roles)
    # Locked so that a publication cannot slip in between the check and the writes.
    year = AssessmentYear.objects.select_for_update().get(pk=assessment.year_id)
    if year.is_published:
        raise ValidationError(_("Kỳ đánh giá đã công bố, không thể thay đổi kết quả."))
    if assessment.evidence.exists():
        # Replacing the leaves would drop the links to the unit's evidence documents.
        raise ValidationError(
            _("Đơn vị đã có tài liệu kiểm chứng; không thể ghi đè kết quả bằng dữ liệu nhập.")
        )
    nodes = {n.code: n for n in FrameworkNode.objects.filter(framework_id=year.framework_id)}
    kinds = {k.code: k for k in AdjustmentKind.objects.all()}
    problems: list[str] = []
    rows, seen = [], set()
    for record in leaves:
        node = nodes.get(record.code)
        if node is None or not node.is_leaf:
            problems.append(_("%s: không phải tiêu chí thành phần của bộ chỉ số") % record.code)
        elif record.code in seen:
            problems.append(_("%s: bị nhập hai lần") % record.code)
        else:
            seen.add(record.code)
            try:
                rows.append(_leaf_score(node, record))
            except rules.DeclaredError as exc:
                problems.append(f"{record.code}: {exc.message}")
    entries = []
    for record in adjustments:
        try:
            entries.append(adjustment_entry(kinds.get(record.kind), record))
        except rules.DeclaredError as exc:
            problems.append(f"{record.kind}: {exc.message}")
    if problems:
        raise ValidationError(problems)
    assessment.leaves.all().delete()
    assessment.adjustments.all().delete()
    for row in rows:
        row.assessment = assessment
    for entry in entries:
        entry.assessment, entry.created_by = assessment, user
    if baseline_reason is None:
        LeafScore.objects.bulk_create(rows)
    else:
        bulk_create_with_history(
            rows, LeafScore, default_user=user, default_change_reason=baseline_reason
        )
    Adjustment.objects.bulk_create(entries)
