"""The ranking page is drawn once per state of the level's results, then served from the cache.

The key carries the level's and the structure's counters, which database triggers move in the
same transaction as any change (a service, a queryset ``update``, ``bulk_create``, raw SQL):
a reader never gets a page older than the data, whatever path changed it.
"""

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from scoring import selectors
from scoring.models import (
    Adjustment,
    AdjustmentKind,
    Assessment,
    AssessmentYear,
    Band,
    LeafScore,
    ResultsVersion,
)
from scoring.selectors import results_versions
from scoring.views import pages
from units.models import Unit, UnitLevel

pytestmark = pytest.mark.django_db

VU_QUANG = "Huyện Vũ Quang"


def _page(client, year, **params) -> str:
    response = client.get(reverse("ranking", args=[year.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


def _cached_part(html: str) -> str:
    return html.split('<div class="print-landscape">', 1)[1].split("</main>", 1)[0]


@pytest.fixture
def counted(monkeypatch):
    """How many times the ranking was computed (a cache hit computes none)."""
    calls = []
    original = selectors.year_ranking

    def counting(year):
        calls.append(year.pk)
        return original(year)

    monkeypatch.setattr(pages.selectors, "year_ranking", counting)
    return calls


def test_the_second_reader_is_served_from_the_cache_with_fewer_queries(
    as_user, viewer, year_2022, counted
):
    client = as_user(viewer)
    with CaptureQueriesContext(connection) as first:
        drawn = _page(client, year_2022)
    with CaptureQueriesContext(connection) as second:
        served = _page(client, year_2022)
    assert counted == [year_2022.pk]
    # The same table and charts (the page around them, with its tokens, is drawn each time).
    assert _cached_part(served) == _cached_part(drawn)
    assert VU_QUANG in served
    # A hit: the session, the reader and their roles, the year (access), the counters, what
    # the site's frame shows (notifications): none of the ranking's own queries.
    assert len(second) == 7, [q["sql"][:60] for q in second.captured_queries]
    assert len(first) > len(second)
    assert not any("scoring_leafscore" in q["sql"] for q in second.captured_queries)


@pytest.mark.parametrize(
    "change",
    [
        "appraisal_update",
        "bulk_adjustment",
        "raw_sql",
        "unit_renamed",
        "band_changed",
        "back_to_appraisal",
    ],
)
def test_any_change_to_what_the_page_shows_draws_it_again(
    change, as_user, viewer, interior_admin, year_2022, counted
):
    """Whatever path writes (a queryset update, bulk_create, raw SQL, a model save), the next
    reader gets the new figures: never the cached page of the data before."""
    reader = interior_admin if change == "back_to_appraisal" else viewer
    client = as_user(reader)
    before = _page(client, year_2022)
    vu_quang = Unit.objects.get(name=VU_QUANG)
    assessment = year_2022.assessments.get(unit=vu_quang)
    if change == "appraisal_update":
        leaf = LeafScore.objects.filter(assessment=assessment, not_applicable=False).first()
        LeafScore.objects.filter(pk=leaf.pk).update(r2_score=Decimal(0))
    elif change == "bulk_adjustment":
        kind = AdjustmentKind.objects.filter(direction=AdjustmentKind.Direction.DEDUCTION).first()
        Adjustment.objects.bulk_create(
            [
                Adjustment(
                    assessment=assessment,
                    kind=kind,
                    direction=kind.direction,
                    points=Decimal("7.5"),
                    reason="thử",
                )
            ]
        )
    elif change == "raw_sql":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE scoring_leafscore SET r2_score = 0 WHERE assessment_id = %s",
                [assessment.pk],
            )
    elif change == "unit_renamed":
        vu_quang.name = "Huyện Vũ Quang Mới Đổi Tên"
        vu_quang.save()
    elif change == "band_changed":
        Band.objects.filter(year=year_2022).delete()
        Band.objects.create(year=year_2022, label="Xuất sắc thử", lower_bound=Decimal(0))
    elif change == "back_to_appraisal":
        AssessmentYear.objects.filter(pk=year_2022.pk).update(state=AssessmentYear.State.APPRAISAL)

    after = _page(client, year_2022)

    assert counted == [year_2022.pk, year_2022.pk]
    assert after != before
    if change == "unit_renamed":
        assert "Huyện Vũ Quang Mới Đổi Tên" in after
    if change == "band_changed":
        assert "Xuất sắc thử" in after
    if change == "back_to_appraisal":
        assert "Tạm tính" in after and "Tạm tính" not in before


def test_each_reader_gets_the_page_drawn_for_what_they_may_see(
    as_user, viewer, officer_a, interior_admin, year_2022, counted
):
    """The Interior Department's link to the over-claims and an officer's own-unit badge are
    never served to another reader from the cache."""
    staff = _page(as_user(interior_admin), year_2022)
    officer = _page(as_user(officer_a), year_2022)
    reader = _page(as_user(viewer), year_2022)
    assert len(counted) == 3
    assert 'data-testid="overclaim-link"' in staff
    assert 'data-testid="overclaim-link"' not in reader + officer
    assert 'data-testid="own-unit"' in officer
    assert 'data-testid="own-unit"' not in reader + staff


def test_a_page_in_english_is_not_served_to_a_vietnamese_reader(
    as_user, viewer, year_2022, counted
):
    client = as_user(viewer)
    vietnamese = _page(client, year_2022)
    with translation.override("en"):
        client.cookies["django_language"] = "en"
        english = _page(client, year_2022)
    assert len(counted) == 2
    assert "Hạng" in vietnamese and english != vietnamese


def test_filters_are_part_of_the_key(as_user, viewer, year_2022, counted):
    client = as_user(viewer)
    everything = _page(client, year_2022)
    unknown = _page(client, year_2022, band="không có")
    assert len(counted) == 2
    assert 'data-testid="unknown-band"' in unknown
    assert 'data-testid="unknown-band"' not in everything


def test_the_counters_move_with_the_change_and_not_with_a_rollback(year_2022):
    level = year_2022.unit_level_id
    before = results_versions(level)
    leaf = LeafScore.objects.filter(assessment__year=year_2022).first()
    try:
        with transaction.atomic():
            LeafScore.objects.filter(pk=leaf.pk).update(r1_score=Decimal(0))
            assert results_versions(level)[0] > before[0]
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert results_versions(level) == before
    Unit.objects.filter(pk=year_2022.assessments.first().unit_id).update(name="Tên mới thử")
    assert results_versions(level)[1] > before[1]


def test_one_statement_moves_the_counter_once_on_postgresql(year_2022):
    """PostgreSQL's triggers are per statement: an import of thousands of scores takes one
    step of the counter, not one a row (SQLite, for small data, steps once a row)."""
    if connection.vendor != "postgresql":
        pytest.skip("statement-level triggers are PostgreSQL's")
    scope = f"level:{year_2022.unit_level_id}"
    before = ResultsVersion.objects.get(scope=scope).version
    updated = LeafScore.objects.filter(assessment__year=year_2022).update(self_score=None)
    assert updated > 100
    assert ResultsVersion.objects.get(scope=scope).version == before + 1


def test_every_watched_table_has_its_three_triggers():
    """SQLite rebuilds a table (and drops its triggers) for most field changes: a migration
    that does so must create them again, or the cache would stop following that table."""
    from importlib import import_module

    watched = import_module("scoring.migrations.0013_results_versions").WATCHED
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, count(*) FROM pg_trigger t JOIN pg_class c "
                "ON c.oid = t.tgrelid WHERE t.tgname LIKE 'cchc_rv_%%' GROUP BY c.relname"
            )
        else:
            cursor.execute(
                "SELECT tbl_name, count(*) FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'cchc_rv_%' GROUP BY tbl_name"
            )
        found = dict(cursor.fetchall())
    assert found == {table: 3 for table, _, _ in watched}


def test_a_row_moved_to_another_level_moves_both_levels_counters(year_2022):
    other = UnitLevel.objects.create(code="khac", name="Cấp khác")
    other_year = AssessmentYear.objects.create(
        unit_level=other, year=2022, framework=year_2022.framework
    )
    before = results_versions(year_2022.unit_level_id)[0], results_versions(other.pk)[0]
    assessment = year_2022.assessments.first()
    Assessment.objects.filter(pk=assessment.pk).update(year=other_year)
    after = results_versions(year_2022.unit_level_id)[0], results_versions(other.pk)[0]
    assert after[0] > before[0] and after[1] > before[1]
