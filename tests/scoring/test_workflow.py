"""The self-assessment's rules that need no database (scoring/workflow.py): when entry is open,
what one leaf's entry scores, and what the leader must fix or confirm before submitting."""

import datetime as dt
from decimal import Decimal

import pytest

from scoring.rules import DeclaredError, validate_params
from scoring.workflow import (
    EMPTY,
    NA_WITHOUT_REASON,
    NO_EVIDENCE,
    NO_EXPLANATION,
    STATE_EXPLANATION,
    STATE_SELF_ASSESSMENT,
    LeafRule,
    LeafStatus,
    Problem,
    entry_open,
    explanation_round_open,
    group_problems,
    self_score,
    submission_problems,
    unanswered,
)

OPENS = dt.datetime(2025, 3, 1, 0, 0, tzinfo=dt.UTC)
CLOSES = dt.datetime(2025, 3, 31, 17, 0, tzinfo=dt.UTC)
SECOND = dt.timedelta(seconds=1)

NOT_FILLED = "Chưa nhập."
NA_NO_REASON_TEXT = "Không áp dụng nhưng chưa nêu lý do."
NO_EVIDENCE_TEXT = "Tự chấm điểm nhưng chưa có tài liệu kiểm chứng."
NO_EXPLANATION_TEXT = "Tự chấm điểm nhưng chưa có thuyết minh."


# --- entry_open -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "state", ["preparing", "appraisal", "explanation", "final_appraisal", "published"]
)
def test_entry_is_closed_in_every_state_but_self_assessment(state):
    inside_the_window = OPENS + dt.timedelta(days=5)
    assert entry_open(state=state, opens=OPENS, closes=CLOSES, now=inside_the_window) is False


@pytest.mark.parametrize(
    "state", ["preparing", "appraisal", "explanation", "final_appraisal", "published"]
)
def test_entry_is_closed_in_other_states_even_without_a_window(state):
    assert entry_open(state=state, opens=None, closes=None, now=OPENS) is False


def test_self_assessment_state_code_is_the_one_the_model_uses():
    assert STATE_SELF_ASSESSMENT == "self_assessment"


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        pytest.param(OPENS - dt.timedelta(days=1), False, id="a day before opens"),
        pytest.param(OPENS - SECOND, False, id="one second before opens"),
        pytest.param(OPENS, True, id="exactly at opens"),
        pytest.param(OPENS + SECOND, True, id="one second after opens"),
        pytest.param(OPENS + dt.timedelta(days=10), True, id="mid window"),
        pytest.param(CLOSES - SECOND, True, id="one second before closes"),
        pytest.param(CLOSES - dt.timedelta(microseconds=1), True, id="a microsecond before"),
        pytest.param(CLOSES, False, id="exactly at closes (exclusive)"),
        pytest.param(CLOSES + SECOND, False, id="one second after closes"),
        pytest.param(CLOSES + dt.timedelta(days=30), False, id="a month after closes"),
    ],
)
def test_entry_is_open_from_opens_inclusive_to_closes_exclusive(now, expected):
    assert entry_open(state="self_assessment", opens=OPENS, closes=CLOSES, now=now) is expected


def test_entry_window_compares_instants_not_wall_clock_across_time_zones():
    hanoi = dt.timezone(dt.timedelta(hours=7))
    # 23:59:59 on 31 March in Hanoi is 16:59:59 UTC: still before the 17:00 UTC deadline.
    just_before = dt.datetime(2025, 3, 31, 23, 59, 59, tzinfo=hanoi)
    at_deadline = dt.datetime(2025, 4, 1, 0, 0, 0, tzinfo=hanoi)
    assert entry_open(state="self_assessment", opens=OPENS, closes=CLOSES, now=just_before)
    assert not entry_open(state="self_assessment", opens=OPENS, closes=CLOSES, now=at_deadline)


@pytest.mark.parametrize(
    ("opens", "closes", "now", "expected"),
    [
        pytest.param(None, None, OPENS - dt.timedelta(days=365), True, id="no window: open"),
        pytest.param(None, None, CLOSES + dt.timedelta(days=365), True, id="no window later"),
        pytest.param(None, CLOSES, OPENS - dt.timedelta(days=365), True, id="no opens: open"),
        pytest.param(None, CLOSES, CLOSES, False, id="no opens: closes still locks"),
        pytest.param(OPENS, None, CLOSES + dt.timedelta(days=365), True, id="no closes: open"),
        pytest.param(OPENS, None, OPENS - SECOND, False, id="no closes: opens still bars"),
    ],
)
def test_missing_opens_or_closes_leaves_that_side_unbounded(opens, closes, now, expected):
    assert entry_open(state="self_assessment", opens=opens, closes=closes, now=now) is expected


# --- LeafRule and self_score ------------------------------------------------------------------


def leaf(rule, params=None, max_points="2", *, allows_na=False, code="1.1"):
    """A leaf with normalised params, as the framework stores them."""
    maximum = Decimal(max_points)
    return LeafRule(
        code=code,
        rule=rule,
        params=validate_params(rule, params, maximum),
        max_points=maximum,
        allows_na=allows_na,
    )


def score(leaf_rule, declared=None, typed=None, *, na=False, reason=""):
    return self_score(
        leaf_rule,
        declared=declared or {},
        typed_score=typed,
        not_applicable=na,
        na_reason=reason,
    )


PERCENT_PARAMS = {
    "tiers": [
        {"min": "90", "points": "2", "inclusive": False},
        {"min": "70", "points": "1"},
    ]
}
COUNT_PARAMS = {"tiers": [{"min": "10", "points": "2"}, {"min": "5", "points": "1"}]}


@pytest.mark.parametrize(
    ("params", "max_points", "expected"),
    [
        ({"step": "0.25"}, "2", Decimal("0.25")),
        ({"step": "0,5"}, "2", Decimal("0.5")),
        ({"step": "1"}, "3", Decimal("1")),
        ({}, "2", None),
        ({"step": None}, "2", None),
    ],
)
def test_manual_leaf_step_comes_from_its_params(params, max_points, expected):
    assert leaf("manual", params, max_points).step == expected


@pytest.mark.parametrize(
    ("rule", "params"),
    [
        ("binary", None),
        ("proportional", None),
        ("survey", None),
        ("percent_tiers", PERCENT_PARAMS),
        ("count_tiers", COUNT_PARAMS),
        ("deduction", {"per_occurrence": "0.5"}),
        ("timeliness", {"on_time": "2", "late": "1", "late_days": 30}),
    ],
)
def test_only_manual_leaves_have_a_step(rule, params):
    assert leaf(rule, params).step is None


def test_a_step_key_on_a_non_manual_rule_is_ignored():
    stray = LeafRule("1.1", "survey", {"step": "0.25"}, Decimal("2"), False)
    assert stray.step is None


@pytest.mark.parametrize(
    ("rule", "params", "max_points", "declared", "expected"),
    [
        ("binary", None, "2", {"done": True}, Decimal("2")),
        ("binary", None, "2", {"done": False}, Decimal("0")),
        ("proportional", None, "1", {"done": 3, "total": 4}, Decimal("0.75")),
        ("proportional", None, "1", {"done": "3", "total": "4"}, Decimal("0.75")),
        ("proportional", None, "2", {"done": 1, "total": 3}, Decimal("0.67")),
        ("proportional", None, "1", {"done": 0, "total": 4}, Decimal("0")),
        ("proportional", None, "1", {"done": 4, "total": 4}, Decimal("1")),
        ("percent_tiers", PERCENT_PARAMS, "2", {"done": 91, "total": 100}, Decimal("2")),
        ("percent_tiers", PERCENT_PARAMS, "2", {"done": 90, "total": 100}, Decimal("1")),
        ("percent_tiers", PERCENT_PARAMS, "2", {"done": 69, "total": 100}, Decimal("0")),
        ("count_tiers", COUNT_PARAMS, "2", {"count": "7"}, Decimal("1")),
        ("deduction", {"per_occurrence": "0.5"}, "2", {"count": 1}, Decimal("1.5")),
        ("deduction", {"per_occurrence": "0.5"}, "2", {"count": 9}, Decimal("0")),
        (
            "timeliness",
            {"on_time": "2", "late": "1", "late_days": 30},
            "2",
            {"due": "2025-03-31", "done_on": "2025-04-10"},
            Decimal("1"),
        ),
    ],
)
def test_rule_based_leaf_scores_its_declared_figures(rule, params, max_points, declared, expected):
    assert score(leaf(rule, params, max_points), declared) == expected


@pytest.mark.parametrize(
    ("rule", "params", "declared"),
    [
        ("binary", None, {}),
        ("binary", None, {"done": None}),
        ("proportional", None, {"done": 3}),
        ("proportional", None, {"total": 4}),
        ("proportional", None, {"done": "", "total": "4"}),
        ("percent_tiers", PERCENT_PARAMS, {"done": 91}),
        ("count_tiers", COUNT_PARAMS, {"count": "  "}),
        ("timeliness", {"on_time": "2", "late": "1", "late_days": 30}, {"due": "2025-03-31"}),
    ],
)
def test_rule_based_leaf_with_incomplete_figures_has_no_score_yet(rule, params, declared):
    assert score(leaf(rule, params), declared) is None


def test_rule_based_leaf_ignores_a_typed_score():
    assert score(leaf("binary"), {"done": False}, typed="2") == Decimal("0")
    assert score(leaf("binary"), {}, typed="2") is None


@pytest.mark.parametrize(
    ("rule", "declared", "field"),
    [
        ("proportional", {"done": 5, "total": 4}, "done"),
        ("proportional", {"done": "-1", "total": 4}, "done"),
        ("proportional", {"done": "abc", "total": 4}, "done"),
        ("proportional", {"done": 0, "total": 0}, "total"),
        ("binary", {"done": "yes"}, "done"),
    ],
)
def test_rule_based_leaf_with_bad_figures_names_the_faulty_input(rule, declared, field):
    with pytest.raises(DeclaredError) as caught:
        score(leaf(rule), declared)
    assert caught.value.field == field


def test_done_above_total_says_so_in_vietnamese():
    with pytest.raises(DeclaredError) as caught:
        score(leaf("proportional", max_points="1"), {"done": 5, "total": 4})
    assert caught.value.field == "done"
    assert str(caught.value.message) == "Số đã thực hiện không được lớn hơn tổng số."


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1,5", Decimal("1.5")),
        ("1.5", Decimal("1.5")),
        (" 1,25 ", Decimal("1.25")),
        ("0", Decimal("0")),
        ("2", Decimal("2")),
        ("0.75", Decimal("0.75")),
        (1, Decimal("1")),
        (Decimal("1.75"), Decimal("1.75")),
    ],
)
def test_manual_leaf_takes_the_typed_score(typed, expected):
    assert score(leaf("manual", {"step": "0.25"}, "2"), typed=typed) == expected


@pytest.mark.parametrize("typed", ["", "   ", None])
def test_manual_leaf_without_a_typed_score_has_no_score_yet(typed):
    assert score(leaf("manual", {"step": "0.25"}, "2"), typed=typed) is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2,25", "Điểm không được lớn hơn điểm tối đa (2)."),
        ("3", "Điểm không được lớn hơn điểm tối đa (2)."),
        ("-0.25", "Điểm không được âm."),
        ("-1", "Điểm không được âm."),
        ("1.3", "Điểm phải là bội số của 0,25."),
        ("0,1", "Điểm phải là bội số của 0,25."),
        ("1.255", "Điểm chỉ có tối đa 2 chữ số thập phân."),
        ("abc", "Nhập một số."),
        (1.5, "Nhập một số."),
    ],
)
def test_manual_leaf_refuses_a_typed_score_out_of_range_or_off_step(typed, message):
    with pytest.raises(DeclaredError) as caught:
        score(leaf("manual", {"step": "0.25"}, "2"), typed=typed)
    assert caught.value.field == "score"
    assert str(caught.value.message) == message


def test_manual_leaf_without_step_takes_any_two_place_score():
    assert score(leaf("manual", {}, "2"), typed="1.37") == Decimal("1.37")


def test_survey_leaf_takes_the_typed_score_too():
    assert score(leaf("survey", None, "3"), typed="2,5") == Decimal("2.5")


@pytest.mark.parametrize(
    ("rule", "params", "declared", "typed"),
    [
        ("binary", None, {"done": True}, None),
        ("proportional", None, {"done": 5, "total": 4}, None),
        ("manual", {"step": "0.25"}, {}, "9"),
        ("manual", {"step": "0.25"}, {}, None),
    ],
)
def test_not_applicable_leaf_with_a_reason_has_no_score(rule, params, declared, typed):
    allowed = leaf(rule, params, allows_na=True)
    assert score(allowed, declared, typed, na=True, reason="Đơn vị không có dự án.") is None


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_not_applicable_without_a_reason_is_refused_on_na_reason(reason):
    with pytest.raises(DeclaredError) as caught:
        score(leaf("binary", allows_na=True), na=True, reason=reason)
    assert caught.value.field == "na_reason"
    assert str(caught.value.message) == "Cần nêu lý do không áp dụng."


@pytest.mark.parametrize("reason", ["", "Đơn vị không có dự án."])
def test_not_applicable_on_a_leaf_that_does_not_allow_it_is_refused(reason):
    with pytest.raises(DeclaredError) as caught:
        score(leaf("binary", allows_na=False), {"done": True}, na=True, reason=reason)
    assert caught.value.field == "not_applicable"
    assert str(caught.value.message) == "Tiêu chí này không được đánh dấu không áp dụng."


def test_a_leaf_that_allows_na_still_scores_when_not_marked_na():
    assert score(leaf("binary", allows_na=True), {"done": True}) == Decimal("2")


# --- submission_problems ----------------------------------------------------------------------


def status(
    code="1.1",
    *,
    points="1",
    na=False,
    reason="",
    evidence=True,
    explanation=True,
    title="Ban hành kế hoạch CCHC",
):
    return LeafStatus(
        code=code,
        title=title,
        self_score=None if points is None else Decimal(points),
        not_applicable=na,
        na_reason=reason,
        has_evidence=evidence,
        has_explanation=explanation,
    )


def test_a_complete_leaf_has_no_problem():
    assert submission_problems([status()]) == []


def test_no_leaves_means_no_problems():
    assert submission_problems([]) == []


def test_an_empty_leaf_is_one_blocking_problem():
    problems = submission_problems(
        [status("2.3", points=None, evidence=False, explanation=False, title="Tiêu chí A")]
    )
    assert problems == [Problem("2.3", "Tiêu chí A", NOT_FILLED, True, EMPTY)]


@pytest.mark.parametrize("reason", ["", "  "])
def test_not_applicable_without_a_reason_blocks(reason):
    problems = submission_problems([status("4.1", points=None, na=True, reason=reason)])
    assert problems == [
        Problem("4.1", "Ban hành kế hoạch CCHC", NA_NO_REASON_TEXT, True, NA_WITHOUT_REASON)
    ]


def test_not_applicable_with_a_reason_needs_neither_evidence_nor_explanation():
    leaf_status = status(
        points=None, na=True, reason="Không có dự án.", evidence=False, explanation=False
    )
    assert submission_problems([leaf_status]) == []


@pytest.mark.parametrize(
    ("evidence", "explanation", "messages"),
    [
        (False, True, [NO_EVIDENCE_TEXT]),
        (True, False, [NO_EXPLANATION_TEXT]),
        (False, False, [NO_EVIDENCE_TEXT, NO_EXPLANATION_TEXT]),
        (True, True, []),
    ],
)
@pytest.mark.parametrize("points", ["0.25", "1", "2"])
def test_a_positive_self_score_warns_about_missing_evidence_and_explanation(
    points, evidence, explanation, messages
):
    problems = submission_problems(
        [status("5.2", points=points, evidence=evidence, explanation=explanation)]
    )
    assert [p.message for p in problems] == messages
    assert [p.blocking for p in problems] == [False] * len(messages)
    assert {p.code for p in problems} <= {"5.2"}


@pytest.mark.parametrize(
    ("evidence", "explanation"), [(False, False), (False, True), (True, False)]
)
def test_a_zero_self_score_claims_nothing_so_needs_no_evidence(evidence, explanation):
    leaf_status = status(points="0", evidence=evidence, explanation=explanation)
    assert submission_problems([leaf_status]) == []


def test_problems_keep_the_leaves_order_and_codes():
    leaves = [
        status("1.1"),
        status("1.2", points=None, title="B"),
        status("2.1", points="1", evidence=False, explanation=False, title="C"),
        status("3.2.1", points=None, na=True, reason="", title="D"),
        status("3.2.2", points=None, na=True, reason="Không có.", title="E"),
        status("10.1", points="0.5", explanation=False, title="F"),
    ]
    assert submission_problems(iter(leaves)) == [
        Problem("1.2", "B", NOT_FILLED, True, EMPTY),
        Problem("2.1", "C", NO_EVIDENCE_TEXT, False, NO_EVIDENCE),
        Problem("2.1", "C", NO_EXPLANATION_TEXT, False, NO_EXPLANATION),
        Problem("3.2.1", "D", NA_NO_REASON_TEXT, True, NA_WITHOUT_REASON),
        Problem("10.1", "F", NO_EXPLANATION_TEXT, False, NO_EXPLANATION),
    ]


@pytest.mark.parametrize(
    ("code", "field_code", "dom_id"),
    [
        ("3.2.1", "3", "3-2-1"),
        ("10.1", "10", "10-1"),
        ("1.1", "1", "1-1"),
        ("7", "7", "7"),
        ("12.3.4.5", "12", "12-3-4-5"),
    ],
)
def test_problem_names_its_field_and_its_dom_id(code, field_code, dom_id):
    (problem,) = submission_problems([status(code, points=None)])
    assert problem.field_code == field_code
    assert problem.dom_id == dom_id


@pytest.mark.parametrize(
    ("points", "na", "filled"),
    [(None, False, False), ("0", False, True), ("1", False, True), (None, True, True)],
)
def test_leaf_is_filled_when_scored_or_marked_not_applicable(points, na, filled):
    assert status(points=points, na=na).is_filled is filled


# --- group_problems ---------------------------------------------------------------------------


def test_forty_identical_warnings_are_one_line_per_field():
    leaves = [status(f"1.{i}", evidence=False) for i in range(1, 13)] + [
        status(f"3.{i}", evidence=False) for i in range(1, 29)
    ]
    groups = group_problems(submission_problems(leaves), {"1": "Chỉ đạo", "3": "Thủ tục"})
    assert [(g.field_code, g.field_title, g.kind, g.count) for g in groups] == [
        ("1", "Chỉ đạo", NO_EVIDENCE, 12),
        ("3", "Thủ tục", NO_EVIDENCE, 28),
    ]
    assert groups[0].summary == "12 tiêu chí có điểm nhưng chưa có tài liệu kiểm chứng"
    assert [p.code for p in groups[0].problems] == [f"1.{i}" for i in range(1, 13)]
    assert not any(g.blocking for g in groups)


def test_a_fields_groups_put_what_blocks_first_and_keep_the_fields_order():
    leaves = [
        status("2.1", evidence=False, explanation=False),
        status("2.2", points=None),
        status("2.3", points=None, na=True, reason=""),
        status("10.1", points=None),
        status("2.4", points=None),
    ]
    groups = group_problems(submission_problems(leaves))
    assert [(g.field_code, g.kind, g.count, g.blocking) for g in groups] == [
        ("2", EMPTY, 2, True),
        ("2", NA_WITHOUT_REASON, 1, True),
        ("2", NO_EVIDENCE, 1, False),
        ("2", NO_EXPLANATION, 1, False),
        ("10", EMPTY, 1, True),
    ]
    assert [g.summary for g in groups] == [
        "2 tiêu chí chưa nhập",
        "1 tiêu chí không áp dụng nhưng chưa nêu lý do",
        "1 tiêu chí có điểm nhưng chưa có tài liệu kiểm chứng",
        "1 tiêu chí có điểm nhưng chưa có thuyết minh",
        "1 tiêu chí chưa nhập",
    ]
    assert groups[0].field_title == ""  # no titles given


def test_no_problems_no_groups():
    assert group_problems([]) == []


def test_a_problem_of_no_known_kind_is_grouped_under_its_own_words():
    (group,) = group_problems([Problem("4.1", "A", "Thiếu chữ ký.", False)])
    assert group.summary == "1 tiêu chí: thiếu chữ ký"


# --- the explanation round --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "now", "closes", "expected"),
    [
        pytest.param(STATE_EXPLANATION, CLOSES - SECOND, CLOSES, True, id="a second before"),
        pytest.param(STATE_EXPLANATION, CLOSES, CLOSES, False, id="at the deadline"),
        pytest.param(STATE_EXPLANATION, CLOSES + SECOND, CLOSES, False, id="after"),
        pytest.param(STATE_EXPLANATION, CLOSES, None, True, id="no deadline"),
        pytest.param("appraisal", OPENS, None, False, id="before the round"),
        pytest.param("final_appraisal", OPENS, CLOSES, False, id="after the round"),
    ],
)
def test_the_explanation_round_is_open_in_its_state_before_its_deadline(
    state, now, closes, expected
):
    assert explanation_round_open(state=state, closes=closes, now=now) is expected


def test_the_explanation_state_code_is_the_one_the_model_uses():
    assert STATE_EXPLANATION == "explanation"


def test_unanswered_lists_the_blank_answers_in_order():
    answers = [("1.1", "Đã bổ sung"), ("1.2", ""), ("2.1", "   \n"), ("3.1", None), ("4.1", "x")]
    assert unanswered(answers) == ["1.2", "2.1", "3.1"]
    assert unanswered([]) == []
