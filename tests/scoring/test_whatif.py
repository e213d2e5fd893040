"""The what-if arithmetic, without a database: reading what people type, hypothetical totals,
and the fewest points that move the shown index past a target, checked against the engine."""

from decimal import Decimal as D

import pytest
from django.utils import translation

from scoring import calculations
from scoring.analysis import stats, whatif
from scoring.analysis.whatif import WhatIfInputError
from scoring.calculations import LeafInput
from scoring.rules import round2


@pytest.fixture(autouse=True)
def vietnamese():
    with translation.override("vi"):
        yield


@pytest.mark.parametrize(
    "text, value",
    [
        ("1,5", D("1.5")),
        ("1.5", D("1.5")),
        (" 2 ", D(2)),
        ("\u00a02\u00a0", D(2)),
        ("0,25", D("0.25")),
        ("0", D(0)),
    ],
)
def test_a_score_may_use_a_decimal_comma_or_point(text, value):
    assert whatif.parse_points(text) == value


@pytest.mark.parametrize(
    "text, message",
    [
        ("abc", "“abc” không phải là một số điểm."),
        ("1,2,3", "“1,2,3” không phải là một số điểm."),
        ("1e3", "“1e3” không phải là một số điểm."),
        ("NaN", "“NaN” không phải là một số điểm."),
        ("-1", "Điểm không được âm."),
        ("", "Hãy nhập một số điểm."),
        ("1,255", "Điểm chỉ có tối đa hai chữ số thập phân."),
        ("1 5", "“1 5” không phải là một số điểm."),  # not 15
    ],
)
def test_what_is_not_a_score_is_refused_with_a_message(text, message):
    with pytest.raises(WhatIfInputError) as error:
        whatif.parse_points(text)
    assert str(error.value) == message


def test_a_score_above_the_maximum_is_refused():
    with pytest.raises(WhatIfInputError, match="không được lớn hơn 2,00"):
        whatif.check_within(D("2.01"), D(2))
    whatif.check_within(D(2), D(2))  # the maximum itself is fine


LEAVES = [
    LeafInput("1.1", D(2), D(2)),
    LeafInput("1.2", D(2), D("0.5")),
    LeafInput("1.3", D(2), None, not_applicable=True),
    LeafInput("2.1", D(4), D(0)),
]


def test_a_hypothetical_total_is_the_engines_total_of_the_changed_leaves():
    total = whatif.hypothetical_total(
        LEAVES,
        {"2.1": D(4)},
        bonus=D(0),
        deductions=D("0.5"),
        bonus_max=D(5),
        deduction_max=D(10),
    )
    expected = calculations.unit_total(
        [LEAVES[0], LEAVES[1], LEAVES[2], LeafInput("2.1", D(4), D(4))],
        deductions=D("0.5"),
        bonus_max=D(5),
        deduction_max=D(10),
    )
    assert total == expected
    assert total.points == D(6) and total.applicable_max == D(8)  # the N/A leaf stays out


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"9.9": D(1)}, "Không có tiêu chí 9.9."),
        ({"1.3": D(1)}, "Tiêu chí 1.3 không áp dụng với đơn vị."),
        ({"1.2": D(3)}, "Điểm không được lớn hơn 2,00."),
        ({"1.2": D(-1)}, "Điểm không được âm."),
    ],
)
def test_a_change_the_engine_cannot_take_is_refused(changes, message):
    with pytest.raises(WhatIfInputError) as error:
        whatif.hypothetical_leaves(LEAVES, changes)
    assert str(error.value) == message


def test_hypothetical_deductions_above_the_years_cap_are_refused():
    with pytest.raises(WhatIfInputError):
        whatif.hypothetical_total(
            LEAVES, {}, bonus=D(0), deductions=D(11), bonus_max=D(5), deduction_max=D(10)
        )


@pytest.mark.parametrize(
    "points, applicable, target",
    [
        (D("8.25"), D(12), D("90.00")),
        (D("8.25"), D(12), D("70.00")),
        (D("89.30"), D(100), D("89.71")),
        (D("68.32"), D(84), D("81.34")),  # a reduced maximum (Thanh Hóa 2023: 81.33)
        (D("50"), D("97.5"), D("91.87")),
        (D("0"), D(3), D("33.33")),
    ],
)
def test_points_to_reach_are_the_fewest_hundredths_that_the_engine_shows_at_the_target(
    points, applicable, target
):
    extra = whatif.points_to_reach(points, applicable, target)
    shown = round2(calculations.compute_index(points + extra, applicable))
    below = round2(calculations.compute_index(points + extra - D("0.01"), applicable))
    assert shown >= target > below
    assert extra == extra.quantize(D("0.01"))


def test_points_to_reach_by_hand():
    # 8.25 of 12 (68.75 %) to 90.00 %: 10.80 of 12 is 90.00, 10.79 is 89.92.
    assert whatif.points_to_reach(D("8.25"), D(12), D("90.00")) == D("2.55")
    # to 70.00 %: 8.40 of 12 is 70.00, 8.39 is 69.92.
    assert whatif.points_to_reach(D("8.25"), D(12), D("70.00")) == D("0.15")
    # half-up: 89.995 shows as 90.00, so 8.9995 of 10 would do, but points go by hundredths.
    assert whatif.points_to_reach(D("8.99"), D(10), D("90.00")) == D("0.01")


def test_points_to_reach_nothing_when_reached_and_none_when_impossible():
    assert whatif.points_to_reach(D(9), D(10), D(90)) == D(0)
    assert whatif.points_to_reach(D(9), D(0), D(90)) is None
    assert whatif.points_to_reach(D(9), D(10), D("100.01")) is None


def test_the_target_above_is_the_lowest_shown_index_above_mine():
    others = [D("100"), D("99.996"), D("90.004"), D("68.75"), None, D("50")]
    assert whatif.next_target_above(D("68.75"), others) == D("90.00")
    assert whatif.next_target_above(D("100.00"), others) is None
    assert whatif.next_target_above(None, others) is None


def test_the_next_band_is_the_one_just_above():
    bands = [("Tốt", D(90)), ("Khá", D(70)), ("Trung bình", D(50))]
    assert whatif.next_band_above(D("68.75"), bands) == ("Khá", D(70))
    assert whatif.next_band_above(D("40"), bands) == ("Trung bình", D(50))
    assert whatif.next_band_above(D("90.00"), bands) is None
    assert whatif.next_band_above(D("80"), []) is None


def test_median_and_mean_of_odd_and_even_counts():
    assert stats.median([D(3), D(1), D(2)]) == D(2)
    assert stats.median([D(4), D(1), D(2), D(3)]) == D("2.5")
    assert stats.median([]) is None
    assert stats.mean([D(1), D(2)]) == D("1.5")
    assert stats.mean([]) is None


@pytest.mark.parametrize(
    "policy, index, expected", [("competition", D(90), 3), ("dense", D(90), 2)]
)
def test_rank_among_the_others_is_the_engines_rank(policy, index, expected):
    others = {"an": D(100), "binh": D(100), "dung": D(90), "me": D("68.75")}
    assert whatif.rank_among("me", index, others, policy) == expected
    assert (
        whatif.rank_among("me", D("68.75"), others, policy)
        == calculations.rank(others, policy)["me"]
    )


CHOICES = [("1.2", "Tiêu chí 1.2", D(2), D("0.5")), ("2.1", "Tiêu chí 2.1", D(4), D(0))]


def test_an_empty_form_is_not_submitted_and_prefills_the_actual_scores():
    form = whatif.what_if_form({}, CHOICES, deductions=(D("0.25"), D(10)))
    assert not form.submitted and not form.is_valid
    assert [(f.name, f.actual, f.value) for f in form.fields] == [
        ("leaf-1.2", D("0.5"), None),
        ("leaf-2.1", D(0), None),
        ("deductions", D("0.25"), None),
    ]
    assert form.fields[0].dom_id == "wi-leaf-1-2"


def test_a_form_reads_changes_and_leaves_unchanged_values_out():
    form = whatif.what_if_form(
        {"leaf-1.2": "2,00", "leaf-2.1": "0", "deductions": "0"},
        CHOICES,
        deductions=(D("0.25"), D(10)),
    )
    assert form.is_valid
    assert form.changes == {"1.2": D(2)}
    assert form.deductions == D(0)


def test_a_form_with_bad_values_says_so_beside_each_field_and_computes_nothing():
    form = whatif.what_if_form(
        {"leaf-1.2": "hai", "leaf-2.1": "5", "deductions": "-1"},
        CHOICES,
        deductions=(D("0.25"), D(10)),
    )
    assert form.submitted and not form.is_valid and form.has_errors
    assert [f.error for f in form.fields] == [
        "“hai” không phải là một số điểm.",
        "Điểm không được lớn hơn 4,00.",
        "Điểm không được âm.",
    ]
    assert form.fields[0].value == "hai"  # kept as typed, to be corrected


def test_a_form_refuses_a_leaf_it_does_not_offer():
    form = whatif.what_if_form({"leaf-9.9": "1"}, CHOICES)
    assert form.submitted and not form.is_valid
    assert form.errors == [
        "Tiêu chí 9.9 không có trong danh sách có thể thay đổi (chỉ các tiêu chí đơn vị bị mất "
        "điểm)."
    ]
