"""The generator of synthetic data (tests, query counts, the bench): its data passes the checks
real data passes, is the same on every run, and ``seed_bench`` builds its set once."""

from __future__ import annotations

import io
import random
from collections import defaultdict
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Max, Min

from scoring import rules, selectors
from scoring.bench import data as bench_data
from scoring.bench import imports
from scoring.demo import synthetic
from scoring.models import (
    Adjustment,
    AdjustmentKind,
    AssessmentYear,
    Band,
    FrameworkNode,
    LeafScore,
)
from scoring.services.results import LeafRecord
from units.models import Unit, UnitLevel

pytestmark = pytest.mark.django_db


def scored_level(code: str, n_units: int, *, seed: int = synthetic.SEED, state="published"):
    level, units = synthetic.create_level(code, code, n_units)
    framework = synthetic.create_framework(level, code, synthetic.framework_nodes(16, fields=3))
    year = synthetic.add_year(level, framework, units, 2024)
    return synthetic.score_year(year, state=state, seed=seed)


def values_of(year: AssessmentYear) -> dict:
    """Every leaf's layers keyed by (unit position, leaf code): comparable across levels."""
    rows = LeafScore.objects.filter(assessment__year=year).values_list(
        "assessment__unit__code",
        "node__code",
        "declared",
        "self_score",
        "not_applicable",
        "r1_score",
        "r1_reason",
        "r2_score",
        "flagged",
    )
    return {(unit.rsplit("-", 1)[1], code): rest for unit, code, *rest in rows}


def test_names_are_distinct_vietnamese_and_stable():
    names = synthetic.unit_names(3300)
    assert len(set(names)) == 3300
    assert names[1] == "Xã Kỳ Nam" and names[5] == synthetic.LONG[0]
    assert all(name.split()[0] in ("Xã", "Phường", "Thị") for name in names)
    assert synthetic.unit_names(70) == names[:70]


def test_a_generated_framework_has_the_shape_of_a_real_one():
    specs = synthetic.framework_nodes(150)
    fields = [s for s in specs if s.parent_code is None]
    leaves = [s for s in specs if s.rule]
    assert len(leaves) == 150 and len(fields) == 10
    assert sum(f.max_points for f in fields) == 100
    survey = fields[-1]
    assert survey.title == synthetic.SURVEY_TITLE and survey.max_points == 20
    assert {s.rule for s in leaves} == set(rules.RULES)
    assert any(s.params.get("step") for s in leaves) and any(s.allows_na for s in leaves)
    assert all(s.max_points % Decimal("0.25") == 0 for s in specs)
    for field in fields:  # a parent's max is its children's sum
        children = [s for s in specs if s.parent_code == field.code]
        assert sum(c.max_points for c in children) == field.max_points
    # More leaves than quarter points: hundredths, still summing to 100.
    many = synthetic.framework_nodes(500, survey_leaves=0)
    assert sum(s.max_points for s in many if s.rule) == 100
    with pytest.raises(ValueError):
        synthetic.framework_nodes(2, survey_leaves=2)


def test_generated_leaves_pass_the_checks_real_leaves_pass():
    year = scored_level("gen-check", 20)
    rows = list(LeafScore.objects.filter(assessment__year=year).select_related("node"))
    assert len(rows) == 20 * 16
    for row in rows[::7]:
        row.full_clean()
    for row in rows:
        node = row.node
        step = Decimal(node.rule_params["step"]) if node.rule_params.get("step") else None
        if row.not_applicable:
            assert node.allows_na and row.na_reason and row.r1_score is None
            continue
        for score in (row.self_score, row.r1_score, row.r2_score):
            if score is not None:
                assert rules.check_score(score, node.max_points, step) == score
        if node.filled_by == FrameworkNode.FilledBy.INTERIOR:
            assert row.self_score is None and row.declared == {}
        elif rules.get_rule(node.rule).computed:
            computed = rules.compute_score(
                node.rule, node.rule_params, node.max_points, row.declared
            )
            assert computed == row.self_score
        # A cut needs a reason, as the appraisal page asks.
        if row.r1_score < node.max_points and row.r1_score != row.self_score:
            assert row.r1_reason
        assert row.flagged == (row.r2_score is not None)
    kinds = {r.node.rule for r in rows if not r.not_applicable and r.self_score is not None}
    assert kinds >= {"manual", "binary", "timeliness", "percent_tiers", "count_tiers"}
    assert any(r.not_applicable for r in rows) and any(r.flagged for r in rows)
    assert any(r.r1_score < r.self_score for r in rows if r.self_score is not None)


def test_a_generated_published_year_is_one_publication_would_accept():
    year = scored_level("gen-final", 15, state="final_appraisal")
    assert [b.message for b in selectors.step_blockers(year) if b.blocking] == []


def test_a_year_in_appraisal_leaves_leaves_to_appraise():
    year = scored_level("gen-open", 15, state="appraisal")
    assert LeafScore.objects.filter(assessment__year=year, r1_score__isnull=True).exists()
    assert not year.assessments.exclude(status="submitted").exists()


def test_the_check_refuses_what_the_app_refuses():
    """The generator's check is the import's: a value the app refuses is refused, not
    written."""
    year = scored_level("gen-refuse", 1)
    manual = FrameworkNode.objects.filter(
        framework=year.framework, rule="manual", allows_na=False
    ).first()
    survey = FrameworkNode.objects.filter(framework=year.framework, rule="survey").first()
    check = synthetic.LeafCheck()
    with pytest.raises(rules.DeclaredError):
        check(manual, LeafRecord(manual.code, self_score=manual.max_points + 1))
    with pytest.raises(rules.DeclaredError):
        check(survey, LeafRecord(survey.code, self_score=Decimal(0)))
    with pytest.raises(rules.DeclaredError):
        check(manual, LeafRecord(manual.code, not_applicable=True, na_reason="x"))


def test_adjustments_take_their_kinds_direction_and_stay_within_the_caps():
    year = scored_level("gen-ledger", 60)
    entries = list(Adjustment.objects.filter(assessment__year=year).select_related("kind"))
    assert {e.direction for e in entries} == {"bonus", "deduction"}
    blocks = defaultdict(Decimal)
    for entry in entries:
        assert entry.direction == entry.kind.direction and entry.points > 0 and entry.reason
        if entry.kind.per_occurrence:
            assert entry.points == entry.kind.default_points * entry.count
        blocks[entry.assessment_id, entry.direction] += entry.points
    caps = {"bonus": year.bonus_max, "deduction": year.deduction_max}
    assert all(total <= caps[direction] for (_a, direction), total in blocks.items())


def test_the_ledger_skips_an_entry_that_would_pass_the_cap():
    year = scored_level("gen-cap", 1)
    AssessmentYear.objects.filter(pk=year.pk).update(deduction_max=Decimal("0.30"))
    year.refresh_from_db()
    kinds = {k.code: k for k in AdjustmentKind.objects.all()}
    assessment = year.assessments.get()
    for q in (0.0, 0.1, 0.2):  # weak units: deductions drawn every time
        rng = random.Random(q)
        rows = synthetic.ledger_rows(assessment, year, q=q, rng=rng, kinds=kinds)
        assert sum(r.points for r in rows if r.direction == "deduction") <= Decimal("0.30")


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    first = values_of(scored_level("gen-a", 12))
    again = values_of(scored_level("gen-b", 12))
    other = values_of(scored_level("gen-c", 12, seed=99))
    assert first == again
    assert first.keys() == other.keys() and first != other


def test_build_level_keeps_its_contract():
    last, this = synthetic.build_level(5)
    assert (last.state, this.state) == ("published", "appraisal")
    assert {r.total.deductions for r in selectors.year_results(this)} == {Decimal("0.25")}
    assert LeafScore.objects.filter(assessment__year=this).count() == 5 * 6


def run_seed(*args) -> str:
    out = io.StringIO()
    extra = ["--allow-sqlite"] if connection.vendor == "sqlite" else []
    call_command(
        "seed_bench", "--units", "20", "--leaves", "12", "--years", "2", *extra, *args, stdout=out
    )
    return out.getvalue()


def bench_rows() -> tuple[int, ...]:
    levels = bench_data.level_codes(20, 12, 2)
    return (
        Unit.objects.filter(level__code__in=levels).count(),
        AssessmentYear.objects.filter(unit_level__code__in=levels).count(),
        LeafScore.objects.filter(assessment__year__unit_level__code__in=levels).count(),
        Band.objects.filter(year__unit_level__code__in=levels).count(),
        Adjustment.objects.filter(assessment__year__unit_level__code__in=levels).count(),
    )


def written_at() -> tuple:
    """When the bench's leaf rows were written: (first, last)."""
    rows = LeafScore.objects.filter(
        assessment__year__unit_level__code__in=bench_data.level_codes(20, 12, 2)
    )
    return tuple(rows.aggregate(first=Min("updated_at"), last=Max("updated_at")).values())


def test_seed_bench_builds_the_set_once():
    output = run_seed()
    units = 20 + 70 + 13
    counts = bench_rows()
    assert counts[:4] == (units, 6, units * 12 * 2, 6 * 3)
    assert counts[4] > 0
    assert "Built bench-20-12-2" in output
    built = bench_data.bench_data(20, 12, 2)
    big = AssessmentYear.objects.get(pk=built.big_year_id)
    assert (big.year, big.state, big.assessments.count()) == (2025, "appraisal", 20)
    assert AssessmentYear.objects.get(year=2024, unit_level=big.unit_level).is_published
    assert AssessmentYear.objects.get(pk=built.small_year_id).assessments.count() == 13
    # Rank change: the last year's ranking compares every unit with the published year.
    rows = selectors.year_ranking(big).rows
    assert len(rows) == 20 and all(row.previous_rank is not None for row in rows)

    written = written_at()
    output = run_seed()
    assert "exists already" in output and bench_rows() == counts
    assert written_at() == written  # nothing written

    run_seed("--force")
    assert bench_rows() == counts
    assert written_at()[0] > written[1]  # every row built anew


def test_an_unfinished_set_is_built_again():
    run_seed()
    big = bench_data.level_codes(20, 12, 2)[0]
    UnitLevel.objects.filter(code=big).update(name=bench_data.BUILDING)
    output = run_seed()
    assert "Deleted the earlier data set" in output and "Built" in output


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_seed_bench_refuses_sqlite_unless_asked():
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("seed_bench", "--units", "20", "--leaves", "12", "--years", "2")
    assert not Unit.objects.filter(code__startswith="bench-").exists()


def test_seed_bench_refuses_sizes_without_a_rank_change():
    with pytest.raises(CommandError, match="2 years"):
        run_seed("--years", "1")


def test_the_import_timings_leave_the_data_as_it_was():
    run_seed()
    built = bench_data.bench_data(20, 12, 2)
    year = AssessmentYear.objects.get(pk=built.big_year_id)
    before = (values_of(year), year.state, year.self_assessment_closes)
    figures = imports.measure(built)
    assert [f.name.split(",")[0] for f in figures] == ["Self-assessment import", "Survey import"]
    assert all(f.value.endswith(")") for f in figures)
    # The self-assessment import has a target; the survey's time is printed (the issue sets
    # none: a file of that size runs as a background job).
    assert [f.passed is not None for f in figures] == [True, False]
    year.refresh_from_db()
    assert (values_of(year), year.state, year.self_assessment_closes) == before
    assert not User.objects.filter(username__startswith="bench.").exists()
