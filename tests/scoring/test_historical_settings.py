"""A past year ranks as its own regulation said: the results import takes the year's ranking
settings (tie policy, bonus and deduction caps, bands) from the template's sheet "Thiết lập xếp
hạng", checks them, previews them and applies them before the year is ranked.

The held-out year below is built by hand, with a small framework, so every figure can be
worked out on paper: its regulation ranks ties densely (1, 1, 2), caps bonus at 2 and
deductions at 3, and grades A from 85 and B from 75. The year is created with the app's
defaults (ties 1, 1, 3, bonus cap 5, deduction cap 10, no bands): ranked by those, the same
scores would come out differently, so the test shows the file's settings were used."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from scoring import audit
from scoring.importers.results import ResultsImporter
from scoring.models import AssessmentYear, AuditEvent, LeafScore
from scoring.selectors import year_ranking
from scoring.selectors.entry import leaf_history
from scoring.services import create_framework, create_year
from scoring.services.frameworks import NodeSpec
from tests.scoring import export_helpers
from units.models import Unit
from units.roles import SYSTEM_ADMIN

pytestmark = pytest.mark.django_db

D = Decimal
FILE_NAME = "ket-qua-2019.xlsx"
UNITS = ["vu-quang", "tx-hong-linh", "duc-tho", "loc-ha"]


@pytest.fixture
def year_2019(db):
    """Being prepared, four units, two fields of one directly scored criterion each (60 + 40),
    and the app's default settings."""
    level = Unit.objects.get(code="vu-quang").level
    framework = create_framework(
        roles=SYSTEM_ADMIN,
        name="Bộ chỉ số 2019 (rút gọn)",
        unit_level=level,
        nodes=[
            NodeSpec("1", "Lĩnh vực 1", D(60)),
            NodeSpec("1.1", "Tiêu chí 1.1", D(60), rule="manual"),
            NodeSpec("2", "Lĩnh vực 2", D(40)),
            NodeSpec("2.1", "Tiêu chí 2.1", D(40), rule="manual"),
        ],
    )
    year = create_year(
        roles=SYSTEM_ADMIN,
        year=2019,
        unit_level=level,
        framework=framework,
        units=list(Unit.objects.filter(code__in=UNITS)),
    )
    assert (year.tie_policy, year.bonus_max, year.deduction_max) == ("competition", 5, 10)
    return year


def settings_rows(*, ties="1, 1, 2", bonus=2, deduction=3, bands=(("A", 85), ("B", 75))):
    return [
        ["Thiết lập", "Giá trị", "Từ chỉ số"],
        ["Cách xếp đồng hạng", ties, None],
        ["Điểm thưởng tối đa", bonus, None],
        ["Điểm trừ tối đa", deduction, None],
        *(["Xếp loại", label, bound] for label, bound in bands),
    ]


def workbook(settings=None) -> bytes:
    """The README's template, filled in: sheet "Ma trận điểm" (title rows, the header, a row per
    unit with each criterion's score by its code, bonus and deductions) and sheet "Thiết lập
    xếp hạng"."""
    book = Workbook()
    matrix = book.active
    matrix.title = "Ma trận điểm"
    for row in [
        ["Chỉ số cải cách hành chính năm 2019 · Cấp huyện"],
        ["Kết quả đã công bố"],
        ["Mã đơn vị", "Đơn vị", "1.1", "2.1", "Thưởng", "Trừ", "Tổng điểm", "Chỉ số (%)", "Hạng"],
        # 50 + 35 = 85, bonus 3 clamped to 2           → 87.00, A
        ["vu-quang", "Huyện Vũ Quang", 50, 35, 3, None, 87, 87, 1],
        # 52 + 35 = 87, no adjustment                  → 87.00, A (tied with Vũ Quang)
        ["tx-hong-linh", "Thị xã Hồng Lĩnh", 52, 35, None, None, 87, 87, 1],
        # 50 + 36 = 86, deductions 5 clamped to 3      → 83.00, B
        ["duc-tho", "Huyện Đức Thọ", 50, 36, None, 5, 83, 83, 2],
        # 40 + 30 = 70                                 → 70.00, no band
        ["loc-ha", "Huyện Lộc Hà", 40, 30, None, None, 70, 70, 3],
    ]:
        matrix.append(row)
    sheet = book.create_sheet("Thiết lập xếp hạng")
    for row in settings if settings is not None else settings_rows():
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ranked(year):
    year = AssessmentYear.objects.select_related("framework", "unit_level").get(pk=year.pk)
    return {
        row.unit.code: (row.total.points, row.total.shown_index, row.rank, row.band)
        for row in year_ranking(year).rows
    }


# Out of 100 (nothing is N/A): index = points. Dense ranking: the two units at 87.00 share
# rank 1 and the next one is 2nd, not 3rd.
EXPECTED = {
    "vu-quang": (D("87.00"), D("87.00"), 1, "A"),
    "tx-hong-linh": (D("87.00"), D("87.00"), 1, "A"),
    "duc-tho": (D("83.00"), D("83.00"), 2, "B"),
    "loc-ha": (D("70.00"), D("70.00"), 3, None),
}


def test_a_held_out_year_ranks_as_its_regulation_says(as_user, interior_admin, year_2019):
    client = as_user(interior_admin)
    url = reverse("results_import", args=[year_2019.pk])
    content = workbook()
    preview = client.post(url, {"file": SimpleUploadedFile(FILE_NAME, content)})
    assert preview.status_code == 200, preview.context["problems"]
    plan = preview.context["plan"]
    assert "Xếp hạng theo thiết lập trong tệp" in plan.summary
    lines = {(c.subject, c.what): (c.old, c.new) for c in plan.changes}
    year_name = str(year_2019)
    assert lines[(year_name, "Cách xếp đồng hạng")] == (
        "Đồng hạng, bỏ hạng kế tiếp (1, 1, 3)",
        "Đồng hạng, không bỏ hạng (1, 1, 2)",
    )
    assert lines[(year_name, "Điểm thưởng tối đa")] == ("5", "2")
    assert lines[(year_name, "Điểm trừ tối đa")] == ("10", "3")
    assert lines[(year_name, "Các xếp loại")] == ("(không xếp loại)", "A ≥ 85; B ≥ 75")
    # The preview ranks by the file's settings: the file's own figures all agree.
    assert not [c for c in plan.changes if "ghi trong tệp" in c.what]
    assert lines[("Huyện Đức Thọ", "Tổng điểm, chỉ số, hạng (phần mềm tính)")][1] == (
        "83,00 / 100,00 điểm, chỉ số 83,00, hạng 2/4, xếp loại B"
    )

    applied = client.post(url, {"token": preview.context["token"], "apply": ""})
    assert applied.status_code == 302
    year_2019.refresh_from_db()
    assert year_2019.state == AssessmentYear.State.PUBLISHED
    assert (year_2019.tie_policy, year_2019.bonus_max, year_2019.deduction_max) == (
        "dense",
        D(2),
        D(3),
    )
    assert [(b.label, b.lower_bound) for b in year_2019.bands.all()] == [("A", 85), ("B", 75)]
    assert ranked(year_2019) == EXPECTED

    # The log: the settings old → new, then one line per unit as imported, all from the file.
    source = audit.file_source(FILE_NAME, content)
    settings_event = AuditEvent.objects.get(year=year_2019, kind=audit.Kind.YEAR_SETTINGS)
    assert settings_event.changes["tie_policy"] == ["competition", "dense"]
    assert settings_event.changes["bands"] == [[], ["A ≥ 85", "B ≥ 75"]]
    assert (settings_event.path, settings_event.source) == (audit.Path.IMPORT, source)
    assert settings_event.actor == interior_admin
    results = AuditEvent.objects.filter(year=year_2019, kind=audit.Kind.RESULTS)
    by_unit = {event.unit.code: event for event in results.select_related("unit")}
    assert set(by_unit) == set(UNITS)
    assert by_unit["vu-quang"].changes == {
        "points": [None, "87.00"],
        "applicable_max": [None, "100.00"],
        "index": [None, "87.00"],
        "rank": [None, 1],
        "band": [None, "A"],
    }
    assert {(e.path, e.source, e.actor_id) for e in results} == {
        (audit.Path.IMPORT, source, interior_admin.pk)
    }


def test_the_same_scores_rank_otherwise_without_the_settings_sheet(year_2019):
    """The control: by the app's defaults (1, 1, 3; bonus ≤ 5; deductions ≤ 10) Vũ Quang's
    bonus counts in full (85 + 3 = 88) and Đức Thọ loses all 5 (86 − 5 = 81)."""
    content = workbook()
    book = load_workbook(io.BytesIO(content))
    del book["Thiết lập xếp hạng"]
    buffer = io.BytesIO()
    book.save(buffer)
    worker = ResultsImporter(year=year_2019, roles=SYSTEM_ADMIN)
    plan = worker.read(buffer.getvalue())
    assert "xếp hạng theo thiết lập hiện tại của năm" in plan.summary
    # The file's figures (by its own regulation) now differ from the app's, and it says so.
    differ = {(c.subject, c.what): (c.old, c.new) for c in plan.changes if "trong tệp" in c.what}
    assert differ[("Huyện Vũ Quang", "Tổng điểm ghi trong tệp (không dùng)")] == ("87,00", "88,00")
    assert differ[("Huyện Vũ Quang", "Chỉ số ghi trong tệp (không dùng)")] == ("87,00", "88,00")
    assert differ[("Thị xã Hồng Lĩnh", "Hạng ghi trong tệp (không dùng)")] == ("1", "2")
    worker.apply(plan)
    assert ranked(year_2019) == {
        "vu-quang": (D("88.00"), D("88.00"), 1, None),
        "tx-hong-linh": (D("87.00"), D("87.00"), 2, None),
        "duc-tho": (D("81.00"), D("81.00"), 3, None),
        "loc-ha": (D("70.00"), D("70.00"), 4, None),
    }


def test_the_command_applies_the_settings_too(year_2019, tmp_path, capsys):
    path = tmp_path / FILE_NAME
    path.write_bytes(workbook())
    call_command("import_results", str(path), "--year", "2019", "--level", "cap-huyen")
    assert "Cách xếp đồng hạng" in capsys.readouterr().out
    assert ranked(year_2019) == EXPECTED
    event = AuditEvent.objects.get(year=year_2019, kind=audit.Kind.YEAR_SETTINGS)
    assert event.path == audit.Path.COMMAND
    assert event.source == audit.file_source(FILE_NAME, path.read_bytes())


def test_each_imported_leaf_starts_its_history_naming_the_file(as_user, interior_admin, year_2019):
    """Without a first record, the first later change of a leaf showed every value as new,
    entered by whoever made that change."""
    client = as_user(interior_admin)
    url = reverse("results_import", args=[year_2019.pk])
    content = workbook()
    preview = client.post(url, {"file": SimpleUploadedFile(FILE_NAME, content)})
    client.post(url, {"token": preview.context["token"], "apply": ""})
    leaf = LeafScore.objects.select_related("assessment", "node").get(
        assessment__year=year_2019, assessment__unit__code="vu-quang", node__code="1.1"
    )
    (first,) = leaf.history.all()
    assert first.history_user == interior_admin
    assert first.history_change_reason == (
        f"Nhập kết quả năm 2019 từ tệp {audit.file_source(FILE_NAME, content)}"
    )
    # A later correction shows only what it changed.
    leaf.r1_comment = "Sửa sau khi công bố"
    leaf.save()
    latest = leaf_history(leaf.assessment, leaf.node, with_appraisal=True)[0]
    assert [(item.old, item.new) for item in latest.changes] == [("", "Sửa sau khi công bố")]


@pytest.mark.parametrize(
    ("settings", "where", "message"),
    [
        (
            settings_rows(ties="1, 2, 3"),
            (3, "B (Giá trị)"),
            "cách xếp đồng hạng “1, 2, 3” không có; ghi “1, 1, 3” (đồng hạng, bỏ hạng kế tiếp) "
            "hoặc “1, 1, 2” (đồng hạng, không bỏ hạng)",
        ),
        (settings_rows(bonus=-2), (4, "B (Giá trị)"), "không được là số âm (đang là -2)"),
        (settings_rows(deduction="ba"), (5, "B (Giá trị)"), "cần một số, ô đang có “ba”"),
        (
            settings_rows(bands=(("A", 85), ("A", 75))),
            (7, "B (Giá trị)"),
            "xếp loại “A” đã có ở dòng 6",
        ),
        (
            settings_rows(bands=(("A", 85), ("B", 85))),
            (7, "C (Từ chỉ số)"),
            "mốc 85 đã dùng cho xếp loại ở dòng 6",
        ),
        (
            settings_rows(bands=(("A", 101),)),
            (6, "C (Từ chỉ số)"),
            "không được lớn hơn 100 (đang là 101)",
        ),
        (
            settings_rows(bands=(("A", -1),)),
            (6, "C (Từ chỉ số)"),
            "không được là số âm (đang là -1)",
        ),
        (settings_rows()[:3] + settings_rows()[4:], (None, ""), "thiếu dòng “Điểm trừ tối đa”"),
        (
            [*settings_rows(), ["Điểm thưởng tối đa", 1, None]],
            (8, "A (Thiết lập)"),
            "“Điểm thưởng tối đa” đã có ở dòng 4",
        ),
        (
            [*settings_rows(), ["Hệ số", 2, None]],
            (8, "A (Thiết lập)"),
            "không có thiết lập “Hệ số”; các dòng được đọc: “Cách xếp đồng hạng”, "
            "“Điểm thưởng tối đa”, “Điểm trừ tối đa”, “Xếp loại”",
        ),
    ],
)
def test_bad_settings_are_refused_with_their_place_and_nothing_is_written(
    as_user, interior_admin, year_2019, settings, where, message
):
    # The sheet has no title rows: its header is row 1, the tie policy row 2 …
    settings = [[None], *settings]  # … but one blank row above the header is allowed too
    client = as_user(interior_admin)
    url = reverse("results_import", args=[year_2019.pk])
    response = client.post(url, {"file": SimpleUploadedFile(FILE_NAME, workbook(settings))})
    assert response.status_code == 422
    problems = [(p.sheet, p.row, p.column, p.message) for p in response.context["problems"]]
    assert problems == [("Thiết lập xếp hạng", *where, message)]
    year_2019.refresh_from_db()
    assert year_2019.state == AssessmentYear.State.PREPARING
    assert (year_2019.tie_policy, year_2019.bonus_max, year_2019.deduction_max) == (
        "competition",
        5,
        10,
    )
    assert not year_2019.bands.exists()
    assert not LeafScore.objects.filter(assessment__year=year_2019).exists()
    assert (
        not AuditEvent.objects.filter(year=year_2019).exclude(kind=audit.Kind.YEAR_CREATE).exists()
    )


def test_the_template_carries_the_years_settings_and_imports_back(
    as_user, interior_admin, year_2019
):
    client = as_user(interior_admin)
    response = client.get(reverse("results_template", args=[year_2019.pk]))
    book = export_helpers.workbook(response)
    rows = [list(r) for r in book["Thiết lập xếp hạng"].iter_rows(values_only=True)]
    header = rows.index(["Thiết lập", "Giá trị", "Từ chỉ số", "Ghi chú"])
    assert [r[:3] for r in rows[header + 1 :]] == [
        ["Cách xếp đồng hạng", "Đồng hạng, bỏ hạng kế tiếp (1, 1, 3)", None],
        ["Điểm thưởng tối đa", 5, None],
        ["Điểm trừ tối đa", 10, None],
    ]
    # Filled in with the regulation's settings and the scores, it imports.
    sheet = book["Thiết lập xếp hạng"]
    sheet.cell(row=header + 2, column=2, value="1, 1, 2")
    sheet.cell(row=header + 3, column=2, value=2)
    sheet.cell(row=header + 4, column=2, value=3)
    sheet.append(["Xếp loại", "A", 85])
    sheet.append(["Xếp loại", "B", 75])
    matrix = book["Ma trận điểm"]
    head = next(r[0].row for r in matrix.iter_rows() if r[0].value == "Mã đơn vị")
    columns = {c.value: c.column for c in matrix[head] if c.value}
    figures = {
        "vu-quang": (50, 35, 3, None),
        "tx-hong-linh": (52, 35, None, None),
        "duc-tho": (50, 36, None, 5),
        "loc-ha": (40, 30, None, None),
    }
    for row in range(head + 1, matrix.max_row + 1):
        code = matrix.cell(row=row, column=1).value
        for header_name, value in zip(("1.1", "2.1", "Thưởng", "Trừ"), figures[code], strict=True):
            matrix.cell(row=row, column=columns[header_name], value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    url = reverse("results_import", args=[year_2019.pk])
    preview = client.post(url, {"file": SimpleUploadedFile(FILE_NAME, buffer.getvalue())})
    assert preview.status_code == 200, preview.context["problems"]
    client.post(url, {"token": preview.context["token"], "apply": ""})
    assert ranked(year_2019) == EXPECTED
