"""The bonus/deduction ledger's integrity: one optimistic lock over the whole ledger, and an
audit trail in which every addition and every removal (with what was removed) stays."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from scoring import access, audit
from scoring.models import Adjustment, AdjustmentKind, Assessment, AssessmentYear, AuditEvent
from scoring.selectors import year_results
from scoring.selectors.ledger import kind_effect
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


# --- who may add, and why not ---------------------------------------------------------------

WHO = (
    "Quản trị Sở Nội vụ thêm, xóa mục của sổ từ bước Thẩm định đến trước khi công bố; "
    "chuyên viên thẩm định xem sổ."
)
ROLE_REFUSAL = "Bạn chỉ xem được sổ này: chỉ Quản trị Sở Nội vụ được thêm, xóa mục."


def why_not(html):
    found = re.search(r'data-testid="why-not">(.*?)</p>', html, re.S)
    return found.group(1) if found else None


def test_the_admin_is_told_who_may_add_and_given_the_form(as_user, interior_admin, year_2023):
    html = as_user(interior_admin).get(ledger_url(year_2023)).content.decode()
    assert WHO in html
    assert why_not(html) is None
    assert "Thêm mục" in html


@pytest.mark.parametrize("year_fixture", ["year_2022", "year_2023", "year_2024"])
def test_an_appraiser_is_told_the_role_keeps_the_ledger_for_admins(
    as_user, request, appraiser, interior_admin, year_fixture
):
    year = request.getfixturevalue(year_fixture)
    if year.in_appraisal:
        add(interior_admin, year)
    html = as_user(appraiser).get(ledger_url(year)).content.decode()
    assert WHO in html
    # The role first: in any step of the year, the answer is the same.
    assert why_not(html) == ROLE_REFUSAL
    assert "Thêm mục" not in html
    # Entries (the demo's 2022, the one just added in 2023), none with a remove button.
    assert ('data-testid="entry"' in html) == (year_fixture != "year_2024")
    assert "/remove/" not in html


@pytest.mark.parametrize(
    ("year_fixture", "step"), [("year_2022", "Đã công bố"), ("year_2024", "Tự đánh giá")]
)
def test_an_admin_outside_the_appraisal_is_told_the_years_step(
    as_user, request, interior_admin, year_fixture, step
):
    year = request.getfixturevalue(year_fixture)
    html = as_user(interior_admin).get(ledger_url(year)).content.decode()
    assert why_not(html) == (
        f"Kỳ đánh giá đang ở bước “{step}”: sổ chỉ được thêm, xóa từ bước Thẩm định đến "
        "trước khi công bố."
    )
    assert "Thêm mục" not in html


@pytest.mark.parametrize("state", AssessmentYear.State.values)
@pytest.mark.parametrize("who", ["interior_admin", "appraiser"])
def test_the_reason_given_and_the_rule_agree_in_every_step(request, year_2023, state, who):
    roles = roles_of(request.getfixturevalue(who))
    year_2023.state = state
    reason = access.why_not_edit_ledger(roles, year_2023)
    assert (reason is None) == access.can_edit_ledger(roles, year_2023)
    if reason is not None:
        assert reason.strip() == reason and reason.endswith(".")


# --- what each kind does --------------------------------------------------------------------

EFFECTS = {
    "no-provincial-initiative": "Trừ 0,5 điểm",
    "officials-disciplined": "Trừ 0,25 điểm mỗi trường hợp",
    "other-deduction": "Trừ số điểm nhập vào",
    "other-bonus": "Cộng số điểm nhập vào",
}


def new_kind(code, direction, points, per_occurrence=False, active=True):
    return AdjustmentKind.objects.create(
        code=code,
        name=f"Loại {code}",
        direction=direction,
        default_points=None if points is None else Decimal(points),
        per_occurrence=per_occurrence,
        is_active=active,
    )


def test_the_choice_list_says_whether_each_kind_adds_or_subtracts_and_how_much(
    as_user, interior_admin, year_2023
):
    new_kind("retired", "bonus", "2", active=False)
    response = as_user(interior_admin).get(ledger_url(year_2023))
    labels = [str(label) for value, label in response.context["form"].fields["kind"].choices]
    html = response.content.decode()
    for code, effect in EFFECTS.items():
        label = f"{AdjustmentKind.objects.get(code=code).name} — {effect}"
        assert label in labels
        assert f">{label}</option>" in html
    assert not [label for label in labels if "retired" in label]  # only active kinds offered


@pytest.mark.parametrize(
    ("direction", "points", "per_occurrence", "effect"),
    [
        ("bonus", "1.00", False, "Cộng 1 điểm"),
        ("bonus", "0.50", False, "Cộng 0,5 điểm"),
        ("deduction", "1", False, "Trừ 1 điểm"),
        ("deduction", "1.25", False, "Trừ 1,25 điểm"),
        ("bonus", "0.25", True, "Cộng 0,25 điểm mỗi trường hợp"),
        ("deduction", "10", True, "Trừ 10 điểm mỗi trường hợp"),
        ("bonus", None, False, "Cộng số điểm nhập vào"),
        ("deduction", None, True, "Trừ số điểm nhập vào"),
    ],
)
def test_a_kind_says_what_it_does_in_vietnamese_figures(direction, points, per_occurrence, effect):
    kind = AdjustmentKind(
        name="Thử",
        direction=direction,
        default_points=None if points is None else Decimal(points),
        per_occurrence=per_occurrence,
    )
    assert kind_effect(kind) == effect


def test_a_kinds_figure_follows_the_users_language():
    kind = AdjustmentKind(name="Thử", direction="deduction", default_points=Decimal("0.50"))
    with translation.override("en"):
        assert "0.5" in kind_effect(kind)
        assert "0,5" not in kind_effect(kind)


def entry_rows(html):
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
        for row in re.findall(r'<tr data-testid="entry">(.*?)</tr>', html, re.S)
    ]


def test_each_entry_shows_what_its_kind_does_and_its_signed_points(
    as_user, interior_admin, year_2023
):
    client = as_user(interior_admin)
    posts = [
        {"kind": kind_pk("officials-disciplined"), "count": "2", "reason": "Hai CBCC"},
        {"kind": kind_pk("other-bonus"), "points": "1,25", "reason": "Sáng kiến"},
    ]
    for data in posts:
        data["version"] = assessment_of(year_2023).ledger_version
        assert client.post(ledger_url(year_2023), data).status_code == 302
    rows = entry_rows(client.get(ledger_url(year_2023)).content.decode())
    disciplined = AdjustmentKind.objects.get(code="officials-disciplined").name
    assert rows[0].startswith(f"{disciplined} × 2 Trừ 0,25 điểm mỗi trường hợp −0,50 Hai CBCC")
    assert rows[1].startswith("Điểm thưởng khác Cộng số điểm nhập vào +1,25 Sáng kiến")


# --- the year's caps ------------------------------------------------------------------------


def cap_row(html, direction):
    row = re.search(rf'<tr data-testid="cap-{direction}"[^>]*>(.*?)</tr>', html, re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()


def ledger_html(client, year):
    return client.get(ledger_url(year)).content.decode()


def test_an_empty_ledger_shows_the_caps_of_the_year(as_user, interior_admin, year_2023):
    assert (year_2023.bonus_max, year_2023.deduction_max) == (Decimal(5), Decimal(10))
    html = ledger_html(as_user(interior_admin), year_2023)
    assert "Mức tối đa của năm 2023" in html
    assert cap_row(html, "bonus") == "Điểm thưởng 0,00 5,00 0,00 Còn 5 điểm."
    assert cap_row(html, "deduction") == "Điểm trừ 0,00 10,00 0,00 Còn 10 điểm."


def test_the_caps_show_what_is_used_and_what_is_left(as_user, interior_admin, year_2023):
    add(interior_admin, year_2023, points="0.5")
    add(interior_admin, year_2023, points="2")
    add_adjustment(
        assessment=assessment_of(year_2023),
        roles=roles_of(interior_admin),
        user=interior_admin,
        kind="other-bonus",
        points=Decimal("1.25"),
        reason="Sáng kiến",
    )
    html = ledger_html(as_user(interior_admin), year_2023)
    assert cap_row(html, "bonus") == "Điểm thưởng 1,25 5,00 1,25 Còn 3,75 điểm."
    assert cap_row(html, "deduction") == "Điểm trừ 2,50 10,00 2,50 Còn 7,5 điểm."


def test_entries_past_a_cap_are_shown_as_not_counted_as_the_total_does(
    as_user, interior_admin, year_2023
):
    add(interior_admin, year_2023, points="6")
    add(interior_admin, year_2023, points="5.5")
    html = ledger_html(as_user(interior_admin), year_2023)
    assert cap_row(html, "deduction") == (
        "Điểm trừ 11,50 10,00 10,00 Vượt 1,5 điểm: phần vượt không được tính."
    )
    total = next(r for r in year_results(year_2023) if r.unit.code == VQ).total
    assert total.deductions == Decimal(10)  # what the page says is counted


def test_a_block_at_its_cap_and_a_cap_of_zero(as_user, interior_admin, year_2023):
    AssessmentYear.objects.filter(pk=year_2023.pk).update(bonus_max=0)
    add(interior_admin, year_2023, points="10")
    add_adjustment(
        assessment=assessment_of(year_2023),
        roles=roles_of(interior_admin),
        user=interior_admin,
        kind="other-bonus",
        points=Decimal("1"),
        reason="Sáng kiến",
    )
    html = ledger_html(as_user(interior_admin), year_2023)
    assert cap_row(html, "deduction") == "Điểm trừ 10,00 10,00 10,00 Đã đủ mức tối đa."
    assert cap_row(html, "bonus") == (
        "Điểm thưởng 1,00 0,00 0,00 Vượt 1 điểm: phần vượt không được tính."
    )
    year_2023.refresh_from_db()
    total = next(r for r in year_results(year_2023) if r.unit.code == VQ).total
    assert (total.bonus, total.deductions) == (Decimal(0), Decimal(10))


def test_an_appraiser_sees_the_caps_too(as_user, appraiser, interior_admin, year_2023):
    add(interior_admin, year_2023, points="1")
    html = ledger_html(as_user(appraiser), year_2023)
    assert cap_row(html, "deduction") == "Điểm trừ 1,00 10,00 1,00 Còn 9 điểm."


# --- good and bad input through the page ----------------------------------------------------


def post_entry(client, year, **data):
    data.setdefault("reason", "Theo kết luận")
    data["kind"] = kind_pk(data["kind"]) if data["kind"] in EFFECTS else data["kind"]
    data["version"] = assessment_of(year).ledger_version
    return client.post(ledger_url(year), data)


@pytest.mark.parametrize(
    ("data", "stored"),
    [
        ({"kind": "other-bonus", "points": "0,5"}, ("bonus", Decimal("0.50"), None)),
        ({"kind": "other-deduction", "points": "12,25"}, ("deduction", Decimal("12.25"), None)),
        ({"kind": "officials-disciplined", "count": "3"}, ("deduction", Decimal("0.75"), 3)),
        (
            {"kind": "officials-disciplined", "count": "3", "points": "1"},
            ("deduction", Decimal("1.00"), 3),
        ),
        ({"kind": "no-provincial-initiative"}, ("deduction", Decimal("0.50"), None)),
    ],
    ids=["a bonus in Vietnamese figures", "past the cap", "per case", "per case typed", "default"],
)
def test_good_input_is_stored_as_typed(as_user, interior_admin, year_2023, data, stored):
    response = post_entry(as_user(interior_admin), year_2023, **data)
    assert response.status_code == 302
    entry = Adjustment.objects.get(assessment__year=year_2023, assessment__unit__code=VQ)
    assert (entry.direction, entry.points, entry.count) == stored


BAD_INPUT = {
    "negative points": ({"kind": "other-deduction", "points": "-1"}, "points", "số âm"),
    "points past the bound": (
        {"kind": "other-deduction", "points": "1000"},
        "points",
        "Điểm không được lớn hơn điểm tối đa (999,99).",
    ),
    "a thousands dot": (
        {"kind": "other-deduction", "points": "1.000"},
        "points",
        "Dùng dấu phẩy cho phần thập phân",
    ),
    "words for points": ({"kind": "other-bonus", "points": "một"}, "points", "Nhập một số."),
    "a count with decimals": (
        {"kind": "officials-disciplined", "count": "1,5"},
        "count",
        "Nhập số nguyên",
    ),
    "no kind": ({"kind": ""}, "kind", None),
    "an unknown kind": ({"kind": "999999"}, "kind", None),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_is_refused_on_its_field_and_nothing_stored(
    as_user, interior_admin, year_2023, case
):
    data, field, message = BAD_INPUT[case]
    response = post_entry(as_user(interior_admin), year_2023, **data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    if message is not None:
        assert any(message in error for error in errors[field]), errors[field]
        assert message in response.content.decode()
    assert reasons(year_2023) == []
    assert assessment_of(year_2023).ledger_version == 0


def test_a_kind_retired_after_the_page_was_shown_is_refused(as_user, interior_admin, year_2023):
    kind = new_kind("short-lived", "bonus", "1")
    client = as_user(interior_admin)
    assert f">{kind.name} — Cộng 1 điểm</option>" in ledger_html(client, year_2023)
    AdjustmentKind.objects.filter(pk=kind.pk).update(is_active=False)
    response = post_entry(client, year_2023, kind=kind.pk)
    assert response.status_code == 200
    assert "kind" in response.context["form"].errors
    assert reasons(year_2023) == []
