"""PostgreSQL reads one level's year through indexes, never by scanning every leaf score.

A national deployment holds millions of leaf scores (3,300 communes × 150 leaves × several
years); one province's ranking or one unit's page must cost what its own rows cost. The test
builds a table where one year is a small share of the scores, lets PostgreSQL gather its
statistics, and reads the plans of the queries those pages send.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scoring import services
from scoring.models import AssessmentYear, LeafScore
from scoring.selectors import worklist, year_ranking
from units.models import Unit, UnitLevel
from units.roles import SYSTEM_ADMIN

pytestmark = pytest.mark.django_db

YEARS, UNITS, LEAVES = 20, 60, 50


@pytest.fixture
def many_years():
    if connection.vendor != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    level = UnitLevel.objects.create(code="plans", name="Nhiều năm")
    units = Unit.objects.bulk_create(
        Unit(level=level, code=f"p{i}", name=f"Xã Kế Hoạch {i:02}", kind="xa") for i in range(UNITS)
    )
    specs = [services.NodeSpec("1", "Lĩnh vực", Decimal(LEAVES))] + [
        services.NodeSpec(f"1.{i}", f"Tiêu chí {i}", Decimal(1), "manual")
        for i in range(1, LEAVES + 1)
    ]
    framework = services.create_framework(
        roles=SYSTEM_ADMIN, name="Kế hoạch", unit_level=level, nodes=specs, max_points=LEAVES
    )
    leaves = list(framework.nodes.exclude(rule=""))
    years = []
    for number in range(2001, 2001 + YEARS):
        year = services.create_year(
            roles=SYSTEM_ADMIN, year=number, unit_level=level, framework=framework, units=units
        )
        LeafScore.objects.bulk_create(
            LeafScore(assessment=a, node=leaf, r1_score=Decimal(i % 2))
            for a in year.assessments.all()
            for i, leaf in enumerate(leaves)
        )
        years.append(year)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE scoring_leafscore")
        cursor.execute("ANALYZE scoring_assessment")
        cursor.execute("ANALYZE scoring_frameworknode")
    return years


def _plan(sql: str, params) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_one_years_ranking_reads_its_scores_through_an_index(many_years):
    year = AssessmentYear.objects.select_related("framework").get(pk=many_years[-1].pk)
    with CaptureQueriesContext(connection) as queries:
        year_ranking(year)
    # The aggregate exactly as the ranking sent it.
    aggregate = next(q["sql"] for q in queries.captured_queries if "scoring_leafscore" in q["sql"])
    plan = _plan(aggregate, ())
    assert LeafScore.objects.count() >= YEARS * UNITS * LEAVES
    assert "Seq Scan on scoring_leafscore" not in plan, plan
    assert "scoring_leafscore" in plan


def test_one_units_scores_are_read_through_an_index(many_years):
    assessment = many_years[-1].assessments.first()
    sql, params = (
        LeafScore.objects.filter(assessment=assessment)
        .values_list("node_id", "r1_score")
        .query.sql_with_params()
    )
    plan = _plan(sql, params)
    assert "Seq Scan on scoring_leafscore" not in plan, plan


def test_the_appraisal_work_list_reads_one_years_scores_through_an_index(many_years):
    year = AssessmentYear.objects.get(pk=many_years[-1].pk)
    with CaptureQueriesContext(connection) as queries:
        worklist(year)
    counts = next(q["sql"] for q in queries.captured_queries if "scoring_leafscore" in q["sql"])
    plan = _plan(counts, ())
    assert "Seq Scan on scoring_leafscore" not in plan, plan
