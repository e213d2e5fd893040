"""The Word reports: a unit's year and a level's year, read back with python-docx."""

import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from docx import Document

from scoring.exporters import EXPORTERS, UnitReportExporter, YearReportExporter
from scoring.exporters.word import DOCX, clean
from scoring.models import FrameworkNode, LeafScore
from units.roles import SYSTEM_ADMIN

from .export_helpers import content

pytestmark = pytest.mark.django_db


def unit_url(year, unit_code="vu-quang"):
    return reverse("unit_report_docx", args=[year.pk, unit_code])


def year_url(year):
    return reverse("year_report_docx", args=[year.pk])


def document(response):
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX
    assert "no-store" in response["Cache-Control"]
    return Document(io.BytesIO(content(response)))


def text_of(doc) -> str:
    return "\n".join(p.text for p in doc.paragraphs)


def cells(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def table_with(doc, first_header: str):
    return next(t for t in doc.tables if t.rows[0].cells[0].text == first_header)


# --- the unit's report -------------------------------------------------------------------------


def test_vu_quangs_report_tells_the_pages_story(as_user, officer_a, year_2022):
    client = as_user(officer_a)
    response = client.get(unit_url(year_2022))
    assert 'filename="bao-cao-cchc-2022-vu-quang.docx"' in response["Content-Disposition"]
    doc = document(response)
    story = client.get(reverse("scorecard", args=[year_2022.pk, "vu-quang"])).context["story"]
    assert "89,30/100" in story and "12/13" in story
    assert story in [p.text for p in doc.paragraphs]
    text = text_of(doc)
    assert "Tỉnh Hà Tĩnh · Cấp huyện · năm 2022" in text
    assert "Công bố ngày 10/02/2023" in text
    # the charts: the field profile, the ranking, and the years (2022 is the first published)
    assert len(doc.inline_shapes) >= 2
    section = doc.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert doc.styles["Normal"].font.name == "Times New Roman"
    assert 'w:instrText xml:space="preserve">PAGE' in section.footer._element.xml


def test_the_fields_and_the_lost_items_by_points_lost(as_user, officer_a, year_2022):
    doc = document(as_user(officer_a).get(unit_url(year_2022)))
    fields = cells(table_with(doc, "Lĩnh vực"))
    assert fields[0][:6] == ["Lĩnh vực", "Tối đa", "Đạt", "Bị mất", "Đơn vị dẫn đầu", "Trung vị"]
    nine = next(row for row in fields if row[0].startswith("9. "))
    assert nine[1:4] == ["8,00", "4,00", "4,00"]
    assert next(r for r in fields if r[0] == "Chỉ số CCHC")[:3] == [
        "Chỉ số CCHC",
        "100,00",
        "89,30",
    ]
    lost = cells(table_with(doc, "Tiêu chí"))
    assert [row[0].split(".")[0] for row in lost[1:]][:4] == ["9", "1", "4", "6"]
    assert lost[1][3] == "4,00"
    initiative = next(row for row in lost if row[0].startswith("1.5.1."))
    assert initiative[4] == "Không đạt chỉ tiêu"  # the appraiser's reason, to the unit itself
    assert lost[-1][0].startswith("Điểm trừ: Có CBCC bị kiểm điểm")
    assert "02 công chức bị kiểm điểm" in lost[-1][4]
    ledger = cells(table_with(doc, "Loại"))
    assert ledger[1][2] == "−0,50"


def test_the_comparison_names_the_leader_and_the_median(as_user, appraiser, year_2022):
    doc = document(as_user(appraiser).get(unit_url(year_2022)))
    comparison = next(t for t in doc.tables if t.rows[0].cells[1].text == "Chỉ số CCHC")
    rows = cells(comparison)
    assert rows[1] == ["Huyện Vũ Quang", "89,30", "12"]
    assert rows[2] == ["Dẫn đầu: Thành phố Hà Tĩnh", "94,12", "1"]
    assert rows[3][0] == "Đơn vị ở giữa bảng (trung vị)"
    assert "thấp hơn đơn vị dẫn đầu 4,82 điểm" in text_of(doc)


def test_another_unit_reads_the_published_report_without_the_appraisers_reasons(
    as_user, officer_b, year_2022
):
    doc = document(as_user(officer_b).get(unit_url(year_2022)))
    lost = cells(table_with(doc, "Tiêu chí"))
    assert next(row for row in lost if row[0].startswith("1.5.1."))[4] == ""
    assert "02 công chức bị kiểm điểm" in lost[-1][4]  # the published ledger's


def test_control_characters_and_a_500_character_title_render(as_user, appraiser, year_2022):
    LeafScore.objects.filter(
        assessment__year=year_2022, assessment__unit__code="vu-quang", node__code="1.5.1"
    ).update(r1_reason="Không\x0b đạt\x07 chỉ\x1f tiêu\ufffe")
    long_title = ("Tỷ lệ hồ sơ được giải quyết đúng hạn ở cấp xã và cấp huyện " * 10)[:500]
    FrameworkNode.objects.filter(framework=year_2022.framework, code="9.1.1").update(
        title=long_title, shortfall=""
    )
    doc = document(as_user(appraiser).get(unit_url(year_2022)))
    lost = cells(table_with(doc, "Tiêu chí"))
    assert next(row for row in lost if row[0].startswith("1.5.1."))[4] == "Không đạt chỉ tiêu"
    assert lost[1][0] == f"9.1.1. {long_title}"


def test_clean_keeps_text_word_can_hold():
    assert clean("a\tb\nc\rd\x01e\x1ff\ud800g\uffffh") == "a\tb\nc\rdefgh"
    assert clean(None) == "" and clean(D("1.50")) == "1.50"


@pytest.mark.parametrize(
    ("who", "year", "unit", "status"),
    [
        ("officer_a", "year_2022", "vu-quang", 200),
        ("officer_b", "year_2022", "vu-quang", 200),  # published: everyone's
        ("viewer", "year_2022", "vu-quang", 200),
        ("officer_a", "year_2023", "vu-quang", 404),  # its own, before publication
        ("officer_b", "year_2023", "vu-quang", 404),
        ("viewer", "year_2023", "vu-quang", 404),
        ("appraiser", "year_2023", "tp-ha-tinh", 200),  # the Department, provisional
        ("interior_admin", "year_2022", "no-such-unit", 404),
    ],
)
def test_who_gets_a_units_report(as_user, request, who, year, unit, status):
    client = as_user(request.getfixturevalue(who))
    response = client.get(unit_url(request.getfixturevalue(year), unit))
    assert response.status_code == status


def test_a_provisional_report_says_so(as_user, appraiser, year_2023):
    LeafScore.objects.filter(assessment__year=year_2023, r1_score__isnull=True).update(r1_score=0)
    doc = document(as_user(appraiser).get(unit_url(year_2023, "tp-ha-tinh")))
    text = text_of(doc)
    assert "Tạm tính, chưa công bố" in text
    assert "(tạm tính), xếp thứ" in text


def test_sign_in_first_and_get_only(client, as_user, officer_a, year_2022):
    response = client.get(unit_url(year_2022))
    assert response.status_code == 302 and "/login" in response.url
    assert client.get(year_url(year_2022)).status_code == 302
    assert as_user(officer_a).post(unit_url(year_2022)).status_code == 405


# --- the year's report -------------------------------------------------------------------------


def test_the_years_report_ranks_every_unit(as_user, interior_admin, year_2022):
    response = as_user(interior_admin).get(year_url(year_2022))
    assert 'filename="bao-cao-cchc-2022-cap-huyen.docx"' in response["Content-Disposition"]
    doc = document(response)
    ranking = cells(table_with(doc, "Hạng"))
    assert len(ranking) == 14  # the header and 13 units
    assert ranking[1][:3] == ["1", "Thành phố Hà Tĩnh", "94,12"]
    assert ["12", "Huyện Vũ Quang", "89,30"] in [row[:3] for row in ranking]
    text = text_of(doc)
    assert text.count("Năm 2022, 13 huyện, thị xã, thành phố được đánh giá;") == 1
    assert "Dẫn đầu là thành phố Hà Tĩnh (94,12 điểm)" in text
    assert len(doc.inline_shapes) == 1  # the ranking chart
    gaps = cells(table_with(doc, "Tiêu chí"))
    assert gaps[0] == ["Tiêu chí", "Số đơn vị bị trừ điểm", "Tổng điểm bị mất", "Bình quân"]
    assert len(gaps) > 1 and all("/13" in row[1] for row in gaps[1:])
    assert "Chưa có năm trước đã công bố để so sánh." in text  # 2022 is the first published


@pytest.mark.parametrize(
    ("who", "published", "in_appraisal"),
    [
        ("interior_admin", 200, 200),
        ("appraiser", 200, 200),
        ("viewer", 200, 404),
        ("officer_a", 200, 404),
        ("leader_a", 200, 404),
    ],
)
def test_who_gets_the_years_report(
    as_user, request, year_2022, year_2023, who, published, in_appraisal
):
    """Appraised results only, so the ranking's rule: every reader once published (the
    province's leaders, the units), the Interior Department before."""
    client = as_user(request.getfixturevalue(who))
    assert client.get(year_url(year_2022)).status_code == published
    assert client.get(year_url(year_2023)).status_code == in_appraisal


def test_a_provisional_years_report(as_user, appraiser, year_2023):
    doc = document(as_user(appraiser).get(year_url(year_2023)))
    text = text_of(doc)
    assert "Tạm tính, chưa công bố" in text
    assert "Kết quả tạm tính, chưa công bố." in text
    # Vũ Quang awaits round 1 on field 1: no index yet, nor a place in the average.
    ranking = cells(table_with(doc, "Hạng"))
    assert ["—", "Huyện Vũ Quang", "chưa chấm xong"] in [row[:3] for row in ranking]
    assert ranking[0][-1] == "So với năm 2022"
    improved = cells(table_with(doc, "Đơn vị"))
    assert improved[0][1:4] == ["Năm 2022", "Năm 2023", "Tăng"]
    assert all(row[3].startswith("+") for row in improved[1:])


# --- the contract ------------------------------------------------------------------------------


def test_both_are_registered_exporters_with_the_contract(year_2022):
    assert EXPORTERS["unit_report"] is UnitReportExporter
    assert EXPORTERS["year_report"] is YearReportExporter
    assert (UnitReportExporter.scope, YearReportExporter.scope) == ("unit", "year")
    exported = YearReportExporter(year=year_2022).render()
    assert exported.content_type == DOCX and exported.content.startswith(b"PK")
    assessment = year_2022.assessments.select_related("unit", "year__unit_level").get(
        unit__code="vu-quang"
    )
    unit = UnitReportExporter(assessment=assessment, roles=SYSTEM_ADMIN)
    assert unit.filename() == "bao-cao-cchc-2022-vu-quang.docx"


def test_figures_are_rounded_half_up_as_on_the_pages():
    from django.utils import translation

    from scoring.exporters.word.base import points

    with translation.override("vi"):
        assert points(D("2.3077")) == "2,31"  # number_format alone would cut it to 2,30
        assert points(D("2.305")) == "2,31"
        assert points(D(100)) == "100,00"
        assert points(None) == "—"
