"""A unit's insight page for a year: where it lost points, against whom, what it takes to
climb, a what-if, and its self-assessment against the appraisal.

Reads only: ``unit_insight`` and ``what_if`` cost a fixed number of queries whatever the number of
units and leaves (pinned in tests/scoring/test_insight.py). Every total, index, rank and band is
the engine's (``scoring.calculations``); ``scoring.analysis.whatif`` feeds it hypothetical
inputs."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from units.models import UnitSuccession
from units.roles import Roles

from .. import calculations
from ..analysis import stats, whatif
from ..analysis.lost import (
    LEAF,
    DeductionOutcome,
    LeafOutcome,
    LostItem,
    deductions_by_kind,
    final_reason,
    lost_items,
)
from ..analysis.story import unit_story
from ..calculations import LeafInput, UnitTotal
from ..models import Adjustment, AdjustmentKind, Assessment, AssessmentYear, LeafScore
from ..rules import ZERO
from .lineage import lineage
from .results import (
    NodeRow,
    Tree,
    UnitResult,
    _by_rank,
    framework_tree,
    framework_trees,
    results_of_years,
    year_results,
)


@dataclass(frozen=True)
class FieldLoss:
    node: NodeRow
    max_points: Decimal
    applicable_max: Decimal
    points: Decimal
    lost: Decimal
    items: list[LostItem]
    leader_points: Decimal | None
    median_points: Decimal | None
    previous_points: Decimal | None  # None when unknown (no previous year, or no such field)
    average_points: Decimal | None = None  # the level's average over ranked units
    unscored: int = 0  # applicable leaves of the field nobody has appraised yet


@dataclass(frozen=True)
class PreviousYear:
    year: AssessmentYear
    result: UnitResult
    rank: int | None
    via: list[UnitSuccession]  # the links followed back to that year's unit; [] for the same unit
    lost: list[LostItem]
    ranked_units: int = 0

    @property
    def unit(self):
        return self.result.unit


@dataclass(frozen=True)
class Chance:
    code: str
    title: str
    lost: Decimal
    units_full: int  # units of the level with full points on the leaf
    of_units: int  # units of the level for which the leaf is applicable and scored


@dataclass(frozen=True)
class WhatItTakes:
    next_rank: int | None = None
    points_to_next_rank: Decimal | None = None
    next_band: str | None = None
    points_to_next_band: Decimal | None = None
    chances: list[Chance] = field(default_factory=list)


@dataclass(frozen=True)
class OverclaimField:
    node: NodeRow
    self_points: Decimal
    appraised: Decimal

    @property
    def difference(self) -> Decimal:
        return self.self_points - self.appraised


@dataclass(frozen=True)
class OverclaimYear:
    year: int
    self_points: Decimal
    appraised: Decimal
    unit_name: str  # the unit as it was called that year (lineage)

    @property
    def difference(self) -> Decimal:
        return self.self_points - self.appraised


@dataclass(frozen=True)
class Overclaim:
    """Self-scores against appraised scores on the appraised leaves (survey leaves, bonus and
    deductions are not self-scored, so they are left out of both sides)."""

    self_points: Decimal
    appraised: Decimal
    fields: list[OverclaimField]
    years: list[OverclaimYear]  # oldest first, following the unit through reorganisations

    @property
    def difference(self) -> Decimal:
        return self.self_points - self.appraised


@dataclass(frozen=True)
class YearPoint:
    """The unit's index and rank in one year, for the over-the-years chart."""

    year: int
    index: Decimal | None
    rank: int | None
    ranked_units: int
    unit_name: str


@dataclass
class UnitInsight:
    assessment: Assessment
    year: AssessmentYear
    total: UnitTotal
    rank: int | None
    ranked_units: int
    band: str | None
    lost: list[LostItem]
    fields: list[FieldLoss]
    leader: UnitResult | None
    median: Decimal | None
    previous: PreviousYear | None
    takes: WhatItTakes
    overclaim: Overclaim | None
    story: str
    bands: list[tuple[str, Decimal]] = field(default_factory=list)
    history: list[YearPoint] = field(default_factory=list)
    previous_several: list[str] = field(default_factory=list)  # merged units: no single one
    unscored: int = 0
    show_reasons: bool = False  # the appraisers' reasons are in ``lost`` (else blank)

    @property
    def provisional(self) -> bool:
        return not self.year.is_published

    @property
    def total_lost(self) -> Decimal:
        """Points lost on scored leaves and to deductions (a bonus is not a loss)."""
        return sum((item.lost for item in self.lost), ZERO)

    @property
    def deductions(self) -> list[LostItem]:
        return [item for item in self.lost if item.kind != LEAF]


@dataclass(frozen=True)
class WhatIfChange:
    code: str
    title: str
    actual: Decimal | None
    hypothetical: Decimal


@dataclass(frozen=True)
class WhatIf:
    actual: UnitTotal
    total: UnitTotal  # the hypothetical one
    actual_rank: int | None
    rank: int | None
    ranked_units: int
    actual_band: str | None
    band: str | None
    changes: list[WhatIfChange]

    @property
    def points_change(self) -> Decimal:
        return self.total.points - self.actual.points

    @property
    def index_change(self) -> Decimal | None:
        if self.total.shown_index is None or self.actual.shown_index is None:
            return None
        return self.total.shown_index - self.actual.shown_index

    @property
    def places_gained(self) -> int | None:
        if self.rank is None or self.actual_rank is None:
            return None
        return self.actual_rank - self.rank

    @property
    def places_moved(self) -> int | None:
        return None if self.places_gained is None else abs(self.places_gained)


# --- reading ---------------------------------------------------------------------------------

_LEAF_VALUES = (
    "assessment_id",
    "node_id",
    "self_score",
    "r1_score",
    "r2_score",
    "not_applicable",
    "r1_reason",
    "r1_comment",
    "r2_reason",
    "r2_comment",
    "node__shortfall",
)

LeafRows = dict[int, dict[int, dict]]  # assessment id -> node id -> row


def _leaf_rows(assessment_ids: Collection[int]) -> LeafRows:
    """Every layer and the appraisers' words of these assessments' leaves: 1 query."""
    rows: LeafRows = {assessment_id: {} for assessment_id in assessment_ids}
    if rows:
        for row in LeafScore.objects.filter(assessment_id__in=rows).values(*_LEAF_VALUES):
            rows[row["assessment_id"]][row["node_id"]] = row
    return rows


def _final(row: dict) -> Decimal | None:
    return calculations.final_score(row["r1_score"], row["r2_score"])


def _final_reason(row: dict) -> str:
    return final_reason(
        row["r2_score"],
        (row["r1_reason"], row["r1_comment"]),
        (row["r2_reason"], row["r2_comment"]),
    )


def _outcomes(tree: Tree, rows: dict[int, dict], *, reasons: bool) -> list[LeafOutcome]:
    outcomes = []
    for leaf in tree.leaves:
        row = rows.get(leaf.id)
        outcomes.append(
            LeafOutcome(
                code=leaf.code,
                title=leaf.title,
                field_code=tree.top_of(leaf.code),
                max_points=leaf.max_points,
                score=_final(row) if row else None,
                not_applicable=bool(row and row["not_applicable"]),
                is_survey=leaf.is_survey,
                reason=_final_reason(row) if row and reasons else "",
                shortfall=(row or {}).get("node__shortfall") or "",
            )
        )
    return outcomes


def _deductions(caps: Mapping[int, Decimal | None]) -> dict[int, list[DeductionOutcome]]:
    """Each assessment's deductions, one per kind, within its year's cap (``caps``: assessment
    id -> the year's deduction cap): 1 query."""
    entries: dict[int, list[Adjustment]] = {a: [] for a in caps}
    if entries:
        for entry in (
            Adjustment.objects.filter(
                assessment_id__in=entries, direction=AdjustmentKind.Direction.DEDUCTION
            )
            .select_related("kind")
            .order_by("created_at", "id")
        ):
            entries[entry.assessment_id].append(entry)
    return {a: deductions_by_kind(group, caps[a]) for a, group in entries.items()}


def _self_and_final_layers(tree: Tree, rows: dict[int, dict]):
    """The appraised leaves' self-scores and final scores (survey leaves are not self-scored:
    they are left unscored on both sides)."""
    appraised = [leaf for leaf in tree.leaves if not leaf.is_survey]
    self_layer, final_layer = [], []
    for leaf in appraised:
        row = rows.get(leaf.id)
        na = bool(row and row["not_applicable"])
        self_layer.append(LeafInput(leaf.code, leaf.max_points, row and row["self_score"], na))
        final_layer.append(LeafInput(leaf.code, leaf.max_points, _final(row) if row else None, na))
    return self_layer, final_layer


def _overclaim_points(tree: Tree, rows: dict[int, dict]) -> tuple[Decimal, Decimal]:
    self_layer, final_layer = _self_and_final_layers(tree, rows)
    return (
        calculations.unit_total(self_layer).leaf_points,
        calculations.unit_total(final_layer).leaf_points,
    )


def _ranked(results: Sequence[UnitResult]) -> list[UnitResult]:
    return [r for r in results if r.rank is not None]


def _field_stat(results: Sequence[UnitResult], code: str, how) -> Decimal | None:
    values = [r.node_totals[code].points for r in results if code in r.node_totals]
    return how(values) if values else None


def _chances(
    lost: Sequence[LostItem], results: Sequence[UnitResult], mine: UnitResult
) -> list[Chance]:
    """The leaves where the unit lost points that other units of the level scored in full,
    largest loss first."""
    chances = []
    for item in lost:
        if item.kind != LEAF or item.is_survey:
            continue
        totals = [
            r.node_totals[item.code]
            for r in results
            if r.assessment_id != mine.assessment_id and item.code in r.node_totals
        ]
        scored = [t for t in totals if not t.not_applicable and t.is_scored]
        full = sum(1 for t in scored if t.points >= t.max_points)
        if full:
            chances.append(
                Chance(
                    code=item.code,
                    title=item.title,
                    lost=item.lost,
                    units_full=full,
                    of_units=len(scored),
                )
            )
    return sorted(chances, key=lambda c: (-c.lost, -c.units_full))


def _what_it_takes(
    year: AssessmentYear,
    mine: UnitResult,
    results: Sequence[UnitResult],
    bands: Sequence[tuple[str, Decimal]],
    chances: list[Chance],
) -> WhatItTakes:
    total = mine.total
    shown = total.shown_index
    if shown is None:
        return WhatItTakes(chances=chances)
    next_rank = points_to_next_rank = None
    if mine.rank is not None:
        ranked = {r.assessment_id: r.total.index for r in _ranked(results)}
        others = [index for key, index in ranked.items() if key != mine.assessment_id]
        target = whatif.next_target_above(shown, others)
        if target is not None:
            points_to_next_rank = whatif.points_to_reach(total.points, total.applicable_max, target)
            if points_to_next_rank is not None:
                next_rank = whatif.rank_among(
                    mine.assessment_id,
                    calculations.compute_index(
                        total.points + points_to_next_rank, total.applicable_max
                    ),
                    ranked,
                    year.tie_policy,
                )
    band = whatif.next_band_above(shown, bands)
    next_band = points_to_next_band = None
    if band is not None:
        points_to_next_band = whatif.points_to_reach(total.points, total.applicable_max, band[1])
        next_band = band[0] if points_to_next_band is not None else None
    return WhatItTakes(
        next_rank=next_rank,
        points_to_next_rank=points_to_next_rank,
        next_band=next_band,
        points_to_next_band=points_to_next_band,
        chances=chances,
    )


def _level_years(year: AssessmentYear, roles: Roles) -> list[AssessmentYear]:
    """The level's years up to this one that the reader may see appraised scores of, oldest
    first: 1 query. (A report of a year does not change when later years come out.)"""
    from .. import access  # access imports selectors: import here, not at the top

    years = AssessmentYear.objects.filter(
        unit_level_id=year.unit_level_id, year__lt=year.year
    ).order_by("year")
    return [y for y in years if access.can_see_final_scores(roles, y)] + [year]


def unit_insight(assessment: Assessment, *, roles: Roles) -> UnitInsight:
    """Everything the insight page shows: 13 queries whatever the number of units, leaves and
    years (trees of every year, bands, succession links, the level's years, this unit's
    leaves, this year's results (3), earlier years' results (3), the earlier years' own
    leaves, the deductions), fewer when there is no earlier year.

    ``assessment`` must come with year, level, framework and unit loaded (the access helper
    does it). The appraisers' reasons of leaves are given only to those who may see the unit's
    own working figures (its staff and the Interior Department); the self-assessment against
    the appraisal only when ``access.can_see_overclaim``."""
    from .. import access

    year = assessment.year
    unit = assessment.unit
    show_reasons = access.can_see_self_scores(roles, assessment)
    show_overclaim = access.can_see_overclaim(roles, assessment)

    years = _level_years(year, roles)
    trees = framework_trees({y.framework_id for y in years})
    tree = trees[year.framework_id]
    bands = [(b.label, b.lower_bound) for b in year.bands.all()]
    lin = lineage()

    own_rows = _leaf_rows([assessment.id])[assessment.id]
    own_outcomes = _outcomes(tree, own_rows, reasons=show_reasons)
    lost_leaf_codes = {o.code for o in own_outcomes if o.is_lost}
    top_codes = [node.code for node, _ in tree.top_level_groups]
    results = results_of_years(
        [year], {year.framework_id: tree}, keep=[*top_codes, *sorted(lost_leaf_codes)]
    )[year.id]
    mine = next(r for r in results if r.assessment_id == assessment.id)
    ranked = _ranked(results)

    # Earlier years: the unit's counterpart in each (the same unit, or what it was before a
    # rename, a split or a merge), for the previous year's comparison and the history.
    past_years = years[:-1]
    past_keep = [
        code for code in top_codes if all(code in trees[y.framework_id].parents for y in past_years)
    ]
    past_results = results_of_years(past_years, trees, keep=past_keep) if past_years else {}
    counterparts: dict[int, UnitResult] = {}  # year id -> the counterpart's result
    several: dict[int, list[str]] = {}
    for past in past_years:
        by_unit = {r.unit.id: r for r in past_results[past.id]}
        found = lin.counterparts_in(unit.id, by_unit)
        if len(found) == 1:
            counterparts[past.id] = by_unit[found[0]]
        elif found:
            several[past.id] = [by_unit[u].unit.name for u in found]
    previous_year = next(
        (y for y in past_years if y.year == year.year - 1 and y.is_published), None
    )
    previous_result = counterparts.get(previous_year.id) if previous_year else None

    past_rows = _leaf_rows([r.assessment_id for r in counterparts.values()])
    caps = {assessment.id: year.deduction_max}
    if previous_result is not None:
        caps[previous_result.assessment_id] = previous_year.deduction_max
    deductions = _deductions(caps)

    lost = lost_items(own_outcomes, deductions[assessment.id])
    previous = None
    if previous_result is not None:
        previous_tree = trees[previous_year.framework_id]
        via = lin.trail(unit.id, previous_result.unit.id)
        previous = PreviousYear(
            year=previous_year,
            result=previous_result,
            rank=previous_result.rank,
            via=via,
            lost=lost_items(
                _outcomes(
                    previous_tree,
                    past_rows[previous_result.assessment_id],
                    reasons=show_reasons
                    and access.can_see_working_figures_through(roles, previous_result.unit.id, via),
                ),
                deductions[previous_result.assessment_id],
            ),
            ranked_units=len(_ranked(past_results[previous_year.id])),
        )

    by_field: dict[str, list[LostItem]] = {}
    for item in lost:
        if item.kind == LEAF:
            by_field.setdefault(item.field_code, []).append(item)
    leader = next(iter(_by_rank(ranked)), None)
    fields = []
    for node, _leaves in tree.top_level_groups:
        node_total = mine.node_totals[node.code]
        previous_points = None
        if previous is not None and node.code in previous.result.node_totals:
            previous_points = previous.result.node_totals[node.code].points
        fields.append(
            FieldLoss(
                node=node,
                max_points=node_total.max_points,
                applicable_max=node_total.applicable_max,
                points=node_total.points,
                lost=node_total.lost,
                items=by_field.get(node.code, []),
                leader_points=leader.node_totals[node.code].points if leader else None,
                median_points=_field_stat(ranked, node.code, stats.median),
                previous_points=previous_points,
                average_points=_field_stat(ranked, node.code, stats.mean),
                unscored=node_total.unscored,
            )
        )

    history = []
    for y in years:
        result = mine if y.id == year.id else counterparts.get(y.id)
        if result is None:
            continue
        history.append(
            YearPoint(
                year=y.year,
                index=result.total.index,
                rank=result.rank,
                ranked_units=len(_ranked(past_results[y.id] if y.id != year.id else results)),
                unit_name=result.unit.name,
            )
        )

    overclaim = None
    if show_overclaim:
        self_layer, final_layer = _self_and_final_layers(tree, own_rows)
        self_totals = calculations.node_totals(tree.parents, self_layer)
        final_totals = calculations.node_totals(tree.parents, final_layer)
        over_years = []
        for y in years:
            if y.id == year.id:
                self_points, appraised = _overclaim_points(tree, own_rows)
                name = unit.name
            elif y.id in counterparts and access.can_see_working_figures_through(
                roles, counterparts[y.id].unit.id, lin.trail(unit.id, counterparts[y.id].unit.id)
            ):
                result = counterparts[y.id]
                self_points, appraised = _overclaim_points(
                    trees[y.framework_id], past_rows[result.assessment_id]
                )
                name = result.unit.name
            else:
                continue
            over_years.append(OverclaimYear(y.year, self_points, appraised, name))
        overclaim = Overclaim(
            self_points=over_years[-1].self_points,
            appraised=over_years[-1].appraised,
            fields=[
                OverclaimField(
                    node=node,
                    self_points=self_totals[node.code].points,
                    appraised=final_totals[node.code].points,
                )
                for node in tree.fields
            ],
            years=over_years,
        )

    rank = mine.rank
    ranked_units = len(ranked)
    story = unit_story(
        year=year.year,
        unit_name=unit.name,
        members_phrase=year.unit_level.members_phrase,
        shown_index=mine.total.shown_index,
        rank=rank,
        ranked_units=ranked_units,
        lost=lost,
        provisional=not year.is_published,
        unscored=mine.unscored,
    )
    return UnitInsight(
        assessment=assessment,
        year=year,
        total=mine.total,
        rank=rank,
        ranked_units=ranked_units,
        band=calculations.band_for(mine.total.index, bands) if rank is not None else None,
        lost=lost,
        fields=fields,
        leader=leader,
        median=stats.median([r.total.index for r in ranked if r.total.index is not None]),
        previous=previous,
        takes=_what_it_takes(year, mine, results, bands, _chances(lost, results, mine)),
        overclaim=overclaim,
        story=story,
        bands=bands,
        history=history,
        previous_several=several.get(previous_year.id, []) if previous_year else [],
        unscored=mine.unscored,
        show_reasons=show_reasons,
    )


# --- what if ---------------------------------------------------------------------------------


@dataclass
class WhatIfBase:
    """What a what-if needs, loaded once: the unit's final layer and the year's results."""

    assessment: Assessment
    tree: Tree
    bands: list[tuple[str, Decimal]]
    leaves: list[LeafInput]  # the unit's final layer, as the engine reads it
    results: list[UnitResult]
    mine: UnitResult

    @property
    def choices(self) -> list[tuple[str, str, Decimal, Decimal]]:
        """The leaves a unit can act on: applicable, appraised (not the survey), scored below
        their maximum; (code, title, max, actual score) in tree order."""
        titles = {leaf.code: leaf for leaf in self.tree.leaves}
        return [
            (leaf.code, titles[leaf.code].title, leaf.max_points, leaf.score)
            for leaf in self.leaves
            if not leaf.not_applicable
            and not titles[leaf.code].is_survey
            and leaf.score is not None
            and leaf.score < leaf.max_points
        ]

    def compute(
        self,
        changes: Mapping[str, Decimal],
        *,
        deductions: Decimal | None = None,
        bonus: Decimal | None = None,
    ) -> WhatIf:
        year = self.assessment.year
        actual = self.mine.total
        total = whatif.hypothetical_total(
            self.leaves,
            changes,
            bonus=actual.bonus if bonus is None else bonus,
            deductions=actual.deductions if deductions is None else deductions,
            bonus_max=year.bonus_max,
            deduction_max=year.deduction_max,
        )
        ranked = {r.assessment_id: r.total.index for r in _ranked(self.results)}
        rank = None
        if self.mine.rank is not None:
            rank = whatif.rank_among(self.mine.assessment_id, total.index, ranked, year.tie_policy)
        by_code = {leaf.code: leaf for leaf in self.leaves}
        titles = {leaf.code: leaf.title for leaf in self.tree.leaves}
        return WhatIf(
            actual=actual,
            total=total,
            actual_rank=self.mine.rank,
            rank=rank,
            ranked_units=len(ranked),
            actual_band=calculations.band_for(actual.index, self.bands),
            band=calculations.band_for(total.index, self.bands),
            changes=[
                WhatIfChange(code, titles[code], by_code[code].score, value)
                for code, value in changes.items()
                if by_code[code].score != value
            ],
        )


def what_if_base(assessment: Assessment) -> WhatIfBase:
    """6 queries: tree, bands, this unit's leaves, the year's results (3)."""
    year = assessment.year
    tree = framework_tree(year.framework_id)
    bands = [(b.label, b.lower_bound) for b in year.bands.all()]
    rows = _leaf_rows([assessment.id])[assessment.id]
    results = year_results(year, tree, keep=())
    return WhatIfBase(
        assessment=assessment,
        tree=tree,
        bands=bands,
        leaves=tree.layer(
            {node_id: (_final(row), row["not_applicable"]) for node_id, row in rows.items()}
        ),
        results=results,
        mine=next(r for r in results if r.assessment_id == assessment.id),
    )


def what_if(
    assessment: Assessment,
    changes: Mapping[str, Decimal],
    *,
    deductions: Decimal | None = None,
    bonus: Decimal | None = None,
) -> WhatIf:
    """The unit's total, index, band and rank among its level's units (their actual results)
    had its leaves ``changes`` (leaf code -> final score) and, when given, these bonus and
    deduction blocks: 6 queries (``what_if_base``). Saves nothing. Raises
    ``whatif.WhatIfInputError`` for an unknown or N/A leaf, or a score outside 0..max (the
    blocks: outside 0..the year's cap)."""
    return what_if_base(assessment).compute(changes, deductions=deductions, bonus=bonus)
