"""Results of years before the app was used, imported so that rank changes and year-over-year
reports work from the first year the app runs.

A historical year is created in the app first (state 'preparing', with its copy of a framework),
then filled in one go from the results the province published and published at once. Its
ranking is then computed by the app from the imported scores, like any other year's.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import translation
from django.utils.translation import gettext as _

from units.collation import VietnameseOrder, name_key
from units.models import Unit
from units.roles import Roles

from .. import audit, calculations
from ..models import (
    Adjustment,
    Assessment,
    AssessmentYear,
    Evidence,
    FrameworkNode,
    LeafScore,
)
from ..rules import ZERO
from .common import require_interior_admin
from .frameworks import (
    NodeSpec,
    create_framework,
    record_framework_change,
    spec_of,
    specs_of,
    swap_framework,
)
from .results import AdjustmentRecord, LeafRecord, import_results
from .years import set_year_settings

BONUS_KIND = "other-bonus"
DEDUCTION_KIND = "other-deduction"


@dataclass(frozen=True)
class HistoricalResult:
    """One unit's published result: the final score of every leaf (or of every field, once the
    framework is flattened), the leaves that did not apply to it, and its bonus and deductions
    (positive numbers; the year's caps apply when totals are computed)."""

    unit: Unit
    scores: dict[str, Decimal] = field(default_factory=dict)
    not_applicable: frozenset[str] = frozenset()
    bonus: Decimal = ZERO
    deductions: Decimal = ZERO


@dataclass(frozen=True)
class YearSettings:
    """How a year ranks, as that year's regulation said: the tie policy, the caps on bonus and
    deductions, and its bands (label, lower bound of the index), possibly none."""

    tie_policy: str
    bonus_max: Decimal
    deduction_max: Decimal
    bands: tuple[tuple[str, Decimal], ...] = ()

    @classmethod
    def of(cls, year: AssessmentYear) -> YearSettings:
        return cls(
            tie_policy=year.tie_policy,
            bonus_max=year.bonus_max,
            deduction_max=year.deduction_max,
            bands=tuple((band.label, band.lower_bound) for band in year.bands.all()),
        )


@dataclass(frozen=True)
class Standing:
    """A unit's result as the app computes it from imported scores."""

    total: calculations.UnitTotal
    rank: int | None
    band: str | None


def standings(
    leaves: Sequence[tuple[str, Decimal]],
    results: Sequence[HistoricalResult],
    year_settings: YearSettings,
) -> dict[int, Standing]:
    """Each unit's (by id) total, rank and band once ``results`` are in, under ``year_settings``:
    the same engine the ranking page uses, over (leaf code, max points) pairs. Pure."""
    totals = {
        result.unit.pk: calculations.unit_total(
            [
                calculations.LeafInput(
                    code, maximum, result.scores.get(code), code in result.not_applicable
                )
                for code, maximum in leaves
            ],
            bonus=result.bonus,
            deductions=result.deductions,
            bonus_max=year_settings.bonus_max,
            deduction_max=year_settings.deduction_max,
        )
        for result in results
    }
    ranks = calculations.rank(
        {pk: total.index for pk, total in totals.items()}, year_settings.tie_policy
    )
    return {
        pk: Standing(total, ranks[pk], calculations.band_for(total.index, year_settings.bands))
        for pk, total in totals.items()
    }


def flattened_nodes(nodes: Sequence[FrameworkNode]) -> list[NodeSpec]:
    """The framework as its top-level nodes only, each a leaf of its own (same code, title and
    max points): the shape of a year whose results were published per field.

    A field made only of survey leaves stays a survey leaf filled by the Interior Department;
    any other field becomes a manual leaf, not applicable only where every leaf below could be.
    A top-level node that is already a leaf is kept as it is."""
    with translation.override(settings.LANGUAGE_CODE):
        # Stored text, so in the installation's language, not the importing user's.
        guide = _("Điểm cả lĩnh vực, nhập từ kết quả đã công bố.")
    below: dict[str, list[FrameworkNode]] = {}
    for node in nodes:
        if node.is_leaf:
            below.setdefault(node.field_code, []).append(node)
    specs = []
    for node in nodes:
        if node.parent_id is not None:
            continue
        if node.is_leaf:
            specs.append(spec_of(node))
            continue
        leaves = below.get(node.code, [])
        survey = bool(leaves) and all(leaf.is_survey for leaf in leaves)
        specs.append(
            NodeSpec(
                code=node.code,
                title=node.title,
                max_points=node.max_points,
                rule="survey" if survey else "manual",
                allows_na=bool(leaves) and all(leaf.allows_na for leaf in leaves),
                filled_by=FrameworkNode.FilledBy.INTERIOR
                if survey
                else FrameworkNode.FilledBy.UNIT,
                guide=guide,
            )
        )
    return specs


def historical_import_blockers(year: AssessmentYear) -> list[str]:
    """Why a year cannot take historical results: it is not being prepared, or its units have
    already entered something in the app (which the import would overwrite)."""
    if year.state != AssessmentYear.State.PREPARING:
        return [
            _(
                "Chỉ nhập kết quả các năm trước vào kỳ đánh giá đang chuẩn bị; kỳ này đang ở "
                "trạng thái “%(state)s”."
            )
            % {"state": year.get_state_display()}
        ]
    entered = (
        LeafScore.objects.filter(assessment__year=year)
        .filter(Q(self_score__isnull=False) | ~Q(declared={}) | ~Q(explanation=""))
        .values_list("assessment__unit__name", flat=True)
    )
    names = set(entered)
    names |= set(
        Evidence.objects.filter(assessment__year=year).values_list(
            "assessment__unit__name", flat=True
        )
    )
    names |= set(
        Assessment.objects.filter(year=year, status=Assessment.Status.SUBMITTED).values_list(
            "unit__name", flat=True
        )
    )
    if names:
        return [
            _(
                "Đơn vị đã nhập dữ liệu vào kỳ đánh giá này (%(units)s); chỉ nhập kết quả các năm "
                "trước vào kỳ đánh giá chưa có dữ liệu của đơn vị."
            )
            % {"units": ", ".join(sorted(names, key=name_key))}
        ]
    return []


@dataclass(frozen=True)
class YearUnits:
    """A year's assessments split by the units an import brings: those it keeps (by unit id),
    those that leave the year, and why the import is refused when a leaving unit holds scores
    it would drop (``None`` when it is not)."""

    kept: dict[int, Assessment]
    leaving: list[Assessment]
    refusal: str | None


def year_units(year: AssessmentYear, unit_ids: Collection[int]) -> YearUnits:
    """Which of the year's assessments an import of ``unit_ids`` keeps and which leave, in one
    query however many units the year has. The results importer shows it in its preview;
    ``import_historical_year`` enforces it."""
    assessments = (
        Assessment.objects.filter(year=year)
        .select_related("unit")
        .annotate(
            has_leaves=Exists(LeafScore.objects.filter(assessment=OuterRef("pk"))),
            has_adjustments=Exists(Adjustment.objects.filter(assessment=OuterRef("pk"))),
        )
        .order_by(VietnameseOrder("unit__name"))
    )
    kept: dict[int, Assessment] = {}
    leaving: list[Assessment] = []
    for assessment in assessments:
        if assessment.unit_id in unit_ids:
            kept[assessment.unit_id] = assessment
        else:
            leaving.append(assessment)
    with_data = [a.unit.name for a in leaving if a.has_leaves or a.has_adjustments]
    refusal = (
        _("Đơn vị đã có điểm trong kỳ đánh giá nhưng không có trong kết quả nhập: %s")
        % ", ".join(with_data)
        if with_data
        else None
    )
    return YearUnits(kept=kept, leaving=leaving, refusal=refusal)


def _flatten(*, roles: Roles, year: AssessmentYear, user=None) -> None:
    """Point the year at a flattened copy of its framework; drop the old one if nothing else
    uses it. The year's leaf scores point at the old nodes, so they go first (the import
    replaces them anyway); field assignments follow their field's code, which is kept."""
    old = year.framework
    nodes = list(old.nodes.order_by("sort_key"))
    if all(node.is_leaf for node in nodes):
        return  # already flat
    with translation.override(settings.LANGUAGE_CODE):
        name = _("%(name)s (theo lĩnh vực)") % {"name": old.name}
    flat = create_framework(
        roles=roles,
        name=name[:200],
        unit_level=old.unit_level,
        nodes=flattened_nodes(nodes),
        max_points=old.max_points,
        description=old.description,
    )
    LeafScore.objects.filter(assessment__year=year).delete()
    old_specs, old_name = specs_of(old), old.name  # the swap may delete the old framework
    swap_framework(year, flat)
    with translation.override(settings.LANGUAGE_CODE):
        note = _("Thay bằng các lĩnh vực chấm điểm trực tiếp (kết quả theo lĩnh vực)")
    record_framework_change(
        new=flat, old_specs=old_specs, old_name=old_name, year=year, user=user, note=note
    )


@transaction.atomic
def import_historical_year(
    *,
    roles: Roles,
    year: AssessmentYear,
    results: Sequence[HistoricalResult],
    flatten: bool = False,
    year_settings: YearSettings | None = None,
    user=None,
) -> AssessmentYear:
    """Fill a year being prepared with the published results of its units, then publish it.

    ``year_settings`` (tie policy, caps, bands as that year's regulation said) replace the
    year's own first, so the year is ranked as it was then.

    ``flatten`` first replaces the year's framework by its top-level nodes (results published
    per field). Units of the year missing from ``results`` leave the year; units in ``results``
    join it. Every leaf of every unit needs a score or N/A: a historical year is complete.
    Scores are written as round 1 (the final score), bonus and deductions as ledger entries of
    the open kinds. All or nothing.

    Logged: each unit's total, index and rank as imported (one line per unit), and a first
    history record of every leaf naming the file (the origin's source), so that a later change
    of a leaf shows only what changed, by whom."""
    require_interior_admin(roles)
    # Locked before its state is checked, so no step of the year slips in between.
    year = (
        AssessmentYear.objects.select_for_update(of=("self",))
        .select_related("framework__unit_level")
        .get(pk=year.pk)
    )
    if blockers := historical_import_blockers(year):
        raise ValidationError(blockers)
    if not results:
        raise ValidationError(_("Không có kết quả của đơn vị nào để nhập."))
    units = [result.unit for result in results]
    problems = [
        _("%(unit)s không thuộc cấp đơn vị của kỳ đánh giá.") % {"unit": unit.name}
        for unit in units
        if unit.level_id != year.unit_level_id
    ]
    if len({unit.pk for unit in units}) != len(units):
        problems.append(_("Một đơn vị có hai kết quả."))
    if problems:
        raise ValidationError(problems)

    split = year_units(year, {unit.pk for unit in units})
    if split.refusal:
        raise ValidationError(split.refusal)
    existing, leaving = split.kept, split.leaving
    if tree := year.framework.tree_problems():
        raise ValidationError(tree)

    if year_settings is not None:
        # Before anything is ranked: the year ranks by its own regulation, not today's.
        set_year_settings(
            year=year,
            roles=roles,
            user=user,
            version=year.version,
            tie_policy=year_settings.tie_policy,
            bonus_max=year_settings.bonus_max,
            deduction_max=year_settings.deduction_max,
            bands=year_settings.bands,
        )
        year.refresh_from_db()
    if flatten:
        _flatten(roles=roles, year=year, user=user)
    leaf_codes = list(
        FrameworkNode.objects.filter(framework_id=year.framework_id)
        .exclude(rule="")
        .order_by("sort_key")
        .values_list("code", flat=True)
    )
    Assessment.objects.filter(pk__in=[a.pk for a in leaving]).delete()
    source = audit.current_origin().source
    with translation.override(settings.LANGUAGE_CODE):
        # Stored text, so in the installation's language, not the importing user's.
        reason = _("Nhập từ kết quả năm %(year)s") % {"year": year.year}
        na_reason = _("Không áp dụng (theo kết quả năm %(year)s)") % {"year": year.year}
        baseline = (
            _("Nhập kết quả năm %(year)s từ tệp %(file)s") % {"year": year.year, "file": source}
            if source
            else reason
        )
    known = set(leaf_codes)
    problems = []
    for result in results:
        assessment = existing.get(result.unit.pk) or Assessment.objects.create(
            year=year, unit=result.unit
        )
        given = set(result.scores) | set(result.not_applicable)
        missing = [code for code in leaf_codes if code not in given]
        unknown = sorted(given - known)
        both = sorted(set(result.scores) & set(result.not_applicable))
        if missing or unknown or both:
            problems += [
                message % {"unit": result.unit.name, "codes": ", ".join(codes)}
                for message, codes in (
                    (_("%(unit)s: thiếu điểm các tiêu chí %(codes)s"), missing),
                    (
                        _("%(unit)s: %(codes)s không phải tiêu chí thành phần của bộ chỉ số"),
                        unknown,
                    ),
                    (_("%(unit)s: %(codes)s vừa có điểm vừa không áp dụng"), both),
                )
                if codes
            ]
            continue
        leaves = [
            LeafRecord(code, not_applicable=True, na_reason=na_reason)
            if code in result.not_applicable
            else LeafRecord(code, r1_score=result.scores[code])
            for code in leaf_codes
        ]
        adjustments = [
            AdjustmentRecord(kind, reason, points=points)
            for kind, points in ((BONUS_KIND, result.bonus), (DEDUCTION_KIND, result.deductions))
            if points
        ]
        try:
            # A savepoint of its own: one unit's problems are collected, the others checked.
            import_results(
                roles=roles,
                assessment=assessment,
                leaves=leaves,
                adjustments=adjustments,
                user=user,
                baseline_reason=baseline,
            )
        except ValidationError as exc:
            problems += [f"{result.unit.name}: {m}" for m in exc.messages]
    if problems:
        raise ValidationError(problems)
    _record_results(year, results, user=user)

    year.state = AssessmentYear.State.PUBLISHED
    # The province published these results before the app; the import date is not that date,
    # so none is recorded and reports say the results were imported.
    year.published_at = None
    year.save(update_fields=["state", "published_at"])
    return year


def _record_results(year: AssessmentYear, results: Sequence[HistoricalResult], *, user) -> None:
    """One line of the audit log per unit: its total, index, rank (and band) as imported."""
    leaves = list(
        FrameworkNode.objects.filter(framework_id=year.framework_id)
        .exclude(rule="")
        .values_list("code", "max_points")
    )
    ranked = standings(leaves, results, YearSettings.of(year))
    events = []
    for result in results:
        standing = ranked[result.unit.pk]
        imported = {
            "points": standing.total.points,
            "applicable_max": standing.total.applicable_max,
            "index": standing.total.shown_index,
            "rank": standing.rank,
        }
        if standing.band is not None:
            imported["band"] = standing.band
        events.append(
            audit.event(
                audit.Kind.RESULTS,
                user=user,
                year=year,
                unit=result.unit,
                target=result.unit.name,
                changes=audit.diff({}, imported),
            )
        )
    audit.save_events(events)
