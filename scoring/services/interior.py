"""The Interior Department's own blocks of a year: who appraises which field, and the survey."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from units.roles import GROUP_APPRAISER, Roles

from .. import audit, rules
from ..models import Assessment, AssessmentYear, FieldAssignment, FrameworkNode, LeafScore
from .appraisal import appraisable_fields
from .common import require_interior_admin
from .concurrency import Audit, Conflict, ConflictError, Edit, save_versioned

Pair = tuple[int, int]  # (field id, appraiser id)


@transaction.atomic
def set_assignments(
    *,
    year: AssessmentYear,
    roles: Roles,
    user,
    pairs: Iterable[Pair],
    shown: Iterable[Pair] | None = None,
) -> int:
    """Who appraises which field of the year; returns how many fields changed.

    ``shown`` is what the page showed: only the fields whose boxes the user changed are
    written, and a field someone else changed since (to something else) is refused with
    ``ConflictError`` (keys: the field; theirs: its appraisers now), nothing written. Without
    ``shown`` the pairs replace the year's assignments as a whole.
    """
    require_interior_admin(roles)
    year = AssessmentYear.objects.select_for_update(of=("self",)).get(pk=year.pk)
    fields = {
        node.id: node
        for node in FrameworkNode.objects.filter(framework_id=year.framework_id, parent=None)
    }
    appraisers = dict(
        get_user_model()
        .objects.filter(groups__name=GROUP_APPRAISER, is_active=True)
        .values_list("id", "username")
    )
    stored_rows = list(
        FieldAssignment.objects.select_for_update(of=("self",))
        .filter(year=year)
        .values_list("field_id", "appraiser_id", "appraiser__username")
    )
    names = {**{who: name for _f, who, name in stored_rows}, **appraisers}
    pairs = set(pairs)
    if any(field not in fields for field, _who in pairs):
        raise ValidationError(_("Chỉ phân công lĩnh vực của năm này cho người thẩm định."))
    stored, posted = _by_field(p[:2] for p in stored_rows), _by_field(pairs)
    seen = _by_field(shown) if shown is not None else None
    wanted, conflicts = {}, []
    for field_id, node in fields.items():
        mine, now = posted.get(field_id, set()), stored.get(field_id, set())
        if seen is not None:
            # The page offers active appraisers only: an assignment of anyone else (a
            # deactivated account) is neither shown nor changed by it.
            hidden = now - appraisers.keys()
            was, mine, offered = seen.get(field_id, set()) - hidden, mine - hidden, now - hidden
            if mine == was:  # left alone on the page: whatever is stored stays
                continue
            if offered != was and offered != mine:
                conflicts.append(Conflict(node, sorted(names[i] for i in offered)))
                continue
            mine |= hidden
        if mine != now:
            wanted[field_id] = mine
    if conflicts:
        raise ConflictError(conflicts)
    added = {(f, who) for f, people in wanted.items() for who in people - stored.get(f, set())}
    # A new pair must name an active appraiser; one already stored may stay as it is.
    if any(who not in appraisers for _f, who in added):
        raise ValidationError(_("Chỉ phân công lĩnh vực của năm này cho người thẩm định."))
    removed = Q()
    for field_id, people in wanted.items():
        for who in stored.get(field_id, set()) - people:
            removed |= Q(field_id=field_id, appraiser_id=who)
    if removed:
        FieldAssignment.objects.filter(removed, year=year).delete()
    events = []
    for field_id, people in wanted.items():
        node = fields[field_id]
        events.append(
            audit.event(
                audit.Kind.ASSIGNMENT,
                user=user,
                year=year,
                field_code=node.code,
                target=f"{node.code}. {node.title}",
                changes=audit.diff(
                    {"appraisers": sorted(names[i] for i in stored.get(field_id, set()))},
                    {"appraisers": sorted(names[i] for i in people)},
                ),
            )
        )
    FieldAssignment.objects.bulk_create(
        FieldAssignment(year=year, field_id=f, appraiser_id=who) for f, who in sorted(added)
    )
    audit.save_events(events)
    return len(wanted)


def _by_field(pairs: Iterable[Pair]) -> dict[int, set[int]]:
    result: dict[int, set[int]] = {}
    for field_id, who in pairs:
        result.setdefault(field_id, set()).add(who)
    return result


@dataclass(frozen=True)
class SurveyScore:
    """A page's input for one cell of the survey grid: the unit's assessment, the survey leaf,
    the appraisal version the page showed, and the score left by the user (None clears it)."""

    assessment_id: int
    node_id: int
    version: int
    score: Decimal | None


@transaction.atomic
def save_survey(
    *,
    year: AssessmentYear,
    roles: Roles,
    user,
    scores: Iterable[SurveyScore],
) -> int:
    """Survey scores of every unit at once; returns how many cells changed.

    Only cells whose score differs from the stored one are written; a cell someone saved
    since the page showed it is refused (``ConflictError``, keyed by (assessment id, leaf id))
    and then nothing is written. All or nothing, bad scores included.
    """
    if not (roles.is_interior_admin or roles.is_appraiser):
        raise PermissionDenied
    year = AssessmentYear.objects.select_for_update(of=("self",)).get(pk=year.pk)
    if not year.in_appraisal:
        raise ValidationError(_("Điểm điều tra xã hội học nhập trong thời gian thẩm định."))
    scores = list(scores)
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
    assessments = Assessment.objects.filter(year=year).select_related("unit").in_bulk()
    # Who saved a row comes along: a refused cell shows the other person's name.
    stored = {
        (row.assessment_id, row.node_id): row
        for row in LeafScore.objects.select_for_update(of=("self",))
        .select_related("appraised_by")
        .filter(assessment__year=year, node_id__in=leaves)
    }
    problems, edits = [], []
    for cell in scores:
        node = leaves.get(cell.node_id)
        assessment = assessments.get(cell.assessment_id)
        if node is None or assessment is None:
            raise ValidationError(_("Ô không thuộc bảng điều tra của năm này."))
        if allowed is not None and field_ids.get(node.field_code) not in allowed:
            raise PermissionDenied
        try:
            score = None if cell.score is None else rules.check_score(cell.score, node.max_points)
        except rules.DeclaredError as exc:
            problems.append(f"{assessment.unit.name} · {node.code}: {exc.message}")
            continue
        edits.append(Edit((cell.assessment_id, cell.node_id), cell.version, (score,)))
    if problems:
        raise ValidationError(problems)
    written = save_versioned(
        model=LeafScore,
        stored=stored,
        edits=edits,
        fields=["r1_score"],
        version_field="appraisal_version",
        new_row=lambda key: LeafScore(assessment_id=key[0], node=leaves[key[1]]),
        user=user,
        stamp={"appraised_by": user},
        log=_survey_audit(year, assessments, leaves),
    )
    return len(written)


def _survey_audit(
    year: AssessmentYear, assessments: Mapping[int, Assessment], leaves: Mapping[int, FrameworkNode]
) -> Audit:
    def describe(key, row):
        assessment, node = assessments[key[0]], leaves[key[1]]
        return {
            "year": year,
            "unit": assessment.unit_id,
            "node_code": node.code,
            "target": f"{assessment.unit.name} · {node.code}",
        }

    return Audit(audit.Kind.SURVEY, describe)
