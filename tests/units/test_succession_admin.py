"""Merges, splits and renames recorded in the Django admin: each addition, change and removal
is one audit line under the unit that took over; a link to itself or one closing a circle is
refused with a message on the form; a level's name for its units shows in its list."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from scoring.models.audit import AuditEvent
from units.models import Unit, UnitLevel, UnitSuccession

pytestmark = pytest.mark.django_db

CYCLE = "ghi thêm liên kết này sẽ tạo vòng lặp"


@pytest.fixture
def admin_client(client):
    # A superuser: the Interior Department's group gets the rights on these links from
    # units.roles.GROUP_PERMISSIONS.
    user = User.objects.create_superuser("sieu.quantri", "sieu@example.com", "x-Long-Pass-42")
    client.force_login(user)
    return client


@pytest.fixture
def lines():
    start = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return lambda: list(
        AuditEvent.objects.filter(pk__gt=start, kind=AuditEvent.Kind.REFERENCE).order_by("pk")
    )


def unit(code):
    return Unit.objects.get(code=code)


def form(predecessor, successor, kind="rename", on="01/01/2025", note=""):
    return {
        "predecessor": predecessor.pk,
        "successor": successor.pk,
        "kind": kind,
        "effective_on": on,
        "note": note,
    }


def test_adding_a_link_is_one_audit_line_under_the_unit_that_took_over(admin_client, lines):
    response = admin_client.post(
        reverse("admin:units_unitsuccession_add"),
        form(unit("can-loc"), unit("nghi-xuan"), "merge", "01/07/2025", "Nghị quyết (thử)"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = UnitSuccession.objects.get(predecessor__code="can-loc")
    assert (stored.successor.code, stored.kind, stored.effective_on) == (
        "nghi-xuan",
        "merge",
        dt.date(2025, 7, 1),
    )
    [line] = lines()
    assert line.unit == unit("nghi-xuan")
    assert line.changes["kind"] == [None, "merge"]
    assert "Huyện Can Lộc → Huyện Nghi Xuân" in line.target


def test_a_circle_is_refused_with_a_message_and_nothing_is_saved(admin_client, lines):
    # The demo has Lộc Hà → Thạch Hà: Thạch Hà → Lộc Hà would go round.
    before = UnitSuccession.objects.count()
    response = admin_client.post(
        reverse("admin:units_unitsuccession_add"), form(unit("thach-ha"), unit("loc-ha"), "merge")
    )
    assert response.status_code == 200
    assert CYCLE in response.content.decode()
    assert UnitSuccession.objects.count() == before
    assert lines() == []


def test_a_longer_circle_is_refused_too(admin_client):
    UnitSuccession.objects.create(
        predecessor=unit("thach-ha"),
        successor=unit("cam-xuyen"),
        kind="rename",
        effective_on=dt.date(2026, 1, 1),
    )
    response = admin_client.post(
        reverse("admin:units_unitsuccession_add"), form(unit("cam-xuyen"), unit("loc-ha"), "merge")
    )
    assert response.status_code == 200
    assert CYCLE in response.content.decode()


def test_a_link_to_itself_is_refused(admin_client):
    response = admin_client.post(
        reverse("admin:units_unitsuccession_add"), form(unit("vu-quang"), unit("vu-quang"))
    )
    assert response.status_code == 200
    assert "Đơn vị sau phải khác đơn vị trước." in response.content.decode()


def test_changing_and_removing_a_link_are_audited(admin_client, lines):
    stored = UnitSuccession.objects.get(predecessor__code="loc-ha")
    url = reverse("admin:units_unitsuccession_change", args=[stored.pk])
    response = admin_client.post(
        url, form(stored.predecessor, stored.successor, "merge", "01/07/2025", stored.note)
    )
    assert response.status_code == 302
    response = admin_client.post(
        reverse("admin:units_unitsuccession_delete", args=[stored.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    changed, removed = lines()
    assert changed.changes == {"effective_on": ["2025-01-01", "2025-07-01"]}
    assert removed.changes["kind"] == ["merge", None]
    assert not UnitSuccession.objects.filter(pk=stored.pk).exists()


def test_the_lists_show_links_and_a_levels_name_for_its_units(admin_client):
    html = admin_client.get(reverse("admin:units_unitsuccession_changelist")).content.decode()
    assert "Huyện Lộc Hà" in html and "Huyện Thạch Hà" in html
    html = admin_client.get(reverse("admin:units_unitlevel_changelist")).content.decode()
    assert UnitLevel.objects.get(code="cap-huyen").members_phrase in html


def test_a_link_that_contradicts_the_years_on_record_is_refused(admin_client):
    """Huyện Kỳ Anh is assessed in 2022–2024: it cannot have merged away in 2023, and Thị xã
    Kỳ Anh, assessed up to 2024, cannot be a new name from 2025. Nothing is saved."""
    url = reverse("admin:units_unitsuccession_add")
    merged = admin_client.post(url, form(unit("ky-anh"), unit("tx-ky-anh"), "merge", "01/01/2023"))
    assert "vẫn được đánh giá năm 2023, sau ngày này" in merged.content.decode()
    renamed = admin_client.post(
        url, form(unit("ky-anh"), unit("tx-ky-anh"), "rename", "01/01/2025")
    )
    assert "đã được đánh giá năm 2024, trước khi đổi tên" in renamed.content.decode()
    assert not UnitSuccession.objects.filter(predecessor__code="ky-anh").exists()


def test_a_merge_after_the_last_year_on_record_and_a_split_that_keeps_the_unit_are_accepted(
    admin_client,
):
    url = reverse("admin:units_unitsuccession_add")
    # Demo years run to 2024: a merge on 1 December 2024 ends the unit after its 2024 year.
    assert (
        admin_client.post(
            url, form(unit("can-loc"), unit("nghi-xuan"), "merge", "01/12/2024")
        ).status_code
        == 302
    )
    # A split may leave the old unit in place, assessed on.
    assert (
        admin_client.post(
            url, form(unit("duc-tho"), unit("huong-son"), "split", "01/01/2023")
        ).status_code
        == 302
    )
