"""Where a unit lost points, as pure functions: the order of the lost items, the reason of the
final round, and deductions grouped per kind within the year's cap."""

from dataclasses import dataclass
from decimal import Decimal as D

from django.utils import translation

from scoring.analysis.lost import (
    DEDUCTION,
    LEAF,
    DeductionOutcome,
    LeafOutcome,
    code_key,
    deductions_by_kind,
    final_reason,
    lost_items,
)


@dataclass
class Kind:
    name: str


@dataclass
class Entry:
    kind_id: int
    kind: Kind
    points: D
    count: int | None = None
    reason: str = ""


DISCIPLINE = Kind("Có CBCC bị kiểm điểm, xem xét xử lý kỷ luật (mỗi người)")
LEADERS = Kind("Số lượng lãnh đạo tại đơn vị không đúng quy định")


def leaf(code, max_points, score, **kw):
    return LeafOutcome(code, f"Tiêu chí {code}", code.split(".")[0], D(max_points), score, **kw)


def test_lost_items_by_points_lost_then_leaves_before_deductions_then_code():
    items = lost_items(
        [
            leaf("1.10", 2, D(1)),
            leaf("1.9", 2, D(1)),
            leaf("2.1", 4, D(0)),
            leaf("2.2", 2, D(2)),  # full: not lost
            leaf("3.1", 2, None),  # not scored yet: nothing lost yet
            leaf("3.2", 2, D(0), not_applicable=True),  # N/A: cannot lose
        ],
        [DeductionOutcome("Điểm trừ khác", D(1)), DeductionOutcome("Không trừ", D(0))],
    )
    assert [(i.kind, i.code, i.lost) for i in items] == [
        (LEAF, "2.1", D(4)),
        (LEAF, "1.9", D(1)),
        (LEAF, "1.10", D(1)),
        (DEDUCTION, "", D(1)),
    ]
    assert items[-1].phrase == "điểm trừ khác"


def test_code_key_orders_numeric_parts_as_numbers():
    assert sorted(["1.10", "1.9", "10.1", "2"], key=code_key) == ["1.9", "1.10", "2", "10.1"]


def test_the_final_rounds_reason_and_comment():
    assert final_reason(None, ("Thiếu tài liệu", " Nộp  muộn "), ("", "")) == (
        "Thiếu tài liệu; Nộp muộn"
    )
    assert final_reason(D("0.5"), ("Thiếu tài liệu", ""), ("Không đạt", "")) == "Không đạt"
    assert final_reason(D(0), ("Thiếu", ""), ("", "  ")) == ""  # round 2 said nothing


def test_deductions_of_a_kind_are_added_up_with_their_counts_and_reasons():
    outcomes = deductions_by_kind(
        [
            Entry(1, DISCIPLINE, D("0.25"), 1, "01 công chức"),
            Entry(2, LEADERS, D("0.5")),
            Entry(1, DISCIPLINE, D("0.5"), 2, "02 công chức"),
        ],
        cap=D(10),
    )
    assert outcomes == [
        DeductionOutcome(DISCIPLINE.name, D("0.75"), 3, "01 công chức; 02 công chức"),
        DeductionOutcome(LEADERS.name, D("0.5"), None, ""),
    ]


def test_deductions_above_the_years_cap_cost_only_the_cap_shared_by_kind():
    with translation.override("vi"):
        outcomes = deductions_by_kind(
            [Entry(1, DISCIPLINE, D(8), 32, "32 công chức"), Entry(2, LEADERS, D(4))], cap=D(10)
        )
    # 8 and 4 of 12 share a cap of 10: 6.67 and 3.33, adding up to exactly the cap.
    assert [o.points for o in outcomes] == [D("6.67"), D("3.33")]
    assert sum(o.points for o in outcomes) == D(10)
    assert outcomes[0].reason == "32 công chức; tính trong mức trừ tối đa 10,00 điểm của năm"
    assert outcomes[1].reason == "tính trong mức trừ tối đa 10,00 điểm của năm"


def test_rounding_shares_never_misses_the_cap():
    entries = [Entry(k, Kind(f"Loại {k}"), D(1)) for k in range(3)]
    outcomes = deductions_by_kind(entries, cap=D(1))  # thirds: 0.33 × 3 = 0.99
    assert sum(o.points for o in outcomes) == D(1)


def test_no_cap_or_under_it_changes_nothing():
    entries = [Entry(1, LEADERS, D(4))]
    assert deductions_by_kind(entries, cap=None)[0].points == D(4)
    assert deductions_by_kind(entries, cap=D(4))[0].points == D(4)
    assert deductions_by_kind([], cap=D(1)) == []
