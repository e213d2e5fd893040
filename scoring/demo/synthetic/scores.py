"""A year and every layer of its scores and ledgers, checked as real data is, written in bulk."""

from __future__ import annotations

import io
import itertools
import json
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.db import connection
from django.utils import timezone

from units.models import Unit, UnitLevel
from units.roles import SYSTEM_ADMIN

from ... import rules, services
from ...models import (
    Adjustment,
    AdjustmentKind,
    AppraisalReason,
    Assessment,
    AssessmentYear,
    Framework,
    FrameworkNode,
    LeafScore,
)
from ...services.results import AdjustmentRecord, LeafRecord, _leaf_score, adjustment_entry
from .frameworks import CENT, SEED, ZERO

BANDS = (("Tốt", Decimal(90)), ("Khá", Decimal(80)), ("Trung bình", Decimal(65)))
# The states in which units have sent their self-assessment.
SENT = {
    AssessmentYear.State.APPRAISAL,
    AssessmentYear.State.EXPLANATION,
    AssessmentYear.State.FINAL_APPRAISAL,
    AssessmentYear.State.PUBLISHED,
}


def add_year(
    level: UnitLevel,
    framework: Framework,
    units: Sequence[Unit],
    number: int,
    *,
    bands: Sequence[tuple[str, Decimal]] = BANDS,
) -> AssessmentYear:
    """A year in 'preparing' with an assessment per unit and the bands (the service's checks);
    ``score_year`` fills it and moves it to its state."""
    return services.create_year(
        roles=SYSTEM_ADMIN,
        year=number,
        unit_level=level,
        framework=framework,
        units=units,
        bands=bands,
    )


def strength(seed: int, position: int, year: int) -> float:
    """How good the unit at ``position`` is in ``year``: a base of its own plus a yearly drift,
    so ranks move from one year to the next (the ranking's rank change has something to show)."""
    base = random.Random(f"{seed}:unit:{position}").uniform(0.55, 0.97)
    drift = random.Random(f"{seed}:unit:{position}:{year}").uniform(-0.05, 0.05)
    return min(0.99, max(0.4, base + drift))


@dataclass(frozen=True)
class Plan:
    """How a year's layers are drawn."""

    appraised: float = 1.0  # share of leaves scored in round 1 (the rest: not yet appraised)
    na_rate: float = 0.04  # share of N/A-able leaves a unit declares not applicable
    flag_rate: float = 0.03  # share of cut leaves sent to the explanation round (and round 2)
    ledger: bool = True  # bonus and deductions drawn per unit


EXPLANATION = "Đơn vị đã thực hiện, có tài liệu kiểm chứng kèm theo."
NA_REASON = "Đơn vị không phát sinh nhiệm vụ này trong năm."
ANSWER = "Đơn vị bổ sung tài liệu kiểm chứng theo yêu cầu."


def _snap(value: float, max_points: Decimal, step: Decimal | None) -> Decimal:
    """A score in 0..max, on the step (or to the hundredth), never above the value."""
    points = min(max_points, max(ZERO, Decimal(str(value)).quantize(CENT, rounding=ROUND_DOWN)))
    if step is not None and points != max_points:
        points = (points / step).to_integral_value(rounding=ROUND_DOWN) * step
    return points


# Totals a ratio is declared over (tasks in the plan, dossiers received …): a few sizes, so
# that generated records repeat and ``LeafCheck`` checks each once.
TOTALS = (12, 20, 25, 40, 50, 80, 120, 200)


def _declared(node: FrameworkNode, q: float, rng: random.Random, year: int) -> dict:
    """Declared figures of a computed leaf for a unit of quality ``q``, as the form stores them
    (decimals as text, counts as integers, dates as ISO text)."""
    rule = node.rule
    if rule == "binary":
        return {"done": rng.random() < q + 0.1}
    if rule in ("percent_tiers", "proportional"):
        total = rng.choice(TOTALS)
        done = min(total, round(total * min(1.0, q + rng.uniform(-0.1, 0.15))))
        return {"done": str(done), "total": str(total)}
    if rule == "count_tiers":
        return {"count": max(0, round(q * 14 + rng.uniform(-3, 3)))}
    if rule == "deduction":
        return {"count": 0 if rng.random() < q else rng.randint(1, 3)}
    if rule == "timeliness":
        draw = rng.random()
        if draw < q:
            return {"due": f"{year}-01-15", "done_on": f"{year}-01-{rng.randint(5, 15):02}"}
        if draw < q + 0.15:
            return {"due": f"{year}-01-15", "done_on": f"{year}-02-{rng.randint(1, 20):02}"}
        return {"due": f"{year}-01-15", "not_done": True}
    return {}


def leaf_record(
    node: FrameworkNode,
    *,
    q: float,
    rng: random.Random,
    year: int,
    plan: Plan,
    reasons: Sequence[str],
    check: LeafCheck | None = None,
) -> tuple[LeafRecord, bool]:
    """Every layer of one leaf for a unit of quality ``q``: (the record, flagged). Self-scores
    run above the appraisal (domain §4); a cut has a reason; a flagged leaf has the unit's
    answer and a round-2 score."""
    if node.allows_na and rng.random() < plan.na_rate:
        return LeafRecord(node.code, not_applicable=True, na_reason=NA_REASON), False
    max_points = node.max_points
    step = Decimal(node.rule_params["step"]) if node.rule_params.get("step") else None
    declared: dict = {}
    self_score = None
    if node.rule == "survey":
        claim = None
    elif node.rule == "manual":
        self_score = _snap(float(max_points) * min(1.0, q + rng.uniform(0, 0.2)), max_points, step)
        claim = self_score
    else:
        declared = _declared(node, q, rng, year)
        self_score = (check or LeafCheck()).computed(node, declared)
        claim = self_score
    if rng.random() >= plan.appraised:
        return LeafRecord(node.code, declared, self_score, explanation=EXPLANATION), False
    if claim is None:  # survey: the Interior Department's figure
        r1 = _snap(float(max_points) * min(1.0, q + rng.uniform(-0.1, 0.1)), max_points, step)
    elif rng.random() < q:
        r1 = claim  # accepted as claimed
    else:
        r1 = _snap(float(claim) * rng.uniform(0.3, 0.9), max_points, step)
    cut = r1 < max_points and r1 != self_score
    reason = rng.choice(reasons) if cut else ""
    flagged = cut and claim is not None and rng.random() < plan.flag_rate
    r2 = (
        _snap(float(r1 + (claim - r1) * Decimal(str(rng.random()))), max_points, step)
        if flagged
        else None
    )
    record = LeafRecord(
        node.code,
        declared,
        self_score,
        explanation=EXPLANATION if claim is not None else "",
        r1_score=r1,
        r1_reason=reason,
        explanation_answer=ANSWER if flagged else "",
        r2_score=r2,
        r2_reason=rng.choice(reasons)
        if r2 is not None and r2 < max_points and r2 != self_score and r2 != r1
        else "",
    )
    return record, flagged


# The columns a leaf row's check decides, in the order ``LeafCheck`` gives them.
CHECKED = (
    "declared",
    "self_score",
    "not_applicable",
    "na_reason",
    "explanation",
    "r1_score",
    "r1_reason",
    "r1_comment",
    "explanation_answer",
    "r2_score",
    "r2_reason",
    "r2_comment",
)


class LeafCheck:
    """The results import's check of one leaf (``_leaf_score``) over generated records, giving
    the checked values (``CHECKED``'s order) or raising ``DeclaredError`` as it does.

    The check is a pure function of the leaf and the record, and generated records repeat
    (a manual leaf of 1 point on a step of 0.25 has five scores), so each distinct pair is
    checked once and its result remembered: building a model instance per row for the check
    cost more than everything else of the national-size set together."""

    def __init__(self):
        self._checked: dict[tuple, tuple] = {}
        self._computed: dict[tuple, Decimal | None] = {}

    def computed(self, node: FrameworkNode, declared: dict) -> Decimal | None:
        """What the leaf's rule gives for the declared figures (``rules.compute_score``)."""
        key = (node.id, tuple(sorted(declared.items())))
        if key not in self._computed:
            self._computed[key] = rules.compute_score(
                node.rule, node.rule_params, node.max_points, declared
            )
        return self._computed[key]

    def __call__(self, node: FrameworkNode, record: LeafRecord) -> tuple:
        key = (
            node.id,
            tuple(sorted(record.declared.items())),
            record.self_score,
            record.not_applicable,
            record.na_reason,
            record.explanation,
            record.r1_score,
            record.r1_reason,
            record.r1_comment,
            record.explanation_answer,
            record.r2_score,
            record.r2_reason,
            record.r2_comment,
        )
        values = self._checked.get(key)
        if values is None:
            row = _leaf_score(node, record)
            values = self._checked[key] = tuple(getattr(row, name) for name in CHECKED)
        return values


# A generated leaf row: (assessment id, leaf id, the checked values, flagged).
Row = tuple[int, int, tuple, bool]


def leaf_rows(
    assessment: Assessment,
    leaves: Sequence[FrameworkNode],
    *,
    q: float,
    rng: random.Random,
    year: int,
    plan: Plan,
    reasons: Sequence[str],
    check: LeafCheck,
) -> list[Row]:
    """One unit's leaf rows, each through the results import's own check."""
    rows = []
    for node in leaves:
        record, flagged = leaf_record(
            node, q=q, rng=rng, year=year, plan=plan, reasons=reasons, check=check
        )
        rows.append((assessment.id, node.id, check(node, record), flagged))
    return rows


def as_leaf_score(row: Row) -> LeafScore:
    assessment_id, node_id, values, flagged = row
    return LeafScore(
        assessment_id=assessment_id,
        node_id=node_id,
        flagged=flagged,
        **dict(zip(CHECKED, values, strict=True)),
    )


def _csv(value) -> str:
    """A value in PostgreSQL's CSV format: NULL unquoted and empty, text always quoted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False)
    elif not isinstance(value, str):
        return str(value)
    return '"' + value.replace('"', '""') + '"'


def save_leaf_rows(rows: Sequence[Row]) -> None:
    """Write generated rows: COPY on PostgreSQL (about ten times bulk_create's speed, which
    the national-size set needs), ``bulk_create`` elsewhere. Generated rows, like bulk-created
    ones, get no history records."""
    if connection.vendor != "postgresql":
        LeafScore.objects.bulk_create((as_leaf_score(row) for row in rows), batch_size=2000)
        return
    meta = LeafScore._meta
    names = ["assessment", "node", *CHECKED, "flagged", "version", "appraisal_version"]
    columns = [meta.get_field(name).column for name in names] + ["updated_at"]
    now = timezone.now().isoformat()
    buffer = io.StringIO()
    for assessment_id, node_id, values, flagged in rows:
        cells = [str(assessment_id), str(node_id), *map(_csv, values), _csv(flagged), "0", "0"]
        buffer.write(",".join(cells) + f",{now}\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY {meta.db_table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)", buffer
        )


# Bonus and deductions a unit may get: (kind code, points or None for the kind's default,
# per-occurrence count or None, reason).
DEDUCTIONS = (
    ("no-provincial-initiative", None, None, "Không có sáng kiến được công nhận cấp tỉnh"),
    ("officials-disciplined", None, 2, "Hai công chức bị kỷ luật khiển trách"),
    ("leaders-not-per-regulation", None, None, "Số lượng cấp phó vượt quy định"),
    ("too-few-investment-projects", None, None, "Chỉ có 3 dự án được chấp thuận đầu tư"),
    ("low-enterprise-budget-share", None, None, "Tỷ lệ thu ngân sách từ doanh nghiệp thấp"),
    ("other-deduction", Decimal("0.25"), None, "Báo cáo trễ hạn"),
)
BONUSES = (
    ("other-bonus", Decimal("1"), None, "Mô hình cải cách được Bộ Nội vụ ghi nhận"),
    ("other-bonus", Decimal("0.5"), None, "Sáng kiến cấp tỉnh được công nhận"),
)


def ledger_rows(
    assessment: Assessment,
    year: AssessmentYear,
    *,
    q: float,
    rng: random.Random,
    kinds: dict[str, AdjustmentKind],
) -> list[Adjustment]:
    """A unit's ledger: weaker units collect deductions, stronger ones a bonus now and then;
    every entry checked as the ledger checks it, each block kept within the year's cap."""
    records = []
    if rng.random() > q:
        records += rng.sample(DEDUCTIONS, rng.randint(1, 2))
    if rng.random() < q / 3:
        records.append(rng.choice(BONUSES))
    rows, used = (
        [],
        {AdjustmentKind.Direction.BONUS: ZERO, AdjustmentKind.Direction.DEDUCTION: ZERO},
    )
    caps = {
        AdjustmentKind.Direction.BONUS: year.bonus_max,
        AdjustmentKind.Direction.DEDUCTION: year.deduction_max,
    }
    for code, points, count, reason in records:
        if code not in kinds:
            continue  # an installation that removed a default kind
        entry = adjustment_entry(kinds[code], AdjustmentRecord(code, reason, points, count))
        if used[entry.direction] + entry.points > caps[entry.direction]:
            continue
        used[entry.direction] += entry.points
        entry.assessment = assessment
        rows.append(entry)
    return rows


def uniform_ledger(
    assessments: Iterable[Assessment], *, kind: str, points: Decimal, reason: str
) -> list[Adjustment]:
    """The same entry for every unit, checked as the ledger checks it."""
    kind_row = AdjustmentKind.objects.get(code=kind)
    rows = []
    for assessment in assessments:
        entry = adjustment_entry(kind_row, AdjustmentRecord(kind, reason, points))
        entry.assessment = assessment
        rows.append(entry)
    return rows


def batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def score_year(
    year: AssessmentYear,
    *,
    state: str,
    seed: int = SEED,
    plan: Plan | None = None,
    batch_units: int = 100,
    progress: Callable[[int, int], None] | None = None,
) -> AssessmentYear:
    """Fill every unit's leaves and ledger of ``year`` and move it to ``state`` (straight to
    it: the workflow's steps and their notifications are no use to generated data; the values
    are those the steps would accept, e.g. every applicable leaf of a published year scored).
    Written a batch of ``batch_units`` units at a time."""
    if plan is None:
        done = state in (AssessmentYear.State.FINAL_APPRAISAL, AssessmentYear.State.PUBLISHED)
        plan = Plan(appraised=1.0 if done else 0.8)
    rng = random.Random(f"{seed}:{year.year}")
    leaves = list(
        FrameworkNode.objects.filter(framework_id=year.framework_id)
        .exclude(rule="")
        .order_by("sort_key")
    )
    reasons = list(
        AppraisalReason.objects.filter(is_active=True, needs_comment=False)
        .order_by("order", "code")
        .values_list("label", flat=True)
    ) or ["Thiếu tài liệu kiểm chứng"]
    kinds = {k.code: k for k in AdjustmentKind.objects.filter(is_active=True)}
    assessments = list(
        Assessment.objects.filter(year=year).select_related("unit").order_by("unit__code")
    )
    check, written = LeafCheck(), 0
    for batch in batched(enumerate(assessments), batch_units):
        rows, entries = [], []
        for position, assessment in batch:
            q = strength(seed, position, year.year)
            rows += leaf_rows(
                assessment,
                leaves,
                q=q,
                rng=rng,
                year=year.year,
                plan=plan,
                reasons=reasons,
                check=check,
            )
            if plan.ledger:
                entries += ledger_rows(assessment, year, q=q, rng=rng, kinds=kinds)
        save_leaf_rows(rows)
        Adjustment.objects.bulk_create(entries)
        written += len(batch)
        if progress is not None:
            progress(written, len(assessments))
    return set_state(year, state)


def set_state(year: AssessmentYear, state: str) -> AssessmentYear:
    now = timezone.now()
    if state in SENT:
        Assessment.objects.filter(year=year).update(
            status=Assessment.Status.SUBMITTED, submitted_at=now
        )
    published_at = now if state == AssessmentYear.State.PUBLISHED else None
    AssessmentYear.objects.filter(pk=year.pk).update(state=state, published_at=published_at)
    return AssessmentYear.objects.select_related("framework", "unit_level").get(pk=year.pk)
