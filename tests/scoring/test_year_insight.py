"""A level's year for the Interior Department: common gaps, units by over-claim, the most
improved units, and the two pages that show them.

The hand-built level (three units, five leaves, figures chosen so every answer is known):

    leaf  max  Xã Đông          Xã Bắc                 Xã Ân
    1.1   4    self 4, final 3  N/A                    self 3, final 2
    1.2   2    self 2, final 0  self 2, final 2        self 2, unscored
    2.1   4    self 4, final 4  self 2, r1 2 → r2 3    self 2, final 2
    2.2   3    self 3, final 3  self 0, final 0        self 3, final 3
    3.1   4    survey 2         survey 2               survey 2        (survey: left out)
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scoring.analysis.gaps import Gap, GapLeaf, GapTally
from scoring.models import Assessment, AssessmentYear, FrameworkNode, LeafScore
from scoring.selectors.year_insight import (
    common_gaps,
    improvements_since_previous,
    level_insight_summary,
    most_improved,
    overclaim_table,
)
from scoring.services import NodeSpec, create_framework
from units.models import Unit, UnitLevel, UnitSuccession
from units.roles import SYSTEM_ADMIN

pytestmark = pytest.mark.django_db

D = Decimal
PUBLISHED = AssessmentYear.State.PUBLISHED
INTERIOR = FrameworkNode.FilledBy.INTERIOR


def _nodes() -> list[NodeSpec]:
    return [
        NodeSpec("1", "Chỉ đạo, điều hành", D("6")),
        NodeSpec("1.1", "Chất lượng văn bản", D("4"), rule="manual", allows_na=True),
        NodeSpec("1.2", "Có kế hoạch CCHC", D("2"), rule="binary"),
        NodeSpec("2", "Hiện đại hóa", D("7")),
        NodeSpec("2.1", "Tỷ lệ hồ sơ trực tuyến", D("4"), rule="manual"),
        NodeSpec("2.2", "Có sáng kiến được công nhận", D("3"), rule="manual"),
        NodeSpec("3", "Sự hài lòng", D("4")),
        NodeSpec("3.1", "Điều tra xã hội học", D("4"), rule="survey", filled_by=INTERIOR),
    ]


def _level(code: str, members_phrase: str = "xã, phường") -> tuple[UnitLevel, object]:
    level = UnitLevel.objects.create(
        code=code, name=f"Cấp thử {code}", order=60, members_phrase=members_phrase
    )
    framework = create_framework(
        roles=SYSTEM_ADMIN,
        name=f"Bộ thử {code}",
        unit_level=level,
        nodes=_nodes(),
        max_points=D(17),
    )
    return level, framework


def _year(level, framework, year: int, state=PUBLISHED) -> AssessmentYear:
    created = AssessmentYear.objects.create(
        year=year, unit_level=level, framework=framework, state=state
    )
    return AssessmentYear.objects.select_related("unit_level", "framework").get(pk=created.pk)


def _unit(level, code: str, name: str) -> Unit:
    return Unit.objects.create(level=level, code=code, name=name, kind="xa")


def _score(year, unit, leaves: dict) -> Assessment:
    """``leaves``: code -> dict of LeafScore fields (self_score, r1_score, r2_score,
    not_applicable); a code left out has no row at all."""
    assessment = Assessment.objects.create(year=year, unit=unit)
    nodes = {n.code: n for n in FrameworkNode.objects.filter(framework_id=year.framework_id)}
    LeafScore.objects.bulk_create(
        LeafScore(assessment=assessment, node=nodes[code], **values)
        for code, values in leaves.items()
    )
    return assessment


def _final(points) -> dict:
    return {"r1_score": D(points)}


@pytest.fixture
def hand_built():
    level, framework = _level("thu-h3")
    year = _year(level, framework, 2024)
    dong = _unit(level, "h3-dong", "Xã Đông")
    bac = _unit(level, "h3-bac", "Xã Bắc")
    an = _unit(level, "h3-an", "Xã Ân")
    survey = {"3.1": _final(2)}
    _score(
        year,
        dong,
        {
            "1.1": {"self_score": D(4), "r1_score": D(3)},
            "1.2": {"self_score": D(2), "r1_score": D(0)},
            "2.1": {"self_score": D(4), "r1_score": D(4)},
            "2.2": {"self_score": D(3), "r1_score": D(3)},
            **survey,
        },
    )
    _score(
        year,
        bac,
        {
            "1.1": {"not_applicable": True},
            "1.2": {"self_score": D(2), "r1_score": D(2)},
            # The latest appraisal counts, not the best round.
            "2.1": {"self_score": D(2), "r1_score": D(2), "r2_score": D(3)},
            "2.2": {"self_score": D(0), "r1_score": D(0)},
            **survey,
        },
    )
    _score(
        year,
        an,
        {
            "1.1": {"self_score": D(3), "r1_score": D(2)},
            "1.2": {"self_score": D(2)},  # not appraised yet
            "2.1": {"self_score": D(2), "r1_score": D(2)},
            "2.2": {"self_score": D(3), "r1_score": D(3)},
            **survey,
        },
    )
    return year


# --- common gaps -------------------------------------------------------------------------------


def test_gaps_count_units_that_lost_and_leave_out_na_unscored_and_survey(hand_built):
    gaps = {g.code: g for g in common_gaps(hand_built)}
    assert set(gaps) == {"1.1", "1.2", "2.1", "2.2"}  # 3.1, the survey, lost by all: left out
    # 1.1: Xã Bắc is N/A, so not among the units it applies to.
    assert gaps["1.1"] == Gap(
        code="1.1",
        title="Chất lượng văn bản",
        field_code="1",
        field_title="Chỉ đạo, điều hành",
        max_points=D(4),
        units_lost=2,
        units_applicable=2,
        total_lost=D(3),
        average_lost=D("1.5"),
        share=D(1),
        units=["Xã Ân", "Xã Đông"],  # Vietnamese order: Â before Đ
    )
    # 1.2: Xã Ân is not appraised yet: it applies to it, but nothing is lost yet.
    assert (gaps["1.2"].units_lost, gaps["1.2"].units_applicable) == (1, 3)
    assert gaps["1.2"].units == ["Xã Đông"]
    assert gaps["1.2"].share == D(1) / D(3)
    # 2.1: the second round (3) counts for Xã Bắc, not the first (2).
    assert gaps["2.1"].total_lost == D(3)
    assert gaps["2.1"].units == ["Xã Ân", "Xã Bắc"]
    assert gaps["2.2"].field_title == "Hiện đại hóa"


def test_gaps_order_most_units_then_most_points_then_code(hand_built):
    # 1.1 and 2.1 tie (2 units, 3 points): by code. 2.2 and 1.2 have one unit each: 2.2 lost 3.
    assert [g.code for g in common_gaps(hand_built)] == ["1.1", "2.1", "2.2", "1.2"]


def test_a_unit_with_no_scores_counts_as_applicable_and_lost_nothing(hand_built):
    _score(hand_built, _unit(hand_built.unit_level, "h3-moi", "Xã Mới Lập"), {})
    gaps = {g.code: g for g in common_gaps(hand_built)}
    assert (gaps["1.1"].units_lost, gaps["1.1"].units_applicable) == (2, 3)
    assert "Xã Mới Lập" not in gaps["1.1"].units


def test_gap_tally_orders_codes_numerically_and_skips_survey():
    leaves = [
        GapLeaf("1.9", "Chín", "1", "Một", D(1)),
        GapLeaf("1.10", "Mười", "1", "Một", D(1)),
        GapLeaf("9.1", "Điều tra", "9", "Chín", D(5), is_survey=True),
    ]
    tally = GapTally(leaves)
    for name in ("B", "A"):
        tally.add(name, {"1.9": (D(0), False), "1.10": (D(0), False), "9.1": (D(0), False)})
    assert [(g.code, g.units) for g in tally.gaps()] == [("1.9", ["A", "B"]), ("1.10", ["A", "B"])]


def test_no_units_no_gaps():
    level, framework = _level("thu-h3-rong")
    assert common_gaps(_year(level, framework, 2024)) == []


# --- over-claim ----------------------------------------------------------------------------------


def test_overclaim_table_self_against_appraised_per_unit_and_field(hand_built):
    rows = overclaim_table(hand_built)
    # Xã Ân and Xã Đông both over-claimed by 3: Vietnamese order; Xã Bắc under-claimed.
    assert [(r.unit.name, r.self_points, r.appraised_points, r.difference) for r in rows] == [
        ("Xã Ân", D(10), D(7), D(3)),
        ("Xã Đông", D(13), D(10), D(3)),
        ("Xã Bắc", D(4), D(5), D(-1)),
    ]
    dong = rows[1]
    assert [(f.code, f.self_points, f.appraised_points, f.difference) for f in dong.fields] == [
        ("1", D(6), D(3), D(3)),
        ("2", D(7), D(7), D(0)),
    ]  # the survey's field is not a field a unit scores itself
    assert dong.self_index == D(100)
    assert dong.appraised_index == D(10) / D(13) * 100
    bac = rows[2]
    # 1.1 is N/A for Xã Bắc: out of both totals and of the maximum (13 − 4 = 9).
    assert bac.applicable_max == D(9)
    assert bac.self_index == D(4) / D(9) * 100
    assert [f.difference for f in bac.fields] == [D(0), D(-1)]


# --- most improved -----------------------------------------------------------------------------


@pytest.fixture
def two_years():
    """2023 and 2024 of a level: Lộc Hà merged into Thạch Hà, Xã Cũ renamed Xã Mới, Xã Giảm
    falls back, Xã Lập Mới is new in 2024 (17 points in all, survey included)."""
    level, framework = _level("thu-h3-nam", members_phrase="")
    before, now = _year(level, framework, 2023), _year(level, framework, 2024)
    units = {
        code: _unit(level, f"h3-{code}", name)
        for code, name in [
            ("thach-ha", "Huyện Thạch Hà"),
            ("loc-ha", "Huyện Lộc Hà"),
            ("cu", "Xã Cũ"),
            ("moi", "Xã Mới"),
            ("giam", "Xã Giảm"),
            ("lap-moi", "Xã Lập Mới"),
        ]
    }
    UnitSuccession.objects.create(
        predecessor=units["loc-ha"],
        successor=units["thach-ha"],
        kind=UnitSuccession.Kind.MERGE,
        effective_on=dt.date(2024, 1, 1),
    )
    UnitSuccession.objects.create(
        predecessor=units["cu"],
        successor=units["moi"],
        kind=UnitSuccession.Kind.RENAME,
        effective_on=dt.date(2024, 1, 1),
    )

    def points(p11, p12=2, p21=4, p22=3, p31=4):
        return {
            c: _final(p)
            for c, p in zip(
                ["1.1", "1.2", "2.1", "2.2", "3.1"], [p11, p12, p21, p22, p31], strict=True
            )
        }

    _score(before, units["thach-ha"], points(2))  # 15/17 = 88.24, 3rd
    _score(before, units["loc-ha"], points(4))  # 100, 1st
    _score(before, units["cu"], points(4, p12=0))  # 88.24, 3rd
    _score(before, units["giam"], points(4))  # 100, 1st
    _score(now, units["thach-ha"], points(4))  # 100, 1st
    _score(now, units["moi"], points(3))  # 16/17 = 94.12, 3rd
    _score(now, units["giam"], points(2))  # 88.24, 4th
    _score(now, units["lap-moi"], points(4))  # 100, 1st
    return before, now


def test_most_improved_follows_merges_and_renames(two_years):
    before, now = two_years
    previous, rows = improvements_since_previous(now)
    assert previous == before
    assert [
        (
            r.unit.name,
            r.previous_unit_name,
            r.previous_index,
            r.index,
            r.index_change,
            r.previous_rank,
            r.rank,
            r.rank_change,
        )
        for r in rows
    ] == [
        # Thạch Hà compares with itself, not with Lộc Hà merged into it.
        ("Huyện Thạch Hà", None, D("88.24"), D("100.00"), D("11.76"), 3, 1, 2),
        # A renamed unit compares with its old name.
        ("Xã Mới", "Xã Cũ", D("88.24"), D("94.12"), D("5.88"), 3, 3, 0),
        ("Xã Giảm", None, D("100.00"), D("88.24"), D("-11.76"), 1, 4, -3),
    ]  # Xã Lập Mới has no previous year: left out


def test_most_improved_without_a_published_previous_year(two_years):
    before, now = two_years
    AssessmentYear.objects.filter(pk=before.pk).update(state=AssessmentYear.State.APPRAISAL)
    assert most_improved(now) == []
    assert most_improved(before) == []  # nothing before 2023


# --- query counts ------------------------------------------------------------------------------


def _generated(code: str, n_units: int) -> AssessmentYear:
    """A level of ``n_units`` units over two published years, every unit losing a little."""
    level, framework = _level(code)
    before, now = _year(level, framework, 2023), _year(level, framework, 2024)
    for i in range(n_units):
        unit = _unit(level, f"{code}-{i}", f"Xã Số {i:02d}")
        for year, lost in ((before, i % 3), (now, i % 4)):
            _score(
                year,
                unit,
                {
                    "1.1": {"self_score": D(4), "r1_score": D(4 - lost)},
                    "1.2": {"self_score": D(2), "r1_score": D(2)},
                    "2.1": {"self_score": D(4), "r1_score": D(3)},
                    "2.2": {"self_score": D(3), "r1_score": D(3)},
                    "3.1": _final(3),
                },
            )
    return AssessmentYear.objects.select_related("unit_level", "framework").get(pk=now.pk)


@pytest.mark.parametrize("n_units", [3, 12])
def test_selectors_run_a_fixed_number_of_queries(django_assert_num_queries, n_units):
    year = _generated(f"thu-h3-q{n_units}", n_units)
    with django_assert_num_queries(3):  # tree, assessments, leaf scores
        gaps = common_gaps(year)
    assert gaps and gaps[0].units_applicable == n_units
    with django_assert_num_queries(3):  # tree, assessments, leaf scores
        assert len(overclaim_table(year)) == n_units
    with django_assert_num_queries(6):  # previous year, trees, 3 for results, lineage
        assert len(most_improved(year)) == n_units
    with django_assert_num_queries(15):
        summary = level_insight_summary(year)
    assert summary.units == summary.ranked == n_units
    assert summary.mean_difference is not None


def test_summary_on_hand_built_data(two_years):
    _before, now = two_years
    summary = level_insight_summary(now)
    assert (summary.units, summary.ranked) == (4, 4)
    # 100, 100, 94.12, 88.24 (exact: 100, 100, 16/17, 15/17)
    q = D("0.000001")
    assert summary.median_index.quantize(q) == D("97.058824")  # (100 + 94.1176…) / 2
    assert summary.mean_index.quantize(q) == D("95.588235")  # (200 + 31/17 × 100) / 4
    assert summary.bands == []  # the level has no bands
    assert [i.unit.name for i in summary.most_improved][:1] == ["Huyện Thạch Hà"]
    assert summary.members_phrase == ""


# --- the pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, status",
    [
        ("interior_admin", 200),
        ("appraiser", 200),
        ("officer_a", 404),
        ("leader_a", 404),
        ("viewer", 404),
    ],
)
@pytest.mark.parametrize("year", ["year_2022", "year_2023"])  # published, in appraisal
def test_only_the_interior_department_sees_the_overclaims(request, as_user, year, who, status):
    """Every unit's self-scores side by side."""
    user = request.getfixturevalue(who)
    year = request.getfixturevalue(year)
    assert as_user(user).get(reverse("year_overclaim", args=[year.pk])).status_code == status


@pytest.mark.parametrize(
    "who, published, in_appraisal",
    [
        ("interior_admin", 200, 200),
        ("appraiser", 200, 200),
        ("officer_a", 200, 404),
        ("leader_a", 200, 404),
        ("viewer", 200, 404),
    ],
)
def test_the_common_gaps_follow_the_ranking(
    request, as_user, year_2022, year_2023, who, published, in_appraisal
):
    """Appraised results only: every reader once published, the Interior Department before."""
    client = as_user(request.getfixturevalue(who))
    assert client.get(reverse("year_gaps", args=[year_2022.pk])).status_code == published
    assert client.get(reverse("year_gaps", args=[year_2023.pk])).status_code == in_appraisal


@pytest.mark.parametrize("page", ["year_gaps", "year_overclaim"])
def test_unknown_year_is_404_and_anonymous_is_sent_to_sign_in(
    as_user, client, interior_admin, page
):
    assert client.get(reverse(page, args=[1])).status_code == 302
    assert as_user(interior_admin).get(reverse(page, args=[999999])).status_code == 404


def test_demo_gaps_page_names_1_5_1_with_vu_quang(as_user, interior_admin, year_2022):
    # How many demo units lost 1.5.1 in 2022, counted straight from the leaf scores.
    node = FrameworkNode.objects.get(framework_id=year_2022.framework_id, code="1.5.1")
    lost = [
        s.assessment.unit.name
        for s in LeafScore.objects.filter(assessment__year=year_2022, node=node).select_related(
            "assessment__unit"
        )
        if not s.not_applicable and s.final_score is not None and s.final_score < node.max_points
    ]
    assert "Huyện Vũ Quang" in lost
    response = as_user(interior_admin).get(reverse("year_gaps", args=[year_2022.pk]))
    gap = next(g for g in response.context["gaps"] if g.code == "1.5.1")
    assert gap.units_lost == len(lost) and gap.units_applicable == 13
    html = response.content.decode()
    row = html.split('data-testid="gap-1.5.1"', 1)[1].split("</tr>", 1)[0]
    assert f"{len(lost)}/13" in row and "Huyện Vũ Quang" in row
    summary = html.split('data-testid="gaps-summary">', 1)[1].split("</p>", 1)[0]
    top = response.context["top_gap"]
    assert summary.startswith(
        f"Năm 2022, {top.units_lost}/{top.units_applicable} huyện, thị xã, thành phố mất điểm "
        f"ở tiêu chí {top.code}"
    )
    assert 'data-testid="print-header"' in html


def test_field_filter_keeps_one_fields_leaves(as_user, interior_admin, hand_built):
    url = reverse("year_gaps", args=[hand_built.pk])
    response = as_user(interior_admin).get(url + "?field=2")
    assert [g.code for g in response.context["gaps"]] == ["2.1", "2.2"]
    assert '<option value="2" selected>' in response.content.decode()


def test_unknown_field_shows_every_gap_with_a_message(as_user, interior_admin, hand_built):
    url = reverse("year_gaps", args=[hand_built.pk])
    response = as_user(interior_admin).get(url + "?field=xyz%3Cb%3E")
    assert response.status_code == 200
    assert len(response.context["gaps"]) == 4
    html = response.content.decode()
    assert "Không có lĩnh vực “xyz&lt;b&gt;”; đang hiển thị tất cả lĩnh vực." in html
    # The sentence uses the level's name for its units.
    assert "Năm 2024, 2/2 xã, phường mất điểm ở tiêu chí 1.1" in html


def test_gaps_page_lists_most_improved_with_predecessor(as_user, interior_admin, two_years):
    _before, now = two_years
    html = as_user(interior_admin).get(reverse("year_gaps", args=[now.pk])).content.decode()
    table = html.split('data-testid="improved-table"', 1)[1].split("</table>", 1)[0]
    names = re.findall(r'data-testid="improved-([\w-]+)"', table)
    assert names == ["h3-thach-ha", "h3-moi"]  # a unit that fell back is not "improved"
    assert "so với Xã Cũ năm 2023" in table
    assert "+11,76" in table and "lên 2 hạng" in table
    # No members phrase for this level: "đơn vị".
    assert "đơn vị mất điểm ở tiêu chí" in html


def test_gaps_page_without_previous_year_says_so(as_user, interior_admin, hand_built):
    html = as_user(interior_admin).get(reverse("year_gaps", args=[hand_built.pk])).content.decode()
    assert 'data-testid="no-previous"' in html and "improved-table" not in html


def test_overclaim_page_rows_negative_differences_and_average(as_user, interior_admin, hand_built):
    response = as_user(interior_admin).get(reverse("year_overclaim", args=[hand_built.pk]))
    html = response.content.decode()
    assert re.findall(r'data-testid="row-([\w-]+)"', html) == ["h3-an", "h3-dong", "h3-bac"]
    bac = html.split('data-testid="row-h3-bac"', 1)[1].split("</tr>", 1)[0]
    assert ">-1,00<" in bac
    dong = html.split('data-testid="row-h3-dong"', 1)[1].split("</tr>", 1)[0]
    assert ">+3,00<" in dong
    average = html.split('data-testid="level-average"', 1)[1].split("</tr>", 1)[0]
    assert ">9,00<" in average and ">7,33<" in average  # (10+13+4)/3, (7+10+5)/3
    assert "2/3 xã, phường tự chấm cao hơn kết quả thẩm định." in html
    # Field columns fold on a phone, print, and ?fields=1 unfolds them.
    assert "col-field d-none d-md-table-cell d-print-table-cell" in html
    unfolded = as_user(interior_admin).get(
        reverse("year_overclaim", args=[hand_built.pk]) + "?fields=1&bogus=%FF"
    )
    assert unfolded.status_code == 200
    assert "col-field d-none" not in unfolded.content.decode()


def _page_queries(client, name, year) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(name, args=[year.pk])).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["year_gaps", "year_overclaim"])
def test_pages_cost_the_same_queries_for_3_and_12_units(as_user, interior_admin, name):
    client = as_user(interior_admin)
    small, large = _generated("thu-h3-p3", 3), _generated("thu-h3-p12", 12)
    _page_queries(client, name, small)  # the session, once
    assert _page_queries(client, name, small) == _page_queries(client, name, large)
