"""A commune level of 70 units (Vietnamese names, some long) works on every page of a year and of
a unit, for the people who may open it, and costs the same number of queries as a level of 13.

Each level: two published years (2022, 2023) and one in appraisal (2024); between 2022 and
2023 one commune was renamed and one merged into another (so 2022 has one unit more), which
the ranking's rank change and the history follow."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from scoring.demo import synthetic
from scoring.models import AssessmentYear
from units.models import Membership, Unit, UnitLevel, UnitSuccession

pytestmark = pytest.mark.django_db


@dataclass
class Built:
    level: UnitLevel
    units: list[Unit]  # this year's (2023, 2024)
    years: dict[int, AssessmentYear]
    officer: User
    ended: Unit  # merged into units[1] on 01/01/2023
    renamed_from: Unit  # renamed to units[-1] on 01/01/2023


def build_communes(n: int) -> Built:
    """``n`` communes (synthetic's names, some long) on a framework of 14 leaves, two of them
    survey leaves, scored by the shared generator."""
    level, units = synthetic.create_level(
        f"cap-xa-{n}",
        f"Cấp xã ({n})",
        n,
        code_prefix=f"xa{n}",
        members_phrase="xã, phường, thị trấn",
    )
    ended = Unit.objects.create(level=level, code=f"xa{n}-cu-1", name="Xã Kỳ Cũ", kind="xa")
    renamed_from = Unit.objects.create(
        level=level, code=f"xa{n}-cu-2", name="Xã Tên Cũ Của Xã Cuối", kind="xa"
    )
    UnitSuccession.objects.create(
        predecessor=ended, successor=units[1], kind="merge", effective_on=dt.date(2023, 1, 1)
    )
    UnitSuccession.objects.create(
        predecessor=renamed_from,
        successor=units[-1],
        kind="rename",
        effective_on=dt.date(2023, 1, 1),
    )
    framework = synthetic.create_framework(
        level,
        f"Bộ chỉ số cấp xã ({n})",
        synthetic.framework_nodes(14, fields=3, survey_leaves=2),
    )
    years = {}
    for number, state in ((2022, "published"), (2023, "published"), (2024, "appraisal")):
        members = [*units[:-1], ended, renamed_from] if number == 2022 else units
        year = synthetic.add_year(level, framework, members, number)
        years[number] = synthetic.score_year(year, state=state)
    officer = User.objects.create_user(f"xa{n}.canbo", password="x-Long-Pass-42")
    Membership.objects.create(user=officer, unit=units[0], role=Membership.Role.OFFICER)
    return Built(level, units, years, officer, ended, renamed_from)


def pages(built: Built, who: dict[str, User]) -> list[tuple[str, list, User]]:
    """(URL name, args, who opens it) of every page of a year and a unit."""
    y22, y23, y24 = (built.years[n].pk for n in (2022, 2023, 2024))
    unit = built.units[0].code
    level = built.level.code
    return [
        ("ranking", [y23], built.officer),
        ("ranking", [y24], who["appraiser"]),
        ("ranking_xlsx", [y23], built.officer),
        ("matrix_xlsx", [y24], who["appraiser"]),
        ("scorecard", [y23, unit], built.officer),
        ("scorecard_xlsx", [y23, unit], built.officer),
        ("history", [level], built.officer),
        ("history_xlsx", [level], built.officer),
        ("entry_field", [y24, unit, "1"], built.officer),
        ("worklist", [y24], who["appraiser"]),
        ("survey", [y24], who["interior_admin"]),
        # Pages of issue 12's other parts, counted when they exist.
        ("unit_insight", [y23, unit], built.officer),
        ("year_gaps", [y23], who["interior_admin"]),
        ("year_overclaim", [y23], who["interior_admin"]),
        ("unit_report_docx", [y23, unit], built.officer),
        ("year_report_docx", [y23], who["interior_admin"]),
        ("ranking", [y22], who["viewer"]),
    ]


def url_of(name: str, args: list) -> str:
    return reverse(name, args=args)


def open_page(user, url) -> tuple[int, bytes, object, int]:
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        body = b"".join(response) if response.streaming else response.content
    return response.status_code, body, response.context, len(queries)


def cells(body: bytes) -> list:
    book = load_workbook(io.BytesIO(body), read_only=True)
    return [value for sheet in book for row in sheet.iter_rows(values_only=True) for value in row]


@pytest.fixture
def cast(appraiser, interior_admin, viewer):
    return {"appraiser": appraiser, "interior_admin": interior_admin, "viewer": viewer}


def test_seventy_communes_work_on_every_page(cast):
    built = build_communes(70)
    names = [unit.name for unit in built.units]
    opened = []
    for name, args, user in pages(built, cast):
        url = url_of(name, args)
        status, body, context, _ = open_page(user, url)
        assert status == 200, (name, args, user.username, status)
        opened.append(name)
        if name == "ranking":
            ranking = context["ranking"]
            expected = 71 if ranking.year.year == 2022 else 70
            assert len(ranking.rows) == expected
            assert body.decode().count('data-testid="row-') == expected
        elif name == "history":
            history = context["history"]
            # 70 lines: the renamed commune continues on its new name's line; the merged
            # one ends in 2022 with its note.
            assert len(history.rows) == 71
            assert [y.year for y in history.years] == [2022, 2023]
            html = body.decode()
            assert all(unit_name in html for unit_name in names)
            assert built.units[1].name == "Xã Kỳ Nam"
            assert "Sáp nhập vào xã Kỳ Nam từ 01/01/2023" in html
            assert "trước đây: Xã Tên Cũ Của Xã Cuối" in html
        elif name in ("worklist", "survey"):
            html = body.decode()
            assert all(unit_name in html for unit_name in names), name
        elif name == "scorecard_xlsx":
            assert any(names[0] in str(value) for value in cells(body))
        elif name.endswith("_xlsx"):
            assert set(names) <= set(cells(body)), name
        elif name == "scorecard":
            assert context["card"].ranked_units == 70
        elif name == "unit_insight":
            assert context["insight"].ranked_units == 70
        elif name == "year_overclaim":
            assert len(context["rows"]) == 70
        elif name.endswith("_docx"):
            assert Document(io.BytesIO(body)).paragraphs, name
    assert set(MAIN_PAGES) <= set(opened)


def test_the_rank_change_follows_the_rename_and_the_merge_at_seventy(cast):
    from scoring.selectors import year_ranking

    built = build_communes(70)
    rows = {row.unit.code: row for row in year_ranking(built.years[2023]).rows}
    assert len(rows) == 70
    last = rows[built.units[-1].code]
    assert last.compared_with == built.renamed_from
    assert last.previous_rank is not None
    kept = rows[built.units[1].code]
    assert kept.compared_with is None and kept.previous_rank is not None  # its own 2022
    assert all(row.previous_rank is not None for row in rows.values())


MAIN_PAGES = (
    "ranking",
    "ranking_xlsx",
    "matrix_xlsx",
    "scorecard",
    "scorecard_xlsx",
    "history",
    "history_xlsx",
    "entry_field",
    "worklist",
    "survey",
    "unit_insight",
    "year_gaps",
    "year_overclaim",
    "unit_report_docx",
    "year_report_docx",
)


def test_seventy_communes_cost_the_queries_of_thirteen(cast):
    counts: dict[int, dict[tuple[int, str], int]] = {}
    for n in (13, 70):
        built = build_communes(n)
        counts[n] = {}
        # The same pages in the same order for both levels: keyed by position and name.
        for position, (name, args, user) in enumerate(pages(built, cast)):
            url = url_of(name, args)
            status, _, _, queries = open_page(user, url)
            assert status == 200, (n, name)
            counts[n][(position, name)] = queries
    assert {name for _, name in counts[13]} >= set(MAIN_PAGES)
    assert counts[70] == counts[13]
