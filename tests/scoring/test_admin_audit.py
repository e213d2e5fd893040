"""Reference lists edited in the Django admin (units, unit levels, kinds of bonus and deduction,
appraisal reasons): each edit is one audit line, old → new; a kind's direction is fixed once
the ledger has entries of it."""

import pytest
from django.urls import reverse

from scoring import audit
from scoring.models import AdjustmentKind, AppraisalReason
from scoring.models.audit import AuditEvent
from units.models import Unit, UnitLevel

pytestmark = pytest.mark.django_db

Kind, Path = AuditEvent.Kind, AuditEvent.Path
LOCKED = "không đổi được chiều thưởng/trừ"


@pytest.fixture
def lines():
    """``lines()``: the reference lines written since the test began."""
    start = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return lambda: list(AuditEvent.objects.filter(pk__gt=start, kind=Kind.REFERENCE).order_by("pk"))


def kind_form(kind, **changes):
    data = {
        "code": kind.code,
        "name": kind.name,
        "direction": kind.direction,
        "per_occurrence": "on" if kind.per_occurrence else "",
        "default_points": "" if kind.default_points is None else str(kind.default_points),
        "is_active": "on" if kind.is_active else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_a_unit_renamed_in_the_admin_is_one_line_with_its_unit(as_user, interior_admin, lines):
    unit = Unit.objects.get(code="vu-quang")
    response = as_user(interior_admin).post(
        reverse("admin:units_unit_change", args=[unit.pk]),
        {
            "level": unit.level_id,
            "code": unit.code,
            "name": "Huyện Vũ Quang (mới)",
            "kind": unit.kind,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    [line] = lines()
    assert (line.path, line.unit, line.actor) == (Path.ADMIN, unit, interior_admin)
    assert line.changes == {"name": ["Huyện Vũ Quang", "Huyện Vũ Quang (mới)"]}


def test_a_unit_level_added_and_an_unchanged_save(as_user, interior_admin, lines):
    client = as_user(interior_admin)
    data = {"code": "cap-xa", "name": "Cấp xã", "order": "3"}
    client.post(reverse("admin:units_unitlevel_add"), data)
    level = UnitLevel.objects.get(code="cap-xa")
    client.post(  # saved again as it is: nothing changed, nothing recorded
        reverse("admin:units_unitlevel_change", args=[level.pk]), data
    )
    [line] = lines()
    assert line.changes == {
        "code": [None, "cap-xa"],
        "name": [None, "Cấp xã"],
        "order": [None, 3],
    }


def test_an_appraisal_reason_edited_in_the_list_is_one_line(as_user, interior_admin, lines):
    reasons = list(AppraisalReason.objects.order_by("order", "pk"))
    data = {
        "form-TOTAL_FORMS": str(len(reasons)),
        "form-INITIAL_FORMS": str(len(reasons)),
        "_save": "Lưu",
    }
    for i, reason in enumerate(reasons):
        data[f"form-{i}-id"] = str(reason.pk)
        data[f"form-{i}-order"] = str(reason.order)
        if reason.is_active:
            data[f"form-{i}-is_active"] = "on"
    data["form-0-order"] = "99"
    response = as_user(interior_admin).post(
        reverse("admin:scoring_appraisalreason_changelist"), data
    )
    assert response.status_code == 302
    [line] = lines()
    assert line.changes == {"order": [reasons[0].order, 99]}
    assert line.target.endswith(str(reasons[0]))


def test_a_kind_added_and_renamed_in_the_admin(as_user, interior_admin, lines):
    client = as_user(interior_admin)
    client.post(
        reverse("admin:scoring_adjustmentkind_add"),
        {"code": "sang-kien-moi", "name": "Sáng kiến", "direction": "bonus", "is_active": "on"},
    )
    kind = AdjustmentKind.objects.get(code="sang-kien-moi")
    client.post(
        reverse("admin:scoring_adjustmentkind_change", args=[kind.pk]),
        kind_form(kind, name="Sáng kiến cấp tỉnh"),
    )
    added, renamed = lines()
    assert added.changes["direction"] == [None, "bonus"]
    assert renamed.changes == {"name": ["Sáng kiến", "Sáng kiến cấp tỉnh"]}


def test_a_kind_with_ledger_entries_keeps_its_direction(as_user, interior_admin, lines):
    kind = AdjustmentKind.objects.filter(entries__isnull=False).distinct().first()
    assert kind is not None, "the demo's ledger has entries"
    flipped = "bonus" if kind.direction == "deduction" else "deduction"
    response = as_user(interior_admin).post(
        reverse("admin:scoring_adjustmentkind_change", args=[kind.pk]),
        kind_form(kind, direction=flipped),
    )
    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    assert AdjustmentKind.objects.get(pk=kind.pk).direction == kind.direction
    assert lines() == []


def test_a_kind_with_ledger_entries_may_still_be_renamed(as_user, interior_admin):
    kind = AdjustmentKind.objects.filter(entries__isnull=False).distinct().first()
    response = as_user(interior_admin).post(
        reverse("admin:scoring_adjustmentkind_change", args=[kind.pk]),
        kind_form(kind, name="Tên mới"),
    )
    assert response.status_code == 302
    assert AdjustmentKind.objects.get(pk=kind.pk).name == "Tên mới"


def test_a_kind_without_entries_may_change_direction(as_user, interior_admin):
    kind = AdjustmentKind.objects.filter(entries__isnull=True).first()
    assert kind is not None
    flipped = "bonus" if kind.direction == "deduction" else "deduction"
    response = as_user(interior_admin).post(
        reverse("admin:scoring_adjustmentkind_change", args=[kind.pk]),
        kind_form(kind, direction=flipped),
    )
    assert response.status_code == 302
    assert AdjustmentKind.objects.get(pk=kind.pk).direction == flipped


def test_the_interior_admin_reads_every_log_line_in_the_django_admin_but_changes_none(
    client, interior_admin
):
    """Lines of no year (accounts, memberships) are not on any year's log page: the Django admin
    lists them all, read-only."""
    line = audit.record(audit.Kind.ACCOUNT, target="tai.khoan.moi", note="Tạo tài khoản")
    client.force_login(interior_admin)
    listing = client.get("/admin/scoring/auditevent/?q=tai.khoan.moi")
    assert listing.status_code == 200
    assert "tai.khoan.moi" in listing.content.decode()
    assert client.get(f"/admin/scoring/auditevent/{line.pk}/change/").status_code == 200
    assert (
        client.post(f"/admin/scoring/auditevent/{line.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert client.get("/admin/scoring/auditevent/add/").status_code == 403
