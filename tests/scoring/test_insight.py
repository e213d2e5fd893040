"""A unit's insight page: where it lost points, against whom, what it takes, the what-if and
its self-assessment against the appraisal, on hand-built years where every answer is known.

The level (5 units in 2023, 7 in 2022; a framework of 12 points: fields 1 and 2 appraised, field
3 the survey)::

    2023 (published)  1.1 1.2  1.3 2.1 2.2 3.1  bonus deduction  points / applicable  index
    Đơn vị An          2   2    2   2   2   2                      12 / 12             100
    Đơn vị Bình        2   2    2   2   2   2                      12 / 12             100
    Đơn vị Cúc         2  0.5   2   0   2  1.5   0.5    0.25      8.25 / 12            68.75
    Đơn vị Dung       N/A  2    2   2   1   2                       9 / 10             90
    Đơn vị Em          1   1    1   1   1   1                       6 / 12             50

Cúc's 1.2 was 1 in round 1 and 0.5 in round 2 (reason "Không đạt"); its 2.1 is 0 with round
1's reason "Không có kế hoạch" and comment "Nộp muộn". Bình is created before An, so an order by
creation would put Bình first.

2022 (published): An 100, Đào 95.83, Cò 91.67, Bắc 87.50, Đông 83.33, Giang 66.67, Em 50.
Reorganisations: Cò renamed Cúc, Bắc merged into a new Bình, Đào and Đông merged into a new Dung,
Giang merged into Em (which stays).
"""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import translation

from scoring import calculations
from scoring.demo.synthetic import build_level
from scoring.models import (
    Adjustment,
    AdjustmentKind,
    Assessment,
    AssessmentYear,
    LeafScore,
)
from scoring.rules import round2
from scoring.selectors.insight import unit_insight, what_if
from scoring.services import NodeSpec, create_framework, create_year
from units.models import Membership, Unit, UnitLevel, UnitSuccession
from units.roles import SYSTEM_ADMIN, Roles

pytestmark = pytest.mark.django_db

NODES = [
    NodeSpec("1", "Lĩnh vực một", D(6)),
    NodeSpec("1.1", "Có kế hoạch năm", D(2), "manual", allows_na=True),
    NodeSpec("1.2", "Báo cáo đúng hạn", D(2), "manual"),
    NodeSpec("1.3", "Có kiểm tra", D(2), "manual"),
    NodeSpec("2", "Lĩnh vực hai", D(4)),
    NodeSpec("2.1", "Có kế hoạch kiểm tra", D(2), "manual"),
    NodeSpec("2.2", "Tuyên truyền", D(2), "manual"),
    NodeSpec("3", "Điều tra xã hội học", D(2)),
    NodeSpec("3.1", "Khảo sát người dân", D(2), "survey", filled_by="interior"),
]
CODES = ["1.1", "1.2", "1.3", "2.1", "2.2", "3.1"]
FULL = [2, 2, 2, 2, 2, 2]
NA = "na"

SCORES_2023 = {
    "an": FULL,
    "binh": FULL,
    "cuc": [2, "0.5", 2, 0, 2, "1.5"],
    "dung": [NA, 2, 2, 2, 1, 2],
    "em": [1, 1, 1, 1, 1, 1],
}
SCORES_2022 = {
    "an": FULL,
    "dao": [2, 2, 2, 2, "1.5", 2],
    "co": [2, 2, 2, 1, 2, 2],
    "bac": ["0.5", 2, 2, 2, 2, 2],
    "dong": [2, 2, 0, 2, 2, 2],
    "giang": [0, 0, 2, 2, 2, 2],
    "em": [1, 1, 1, 1, 1, 1],
}
NAMES = {
    "binh": "Đơn vị Bình",  # created first: an order by creation would put it before An
    "an": "Đơn vị An",
    "cuc": "Đơn vị Cúc",
    "dung": "Đơn vị Dung",
    "em": "Đơn vị Em",
    "dao": "Đơn vị Đào",
    "co": "Đơn vị Cò",
    "bac": "Đơn vị Bắc",
    "dong": "Đơn vị Đông",
    "giang": "Đơn vị Giang",
}
BANDS = [("Tốt", D(90)), ("Khá", D(70)), ("Trung bình", D(50))]


class Level:
    def __init__(self):
        self.level = UnitLevel.objects.create(
            code="cap-thu", name="Cấp thử", members_phrase="đơn vị cấp thử"
        )
        self.units = {
            code: Unit.objects.create(level=self.level, code=f"t-{code}", name=name, kind="xa")
            for code, name in NAMES.items()
        }
        self.framework = create_framework(
            roles=SYSTEM_ADMIN, name="Bộ thử", unit_level=self.level, nodes=NODES, max_points=D(12)
        )
        self.nodes = {n.code: n for n in self.framework.nodes.all()}
        self.deduction = AdjustmentKind.objects.get(code="officials-disciplined")
        self.bonus = AdjustmentKind.objects.filter(direction="bonus").first()

    def year(self, number, scores, *, state="published", **settings):
        year = create_year(
            roles=SYSTEM_ADMIN,
            year=number,
            unit_level=self.level,
            framework=self.framework,
            units=[self.units[code] for code in scores],
            **settings,
        )
        assessments = {a.unit.code[2:]: a for a in year.assessments.select_related("unit")}
        rows = []
        for code, values in scores.items():
            for leaf, value in zip(CODES, values, strict=True):
                na = value == NA
                score = None if na else D(str(value))
                rows.append(
                    LeafScore(
                        assessment=assessments[code],
                        node=self.nodes[leaf],
                        self_score=None if na or leaf == "3.1" else D(2),
                        r1_score=score,
                        not_applicable=na,
                    )
                )
        LeafScore.objects.bulk_create(rows)
        AssessmentYear.objects.filter(pk=year.pk).update(state=state)
        self.assessments = assessments
        return AssessmentYear.objects.select_related("framework", "unit_level").get(pk=year.pk)

    def adjust(self, assessment, kind, points, reason):
        Adjustment.objects.create(
            assessment=assessment, kind=kind, direction=kind.direction, points=D(points),
            reason=reason,
        )  # fmt: skip

    def assessment(self, year, code):
        return Assessment.objects.select_related("year__unit_level", "year__framework", "unit").get(
            year=year, unit__code=f"t-{code}"
        )


@pytest.fixture
def level(db):
    return Level()


@pytest.fixture
def hand_2023(level):
    year = level.year(2023, SCORES_2023, bands=BANDS)
    cuc = level.assessments["cuc"]
    LeafScore.objects.filter(assessment=cuc, node=level.nodes["1.2"]).update(
        r1_score=D(1), r1_reason="Thiếu tài liệu", r2_score=D("0.5"), r2_reason="Không đạt"
    )
    LeafScore.objects.filter(assessment=cuc, node=level.nodes["2.1"]).update(
        r1_reason="Không có kế hoạch", r1_comment="Nộp muộn"
    )
    level.adjust(cuc, level.deduction, "0.25", "01 công chức bị kỷ luật")
    level.adjust(cuc, level.bonus, "0.5", "Sáng kiến")
    return year


@pytest.fixture
def hand_2022(level, hand_2023):
    year = level.year(2022, SCORES_2022)
    u = level.units
    for before, after, kind in [
        ("co", "cuc", "rename"),
        ("bac", "binh", "merge"),
        ("dao", "dung", "merge"),
        ("dong", "dung", "merge"),
        ("giang", "em", "merge"),
    ]:
        UnitSuccession.objects.create(
            predecessor=u[before], successor=u[after], kind=kind, effective_on=dt.date(2023, 1, 1)
        )
    return year


INTERIOR = Roles(is_appraiser=True)
VIEWER = Roles(is_viewer=True)


def _insight(level, year, code, roles=INTERIOR):
    with translation.override("vi"):
        return unit_insight(level.assessment(year, code), roles=roles)


# --- where points were lost ---------------


def test_lost_items_largest_first_with_the_final_rounds_reason(level, hand_2023):
    insight = _insight(level, hand_2023, "cuc")
    assert [(i.code or i.title, i.lost, i.reason) for i in insight.lost] == [
        ("2.1", D(2), "Không có kế hoạch; Nộp muộn"),
        ("1.2", D("1.5"), "Không đạt"),  # round 2's reason, not round 1's "Thiếu tài liệu"
        ("3.1", D("0.5"), ""),
        (level.deduction.name, D("0.25"), "01 công chức bị kỷ luật"),
    ]
    assert [i.is_survey for i in insight.lost] == [False, False, True, False]
    # A bonus is no loss; the deduction is one.
    assert all(i.title != level.bonus.name for i in insight.lost)
    assert insight.total.points == D("8.25") and insight.total.applicable_max == D(12)
    assert insight.total_lost == D("4.25")


def test_lost_items_grouped_by_field_in_framework_order(level, hand_2023):
    insight = _insight(level, hand_2023, "cuc")
    assert [(f.node.code, f.points, f.lost, [i.code for i in f.items]) for f in insight.fields] == [
        ("1", D("4.5"), D("1.5"), ["1.2"]),
        ("2", D(2), D(2), ["2.1"]),
        ("3", D("1.5"), D("0.5"), ["3.1"]),
    ]
    assert [i.title for i in insight.deductions] == [level.deduction.name]


def test_story_reads_the_index_the_rank_and_what_was_missing(level, hand_2023):
    insight = _insight(level, hand_2023, "cuc")
    assert insight.story.startswith(
        "Năm 2023, Chỉ số CCHC của Đơn vị Cúc đạt 68,75/100 điểm, xếp thứ 4/5 đơn vị cấp thử."
    )
    assert "không có kế hoạch kiểm tra" in insight.story


def test_appraisers_reasons_only_for_the_unit_and_the_department(level, hand_2023):
    own = Roles(officer_of=frozenset({level.units["cuc"].id}))
    for roles in (INTERIOR, own):
        assert _insight(level, hand_2023, "cuc", roles).lost[0].reason
    other = _insight(level, hand_2023, "cuc", VIEWER)
    assert [i.reason for i in other.lost] == ["", "", "", "01 công chức bị kỷ luật"]
    assert not other.show_reasons


def test_a_not_applicable_leaf_never_loses_and_leaves_the_applicable_maximum(level, hand_2023):
    insight = _insight(level, hand_2023, "dung")
    assert [i.code for i in insight.lost] == ["2.2"]
    assert insight.total.applicable_max == D(10)
    assert insight.total.index == D(90)
    assert insight.fields[0].applicable_max == D(4) and insight.fields[0].lost == 0


# --- leader, median, ranks ---------------


def test_the_leader_is_the_first_by_name_among_units_tied_first(level, hand_2023):
    insight = _insight(level, hand_2023, "cuc")
    assert insight.leader.unit.name == "Đơn vị An"
    assert insight.leader.rank == 1
    assert (insight.rank, insight.ranked_units) == (4, 5)
    assert [f.leader_points for f in insight.fields] == [D(6), D(4), D(2)]


def test_median_of_an_odd_count(level, hand_2023):
    insight = _insight(level, hand_2023, "cuc")
    assert insight.median == D(90)  # 100, 100, 90, 68.75, 50
    # Fields: 1 → 6, 6, 4.5, 4, 3 → 4.5; 2 → 4, 4, 2, 3, 2 → 3.
    assert [f.median_points for f in insight.fields] == [D("4.5"), D(3), D(2)]


def test_median_of_an_even_count(level, hand_2023):
    level.assessment(hand_2023, "em").delete()
    insight = _insight(level, hand_2023, "cuc")
    assert insight.ranked_units == 4
    assert insight.median == D(95)  # (100 + 90) / 2


def _verified_next(insight, results_indexes, policy):
    """Run the engine on the hypothetical total: with the points it takes the unit ranks at
    ``next_rank``, and with a hundredth less it does not."""
    takes = insight.takes
    total = insight.total
    mine = insight.assessment.id

    def rank_with(extra):
        indexes = dict(results_indexes)
        indexes[mine] = calculations.compute_index(total.points + extra, total.applicable_max)
        return calculations.rank(indexes, policy)[mine]

    assert rank_with(takes.points_to_next_rank) == takes.next_rank < insight.rank
    assert rank_with(takes.points_to_next_rank - D("0.01")) == insight.rank


def _indexes(level, year):
    return {
        a.id: calculations.compute_index(*_points(level, a))
        for a in Assessment.objects.filter(year=year)
    }


def _points(level, assessment):
    insight = unit_insight(
        Assessment.objects.select_related("year__unit_level", "year__framework", "unit").get(
            pk=assessment.pk
        ),
        roles=INTERIOR,
    )
    return insight.total.points, insight.total.applicable_max


def test_points_to_the_next_rank_tie_with_the_unit_above(level, hand_2023):
    insight = _insight(level, hand_2023, "cuc")
    # Dung's 90.00: 10.80 of 12 shows 90.00 (10.79: 89.92); a tie with Dung is 3rd of 5.
    assert insight.takes.points_to_next_rank == D("2.55")
    assert insight.takes.next_rank == 3
    _verified_next(insight, _indexes(level, hand_2023), "competition")


def test_points_to_the_next_rank_under_dense_ties(level, hand_2023):
    AssessmentYear.objects.filter(pk=hand_2023.pk).update(tie_policy="dense")
    insight = _insight(level, hand_2023, "cuc")
    assert insight.rank == 3  # 1, 1, 2, 3, 4
    assert insight.takes.points_to_next_rank == D("2.55")
    assert insight.takes.next_rank == 2
    _verified_next(insight, _indexes(level, hand_2023), "dense")


def test_the_first_has_no_next_rank_even_when_tied(level, hand_2023):
    takes = _insight(level, hand_2023, "binh").takes
    assert takes.next_rank is None and takes.points_to_next_rank is None
    assert takes.next_band is None and takes.points_to_next_band is None  # top band


def test_points_to_the_next_rank_on_a_reduced_maximum(level, hand_2023):
    insight = _insight(level, hand_2023, "dung")  # 9 of 10; the two above have 100
    assert insight.takes.points_to_next_rank == D(1)
    assert insight.takes.next_rank == 1
    _verified_next(insight, _indexes(level, hand_2023), "competition")


def test_points_to_the_next_band_verified_with_the_engine(level, hand_2023):
    insight = _insight(level, hand_2023, "cuc")
    assert insight.band == "Trung bình"
    assert insight.takes.next_band == "Khá"
    assert insight.takes.points_to_next_band == D("0.15")
    total = insight.total
    for extra, band in [(D("0.15"), "Khá"), (D("0.14"), "Trung bình")]:
        index = calculations.compute_index(total.points + extra, total.applicable_max)
        assert calculations.band_for(index, BANDS) == band


def test_chances_are_lost_leaves_others_scored_in_full(level, hand_2023):
    chances = _insight(level, hand_2023, "cuc").takes.chances
    # The survey is not something the unit can act on; Em has 1 of 2 on both leaves.
    assert [(c.code, c.lost, c.units_full, c.of_units) for c in chances] == [
        ("2.1", D(2), 3, 4),
        ("1.2", D("1.5"), 3, 4),
    ]


# --- own previous year, through reorganisations ---------------


def test_a_renamed_unit_is_compared_with_what_it_was(level, hand_2022):
    hand_2023 = AssessmentYear.objects.get(year=2023, unit_level=level.level)
    insight = _insight(level, hand_2023, "cuc")
    previous = insight.previous
    assert previous.year.year == 2022 and previous.unit.name == "Đơn vị Cò"
    assert [(link.predecessor.name, link.kind) for link in previous.via] == [
        ("Đơn vị Cò", "rename")
    ]
    assert (previous.rank, previous.ranked_units) == (3, 7)
    assert [(i.code, i.lost) for i in previous.lost] == [("2.1", D(1))]
    assert [f.previous_points for f in insight.fields] == [D(6), D(3), D(2)]


def test_a_unit_a_merge_made_from_one_predecessor_is_compared_with_it(level, hand_2022):
    hand_2023 = AssessmentYear.objects.get(year=2023, unit_level=level.level)
    previous = _insight(level, hand_2023, "binh").previous
    assert previous.unit.name == "Đơn vị Bắc" and previous.rank == 4
    assert [link.kind for link in previous.via] == ["merge"]


def test_a_unit_that_absorbed_another_is_compared_with_itself(level, hand_2022):
    hand_2023 = AssessmentYear.objects.get(year=2023, unit_level=level.level)
    previous = _insight(level, hand_2023, "em").previous
    assert previous.unit.name == "Đơn vị Em" and previous.via == [] and previous.rank == 7


def test_a_unit_merged_from_several_has_no_single_previous_year(level, hand_2022):
    hand_2023 = AssessmentYear.objects.get(year=2023, unit_level=level.level)
    insight = _insight(level, hand_2023, "dung")
    assert insight.previous is None
    assert insight.previous_several == ["Đơn vị Đào", "Đơn vị Đông"]
    assert all(f.previous_points is None for f in insight.fields)


def test_an_unpublished_previous_year_is_not_compared(level, hand_2022):
    AssessmentYear.objects.filter(pk=hand_2022.pk).update(state="appraisal")
    hand_2023 = AssessmentYear.objects.get(year=2023, unit_level=level.level)
    assert _insight(level, hand_2023, "cuc").previous is None


# --- self-assessment against appraisal ---------------


def test_overclaim_per_field_and_over_the_years_following_the_rename(level, hand_2022):
    hand_2023 = AssessmentYear.objects.get(year=2023, unit_level=level.level)
    overclaim = _insight(level, hand_2023, "cuc").overclaim
    # Self-scores are 2 on every appraised leaf; the survey is left out on both sides.
    assert [(f.node.code, f.self_points, f.appraised, f.difference) for f in overclaim.fields] == [
        ("1", D(6), D("4.5"), D("1.5")),
        ("2", D(4), D(2), D(2)),
    ]
    assert (overclaim.self_points, overclaim.appraised, overclaim.difference) == (
        D(10),
        D("6.5"),
        D("3.5"),
    )
    assert [(y.year, y.self_points, y.appraised, y.unit_name) for y in overclaim.years] == [
        (2022, D(10), D(9), "Đơn vị Cò"),
        (2023, D(10), D("6.5"), "Đơn vị Cúc"),
    ]


def test_overclaim_only_for_the_unit_and_the_department(level, hand_2023):
    own = Roles(officer_of=frozenset({level.units["cuc"].id}))
    other = Roles(officer_of=frozenset({level.units["an"].id}))
    assert _insight(level, hand_2023, "cuc", own).overclaim is not None
    assert _insight(level, hand_2023, "cuc", INTERIOR).overclaim is not None
    assert _insight(level, hand_2023, "cuc", other).overclaim is None
    assert _insight(level, hand_2023, "cuc", VIEWER).overclaim is None


def test_history_follows_the_unit_through_the_rename(level, hand_2022):
    hand_2023 = AssessmentYear.objects.get(year=2023, unit_level=level.level)
    history = _insight(level, hand_2023, "cuc").history
    assert [(p.year, round2(p.index), p.rank, p.ranked_units, p.unit_name) for p in history] == [
        (2022, D("91.67"), 3, 7, "Đơn vị Cò"),
        (2023, D("68.75"), 4, 5, "Đơn vị Cúc"),
    ]


# --- what if ---------------


def _counts():
    return (
        LeafScore.objects.count(),
        LeafScore.history.count(),
        Adjustment.objects.count(),
        Assessment.objects.count(),
    )


def test_what_if_moves_total_index_and_rank_as_the_engine_says_and_saves_nothing(level, hand_2023):
    assessment = level.assessment(hand_2023, "cuc")
    before = _counts()
    result = what_if(assessment, {"2.1": D(2)})
    assert _counts() == before
    # 8.25 + 2 = 10.25 of 12 = 85.4166…: 85.42, between Dung (90) and Em (50): still 4th.
    assert result.total.points == D("10.25")
    assert result.total.shown_index == D("85.42")
    assert (result.actual_rank, result.rank) == (4, 4)
    assert (result.actual_band, result.band) == ("Trung bình", "Khá")
    result = what_if(assessment, {"2.1": D(2), "1.2": D(2), "3.1": D(2)}, deductions=D(0))
    # 12 of 12, the 0.50 bonus kept and no deduction: 12.50 points, the index kept at 100.
    assert result.total.points == D("12.5")
    assert result.total.index == D(100)
    assert result.rank == 1 and result.places_gained == 3
    assert [c.code for c in result.changes] == ["2.1", "1.2", "3.1"]
    assert _counts() == before


def test_what_if_refuses_what_the_engine_cannot_take(level, hand_2023):
    from scoring.analysis.whatif import WhatIfInputError

    dung = level.assessment(hand_2023, "dung")
    with pytest.raises(WhatIfInputError):
        what_if(dung, {"1.1": D(1)})  # N/A for Dung
    with pytest.raises(WhatIfInputError):
        what_if(dung, {"9.9": D(1)})
    with pytest.raises(WhatIfInputError):
        what_if(dung, {"2.2": D(3)})


# --- the pages ---------------


def _url(year, code, name="unit_insight"):
    return reverse(name, args=[year.pk, code])


@pytest.fixture
def cuc_officer(level):
    user = User.objects.create_user("cuc.canbo", password="x")
    Membership.objects.create(user=user, unit=level.units["cuc"], role="officer")
    return user


def test_the_page_in_reading_order(as_user, cuc_officer, hand_2023):
    html = as_user(cuc_officer).get(_url(hand_2023, "t-cuc")).content.decode()
    order = [
        'data-testid="story"',
        'data-testid="headline"',
        "Điểm bị mất",
        'data-testid="profile-chart"',
        "Cần bao nhiêu điểm để lên hạng",
        'data-testid="what-if-form"',
        "Tự chấm và thẩm định",
    ]
    positions = [html.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert "Không có kế hoạch; Nộp muộn" in html
    assert "Thêm 2,55 điểm để lên hạng 3." in html
    assert "Thêm 0,15 điểm để đạt xếp loại “Khá”." in html
    assert 'data-testid="print-header"' in html
    assert 'class="what-if d-print-none"' in html


def test_the_page_says_which_unit_its_previous_year_was(as_user, interior_admin, hand_2022, level):
    hand_2023 = AssessmentYear.objects.get(year=2023, unit_level=level.level)
    html = as_user(interior_admin).get(_url(hand_2023, "t-cuc")).content.decode()
    assert "So với Đơn vị Cò năm 2022 (Đơn vị Cò đổi tên thành Đơn vị Cúc từ 01/01/2023)." in html
    html = as_user(interior_admin).get(_url(hand_2023, "t-dung")).content.decode()
    assert "đơn vị được hợp thành từ nhiều đơn vị (Đơn vị Đào, Đơn vị Đông)" in html


def test_the_page_hides_overclaim_and_reasons_from_other_readers(as_user, viewer, hand_2023):
    html = as_user(viewer).get(_url(hand_2023, "t-cuc")).content.decode()
    assert "Tự chấm và thẩm định" not in html
    assert "Nộp muộn" not in html
    assert "01 công chức bị kỷ luật" in html  # a deduction's reason is the published ledger's


def test_the_page_what_if_answers_within_the_request(as_user, cuc_officer, hand_2023):
    before = _counts()
    response = as_user(cuc_officer).get(
        _url(hand_2023, "t-cuc"), {"leaf-2.1": "2,00", "leaf-1.2": "0.5", "deductions": "0"}
    )
    assert _counts() == before
    result = response.context["result"]
    assert result.total.points == D("10.5") and result.total.shown_index == D("87.50")
    html = response.content.decode()
    assert 'data-testid="what-if-index">87,50<' in html


@pytest.mark.parametrize(
    "params, field, message",
    [
        ({"leaf-2.1": "hai"}, "wi-leaf-2-1", "“hai” không phải là một số điểm."),
        ({"leaf-2.1": "-1"}, "wi-leaf-2-1", "Điểm không được âm."),
        ({"leaf-2.1": "2,5"}, "wi-leaf-2-1", "Điểm không được lớn hơn 2,00."),
        ({"deductions": "11"}, "wi-deductions", "Điểm không được lớn hơn 10,00."),
    ],
)
def test_bad_what_if_input_gets_a_message_beside_the_field(
    as_user, cuc_officer, hand_2023, params, field, message
):
    for name in ("unit_insight", "unit_what_if"):
        response = as_user(cuc_officer).get(_url(hand_2023, "t-cuc", name), params)
        assert response.status_code == 200
        assert response.context["result"] is None
        html = response.content.decode()
        if name == "unit_insight":
            assert f'data-testid="error-{field}">{message}<' in html.replace("&quot;", '"')
        assert f'data-error-for="{field}" data-message="{message}"' in html


def test_a_leaf_the_form_does_not_offer_gets_a_message(as_user, cuc_officer, hand_2023):
    for params in ({"leaf-1.1": "1"}, {"leaf-9.9": "1"}):  # 1.1: not lost; 9.9: no such leaf
        response = as_user(cuc_officer).get(_url(hand_2023, "t-cuc", "unit_what_if"), params)
        assert response.status_code == 200 and response.context["result"] is None
        assert "không có trong danh sách có thể thay đổi" in response.content.decode()


def test_the_what_if_partial_answers_alone(as_user, cuc_officer, hand_2023):
    response = as_user(cuc_officer).get(_url(hand_2023, "t-cuc", "unit_what_if"), {"leaf-2.1": "2"})
    html = response.content.decode()
    assert "<html" not in html
    assert 'data-testid="what-if-index">85,42<' in html


# --- access ---------------


@pytest.mark.parametrize("name", ["unit_insight", "unit_what_if"])
def test_access_to_a_published_year(
    as_user, client, officer_a, officer_b, viewer, appraiser, interior_admin, year_2022, name
):
    url = reverse(name, args=[year_2022.pk, "vu-quang"])
    for user in (officer_a, officer_b, viewer, appraiser, interior_admin):
        client.force_login(user)
        assert client.get(url).status_code == 200, user
    client.logout()
    assert client.get(url).status_code == 302  # to sign in


@pytest.mark.parametrize("name", ["unit_insight", "unit_what_if"])
def test_access_to_an_unpublished_year(
    client, officer_a, officer_b, leader_a, viewer, appraiser, interior_admin, year_2023, name
):
    url = reverse(name, args=[year_2023.pk, "vu-quang"])
    for user, status in [
        (officer_a, 404),
        (leader_a, 404),
        (officer_b, 404),
        (viewer, 404),
        (appraiser, 200),
        (interior_admin, 200),
    ]:
        client.force_login(user)
        assert client.get(url).status_code == status, user


def test_an_unknown_unit_or_year_is_not_found(as_user, interior_admin, year_2022):
    client = as_user(interior_admin)
    assert client.get(reverse("unit_insight", args=[year_2022.pk, "nowhere"])).status_code == 404
    assert client.get(reverse("unit_insight", args=[99999, "vu-quang"])).status_code == 404


def test_overclaim_on_the_page_by_reader(as_user, officer_a, officer_b, viewer, year_2022):
    url = reverse("unit_insight", args=[year_2022.pk, "vu-quang"])
    assert "Tự chấm và thẩm định" in as_user(officer_a).get(url).content.decode()
    for user in (officer_b, viewer):
        assert "Tự chấm và thẩm định" not in as_user(user).get(url).content.decode()


# --- Vũ Quang 2022 in the demo ---------------


def test_vu_quang_2022_lost_the_points_its_report_names(as_user, officer_a, year_2022):
    response = as_user(officer_a).get(reverse("unit_insight", args=[year_2022.pk, "vu-quang"]))
    insight = response.context["insight"]
    codes = {item.code for item in insight.lost if item.code}
    assert {"1.5.1", "4.1.2", "6.2.1", "9.1.1"} <= codes
    assert any(i.kind == "deduction" and "kỷ luật" in i.title for i in insight.lost)
    assert (insight.total.shown_index, insight.rank, insight.ranked_units) == (D("89.30"), 12, 13)
    html = response.content.decode()
    assert "89,30/100 điểm, xếp thứ 12/13" in html
    assert 'data-testid="lost-1.5.1"' in html and "Không đạt chỉ tiêu" in html


# --- query counts ---------------


@pytest.mark.parametrize("n_units", [13, 40])
def test_insight_page_query_count_does_not_grow_with_units(
    as_user, appraiser, django_assert_num_queries, n_units
):
    last_year, year = build_level(n_units, fields=3, leaves_per_field=4)
    unit = Assessment.objects.filter(year=year).select_related("unit").first().unit
    client = as_user(appraiser)
    # session, user, groups, memberships; the assessment with year, level, framework and unit;
    # the level's earlier years, trees of every year, bands, succession links, this unit's
    # leaves, this year's results (assessments, leaf scores, adjustment sums), earlier years'
    # results (the same three), the earlier years' own leaves, the deductions with kinds;
    # + the bell's unread notifications (menu).
    with django_assert_num_queries(19):
        response = client.get(reverse("unit_insight", args=[year.pk, unit.code]))
    assert response.status_code == 200
    insight = response.context["insight"]
    assert insight.ranked_units == n_units
    assert insight.previous is not None and insight.previous.year.pk == last_year.pk


@pytest.mark.parametrize("n_units", [13, 40])
def test_what_if_query_count_does_not_grow_with_units(
    as_user, appraiser, django_assert_num_queries, n_units
):
    _, year = build_level(n_units, fields=3, leaves_per_field=4)
    # A unit that lost points on leaf 1.1 (the what-if offers only such leaves).
    unit = (
        LeafScore.objects.filter(
            assessment__year=year, node__code="1.1", r1_score__lt=2, r2_score__isnull=True
        )
        .select_related("assessment__unit")
        .first()
        .assessment.unit
    )
    client = as_user(appraiser)
    url = reverse("unit_what_if", args=[year.pk, unit.code])
    # session, user, groups, memberships; the assessment with year, level, framework and unit;
    # tree, bands, this unit's leaves, the year's results (assessments, leaf scores, adjustment
    # sums). No bell: the partial renders no menu.
    with django_assert_num_queries(11):
        response = client.get(url, {"leaf-1.1": "2"})
    assert response.status_code == 200
    assert response.context["result"] is not None
    # The page with a what-if costs the page plus the what-if's 6.
    with django_assert_num_queries(25):
        response = client.get(reverse("unit_insight", args=[year.pk, unit.code]), {"leaf-1.1": "2"})
    assert response.context["result"] is not None


def test_deductions_above_the_years_cap_are_lost_as_the_engine_counts_them(
    as_user, interior_admin, year_2022
):
    """Vũ Quang's 0.50 deduction plus 11 points more, with the year's cap at 10: the unit lost
    10 to deductions, not 11.50, on the insight page, the scorecard and in the story's order."""
    assessment = Assessment.objects.get(year=year_2022, unit__code="vu-quang")
    kind = AdjustmentKind.objects.filter(direction=AdjustmentKind.Direction.DEDUCTION).first()
    Adjustment.objects.create(
        assessment=assessment, kind=kind, direction=kind.direction, points=D(11), reason="x"
    )
    assert year_2022.deduction_max == D(10)
    client = as_user(interior_admin)
    insight = client.get(reverse("unit_insight", args=[year_2022.pk, "vu-quang"])).context[
        "insight"
    ]
    assert insight.total.deductions == D(10)
    assert sum(item.lost for item in insight.deductions) == D(10)
    leaves_lost = sum(item.lost for item in insight.lost if item.kind == "leaf")
    assert insight.total_lost == leaves_lost + D(10)
    card = client.get(reverse("scorecard", args=[year_2022.pk, "vu-quang"])).context
    assert sum(item.lost for item in card["lost"] if item.kind == "deduction") == D(10)


def test_a_merged_predecessors_working_figures_stay_with_the_department(level, hand_2022):
    """Bắc merged into Bình: Bình's staff compare with Bắc's appraised result, but Bắc's
    self-scores and appraisers' reasons are not theirs; after a rename (Cò → Cúc) they are."""
    hand_2023 = AssessmentYear.objects.get(year=2023, unit_level=level.level)
    bac_2022 = Assessment.objects.get(year__year=2022, unit=level.units["bac"])
    LeafScore.objects.filter(assessment=bac_2022, node=level.nodes["1.1"]).update(
        r1_reason="Lý do của Bắc"
    )
    binh_staff = Roles(officer_of=frozenset({level.units["binh"].id}))
    for_staff = _insight(level, hand_2023, "binh", binh_staff)
    assert for_staff.previous.unit.name == "Đơn vị Bắc"  # the comparison itself is kept
    assert [i.reason for i in for_staff.previous.lost if i.code == "1.1"] == [""]
    assert [y.year for y in for_staff.overclaim.years] == [2023]
    for_department = _insight(level, hand_2023, "binh")
    assert [i.reason for i in for_department.previous.lost if i.code == "1.1"] == ["Lý do của Bắc"]
    assert [y.year for y in for_department.overclaim.years] == [2022, 2023]
    cuc_staff = Roles(officer_of=frozenset({level.units["cuc"].id}))
    assert [y.year for y in _insight(level, hand_2023, "cuc", cuc_staff).overclaim.years] == [
        2022,
        2023,
    ]


def test_the_page_shows_last_years_rank_out_of_last_years_units(
    as_user, interior_admin, level, hand_2022
):
    hand_2023 = AssessmentYear.objects.get(year=2023, unit_level=level.level)
    url = reverse("unit_insight", args=[hand_2023.pk, level.units["an"].code])
    html = as_user(interior_admin).get(url).content.decode()
    row = html.split('data-testid="compare-previous"')[1].split("</tr>")[0]
    assert "1/7" in row  # An was first of 2022's seven units


def test_a_unit_still_being_appraised_has_no_index_band_or_rank_yet(
    as_user, interior_admin, year_2023
):
    """2023 in the demo: Vũ Quang's field 1 is not appraised yet. Its partial sum is not an
    index: no band on the ranking, none on its insight page, the field says what is left."""
    from scoring.selectors import year_ranking

    row = next(r for r in year_ranking(year_2023).rows if r.unit.code == "vu-quang")
    assert (row.rank, row.band) == (None, None)
    assert any(r.band for r in year_ranking(year_2023).rows)  # the year does have bands
    response = as_user(interior_admin).get(reverse("unit_insight", args=[year_2023.pk, "vu-quang"]))
    insight = response.context["insight"]
    assert (insight.rank, insight.band) == (None, None) and insight.unscored
    html = response.content.decode()
    assert 'data-testid="headline-index">—</dd>' in html
    field_1 = html.split('data-testid="lost-field-1"')[1].split("</tr>")[0]
    assert "chưa chấm" in field_1
