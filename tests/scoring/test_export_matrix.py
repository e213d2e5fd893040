"""The score matrix: every unit's final score on every leaf, in the layout the matrix importer
reads back (a contract), under the ranking's access rule, streamed."""

import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from scoring import selectors
from scoring.exporters import MatrixExporter
from scoring.models import Assessment, AssessmentYear
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
    monkeypatch.setattr("scoring.selectors.results.CHUNK_SIZE", 7)
    assert rows(matrix(year_2023)["Ma trận điểm"]) == whole


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
