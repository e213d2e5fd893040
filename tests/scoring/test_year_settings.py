"""The year's ranking settings (tie policy, caps, bands): previewed without saving, saved over
the version the page showed, recorded old → new; the deadlines saved the same way; a new year
recorded."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from scoring import selectors
from scoring.audit import Kind
from scoring.models import (
    Adjustment,
    AdjustmentKind,
    AssessmentYear,
    AuditEvent,
    Band,
    LeafScore,
)
from scoring.services import ConflictError, new_year_from, set_deadlines
from scoring.services.years import set_year_settings
from units.roles import roles_of

pytestmark = pytest.mark.django_db

TOP = ("thach-ha", "tp-ha-tinh")  # made to tie at 100


def settings_url(year):
    return reverse("year_settings", args=[year.pk])


def fresh(year):
    return AssessmentYear.objects.get(pk=year.pk)


def tie_at_the_top(year):
    """Two units with every leaf at its maximum and no ledger: both at index 100."""
    for code in TOP:
        for row in LeafScore.objects.filter(assessment__year=year, assessment__unit__code=code):
            row.r1_score, row.r2_score, row.not_applicable = row.node.max_points, None, False
            row.save()
        Adjustment.objects.filter(assessment__year=year, assessment__unit__code=code).delete()


def deduct(year, unit_code, points):
    kind = AdjustmentKind.objects.filter(direction="deduction").first()
    Adjustment.objects.create(
        assessment=year.assessments.get(unit__code=unit_code),
        kind=kind,
        direction="deduction",
        points=Decimal(points),
        reason="Thử",
    )


def ranks(year):
    return {r.unit.code: r.rank for r in selectors.year_ranking(fresh(year)).rows}


def form_data(year, **changes):
    data = {
        "tie_policy": year.tie_policy,
        "bonus_max": "5",
        "deduction_max": "10",
        "version": year.version,
        "bands-TOTAL_FORMS": "3",
        "bands-INITIAL_FORMS": "2",
        "bands-MIN_NUM_FORMS": "0",
        "bands-MAX_NUM_FORMS": "20",
        "bands-0-label": "A",
        "bands-0-lower_bound": "90",
        "bands-1-label": "B",
        "bands-1-lower_bound": "80",
        "bands-2-label": "",
        "bands-2-lower_bound": "",
    }
    data.update(changes)
    return data


def stored(year):
    year = fresh(year)
    return (
        year.tie_policy,
        year.bonus_max,
        year.deduction_max,
        [str(b) for b in Band.objects.filter(year=year)],
        year.version,
    )


def test_the_page_shows_the_years_settings(as_user, interior_admin, year_2023):
    html = as_user(interior_admin).get(settings_url(year_2023)).content.decode()
    assert re.search(r'name="tie_policy" value="competition"[^>]*checked', html)
    assert 'name="bands-0-label" value="A"' in html
    assert 'name="bands-0-lower_bound" value="90,00"' in html
    assert "Xem trước" in html and "Lưu" in html


def test_preview_shows_dense_ties_and_saves_nothing(as_user, interior_admin, year_2023):
    tie_at_the_top(year_2023)
    before = stored(year_2023)
    competition = ranks(year_2023)
    assert competition["thach-ha"] == competition["tp-ha-tinh"] == 1
    third = next(code for code, rank in competition.items() if rank == 3)
    response = as_user(interior_admin).post(
        settings_url(year_2023), form_data(year_2023, tie_policy="dense", action="preview")
    )
    assert response.status_code == 200
    rows = {row.unit.code: row for row in response.context["preview"]}
    assert (rows[third].before.rank, rows[third].after.rank) == (3, 2)
    assert rows[third].changed and not rows["thach-ha"].changed
    assert rows["vu-quang"].after.rank is None  # not fully appraised yet
    html = response.content.decode()
    assert html.count('data-testid="changed"') == response.context["changed"] > 0
    assert stored(year_2023) == before
    assert not AuditEvent.objects.filter(year=year_2023, kind=Kind.YEAR_SETTINGS).exists()


def test_saving_dense_ties_changes_the_ranking_and_is_recorded(as_user, interior_admin, year_2023):
    tie_at_the_top(year_2023)
    third = next(code for code, rank in ranks(year_2023).items() if rank == 3)
    version = year_2023.version
    response = as_user(interior_admin).post(
        settings_url(year_2023),
        form_data(
            year_2023,
            tie_policy="dense",
            **{"bands-1-label": "Khá", "bands-1-lower_bound": "85,5"},
            action="save",
        ),
    )
    assert response.status_code == 302
    assert ranks(year_2023)[third] == 2
    assert stored(year_2023) == (
        "dense",
        Decimal(5),
        Decimal(10),
        ["A ≥ 90.00", "Khá ≥ 85.50"],
        version + 1,
    )
    (event,) = AuditEvent.objects.filter(year=year_2023, kind=Kind.YEAR_SETTINGS)
    assert event.actor == interior_admin
    assert event.changes == {
        "tie_policy": ["competition", "dense"],
        "bands": [["A ≥ 90", "B ≥ 80"], ["A ≥ 90", "Khá ≥ 85.5"]],
    }


def test_the_deduction_cap_clamps_and_removing_bands(as_user, interior_admin, year_2023):
    deduct(year_2023, "can-loc", "3")
    client = as_user(interior_admin)
    data = form_data(
        year_2023,
        deduction_max="0",
        **{"bands-0-DELETE": "on", "bands-1-DELETE": "on"},
    )
    preview = client.post(settings_url(year_2023), {**data, "action": "preview"})
    row = next(r for r in preview.context["preview"] if r.unit.code == "can-loc")
    assert row.after.index > row.before.index
    assert (row.before.band is not None, row.after.band) == (True, None)
    assert client.post(settings_url(year_2023), {**data, "action": "save"}).status_code == 302
    total = next(
        r.total for r in selectors.year_results(fresh(year_2023)) if r.unit.code == "can-loc"
    )
    assert total.deductions == 0
    assert total.shown_index == row.after.index
    assert not Band.objects.filter(year=year_2023).exists()
    (event,) = AuditEvent.objects.filter(year=year_2023, kind=Kind.YEAR_SETTINGS)
    assert event.changes == {
        "deduction_max": ["10.00", "0.00"],
        "bands": [["A ≥ 90", "B ≥ 80"], []],
    }


def test_a_stale_page_is_refused_and_shows_the_current_settings(as_user, interior_admin, year_2023):
    shown = year_2023.version
    set_year_settings(
        year=year_2023,
        roles=roles_of(interior_admin),
        user=interior_admin,
        version=shown,
        tie_policy="dense",
        bonus_max=Decimal(5),
        deduction_max=Decimal(10),
        bands=[("A", Decimal(90)), ("B", Decimal(80))],
    )
    before = stored(year_2023)
    response = as_user(interior_admin).post(
        settings_url(year_2023), form_data(year_2023, version=shown, bonus_max="3", action="save")
    )
    assert response.status_code == 200
    assert "Người khác đã đổi thiết lập" in response.content.decode()
    assert stored(year_2023) == before
    form = response.context["form"]
    assert not form.is_bound and form.initial["tie_policy"] == "dense"
    assert form.initial["version"] == shown + 1
    with pytest.raises(ConflictError):
        set_year_settings(
            year=year_2023,
            roles=roles_of(interior_admin),
            user=interior_admin,
            version=shown,
            tie_policy="dense",
            bonus_max=Decimal(3),
            deduction_max=Decimal(10),
            bands=[],
        )


C70 = {"bands-2-label": "C", "bands-2-lower_bound": "70"}
BAD = {
    "negative cap": ({"bonus_max": "-1"}, "Điểm tối đa không được âm."),
    "cap above 100": ({"deduction_max": "150"}, "Điểm tối đa không quá 100."),
    "cap not a number": ({"bonus_max": "năm"}, "Nhập một số, ví dụ 5 hoặc 2,5."),
    "duplicate label": ({**C70, "bands-2-label": "a"}, "Xếp loại “a” bị trùng."),
    "duplicate bound": ({**C70, "bands-2-lower_bound": "80"}, "Ngưỡng 80 dùng cho hai xếp loại."),
    "bound above 100": ({**C70, "bands-2-lower_bound": "101"}, "Ngưỡng phải từ 0 đến 100."),
    "negative bound": ({**C70, "bands-2-lower_bound": "-5"}, "Ngưỡng phải từ 0 đến 100."),
    "long label": ({**C70, "bands-2-label": "X" * 41}, "Tên xếp loại tối đa 40 ký tự."),
    "bound without label": ({"bands-2-lower_bound": "70"}, "Cần nhập tên xếp loại."),
    "label without bound": ({"bands-2-label": "C"}, "Cần nhập ngưỡng chỉ số của xếp loại."),
    "unknown tie policy": ({"tie_policy": "olympic"}, "Hãy chọn một lựa chọn hợp lệ."),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_says_why_in_vietnamese_and_saves_nothing(
    as_user, interior_admin, year_2023, case
):
    changes, message = BAD[case]
    before = stored(year_2023)
    response = as_user(interior_admin).post(
        settings_url(year_2023), form_data(year_2023, **changes, action="save")
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert stored(year_2023) == before
    assert not AuditEvent.objects.filter(year=year_2023, kind=Kind.YEAR_SETTINGS).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"bonus_max": Decimal(-1)}, "Điểm thưởng tối đa phải từ 0 đến 100."),
        ({"bands": [("A", Decimal(90)), ("A", Decimal(80))]}, "Xếp loại “A” bị trùng."),
        ({"bands": [("A", Decimal(90)), ("B", Decimal(90))]}, "Ngưỡng 90 dùng cho hai xếp loại."),
        ({"bands": [("A", Decimal(120))]}, "Ngưỡng của xếp loại “A” phải từ 0 đến 100."),
        ({"bands": [("X" * 41, Decimal(50))]}, "dài quá 40 ký tự"),
        ({"tie_policy": "olympic"}, "Cách xếp đồng hạng không hợp lệ."),
    ],
)
def test_the_service_refuses_bad_input_too(interior_admin, year_2023, changes, message):
    before = stored(year_2023)
    values = {
        "tie_policy": "dense",
        "bonus_max": Decimal(5),
        "deduction_max": Decimal(10),
        "bands": [],
        **changes,
    }
    with pytest.raises(ValidationError, match=message):
        set_year_settings(
            year=year_2023,
            roles=roles_of(interior_admin),
            user=interior_admin,
            version=year_2023.version,
            **values,
        )
    assert stored(year_2023) == before


def test_after_publication_the_settings_are_read_only(as_user, interior_admin, year_2022):
    client = as_user(interior_admin)
    html = client.get(settings_url(year_2022)).content.decode()
    assert "hãy mở lại kỳ đánh giá trước" in html
    assert 'data-testid="settings-form"' not in html
    before = stored(year_2022)
    response = client.post(
        settings_url(year_2022), form_data(year_2022, tie_policy="dense", action="save")
    )
    assert response.status_code == 302
    assert stored(year_2022) == before
    with pytest.raises(ValidationError, match="mở lại kỳ đánh giá"):
        set_year_settings(
            year=year_2022,
            roles=roles_of(interior_admin),
            user=interior_admin,
            version=year_2022.version,
            tie_policy="dense",
            bonus_max=Decimal(5),
            deduction_max=Decimal(10),
            bands=[],
        )


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("officer_a", 404),
        ("leader_a", 404),
        ("officer_b", 404),
        ("viewer", 404),
        ("appraiser", 403),
    ],
)
def test_settings_page_access(as_user, request, year_2023, who, expected):
    client = as_user(request.getfixturevalue(who))
    before = stored(year_2023)
    assert client.get(settings_url(year_2023)).status_code == expected
    post = client.post(
        settings_url(year_2023), form_data(year_2023, tie_policy="dense", action="save")
    )
    assert post.status_code == expected
    assert stored(year_2023) == before


def test_anonymous_is_sent_to_sign_in(client, year_2023):
    response = client.get(settings_url(year_2023))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_preview_query_count_is_fixed(
    as_user, interior_admin, year_2023, django_assert_num_queries
):
    """13 units. Session, user, roles (groups, memberships), the year; the form's bands; the
    preview: tree, bands, the year's results twice (assessments, ledger, leaves each); the
    page's bands."""
    client = as_user(interior_admin)
    data = form_data(year_2023, tie_policy="dense", action="preview")
    client.post(settings_url(year_2023), data)
    # + the bell's unread notifications (menu).
    with django_assert_num_queries(16):
        client.post(settings_url(year_2023), data)


# --- deadlines, a new year ------------------------------------------------------------------


def test_deadlines_from_a_stale_page_are_refused_and_saved_ones_recorded(
    as_user, interior_admin, year_2024
):
    # Whole minutes, as the page's fields show them: only the changed one differs.
    for name in AssessmentYear.DEADLINES:
        setattr(year_2024, name, getattr(year_2024, name).replace(second=0, microsecond=0))
    year_2024.save()
    client = as_user(interior_admin)
    url = reverse("year_deadlines", args=[year_2024.pk])
    fields = {
        f"deadlines-{name}": timezone.localtime(getattr(year_2024, name)).strftime("%Y-%m-%dT%H:%M")
        for name in AssessmentYear.DEADLINES
    }
    closes = timezone.localtime(year_2024.self_assessment_closes) + dt.timedelta(days=2)
    fields["deadlines-self_assessment_closes"] = closes.strftime("%Y-%m-%dT%H:%M")
    shown = year_2024.version
    response = client.post(url, {**fields, "deadlines-version": shown}, follow=True)
    assert "Đã lưu các mốc thời gian." in response.content.decode()
    year = fresh(year_2024)
    assert year.version == shown + 1
    (event,) = AuditEvent.objects.filter(year=year, kind=Kind.YEAR_DEADLINES)
    assert list(event.changes) == ["self_assessment_closes"]
    assert (
        event.changes["self_assessment_closes"][1]
        == closes.replace(second=0, microsecond=0).isoformat()
    )
    # The same page sent again (someone else's, shown before that save): refused.
    fields["deadlines-self_assessment_closes"] = (closes + dt.timedelta(days=1)).strftime(
        "%Y-%m-%dT%H:%M"
    )
    response = client.post(url, {**fields, "deadlines-version": shown}, follow=True)
    assert "Người khác đã đổi các mốc thời gian" in response.content.decode()
    assert fresh(year_2024).self_assessment_closes == year.self_assessment_closes
    missing = client.post(url, {**fields}, follow=True)
    assert "Các mốc thời gian chưa hợp lệ." in missing.content.decode()
    with pytest.raises(ConflictError):
        set_deadlines(
            year=year_2024,
            roles=roles_of(interior_admin),
            deadlines={"publication_due": None},
            version=shown,
        )


def test_a_new_year_is_recorded(as_user, interior_admin, year_2024):
    response = as_user(interior_admin).post(
        reverse("year_new"), {"year": "2025", "unit_level": year_2024.unit_level.pk}
    )
    assert response.status_code == 302
    year = AssessmentYear.objects.get(year=2025)
    (event,) = AuditEvent.objects.filter(year=year, kind=Kind.YEAR_CREATE)
    assert event.actor == interior_admin
    assert event.note == "Sao chép từ năm 2024"
    assert event.changes["state"] == [None, "preparing"]
    assert event.changes["units"] == [None, 13]
    assert event.changes["tie_policy"] == [None, "competition"]


def test_a_new_year_from_the_service_is_recorded_too(interior_admin, year_2024):
    year = new_year_from(roles=roles_of(interior_admin), year=2025, unit_level=year_2024.unit_level)
    (event,) = AuditEvent.objects.filter(year=year, kind=Kind.YEAR_CREATE)
    assert event.changes["bands"] == [None, []]
