"""A year's life: creating it, its steps forward and back, re-opening, deadlines and the
settings of its ranking. Every change here is recorded in the audit log."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from units.models import Unit, UnitLevel
from units.roles import Roles

from .. import audit, selectors
from ..models import Assessment, AssessmentYear, Band, Framework, LeafScore, YearReopening
from . import notifications
from .common import require_interior_admin
from .concurrency import check_version
from .explanation import SENDING_FIELDS
from .frameworks import clone_framework, year_copy_name

State = AssessmentYear.State
SETTINGS = ("tie_policy", "bonus_max", "deduction_max")
BAND_LABEL_MAX = 40
CAP_MAX = Decimal(100)
CENT = Decimal("0.01")


def _values(year: AssessmentYear, names) -> dict:
    """The year's fields for the log (``audit.display`` writes moments in local time, so a
    deadline read back from the database and the same one from a form are no change)."""
    return audit.values_of(year, names)


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
    user=None,
    note: str = "",
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
    audit.record(
        audit.Kind.YEAR_CREATE,
        user=user,
        year=round_,
        target=str(round_),
        changes=audit.diff(
            {},
            {
                "state": round_.state,
                "framework": framework.name,
                "units": len(units),
                **_settings_of(round_, bands),
                **{name: getattr(round_, name) for name in AssessmentYear.DEADLINES},
            },
        ),
        note=note,
    )
    return round_


@transaction.atomic
def advance_year(
    *,
    year: AssessmentYear,
    roles: Roles,
    to_state: str,
    explanation_closes: datetime | None = None,
    user=None,
) -> AssessmentYear:
    """Move a year one state forward. ``to_state`` must be the next state: a stale page that asks
    for a step already taken, or for a jump, is refused rather than guessed at. The step is
    refused while ``selectors.step_blockers`` lists a blocking problem (the year's page shows the
    same list, with links): e.g. opening the explanation round needs every leaf scored in round
    1, publication every applicable leaf scored and every flagged leaf scored again in round 2.
    Opening the explanation round also needs its deadline, in the future."""
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
    problems = [b.message for b in selectors.step_blockers(year) if b.blocking]
    if to_state == State.EXPLANATION and (
        explanation_closes is None or explanation_closes <= timezone.now()
    ):
        problems.append(_("Cần đặt hạn giải trình, sau thời điểm hiện tại."))
    if problems:
        raise ValidationError(problems)
    old = _values(year, ["state", "explanation_closes", "published_at"])
    fields = ["state", "published_at"]
    if to_state == State.EXPLANATION:
        year.explanation_closes = explanation_closes
        year.version += 1  # a deadline changed: an open deadlines form is stale
        fields += ["explanation_closes", "version"]
    year.state = to_state
    if to_state == State.PUBLISHED:
        year.published_at = timezone.now()
    year.full_clean()  # the deadlines, explanation's included, stay in order
    year.save(update_fields=fields)
    audit.record(
        audit.Kind.YEAR_STEP,
        user=user,
        year=year,
        target=str(year),
        changes=audit.diff(old, _values(year, old)),
    )
    transaction.on_commit(lambda: notifications.year_step(year))
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
    year.state = State.FINAL_APPRAISAL
    year.save(update_fields=["state"])
    audit.record(
        audit.Kind.YEAR_REOPEN,
        user=user,
        year=year,
        target=str(year),
        changes={"state": [State.PUBLISHED.value, year.state]},
        note=reason.strip(),
    )
    return year


@transaction.atomic
def step_back_year(
    *,
    year: AssessmentYear,
    roles: Roles,
    user=None,
    from_state: str,
    reason: str,
    deadline: datetime | None = None,
    token: str = "",
) -> AssessmentYear:
    """Take a year one step back, with a reason, when no later data would be lost; or, from
    final appraisal, clearing the round-2 scores the page listed (``token``, from
    ``selectors.step_back_plan``), each recorded old → new. ``from_state`` is the state the page
    showed: a stale page is refused. A step back into a round that units answer in (the
    self-assessment, the explanation round) needs that round's new deadline, in the future.
    A published year is re-opened instead (``reopen_year``)."""
    require_interior_admin(roles)
    year = (
        AssessmentYear.objects.select_for_update(of=("self",))
        .select_related("framework")
        .get(pk=year.pk)
    )
    if year.state != from_state:
        raise ValidationError(
            _("Kỳ đánh giá đang ở trạng thái “%(state)s”: trang đã cũ, hãy xem lại trước khi lùi.")
            % {"state": year.get_state_display()}
        )
    plan = selectors.step_back_plan(year)  # under the year's lock: no appraiser writes meanwhile
    if plan.to_state is None:
        if year.is_published:
            raise ValidationError(_("Kỳ đánh giá đã công bố: hãy dùng “Mở lại để sửa”."))
        raise ValidationError(_("Kỳ đánh giá đang ở bước đầu tiên."))
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Cần nêu lý do lùi bước."))
    if plan.refused:
        raise ValidationError([b.message for b in plan.refused])
    if plan.cleared and token != plan.token:
        raise ValidationError(
            _(
                "Điểm thẩm định lại đã thay đổi từ khi trang được mở: hãy xem lại danh sách điểm "
                "sẽ bị xóa rồi xác nhận lại."
            )
        )
    old = _values(year, ["state", *REOPENED])
    fields = ["state"]
    if plan.deadline:
        if deadline is None or deadline <= timezone.now():
            raise ValidationError(
                _("Cần đặt hạn mới cho bước “%(label)s”, sau thời điểm hiện tại.")
                % {"label": plan.label}
            )
        setattr(year, plan.deadline, deadline)
        year.version += 1
        fields += [plan.deadline, "version"]
    year.state = plan.to_state
    year.full_clean()  # the new deadline stays in order with the others
    _clear_round_2(plan, user=user, note=reason)
    if plan.to_state in (State.APPRAISAL, State.EXPLANATION):
        _unsend_explanations(year, user=user, note=reason)
    year.save(update_fields=fields)
    audit.record(
        audit.Kind.YEAR_STEP_BACK,
        user=user,
        year=year,
        target=str(year),
        changes=audit.diff(old, _values(year, old)),
        note=reason,
    )
    return year


REOPENED = ("self_assessment_closes", "explanation_closes")


def _unsend_explanations(year: AssessmentYear, *, user, note: str) -> None:
    """Back into (or before) the explanation round, the units answer again: what their
    leaders sent becomes a draft to send again, each recorded old → new."""
    sent = list(
        Assessment.objects.filter(year=year, explanation_submitted_at__isnull=False)
        .select_related("unit", "explanation_submitted_by")
        .order_by()
    )
    events = []
    for assessment in sent:
        old = audit.values_of(assessment, SENDING_FIELDS)
        assessment.explanation_submitted_at = assessment.explanation_submitted_by = None
        events.append(
            audit.event(
                audit.Kind.EXPLANATION,
                user=user,
                year=year.pk,
                unit=assessment.unit_id,
                target=str(assessment.unit),
                changes=audit.diff(old, audit.values_of(assessment, SENDING_FIELDS)),
                note=note,
            )
        )
    Assessment.objects.filter(pk__in=[a.pk for a in sent]).update(
        explanation_submitted_at=None, explanation_submitted_by=None
    )
    audit.save_events(events)


ROUND_2 = ("r2_score", "r2_reason", "r2_comment")


def _clear_round_2(plan, *, user, note: str) -> None:
    rows, events = [], []
    for cleared in plan.cleared:
        row = cleared.row
        old = audit.values_of(row, ROUND_2)
        row.r2_score, row.r2_reason, row.r2_comment = None, "", ""
        row.appraisal_version += 1  # an appraiser's open page is stale now
        rows.append(row)
        events.append(
            audit.event(
                audit.Kind.APPRAISAL,
                user=user,
                year=row.assessment.year_id,
                unit=row.assessment.unit_id,
                node_code=row.node.code,
                target=f"{cleared.unit_name} · {row.node.code}",
                changes=audit.diff(old, audit.values_of(row, ROUND_2)),
                note=note,
            )
        )
    if rows:
        bulk_update_with_history(
            rows, LeafScore, [*ROUND_2, "appraisal_version"], default_user=user
        )
    audit.save_events(events)


@transaction.atomic
def new_year_from(
    *,
    roles: Roles,
    year: int,
    unit_level: UnitLevel,
    framework: Framework | None = None,
    deadlines: Mapping[str, datetime] | None = None,
    user=None,
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
    copy = clone_framework(roles=roles, framework=source, name=year_copy_name(source.name, year))
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
        user=user,
        note=(
            _("Sao chép bộ chỉ số “%(name)s”") % {"name": source.name}
            if framework is not None
            else _("Sao chép từ năm %(year)s") % {"year": previous.year}
        ),
        **settings,
    )


@transaction.atomic
def set_deadlines(
    *,
    year: AssessmentYear,
    roles: Roles,
    deadlines: Mapping[str, datetime | None],
    version: int | None = None,
    user=None,
) -> AssessmentYear:
    """Set the year's deadlines. A page passes the ``version`` it showed and is refused
    (``ConflictError``) when someone changed the deadlines or settings since; a caller holding
    no page (an import, the demo) passes none."""
    require_interior_admin(roles)
    year = AssessmentYear.objects.select_for_update(of=("self",)).get(pk=year.pk)
    if year.is_published:
        raise ValidationError(_("Kỳ đánh giá đã công bố."))
    if version is not None:
        check_version(year, "version", version)
    old = _values(year, AssessmentYear.DEADLINES)
    for name in AssessmentYear.DEADLINES:
        if name in deadlines:
            setattr(year, name, deadlines[name])
    year.full_clean()
    changes = audit.diff(old, _values(year, AssessmentYear.DEADLINES))
    if not changes:
        return year
    year.version += 1
    year.save(update_fields=[*AssessmentYear.DEADLINES, "version"])
    audit.record(audit.Kind.YEAR_DEADLINES, user=user, year=year, target=str(year), changes=changes)
    return year


# --- the ranking's settings ---------------------------------------------------------------------


def band_text(label: str, lower: Decimal) -> str:
    """A band as the log and the pages say it: "A ≥ 90"."""
    return f"{label} ≥ {format(Decimal(lower).normalize(), 'f')}"


def _settings_of(year: AssessmentYear, bands: Sequence[tuple[str, Decimal]]) -> dict:
    return {
        **audit.values_of(year, SETTINGS),
        "bands": [band_text(label, lower) for label, lower in bands],
    }


def settings_problems(
    *,
    tie_policy: str,
    bonus_max: Decimal | None,
    deduction_max: Decimal | None,
    bands: Sequence[tuple[str, Decimal]],
) -> list[str]:
    """What is wrong with a year's ranking settings, in words (empty when they are sound)."""
    problems = []
    if tie_policy not in AssessmentYear.TiePolicy.values:
        problems.append(_("Cách xếp đồng hạng không hợp lệ."))
    for name, cap in ((_("Điểm thưởng tối đa"), bonus_max), (_("Điểm trừ tối đa"), deduction_max)):
        if cap is None or not Decimal(0) <= cap <= CAP_MAX:
            problems.append(_("%(name)s phải từ 0 đến 100.") % {"name": name})
    labels, bounds = set(), set()
    for label, lower in bands:
        label = label.strip()
        if not label:
            problems.append(_("Mỗi xếp loại cần có tên."))
        elif len(label) > BAND_LABEL_MAX:
            problems.append(
                _("Tên xếp loại “%(label)s” dài quá %(n)s ký tự.")
                % {"label": label, "n": BAND_LABEL_MAX}
            )
        elif label.casefold() in labels:
            problems.append(_("Xếp loại “%(label)s” bị trùng.") % {"label": label})
        labels.add(label.casefold())
        if lower is None or not Decimal(0) <= lower <= CAP_MAX:
            problems.append(
                _("Ngưỡng của xếp loại “%(label)s” phải từ 0 đến 100.") % {"label": label}
            )
        elif lower in bounds:
            problems.append(
                _("Ngưỡng %(bound)s dùng cho hai xếp loại.")
                % {"bound": format(lower.normalize(), "f")}
            )
        else:
            bounds.add(lower)
    return problems


@transaction.atomic
def set_year_settings(
    *,
    year: AssessmentYear,
    roles: Roles,
    user,
    version: int | None,
    tie_policy: str,
    bonus_max: Decimal,
    deduction_max: Decimal,
    bands: Sequence[tuple[str, Decimal]],
) -> AssessmentYear:
    """Set how the year ranks: its tie policy, the bonus and deduction caps, its bands. Before
    publication only (after it, re-open first: the published ranking must not move silently);
    refused (``ConflictError``) when someone changed the settings or deadlines since the page
    showed ``version``. Recorded old → new, bands as "A ≥ 90"."""
    require_interior_admin(roles)
    year = AssessmentYear.objects.select_for_update(of=("self",)).get(pk=year.pk)
    if year.is_published:
        raise ValidationError(
            _("Kỳ đánh giá đã công bố: hãy mở lại kỳ đánh giá trước khi đổi thiết lập.")
        )
    check_version(year, "version", version)
    problems = settings_problems(
        tie_policy=tie_policy, bonus_max=bonus_max, deduction_max=deduction_max, bands=bands
    )
    if problems:
        raise ValidationError(problems)
    # As stored (2 decimals), so that "5" and "5.00" are no change in the log.
    bonus_max, deduction_max = (Decimal(v).quantize(CENT) for v in (bonus_max, deduction_max))
    bands = sorted(
        ((label.strip(), Decimal(lower).quantize(CENT)) for label, lower in bands),
        key=lambda band: -band[1],
    )
    stored = list(year.bands.all())
    old = _settings_of(year, [(b.label, b.lower_bound) for b in stored])
    year.tie_policy, year.bonus_max, year.deduction_max = tie_policy, bonus_max, deduction_max
    changes = audit.diff(old, _settings_of(year, bands))
    if not changes:
        return year
    year.full_clean()
    year.version += 1
    year.save(update_fields=[*SETTINGS, "version"])
    if "bands" in changes:
        year.bands.all().delete()
        Band.objects.bulk_create(Band(year=year, label=lbl, lower_bound=lo) for lbl, lo in bands)
    audit.record(audit.Kind.YEAR_SETTINGS, user=user, year=year, target=str(year), changes=changes)
    return year
