from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from units.models import Unit, UnitLevel
from units.roles import Roles

from .. import selectors
from ..models import Assessment, AssessmentYear, Band, Framework, LeafScore, YearReopening
from .common import require_interior_admin
from .frameworks import clone_framework


@transaction.atomic
def create_year(
    *,
    roles: Roles,
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
    require_interior_admin(roles)
    unknown = set(deadlines or {}) - set(AssessmentYear.DEADLINES)
    if unknown:
        raise ValueError(f"unknown deadlines {sorted(unknown)}")
    other_level = [u.name for u in units if u.level_id != unit_level.id]
    if other_level:
        raise ValidationError(_("Đơn vị không thuộc cấp này: %s") % ", ".join(other_level))
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
    Assessment.objects.bulk_create(Assessment(year=round_, unit=unit) for unit in units)
    for label, lower in bands:
        band = Band(year=round_, label=label, lower_bound=lower)
        band.full_clean()
        band.save()
    return round_


@transaction.atomic
def advance_year(
    *,
    year: AssessmentYear,
    roles: Roles,
    to_state: str,
    explanation_closes: datetime | None = None,
) -> AssessmentYear:
    """Move a year one state forward. ``to_state`` must be the next state: a stale page that asks
    for a step already taken, or for a jump, is refused rather than guessed at. Opening the
    explanation round needs its deadline, in the future; publication needs every applicable
    leaf scored and every leaf flagged for explanation scored again in round 2."""
    require_interior_admin(roles)
    year = (
        AssessmentYear.objects.select_for_update(of=("self",))
        .select_related("framework")
        .get(pk=year.pk)
    )
    if to_state != year.next_state:
        raise ValidationError(
            _("Kỳ đánh giá đang ở trạng thái “%(state)s”, không thể chuyển sang “%(to)s”.")
            % {"state": year.get_state_display(), "to": to_state}
        )
    if year.state == AssessmentYear.State.PREPARING and (
        problems := year.framework.tree_problems()
    ):
        raise ValidationError(problems)
    fields = ["state", "published_at"]
    if to_state == AssessmentYear.State.EXPLANATION:
        if explanation_closes is None or explanation_closes <= timezone.now():
            raise ValidationError(_("Cần đặt hạn giải trình, sau thời điểm hiện tại."))
        year.explanation_closes = explanation_closes
        fields.append("explanation_closes")
    if to_state == AssessmentYear.State.PUBLISHED:
        unfinished = [
            _("%(unit)s: còn %(n)s tiêu chí chưa có điểm") % {"unit": r.unit.name, "n": r.unscored}
            for r in selectors.year_results(year)
            if r.unscored
        ]
        waiting = (
            LeafScore.objects.filter(assessment__year=year, flagged=True, r2_score__isnull=True)
            .values_list("assessment__unit__name", flat=True)
            .distinct()
        )
        unfinished += [
            _("%(unit)s: còn tiêu chí yêu cầu giải trình chưa thẩm định lại") % {"unit": name}
            for name in waiting
        ]
        if unfinished:
            raise ValidationError(unfinished)
    year.state = to_state
    if to_state == AssessmentYear.State.PUBLISHED:
        year.published_at = timezone.now()
    year.full_clean()  # the deadlines, explanation's included, stay in order
    year.save(update_fields=fields)
    return year


@transaction.atomic
def reopen_year(*, year: AssessmentYear, roles: Roles, user, reason: str) -> AssessmentYear:
    """Take a published year back to final appraisal for a correction. Explicit, with a
    reason, and kept: the ranking shows the year was corrected."""
    require_interior_admin(roles)
    year = AssessmentYear.objects.select_for_update(of=("self",)).get(pk=year.pk)
    if not year.is_published:
        raise ValidationError(_("Chỉ mở lại được kỳ đánh giá đã công bố."))
    if not reason.strip():
        raise ValidationError(_("Cần nêu lý do mở lại."))
    YearReopening.objects.create(
        year=year, reason=reason.strip(), by=user, previously_published_at=year.published_at
    )
    year.state = AssessmentYear.State.FINAL_APPRAISAL
    year.save(update_fields=["state"])
    return year


@transaction.atomic
def new_year_from(
    *,
    roles: Roles,
    year: int,
    unit_level: UnitLevel,
    framework: Framework | None = None,
    deadlines: Mapping[str, datetime] | None = None,
) -> AssessmentYear:
    """A new year of a level. Without ``framework``: last year's framework (copied), units,
    tie policy, caps and bands; with one: that framework (copied) and every active unit."""
    require_interior_admin(roles)
    previous = (
        AssessmentYear.objects.filter(unit_level=unit_level, year__lt=year)
        .order_by("-year")
        .first()
    )
    if framework is None and previous is None:
        raise ValidationError(_("Chưa có năm trước để sao chép; hãy chọn một bộ chỉ số."))
    source = framework or previous.framework
    if AssessmentYear.objects.filter(unit_level=unit_level, year=year).exists():
        raise ValidationError(_("Năm %(year)s của cấp này đã có.") % {"year": year})
    copy = clone_framework(roles=roles, framework=source, name=f"{source.name} ({year})")
    if framework is None:
        # Units merged away since (inactive) are not carried over.
        units = [a.unit for a in previous.assessments.select_related("unit") if a.unit.is_active]
        settings = {
            "tie_policy": previous.tie_policy,
            "bonus_max": previous.bonus_max,
            "deduction_max": previous.deduction_max,
            "bands": [(b.label, b.lower_bound) for b in previous.bands.all()],
        }
    else:
        units = list(Unit.objects.filter(level=unit_level, is_active=True))
        settings = {}
    return create_year(
        roles=roles,
        year=year,
        unit_level=unit_level,
        framework=copy,
        units=units,
        deadlines=deadlines,
        **settings,
    )


@transaction.atomic
def set_deadlines(
    *, year: AssessmentYear, roles: Roles, deadlines: Mapping[str, datetime | None]
) -> AssessmentYear:
    require_interior_admin(roles)
    year = AssessmentYear.objects.select_for_update(of=("self",)).get(pk=year.pk)
    if year.is_published:
        raise ValidationError(_("Kỳ đánh giá đã công bố."))
    for name in AssessmentYear.DEADLINES:
        if name in deadlines:
            setattr(year, name, deadlines[name])
    year.full_clean()
    year.save()
    return year
