"""Totals, index, ranking and bands (domain.md §5), checked against published figures."""

from decimal import Decimal

import pytest

from scoring.calculations import (
    TIE_COMPETITION,
    TIE_DENSE,
    LeafInput,
    NodeTotal,
    TreeNode,
    band_for,
    check_tree,
    compute_index,
    final_score,
    is_rankable,
    node_totals,
    rank,
    rank_change,
    unit_total,
)


def leaf(code, max_points, score, not_applicable=False):
    return LeafInput(
        code=code,
        max_points=Decimal(max_points),
        score=None if score is None else Decimal(score),
        not_applicable=not_applicable,
    )


def node(code, parent, max_points, is_leaf=True):
    return TreeNode(code=code, parent=parent, max_points=Decimal(max_points), is_leaf=is_leaf)


# TP Hà Tĩnh 2020 (domain §5): fields 1–4 are the published field maxima and scores; field 5 holds
# the other appraised fields (44.5 points, scored so the appraised total is 75.94); field 9 is the
# sociological survey (20 points, 19.22). How a field splits into leaves is illustrative.
HT2020_TREE = [
    # (code, parent, max, is_leaf, score)
    ("1", None, "10", False, None),
    ("1.1", "1", "4", True, "3.85"),
    ("1.2", "1", "6", True, "6"),
    ("2", None, "6.5", False, None),
    ("2.1", "2", "3.5", True, "3.25"),
    ("2.2", "2", "3", True, "3"),
    ("3", None, "13.5", False, None),
    ("3.1", "3", "5", False, None),
    ("3.1.a", "3.1", "2", True, "1.94"),
    ("3.1.b", "3.1", "3", True, "3"),
    ("3.2", "3", "5", True, "5"),
    ("3.3", "3", "3.5", True, "3.5"),
    ("4", None, "5.5", False, None),
    ("4.1", "4", "5.5", True, "5.5"),
    ("5", None, "44.5", False, None),
    ("5.1", "5", "20", True, "18.4"),
    ("5.2", "5", "24.5", True, "22.5"),
    ("9", None, "20", False, None),
    ("9.1", "9", "20", True, "19.22"),
]
HT2020_PARENTS = {code: parent for code, parent, *_ in HT2020_TREE}
HT2020_LEAVES = [leaf(code, m, s) for code, _, m, is_leaf, s in HT2020_TREE if is_leaf]
HT2020_NODES = [node(code, parent, m, is_leaf) for code, parent, m, is_leaf, _ in HT2020_TREE]
APPRAISED_FIELDS = ("1", "2", "3", "4", "5")


# --- unit_total and compute_index: the checked figures ----------------------------------------


def test_tp_ha_tinh_2018_leaf_points_are_appraised_plus_survey():
    total = unit_total([leaf("appraised", "80", "74.17"), leaf("survey", "20", "19.02")])
    assert total.leaf_points == Decimal("93.19")


def test_tp_ha_tinh_2018_applicable_max_is_100():
    total = unit_total([leaf("appraised", "80", "74.17"), leaf("survey", "20", "19.02")])
    assert total.applicable_max == Decimal("100")


def test_tp_ha_tinh_2018_index_is_93_19():
    total = unit_total([leaf("appraised", "80", "74.17"), leaf("survey", "20", "19.02")])
    assert total.index == Decimal("93.19")
    assert total.shown_index == Decimal("93.19")


@pytest.mark.parametrize(
    ("field", "points", "max_points"),
    [
        ("1", "9.85", "10"),
        ("2", "6.25", "6.5"),
        ("3", "13.44", "13.5"),
        ("4", "5.5", "5.5"),
        ("9", "19.22", "20"),
    ],
)
def test_tp_ha_tinh_2020_field_scores_roll_up(field, points, max_points):
    totals = node_totals(HT2020_PARENTS, HT2020_LEAVES)
    assert (totals[field].points, totals[field].max_points) == (
        Decimal(points),
        Decimal(max_points),
    )


def test_tp_ha_tinh_2020_appraised_fields_sum_to_75_94():
    totals = node_totals(HT2020_PARENTS, HT2020_LEAVES)
    assert sum(totals[field].points for field in APPRAISED_FIELDS) == Decimal("75.94")


def test_tp_ha_tinh_2020_appraised_fields_are_worth_80():
    totals = node_totals(HT2020_PARENTS, HT2020_LEAVES)
    assert sum(totals[field].max_points for field in APPRAISED_FIELDS) == Decimal("80")


def test_tp_ha_tinh_2020_index_is_95_16():
    total = unit_total(HT2020_LEAVES)
    assert (total.leaf_points, total.applicable_max, total.shown_index) == (
        Decimal("95.16"),
        Decimal("100"),
        Decimal("95.16"),
    )


@pytest.mark.parametrize(
    ("appraised", "survey", "index"),
    [
        pytest.param("74.17", "19.02", "93.19", id="tp-ha-tinh-2018"),
        pytest.param("75.94", "19.22", "95.16", id="tp-ha-tinh-2020"),
        # Only the totals are published for these two; the appraised/survey split is illustrative.
        pytest.param("74.50", "18.74", "93.24", id="thach-ha-2020"),
        pytest.param("69.20", "17.78", "86.98", id="ky-anh-2020"),
    ],
)
def test_published_index_is_appraised_plus_survey_out_of_100(appraised, survey, index):
    total = unit_total([leaf("appraised", "80", appraised), leaf("survey", "20", survey)])
    assert total.shown_index == Decimal(index)


def _reduced_maximum_total():
    # Thanh Hóa 2023: 68.32 points of an applicable 84 (16 points not applicable) → 81.33.
    return unit_total(
        [
            leaf("a", "50", "41.5"),
            leaf("b", "34", "26.82"),
            leaf("c", "10", None, not_applicable=True),
            leaf("d", "6", "6", not_applicable=True),
        ]
    )


def test_reduced_maximum_applicable_is_84():
    assert _reduced_maximum_total().applicable_max == Decimal("84")


def test_reduced_maximum_points_ignore_scores_of_not_applicable_leaves():
    assert _reduced_maximum_total().points == Decimal("68.32")


def test_reduced_maximum_shown_index_is_81_33():
    assert _reduced_maximum_total().shown_index == Decimal("81.33")


def test_index_is_kept_exact_and_rounded_only_when_shown():
    index = _reduced_maximum_total().index
    assert index.quantize(Decimal("0.000001")) == Decimal("81.333333")


@pytest.mark.parametrize(
    ("points", "applicable", "expected"),
    [
        ("68.32", "84", "81.33"),
        ("93.19", "100", "93.19"),
        ("0", "100", "0.00"),
        ("42", "42", "100.00"),
        ("-5", "100", "0.00"),
        ("105", "100", "100.00"),
    ],
)
def test_compute_index_is_points_over_applicable_times_100_within_0_and_100(
    points, applicable, expected
):
    result = compute_index(Decimal(points), Decimal(applicable))
    assert result.quantize(Decimal("0.01")) == Decimal(expected)


@pytest.mark.parametrize("applicable", ["0", "-1"])
def test_compute_index_is_none_without_an_applicable_maximum(applicable):
    assert compute_index(Decimal("5"), Decimal(applicable)) is None


def test_index_is_zero_when_deductions_exceed_leaf_points():
    total = unit_total([leaf("a", "100", "5")], deductions=Decimal("10"))
    assert (total.points, total.index) == (Decimal("-5"), Decimal("0"))


def test_index_is_100_when_bonus_pushes_points_above_applicable():
    total = unit_total([leaf("a", "100", "99")], bonus=Decimal("3"))
    assert (total.points, total.index) == (Decimal("102"), Decimal("100"))


def test_points_are_leaf_points_plus_bonus_minus_deductions():
    total = unit_total(
        [leaf("a", "80", "70"), leaf("s", "20", "15")],
        bonus=Decimal("2"),
        deductions=Decimal("1.5"),
    )
    assert (total.points, total.index) == (Decimal("85.5"), Decimal("85.5"))


def test_bonus_and_deductions_do_not_change_the_applicable_maximum():
    total = unit_total([leaf("a", "100", "50")], bonus=Decimal("3"), deductions=Decimal("1"))
    assert total.applicable_max == Decimal("100")


@pytest.mark.parametrize(
    ("bonus", "bonus_max", "expected"),
    [
        pytest.param("5", "3", "3", id="above-cap-clamped"),
        pytest.param("3", "3", "3", id="on-cap-kept"),
        pytest.param("2.5", "3", "2.5", id="below-cap-kept"),
        pytest.param("-1", "3", "0", id="negative-clamped-to-zero"),
        pytest.param("7", None, "7", id="no-cap"),
        pytest.param("-1", None, "0", id="negative-without-cap-clamped-to-zero"),
    ],
)
def test_bonus_is_clamped_to_zero_and_the_year_cap(bonus, bonus_max, expected):
    total = unit_total(
        [leaf("a", "100", "50")],
        bonus=Decimal(bonus),
        bonus_max=None if bonus_max is None else Decimal(bonus_max),
    )
    assert (total.bonus, total.points) == (Decimal(expected), Decimal("50") + Decimal(expected))


@pytest.mark.parametrize(
    ("deductions", "deduction_max", "expected"),
    [
        pytest.param("5", "2", "2", id="above-cap-clamped"),
        pytest.param("2", "2", "2", id="on-cap-kept"),
        pytest.param("0.5", "2", "0.5", id="below-cap-kept"),
        pytest.param("-1", "2", "0", id="negative-clamped-to-zero"),
        pytest.param("7", None, "7", id="no-cap"),
        pytest.param("-3", None, "0", id="negative-without-cap-clamped-to-zero"),
    ],
)
def test_deductions_are_clamped_to_zero_and_the_year_cap(deductions, deduction_max, expected):
    total = unit_total(
        [leaf("a", "100", "50")],
        deductions=Decimal(deductions),
        deduction_max=None if deduction_max is None else Decimal(deduction_max),
    )
    assert (total.deductions, total.points) == (
        Decimal(expected),
        Decimal("50") - Decimal(expected),
    )


def test_bonus_cap_does_not_limit_deductions():
    total = unit_total(
        [leaf("a", "100", "50")],
        deductions=Decimal("4"),
        bonus_max=Decimal("1"),
    )
    assert total.deductions == Decimal("4")


def test_not_applicable_leaf_leaves_the_applicable_maximum():
    total = unit_total([leaf("a", "60", "30"), leaf("b", "40", "40", not_applicable=True)])
    assert (total.applicable_max, total.leaf_points, total.index) == (
        Decimal("60"),
        Decimal("30"),
        Decimal("50"),
    )


def test_unscored_leaf_counts_zero_but_stays_applicable():
    total = unit_total([leaf("a", "50", "40"), leaf("b", "50", None)])
    assert (total.applicable_max, total.leaf_points, total.index) == (
        Decimal("100"),
        Decimal("40"),
        Decimal("40"),
    )


def test_everything_not_applicable_gives_no_index():
    total = unit_total(
        [leaf("a", "50", "40", not_applicable=True), leaf("b", "50", None, not_applicable=True)],
        bonus=Decimal("2"),
    )
    assert (total.applicable_max, total.index, total.shown_index) == (Decimal("0"), None, None)


def test_no_leaves_gives_no_index():
    assert unit_total([]).index is None


# --- rank -------------------------------------------------------------------------------------


def test_rank_reproduces_ha_tinh_2018():
    indexes = {
        "TX Hồng Lĩnh": Decimal("90.45"),
        "TP Hà Tĩnh": Decimal("93.19"),
        "Nghi Xuân": Decimal("90.70"),
    }
    assert rank(indexes) == {"TP Hà Tĩnh": 1, "Nghi Xuân": 2, "TX Hồng Lĩnh": 3}


def test_rank_reproduces_ha_tinh_2020_first_second_and_last():
    indexes = {
        "huyện Kỳ Anh": Decimal("86.98"),
        "Thạch Hà": Decimal("93.24"),
        "TP Hà Tĩnh": Decimal("95.16"),
    }
    assert rank(indexes) == {"TP Hà Tĩnh": 1, "Thạch Hà": 2, "huyện Kỳ Anh": 3}


TIED = {
    "Quận A": Decimal("95.7"),
    "Quận B": Decimal("95.70"),
    "Quận C": Decimal("94.1"),
    "Quận D": Decimal("93"),
}


def test_rank_competition_policy_skips_places_after_a_tie():
    assert rank(TIED, TIE_COMPETITION) == {"Quận A": 1, "Quận B": 1, "Quận C": 3, "Quận D": 4}


def test_rank_dense_policy_does_not_skip_places_after_a_tie():
    assert rank(TIED, TIE_DENSE) == {"Quận A": 1, "Quận B": 1, "Quận C": 2, "Quận D": 3}


def test_rank_default_policy_is_competition():
    assert rank(TIED) == {"Quận A": 1, "Quận B": 1, "Quận C": 3, "Quận D": 4}


def test_rank_ties_units_whose_index_rounds_to_the_same_shown_value():
    assert rank({"a": Decimal("95.695"), "b": Decimal("95.70"), "c": Decimal("95.60")}) == {
        "a": 1,
        "b": 1,
        "c": 3,
    }


def test_rank_places_index_rounding_down_below():
    assert rank({"a": Decimal("95.694"), "b": Decimal("95.70")}) == {"a": 2, "b": 1}


def test_rank_rounds_half_up_before_comparing():
    # 95.685 half-up → 95.69 (ties with b); half-even would give 95.68 (below b).
    assert rank({"a": Decimal("95.685"), "b": Decimal("95.69")}) == {"a": 1, "b": 1}


@pytest.mark.parametrize("policy", [TIE_COMPETITION, TIE_DENSE])
def test_rank_gives_none_to_units_without_index_and_they_take_no_place(policy):
    indexes = {"a": None, "b": Decimal("90"), "c": None, "d": Decimal("85")}
    assert rank(indexes, policy) == {"a": None, "b": 1, "c": None, "d": 2}


def test_rank_of_units_all_without_index_is_all_none():
    assert rank({"a": None, "b": None}) == {"a": None, "b": None}


def test_rank_of_no_units_is_empty():
    assert rank({}) == {}


@pytest.mark.parametrize("policy", ["olympic", "", "Competition"])
def test_rank_refuses_an_unknown_policy(policy):
    with pytest.raises(ValueError):
        rank({"a": Decimal("90")}, policy)


# --- band_for ---------------------------------------------------------------------------------

MINISTRY_BANDS = [("A", Decimal("90")), ("B", Decimal("80"))]


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        ("100", "A"),
        ("90.00", "A"),
        ("89.995", "A"),
        ("89.994", "B"),
        ("89.99", "B"),
        ("80", "B"),
        ("79.995", "B"),
        ("79.99", None),
        ("0", None),
    ],
)
def test_band_for_ministry_bands_a_from_90_b_from_80(index, expected):
    assert band_for(Decimal(index), MINISTRY_BANDS) == expected


def test_band_for_does_not_depend_on_the_order_of_bands():
    bands = [("B", Decimal("80")), ("A", Decimal("90"))]
    assert band_for(Decimal("95"), bands) == "A"


def test_band_for_without_bands_is_none():
    assert band_for(Decimal("95"), []) is None


def test_band_for_without_index_is_none():
    assert band_for(None, MINISTRY_BANDS) is None


# --- rank_change ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("previous", "current", "expected"),
    [
        pytest.param(12, 10, 2, id="moved-up"),
        pytest.param(3, 5, -2, id="moved-down"),
        pytest.param(4, 4, 0, id="unchanged"),
        pytest.param(None, 5, None, id="no-previous"),
        pytest.param(5, None, None, id="no-current"),
        pytest.param(None, None, None, id="neither"),
    ],
)
def test_rank_change_is_places_gained(previous, current, expected):
    assert rank_change(previous, current) == expected


# --- node_totals ------------------------------------------------------------------------------

PARENTS = {
    "1": None,
    "1.1": "1",
    "1.1.a": "1.1",
    "1.1.b": "1.1",
    "1.2": "1",
    "2": None,
    "2.1": "2",
    "2.2": "2",
}
LEAVES = [
    leaf("1.1.a", "2", "1.5"),
    leaf("1.1.b", "1", None),  # not scored yet
    leaf("1.2", "3", "3", not_applicable=True),  # a score on an N/A leaf does not count
    leaf("2.1", "4", None, not_applicable=True),
    leaf("2.2", "1", "0.25", not_applicable=True),
]


def _totals():
    return node_totals(PARENTS, LEAVES)


def test_node_totals_gives_every_node():
    assert set(_totals()) == set(PARENTS)


@pytest.mark.parametrize(
    ("code", "expected"),
    [("1.1.a", "2"), ("1.1.b", "1"), ("1.1", "3"), ("1.2", "3"), ("1", "6"), ("2", "5")],
)
def test_node_totals_accumulate_max_points(code, expected):
    assert _totals()[code].max_points == Decimal(expected)


@pytest.mark.parametrize(
    ("code", "expected"),
    [("1.1.a", "2"), ("1.1.b", "1"), ("1.1", "3"), ("1.2", "0"), ("1", "3"), ("2", "0")],
)
def test_node_totals_accumulate_applicable_max(code, expected):
    assert _totals()[code].applicable_max == Decimal(expected)


@pytest.mark.parametrize(
    ("code", "expected"),
    [("1.1.a", "1.5"), ("1.1.b", "0"), ("1.1", "1.5"), ("1.2", "0"), ("1", "1.5"), ("2", "0")],
)
def test_node_totals_accumulate_points(code, expected):
    assert _totals()[code].points == Decimal(expected)


@pytest.mark.parametrize(
    ("code", "expected"),
    [("1.1.a", "0.5"), ("1.1.b", "0"), ("1.1", "0.5"), ("1.2", "0"), ("1", "0.5"), ("2", "0")],
)
def test_node_total_lost_counts_only_scored_leaves(code, expected):
    # 1.1.b has no score yet: it has lost nothing so far.
    assert _totals()[code].lost == Decimal(expected)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("1.1.a", False),
        ("1.1.b", False),
        ("1.1", False),
        ("1.2", True),
        ("1", False),
        ("2.1", True),
        ("2", True),
    ],
)
def test_node_total_is_not_applicable_only_when_every_leaf_below_is(code, expected):
    assert _totals()[code].not_applicable is expected


def test_node_without_any_leaf_below_is_not_marked_not_applicable():
    totals = node_totals({"1": None, "1.1": "1", "2": None}, [leaf("1.1", "2", "1")])
    assert totals["2"] == NodeTotal(
        max_points=Decimal("0"),
        applicable_max=Decimal("0"),
        points=Decimal("0"),
        not_applicable=False,
    )


def test_node_totals_of_a_leaf_is_its_own_result():
    assert _totals()["1.1.a"] == NodeTotal(
        max_points=Decimal("2"),
        applicable_max=Decimal("2"),
        points=Decimal("1.5"),
        not_applicable=False,
        scored_max=Decimal("2"),
        unscored=0,
    )


@pytest.mark.parametrize(("field", "lost"), [("1", "0.15"), ("2", "0.25"), ("3", "0.06")])
def test_tp_ha_tinh_2020_points_lost_by_field(field, lost):
    assert node_totals(HT2020_PARENTS, HT2020_LEAVES)[field].lost == Decimal(lost)


# --- check_tree -------------------------------------------------------------------------------


def test_check_tree_of_a_sound_tree_is_empty():
    assert check_tree(HT2020_NODES, Decimal("100")) == []


def test_check_tree_reports_a_parent_whose_children_sum_differs():
    nodes = [node("1", None, "10", False), node("1.1", "1", "4"), node("1.2", "1", "5")]
    assert check_tree(nodes) == ["1: điểm tối đa 10 nhưng tổng các tiêu chí con là 9"]


def test_check_tree_reports_fields_summing_to_99_55_against_100():
    nodes = [
        node("1", None, "10"),
        node("2", None, "6.5"),
        node("3", None, "13.5"),
        node("4", None, "5.5"),
        node("5", None, "44.05"),
        node("9", None, "20"),
    ]
    assert check_tree(nodes, Decimal("100")) == ["Tổng điểm các lĩnh vực là 99.55, không phải 100"]


def test_check_tree_without_a_total_does_not_check_the_fields_sum():
    assert check_tree([node("1", None, "10"), node("2", None, "6.5")]) == []


def test_check_tree_reports_a_duplicate_code():
    nodes = [node("1", None, "10", False), node("1.1", "1", "5"), node("1.1", "1", "5")]
    assert check_tree(nodes) == ["1.1: mã bị trùng"]


def test_check_tree_reports_a_missing_parent():
    nodes = [node("1", None, "10", False), node("1.1", "1", "10"), node("3.1", "3", "2")]
    assert check_tree(nodes) == ["3.1: không có tiêu chí cha 3"]


def test_check_tree_reports_a_leaf_with_children():
    nodes = [node("1", None, "10", is_leaf=True), node("1.1", "1", "10")]
    assert check_tree(nodes) == ["1: tiêu chí có cách chấm không được có tiêu chí con"]


def test_check_tree_reports_a_non_leaf_without_children():
    nodes = [node("1", None, "10", False), node("1.1", "1", "10"), node("2", None, "5", False)]
    assert check_tree(nodes) == ["2: tiêu chí không có tiêu chí con phải có cách chấm"]


@pytest.mark.parametrize(("bad_max", "sibling_max"), [("0", "5"), ("-1", "6")])
def test_check_tree_reports_max_not_above_zero(bad_max, sibling_max):
    nodes = [
        node("1", None, "5", False),
        node("1.1", "1", sibling_max),
        node("1.2", "1", bad_max),
    ]
    assert check_tree(nodes) == ["1.2: điểm tối đa phải lớn hơn 0"]


def test_check_tree_lists_every_problem_at_once():
    nodes = [
        node("1", None, "10", False),
        node("1.1", "1", "4"),
        node("2", None, "5", False),
        node("3.1", "3", "1"),
    ]
    assert sorted(check_tree(nodes)) == [
        "1: điểm tối đa 10 nhưng tổng các tiêu chí con là 4",
        "2: tiêu chí không có tiêu chí con phải có cách chấm",
        "3.1: không có tiêu chí cha 3",
    ]


@pytest.mark.parametrize(
    ("r1", "r2", "final"),
    [("3", "2", "2"), ("3", "0", "0"), ("3", None, "3"), (None, None, None), (None, "1", "1")],
)
def test_the_final_score_is_the_latest_appraisal_never_the_best(r1, r2, final):
    as_decimal = lambda v: None if v is None else Decimal(v)  # noqa: E731
    assert final_score(as_decimal(r1), as_decimal(r2)) == as_decimal(final)


@pytest.mark.parametrize(
    ("unscored", "published", "rankable"),
    [(0, False, True), (1, False, False), (0, True, True), (3, True, True)],
)
def test_a_unit_is_ranked_once_fully_scored_or_published(unscored, published, rankable):
    assert is_rankable(unscored, published) is rankable


def test_a_leaf_not_scored_yet_has_lost_nothing():
    parents = {"1": None, "1.1": "1", "1.2": "1"}
    totals = node_totals(parents, [leaf("1.1", "2", "1.5"), leaf("1.2", "3", None)])
    assert (totals["1.2"].lost, totals["1.2"].is_scored, totals["1.2"].unscored) == (
        Decimal("0"),
        False,
        1,
    )
    assert (totals["1"].lost, totals["1"].scored_max, totals["1"].unscored) == (
        Decimal("0.5"),
        Decimal("2"),
        1,
    )
