"""The bonus/deduction ledger's integrity: one optimistic lock over the whole ledger, and an
audit trail in which every addition and every removal (with what was removed) stays."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from scoring import audit
from scoring.models import Adjustment, AdjustmentKind, Assessment, AuditEvent
from scoring.services import ConflictError, add_adjustment, remove_adjustment
from tests.samples import PDF
from units.roles import roles_of

pytestmark = pytest.mark.django_db

VQ = "vu-quang"
STALE = "người khác vừa thay đổi sổ điểm thưởng, điểm trừ"


def assessment_of(year, unit=VQ):
    return Assessment.objects.select_related("year", "unit").get(year=year, unit__code=unit)


def ledger_url(year, unit=VQ):
    return reverse("ledger", args=[year.pk, unit])


def remove_url(year, entry, unit=VQ):
    return reverse("ledger_remove", args=[year.pk, unit, entry.pk])


def kind_pk(code):
    return AdjustmentKind.objects.get(code=code).pk


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def add(user, year, reason="Báo cáo trễ", points="1", version=None):
    return add_adjustment(
        assessment=assessment_of(year),
        roles=roles_of(user),
        user=user,
        kind="other-deduction",
        points=Decimal(points),
        reason=reason,
        version=version,
    )


def events(kind, year):
    return list(AuditEvent.objects.filter(kind=kind, year=year).order_by("at", "pk"))


def reasons(year):
    return sorted(
        Adjustment.objects.filter(assessment__year=year, assessment__unit__code=VQ).values_list(
            "reason", flat=True
        )
    )


# --- the audit trail --------------------------------------------------------------------------


def test_adding_through_the_page_is_logged_with_every_value(as_user, interior_admin, year_2023):
    before = assessment_of(year_2023).ledger_version
    data = {
        "kind": kind_pk("officials-disciplined"),
        "count": "2",
        "reason": "Hai CBCC bị kỷ luật",
        "document": SimpleUploadedFile("Quyết định kỷ luật.pdf", PDF, "application/pdf"),
        "version": before,
    }
    response = as_user(interior_admin).post(ledger_url(year_2023), data)
    assert response.status_code == 302
    entry = Adjustment.objects.get(assessment__year=year_2023, assessment__unit__code=VQ)
    assert assessment_of(year_2023).ledger_version == before + 1
    [event] = events(audit.Kind.LEDGER_ADD, year_2023)
    assert (event.actor, event.path, event.unit.code) == (interior_admin, "page", VQ)
    assert event.changes == {
        "kind": [None, entry.kind.name],
        "direction": [None, "deduction"],
        "points": [None, "0.50"],
        "count": [None, 2],
        "reason": [None, "Hai CBCC bị kỷ luật"],
        "document": [None, "Quyết định kỷ luật.pdf"],
    }
    assert entry.document.name in event.note  # where the file is kept


def test_removing_keeps_the_whole_entry_in_the_log_and_its_document_on_disk(
    as_user, interior_admin, year_2023
):
    entry = add_adjustment(
        assessment=assessment_of(year_2023),
        roles=roles_of(interior_admin),
        user=interior_admin,
        kind="other-deduction",
        points=Decimal("1.25"),
        reason="Theo kết luận thanh tra",
        document=SimpleUploadedFile("ket-luan.pdf", PDF, "application/pdf"),
    )
    stored = entry.document.name
    version = assessment_of(year_2023).ledger_version
    response = as_user(interior_admin).post(remove_url(year_2023, entry), {"version": version})
    assert response.status_code == 302
    assert not Adjustment.objects.filter(pk=entry.pk).exists()
    assert assessment_of(year_2023).ledger_version == version + 1
    [event] = events(audit.Kind.LEDGER_REMOVE, year_2023)
    assert event.actor == interior_admin
    assert event.changes == {
        "kind": [entry.kind.name, None],
        "direction": ["deduction", None],
        "points": ["1.25", None],
        "reason": ["Theo kết luận thanh tra", None],
        "document": [stored, None],
    }
    assert stored in event.note
    # The file stays: the removed record, with its proof, can still be read.
    assert entry.document.storage.exists(stored)
    with entry.document.storage.open(stored, "rb") as kept:
        assert kept.read() == PDF


def test_a_refused_addition_leaves_no_line(interior_admin, year_2023):
    with pytest.raises(ValidationError):
        add(interior_admin, year_2023, reason="   ")
    assert events(audit.Kind.LEDGER_ADD, year_2023) == []
    assert assessment_of(year_2023).ledger_version == 0


# --- the optimistic lock ----------------------------------------------------------------------


def test_an_addition_from_a_stale_page_is_refused_showing_the_ledger_as_it_is(
    interior_admin, year_2023
):
    first, second = signed_in(interior_admin), signed_in(interior_admin)
    shown = first.get(ledger_url(year_2023)).context["form"]["version"].value()
    # Meanwhile another admin enters the same deduction.
    data = {"kind": kind_pk("other-deduction"), "points": "1", "reason": "Báo cáo trễ"}
    assert second.post(ledger_url(year_2023), {**data, "version": shown}).status_code == 302
    response = first.post(ledger_url(year_2023), {**data, "version": shown})
    assert response.status_code == 409
    html = response.content.decode()
    assert STALE in html
    assert reasons(year_2023) == ["Báo cáo trễ"]  # entered once, not twice
    assert html.count('data-testid="entry"') == 1  # the ledger as it now is
    # The input stays, now over the current ledger: sending it again is a deliberate choice.
    form = response.context["form"]
    assert form["reason"].value() == "Báo cáo trễ"
    assert int(form["version"].value()) == assessment_of(year_2023).ledger_version
    assert first.post(ledger_url(year_2023), form.data).status_code == 302
    assert reasons(year_2023) == ["Báo cáo trễ", "Báo cáo trễ"]


def test_a_removal_from_a_stale_page_is_refused(interior_admin, year_2023):
    entry = add(interior_admin, year_2023, reason="Nhập nhầm")
    shown = assessment_of(year_2023).ledger_version
    add(interior_admin, year_2023, reason="Thay cho mục nhập nhầm")  # another admin, meanwhile
    client = signed_in(interior_admin)
    response = client.post(remove_url(year_2023, entry), {"version": shown})
    assert response.status_code == 302
    assert Adjustment.objects.filter(pk=entry.pk).exists()
    html = client.get(response.url).content.decode()
    assert STALE in html
    assert "Thay cho mục nhập nhầm" in html
    assert events(audit.Kind.LEDGER_REMOVE, year_2023) == []


@pytest.mark.parametrize("version", [None, "", "abc"])
def test_a_page_that_does_not_say_its_version_is_refused(interior_admin, year_2023, version):
    entry = add(interior_admin, year_2023)
    client = signed_in(interior_admin)
    data = {} if version is None else {"version": version}
    client.post(remove_url(year_2023, entry), data)
    assert Adjustment.objects.filter(pk=entry.pk).exists()
    added = {"kind": kind_pk("other-bonus"), "points": "1", "reason": "Sáng kiến", **data}
    response = client.post(ledger_url(year_2023), added)
    assert response.status_code in (200, 409)
    assert reasons(year_2023) == ["Báo cáo trễ"]


def test_the_service_checks_the_version_it_is_given(interior_admin, year_2023):
    add(interior_admin, year_2023, version=0)
    with pytest.raises(ConflictError):
        add(interior_admin, year_2023, reason="Lần hai", version=0)
    entry = Adjustment.objects.get(assessment__year=year_2023, assessment__unit__code=VQ)
    with pytest.raises(ConflictError):
        remove_adjustment(adjustment=entry, roles=roles_of(interior_admin), version=0)
    remove_adjustment(adjustment=entry, roles=roles_of(interior_admin), version=1)
    assert reasons(year_2023) == []


def test_removing_an_entry_already_removed_is_refused_with_a_message(interior_admin, year_2023):
    entry = add(interior_admin, year_2023)
    remove_adjustment(adjustment=entry, roles=roles_of(interior_admin))
    with pytest.raises(ValidationError, match="không còn trong sổ"):
        remove_adjustment(adjustment=entry, roles=roles_of(interior_admin))
    assert len(events(audit.Kind.LEDGER_REMOVE, year_2023)) == 1


def test_the_appraiser_may_not_remove(appraiser, interior_admin, year_2023):
    entry = add(interior_admin, year_2023)
    response = signed_in(appraiser).post(remove_url(year_2023, entry), {"version": 1})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        remove_adjustment(adjustment=entry, roles=roles_of(appraiser), version=1)
    assert Adjustment.objects.filter(pk=entry.pk).exists()


def test_the_page_carries_the_ledger_version(as_user, interior_admin, year_2023):
    add(interior_admin, year_2023)
    add(interior_admin, year_2023, reason="Lần hai")
    html = as_user(interior_admin).get(ledger_url(year_2023)).content.decode()
    # The add form and each entry's remove form.
    assert html.count('name="version" value="2"') == 3
