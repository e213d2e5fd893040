"""Units in Vietnamese alphabetical order everywhere ("Đức Thọ" after "Can Lộc", not after
"Vũ Quang"), on SQLite and PostgreSQL: the Python key (``name_key``), the database's order
(``VietnameseOrder``, the models' default ordering) and the pages and Excel reports built on
them. Code-point order puts "Đ" (U+0110) and "Ư" (U+01AF) after "V": each test below fails
under it."""

import io
import random
import re

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from scoring.models import Adjustment, AdjustmentKind, Assessment, LeafScore
from scoring.selectors import year_results
from tests.scoring.export_helpers import rows, workbook
from units.collation import VietnameseOrder, name_key
from units.models import Membership, Unit, UnitLevel

# In the order PostgreSQL's ICU collation "vi-x-icu" gives: every marked letter (ă â đ ê ô ơ
# ư) after its plain one, tones in ICU's order (none, huyền, hỏi, ngã, sắc, nặng), a space
# before any letter, digits one by one, capitals as their letter.
TRICKY = [
    "An",
    "Anh",
    "Ăn",
    "Ân",
    "Ba",
    "Bà",
    "Bả",
    "Bã",
    "Bá",
    "Bạ",
    "Bác",
    "Can Lộc",
    "Cẩm Xuyên",
    "Dương",
    "Đa",
    "Đức Thọ",
    "E",
    "Ê",
    "Hà Tĩnh",
    "Hà Tĩnh Mới",
    "Hàn",
    "Hồng Lĩnh",
    "Hương Khê",
    "Hương Sơn",
    "Kỳ Anh",
    "Kỳanh",
    "Lộc Hà",
    "Nghi Xuân",
    "O",
    "Ô",
    "Ông",
    "Ơ",
    "Phường 1",
    "Phường 10",
    "Phường 2",
    "Thạch Hà",
    "Thành phố Hà Tĩnh",
    "Thị xã Hồng Lĩnh",
    "TP Hà Tĩnh",
    "TP. Hà Tĩnh",
    "U",
    "Ư",
    "Ưng",
    "Vũ Quang",
    "Xuân",
    "Y",
]

# The demo's 13 district-level units (tests/conftest.py), in Vietnamese order.
DEMO = [
    "Huyện Can Lộc",
    "Huyện Cẩm Xuyên",
    "Huyện Đức Thọ",
    "Huyện Hương Khê",
    "Huyện Hương Sơn",
    "Huyện Kỳ Anh",
    "Huyện Lộc Hà",
    "Huyện Nghi Xuân",
    "Huyện Thạch Hà",
    "Huyện Vũ Quang",
    "Thành phố Hà Tĩnh",
    "Thị xã Hồng Lĩnh",
    "Thị xã Kỳ Anh",
]
# Units added to 2023 for the pages of that year, not yet appraised: "Â" sorts between "A"
# and "B", "Đ" between "D" and "E", "Ư" between "U" and "V".
ADDED = {"an-thi": "Huyện Ân Thi", "dan-phuong": "Huyện Đan Phượng", "ung-hoa": "Huyện Ứng Hòa"}
DEMO_2023 = [
    "Huyện Ân Thi",
    "Huyện Can Lộc",
    "Huyện Cẩm Xuyên",
    "Huyện Đan Phượng",
    "Huyện Đức Thọ",
    "Huyện Hương Khê",
    "Huyện Hương Sơn",
    "Huyện Kỳ Anh",
    "Huyện Lộc Hà",
    "Huyện Nghi Xuân",
    "Huyện Thạch Hà",
    "Huyện Ứng Hòa",
    "Huyện Vũ Quang",
    "Thành phố Hà Tĩnh",
    "Thị xã Hồng Lĩnh",
    "Thị xã Kỳ Anh",
]

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the ICU collation is PostgreSQL's"
)


def shuffled(names, seed):
    names = list(names)
    random.Random(seed).shuffle(names)
    return names


def names_in(text: str, names) -> list[str]:
    """The names in the order they first appear in ``text``; the longest first in the pattern,
    so "Huyện Kỳ Anh" is not read as a shorter name."""
    pattern = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    seen: list[str] = []
    for found in re.findall(pattern, text):
        if found not in seen:
            seen.append(found)
    return seen


def names_in_sheet(sheet, names) -> list[str]:
    wanted = set(names)
    return [cell for row in rows(sheet) for cell in row if cell in wanted]


def html_of(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- the key and the database agree -----------------------------------------------------------


def test_the_expected_order_is_not_code_point_order():
    # Otherwise the tests below could pass with no collation at all.
    assert sorted(TRICKY) != TRICKY
    assert sorted(DEMO) != DEMO


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_name_key_sorts_by_the_vietnamese_alphabet(seed):
    assert sorted(shuffled(TRICKY, seed), key=name_key) == TRICKY
    assert sorted(shuffled(DEMO, seed), key=name_key) == DEMO


def test_name_key_reads_letters_not_code_points():
    assert name_key("Can Lộc") < name_key("Đức Thọ") < name_key("Hương Khê") < name_key("Vũ Quang")
    assert name_key("U") < name_key("Ư") < name_key("V")
    assert name_key("Ba") < name_key("Bá") < name_key("Bác")  # a tone never outweighs a letter
    assert name_key(None) == name_key("")


@on_postgresql
@pytest.mark.django_db
def test_postgresql_icu_collation_gives_the_same_order_as_name_key():
    values = ", ".join(["(%s)"] * len(TRICKY))
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT n FROM (VALUES {values}) AS t(n) ORDER BY n COLLATE "vi-x-icu"',
            shuffled(TRICKY, 7),
        )
        ordered = [row[0] for row in cursor.fetchall()]
    assert ordered == TRICKY
    assert ordered == sorted(TRICKY, key=name_key)


@pytest.fixture
def tricky_units(db):
    level = UnitLevel.objects.create(code="thu", name="Thử", order=99)
    Unit.objects.bulk_create(
        Unit(level=level, code=f"u-{i}", name=name, kind="xa")
        for i, name in enumerate(shuffled(TRICKY, 5))
    )
    return level


def test_the_database_orders_by_the_same_key(tricky_units):
    units = Unit.objects.filter(level=tricky_units)
    assert list(units.order_by(VietnameseOrder("name")).values_list("name", flat=True)) == TRICKY
    reverse_order = units.order_by(VietnameseOrder("name").desc()).values_list("name", flat=True)
    assert list(reverse_order) == TRICKY[::-1]


def test_units_and_assessments_are_in_vietnamese_order_by_default(tricky_units, year_2023):
    assert list(Unit.objects.filter(level=tricky_units).values_list("name", flat=True)) == TRICKY
    demo = Assessment.objects.filter(year=year_2023).values_list("unit__name", flat=True)
    assert list(demo) == DEMO
    # Through a relation too: a ledger entry is ordered by its assessment, hence its unit.
    for code in ["vu-quang", "duc-tho", "can-loc"]:
        Adjustment.objects.create(
            assessment=Assessment.objects.get(year=year_2023, unit__code=code),
            kind=AdjustmentKind.objects.get(code="other-bonus"),
            direction="bonus",
            points=1,
            reason="Thử",
        )
    entries = Adjustment.objects.filter(assessment__year=year_2023)
    assert list(entries.values_list("assessment__unit__name", flat=True)) == [
        "Huyện Can Lộc",
        "Huyện Đức Thọ",
        "Huyện Vũ Quang",
    ]


# --- pages and reports --------------------------------------------------------------------------


@pytest.fixture
def tie_2022(year_2022):
    """Can Lộc and Đức Thọ given Vũ Quang's 2022 scores and ledger: three units tied."""
    source = Assessment.objects.get(year=year_2022, unit__code="vu-quang")
    leaves = list(LeafScore.objects.filter(assessment=source))
    entries = list(Adjustment.objects.filter(assessment=source))
    for code in ["duc-tho", "can-loc"]:
        target = Assessment.objects.get(year=year_2022, unit__code=code)
        target.leaves.all().delete()
        target.adjustments.all().delete()
        for row in [*leaves, *entries]:
            row.pk = None
            row.assessment = target
        LeafScore.objects.bulk_create(leaves)
        Adjustment.objects.bulk_create(entries)
    return year_2022


TIED = ["Huyện Can Lộc", "Huyện Đức Thọ", "Huyện Vũ Quang"]


def assert_tied_in_order(listed):
    start = listed.index(TIED[0])
    assert listed[start : start + 3] == TIED, listed


def test_the_ranking_lists_tied_units_in_vietnamese_order(as_user, viewer, tie_2022):
    ranks = {r.unit.name: r.rank for r in year_results(tie_2022)}
    assert ranks[TIED[0]] == ranks[TIED[1]] == ranks[TIED[2]] is not None
    client = as_user(viewer)
    html = html_of(client, reverse("ranking", args=[tie_2022.pk]))
    listed = names_in(html, DEMO)
    assert sorted(listed) == sorted(DEMO)
    assert_tied_in_order(listed)
    book = workbook(client.get(reverse("ranking_xlsx", args=[tie_2022.pk])))
    assert_tied_in_order(names_in_sheet(book.active, DEMO))


@pytest.fixture
def added_2023(year_2023):
    for code, name in ADDED.items():
        unit = Unit.objects.create(level=year_2023.unit_level, code=code, name=name, kind="huyen")
        Assessment.objects.create(year=year_2023, unit=unit)
    return year_2023


def test_the_unranked_units_of_a_provisional_ranking_are_in_vietnamese_order(
    as_user, appraiser, added_2023
):
    html = html_of(as_user(appraiser), reverse("ranking", args=[added_2023.pk]))
    unranked = [r.unit.name for r in year_results(added_2023) if r.rank is None]
    assert set(ADDED.values()) < set(unranked)
    listed = [name for name in names_in(html, DEMO_2023) if name in unranked]
    assert listed == [name for name in DEMO_2023 if name in unranked]


def test_the_survey_grid_and_its_excel_template_list_units_in_vietnamese_order(
    as_user, interior_admin, added_2023
):
    client = as_user(interior_admin)
    assert names_in(html_of(client, reverse("survey", args=[added_2023.pk])), DEMO_2023) == (
        DEMO_2023
    )
    response = client.get(reverse("survey_template", args=[added_2023.pk]))
    book = load_workbook(io.BytesIO(response.content))
    assert names_in_sheet(book.worksheets[0], DEMO_2023) == DEMO_2023


def test_the_worklist_lists_units_in_vietnamese_order(as_user, interior_admin, added_2023):
    html = html_of(as_user(interior_admin), reverse("worklist", args=[added_2023.pk]))
    assert names_in(html, DEMO_2023) == DEMO_2023


def test_the_log_filter_offers_units_in_vietnamese_order(as_user, interior_admin, year_2023):
    html = html_of(as_user(interior_admin), reverse("year_log", args=[year_2023.pk]))
    select = re.search(r'<select name="unit".*?</select>', html, re.S)
    assert select is not None
    assert names_in(select.group(0), DEMO) == DEMO


def test_the_accounts_page_offers_units_in_vietnamese_order(as_user, interior_admin):
    html = html_of(as_user(interior_admin), reverse("accounts"))
    select = re.search(r'<select name="unit".*?</select>', html, re.S)
    assert select is not None
    assert names_in(select.group(0), DEMO) == DEMO


def test_the_history_and_its_excel_list_units_in_vietnamese_order(as_user, viewer):
    client = as_user(viewer)
    assert names_in(html_of(client, reverse("history", args=["cap-huyen"])), DEMO) == DEMO
    book = workbook(client.get(reverse("history_xlsx", args=["cap-huyen"])))
    assert names_in_sheet(book.active, DEMO) == DEMO


def test_the_score_matrix_lists_units_in_vietnamese_order(as_user, viewer, year_2022):
    book = workbook(as_user(viewer).get(reverse("matrix_xlsx", args=[year_2022.pk])))
    assert names_in_sheet(book["Ma trận điểm"], DEMO) == DEMO


def test_the_steps_page_lists_units_in_vietnamese_order(as_user, interior_admin, year_2024):
    # Going to the appraisal, the page names every unit that has not submitted yet.
    html = html_of(as_user(interior_admin), reverse("year_state", args=[year_2024.pk]))
    listed = names_in(html, DEMO)
    assert len(listed) > 2
    assert listed == [name for name in DEMO if name in listed]


def test_the_admins_unit_list_sorts_its_name_column_in_vietnamese_order(as_user, interior_admin):
    client = as_user(interior_admin)
    url = reverse("admin:units_unit_changelist")
    assert names_in(html_of(client, url), DEMO) == DEMO  # the model's default order
    assert names_in(html_of(client, url + "?o=0"), DEMO) == DEMO  # the name column clicked
    assert names_in(html_of(client, url + "?o=-0"), DEMO) == DEMO[::-1]


def test_the_admins_membership_list_is_by_unit_in_vietnamese_order(
    as_user, interior_admin, officer_a
):
    Membership.objects.create(
        user=officer_a, unit=Unit.objects.get(code="duc-tho"), role=Membership.Role.OFFICER
    )
    html = html_of(as_user(interior_admin), reverse("admin:units_membership_changelist"))
    table, _, sidebar = html.partition('id="result_list"')[2].partition("</table>")
    assert names_in(table, DEMO) == ["Huyện Đức Thọ", "Huyện Vũ Quang", "Thị xã Hồng Lĩnh"]
    assert names_in(sidebar, DEMO) == DEMO  # the filter by unit
