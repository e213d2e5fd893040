"""The audit log's pages and downloads: who sees which log, the filters, old → new in words,
what a unit's staff do not see, the Excel copy of the same lines, and pinned query counts."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from scoring import audit
from scoring.exporters import EXPORTERS, AuditLogExporter
from scoring.models import AuditEvent
from units.models import Unit

from .export_helpers import rows, workbook

VQ, HL = "vu-quang", "tx-hong-linh"
Kind = AuditEvent.Kind


def at(day: int, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2030, 1, day, hour))


def add(kind, *, year, unit=None, user=None, when=None, target="", **kwargs):
    """An event as a service records it, at a fixed time far after the demo's own events."""
    with audit.origin(audit.Path.PAGE, "POST /thu-nghiem/"):
        event = audit.event(
            kind,
            user=user,
            year=year,
            unit=Unit.objects.get(code=unit) if unit else None,
            target=target,
            **kwargs,
        )
    event.at = when or at(1)
    event.save()
    return event


def year_url(year, name="year_log", **query):
    url = reverse(name, args=[year.pk])
    return _with(url, query)


def unit_url(year, unit=VQ, name="unit_log", **query):
    return _with(reverse(name, args=[year.pk, unit]), query)


def _with(url, query):
    if not query:
        return url
    return url + "?" + "&".join(f"{k}={v}" for k, v in query.items())


def targets(response) -> list[str]:
    """The test events' targets on a page, in order (each test names its own "T-…")."""
    return re.findall(r"T-[a-z0-9-]+", response.content.decode())


@pytest.fixture
def events(year_2023, officer_a, officer_b, appraiser, interior_admin):
    """Five events of 2023 over two units, two fields, four people and three days."""
    return [
        add(Kind.SELF, year=year_2023, unit=VQ, user=officer_a, node_code="1.1.1",
            target="T-vq-self", when=at(1), changes={"self_score": ["0.50", "1.00"]}),
        add(Kind.SELF, year=year_2023, unit=HL, user=officer_b, node_code="2.1.1",
            target="T-hl-self", when=at(2), changes={"explanation": ["", "Có kế hoạch"]}),
        add(Kind.APPRAISAL, year=year_2023, unit=VQ, user=appraiser, node_code="1.1.2",
            target="T-vq-appraisal", when=at(3),
            changes={"r1_score": [None, "1.50"], "r1_reason": ["", "target-not-reached"]}),
        add(Kind.YEAR_DEADLINES, year=year_2023, user=interior_admin, target="T-year",
            when=at(3, 15), changes={"appraisal_closes": [None, "2030-01-20T10:00:00+00:00"]}),
        add(Kind.BASELINE, year=year_2023, unit=HL, target="T-hl-baseline", when=at(4),
            note="Dữ liệu mẫu"),
    ]  # fmt: skip


# --- who sees which log -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["appraiser", "interior_admin"])
def test_the_interior_department_reads_a_years_log(request, as_user, who, year_2023, events):
    response = as_user(request.getfixturevalue(who)).get(year_url(year_2023))
    assert response.status_code == 200
    assert targets(response) == ["T-hl-baseline", "T-year", "T-vq-appraisal", "T-hl-self",
                                 "T-vq-self"]  # fmt: skip
    assert response.headers["Cache-Control"].startswith("max-age=0")


@pytest.mark.parametrize("who", ["viewer", "officer_a", "leader_a"])
@pytest.mark.parametrize("name", ["year_log", "year_log_xlsx"])
def test_anyone_else_is_told_a_years_log_does_not_exist(request, as_user, who, name, year_2023):
    response = as_user(request.getfixturevalue(who)).get(year_url(year_2023, name))
    assert response.status_code == 404


def test_a_years_log_needs_signing_in(client, year_2023):
    assert client.get(year_url(year_2023)).status_code == 302


@pytest.mark.parametrize("name", ["unit_log", "unit_log_xlsx"])
def test_unit_staff_read_their_own_units_log_only(as_user, officer_a, name, year_2023, events):
    client = as_user(officer_a)
    assert client.get(unit_url(year_2023, VQ, name)).status_code == 200
    assert client.get(unit_url(year_2023, HL, name)).status_code == 404


@pytest.mark.parametrize("name", ["unit_log", "unit_log_xlsx"])
def test_a_viewer_is_told_a_units_log_does_not_exist(as_user, viewer, name, year_2023):
    assert as_user(viewer).get(unit_url(year_2023, VQ, name)).status_code == 404


def test_the_interior_department_reads_a_units_log_in_full(as_user, appraiser, year_2023, events):
    response = as_user(appraiser).get(unit_url(year_2023, VQ))
    assert targets(response) == ["T-vq-appraisal", "T-vq-self"]
    assert "snv.thamdinh" in response.content.decode()


# --- filters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"unit": HL}, ["T-hl-baseline", "T-hl-self"]),
        ({"field": "1"}, ["T-vq-appraisal", "T-vq-self"]),
        ({"person": "snv.thamdinh"}, ["T-vq-appraisal"]),
        ({"person": "-"}, ["T-hl-baseline"]),
        ({"kind": "leaf.self"}, ["T-hl-self", "T-vq-self"]),
        ({"date_from": "2030-01-03"}, ["T-hl-baseline", "T-year", "T-vq-appraisal"]),
        ({"date_to": "02/01/2030"}, ["T-hl-self", "T-vq-self"]),
        ({"date_from": "2030-01-02", "date_to": "2030-01-03"},
         ["T-year", "T-vq-appraisal", "T-hl-self"]),
        ({"unit": VQ, "kind": "leaf.appraisal"}, ["T-vq-appraisal"]),
    ],
)  # fmt: skip
def test_each_filter_narrows_the_years_log(as_user, appraiser, year_2023, events, query, expected):
    if query.get("person") == "snv.thamdinh":
        query = {"person": events[2].actor_name}
    response = as_user(appraiser).get(year_url(year_2023), query)
    assert response.status_code == 200
    assert targets(response) == expected


def test_the_filters_offer_the_years_units_fields_people_and_kinds(
    as_user, appraiser, year_2023, events
):
    html = as_user(appraiser).get(year_url(year_2023)).content.decode()
    start = html.index('data-testid="log-filters"')
    form = html[start : html.index("</form>", start)]
    assert '<option value="tx-hong-linh">Thị xã Hồng Lĩnh</option>' in form
    assert '<option value="2">2. ' in form
    assert events[0].actor_name in form
    assert '<option value="leaf.appraisal">Thẩm định</option>' in form


HL_BOTH = ["T-hl-baseline", "T-hl-self"]
ALL = ["T-hl-baseline", "T-year", "T-vq-appraisal", "T-hl-self", "T-vq-self"]


@pytest.mark.parametrize(
    ("query", "message", "expected"),
    [
        ({"date_from": "31/02/2030", "unit": HL}, "Ngày không hợp lệ", HL_BOTH),
        ({"date_to": "hôm qua", "unit": HL}, "Ngày không hợp lệ", HL_BOTH),
        ({"kind": "no-such-kind", "unit": HL}, "Loại thay đổi không có trong danh sách.", HL_BOTH),
        ({"field": "99", "unit": HL}, "Lĩnh vực không có trong bộ chỉ số của năm này.", HL_BOTH),
        ({"unit": "no-such-unit"}, "Đơn vị không có trong kỳ đánh giá này.", ALL),
        ({"date_from": "2030-01-03", "date_to": "2030-01-01", "unit": HL},
         "Ngày kết thúc phải sau ngày bắt đầu.", ["T-hl-baseline"]),
    ],
)  # fmt: skip
def test_a_bad_filter_is_explained_in_vietnamese_and_left_out(
    as_user, appraiser, year_2023, events, query, message, expected
):
    response = as_user(appraiser).get(year_url(year_2023), query)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert targets(response) == expected  # the valid filters still apply, the bad one not


def test_a_page_number_that_is_not_one_shows_the_first_page(as_user, appraiser, year_2023, events):
    response = as_user(appraiser).get(year_url(year_2023), {"page": "abc", "unit": VQ})
    assert response.status_code == 200
    assert targets(response) == ["T-vq-appraisal", "T-vq-self"]


def test_a_long_log_is_paged_and_the_pages_keep_the_filters(
    as_user, appraiser, year_2023, monkeypatch
):
    monkeypatch.setattr("scoring.selectors.audit.PER_PAGE", 2)
    for day in range(1, 6):
        add(Kind.SELF, year=year_2023, unit=HL, target=f"T-p{day}", when=at(day))
    response = as_user(appraiser).get(year_url(year_2023), {"unit": HL, "kind": "leaf.self"})
    assert targets(response) == ["T-p5", "T-p4"]
    html = response.content.decode()
    assert "?unit=tx-hong-linh&amp;kind=leaf.self&amp;page=2" in html
    second = as_user(appraiser).get(year_url(year_2023), {"unit": HL, "kind": "leaf.self",
                                                          "page": 2})  # fmt: skip
    assert targets(second) == ["T-p3", "T-p2"]


# --- old → new in words -----------------------------------------------------------------------


def test_a_line_says_when_who_how_what_and_old_to_new_in_words(
    as_user, appraiser, officer_a, year_2023
):
    add(Kind.SELF, year=year_2023, unit=VQ, user=officer_a, node_code="2.2.2", target="T-words",
        when=at(5, 9),
        changes={
            "declared": [{"done": 3, "total": 4}, {"done": 4, "total": 4}],
            "self_score": ["0.75", "1.00"],
            "not_applicable": [True, False],
        })  # fmt: skip
    add(Kind.YEAR_STEP, year=year_2023, user=appraiser, target="T-step", when=at(5, 8),
        changes={"state": ["appraisal", "explanation"], "bonus_max": ["5.00", "4.50"]})  # fmt: skip
    html = as_user(appraiser).get(year_url(year_2023)).content.decode()
    assert "Số đã thực hiện: 3; Tổng số: 4 → Số đã thực hiện: 4; Tổng số: 4" in html
    assert "Điểm tự chấm</span>: 0,75 → 1,00" in html
    assert "Không áp dụng</span>: Có → Không" in html
    assert "Bước</span>: Thẩm định → Giải trình" in html
    assert "Điểm thưởng tối đa</span>: 5,00 → 4,50" in html
    assert "09:00:00 05/01/2030" in html  # local time, Vietnamese order
    assert "Cán bộ Phòng Nội vụ huyện Vũ Quang (vuquang.canbo)" in html
    assert "Trang của ứng dụng" in html and "POST /thu-nghiem/" in html


def test_a_deadline_and_a_reason_read_as_people_write_them(as_user, appraiser, year_2023, events):
    html = as_user(appraiser).get(year_url(year_2023)).content.decode()
    assert "Hạn thẩm định</span>: — → 17:00 20/01/2030" in html  # 10:00 UTC in Hà Tĩnh
    assert "Lý do</span>: — → Không đạt chỉ tiêu" in html


# --- what a unit's staff do not see -----------------------------------------------------------


def test_unit_staff_see_their_own_work_but_not_an_unpublished_appraisal(
    as_user, officer_a, appraiser, year_2023, events
):
    add(Kind.YEAR_STEP_BACK, year=year_2023, unit=VQ, user=appraiser, target="T-step-back",
        when=at(6), changes={"r2_score": ["1.00", None]})  # fmt: skip
    add(Kind.SELF, year=year_2023, unit=VQ, user=officer_a, target="T-mixed", when=at(7),
        changes={"self_score": ["1.00", "0.50"], "r1_score": ["1.00", None],
                 "appraised_by": ["Thẩm định viên", None]})  # fmt: skip
    response = as_user(officer_a).get(unit_url(year_2023))
    assert targets(response) == ["T-mixed", "T-vq-self"]
    html = response.content.decode()
    assert "snv.thamdinh" not in html and "Điểm thẩm định" not in html
    assert "Điểm tự chấm</span>: 1,00 → 0,50" in html
    assert "Người thẩm định" not in html
    # Nor through the filters: the appraisal kind is not offered and not honoured.
    assert 'value="leaf.appraisal"' not in html
    assert appraiser.username not in html
    filtered = as_user(officer_a).get(unit_url(year_2023), {"kind": "leaf.appraisal"})
    assert "Loại thay đổi không có trong danh sách." in filtered.content.decode()
    assert "T-vq-appraisal" not in filtered.content.decode()
    by_name = as_user(officer_a).get(unit_url(year_2023), {"person": events[2].actor_name})
    assert "T-vq-appraisal" not in by_name.content.decode()


def test_after_publication_unit_staff_see_the_appraisal_signed_by_the_department(
    as_user, officer_a, appraiser, year_2022
):
    add(Kind.APPRAISAL, year=year_2022, unit=VQ, user=appraiser, node_code="1.5.1",
        target="T-published", changes={"r1_score": ["2.00", "0.00"]})  # fmt: skip
    html = as_user(officer_a).get(unit_url(year_2022)).content.decode()
    line = html[html.index("T-published") - 600 : html.index("T-published")]
    assert "Sở Nội vụ" in line
    assert appraiser.username not in html and appraiser.get_full_name() not in html
    assert "Điểm thẩm định</span>: 2,00 → 0,00" in html
    full = as_user(appraiser).get(unit_url(year_2022)).content.decode()
    assert appraiser.username in full


# --- Excel ------------------------------------------------------------------------------------


def test_the_download_has_the_pages_lines_under_the_same_filters(
    as_user, appraiser, year_2023, events
):
    client = as_user(appraiser)
    response = client.get(year_url(year_2023, "year_log_xlsx"), {"unit": VQ})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('nhat-ky-2023-cap-huyen.xlsx"')
    assert "no-store" in response.headers["Cache-Control"]
    sheet = rows(workbook(response).active)
    header = sheet[1]
    assert header[:2] == ["Lúc", "Người thực hiện"]
    lines = [line for line in sheet[2:] if line[header.index("Đối tượng")].startswith("T-")]
    assert [line[header.index("Đối tượng")] for line in lines] == ["T-vq-appraisal", "T-vq-self"]
    assert len(sheet) == 2 + AuditEvent.objects.filter(year=year_2023, unit__code=VQ).count()
    first = dict(zip(header, lines[0], strict=True))
    assert first["Lúc"] == "03/01/2030 10:00:00"
    assert first["Người thực hiện"] == events[2].actor_name
    assert first["Thay đổi (cũ → mới)"] == (
        "Điểm thẩm định: — → 1,50\nLý do: — → Không đạt chỉ tiêu"
    )
    assert first["Đường thực hiện"] == "Trang của ứng dụng"


def test_a_units_download_hides_what_its_page_hides(as_user, officer_a, year_2023, events):
    response = as_user(officer_a).get(unit_url(year_2023, VQ, "unit_log_xlsx"))
    assert response["Content-Disposition"].endswith('nhat-ky-2023-cap-huyen-vu-quang.xlsx"')
    sheet = rows(workbook(response).active)
    header = sheet[1]
    shown = [line[header.index("Đối tượng")] for line in sheet[2:]]
    assert [target for target in shown if target.startswith("T-")] == ["T-vq-self"]


def test_a_bad_filter_does_not_break_the_download(as_user, appraiser, year_2023, events):
    response = as_user(appraiser).get(
        year_url(year_2023, "year_log_xlsx"), {"kind": "nope", "date_from": "x", "unit": HL}
    )
    assert response.status_code == 200
    sheet = rows(workbook(response).active)
    assert [line[7] for line in sheet[2:] if str(line[7]).startswith("T-")] == [
        "T-hl-baseline",
        "T-hl-self",
    ]


def test_the_log_is_a_registered_report_the_command_line_can_write(year_2023, events):
    assert EXPORTERS["audit_log"] is AuditLogExporter
    export = AuditLogExporter(year=year_2023).render()
    assert export.filename == "nhat-ky-2023-cap-huyen.xlsx"


def test_a_value_typed_as_a_formula_stays_text(as_user, appraiser, year_2023):
    add(Kind.SELF, year=year_2023, unit=VQ, target='=HYPERLINK("x")', note="+cmd")
    response = as_user(appraiser).get(year_url(year_2023, "year_log_xlsx"), {"unit": VQ})
    sheet = workbook(response).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value == '=HYPERLINK("x")']
    assert cells and all(c.data_type == "s" for c in cells)


# --- query counts -----------------------------------------------------------------------------


def _many(year, count, user):
    AuditEvent.objects.filter(year=year).delete()
    for n in range(count):
        add(Kind.SELF, year=year, unit=(VQ, HL)[n % 2], user=user, node_code="2.2.2",
            target=f"T-n{n}", when=at(1 + n % 20),
            changes={"declared": [{"done": n, "total": 9}, {"done": n + 1, "total": 9}]},
        )  # fmt: skip


@pytest.mark.parametrize("count", [5, 50])
def test_a_years_log_page_costs_the_same_however_many_events(
    as_user, appraiser, officer_a, year_2023, count, django_assert_num_queries
):
    _many(year_2023, count, officer_a)
    client = as_user(appraiser)
    # session, user, the user's groups and memberships (roles), the year, the framework's
    # nodes, the appraisal reasons, the year's units (filter), the people in the log (filter),
    # the count, the page's events with their units
    # + the bell's unread notifications (menu)
    with django_assert_num_queries(12):
        response = client.get(year_url(year_2023), {"field": "2"})
    assert len(targets(response)) == count


@pytest.mark.parametrize("count", [5, 50])
def test_a_units_log_page_costs_the_same_however_many_events(
    as_user, officer_a, year_2023, count, django_assert_num_queries
):
    _many(year_2023, count, officer_a)
    client = as_user(officer_a)
    # session, user, groups, memberships, the unit's assessment with its year, the nodes, the
    # reasons, the people (filter), the count, the page's events
    # + the bell's unread notifications (menu)
    with django_assert_num_queries(11):
        response = client.get(unit_url(year_2023, VQ))
    assert len(targets(response)) == (count + 1) // 2


@pytest.mark.parametrize("count", [5, 50])
def test_a_logs_download_costs_the_same_however_many_events(
    as_user, appraiser, officer_a, year_2023, count, django_assert_num_queries
):
    _many(year_2023, count, officer_a)
    client = as_user(appraiser)
    # session, user, groups, memberships, the year, the nodes, the reasons, the units and
    # the people (the filters are read as the page reads them), the events
    with django_assert_num_queries(10):
        response = client.get(year_url(year_2023, "year_log_xlsx"))
    assert len(rows(workbook(response).active)) == 2 + count


# --- links ------------------------------------------------------------------------------------


def test_the_home_page_links_the_interior_department_to_each_years_log(
    as_user, appraiser, year_2022, year_2023, year_2024
):
    html = as_user(appraiser).get(reverse("home")).content.decode()
    for year in (year_2022, year_2023, year_2024):
        assert f'href="{year_url(year)}"' in html


def test_the_home_page_links_unit_staff_to_their_units_log_only(
    as_user, officer_a, year_2023, year_2024
):
    html = as_user(officer_a).get(reverse("home")).content.decode()
    assert f'href="{unit_url(year_2023, VQ)}"' in html
    assert f'href="{unit_url(year_2024, VQ)}"' in html
    assert f'href="{year_url(year_2023)}"' not in html
    assert f'href="{unit_url(year_2023, HL)}"' not in html
