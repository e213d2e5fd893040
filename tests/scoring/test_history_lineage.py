"""History, rank change and the ranking page follow units through merges, splits and renames,
on hand-built levels where every index and rank is known.

Each level has one field of one manual leaf worth 2 points: a unit's index is its score × 50
(1.9 → 95 %), so the ranks below can be read off the scores."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from scoring import services
from scoring.demo.synthetic import nodes
from scoring.exporters.history import HistoryExporter
from scoring.models import AssessmentYear, LeafScore
from scoring.selectors import level_history, year_ranking
from scoring.templatetags.history_tags import history_charts_for
from units.models import Unit, UnitLevel, UnitSuccession
from units.roles import SYSTEM_ADMIN

from .export_helpers import rows

pytestmark = pytest.mark.django_db

MERGE, SPLIT, RENAME = (UnitSuccession.Kind.MERGE, UnitSuccession.Kind.SPLIT, "rename")


class Level:
    """A unit level built by hand: units by code, a one-leaf framework, years by number."""

    def __init__(self, code: str, units: dict[str, str], *, kind: str = "huyen"):
        self.level = UnitLevel.objects.create(code=code, name=f"Cấp {code}")
        self.units = {
            unit_code: Unit.objects.create(level=self.level, code=unit_code, name=name, kind=kind)
            for unit_code, name in units.items()
        }
        specs = nodes(1, 1)
        self.framework = services.create_framework(
            roles=SYSTEM_ADMIN,
            name=f"Khung {code}",
            unit_level=self.level,
            nodes=specs,
            max_points=Decimal(2),
        )
        self.leaf = self.framework.nodes.get(code="1.1")
        self.years: dict[int, AssessmentYear] = {}

    def year(self, number: int, scores: dict[str, str], state: str = "published"):
        """A year of the units in ``scores`` (unit code -> score out of 2), in ``state``."""
        year = services.create_year(
            roles=SYSTEM_ADMIN,
            year=number,
            unit_level=self.level,
            framework=self.framework,
            units=[self.units[code] for code in scores],
        )
        for assessment in year.assessments.select_related("unit"):
            LeafScore.objects.create(
                assessment=assessment,
                node=self.leaf,
                r1_score=Decimal(scores[assessment.unit.code]),
            )
        AssessmentYear.objects.filter(pk=year.pk).update(state=state)
        self.years[number] = AssessmentYear.objects.select_related("framework", "unit_level").get(
            pk=year.pk
        )
        return self.years[number]

    def link(self, predecessor: str, successor: str, kind: str, on: dt.date, units=None):
        units = units or self.units
        return UnitSuccession.objects.create(
            predecessor=units[predecessor], successor=units[successor], kind=kind, effective_on=on
        )

    def add_unit(self, code, name):
        self.units[code] = Unit.objects.create(level=self.level, code=code, name=name, kind="xa")
        return self.units[code]


def by_code(ranking):
    return {row.unit.code: row for row in ranking.rows}


def rows_by_code(history):
    return {row.unit.code: row for row in history.rows}


def indexes(row):
    return [None if r is None else str(r.total.shown_index) for r in row.results]


# --- rename A -> B on 2024-01-01 ---------------------------------------------------------------


@pytest.fixture
def renamed():
    level = Level(
        "doi-ten",
        {
            "a": "Xã Kỳ Hải",
            "b": "Xã Hải Hà",
            "c": "Xã Kỳ Thượng",
            "d": "Xã Hoành Sơn",
        },
    )
    level.year(2023, {"a": "1.5", "c": "1.9", "d": "1.7"})  # ranks: c 1, d 2, a 3
    level.year(2024, {"b": "2", "c": "1.9", "d": "1.7"})  # ranks: b 1, c 2, d 3
    level.link("a", "b", RENAME, dt.date(2024, 1, 1))
    return level


def test_a_renamed_unit_is_compared_with_its_old_name(renamed, django_assert_num_queries):
    year = renamed.years[2024]
    # last year's lookup, both trees, bands, both years' assessments, adjustment sums and leaf
    # sums (one aggregate); the reorganisations; the re-openings.
    with django_assert_num_queries(8):
        ranking = year_ranking(year)
    rows = by_code(ranking)
    b = rows["b"]
    assert (b.rank, b.previous_rank, b.rank_change) == (1, 3, 2)
    assert b.compared_with == renamed.units["a"]
    assert [(link.predecessor.code, link.kind) for link in b.links_followed] == [("a", RENAME)]
    assert b.merged_from == []
    # The others compare with themselves and say nothing more.
    assert (rows["c"].rank_change, rows["c"].compared_with) == (-1, None)
    assert rows["d"].rank_change == -1


def test_the_ranking_page_says_whom_a_renamed_unit_is_compared_with(
    renamed, as_user, interior_admin
):
    html = as_user(interior_admin).get(reverse("ranking", args=[renamed.years[2024].pk]))
    html = html.content.decode()
    row_b = html.split('data-testid="row-b"')[1].split("</tr>")[0]
    assert "lên 2 hạng (năm trước hạng 3)" in row_b
    assert "so với Xã Kỳ Hải năm 2023" in row_b
    assert "đổi tên 01/01/2024" in row_b
    row_c = html.split('data-testid="row-c"')[1].split("</tr>")[0]
    assert "so với" not in row_c


def test_the_history_continues_a_renamed_unit_on_one_line(renamed):
    history = level_history(renamed.level)
    rows = rows_by_code(history)
    assert set(rows) == {"b", "c", "d"}  # A's years are on B's line
    b = rows["b"]
    assert indexes(b) == ["75.00", "100.00"]
    assert [r.unit.code for r in b.results] == ["a", "b"]  # whose each year's figures are
    assert [r.rank for r in b.results] == [3, 1]
    assert [note.text for note in b.notes] == ["trước đây: Xã Kỳ Hải (đổi tên từ 01/01/2024)"]
    assert b.former_names == [renamed.units["a"]]
    assert [u.code for u in b.members] == ["a", "b"]
    assert b.ended is None
    assert history.has_renamed_rows


def test_the_history_page_and_chart_follow_a_renamed_unit(renamed, as_user, interior_admin):
    response = as_user(interior_admin).get(reverse("history", args=["doi-ten"]) + "?unit=a")
    assert response.status_code == 200
    html = response.content.decode()
    row_b = html.split('data-testid="row-b"')[1].split("</tr>")[0]
    assert "trước đây: Xã Kỳ Hải (đổi tên từ 01/01/2024)" in row_b
    assert "(Xã Kỳ Hải)" in row_b  # the old name's cell says whose figure it is
    assert 'data-testid="row-a"' not in html
    # ?unit= with the old code picks the line that continues it.
    charts = history_charts_for(response.context["history"], set(), "a")
    assert charts.chosen == "a"
    assert [row.unit.code for row in charts.highlighted] == ["b"]
    assert "Xã Hải Hà: 2023 75,00, 2024 100,00" in charts.index.alt


def test_renamed_twice_in_one_year_folds_into_the_last_name(renamed):
    e = renamed.add_unit("e", "Xã Hải Ninh")
    renamed.link("b", "e", RENAME, dt.date(2025, 1, 1))
    renamed.year(2025, {"e": "1.8", "c": "1.9", "d": "1.7"})
    history = level_history(renamed.level)
    rows = rows_by_code(history)
    assert set(rows) == {"c", "d", "e"}
    assert [r.unit.code for r in rows["e"].results] == ["a", "b", "e"]
    assert [note.text for note in rows["e"].notes] == [
        "trước đây: Xã Kỳ Hải (đổi tên từ 01/01/2024)",
        "trước đây: Xã Hải Hà (đổi tên từ 01/01/2025)",
    ]
    # 2025: E (2nd) is compared with B (1st in 2024), the name it had just before.
    row = by_code(year_ranking(renamed.years[2025]))["e"]
    assert (row.previous_rank, row.rank_change) == (1, -1)
    assert row.compared_with == renamed.units["b"]
    assert e.code == "e"


def test_a_rename_with_both_names_assessed_in_one_year_keeps_two_rows(renamed):
    renamed.year(2025, {"a": "1", "b": "1.2", "c": "1.1"})
    rows = rows_by_code(level_history(renamed.level))
    assert {"a", "b"} <= set(rows)
    assert [note.text for note in rows["a"].notes] == ["Đổi tên thành xã Hải Hà từ 01/01/2024"]
    assert rows["a"].ended is not None
    assert [note.text for note in rows["b"].notes] == [
        "trước đây: Xã Kỳ Hải (đổi tên từ 01/01/2024)"
    ]
    assert indexes(rows["a"]) == ["75.00", None, "50.00"]


# --- merges -------------------------------------------------------------------------------------


@pytest.fixture
def merged():
    """Lộc Hà into Thạch Hà on 01/01/2025; 2024 and 2025 published."""
    level = Level(
        "sap-nhap",
        {"lh": "Huyện Lộc Hà", "th": "Huyện Thạch Hà", "cl": "Huyện Can Lộc"},
    )
    level.year(2024, {"lh": "1.9", "th": "1.6", "cl": "1.8"})  # LH 1, CL 2, TH 3
    level.year(2025, {"th": "1.9", "cl": "1.8"})  # TH 1, CL 2
    level.link("lh", "th", MERGE, dt.date(2025, 1, 1))
    return level


def test_the_unit_a_merge_kept_compares_with_its_own_previous_year(merged):
    rows = by_code(year_ranking(merged.years[2025]))
    th = rows["th"]
    assert (th.previous_rank, th.rank_change, th.compared_with, th.merged_from) == (3, 2, None, [])
    assert rows["cl"].rank_change == 0


def test_a_merged_unit_shows_until_its_last_year_with_a_note(merged, as_user, viewer):
    history = level_history(merged.level)
    rows = rows_by_code(history)
    assert indexes(rows["lh"]) == ["95.00", None]
    assert [note.text for note in rows["lh"].notes] == ["Sáp nhập vào huyện Thạch Hà từ 01/01/2025"]
    assert rows["lh"].ended.kind == "merged_into"
    assert [note.text for note in rows["th"].notes] == [
        "Nhận sáp nhập huyện Lộc Hà (từ 01/01/2025)"
    ]
    assert rows["th"].ended is None
    assert rows["cl"].notes == []
    html = as_user(viewer).get(reverse("history", args=["sap-nhap"])).content.decode()
    assert "Sáp nhập vào huyện Thạch Hà từ 01/01/2025" in html
    assert "Chữ nghiêng" not in html  # no row holds an old name's years


def test_the_history_workbook_carries_the_notes(merged):
    exporter = HistoryExporter(level=merged.level)
    values = rows(load_workbook(io.BytesIO(exporter.render().content)).active)
    assert values[2][-1] == "Ghi chú"
    by_code = {row[0]: row for row in values[3:]}
    assert by_code["lh"][2:] == [95, 1, None, None, "Sáp nhập vào huyện Thạch Hà từ 01/01/2025"]
    assert by_code["cl"][-1] in (None, "")


def test_a_new_unit_merged_from_several_gets_no_rank_change(as_user, interior_admin):
    level = Level(
        "hop-nhat",
        {
            "tl": "Xã Tân Lộc",
            "al": "Xã An Lộc",
            "hl": "Xã Hồng Lộc",
            "cl": "Xã Can Lộc",
        },
    )
    level.year(2024, {"tl": "1.2", "al": "1.4", "cl": "1.8"})
    level.year(2025, {"hl": "1.5", "cl": "1.8"})
    level.link("tl", "hl", MERGE, dt.date(2025, 3, 1))
    level.link("al", "hl", MERGE, dt.date(2025, 3, 1))
    row = by_code(year_ranking(level.years[2025]))["hl"]
    assert (row.previous_rank, row.rank_change, row.compared_with) == (None, None, None)
    assert row.merged_from == [level.units["al"], level.units["tl"]]  # by name
    html = as_user(interior_admin).get(reverse("ranking", args=[level.years[2025].pk]))
    cell = html.content.decode().split('data-testid="row-hl"')[1].split("</tr>")[0]
    assert "hợp nhất từ Xã An Lộc, Xã Tân Lộc" in cell
    assert "▲" not in cell and "▼" not in cell
    notes = rows_by_code(level_history(level.level))["hl"].notes
    assert [note.text for note in notes] == ["Hợp nhất từ xã An Lộc, xã Tân Lộc (từ 01/03/2025)"]


# --- split ---------------------------------------------------------------------------------------


def test_both_parts_of_a_split_compare_with_the_unit_split():
    level = Level("chia", {"a": "Huyện Kỳ Anh", "b": "Thị xã Kỳ Anh", "c": "Huyện Kỳ Anh mới"})
    level.add_unit("x", "Huyện Hương Khê")
    level.year(2023, {"a": "1.7", "x": "1.8"})  # x 1, a 2
    level.year(2024, {"b": "1.9", "c": "1.5", "x": "1.8"})  # b 1, x 2, c 3
    level.link("a", "b", SPLIT, dt.date(2024, 1, 1))
    level.link("a", "c", SPLIT, dt.date(2024, 1, 1))
    rows = by_code(year_ranking(level.years[2024]))
    assert (rows["b"].previous_rank, rows["b"].rank_change) == (2, 1)
    assert (rows["c"].previous_rank, rows["c"].rank_change) == (2, -1)
    assert rows["b"].compared_with == rows["c"].compared_with == level.units["a"]
    history = rows_by_code(level_history(level.level))
    assert [n.text for n in history["a"].notes] == [
        "Chia tách thành huyện Kỳ Anh mới, thị xã Kỳ Anh từ 01/01/2024"
    ]
    assert [n.text for n in history["b"].notes] == ["Tách ra từ huyện Kỳ Anh (từ 01/01/2024)"]
    assert indexes(history["a"]) == ["85.00", None]  # the split unit's line ends


# --- a rename of a merge ---------------------------------------------------------------------


def test_a_rename_of_a_merge_is_followed_link_by_link():
    level = Level(
        "chuoi",
        {
            "x": "Xã Kỳ Phú",
            "y": "Xã Kỳ Phong",
            "z": "Xã Kỳ Xuân",
            "w": "Xã Kỳ Xuân Mới",
            "k": "Xã Kỳ Thượng",
        },
    )
    level.year(2023, {"x": "1.9", "y": "1.2", "k": "1.5"})
    level.year(2024, {"z": "1.4", "k": "1.5"})  # k 1, z 2
    level.year(2025, {"w": "1.6", "k": "1.5"})  # w 1, k 2
    level.link("x", "z", MERGE, dt.date(2024, 1, 1))
    level.link("y", "z", MERGE, dt.date(2024, 1, 1))
    level.link("z", "w", RENAME, dt.date(2025, 1, 1))
    z_2024 = by_code(year_ranking(level.years[2024]))["z"]
    assert z_2024.rank_change is None
    assert [u.code for u in z_2024.merged_from] == ["y", "x"]  # Kỳ Phong, Kỳ Phú
    w_2025 = by_code(year_ranking(level.years[2025]))["w"]
    assert (w_2025.previous_rank, w_2025.rank_change) == (2, 1)
    assert w_2025.compared_with == level.units["z"]
    rows = rows_by_code(level_history(level.level))
    assert set(rows) == {"x", "y", "w", "k"}
    assert [r and r.unit.code for r in rows["w"].results] == [None, "z", "w"]
    assert [n.text for n in rows["w"].notes] == [
        "Hợp nhất từ xã Kỳ Phong, xã Kỳ Phú (từ 01/01/2024)",
        "trước đây: Xã Kỳ Xuân (đổi tên từ 01/01/2025)",
    ]
    assert [n.text for n in rows["x"].notes] == [
        "Sáp nhập vào xã Kỳ Xuân (nay là Xã Kỳ Xuân Mới) từ 01/01/2024"
    ]


# --- a link across levels --------------------------------------------------------------------


def test_a_link_from_another_level_gives_no_rank_change():
    """A commune that took over a district (the district level ended on 01/07/2025): its first
    commune year has no commune of the previous year behind it; the district's own row ends
    with a note in the district history."""
    districts = Level("huyen-cu", {"vq": "Huyện Vũ Quang", "hs": "Huyện Hương Sơn"})
    districts.year(2024, {"vq": "1.8", "hs": "1.6"})
    communes = Level("xa-moi", {"vq-xa": "Xã Vũ Quang", "kt": "Xã Kỳ Thượng"}, kind="xa")
    communes.year(2024, {"kt": "1.6"})
    communes.year(2025, {"vq-xa": "1.9", "kt": "1.7"})
    UnitSuccession.objects.create(
        predecessor=districts.units["vq"],
        successor=communes.units["vq-xa"],
        kind=MERGE,
        effective_on=dt.date(2025, 7, 1),
    )
    row = by_code(year_ranking(communes.years[2025]))["vq-xa"]
    assert (row.previous_rank, row.rank_change, row.compared_with, row.merged_from) == (
        None,
        None,
        None,
        [],
    )
    assert by_code(year_ranking(communes.years[2025]))["kt"].rank_change == -1  # 1st, then 2nd
    vq = rows_by_code(level_history(districts.level))["vq"]
    assert [n.text for n in vq.notes] == ["Sáp nhập vào xã Vũ Quang từ 01/07/2025"]


# --- query counts ----------------------------------------------------------------------------


@pytest.mark.parametrize("links", [0, 1, 6])
def test_history_costs_six_queries_however_many_links(renamed, django_assert_num_queries, links):
    units = [renamed.add_unit(f"n{i}", f"Xã Mới {i}") for i in range(links)]
    for i, unit in enumerate(units):
        UnitSuccession.objects.create(
            predecessor=renamed.units["c"],
            successor=unit,
            kind=SPLIT,
            effective_on=dt.date(2025, 1, i + 1),
        )
    # years, trees, assessments with units, leaf scores, adjustment sums, reorganisations.
    with django_assert_num_queries(6):
        history = level_history(renamed.level)
        notes = [note.text for row in history.rows for note in row.notes]
    assert len(notes) == 1 + links  # B's former name, and a split note per date


def test_a_ranking_without_a_previous_year_asks_nothing_of_reorganisations(
    renamed, django_assert_num_queries
):
    # last year's lookup, tree, bands, assessments, leaf sums, adjustment sums, re-openings.
    with django_assert_num_queries(7):
        ranking = year_ranking(renamed.years[2023])
    assert all(row.rank_change is None for row in ranking.rows)


# --- the history page's chart: whose line is in colour ---------------------------------------


def test_the_chart_colours_the_readers_own_unit_and_the_table_marks_it(as_user, officer_a):
    response = as_user(officer_a).get(reverse("history", args=["cap-huyen"]))
    html = response.content.decode()
    assert "Tô màu: Huyện Vũ Quang; các đơn vị khác màu xám." in html
    assert 'data-testid="row-vu-quang" class="table-primary"' in html
    assert html.count("data:image/svg+xml;base64,") == 2  # index and rank over the years
    assert "Sáp nhập vào huyện Thạch Hà từ 01/01/2025" in html  # the demo's Lộc Hà


def test_a_unit_chosen_with_its_code_is_coloured_instead(as_user, officer_a):
    html = as_user(officer_a).get(reverse("history", args=["cap-huyen"]) + "?unit=loc-ha")
    html = html.content.decode()
    assert "Tô màu: Huyện Lộc Hà;" in html
    assert '<option value="loc-ha" selected>' in html
    assert 'data-testid="row-vu-quang" class="table-primary"' not in html


def test_an_unknown_unit_code_says_so_and_falls_back_to_the_readers_unit(as_user, officer_a):
    url = reverse("history", args=["cap-huyen"]) + "?unit=%3Cscript%3Ekhong-co"
    response = as_user(officer_a).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Không có đơn vị mã “&lt;script&gt;khong-co” trong cấp này" in html
    assert "Tô màu: Huyện Vũ Quang;" in html


def test_without_an_own_unit_and_with_many_units_every_line_is_grey(as_user, viewer):
    html = as_user(viewer).get(reverse("history", args=["cap-huyen"])).content.decode()
    assert "Tô màu:" not in html
    assert "Chọn một đơn vị để tô màu" in html


def test_a_level_without_published_years_has_no_chart(as_user, viewer):
    Level("chua-co", {"a1": "Xã Một"}).year(2024, {"a1": "1"}, state="appraisal")
    html = as_user(viewer).get(reverse("history", args=["chua-co"])).content.decode()
    assert "data:image/svg+xml" not in html
    assert "Cấp đơn vị này chưa có kỳ đánh giá nào được công bố." in html
