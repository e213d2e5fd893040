"""The walks over units' reorganisations (``scoring.selectors.lineage``), on links built by hand,
and the check that refuses a link closing a circle (``UnitSuccession.clean``)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from scoring.selectors.lineage import Lineage, lineage
from units.models import Unit, UnitLevel, UnitSuccession

DAY = dt.date(2025, 1, 1)


def link(predecessor: int, successor: int, kind: str = "merge", pk: int | None = None):
    return UnitSuccession(
        pk=pk, predecessor_id=predecessor, successor_id=successor, kind=kind, effective_on=DAY
    )


# Units by number: 1 → 2 rename; 3, 4 → 5 merge into a new unit; 5 → 6 rename (a rename of a
# merge); 7 → 8, 9 split; 10 → 11 (11 also kept: 12 merged into 11).
LINKS = Lineage(
    [
        link(1, 2, "rename"),
        link(3, 5),
        link(4, 5),
        link(5, 6, "rename"),
        link(7, 8, "split"),
        link(7, 9, "split"),
        link(12, 11),
    ]
)


def test_a_unit_present_stands_for_itself():
    assert LINKS.counterparts_in(11, {11, 12}) == [11]
    assert LINKS.single_counterpart(11, {11, 12}) == 11


def test_a_renamed_unit_stands_for_its_old_name():
    assert LINKS.counterparts_in(2, {1, 3}) == [1]
    assert LINKS.trail(2, 1)[0].predecessor_id == 1


def test_a_unit_merged_from_several_has_several_counterparts_and_no_single_one():
    assert sorted(LINKS.counterparts_in(5, {3, 4, 7})) == [3, 4]
    assert LINKS.single_counterpart(5, {3, 4, 7}) is None


def test_the_nearest_predecessor_present_wins_in_a_chain():
    assert LINKS.counterparts_in(6, {5, 3, 4}) == [5]  # last year: the merged unit
    assert sorted(LINKS.counterparts_in(6, {3, 4})) == [3, 4]  # two years back: its parts
    assert [(x.predecessor_id, x.successor_id) for x in LINKS.trail(6, 3)] == [(5, 6), (3, 5)]


def test_both_parts_of_a_split_stand_for_the_unit_split():
    assert LINKS.single_counterpart(8, {7}) == 7
    assert LINKS.single_counterpart(9, {7}) == 7


def test_no_counterpart_when_nothing_behind_is_present():
    assert LINKS.counterparts_in(2, {3}) == []
    assert LINKS.single_counterpart(2, set()) is None
    assert LINKS.trail(2, 3) == []
    assert LINKS.trail(2, 2) == []


def test_ancestors_nearest_first_and_successors():
    assert [x.predecessor_id for x in LINKS.ancestors(6)] == [5, 3, 4]
    assert [x.successor_id for x in LINKS.successors(7)] == [8, 9]
    assert LINKS.predecessors(1) == []


@pytest.mark.parametrize(
    ("new", "cycle"),
    [
        ((2, 1), True),  # 1 → 2 exists: back again
        ((6, 3), True),  # 3 → 5 → 6: closing the chain
        ((6, 6), True),  # itself
        ((2, 13), False),
        ((13, 1), False),  # a new predecessor of the oldest unit
        ((8, 9), False),  # two parts of a split, one into the other
    ],
)
def test_would_cycle(new, cycle):
    assert LINKS.would_cycle(*new) is cycle


def test_a_circle_already_stored_does_not_loop_forever():
    circle = Lineage([link(1, 2), link(2, 1)])
    assert circle.counterparts_in(1, {3}) == []
    assert [x.predecessor_id for x in circle.ancestors(1)] == [2]
    assert circle.trail(1, 3) == []


# --- stored links ------------------------------------------------------------------------------


@pytest.fixture
def units(db):
    level = UnitLevel.objects.create(code="kiem-tra", name="Kiểm tra")
    return {
        code: Unit.objects.create(level=level, code=f"kt-{code}", name=f"Xã {code}", kind="xa")
        for code in "abcd"
    }


def test_lineage_reads_every_link_in_one_query(units, django_assert_num_queries):
    UnitSuccession.objects.create(
        predecessor=units["a"], successor=units["b"], kind="rename", effective_on=DAY
    )
    UnitSuccession.objects.create(
        predecessor=units["b"], successor=units["c"], kind="merge", effective_on=DAY
    )
    with django_assert_num_queries(1):
        links = lineage()
        names = [(x.predecessor.name, x.successor.name) for x in links.ancestors(units["c"].id)]
    assert names == [("Xã b", "Xã c"), ("Xã a", "Xã b")]


def test_clean_refuses_a_circle_with_a_vietnamese_message(units):
    UnitSuccession.objects.create(
        predecessor=units["a"], successor=units["b"], kind="rename", effective_on=DAY
    )
    UnitSuccession.objects.create(
        predecessor=units["b"], successor=units["c"], kind="merge", effective_on=DAY
    )
    back = UnitSuccession(
        predecessor=units["c"], successor=units["a"], kind="merge", effective_on=DAY
    )
    with pytest.raises(ValidationError) as error:
        back.full_clean()
    assert error.value.message_dict["successor"] == [
        "Xã a đã là đơn vị trước của Xã c (trực tiếp hoặc qua các lần sắp xếp khác); "
        "ghi thêm liên kết này sẽ tạo vòng lặp."
    ]


def test_clean_refuses_a_link_to_itself(units):
    itself = UnitSuccession(
        predecessor=units["a"], successor=units["a"], kind="rename", effective_on=DAY
    )
    with pytest.raises(ValidationError) as error:
        itself.full_clean()
    assert error.value.message_dict["successor"] == ["Đơn vị sau phải khác đơn vị trước."]


def test_clean_accepts_a_link_and_an_edit_of_itself(units):
    stored = UnitSuccession.objects.create(
        predecessor=units["a"], successor=units["b"], kind="rename", effective_on=DAY
    )
    stored.kind = "merge"
    stored.full_clean()  # its own old version is no circle
    UnitSuccession(
        predecessor=units["c"], successor=units["b"], kind="merge", effective_on=DAY
    ).full_clean()
    # Turning the stored link round is no circle either: the old direction is replaced.
    stored.predecessor, stored.successor = units["b"], units["a"]
    stored.full_clean()
