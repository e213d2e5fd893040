"""Load the demo: units, accounts, the sample framework and three years. Idempotent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from units.models import Membership, Unit, UnitLevel, UnitSuccession
from units.roles import GROUP_INTERIOR_ADMIN, SYSTEM_ADMIN

from .. import audit, rules, services
from ..defaults import ensure_adjustment_kinds, ensure_appraisal_reasons
from ..models import (
    AdjustmentKind,
    AppraisalReason,
    Assessment,
    AssessmentYear,
    FieldAssignment,
    Framework,
)
from ..rules import round2
from . import data
from .framework import DESCRIPTION, NAME, NODES

LEVEL_CODE = "cap-huyen"
# Stored as the demo's other texts are, in the app's language: the note on the baseline of
# every demo row, in the leaves' history and in the audit log.
BASELINE_NOTE = "Dữ liệu mẫu"


def _full_declared(spec, year: int) -> dict:
    """Declared figures that earn a leaf its max."""
    if spec.rule == "binary":
        return {"done": True}
    if spec.rule == "timeliness":
        return {"due": f"{year}-01-15", "done_on": f"{year}-01-10"}
    if spec.rule in ("percent_tiers", "proportional"):
        return {"done": 20, "total": 20}
    if spec.rule == "count_tiers":
        return {"count": int(Decimal(spec.params["tiers"][0]["min"])) + 2}
    if spec.rule == "deduction":
        return {"count": 0}
    return {}


def _variant_declared(figures, year: int) -> dict:
    if figures == {"late": True}:
        return {"due": f"{year}-01-15", "done_on": f"{year}-01-28"}
    return dict(figures)


def _leaf_records(
    year: int,
    variants: str = "",
    *,
    appraise=True,
    unappraised=(),
    fields=None,
    overrides=None,
    survey=None,
    not_applicable=None,
):
    """Records of every unit-filled leaf: full marks except the given variants and overrides.

    ``appraise`` copies the self-score into round 1, as an appraiser who agrees would, except
    on the fields in ``unappraised``; manual variants are self-scored at max and cut by the
    appraisal, as self-scores tend to be.
    """
    changed = {data.VARIANTS[v][0]: data.VARIANTS[v][1] for v in variants}
    overrides = overrides or {}
    records = []
    for spec in NODES:
        if not spec.rule or spec.rule == "survey":
            continue
        if fields is not None and spec.code.split(".")[0] not in fields:
            continue
        reason = ""
        if not_applicable and not_applicable[0] == spec.code:
            records.append(
                services.LeafRecord(spec.code, not_applicable=True, na_reason=not_applicable[1])
            )
            continue
        if spec.code in overrides:
            declared, r1, reason = overrides[spec.code]
            self_score = None
        elif spec.rule == "manual":
            declared, self_score = {}, spec.max_points
            r1 = changed.get(spec.code, spec.max_points)
            if r1 != spec.max_points:
                reason = "Thiếu tài liệu kiểm chứng"
        else:
            declared = (
                _variant_declared(changed.get(spec.code), year)
                if spec.code in changed
                else _full_declared(spec, year)
            )
            self_score, r1 = None, None
        if spec.rule != "manual" and r1 is None:
            params = rules.validate_params(spec.rule, spec.params, spec.max_points)
            r1 = rules.compute_score(spec.rule, params, spec.max_points, declared)
        appraised = appraise and spec.code.split(".")[0] not in unappraised
        records.append(
            services.LeafRecord(
                spec.code,
                declared=declared,
                self_score=self_score,
                explanation="Có tài liệu kiểm chứng kèm theo.",
                r1_score=r1 if appraised else None,
                r1_reason=reason if appraised else "",
            )
        )
    if survey is not None:
        first = round2(survey / 2)
        records += [
            services.LeafRecord("10.1", r1_score=first),
            services.LeafRecord("10.2", r1_score=survey - first),
        ]
    return records


def _survey_split(first: Decimal, second: Decimal):
    return [
        services.LeafRecord("10.1", r1_score=first),
        services.LeafRecord("10.2", r1_score=second),
    ]


def _aware(day: dt.date, hour: int = 17) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _deadlines(days: list[dt.date]) -> dict[str, dt.datetime]:
    """The year's deadlines in their order; the window opens in the morning, the rest close
    at the end of the working day."""
    return {
        name: _aware(day, 7 if name == "self_assessment_opens" else 17)
        for name, day in zip(AssessmentYear.DEADLINES, days, strict=True)
    }


def _relative_deadlines(today: dt.date, *offsets: int) -> dict[str, dt.datetime]:
    """Deadlines so many days from the day the demo is loaded, so the demo always works."""
    return _deadlines([today + dt.timedelta(days=offset) for offset in offsets])


def _fill(assessment: Assessment, leaves, adjustments=()) -> None:
    """A unit's results as the demo sets them, with their baseline: every leaf row's first
    history record and one BASELINE event say "Dữ liệu mẫu", so that the first real change to
    a demo row shows as that change (old → new, by its author), not as that person entering
    the whole row."""
    services.import_results(
        roles=SYSTEM_ADMIN,
        assessment=assessment,
        leaves=leaves,
        adjustments=adjustments,
        baseline_reason=BASELINE_NOTE,
    )
    audit.record(
        audit.Kind.BASELINE,
        year=assessment.year_id,
        unit=assessment.unit_id,
        target=str(assessment),
        note=BASELINE_NOTE,
    )


def _mark_submitted(year: AssessmentYear, when: dt.datetime) -> None:
    """Every unit of a past window submitted on time, signed by its leader where it has one."""
    leaders = {m.unit_id: m.user for m in Membership.objects.filter(role="leader")}
    for assessment in year.assessments.all():
        assessment.status = Assessment.Status.SUBMITTED
        assessment.submitted_at = when
        assessment.submitted_by = leaders.get(assessment.unit_id)
        assessment.save(update_fields=["status", "submitted_at", "submitted_by"])


def _advance_to(year: AssessmentYear, state: str) -> AssessmentYear:
    while year.state != state:
        if year.next_state == AssessmentYear.State.EXPLANATION and (
            year.explanation_closes is None or year.explanation_closes <= timezone.now()
        ):
            # A past year, loaded as history: its rounds ran before the app; only the state
            # is recorded, the checks of a live round do not apply.
            AssessmentYear.objects.filter(pk=year.pk).update(state=year.next_state)
            year.refresh_from_db()
            continue
        year = services.advance_year(
            year=year,
            roles=SYSTEM_ADMIN,
            to_state=year.next_state,
            explanation_closes=year.explanation_closes,
        )
    return year


def _accounts(units: dict[str, Unit]) -> None:
    for username, full_name, role, unit_code in data.ACCOUNTS:
        user, created = User.objects.get_or_create(username=username)
        if not created:
            continue
        first, _, last = full_name.rpartition(" ")
        user.first_name, user.last_name = first, last
        user.is_staff = role == GROUP_INTERIOR_ADMIN
        user.set_password(data.PASSWORD)
        user.save()
        if unit_code:
            Membership.objects.create(user=user, unit=units[unit_code], role=role)
        else:
            user.groups.add(Group.objects.get_or_create(name=role)[0])


def _year_2022(level, framework, units) -> None:
    deadlines = _deadlines(
        [
            dt.date(2022, 11, 1),
            dt.date(2022, 11, 30),
            dt.date(2022, 12, 31),
            dt.date(2023, 1, 10),
            dt.date(2023, 1, 20),
            dt.date(2023, 2, 10),
        ]
    )
    year = services.create_year(
        roles=SYSTEM_ADMIN,
        year=2022,
        unit_level=level,
        framework=framework,
        units=list(units.values()),
        deadlines=deadlines,
    )
    assessments = {a.unit.code: a for a in year.assessments.select_related("unit", "year")}
    for code, (variants, survey, _total) in data.RESULTS_2022.items():
        _fill(assessments[code], _leaf_records(2022, variants, survey=survey))
    vq = data.VU_QUANG_2022
    _fill(
        assessments["vu-quang"],
        _leaf_records(2022, overrides=vq["leaves"]) + _survey_split(*vq["survey"]),
        adjustments=[
            services.AdjustmentRecord(kind, reason, count=count)
            for kind, count, reason in vq["deductions"]
        ],
    )
    _mark_submitted(year, deadlines["self_assessment_closes"] - dt.timedelta(days=2))
    year = _advance_to(year, AssessmentYear.State.PUBLISHED)
    # The province published on 10/2/2023, not on the day the demo was loaded.
    AssessmentYear.objects.filter(pk=year.pk).update(published_at=_aware(dt.date(2023, 2, 10), 9))


def _year_2023(level, framework, units, today: dt.date) -> None:
    deadlines = _relative_deadlines(today, -60, -30, 20, 35, 50, 60)
    year = services.create_year(
        roles=SYSTEM_ADMIN,
        year=2023,
        unit_level=level,
        framework=framework,
        units=list(units.values()),
        deadlines=deadlines,
        bands=[("A", Decimal(90)), ("B", Decimal(80))],
    )
    assessments = {a.unit.code: a for a in year.assessments.select_related("unit", "year")}
    codes = list(data.RESULTS_2022)
    for position, code in enumerate(codes):
        # Last year's figures of another unit: a different, equally plausible year.
        variants, survey, _total = data.RESULTS_2022[codes[(position + 3) % len(codes)]]
        _fill(
            assessments[code],
            _leaf_records(
                2023,
                variants,
                survey=survey + Decimal("0.1"),
                not_applicable=data.NOT_APPLICABLE_2023.get(code),
            ),
        )
    _fill(
        assessments["vu-quang"],
        _leaf_records(
            2023,
            data.VU_QUANG_2023_SELF,
            unappraised=data.AWAITING_APPRAISAL_2023["vu-quang"],
            survey=Decimal("19.35"),
        ),
    )
    _mark_submitted(year, deadlines["self_assessment_closes"] - dt.timedelta(days=2))
    _advance_to(year, AssessmentYear.State.APPRAISAL)
    # The demo's appraiser appraises every field (a council would split them).
    appraiser = User.objects.get(username="snv.thamdinh")
    FieldAssignment.objects.bulk_create(
        FieldAssignment(year=year, field=field, appraiser=appraiser)
        for field in framework.nodes.filter(parent=None)
    )


def _year_2024(level, framework, units, today: dt.date) -> None:
    deadlines = _relative_deadlines(today, -10, 20, 50, 65, 80, 95)
    year = services.create_year(
        roles=SYSTEM_ADMIN,
        year=2024,
        unit_level=level,
        framework=framework,
        units=list(units.values()),
        deadlines=deadlines,
    )
    for assessment in Assessment.objects.filter(
        year=year, unit__code__in=data.FILLED_2024
    ).select_related("unit", "year"):
        fields = data.FILLED_2024[assessment.unit.code]
        _fill(assessment, _leaf_records(2024, "bn", appraise=False, fields=fields))
    _advance_to(year, AssessmentYear.State.SELF_ASSESSMENT)


@transaction.atomic
def load_demo(*, today: dt.date | None = None) -> bool:
    """Load everything once; returns False (and changes nothing) when the demo is already there.
    Everything it records comes, in the audit log, by the demo's path."""
    if not settings.DEBUG:
        raise ImproperlyConfigured("The demo data is for development only: it needs DEBUG on.")
    if Framework.objects.filter(name=NAME).exists():
        return False
    with audit.origin(audit.Path.DEMO, "load_demo"):
        _load(today)
    return True


def _load(today: dt.date | None) -> None:
    today = today or timezone.localdate()
    ensure_adjustment_kinds(AdjustmentKind)  # normally there from the migrations
    ensure_appraisal_reasons(AppraisalReason)
    level, _ = UnitLevel.objects.get_or_create(
        code=LEVEL_CODE,
        defaults={"name": "Cấp huyện", "order": 1, "members_phrase": data.LEVEL_MEMBERS},
    )
    units = {}
    for code, name, kind in data.UNITS:
        units[code], _ = Unit.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "level": level}
        )
    for predecessor, successor, kind, effective_on, note in data.SUCCESSIONS:
        UnitSuccession.objects.get_or_create(
            predecessor=units[predecessor],
            successor=units[successor],
            defaults={"kind": kind, "effective_on": effective_on, "note": note},
        )
    _accounts(units)
    framework = services.create_framework(
        roles=SYSTEM_ADMIN, name=NAME, unit_level=level, nodes=NODES, description=DESCRIPTION
    )
    _year_2022(level, framework, units)
    _year_2023(level, framework, units, today)
    _year_2024(level, framework, units, today)
