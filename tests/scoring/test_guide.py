"""The scoring guide written out from a leaf's rule (scoring/guide.py): every rule kind, the
tiers' boundaries spelt so that two leaves at the same figure can be told apart, Vietnamese
number format. No database."""

from decimal import Decimal

import pytest
from django.utils import translation

from scoring import guide, rules
from scoring.workflow import LeafRule


def leaf(rule, params=None, max_points="2"):
    max_points = Decimal(max_points)
    return LeafRule("1.1", rule, rules.validate_params(rule, params, max_points), max_points, False)


@pytest.fixture(autouse=True)
def vietnamese():
    with translation.override("vi"):
        yield


def tiers(*pairs, exclusive_first=False):
    result = [{"min": str(m), "points": str(p)} for m, p in pairs]
    if exclusive_first:
        result[0]["inclusive"] = False
    return {"tiers": result}


# --- percent tiers ----------------------------------------------------------------------------


def test_percent_tiers_from_the_top_tier_inclusive():
    lines = guide.guide_lines(leaf("percent_tiers", tiers((90, 2), (70, 1))))
    assert lines == [
        "Từ 90% trở lên: 2 điểm",
        "Từ 70% đến dưới 90%: 1 điểm",
        "Dưới 70%: 0 điểm",
    ]


def test_percent_tiers_above_the_top_tier_exclusive():
    lines = guide.guide_lines(leaf("percent_tiers", tiers((90, 2), (70, 1), exclusive_first=True)))
    assert lines == ["Trên 90%: 2 điểm", "Từ 70% đến 90%: 1 điểm", "Dưới 70%: 0 điểm"]


def test_at_90_percent_the_guides_say_why_two_leaves_differ():
    """The issue's case: 18 of 20 (90 %) earns 2 points on one leaf and 1 on the other; each
    guide names the tier that 90 % falls in."""
    declared = {"done": "18", "total": "20"}
    inclusive = leaf("percent_tiers", tiers((90, 2), (70, 1)))
    exclusive = leaf("percent_tiers", tiers((90, 2), (70, 1), exclusive_first=True))
    assert guide.rule_points(inclusive, declared) == 2
    assert guide.rule_points(exclusive, declared) == 1
    assert "Từ 90% trở lên: 2 điểm" in guide.guide_lines(inclusive)
    assert "Từ 70% đến 90%: 1 điểm" in guide.guide_lines(exclusive)


def test_percent_tiers_with_decimal_points_and_a_full_top_tier():
    lines = guide.guide_lines(leaf("percent_tiers", tiers((100, 3), (90, "1.5")), max_points="3"))
    assert lines == ["Đạt 100%: 3 điểm", "Từ 90% đến dưới 100%: 1,5 điểm", "Dưới 90%: 0 điểm"]


def test_percent_tiers_of_four_bands_with_a_decimal_boundary():
    params = tiers(("30", "2.5"), ("20.5", "1.5"), (10, "0.5"))
    assert guide.guide_lines(leaf("percent_tiers", params, max_points="2.5")) == [
        "Từ 30% trở lên: 2,5 điểm",
        "Từ 20,5% đến dưới 30%: 1,5 điểm",
        "Từ 10% đến dưới 20,5%: 0,5 điểm",
        "Dưới 10%: 0 điểm",
    ]


def test_percent_tiers_whose_lowest_tier_starts_at_zero_have_no_band_below():
    lines = guide.guide_lines(leaf("percent_tiers", tiers((50, 2), (0, 1))))
    assert lines == ["Từ 50% trở lên: 2 điểm", "Từ 0% đến dưới 50%: 1 điểm"]


def test_percent_tiers_whose_lowest_tier_is_exclusive():
    params = {
        "tiers": [
            {"min": "50", "points": "2"},
            {"min": "10", "points": "1", "inclusive": False},
        ]
    }
    assert guide.guide_lines(leaf("percent_tiers", params)) == [
        "Từ 50% trở lên: 2 điểm",
        "Trên 10% đến dưới 50%: 1 điểm",
        "Từ 10% trở xuống: 0 điểm",
    ]
    params["tiers"][1]["min"] = "0"
    assert guide.guide_lines(leaf("percent_tiers", params))[-1] == "Bằng 0%: 0 điểm"


# --- count tiers ------------------------------------------------------------------------------


def test_count_tiers_as_whole_number_ranges():
    lines = guide.guide_lines(leaf("count_tiers", tiers((10, 4), (5, 2)), max_points="4"))
    assert lines == ["Từ 10 trở lên: 4 điểm", "Từ 5 đến 9: 2 điểm", "Dưới 5: 0 điểm"]


def test_count_tiers_above_a_number_and_a_single_value():
    params = {
        "tiers": [
            {"min": "3", "points": "2", "inclusive": False},
            {"min": "3", "points": "1"},
            {"min": "1", "points": "0.5"},
        ]
    }
    assert guide.guide_lines(leaf("count_tiers", params)) == [
        "Từ 4 trở lên: 2 điểm",
        "3: 1 điểm",
        "Từ 1 đến 2: 0,5 điểm",
        "0: 0 điểm",
    ]


def test_a_count_tier_no_whole_number_reaches_is_left_out():
    # "more than 4" below "from 5": no whole number is more than 4 and less than 5.
    params = {
        "tiers": [
            {"min": "5", "points": "2"},
            {"min": "4", "points": "1", "inclusive": False},
        ]
    }
    assert guide.guide_lines(leaf("count_tiers", params)) == [
        "Từ 5 trở lên: 2 điểm",
        "Dưới 5: 0 điểm",
    ]


def test_percent_tiers_above_and_from_the_same_figure():
    params = {
        "tiers": [
            {"min": "90", "points": "2", "inclusive": False},
            {"min": "90", "points": "1.5"},
        ]
    }
    lines = guide.guide_lines(leaf("percent_tiers", params))
    assert lines == ["Trên 90%: 2 điểm", "Bằng 90%: 1,5 điểm", "Dưới 90%: 0 điểm"]
    exactly = leaf("percent_tiers", params)
    assert guide.rule_points(exactly, {"done": "9", "total": "10"}) == Decimal("1.5")


def test_count_tiers_starting_at_a_fraction_are_written_as_bounds():
    params = tiers(("2.5", 2), (1, 1))
    assert guide.guide_lines(leaf("count_tiers", params)) == [
        "Từ 2,5 trở lên: 2 điểm",
        "Từ 1 đến dưới 2,5: 1 điểm",
        "Dưới 1: 0 điểm",
    ]


# --- the other rules --------------------------------------------------------------------------


def test_binary():
    assert guide.guide_lines(leaf("binary", max_points="0.5")) == [
        "Đã thực hiện: 0,5 điểm",
        "Chưa thực hiện: 0 điểm",
    ]


def test_timeliness_without_a_limit_on_lateness():
    lines = guide.guide_lines(leaf("timeliness", {"on_time": "1", "late": "0.5"}, max_points="1"))
    assert lines == ["Đúng hạn: 1 điểm", "Trễ hạn: 0,5 điểm", "Không thực hiện: 0 điểm"]


def test_timeliness_late_within_so_many_days():
    params = {"on_time": "1.5", "late": "0.75", "late_days": 15}
    assert guide.guide_lines(leaf("timeliness", params, max_points="1.5")) == [
        "Đúng hạn: 1,5 điểm",
        "Trễ hạn không quá 15 ngày: 0,75 điểm",
        "Trễ hạn quá 15 ngày: 0 điểm",
        "Không thực hiện: 0 điểm",
    ]


def test_timeliness_defaults_to_the_max_on_time():
    assert guide.guide_lines(leaf("timeliness", {}, max_points="2"))[:2] == [
        "Đúng hạn: 2 điểm",
        "Trễ hạn: 0 điểm",
    ]


def test_proportional():
    assert guide.guide_lines(leaf("proportional", max_points="2.5")) == [
        "Điểm = 2,5 × số đã thực hiện / tổng số, làm tròn đến 2 chữ số thập phân"
    ]


def test_deduction_says_from_how_many_cases_nothing_is_left():
    assert guide.guide_lines(leaf("deduction", {"per_occurrence": "0.25"}, max_points="1")) == [
        "Trừ 0,25 điểm cho mỗi trường hợp, tính từ 1 điểm",
        "Không có trường hợp nào: 1 điểm",
        "Từ 4 trường hợp trở lên: 0 điểm",
    ]
    # 1 / 0.3 is not whole: the fourth case takes the last 0.1.
    lines = guide.guide_lines(leaf("deduction", {"per_occurrence": "0.3"}, max_points="1"))
    assert lines[-1] == "Từ 4 trường hợp trở lên: 0 điểm"


def test_manual_with_and_without_a_step():
    assert guide.guide_lines(leaf("manual", {"step": "0.25"}, max_points="1.5")) == [
        "Người thẩm định chấm trực tiếp, từ 0 đến 1,5 điểm, theo bước 0,25 điểm"
    ]
    assert guide.guide_lines(leaf("manual", {}, max_points="4")) == [
        "Người thẩm định chấm trực tiếp, từ 0 đến 4 điểm"
    ]


def test_survey():
    assert guide.guide_lines(leaf("survey", max_points="10")) == [
        "Sở Nội vụ nhập điểm từ kết quả điều tra xã hội học"
    ]


# One leaf of each rule kind; a rule added to rules.py without a guide fails the test below.
SAMPLES = {
    "binary": (None, "Đã thực hiện: 2 điểm"),
    "timeliness": ({"on_time": "2", "late": "1"}, "Trễ hạn: 1 điểm"),
    "percent_tiers": (tiers((90, 2)), "Từ 90% trở lên: 2 điểm"),
    "proportional": (None, "Điểm = 2 × số đã thực hiện / tổng số"),
    "count_tiers": (tiers((5, 2)), "Từ 5 trở lên: 2 điểm"),
    "deduction": ({"per_occurrence": "0.5"}, "Trừ 0,5 điểm cho mỗi trường hợp"),
    "manual": ({}, "chấm trực tiếp, từ 0 đến 2 điểm"),
    "survey": (None, "điều tra xã hội học"),
}


@pytest.mark.parametrize("rule", sorted(rules.RULES))
def test_every_rule_of_the_rules_engine_has_a_guide(rule):
    assert rule in SAMPLES, f"no guide test for the rule {rule}"
    params, expected = SAMPLES[rule]
    assert expected in " ".join(guide.guide_lines(leaf(rule, params)))


# --- numbers, bad parameters, the rule's points -----------------------------------------------


def test_numbers_are_written_the_vietnamese_way():
    assert guide.number(Decimal("0.50")) == "0,5"
    assert guide.number(Decimal("2.00")) == "2"
    assert guide.number(Decimal("10")) == "10"  # not 1E+1
    assert guide.number("1.25") == "1,25"
    text = " ".join(guide.guide_lines(leaf("percent_tiers", tiers(("90.5", "1.5")))))
    assert "90,5%" in text and "1,5 điểm" in text
    assert "." not in text


def test_unreadable_parameters_or_an_unknown_rule_give_no_line():
    assert guide.guide_lines(LeafRule("x", "percent_tiers", {}, Decimal(2), False)) == []
    assert (
        guide.guide_lines(LeafRule("x", "deduction", {"per_occurrence": "0"}, Decimal(2), False))
        == []
    )
    assert guide.guide_lines(LeafRule("x", "no-such-rule", {}, Decimal(2), False)) == []


@pytest.mark.parametrize(
    ("rule", "params", "declared", "points"),
    [
        ("binary", None, {"done": True}, Decimal(2)),
        ("binary", None, {}, None),  # not filled in
        ("proportional", None, {"done": "3", "total": "4"}, Decimal("1.50")),
        ("proportional", None, {"done": "5", "total": "4"}, None),  # unreadable figures
        ("count_tiers", tiers((10, 2), (5, 1)), {"count": "7"}, Decimal(1)),
        ("deduction", {"per_occurrence": "0.5"}, {"count": "3"}, Decimal("0.5")),
        ("manual", {"step": "0.25"}, {}, None),  # typed by a person: nothing to compute
        ("survey", None, {}, None),
    ],
)
def test_rule_points(rule, params, declared, points):
    assert guide.rule_points(leaf(rule, params), declared) == points
