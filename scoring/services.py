"""Every write of consequence: keyword-only, in a transaction, checking who may do it and when."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from units.models import Unit, UnitLevel
from units.roles import Roles

from . import calculations, rules
from .models import (
    Adjustment,
    AdjustmentKind,
    Assessment,
    AssessmentYear,
    Band,
    Framework,
    FrameworkNode,
    LeafScore,
)


@dataclass(frozen=True)
class NodeSpec:
    code: str
    title: str
    max_points: Decimal
    rule: str = ""  # empty for fields and criteria that have sub-criteria
    params: Mapping[str, Any] = field(default_factory=dict)
    allows_na: bool = False
    filled_by: str = FrameworkNode.FilledBy.UNIT
    guide: str = ""

    @property
    def parent_code(self) -> str | None:
        return self.code.rpartition(".")[0] or None


@transaction.atomic
def create_framework(
    *,
    name: str,
    unit_level: UnitLevel,
    nodes: Sequence[NodeSpec],
    max_points: Decimal = Decimal(100),
    description: str = "",
) -> Framework:
    """Create a framework from its nodes (parents before children), refusing an unsound tree.

    Every problem, of a node or of the tree's sums, is collected and raised at once as one
    ``ValidationError``; nothing is saved.
    """
    problems = calculations.check_tree(
        [calculations.TreeNode(n.code, n.parent_code, n.max_points, bool(n.rule)) for n in nodes],
        total=max_points,
    )
    framework = Framework(
        name=name, unit_level=unit_level, max_points=max_points, description=description
    )
    built: list[FrameworkNode] = []
    for spec in nodes:
        node = FrameworkNode(
            framework=framework,
            code=spec.code,
            title=spec.title,
            max_points=spec.max_points,
            rule=spec.rule,
            rule_params=dict(spec.params),
            allows_na=spec.allows_na,
            filled_by=spec.filled_by,
            guide=spec.guide,
        )
        try:
            node.full_clean(exclude=["framework", "parent", "sort_key"], validate_unique=False)
        except ValidationError as exc:
            problems.extend(f"{spec.code}: {m}" for m in exc.messages)
        built.append(node)
    if problems:
        raise ValidationError(problems)
    framework.save()
    saved: dict[str, FrameworkNode] = {}
    for spec, node in zip(nodes, built, strict=True):
        node.framework = framework
        node.parent = saved.get(spec.parent_code) if spec.parent_code else None
        node.save()
        saved[spec.code] = node
    return framework


@transaction.atomic
def create_year(
    *,
    year: int,
    unit_level: UnitLevel,
    framework: Framework,
    units: Sequence[Unit],
    tie_policy: str = AssessmentYear.TiePolicy.COMPETITION,
    bonus_max: Decimal = Decimal(5),
    deduction_max: Decimal = Decimal(10),
    deadlines: Mapping[str, datetime] | None = None,
    bands: Sequence[tuple[str, Decimal]] = (),
) -> AssessmentYear:
    """A new round in state 'preparing', with an assessment for each unit it assesses."""
    unknown = set(deadlines or {}) - set(AssessmentYear.DEADLINES)
    if unknown:
        raise ValueError(f"unknown deadlines {sorted(unknown)}")
    round_ = AssessmentYear(
        year=year,
        unit_level=unit_level,
        framework=framework,
        tie_policy=tie_policy,
        bonus_max=bonus_max,
        deduction_max=deduction_max,
        **(deadlines or {}),
    )
    round_.full_clean()
    round_.save()
    other_level = [u.name for u in units if u.level_id != unit_level.id]
    if other_level:
        raise ValidationError(_("Đơn vị không thuộc cấp này: %s") % ", ".join(other_level))
    Assessment.objects.bulk_create(Assessment(year=round_, unit=unit) for unit in units)
    for label, lower in bands:
        band = Band(year=round_, label=label, lower_bound=lower)
        band.full_clean()
        band.save()
    return round_


@transaction.atomic
def advance_year(*, year: AssessmentYear, roles: Roles, to_state: str) -> AssessmentYear:
    """Move a year one state forward. ``to_state`` must be the next state: a stale page that asks
    for a step already taken, or for a jump, is refused rather than guessed at."""
    if not roles.is_interior_admin:
        raise PermissionDenied
    year = AssessmentYear.objects.select_for_update().get(pk=year.pk)
    if to_state != year.next_state:
        raise ValidationError(
            _("Kỳ đánh giá đang ở trạng thái “%(state)s”, không thể chuyển sang “%(to)s”.")
            % {"state": year.get_state_display(), "to": to_state}
        )
    if year.state == AssessmentYear.State.PREPARING and (
        problems := year.framework.tree_problems()
    ):
        raise ValidationError(problems)
    year.state = to_state
    if to_state == AssessmentYear.State.PUBLISHED:
        year.published_at = timezone.now()
    year.save(update_fields=["state", "published_at"])
    return year


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
    points: Decimal | None = None  # default: count × the kind's points, or the kind's points
    count: int | None = None


def _leaf_score(node: FrameworkNode, record: LeafRecord, problems: list[str]) -> LeafScore | None:
    def fail(message):
        problems.append(f"{record.code}: {message}")

    step = node.rule_params.get("step") if node.rule == "manual" else None
    scores = {}
    for name in ("self_score", "r1_score", "r2_score"):
        value = getattr(record, name)
        try:
            scores[name] = (
                None
                if value is None
                else rules.check_score(value, node.max_points, step and Decimal(step))
            )
        except rules.DeclaredError as exc:
            fail(exc.message)
            return None
    try:
        computed = rules.compute_score(
            node.rule, node.rule_params, node.max_points, record.declared
        )
    except rules.DeclaredError as exc:
        fail(f"{exc.field}: {exc.message}")
        return None
    if computed is not None:
        if scores["self_score"] is not None and scores["self_score"] != computed:
            fail(
                _("điểm tự chấm %(given)s khác điểm tính theo số liệu kê khai %(computed)s")
                % {"given": scores["self_score"], "computed": computed}
            )
            return None
        scores["self_score"] = computed
    if record.not_applicable and not node.allows_na:
        fail(_("tiêu chí này không được đánh dấu không áp dụng"))
        return None
    if record.not_applicable and any(v is not None for v in scores.values()):
        fail(_("tiêu chí không áp dụng thì không có điểm"))
        return None
    if record.not_applicable and not record.na_reason.strip():
        fail(_("cần nêu lý do không áp dụng"))
        return None
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


@transaction.atomic
def import_results(
    *,
    assessment: Assessment,
    leaves: Sequence[LeafRecord],
    adjustments: Sequence[AdjustmentRecord] = (),
    user=None,
) -> None:
    """Replace a unit's leaf layers and ledger with the given ones (demo data, historical imports).

    All or nothing: every problem is collected, and if there is one nothing is written. A
    published year is frozen and refused.
    """
    year = assessment.year
    if year.is_published:
        raise ValidationError(_("Kỳ đánh giá đã công bố, không thể thay đổi kết quả."))
    nodes = {n.code: n for n in FrameworkNode.objects.filter(framework_id=year.framework_id)}
    kinds = {k.code: k for k in AdjustmentKind.objects.all()}
    problems: list[str] = []
    rows, seen = [], set()
    for record in leaves:
        node = nodes.get(record.code)
        if node is None or not node.is_leaf:
            problems.append(_("%s: không phải tiêu chí thành phần của bộ chỉ số") % record.code)
            continue
        if record.code in seen:
            problems.append(_("%s: bị nhập hai lần") % record.code)
            continue
        seen.add(record.code)
        row = _leaf_score(node, record, problems)
        if row is not None:
            row.assessment = assessment
            rows.append(row)
    entries = []
    for record in adjustments:
        kind = kinds.get(record.kind)
        if kind is None:
            problems.append(_("Không có loại điểm thưởng/trừ %s") % record.kind)
            continue
        points = record.points
        if points is None and kind.default_points is not None:
            points = kind.default_points * (record.count or 1 if kind.per_occurrence else 1)
        if points is None or points <= 0:
            problems.append(_("%s: điểm phải lớn hơn 0") % kind.name)
            continue
        entries.append(
            Adjustment(
                assessment=assessment,
                kind=kind,
                points=points,
                count=record.count,
                reason=record.reason,
                created_by=user,
            )
        )
    if problems:
        raise ValidationError(problems)
    assessment.leaves.all().delete()
    assessment.adjustments.all().delete()
    LeafScore.objects.bulk_create(rows)
    Adjustment.objects.bulk_create(entries)
