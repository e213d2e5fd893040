"""Results of years before the app was used (issue 5): a score matrix per leaf (the shape the
matrix export writes) or per field, imported into a year being prepared, which is then
published with a ranking the app computes itself."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from scoring import calculations
from scoring.exporters import MatrixExporter
from scoring.importers import ImportFailed
from scoring.importers.results import ResultsImporter
from scoring.models import (
    Adjustment,
    Assessment,
    AssessmentYear,
    FieldAssignment,
    Framework,
    FrameworkNode,
    LeafScore,
)
from scoring.selectors import year_ranking
from scoring.selectors.results import framework_tree, year_results
from scoring.services import clone_framework, create_year
from scoring.services.history import HistoricalResult, import_historical_year
from tests.scoring import export_helpers
from units.models import Unit
from units.roles import SYSTEM_ADMIN, Roles

pytestmark = pytest.mark.django_db

D = Decimal
SHEET = "Ma trận điểm"
TAIL = ["Thưởng", "Trừ", "Tổng điểm", "Điểm tối đa áp dụng", "Chỉ số (%)", "Hạng"]


# --- building workbooks -----------------------------------------------------------------------


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def matrix(year, *, shape="leaf", edit=None) -> dict:
    """A year's results as the matrix contract lays them out: title rows, one header row, a
    row per unit; ``edit(header, rows)`` changes them before they are written."""
    tree = framework_tree(year.framework_id)
    tops = [n for n in tree.nodes if n.parent_code is None]
    results = year_results(year, tree)
    finals = {
        (a, n): (calculations.final_score(r1, r2), na)
        for a, n, r1, r2, na in LeafScore.objects.filter(assessment__year=year).values_list(
            "assessment_id", "node__code", "r1_score", "r2_score", "not_applicable"
        )
    }
    header = ["Mã đơn vị", "Đơn vị"]
    for top in tops:
        if shape == "leaf":
            header += [
                leaf.code
                for leaf in tree.leaves
                if leaf.code == top.code or leaf.code.startswith(top.code + ".")
            ]
            header.append(f"Cộng {top.code}")
        else:
            header.append(top.code)
    header += TAIL
    rows = []
    for r in sorted(results, key=lambda r: r.rank):
        row = [r.unit.code, r.unit.name]
        for code in header[2 : -len(TAIL)]:
            if code.startswith("Cộng"):
                row.append(float(r.node_totals[code.split()[1]].points))
            elif shape == "field":
                row.append(float(r.node_totals[code].points))
            else:
                score, na = finals[(r.assessment_id, code)]
                row.append("KAD" if na else (None if score is None else float(score)))
        total = r.total
        row += [
            float(total.bonus) or None,
            float(total.deductions) or None,
            float(total.points),
            float(total.applicable_max),
            float(total.shown_index),
            r.rank,
        ]
        rows.append(row)
    if edit:
        edit(header, rows)
    title = [f"Ma trận điểm năm {year.year}"], ["Công bố"]
    legend = [["Mã", "Tiêu chí", "Điểm tối đa"]] + [
        [n.code, n.title, float(n.max_points)] for n in tree.nodes
    ]
    return {SHEET: [*title, header, *rows], "Tiêu chí": legend}


def cell(header, rows, unit_code, column, value):
    row = next(r for r in rows if r[0] == unit_code)
    row[header.index(column)] = value


@pytest.fixture
def year_2021(year_2022):
    """A past year being prepared: a copy of 2022's framework, its units, caps and ties."""
    framework = clone_framework(
        roles=SYSTEM_ADMIN, framework=year_2022.framework, name="Bộ chỉ số 2021"
    )
    return create_year(
        roles=SYSTEM_ADMIN,
        year=2021,
        unit_level=year_2022.unit_level,
        framework=framework,
        units=[a.unit for a in year_2022.assessments.select_related("unit")],
        tie_policy=year_2022.tie_policy,
        bonus_max=year_2022.bonus_max,
        deduction_max=year_2022.deduction_max,
    )


def importer(year):
    return ResultsImporter(year=year, roles=SYSTEM_ADMIN)


def run(year, content):
    worker = importer(year)
    plan = worker.read(content)
    done = worker.apply(plan)
    return plan, done


def ranking_by_code(year):
    year = AssessmentYear.objects.select_related("framework", "unit_level").get(pk=year.pk)
    return {row.unit.code: row for row in year_ranking(year).rows}


def problems_of(year, content) -> list:
    with pytest.raises(ImportFailed) as failed:
        importer(year).read(content)
    return failed.value.problems


def assert_nothing_written(year, framework_id=None):
    year.refresh_from_db()
    assert year.state == AssessmentYear.State.PREPARING
    assert year.published_at is None
    assert not LeafScore.objects.filter(assessment__year=year).exists()
    assert not Adjustment.objects.filter(assessment__year=year).exists()
    assert year.assessments.count() == 13
    if framework_id is not None:
        assert year.framework_id == framework_id


# --- per leaf: the matrix export's shape ------------------------------------------------------


def test_2022_matrix_imported_as_2021_ranks_exactly_as_2022(year_2021, year_2022):
    plan, done = run(year_2021, xlsx(matrix(year_2022)))
    assert "13 đơn vị" in plan.summary
    assert "kỳ đánh giá sẽ được công bố" in plan.summary
    vu_quang = [c for c in plan.changes if c.subject == "Huyện Vũ Quang"]
    assert "89,30" in vu_quang[0].new and "hạng 12/13" in vu_quang[0].new
    assert "2021" in done

    year_2021.refresh_from_db()
    assert year_2021.state == AssessmentYear.State.PUBLISHED
    assert year_2021.published_at is None  # published by the province, not on the import day
    before, after = ranking_by_code(year_2022), ranking_by_code(year_2021)
    assert {c: (r.total.points, r.rank) for c, r in after.items()} == {
        c: (r.total.points, r.rank) for c, r in before.items()
    }
    assert after["vu-quang"].total.points == D("89.30")
    assert after["vu-quang"].rank == 12
    # Written as round 1, the deduction as an open ledger entry with where it came from.
    leaf = LeafScore.objects.get(
        assessment__year=year_2021, assessment__unit__code="vu-quang", node__code="1.5.1"
    )
    assert (leaf.r1_score, leaf.r2_score, leaf.self_score) == (D("0"), None, None)
    entry = Adjustment.objects.get(assessment__year=year_2021, assessment__unit__code="vu-quang")
    assert (entry.kind.code, entry.points) == ("other-deduction", D("0.50"))
    assert entry.reason == "Nhập từ kết quả năm 2021"
    # 2022 now has a previous year: every unit kept its rank.
    again = ranking_by_code(year_2022)
    assert again["vu-quang"].previous_rank == 12
    assert {row.rank_change for row in again.values()} == {0}


def test_next_years_rank_change_counts_from_the_imported_year(year_2021, year_2022):
    def swap(header, rows):
        # In 2021 Vũ Quang had TP Hà Tĩnh's results and the other way round.
        first = next(r for r in rows if r[0] == "tp-ha-tinh")
        vq = next(r for r in rows if r[0] == "vu-quang")
        first[:2], vq[:2] = vq[:2], first[:2]

    run(year_2021, xlsx(matrix(year_2022, edit=swap)))
    assert ranking_by_code(year_2021)["vu-quang"].rank == 1
    ranking = ranking_by_code(year_2022)
    assert ranking["vu-quang"].rank_change == 1 - 12  # fell 11 places since 2021
    assert ranking["tp-ha-tinh"].rank_change == 12 - 1


def test_totals_and_ranks_are_the_apps_even_when_the_file_says_otherwise(year_2021, year_2022):
    def lie(header, rows):
        cell(header, rows, "vu-quang", "Tổng điểm", 100)
        cell(header, rows, "vu-quang", "Chỉ số (%)", 100)
        cell(header, rows, "vu-quang", "Hạng", 1)
        cell(header, rows, "vu-quang", "Cộng 1", 10)

    plan, _done = run(year_2021, xlsx(matrix(year_2022, edit=lie)))
    warned = [c for c in plan.changes if c.what == "Tổng điểm ghi trong tệp (không dùng)"]
    assert [(c.subject, c.old, c.new) for c in warned] == [("Huyện Vũ Quang", "100,00", "89,30")]
    row = ranking_by_code(year_2021)["vu-quang"]
    assert (row.total.points, row.rank) == (D("89.30"), 12)


def test_people_s_own_sheet_without_codes_matches_units_by_name(year_2021, year_2022):
    def own_names(header, rows):
        header[0] = "STT"
        for number, row in enumerate(rows, start=1):
            row[0] = number
        next(r for r in rows if r[1] == "Huyện Vũ Quang")[1] = "  HUYỆN  vũ quang "
        next(r for r in rows if r[1] == "Huyện Đức Thọ")[1] = "Duc Tho"
        next(r for r in rows if r[1] == "Thị xã Hồng Lĩnh")[1] = "Hồng Lĩnh"

    content = {"Kết quả 2021": matrix(year_2022, edit=own_names)[SHEET]}  # one sheet, any title
    run(year_2021, xlsx(content))
    ranking = ranking_by_code(year_2021)
    assert ranking["vu-quang"].total.points == D("89.30")
    assert ranking["duc-tho"].total.points == D("91.34")
    assert ranking["tx-hong-linh"].total.points == D("92.48")


def test_a_short_name_two_units_share_is_not_guessed(year_2021, year_2022):
    def short(header, rows):
        for row in rows:
            row[0] = None
        next(r for r in rows if r[1] == "Huyện Kỳ Anh")[1] = "Kỳ Anh"

    (problem,) = problems_of(year_2021, xlsx(matrix(year_2022, edit=short)))
    assert problem.message == (
        "“Kỳ Anh” có thể là nhiều đơn vị (Huyện Kỳ Anh, Thị xã Kỳ Anh); hãy ghi đủ tên"
    )
    assert (problem.row, problem.column) == (16, "B (Đơn vị)")
    assert_nothing_written(year_2021)


def test_not_applicable_is_kad_where_the_framework_allows_it(year_2021, year_2022):
    def na(header, rows):
        cell(header, rows, "vu-quang", "2.2.2", "KAD")
        cell(header, rows, "duc-tho", "2.2.2", "không áp dụng")
        cell(header, rows, "vu-quang", "Điểm tối đa áp dụng", 99)
        cell(header, rows, "duc-tho", "Điểm tối đa áp dụng", None)  # blank: not checked

    run(year_2021, xlsx(matrix(year_2022, edit=na)))
    leaf = LeafScore.objects.get(
        assessment__year=year_2021, assessment__unit__code="vu-quang", node__code="2.2.2"
    )
    assert leaf.not_applicable and leaf.r1_score is None
    assert leaf.na_reason == "Không áp dụng (theo kết quả năm 2021)"
    row = ranking_by_code(year_2021)["vu-quang"]
    assert row.total.applicable_max == D("99")
    assert row.total.points == D("88.30")


def test_an_applicable_maximum_other_than_the_apps_is_refused(year_2021, year_2022):
    def na(header, rows):
        cell(header, rows, "vu-quang", "2.2.2", "KAD")  # its maximum left at 100

    (problem,) = problems_of(year_2021, xlsx(matrix(year_2022, edit=na)))
    assert (problem.sheet, problem.row) == (SHEET, 15)
    assert problem.column == header_letter(year_2022, "Điểm tối đa áp dụng")
    assert problem.message == "điểm tối đa áp dụng trong tệp là 100, phần mềm tính được 99"
    assert_nothing_written(year_2021)


# --- per field --------------------------------------------------------------------------------


def test_per_field_results_flatten_the_framework_and_keep_the_caps(year_2021, year_2022):
    kept = ["tp-ha-tinh", "vu-quang", "duc-tho"]

    def three_units(header, rows):
        rows[:] = [r for r in rows if r[0] in kept]
        cell(header, rows, "tp-ha-tinh", "Thưởng", 7)  # above the year's cap of 5
        cell(header, rows, "duc-tho", "Trừ", "1,5")

    old_framework = year_2021.framework_id
    FieldAssignment.objects.create(
        year=year_2021,
        field=year_2021.framework.nodes.get(code="3"),
        appraiser=User.objects.get(username="snv.thamdinh"),
    )
    content = xlsx(matrix(year_2022, shape="field", edit=three_units))
    plan = importer(year_2021).read(content)
    assert "3 đơn vị, điểm theo lĩnh vực (10 cột)" in plan.summary
    assert "10 đơn vị không có trong tệp sẽ bị bỏ khỏi kỳ đánh giá" in plan.summary
    assert any(c.what == "Bộ chỉ số của năm" for c in plan.changes)
    assert FrameworkNode.objects.filter(framework_id=old_framework).count() > 10  # read only
    importer(year_2021).apply(plan)

    year_2021.refresh_from_db()
    assert year_2021.state == AssessmentYear.State.PUBLISHED
    assert not Framework.objects.filter(pk=old_framework).exists()  # no other year used it
    nodes = {n.code: n for n in year_2021.framework.nodes.all()}
    assert sorted(nodes, key=int) == [str(n) for n in range(1, 11)]
    assert all(n.is_leaf and n.parent_id is None for n in nodes.values())
    assert (nodes["1"].rule, nodes["1"].max_points) == ("manual", D("10"))
    assert nodes["1"].title == "Công tác chỉ đạo, điều hành cải cách hành chính"
    assert (nodes["10"].rule, nodes["10"].filled_by) == ("survey", "interior")
    assert FieldAssignment.objects.get(year=year_2021).field == nodes["3"]  # follows its code

    before, after = ranking_by_code(year_2022), ranking_by_code(year_2021)
    assert sorted(after) == sorted(kept)
    assert year_2021.assessments.count() == 3
    # Field points plus survey; the bonus clamped to the cap of 5.
    assert after["tp-ha-tinh"].total.points == before["tp-ha-tinh"].total.leaf_points + 5
    assert after["vu-quang"].total.points == D("89.30")
    assert after["duc-tho"].total.points == before["duc-tho"].total.points - D("1.5")
    assert after["duc-tho"].field_points == before["duc-tho"].field_points
    assert [row.rank for row in sorted(after.values(), key=lambda r: r.rank)] == [1, 2, 3]


def test_flattening_leaves_a_framework_another_year_uses(year_2022):
    shared = year_2022.framework
    year = create_year(
        roles=SYSTEM_ADMIN,
        year=2021,
        unit_level=year_2022.unit_level,
        framework=shared,
        units=[a.unit for a in year_2022.assessments.select_related("unit")],
    )
    run(year, xlsx(matrix(year_2022, shape="field")))
    year.refresh_from_db()
    assert year.framework_id != shared.pk
    assert Framework.objects.filter(pk=shared.pk).exists()
    assert ranking_by_code(year_2022)["vu-quang"].total.points == D("89.30")


def test_service_with_field_points_directly(year_2021):
    units = list(Unit.objects.filter(code__in=["vu-quang", "duc-tho"]).order_by("code"))
    tops = year_2021.framework.nodes.filter(parent=None)
    full = {n.code: n.max_points for n in tops}
    import_historical_year(
        roles=SYSTEM_ADMIN,
        year=year_2021,
        results=[
            HistoricalResult(unit=units[0], scores=full, bonus=D("1")),
            HistoricalResult(unit=units[1], scores={**full, "1": D("9")}, deductions=D("12")),
        ],
        flatten=True,
    )
    ranking = ranking_by_code(year_2021)
    assert ranking["duc-tho"].total.points == D("100") + D("1")
    assert ranking["vu-quang"].total.points == D("99") - D("10")  # deductions capped at 10


def test_per_field_results_of_a_unit_with_leaves_not_applicable_are_refused(year_2021, year_2022):
    """Field points cannot say that a leaf did not apply to a unit: flattened, the unit would
    be indexed over 100 instead of its published 99, silently."""

    def published_over_99(header, rows):
        cell(header, rows, "vu-quang", "Điểm tối đa áp dụng", 99)

    framework = year_2021.framework_id
    content = xlsx(matrix(year_2022, shape="field", edit=published_over_99))
    (problem,) = problems_of(year_2021, content)
    assert (problem.row, problem.column) == (
        15,
        header_letter(year_2022, "Điểm tối đa áp dụng", shape="field"),
    )
    assert problem.message == (
        "điểm tối đa áp dụng trong tệp là 99, phần mềm tính được 100; kết quả theo lĩnh vực "
        "không ghi được tiêu chí không áp dụng; hãy nhập theo từng tiêu chí thành phần"
    )
    assert_nothing_written(year_2021, framework)


# --- bad workbooks: the right message, where, and nothing written -----------------------------


def test_unknown_unit_and_wrong_code_column(year_2021, year_2022):
    def wrong(header, rows):
        cell(header, rows, "vu-quang", "Đơn vị", "Huyện Không Có")
        cell(header, rows, "vu-quang", "Mã đơn vị", "khong-co")
        cell(header, rows, "duc-tho", "Mã đơn vị", "can-loc")  # codes shifted by a row

    problems = problems_of(year_2021, xlsx(matrix(year_2022, edit=wrong)))
    by_message = {p.message: p for p in problems}
    unknown = by_message[
        f"không có đơn vị mã “khong-co” hay tên “Huyện Không Có” trong {year_2021.unit_level.name}"
    ]
    assert (unknown.sheet, unknown.row, unknown.column) == (SHEET, 15, "B (Đơn vị)")
    shifted = by_message["mã “can-loc” là của Huyện Can Lộc, không phải “Huyện Đức Thọ”"]
    assert shifted.column == "A (Mã đơn vị)"
    assert len(problems) == 2
    assert_nothing_written(year_2021)


def test_text_in_a_number_column_and_a_score_above_max(year_2021, year_2022):
    def bad(header, rows):
        cell(header, rows, "tp-ha-tinh", "1.1.1", "tám")
        cell(header, rows, "vu-quang", "1.1.2", 2.5)
        cell(header, rows, "vu-quang", "1.3.2", -1)
        cell(header, rows, "duc-tho", "1.3.2", 0.3)  # the manual leaf's step is 0.25

    content = xlsx(matrix(year_2022, edit=bad))
    found = {(p.sheet, p.row, p.column, p.message) for p in problems_of(year_2021, content)}
    assert found == {
        (SHEET, 4, "C (1.1.1)", "cần một số, ô đang có “tám”"),
        (SHEET, 15, "D (1.1.2)", "Điểm không được lớn hơn điểm tối đa (2,00)."),
        (SHEET, 15, "G (1.3.2)", "Điểm không được âm."),
        (SHEET, 9, "G (1.3.2)", "Điểm phải là bội số của 0,25."),
    }
    assert_nothing_written(year_2021)


def test_blank_score_na_not_allowed_duplicate_row_and_negative_deduction(year_2021, year_2022):
    def bad(header, rows):
        cell(header, rows, "tp-ha-tinh", "1.1.1", None)
        cell(header, rows, "tp-ha-tinh", "1.1.2", "KAD")
        cell(header, rows, "vu-quang", "Trừ", -0.5)
        rows.append(list(rows[0]))

    content = xlsx(matrix(year_2022, edit=bad))
    found = {(p.row, p.column, p.message) for p in problems_of(year_2021, content)}
    assert found == {
        (4, "C (1.1.1)", "thiếu điểm (kết quả của năm phải đầy đủ)"),
        (4, "D (1.1.2)", "tiêu chí 1.1.2 không được đánh dấu không áp dụng"),
        (
            15,
            header_letter(year_2022, "Trừ"),
            "ghi số dương (điểm trừ cũng ghi số dương, không có dấu trừ)",
        ),
        (17, "B (Đơn vị)", "Thành phố Hà Tĩnh đã có ở dòng 4"),
    }
    assert_nothing_written(year_2021)


def header_letter(year, title, shape="leaf"):
    from openpyxl.utils import get_column_letter

    header = matrix(year, shape=shape)[SHEET][2]
    return f"{get_column_letter(header.index(title) + 1)} ({title})"


def test_missing_leaf_columns_and_codes_not_of_the_framework(year_2021, year_2022):
    def bad(header, rows):
        position = header.index("1.1.2")
        header[position] = "1.9.9"
        header[header.index("Cộng 2")] = "2"  # a field column among leaf columns

    problems = problems_of(year_2021, xlsx(matrix(year_2022, edit=bad)))
    found = {(p.row, p.column, p.message) for p in problems}
    assert (3, "D (1.9.9)", "“1.9.9” không phải mã của bộ chỉ số năm 2021") in found
    assert any(
        c and c.endswith("(2)") and "không phải tiêu chí thành phần" in m for _r, c, m in found
    )
    assert (
        3,
        "",
        "thiếu cột điểm của tiêu chí thành phần 1.1.2 (mỗi tiêu chí cần một cột)",
    ) in found
    assert len(problems) == 3
    assert_nothing_written(year_2021)


def test_no_score_columns_at_all(year_2021):
    content = xlsx({SHEET: [["Mã đơn vị", "Đơn vị", "Tổng điểm"], ["vu-quang", "Vũ Quang", 90]]})
    (problem,) = problems_of(year_2021, content)
    assert "Không có cột điểm nào" in problem.message and "“1.1.1”" in problem.message


def test_several_sheets_none_the_matrix(year_2021):
    content = xlsx({"Trang 1": [["Đơn vị"]], "Trang 2": [["x"]]})
    (problem,) = problems_of(year_2021, content)
    assert problem.sheet == "Ma trận điểm"
    assert problem.message == "Thiếu trang tính “Ma trận điểm” (tệp có: Trang 1, Trang 2)."
    assert_nothing_written(year_2021)


def test_not_excel_at_all(year_2021):
    (problem,) = problems_of(year_2021, b"Don vi;Diem\nVu Quang;89,3\n")
    assert "không phải là tệp Excel" in problem.message
    assert_nothing_written(year_2021)


def test_a_unit_with_scores_missing_from_the_file_blocks_the_import(year_2021, year_2022):
    assessment = Assessment.objects.get(year=year_2021, unit__code="loc-ha")
    LeafScore.objects.create(
        assessment=assessment,
        node=year_2021.framework.nodes.get(code="10.1"),
        r1_score=D("9"),
    )

    def drop(header, rows):
        rows[:] = [r for r in rows if r[0] != "loc-ha"]

    (problem,) = problems_of(year_2021, xlsx(matrix(year_2022, edit=drop)))
    assert problem.message == (
        "Đơn vị đã có điểm trong kỳ đánh giá nhưng không có trong kết quả nhập: Huyện Lộc Hà"
    )
    # The service says the same, should the file be applied anyway.
    results = [
        HistoricalResult(unit=a.unit, scores={})
        for a in year_2021.assessments.select_related("unit").exclude(unit__code="loc-ha")
    ]
    with pytest.raises(ValidationError, match="không có trong kết quả nhập: Huyện Lộc Hà"):
        import_historical_year(roles=SYSTEM_ADMIN, year=year_2021, results=results)


@pytest.mark.parametrize("units", [13, 3])
def test_reading_takes_the_same_queries_however_many_units_leave(
    year_2021, year_2022, django_assert_num_queries, units
):
    def keep(header, rows):
        rows[:] = rows[:units]

    content = xlsx(matrix(year_2022, edit=keep))
    worker = importer(year_2021)
    # 1 the year with its framework and level; 2-4 what units entered already (leaf scores,
    # evidence, submitted assessments); 5 the framework's tree check; 6 the nodes; 7 the
    # level's units; 8 the year's assessments, each with whether it holds scores (10 of them
    # leave the year when the file has 3 units: no query of their own); 9 the year's bands
    # (its current ranking settings, which the preview compares with the file's).
    with django_assert_num_queries(9):
        plan = worker.read(content)
    assert f"{units} đơn vị" in plan.summary


# --- refused ----------------------------------------------------------------------------------


def test_refused_for_a_year_not_being_prepared(year_2022, year_2023, year_2024):
    content = xlsx(matrix(year_2022))
    for year in (year_2022, year_2023, year_2024):
        (problem,) = problems_of(year, content)
        assert "kỳ đánh giá đang chuẩn bị" in problem.message
    with pytest.raises(ValidationError, match="đang chuẩn bị"):
        import_historical_year(roles=SYSTEM_ADMIN, year=year_2023, results=[])
    year_2023.refresh_from_db()
    assert year_2023.state == AssessmentYear.State.APPRAISAL


@pytest.mark.parametrize(
    "entered", [{"self_score": D("1")}, {"declared": {"done": True}}, {"explanation": "Có"}]
)
def test_refused_once_units_entered_something(year_2021, year_2022, entered):
    LeafScore.objects.create(
        assessment=Assessment.objects.get(year=year_2021, unit__code="vu-quang"),
        node=year_2021.framework.nodes.get(code="1.4.1"),
        **entered,
    )
    (problem,) = problems_of(year_2021, xlsx(matrix(year_2022)))
    assert "Đơn vị đã nhập dữ liệu vào kỳ đánh giá này (Huyện Vũ Quang)" in problem.message


@pytest.mark.parametrize(
    "roles", [Roles(is_appraiser=True), Roles(is_viewer=True), Roles(officer_of=frozenset({1}))]
)
def test_only_the_interior_admin_may_import(year_2021, year_2022, roles):
    with pytest.raises(PermissionDenied):
        ResultsImporter(year=year_2021, roles=roles).read(xlsx(matrix(year_2022)))
    unit = Unit.objects.get(code="vu-quang")
    with pytest.raises(PermissionDenied):
        import_historical_year(
            roles=roles, year=year_2021, results=[HistoricalResult(unit=unit)], flatten=False
        )
    assert_nothing_written(year_2021)


# --- the page ---------------------------------------------------------------------------------


def upload(client, url, content, name="ket-qua.xlsx"):
    return client.post(url, {"file": io_file(content, name)})


def io_file(content, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_page_uploads_previews_and_applies(as_user, interior_admin, year_2021, year_2022):
    client = as_user(interior_admin)
    url = reverse("results_import", args=[year_2021.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Tổng điểm, chỉ số và hạng do phần mềm tính" in page.content.decode()
    preview = upload(client, url, xlsx(matrix(year_2022)))
    assert preview.status_code == 200
    assert "13 đơn vị" in preview.context["plan"].summary
    assert_nothing_written(year_2021)
    done = client.post(url, {"token": preview.context["token"], "apply": ""})
    assert done.status_code == 302
    assert done["Location"] == reverse("year_state", args=[year_2021.pk])
    year_2021.refresh_from_db()
    assert year_2021.state == AssessmentYear.State.PUBLISHED


def test_page_lists_every_problem_with_its_place(as_user, interior_admin, year_2021, year_2022):
    def bad(header, rows):
        cell(header, rows, "vu-quang", "1.1.1", "một")

    url = reverse("results_import", args=[year_2021.pk])
    response = upload(as_user(interior_admin), url, xlsx(matrix(year_2022, edit=bad)))
    assert response.status_code == 422
    (problem,) = response.context["problems"]
    assert (problem.sheet, problem.row, problem.column) == (SHEET, 15, "C (1.1.1)")
    assert "cần một số" in response.content.decode()
    assert_nothing_written(year_2021)


def test_page_refuses_a_published_year(as_user, interior_admin, year_2022):
    url = reverse("results_import", args=[year_2022.pk])
    response = upload(as_user(interior_admin), url, xlsx(matrix(year_2022)))
    assert response.status_code == 422
    assert "kỳ đánh giá đang chuẩn bị" in response.content.decode()


@pytest.mark.parametrize("name", ["results_import", "results_template"])
def test_others_are_refused(as_user, client, appraiser, officer_a, viewer, year_2021, name):
    url = reverse(name, args=[year_2021.pk])
    assert client.get(url).status_code == 302  # anonymous: to the sign-in page
    assert as_user(appraiser).get(url).status_code == 403
    assert as_user(officer_a).get(url).status_code == 404
    assert as_user(viewer).get(url).status_code == 404


def test_template_is_the_years_empty_matrix(as_user, interior_admin, year_2021):
    response = as_user(interior_admin).get(reverse("results_template", args=[year_2021.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    # Filled in, the template imports: its header is the contract's.
    sheet = export_helpers.workbook(response)[SHEET]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header_index = next(i for i, r in enumerate(rows) if "Đơn vị" in r)
    header = rows[header_index]
    assert "1.1.1" in header and "10.2" in header
    units = [r for r in rows[header_index + 1 :] if any(v is not None for v in r)]
    assert len(units) == 13
    assert all(r[header.index("1.1.1")] is None for r in units)


# --- a true round trip through the matrix export ----------------------------------------------


def test_round_trip_through_the_matrix_export(year_2021, year_2022):
    exporters = pytest.importorskip("scoring.exporters.matrix")
    content = exporters.MatrixExporter(year=year_2022).render().content
    run(year_2021, content)
    before, after = ranking_by_code(year_2022), ranking_by_code(year_2021)
    assert {c: (r.total.points, r.rank) for c, r in after.items()} == {
        c: (r.total.points, r.rank) for c, r in before.items()
    }
    assert after["vu-quang"].total.points == D("89.30") and after["vu-quang"].rank == 12
    assert {row.rank_change for row in ranking_by_code(year_2022).values()} == {0}


# --- the command ------------------------------------------------------------------------------


@pytest.fixture
def matrix_file(tmp_path, year_2022):
    path = tmp_path / "ket-qua-2021.xlsx"
    path.write_bytes(xlsx(matrix(year_2022)))
    return path


def test_command_imports_and_publishes(year_2021, matrix_file, capsys):
    call_command("import_results", str(matrix_file), "--year", "2021", "--level", "cap-huyen")
    out = capsys.readouterr().out
    assert "13 đơn vị" in out
    assert "Huyện Vũ Quang · Tổng điểm, chỉ số, hạng (phần mềm tính): — → 89,30" in out
    assert "Đã nhập kết quả năm 2021 của 13 đơn vị" in out
    year_2021.refresh_from_db()
    assert year_2021.state == AssessmentYear.State.PUBLISHED
    assert ranking_by_code(year_2021)["vu-quang"].rank == 12


def test_command_dry_run_writes_nothing(year_2021, matrix_file, capsys):
    call_command(
        "import_results", str(matrix_file), "--year", "2021", "--level", "cap-huyen", "--dry-run"
    )
    out = capsys.readouterr().out
    assert "kỳ đánh giá sẽ được công bố" in out and "Chạy thử: chưa có gì được ghi." in out
    assert_nothing_written(year_2021)


def test_command_failures(year_2021, year_2022, matrix_file, tmp_path):
    args = [str(matrix_file), "--year", "2021"]
    with pytest.raises(CommandError, match="Unknown unit level 'cap-xa'"):
        call_command("import_results", *args, "--level", "cap-xa")
    with pytest.raises(CommandError, match="No year 2020"):
        call_command("import_results", str(matrix_file), "--year", "2020", "--level", "cap-huyen")
    with pytest.raises(CommandError, match="đang chuẩn bị"):
        call_command("import_results", str(matrix_file), "--year", "2023", "--level", "cap-huyen")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command(
            "import_results", str(tmp_path / "none.xlsx"), "--year", "2021", "--level", "cap-huyen"
        )

    def bad(header, rows):
        cell(header, rows, "vu-quang", "1.1.1", "tám")

    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(xlsx(matrix(year_2022, edit=bad)))
    with pytest.raises(CommandError) as failed:
        call_command("import_results", str(broken), "--year", "2021", "--level", "cap-huyen")
    assert "Ma trận điểm, dòng 15, cột C (1.1.1): cần một số, ô đang có “tám”" in str(failed.value)
    assert_nothing_written(year_2021)


def test_a_unit_of_the_file_the_year_lacks_joins_it(year_2022):
    framework = clone_framework(roles=SYSTEM_ADMIN, framework=year_2022.framework, name="2021")
    year = create_year(
        roles=SYSTEM_ADMIN,
        year=2021,
        unit_level=year_2022.unit_level,
        framework=framework,
        units=[a.unit for a in year_2022.assessments.exclude(unit__code="loc-ha")],
    )
    plan, _done = run(year, xlsx(matrix(year_2022)))
    assert ("Huyện Lộc Hà", "Bản đánh giá", "", "thêm vào kỳ đánh giá") in [
        (c.subject, c.what, c.old, c.new) for c in plan.changes
    ]
    assert ranking_by_code(year)["loc-ha"].total.points == D("90.05")


def test_the_template_filled_by_hand_imports(as_user, interior_admin, year_2021):
    """The empty matrix, filled in cell by cell (a criterion not applicable to one unit): its
    blank totals are no obstacle, and the app computes the applicable maximum."""
    client = as_user(interior_admin)
    workbook = export_helpers.workbook(client.get(reverse("results_template", args=[year_2021.pk])))
    sheet = workbook[SHEET]
    header_row = next(r[0].row for r in sheet.iter_rows() if r[0].value == "Mã đơn vị")
    columns = {c.value: c.column for c in sheet[header_row] if c.value}
    leaves = {
        n.code: n for n in FrameworkNode.objects.filter(framework=year_2021.framework, rule__gt="")
    }
    skipped = next(code for code, node in leaves.items() if node.allows_na)
    for row in range(header_row + 1, sheet.max_row + 1):
        unit = sheet.cell(row=row, column=1).value
        for code, node in leaves.items():
            value = "KAD" if (unit == "vu-quang" and code == skipped) else float(node.max_points)
            sheet.cell(row=row, column=columns[code], value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    url = reverse("results_import", args=[year_2021.pk])
    preview = upload(client, url, buffer.getvalue())
    assert preview.status_code == 200, preview.context["problems"]
    client.post(url, {"token": preview.context["token"], "apply": ""})
    ranking = year_ranking(AssessmentYear.objects.get(pk=year_2021.pk))
    vu_quang = next(r for r in ranking.rows if r.unit.code == "vu-quang")
    assert vu_quang.total.applicable_max == 100 - leaves[skipped].max_points
    assert vu_quang.total.index == 100 and vu_quang.rank == 1


def test_an_imported_year_says_so_instead_of_a_publication_date(
    as_user, viewer, year_2021, year_2022
):
    run(year_2021, xlsx(matrix(year_2022)))
    page = as_user(viewer).get(reverse("ranking", args=[year_2021.pk])).content.decode()
    assert "Kết quả đã công bố trước khi dùng phần mềm, nhập lại từ tệp." in page
    assert "Công bố ngày" not in page
    export = MatrixExporter(year=AssessmentYear.objects.get(pk=year_2021.pk)).render()
    status = load_workbook(io.BytesIO(export.content))[SHEET].cell(row=2, column=1).value
    assert status == "Kết quả đã công bố trước khi dùng phần mềm, nhập lại từ tệp."
