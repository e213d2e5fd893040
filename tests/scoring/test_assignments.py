"""Who appraises which field of a year: each changed field leaves an audit line with old → new,
a page opened before a colleague's save never undoes it, the same field changed from two stale
pages is refused with what it is now, and the page's query count is fixed."""

import re

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from scoring.models import AuditEvent, FieldAssignment
from scoring.services import ConflictError, set_assignments
from tests.scoring.appraisal_helpers import node_of
from units.roles import roles_of

pytestmark = pytest.mark.django_db

STALE = "Chưa lưu: trang phân công đã cũ."


@pytest.fixture
def new_appraiser(db):
    user = User.objects.create_user("stp.thamdinh", first_name="Sở Tư", last_name="pháp")
    user.groups.add(Group.objects.get(name="appraiser"))
    return user


def url(year):
    return reverse("assignments", args=[year.pk])


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def open_page(client, year) -> dict[str, str]:
    """What the page's form posts as shown: its hidden input and its ticked boxes."""
    html = client.get(url(year)).content.decode()
    data = {"shown": re.search(r'name="shown" value="([^"]*)"', html).group(1)}
    for name in re.findall(r'name="(a-\d+-\d+)"[^>]*checked', html):
        data[name] = "on"
    return data


def box(year, code, user):
    return f"a-{node_of(year, code).pk}-{user.pk}"


def appraisers_of(year, code):
    return sorted(
        FieldAssignment.objects.filter(year=year, field__code=code).values_list(
            "appraiser__username", flat=True
        )
    )


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_each_changed_field_has_an_audit_line_with_old_and_new(
    interior_admin, appraiser, new_appraiser, year_2023
):
    client = signed_in(interior_admin)
    page = open_page(client, year_2023)
    page[box(year_2023, "2", new_appraiser)] = "on"
    del page[box(year_2023, "3", appraiser)]
    response = client.post(url(year_2023), page, follow=True)
    assert messages_of(response) == ["Đã lưu phân công thẩm định."]
    assert appraisers_of(year_2023, "2") == ["snv.thamdinh", "stp.thamdinh"]
    assert appraisers_of(year_2023, "3") == []
    lines = {
        e.field_code: e
        for e in AuditEvent.objects.filter(kind=AuditEvent.Kind.ASSIGNMENT, year=year_2023)
    }
    assert set(lines) == {"2", "3"}
    assert lines["2"].changes == {
        "appraisers": [["snv.thamdinh"], ["snv.thamdinh", "stp.thamdinh"]]
    }
    assert lines["3"].changes == {"appraisers": [["snv.thamdinh"], []]}
    assert lines["2"].actor == interior_admin
    assert lines["2"].target.startswith("2. ")


def test_saving_an_unchanged_page_writes_nothing(interior_admin, year_2023):
    client = signed_in(interior_admin)
    before = set(FieldAssignment.objects.values_list("pk", "field", "appraiser"))
    response = client.post(url(year_2023), open_page(client, year_2023), follow=True)
    assert messages_of(response) == ["Không có phân công nào thay đổi."]
    assert set(FieldAssignment.objects.values_list("pk", "field", "appraiser")) == before
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.ASSIGNMENT).exists()


def test_a_stale_page_does_not_undo_a_colleagues_field(
    interior_admin, appraiser, new_appraiser, year_2023
):
    first, second = signed_in(interior_admin), signed_in(interior_admin)
    page_1, page_2 = open_page(first, year_2023), open_page(second, year_2023)
    page_1[box(year_2023, "2", new_appraiser)] = "on"
    assert first.post(url(year_2023), page_1).status_code == 302
    del page_2[box(year_2023, "3", appraiser)]
    assert second.post(url(year_2023), page_2).status_code == 302
    assert appraisers_of(year_2023, "2") == ["snv.thamdinh", "stp.thamdinh"]  # kept
    assert appraisers_of(year_2023, "3") == []


def test_the_same_field_from_two_stale_pages_is_refused(
    interior_admin, appraiser, new_appraiser, year_2023
):
    first, second = signed_in(interior_admin), signed_in(interior_admin)
    page_1, page_2 = open_page(first, year_2023), open_page(second, year_2023)
    page_1[box(year_2023, "2", new_appraiser)] = "on"
    assert first.post(url(year_2023), page_1).status_code == 302
    before = set(FieldAssignment.objects.values_list("pk", "field", "appraiser"))
    del page_2[box(year_2023, "2", appraiser)]  # field 2 to nobody, from a stale page
    del page_2[box(year_2023, "4", appraiser)]  # and field 4, not conflicting
    response = second.post(url(year_2023), page_2)
    assert response.status_code == 409
    assert messages_of(response) == [
        "Lĩnh vực 2: người khác đã sửa phân công sau khi bạn mở trang, nay là: Chuyên viên "
        "thẩm định Sở Nội vụ, Sở Tư pháp. Bản của bạn chưa được lưu; lưu lại lần nữa sẽ ghi "
        "bản của bạn."
    ]
    assert set(FieldAssignment.objects.values_list("pk", "field", "appraiser")) == before
    html = response.content.decode()
    # The user's boxes stay on the fields they changed; saving again is deliberate.
    assert not re.search(rf'name="{box(year_2023, "2", appraiser)}"[^>]*checked', html)
    assert not re.search(rf'name="{box(year_2023, "2", new_appraiser)}"[^>]*checked', html)
    assert not re.search(rf'name="{box(year_2023, "4", appraiser)}"[^>]*checked', html)
    again = {"shown": re.search(r'name="shown" value="([^"]*)"', html).group(1)}
    again.update({n: "on" for n in re.findall(r'name="(a-\d+-\d+)"[^>]*checked', html)})
    assert second.post(url(year_2023), again).status_code == 302
    assert appraisers_of(year_2023, "2") == appraisers_of(year_2023, "4") == []
    assert appraisers_of(year_2023, "3") == ["snv.thamdinh"]


@pytest.mark.parametrize("shown", [None, "2:x"])
def test_a_form_that_does_not_say_what_it_showed_is_refused(
    interior_admin, new_appraiser, year_2023, shown
):
    client = signed_in(interior_admin)
    before = set(FieldAssignment.objects.values_list("pk", "field", "appraiser"))
    data = {box(year_2023, "2", new_appraiser): "on"}  # would clear every other field
    if shown is not None:
        data["shown"] = shown
    response = client.post(url(year_2023), data)
    assert response.status_code == 200
    assert messages_of(response)[0].startswith(STALE)
    assert set(FieldAssignment.objects.values_list("pk", "field", "appraiser")) == before


def test_the_service_refuses_a_field_changed_since_it_was_shown(
    interior_admin, appraiser, new_appraiser, year_2023
):
    roles = roles_of(interior_admin)
    field2 = node_of(year_2023, "2").pk
    shown = set(FieldAssignment.objects.filter(year=year_2023).values_list("field", "appraiser"))
    set_assignments(
        year=year_2023,
        roles=roles,
        user=interior_admin,
        pairs=shown | {(field2, new_appraiser.pk)},
        shown=shown,
    )
    with pytest.raises(ConflictError) as refused:
        set_assignments(
            year=year_2023,
            roles=roles,
            user=interior_admin,
            pairs=shown - {(field2, appraiser.pk)},
            shown=shown,
        )
    [conflict] = refused.value.conflicts
    assert (conflict.key.code, conflict.theirs) == ("2", ["snv.thamdinh", "stp.thamdinh"])
    assert appraisers_of(year_2023, "2") == ["snv.thamdinh", "stp.thamdinh"]


def test_a_deactivated_appraisers_assignment_is_neither_shown_nor_changed(
    interior_admin, appraiser, new_appraiser, year_2023
):
    FieldAssignment.objects.create(
        year=year_2023, field=node_of(year_2023, "2"), appraiser=new_appraiser
    )
    new_appraiser.is_active = False
    new_appraiser.save()
    client = signed_in(interior_admin)
    page = open_page(client, year_2023)
    assert box(year_2023, "2", new_appraiser) not in page
    del page[box(year_2023, "2", appraiser)]
    assert client.post(url(year_2023), page).status_code == 302
    assert appraisers_of(year_2023, "2") == ["stp.thamdinh"]
    [line] = AuditEvent.objects.filter(kind=AuditEvent.Kind.ASSIGNMENT)
    assert line.changes == {"appraisers": [["snv.thamdinh", "stp.thamdinh"], ["stp.thamdinh"]]}


@pytest.mark.parametrize("extra", [0, 3])
def test_the_page_query_count_is_fixed(interior_admin, year_2023, django_assert_num_queries, extra):
    group = Group.objects.get(name="appraiser")
    for n in range(extra):
        User.objects.create_user(f"tham-dinh-{n}").groups.add(group)
    client = signed_in(interior_admin)
    # 1 session, 2 user, 3 groups and 4 memberships (roles_of), 5 the year with its level and
    # framework, 6 the fields, 7 the appraisers, 8 the assignments. None per field or person.
    # 9 the bell's unread notifications (menu).
    with django_assert_num_queries(9):
        response = client.get(url(year_2023))
    assert response.status_code == 200
    assert response.content.decode().count('type="checkbox"') == 10 * (1 + extra)
