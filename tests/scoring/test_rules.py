"""Scoring rules of a leaf (domain.md §3): parameters, computed points and typed scores."""

import datetime as dt
from decimal import Decimal

import pytest

from scoring.rules import (
    RULES,
    DeclaredError,
    RuleError,
    check_score,
    compute_score,
    validate_params,
)

TWO = Decimal("2")

# Domain §3: share of plan tasks done ">90% / 70–90% / <70%" gives 2 / 1 / 0 — as normalised params.
PERCENT = {
    "tiers": [
        {"min": "90", "points": "2", "inclusive": False},
        {"min": "70", "points": "1", "inclusive": True},
    ]
}
# Domain §3: approved investment projects "≥10 / 5–9 / <5" — as normalised params.
COUNT = {
    "tiers": [
        {"min": "10", "points": "2", "inclusive": True},
        {"min": "5", "points": "1", "inclusive": True},
    ]
}
# Cà Mau: on time / late / not issued gives 1 / 0.5 / 0; late counts up to 30 days.
TIMELY = {"on_time": "1", "late": "0.5", "late_days": 30}
TIMELY_ANY_DELAY = {"on_time": "1", "late": "0.5", "late_days": None}
TIMELY_NO_GRACE = {"on_time": "1", "late": "0.5", "late_days": 0}
DEDUCT = {"per_occurrence": "0.5"}


def test_rules_are_the_eight_of_the_domain():
    assert set(RULES) == {
        "binary",
        "timeliness",
        "percent_tiers",
        "proportional",
        "count_tiers",
        "deduction",
        "manual",
        "survey",
    }


@pytest.mark.parametrize(
    ("code", "computed"),
    [
        ("binary", True),
        ("timeliness", True),
        ("percent_tiers", True),
        ("proportional", True),
        ("count_tiers", True),
        ("deduction", True),
        ("manual", False),
        ("survey", False),
    ],
)
def test_rule_is_computed_only_when_points_come_from_declared_figures(code, computed):
    assert RULES[code].computed is computed


# --- validate_params: valid parameters are normalised -----------------------------------------


@pytest.mark.parametrize(
    ("code", "params", "max_points", "expected"),
    [
        ("binary", {}, "1", {}),
        ("binary", None, "1", {}),
        ("proportional", {}, "3", {}),
        ("survey", {}, "20", {}),
        ("survey", None, "20", {}),
        (
            "timeliness",
            {"on_time": "1", "late": "0.5", "late_days": 30},
            "1",
            {"on_time": "1", "late": "0.5", "late_days": 30},
        ),
        (
            "timeliness",
            {"on_time": 1, "late": "0,5"},
            "1",
            {"on_time": "1", "late": "0.5", "late_days": None},
        ),
        ("timeliness", {}, "1.5", {"on_time": "1.5", "late": "0", "late_days": None}),
        (
            "timeliness",
            {"on_time": None, "late": None, "late_days": 0},
            "2",
            {"on_time": "2", "late": "0", "late_days": 0},
        ),
        (
            "percent_tiers",
            {
                "tiers": [
                    {"min": "70", "points": "1"},
                    {"min": "90", "points": "2", "inclusive": False},
                ]
            },
            "2",
            PERCENT,
        ),
        (
            "percent_tiers",
            {"tiers": [{"min": 0, "points": 0}, {"min": "100", "points": "2"}]},
            "2",
            {
                "tiers": [
                    {"min": "100", "points": "2", "inclusive": True},
                    {"min": "0", "points": "0", "inclusive": True},
                ]
            },
        ),
        (
            "count_tiers",
            {"tiers": [{"min": "5", "points": "1"}, {"min": 10, "points": 2}]},
            "2",
            COUNT,
        ),
        (
            "count_tiers",
            {"tiers": [{"min": "150", "points": "0,25"}]},
            "1",
            {"tiers": [{"min": "150", "points": "0.25", "inclusive": True}]},
        ),
        ("deduction", {"per_occurrence": "0.25"}, "1", {"per_occurrence": "0.25"}),
        ("deduction", {"per_occurrence": 1}, "1", {"per_occurrence": "1"}),
        ("manual", {"step": "0.25"}, "2", {"step": "0.25"}),
        ("manual", {"step": 2}, "2", {"step": "2"}),
        ("manual", {}, "2", {"step": None}),
        ("manual", {"step": None}, "2", {"step": None}),
    ],
)
def test_validate_params_normalises_valid_parameters(code, params, max_points, expected):
    assert validate_params(code, params, Decimal(max_points)) == expected


def test_validate_params_sorts_exclusive_tier_before_inclusive_tier_on_the_same_bound():
    params = {
        "tiers": [
            {"min": "90", "points": "1"},
            {"min": "90", "points": "2", "inclusive": False},
        ]
    }
    assert validate_params("percent_tiers", params, TWO) == {
        "tiers": [
            {"min": "90", "points": "2", "inclusive": False},
            {"min": "90", "points": "1", "inclusive": True},
        ]
    }


def test_validate_params_accepts_points_equal_to_the_leaf_max():
    params = {"tiers": [{"min": "1", "points": "2"}]}
    assert validate_params("count_tiers", params, TWO) == {
        "tiers": [{"min": "1", "points": "2", "inclusive": True}]
    }


def test_validate_params_accepts_equal_points_on_neighbouring_tiers():
    params = {"tiers": [{"min": "5", "points": "1"}, {"min": "10", "points": "1"}]}
    assert validate_params("count_tiers", params, TWO) == {
        "tiers": [
            {"min": "10", "points": "1", "inclusive": True},
            {"min": "5", "points": "1", "inclusive": True},
        ]
    }


# --- validate_params: invalid parameters are refused ------------------------------------------

TIER_70 = {"min": "70", "points": "1"}


@pytest.mark.parametrize(
    ("code", "params", "max_points"),
    [
        # unknown keys
        pytest.param("binary", {"points": "1"}, "1", id="binary-unknown-key"),
        pytest.param("proportional", {"round": 2}, "1", id="proportional-unknown-key"),
        pytest.param("survey", {"source": "x"}, "20", id="survey-unknown-key"),
        pytest.param("timeliness", {"on_time": "1", "early": "1"}, "1", id="timeliness-unknown"),
        pytest.param("percent_tiers", {"tiers": [TIER_70], "x": 1}, "2", id="percent-unknown"),
        pytest.param(
            "percent_tiers",
            {"tiers": [{"min": "70", "points": "1", "max": "90"}]},
            "2",
            id="percent-tier-unknown-key",
        ),
        pytest.param("count_tiers", {"tiers": [TIER_70], "x": 1}, "2", id="count-unknown"),
        pytest.param("deduction", {"per_occurrence": "1", "cap": "2"}, "2", id="deduction-unknown"),
        pytest.param("manual", {"step": "0.5", "min": "0"}, "2", id="manual-unknown"),
        # missing keys / shapes
        pytest.param("percent_tiers", {}, "2", id="percent-missing-tiers"),
        pytest.param("count_tiers", {}, "2", id="count-missing-tiers"),
        pytest.param("percent_tiers", {"tiers": []}, "2", id="percent-empty-tiers"),
        pytest.param("count_tiers", {"tiers": {"min": "1"}}, "2", id="count-tiers-not-list"),
        pytest.param("count_tiers", {"tiers": ["5:1"]}, "2", id="count-tier-not-mapping"),
        pytest.param("percent_tiers", {"tiers": [{"min": "70"}]}, "2", id="tier-missing-points"),
        pytest.param("percent_tiers", {"tiers": [{"points": "1"}]}, "2", id="tier-missing-min"),
        pytest.param("deduction", {}, "2", id="deduction-missing-per-occurrence"),
        pytest.param("deduction", {"per_occurrence": None}, "2", id="deduction-null-per"),
        # points above the leaf max
        pytest.param("timeliness", {"on_time": "2.01"}, "2", id="on-time-above-max"),
        pytest.param("timeliness", {"on_time": "1", "late": "3"}, "2", id="late-above-max"),
        pytest.param(
            "percent_tiers",
            {"tiers": [{"min": "70", "points": "2.01"}]},
            "2",
            id="percent-points-above-max",
        ),
        pytest.param(
            "count_tiers", {"tiers": [{"min": "5", "points": 3}]}, "2", id="count-points-above-max"
        ),
        pytest.param("deduction", {"per_occurrence": "2.5"}, "2", id="per-occurrence-above-max"),
        # negative
        pytest.param("timeliness", {"on_time": "-1"}, "2", id="on-time-negative"),
        pytest.param("timeliness", {"late": "-0.5"}, "2", id="late-negative"),
        pytest.param(
            "percent_tiers", {"tiers": [{"min": "-1", "points": "1"}]}, "2", id="percent-min-neg"
        ),
        pytest.param(
            "percent_tiers",
            {"tiers": [{"min": "70", "points": "-0.5"}]},
            "2",
            id="percent-points-negative",
        ),
        pytest.param(
            "count_tiers", {"tiers": [{"min": -1, "points": "1"}]}, "2", id="count-min-negative"
        ),
        pytest.param("deduction", {"per_occurrence": "-0.5"}, "2", id="per-occurrence-negative"),
        pytest.param("manual", {"step": "-0.25"}, "2", id="step-negative"),
        # floats are refused because they are inexact
        pytest.param("timeliness", {"on_time": 1.0}, "2", id="on-time-float"),
        pytest.param("timeliness", {"late": 0.5}, "2", id="late-float"),
        pytest.param(
            "percent_tiers", {"tiers": [{"min": 90.0, "points": "1"}]}, "2", id="tier-min-float"
        ),
        pytest.param(
            "count_tiers", {"tiers": [{"min": "5", "points": 1.5}]}, "2", id="tier-points-float"
        ),
        pytest.param("deduction", {"per_occurrence": 0.5}, "2", id="per-occurrence-float"),
        pytest.param("manual", {"step": 0.25}, "2", id="step-float"),
        # booleans where numbers (or a bool where a bool) are expected
        pytest.param("timeliness", {"on_time": True}, "2", id="on-time-bool"),
        pytest.param(
            "percent_tiers", {"tiers": [{"min": True, "points": "1"}]}, "2", id="tier-min-bool"
        ),
        pytest.param(
            "count_tiers", {"tiers": [{"min": "5", "points": True}]}, "2", id="tier-points-bool"
        ),
        pytest.param("deduction", {"per_occurrence": True}, "2", id="per-occurrence-bool"),
        pytest.param("manual", {"step": True}, "2", id="step-bool"),
        pytest.param(
            "percent_tiers",
            {"tiers": [{"min": "70", "points": "1", "inclusive": "no"}]},
            "2",
            id="inclusive-not-bool",
        ),
        # not numbers at all
        pytest.param("timeliness", {"on_time": "one"}, "2", id="on-time-text"),
        pytest.param(
            "count_tiers", {"tiers": [{"min": "NaN", "points": "1"}]}, "2", id="tier-min-nan"
        ),
        pytest.param("manual", {"step": "Infinity"}, "2", id="step-infinite"),
        # duplicate tier bounds
        pytest.param(
            "percent_tiers",
            {"tiers": [{"min": "70", "points": "1"}, {"min": "70.0", "points": "2"}]},
            "2",
            id="percent-duplicate-bound",
        ),
        pytest.param(
            "count_tiers",
            {"tiers": [{"min": 5, "points": "1"}, {"min": "5", "points": "1"}]},
            "2",
            id="count-duplicate-bound",
        ),
        # a higher tier worth fewer points
        pytest.param(
            "percent_tiers",
            {"tiers": [{"min": "90", "points": "1"}, {"min": "70", "points": "2"}]},
            "2",
            id="percent-higher-tier-fewer-points",
        ),
        pytest.param(
            "percent_tiers",
            {
                "tiers": [
                    {"min": "90", "points": "1", "inclusive": False},
                    {"min": "90", "points": "2"},
                ]
            },
            "2",
            id="percent-exclusive-tier-fewer-points-than-inclusive-same-bound",
        ),
        pytest.param(
            "count_tiers",
            {"tiers": [{"min": "10", "points": "0.5"}, {"min": "5", "points": "1"}]},
            "2",
            id="count-higher-tier-fewer-points",
        ),
        # percent min above 100
        pytest.param(
            "percent_tiers",
            {"tiers": [{"min": "100.01", "points": "1"}]},
            "2",
            id="percent-min-above-100",
        ),
        # late > on_time
        pytest.param("timeliness", {"on_time": "0.5", "late": "1"}, "1", id="late-above-on-time"),
        pytest.param("timeliness", {"on_time": "1", "late": "1.5"}, "2", id="late-above-on-time-2"),
        # late_days negative / bool / not an integer
        pytest.param("timeliness", {"late_days": -1}, "1", id="late-days-negative"),
        pytest.param("timeliness", {"late_days": True}, "1", id="late-days-true"),
        pytest.param("timeliness", {"late_days": False}, "1", id="late-days-false"),
        pytest.param("timeliness", {"late_days": "30"}, "1", id="late-days-string"),
        pytest.param("timeliness", {"late_days": 1.5}, "1", id="late-days-float"),
        # per_occurrence 0
        pytest.param("deduction", {"per_occurrence": "0"}, "2", id="per-occurrence-zero-str"),
        pytest.param("deduction", {"per_occurrence": 0}, "2", id="per-occurrence-zero-int"),
        # manual step 0 or above max
        pytest.param("manual", {"step": "0"}, "2", id="step-zero"),
        pytest.param("manual", {"step": "2.5"}, "2", id="step-above-max"),
        # unknown rule
        pytest.param("weighted", {}, "2", id="unknown-rule"),
        pytest.param("", {}, "2", id="empty-rule-code"),
        # non-mapping params
        pytest.param("binary", [], "1", id="binary-list-params"),
        pytest.param("manual", "0.25", "2", id="manual-string-params"),
        pytest.param("percent_tiers", [TIER_70], "2", id="percent-list-params"),
        pytest.param("deduction", 1, "2", id="deduction-int-params"),
        # max_points 0 or below
        pytest.param("binary", {}, "0", id="max-zero"),
        pytest.param("manual", {}, "-1", id="max-negative"),
        pytest.param("deduction", {"per_occurrence": "0"}, "0", id="max-zero-deduction"),
    ],
)
def test_validate_params_refuses_invalid_parameters(code, params, max_points):
    with pytest.raises(RuleError):
        validate_params(code, params, Decimal(max_points))


# --- compute_score: binary --------------------------------------------------------------------


@pytest.mark.parametrize(("done", "expected"), [(True, "1.5"), (False, "0")])
def test_binary_gives_max_when_done_and_zero_when_not(done, expected):
    assert compute_score("binary", {}, Decimal("1.5"), {"done": done}) == Decimal(expected)


@pytest.mark.parametrize("declared", [{}, {"done": None}, None])
def test_binary_without_an_answer_is_not_scored(declared):
    assert compute_score("binary", {}, Decimal("1"), declared) is None


@pytest.mark.parametrize("done", ["true", "yes", 1, 0, "1"])
def test_binary_refuses_a_non_bool_answer_on_done(done):
    with pytest.raises(DeclaredError) as info:
        compute_score("binary", {}, Decimal("1"), {"done": done})
    assert info.value.field == "done"


# --- compute_score: timeliness ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "done_on", "expected"),
    [
        pytest.param(TIMELY, "2024-03-31", "1", id="on-the-due-date-is-on-time"),
        pytest.param(TIMELY, "2024-01-02", "1", id="before-the-due-date-is-on-time"),
        pytest.param(TIMELY, "2024-04-01", "0.5", id="one-day-late-is-late"),
        pytest.param(TIMELY, "2024-04-30", "0.5", id="exactly-late-days-late-is-late"),
        pytest.param(TIMELY, "2024-05-01", "0", id="beyond-late-days-is-zero"),
        pytest.param(TIMELY_ANY_DELAY, "2024-04-01", "0.5", id="no-limit-one-day-late"),
        pytest.param(TIMELY_ANY_DELAY, "2026-12-31", "0.5", id="no-limit-years-late-is-late"),
        pytest.param(TIMELY_NO_GRACE, "2024-03-31", "1", id="no-grace-on-time"),
        pytest.param(TIMELY_NO_GRACE, "2024-04-01", "0", id="no-grace-one-day-late-is-zero"),
    ],
)
def test_timeliness_scores_by_days_after_the_due_date(params, done_on, expected):
    declared = {"due": "2024-03-31", "done_on": done_on}
    assert compute_score("timeliness", params, Decimal("1"), declared) == Decimal(expected)


def test_timeliness_accepts_date_objects():
    declared = {"due": dt.date(2024, 3, 31), "done_on": dt.date(2024, 4, 2)}
    assert compute_score("timeliness", TIMELY, Decimal("1"), declared) == Decimal("0.5")


def test_timeliness_accepts_dates_with_surrounding_spaces():
    declared = {"due": " 2024-03-31 ", "done_on": "2024-03-31 "}
    assert compute_score("timeliness", TIMELY, Decimal("1"), declared) == Decimal("1")


@pytest.mark.parametrize(
    "declared",
    [
        {"not_done": True},
        {"not_done": True, "due": "2024-03-31"},
    ],
)
def test_timeliness_not_done_scores_zero(declared):
    assert compute_score("timeliness", TIMELY, Decimal("1"), declared) == Decimal("0")


@pytest.mark.parametrize(
    "declared",
    [
        {},
        None,
        {"due": "2024-03-31"},
        {"done_on": "2024-03-31"},
        {"due": "", "done_on": "2024-03-31"},
        {"due": "2024-03-31", "done_on": "  "},
        {"due": "2024-03-31", "done_on": None, "not_done": False},
    ],
)
def test_timeliness_with_a_missing_date_is_not_scored(declared):
    assert compute_score("timeliness", TIMELY, Decimal("1"), declared) is None


@pytest.mark.parametrize(
    ("declared", "field"),
    [
        ({"due": "31/03/2024", "done_on": "2024-03-31"}, "due"),
        ({"due": "2024-03-31", "done_on": "2024-02-30"}, "done_on"),
        ({"due": "2024-03-31", "done_on": "yesterday"}, "done_on"),
        ({"due": "2024-13-01", "done_on": "2024-03-31"}, "due"),
    ],
)
def test_timeliness_refuses_a_bad_date_on_that_field(declared, field):
    with pytest.raises(DeclaredError) as info:
        compute_score("timeliness", TIMELY, Decimal("1"), declared)
    assert info.value.field == field


# --- compute_score: percent_tiers -------------------------------------------------------------


@pytest.mark.parametrize(
    ("done", "total", "expected"),
    [
        pytest.param("0", "100", "0", id="zero-percent"),
        pytest.param("69.99", "100", "0", id="just-below-inclusive-70-falls-to-zero"),
        pytest.param("70", "100", "1", id="exactly-on-inclusive-70-reaches-tier"),
        pytest.param("63", "90", "1", id="ratio-exactly-70-percent-reaches-tier"),
        pytest.param("90", "100", "1", id="exactly-on-exclusive-90-falls-to-lower-tier"),
        pytest.param("9", "10", "1", id="ratio-exactly-90-percent-falls-to-lower-tier"),
        pytest.param("90.01", "100", "2", id="just-above-exclusive-90-reaches-tier"),
        pytest.param("19", "21", "2", id="ratio-above-90-percent"),
        pytest.param("2", "3", "0", id="two-thirds-below-70"),
        pytest.param("100", "100", "2", id="all-done"),
    ],
)
def test_percent_tiers_follow_the_domain_example(done, total, expected):
    declared = {"done": done, "total": total}
    assert compute_score("percent_tiers", PERCENT, TWO, declared) == Decimal(expected)


def test_percent_tiers_value_exactly_on_exclusive_bound_falls_to_lower_tier():
    declared = {"done": "90", "total": "100"}
    assert compute_score("percent_tiers", PERCENT, TWO, declared) == Decimal("1")


def test_percent_tiers_accept_a_comma_decimal_separator():
    declared = {"done": "90,01", "total": "100"}
    assert compute_score("percent_tiers", PERCENT, TWO, declared) == Decimal("2")


def test_percent_tiers_accept_integer_figures():
    declared = {"done": 95, "total": 100}
    assert compute_score("percent_tiers", PERCENT, TWO, declared) == Decimal("2")


# --- compute_score: proportional --------------------------------------------------------------


@pytest.mark.parametrize(
    ("max_points", "done", "total", "expected"),
    [
        pytest.param("3", "1", "3", "1.00", id="one-third-of-3"),
        pytest.param("2", "1", "8", "0.25", id="one-eighth-of-2"),
        pytest.param("2", "1", "3", "0.67", id="one-third-of-2-rounds-up"),
        pytest.param("1", "2", "3", "0.67", id="two-thirds-of-1"),
        pytest.param("2", "0", "5", "0.00", id="nothing-done"),
        pytest.param("2", "5", "5", "2.00", id="everything-done"),
        pytest.param("2", "0,5", "1", "1.00", id="comma-decimal-separator"),
        pytest.param("2", "12,5", "25", "1.00", id="comma-decimal-separator-larger"),
    ],
)
def test_proportional_is_max_times_done_over_total_rounded_to_2dp(
    max_points, done, total, expected
):
    declared = {"done": done, "total": total}
    result = compute_score("proportional", {}, Decimal(max_points), declared)
    assert str(result) == expected


@pytest.mark.parametrize(
    ("max_points", "done", "total", "expected"),
    [
        # 1 × 1 / 8 = 0.125: half-up 0.13, half-even would give 0.12
        pytest.param("1", "1", "8", "0.13", id="0.125"),
        # 2.5 × 1 / 4 = 0.625: half-up 0.63, half-even would give 0.62
        pytest.param("2.5", "1", "4", "0.63", id="0.625"),
        # 0.5 × 1 / 8 = 0.0625 → 0.06 either way (not a tie at the third decimal)
        pytest.param("0.5", "1", "8", "0.06", id="0.0625"),
    ],
)
def test_proportional_rounds_half_up(max_points, done, total, expected):
    declared = {"done": done, "total": total}
    result = compute_score("proportional", {}, Decimal(max_points), declared)
    assert result == Decimal(expected)


# --- compute_score: count_tiers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        ("0", "0"),
        ("4", "0"),
        ("5", "1"),
        ("9", "1"),
        ("10", "2"),
        ("150", "2"),
        (7, "1"),
    ],
)
def test_count_tiers_follow_the_domain_example(count, expected):
    assert compute_score("count_tiers", COUNT, TWO, {"count": count}) == Decimal(expected)


# --- compute_score: deduction -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        pytest.param("0", "2", id="no-occurrence-gives-max"),
        pytest.param("1", "1.5", id="one-occurrence"),
        pytest.param("3", "0.5", id="three-occurrences"),
        pytest.param("4", "0", id="exactly-exhausted"),
        pytest.param("5", "0", id="floored-at-zero"),
        pytest.param("1000", "0", id="far-beyond-floored-at-zero"),
    ],
)
def test_deduction_takes_per_occurrence_from_max_floored_at_zero(count, expected):
    assert compute_score("deduction", DEDUCT, TWO, {"count": count}) == Decimal(expected)


# --- compute_score: clamping ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "params", "declared"),
    [
        ("count_tiers", {"tiers": [{"min": "0", "points": "5", "inclusive": True}]}, {"count": 3}),
        (
            "timeliness",
            {"on_time": "3", "late": "0", "late_days": None},
            {"due": "2024-03-31", "done_on": "2024-03-31"},
        ),
    ],
)
def test_compute_score_never_exceeds_max_even_with_unchecked_params(code, params, declared):
    assert compute_score(code, params, TWO, declared) == TWO


def test_compute_score_never_goes_below_zero_even_with_unchecked_params():
    params = {"tiers": [{"min": "0", "points": "-1", "inclusive": True}]}
    assert compute_score("count_tiers", params, TWO, {"count": 3}) == Decimal("0")


# --- compute_score: missing figures -----------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "params", "declared"),
    [
        ("percent_tiers", PERCENT, {}),
        ("percent_tiers", PERCENT, None),
        ("percent_tiers", PERCENT, {"done": "5"}),
        ("percent_tiers", PERCENT, {"total": "10"}),
        ("percent_tiers", PERCENT, {"done": "", "total": "10"}),
        ("percent_tiers", PERCENT, {"done": "5", "total": "   "}),
        ("proportional", {}, {}),
        ("proportional", {}, {"done": None, "total": "10"}),
        ("proportional", {}, {"done": "10"}),
        ("count_tiers", COUNT, {}),
        ("count_tiers", COUNT, {"count": ""}),
        ("deduction", DEDUCT, {}),
        ("deduction", DEDUCT, {"count": None}),
        ("deduction", DEDUCT, None),
    ],
)
def test_missing_figures_give_none_not_zero(code, params, declared):
    assert compute_score(code, params, TWO, declared) is None


@pytest.mark.parametrize(
    ("code", "params"), [("manual", {"step": None}), ("manual", {"step": "0.25"}), ("survey", {})]
)
@pytest.mark.parametrize("declared", [None, {}, {"score": "1"}, {"done": "1", "total": "1"}])
def test_typed_rules_compute_to_none(code, params, declared):
    assert compute_score(code, params, TWO, declared) is None


def test_compute_score_refuses_an_unknown_rule():
    with pytest.raises(RuleError):
        compute_score("weighted", {}, TWO, {"done": True})


# --- compute_score: bad declared figures ------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "params", "declared", "field"),
    [
        # negative
        pytest.param(
            "percent_tiers", PERCENT, {"done": "-1", "total": "10"}, "done", id="neg-done"
        ),
        pytest.param(
            "percent_tiers", PERCENT, {"done": "1", "total": "-10"}, "total", id="neg-total"
        ),
        pytest.param("proportional", {}, {"done": "-0,5", "total": "1"}, "done", id="neg-comma"),
        pytest.param("count_tiers", COUNT, {"count": "-1"}, "count", id="neg-count"),
        pytest.param("deduction", DEDUCT, {"count": -2}, "count", id="neg-deduction-count"),
        # non-numeric text
        pytest.param("proportional", {}, {"done": "abc", "total": "10"}, "done", id="text-done"),
        pytest.param("proportional", {}, {"done": "1", "total": "ten"}, "total", id="text-total"),
        pytest.param("count_tiers", COUNT, {"count": "many"}, "count", id="text-count"),
        pytest.param("deduction", DEDUCT, {"count": "NaN"}, "count", id="nan-count"),
        pytest.param(
            "percent_tiers", PERCENT, {"done": "Infinity", "total": "10"}, "done", id="inf-done"
        ),
        pytest.param("count_tiers", COUNT, {"count": True}, "count", id="bool-count"),
        # non-integer count
        pytest.param("count_tiers", COUNT, {"count": "2.5"}, "count", id="fraction-count"),
        pytest.param("count_tiers", COUNT, {"count": "2,5"}, "count", id="comma-fraction-count"),
        pytest.param("deduction", DEDUCT, {"count": "0.1"}, "count", id="fraction-deduction"),
        # done > total
        pytest.param(
            "percent_tiers", PERCENT, {"done": "10.5", "total": "10"}, "done", id="done-gt-total"
        ),
        pytest.param("proportional", {}, {"done": "11", "total": "10"}, "done", id="prop-done-gt"),
        # total 0
        pytest.param("proportional", {}, {"done": "0", "total": "0"}, "total", id="zero-total"),
        pytest.param(
            "percent_tiers", PERCENT, {"done": "5", "total": "0"}, "total", id="zero-total-done"
        ),
    ],
)
def test_bad_declared_figure_raises_declared_error_on_its_field(code, params, declared, field):
    with pytest.raises(DeclaredError) as info:
        compute_score(code, params, TWO, declared)
    assert info.value.field == field


# --- check_score ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", "0"),
        ("2", "2"),
        (2, "2"),
        (0, "0"),
        ("1.75", "1.75"),
        ("1,5", "1.5"),
        (" 1.25 ", "1.25"),
        (Decimal("0.01"), "0.01"),
        ("1.50", "1.5"),
    ],
)
def test_check_score_accepts_scores_within_0_and_max(value, expected):
    assert check_score(value, TWO) == Decimal(expected)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("-0.01", id="negative"),
        pytest.param(-1, id="negative-int"),
        pytest.param("2.01", id="above-max"),
        pytest.param(3, id="above-max-int"),
        pytest.param("1.005", id="three-decimals"),
        pytest.param("0.001", id="three-decimals-small"),
        pytest.param("abc", id="text"),
        pytest.param("", id="empty"),
        pytest.param(None, id="none"),
        pytest.param(True, id="bool"),
        pytest.param(1.5, id="float"),
        pytest.param("NaN", id="nan"),
        pytest.param("Infinity", id="infinity"),
    ],
)
def test_check_score_refuses_with_a_score_field_error(value):
    with pytest.raises(DeclaredError) as info:
        check_score(value, TWO)
    assert info.value.field == "score"


@pytest.mark.parametrize("value", ["0", "0.25", "0.5", "1.75", "2"])
def test_check_score_accepts_values_on_the_step(value):
    assert check_score(value, TWO, Decimal("0.25")) == Decimal(value)


@pytest.mark.parametrize("value", ["0.3", "0.1", "1.8", "0.01"])
def test_check_score_refuses_values_off_the_step(value):
    with pytest.raises(DeclaredError) as info:
        check_score(value, TWO, Decimal("0.25"))
    assert info.value.field == "score"


def test_check_score_accepts_the_max_even_when_not_a_multiple_of_the_step():
    assert check_score("1", Decimal("1"), Decimal("0.3")) == Decimal("1")


def test_check_score_refuses_off_step_value_below_a_max_that_is_not_on_the_step():
    with pytest.raises(DeclaredError) as info:
        check_score("0.5", Decimal("1"), Decimal("0.3"))
    assert info.value.field == "score"


def test_timeliness_accepts_a_datetime_as_its_date():
    params = validate_params("timeliness", {"on_time": "1", "late": "0.5"}, Decimal("1"))
    declared = {"due": dt.datetime(2024, 1, 15, 17), "done_on": dt.date(2024, 1, 15)}
    assert compute_score("timeliness", params, Decimal("1"), declared) == Decimal("1")


def test_timeliness_refuses_a_not_done_that_is_not_a_boolean():
    params = validate_params("timeliness", {}, Decimal("1"))
    with pytest.raises(DeclaredError) as error:
        compute_score("timeliness", params, Decimal("1"), {"due": "2024-01-15", "not_done": "x"})
    assert error.value.field == "not_done"


def test_timeliness_refuses_not_done_together_with_a_done_date():
    params = validate_params("timeliness", {}, Decimal("1"))
    declared = {"not_done": True, "due": "2024-03-31", "done_on": "2024-03-01"}
    with pytest.raises(DeclaredError) as error:
        compute_score("timeliness", params, Decimal("1"), declared)
    assert error.value.field == "done_on"


@pytest.mark.parametrize("typed", ["1.000", "10.0", "1,000", "1 000", "-3"])
def test_a_count_typed_with_separators_or_decimals_is_refused_not_guessed(typed):
    # "1.000" is one thousand to a Vietnamese reader: Decimal would read 1.
    params = validate_params("count_tiers", {"tiers": [{"min": "5", "points": "1"}]}, Decimal("1"))
    with pytest.raises(DeclaredError) as error:
        compute_score("count_tiers", params, Decimal("1"), {"count": typed})
    assert error.value.field == "count"
