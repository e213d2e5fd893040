"""The score matrix: every unit's final score on every leaf, in the layout the matrix importer
reads back (a contract), under the ranking's access rule, streamed."""

import io
from decimal import Decimal as D

import pytest
from django.db import connection
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from scoring import selectors
from scoring.bench.matrix import _figures
from scoring.demo.synthetic import build_level
from scoring.exporters import MatrixExporter
from scoring.models import Assessment, AssessmentYear, LeafScore
from scoring.selectors.matrix import (
    NOT_APPLICABLE,
    _gathered_rows,
    _scattered_rows,
    score_matrix_rows,
)
from scoring.services import LeafRecord, NodeSpec, create_framework, create_year, import_results
from units.collation import VietnameseOrder
from units.models import Unit, UnitLevel
from units.roles import SYSTEM_ADMIN

from .export_helpers import rows, workbook

pytestmark = pytest.mark.django_db

TOTALS = ["Thưởng", "Trừ", "Tổng điểm", "Điểm tối đa áp dụng", "Chỉ số (%)", "Hạng"]


def matrix(year):
    return load_workbook(io.BytesIO(MatrixExporter(year=year).render().content))


def by_code(values):
    """Data rows by unit code, each as {header: value}."""
    header = values[2]
    return {row[0]: dict(zip(header, row, strict=True)) for row in values[3:]}


def test_the_published_matrix_downloads_for_every_signed_in_user(as_user, viewer, year_2022):
    response = as_user(viewer).get(reverse("matrix_xlsx", args=[year_2022.pk]))
    assert response.status_code == 200
    assert 'filename="ma-tran-diem-2022-cap-huyen.xlsx"' in response["Content-Disposition"]
    book = workbook(response)
    assert book.sheetnames == ["Ma trận điểm", "Tiêu chí"]
    values = rows(book["Ma trận điểm"])
    assert values[0][0] == "Chỉ số cải cách hành chính năm 2022 · Cấp huyện · tỉnh Hà Tĩnh"
    assert values[1][0] == "Công bố ngày 10/02/2023"
    assert len(values) == 3 + 13


@pytest.mark.parametrize("who", ["viewer", "officer_a", "leader_a", "officer_b"])
def test_an_unpublished_matrix_does_not_exist_outside_the_interior_department(
    as_user, request, year_2023, who
):
    url = reverse("matrix_xlsx", args=[year_2023.pk])
    assert as_user(request.getfixturevalue(who)).get(url).status_code == 404


def test_the_interior_department_downloads_the_provisional_matrix(as_user, appraiser, year_2023):
    response = as_user(appraiser).get(reverse("matrix_xlsx", args=[year_2023.pk]))
    assert rows(workbook(response)["Ma trận điểm"])[1][0] == "Tạm tính, chưa công bố"


def test_anonymous_is_sent_to_login(client, year_2022):
    assert client.get(reverse("matrix_xlsx", args=[year_2022.pk])).status_code == 302


def test_the_header_is_the_contract(year_2022):
    header = rows(matrix(year_2022)["Ma trận điểm"])[2]
    tree = selectors.framework_tree(year_2022.framework_id)
    expected = ["Mã đơn vị", "Đơn vị"]
    for top in (n for n in tree.nodes if n.parent_code is None):
        below = [leaf.code for leaf in tree.leaves if leaf.code.startswith(top.code + ".")]
        expected += [*below, f"Cộng {top.code}"]
    assert header == expected + TOTALS
    # The demo framework: 9 fields and the survey, 45 leaves.
    field_1 = ["1.1.1", "1.1.2", "1.2.1", "1.3.1", "1.3.2", "1.4.1", "1.4.2", "1.5.1"]
    assert header[2:11] == [*field_1, "Cộng 1"]
    assert header[-9:-6] == ["10.1", "10.2", "Cộng 10"]
    assert len(header) == 2 + 45 + 10 + 6


def test_rows_are_units_by_name_with_the_rankings_totals(year_2022):
    sheet = matrix(year_2022)["Ma trận điểm"]
    values = rows(sheet)
    names = list(
        Unit.objects.filter(level__code="cap-huyen")
        .order_by(VietnameseOrder("name"))
        .values_list("name", flat=True)
    )
    assert [row[1] for row in values[3:]] == names
    cells = by_code(values)
    ranking = selectors.year_ranking(year_2022)
    assert len(ranking.rows) == 13
    for ranked in ranking.rows:
        row, total = cells[ranked.unit.code], ranked.total
        assert row["Tổng điểm"] == pytest.approx(float(total.points))
        assert row["Chỉ số (%)"] == pytest.approx(float(total.shown_index))
        assert row["Thưởng"] == pytest.approx(float(total.bonus))
        assert row["Trừ"] == pytest.approx(float(total.deductions))
        assert row["Điểm tối đa áp dụng"] == pytest.approx(float(total.applicable_max))
        assert row["Hạng"] == ranked.rank
        for field, points in zip(ranking.fields, ranked.field_points, strict=True):
            assert row[f"Cộng {field.code}"] == pytest.approx(float(points))
    vu_quang = cells["vu-quang"]
    assert (vu_quang["Tổng điểm"], vu_quang["Trừ"], vu_quang["Hạng"]) == (89.30, 0.5, 12)
    assert (vu_quang["1.5.1"], vu_quang["4.1.2"], vu_quang["9.1.1"]) == (0, 0, 0)
    assert (vu_quang["10.1"], vu_quang["10.2"], vu_quang["Cộng 10"]) == (9.85, 9.95, 19.80)
    first_leaf = sheet.cell(row=4, column=3)
    assert first_leaf.number_format == "0.00"
    assert sheet.freeze_panes == "C4"


def test_each_subtotal_is_the_sum_of_its_leaf_cells(year_2022, year_2023):
    for year in (year_2022, year_2023):
        values = rows(matrix(year)["Ma trận điểm"])
        header = values[2]
        for row in values[3:]:
            leaves = []
            for title, value in zip(header[2:-6], row[2:-6], strict=True):
                if title.startswith("Cộng"):
                    numbers = [v for v in leaves if isinstance(v, int | float)]
                    assert value == (pytest.approx(sum(numbers)) if numbers else None)
                    leaves = []
                else:
                    leaves.append(value)


def test_not_applicable_is_kad_and_unscored_is_empty(year_2023):
    cells = by_code(rows(matrix(year_2023)["Ma trận điểm"]))
    # Thành phố Hà Tĩnh has no petitions to handle in 2023: 3.3.1 leaves its maximum.
    tp = cells["tp-ha-tinh"]
    assert tp["3.3.1"] == "KAD"
    assert tp["Cộng 3"] == pytest.approx(13.5 - 2.5 - 0.5)
    assert tp["Điểm tối đa áp dụng"] == 97.5
    # Vũ Quang's field 1 awaits round 1: empty cells, no subtotal, no rank yet.
    vu_quang = cells["vu-quang"]
    assert [vu_quang[c] for c in ("1.1.1", "1.5.1", "Cộng 1", "Hạng")] == [None] * 4
    assert vu_quang["Cộng 2"] == 6.5


def test_the_legend_lists_every_node_with_its_field(year_2022):
    legend = rows(matrix(year_2022)["Tiêu chí"])
    assert legend[0] == ["Mã", "Nội dung", "Điểm tối đa", "Lĩnh vực"]
    by_node = {row[0]: row for row in legend[1:]}
    assert len(by_node) == len(selectors.framework_tree(year_2022.framework_id).nodes)
    assert by_node["1"] == ["1", "Công tác chỉ đạo, điều hành cải cách hành chính", 10, "1"]
    assert by_node["4.1.2"][2:] == [2, "4"]
    assert by_node["10.2"][3] == "10"


def test_a_top_level_leaf_has_no_subtotal_and_a_unit_without_scores_has_a_row(db):
    level = UnitLevel.objects.create(code="cap-thu", name="Cấp thử")
    units = [
        Unit.objects.create(level=level, code=f"thu-{n}", name=f"Đơn vị {n}", kind="xa")
        for n in "ABC"
    ]
    nodes = [
        NodeSpec("1", "Lĩnh vực 1", D("6")),
        NodeSpec("1.1", "Một", D("2"), rule="manual"),
        NodeSpec("1.2", "Hai", D("4"), rule="manual"),
        NodeSpec("2", "Một lĩnh vực chấm trực tiếp", D("4"), rule="manual", allows_na=True),
    ]
    framework = create_framework(
        roles=SYSTEM_ADMIN, name="Bộ thử", unit_level=level, nodes=nodes, max_points=D(10)
    )
    year = create_year(
        roles=SYSTEM_ADMIN, year=2030, unit_level=level, framework=framework, units=units
    )
    assessments = {a.unit.code: a for a in Assessment.objects.filter(year=year)}
    import_results(
        roles=SYSTEM_ADMIN,
        assessment=assessments["thu-A"],
        leaves=[
            LeafRecord("1.1", r1_score=D("1.5")),
            LeafRecord("1.2", r1_score=D("4")),
            LeafRecord("2", not_applicable=True, na_reason="Không phát sinh"),
        ],
    )
    import_results(
        roles=SYSTEM_ADMIN,
        assessment=assessments["thu-C"],
        leaves=[LeafRecord("1.1", r1_score=D("2")), LeafRecord("2", r1_score=D("3.25"))],
    )
    year = AssessmentYear.objects.select_related("unit_level", "framework").get(pk=year.pk)
    values = rows(matrix(year)["Ma trận điểm"])
    assert values[2] == ["Mã đơn vị", "Đơn vị", "1.1", "1.2", "Cộng 1", "2", *TOTALS]
    assert values[3:] == [
        ["thu-A", "Đơn vị A", 1.5, 4, 5.5, "KAD", 0, 0, 5.5, 6, pytest.approx(91.67), 1],
        # Nothing scored: no totals (0 / 10 would be a result; this is a blank to fill).
        ["thu-B", "Đơn vị B", None, None, None, None, None, None, None, None, None, None],
        ["thu-C", "Đơn vị C", 2, None, 2, 3.25, 0, 0, 5.25, 10, 52.5, None],
    ]


def test_small_chunks_give_the_same_matrix(year_2023, monkeypatch):
    """Leaf scores come in chunks; a unit's leaves split across two chunks stay one row."""
    whole = rows(matrix(year_2023)["Ma trận điểm"])
    monkeypatch.setattr("scoring.selectors.matrix.CHUNK_SIZE", 7)
    assert rows(matrix(year_2023)["Ma trận điểm"]) == whole


def cells_of(sheet):
    """Every cell as (value, type, number format, bold): what the reader sees."""
    return [
        [(c.value, c.data_type, c.number_format, c.font.b) for c in row]
        for row in sheet.iter_rows()
    ]


def test_the_fast_rows_write_the_workbook_the_plain_way_would(year_2023, monkeypatch):
    """Rows skip ``SheetWriter.append`` for speed; the cells come out the same: numbers shown
    with 2 places, the rank a plain number, text as text, the title and header bold."""
    Unit.objects.filter(code="vu-quang").update(name="=SUM(A1:A9)")
    fast = matrix(year_2023)["Ma trận điểm"]
    monkeypatch.setattr("scoring.exporters.matrix.FAST_ROWS", False)
    plain = matrix(year_2023)["Ma trận điểm"]
    assert cells_of(fast) == cells_of(plain)
    header = [c.value for c in fast[3]]
    row = next(r for r in fast.iter_rows(min_row=4) if r[0].value == "tp-ha-tinh")
    by_title = dict(zip(header, row, strict=True))
    assert by_title["1.1.1"].number_format == "0.00"
    assert by_title["Cộng 1"].number_format == "0.00"
    assert by_title["Tổng điểm"].number_format == "0.00"
    assert (by_title["3.3.1"].value, by_title["3.3.1"].data_type) == ("KAD", "s")
    assert (by_title["Hạng"].data_type, by_title["Hạng"].number_format) == ("n", "General")
    assert fast["A3"].font.b and not by_title["1.1.1"].font.b
    named = next(r for r in fast.iter_rows(min_row=4) if r[0].value == "vu-quang")[1]
    assert (named.value, named.data_type, named.quotePrefix) == ("=SUM(A1:A9)", "s", True)


@pytest.mark.parametrize("n_units", [13, 130])
def test_the_export_reads_the_leaf_scores_once(django_assert_num_queries, n_units):
    _, year = build_level(n_units)
    year = AssessmentYear.objects.select_related("unit_level", "framework").get(pk=year.pk)
    # The tree; the assessments with their units, the adjustment sums, the totals summed by
    # the database; the leaf scores (once, in no order on SQLite, gathered per unit on
    # PostgreSQL).
    with django_assert_num_queries(5):
        book = load_workbook(io.BytesIO(MatrixExporter(year=year).render().content))
    assert len(rows(book["Ma trận điểm"])) == 3 + n_units


def test_both_ways_of_reading_the_scores_give_the_same_rows(year_2022, year_2023):
    """PostgreSQL gathers each unit's scores in the database, other databases scatter them
    into rows in Python: same rows, for every leaf or a few (scores of other leaves left out),
    with units unscored (Vũ Quang's field 1 in 2023) and leaves not applicable."""
    if connection.vendor != "postgresql":
        pytest.skip("the gathering needs PostgreSQL's arrays")
    seen = set()
    for year in (year_2022, year_2023):
        tree = selectors.framework_tree(year.framework_id)
        for leaves in (tree.leaves, tree.leaves[::-1][:5]):
            results = selectors.year_results(year, tree, keep=[])
            column_of = {leaf.id: n for n, leaf in enumerate(leaves)}
            scores = LeafScore.objects.filter(assessment__year=year).annotate(
                final=Coalesce("r2_score", "r1_score")
            )
            gathered, scattered = (
                [
                    (row.unit.code, [float(v) if isinstance(v, D) else v for v in row.leaves])
                    for row in read_rows
                ]
                for read_rows in (
                    _gathered_rows(year, results, column_of),
                    _scattered_rows(results, scores, column_of),
                )
            )
            assert gathered == scattered
            assert len(gathered) == 13
            seen.update(type(v) for _code, values in gathered for v in values)
    # Every kind of cell went through both: scores, N/A and unscored leaves.
    assert seen == {float, type(NOT_APPLICABLE), type(None)}


def test_not_applicable_and_unscored_leaves_are_told_apart(year_2023):
    tree = selectors.framework_tree(year_2023.framework_id)
    rows_by_code = {row.unit.code: row for row in score_matrix_rows(year_2023, tree)}
    column = {leaf.code: n for n, leaf in enumerate(tree.leaves)}
    assert rows_by_code["tp-ha-tinh"].leaves[column["3.3.1"]] is NOT_APPLICABLE
    assert rows_by_code["vu-quang"].leaves[column["1.1.1"]] is None
    assert rows_by_code["vu-quang"].leaves[column["2.1.1"]] is not None


def test_a_year_without_units_gives_the_header_alone(db):
    level = UnitLevel.objects.create(code="cap-rong", name="Cấp rỗng")
    framework = create_framework(
        roles=SYSTEM_ADMIN,
        name="Bộ rỗng",
        unit_level=level,
        nodes=[NodeSpec("1", "Một", D("10"), rule="manual")],
        max_points=D(10),
    )
    year = create_year(
        roles=SYSTEM_ADMIN, year=2031, unit_level=level, framework=framework, units=[]
    )
    year = AssessmentYear.objects.select_related("unit_level", "framework").get(pk=year.pk)
    values = rows(matrix(year)["Ma trận điểm"])
    assert values[2] == ["Mã đơn vị", "Đơn vị", "1", *TOTALS]
    assert len(values) == 3


def test_the_bench_says_pass_or_fail_against_the_targets():
    measured = {"units": 3000, "leaves": 150, "rows": 3000, "queries": 5}
    good = _figures({**measured, "export_s": 4.0, "loop_s": 3.0, "peak_mb": 120.0})
    assert [f.verdict for f in good] == ["PASS", "PASS", ""]
    assert good[0].name == "Score matrix 3,000 × 150: rows/s"
    assert good[0].value == "750 (bare openpyxl loop 1,000: 75%)"
    bad = _figures({**measured, "export_s": 5.0, "loop_s": 3.0, "peak_mb": 151.0})
    assert [f.verdict for f in bad] == ["FAIL", "FAIL", ""]


def test_text_that_looks_like_a_formula_stays_text(year_2022):
    Unit.objects.filter(code="vu-quang").update(name="=SUM(A1:A9)")
    sheet = matrix(year_2022)["Ma trận điểm"]
    cell = next(row[1] for row in sheet.iter_rows(min_row=4) if row[0].value == "vu-quang")
    assert (cell.value, cell.data_type) == ("=SUM(A1:A9)", "s")


def test_headers_and_sheet_names_follow_the_language(year_2022):
    with translation.override("en"):
        book = matrix(year_2022)
        names = [_("Ma trận điểm"), _("Tiêu chí")]
        first = [_("Mã đơn vị"), _("Đơn vị")]
    assert book.sheetnames == names
    assert names[1] != "Tiêu chí"  # translated by the catalog already
    header = rows(book[names[0]])[2]
    assert header[:2] == first == [first[0], "Unit"]
    assert header[-6:] == [
        "Bonus",
        "Deductions",
        "Total score",
        "Applicable maximum",
        "Index (%)",
        "Rank",
    ]
    assert rows(book[names[0]])[1][0] == "Published on 10/02/2023"


def test_the_ranking_page_offers_the_matrix_and_the_history(as_user, viewer, year_2022):
    html = as_user(viewer).get(reverse("ranking", args=[year_2022.pk])).content.decode()
    assert reverse("matrix_xlsx", args=[year_2022.pk]) in html
    assert reverse("history", args=["cap-huyen"]) in html
