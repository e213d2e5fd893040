"""Two Interior Department users on the 2023 survey grid at once: a page opened before a
colleague's save never undoes it, the same cell changed from two stale pages is refused with the
colleague's score shown (409), the audit log says who changed what, and the page's query count
does not grow with the number of units."""

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from scoring.models import Assessment, AuditEvent, LeafScore
from tests.scoring.appraisal_helpers import assessment_of, leaf, node_of

pytestmark = pytest.mark.django_db

CL, KA, HL = "can-loc", "ky-anh", "tx-hong-linh"
NOT_SAVED = "Chưa lưu: có người khác vừa lưu 1 ô bạn đang sửa."


class _Inputs(HTMLParser):
    """The inputs a browser would post from the page (text and hidden)."""

    def __init__(self):
        super().__init__()
        self.values = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") in ("text", "hidden") and attrs.get("name"):
            self.values[attrs["name"]] = attrs.get("value") or ""


def inputs_of(response) -> dict[str, str]:
    reader = _Inputs()
    reader.feed(response.content.decode())
    return {k: v for k, v in reader.values.items() if k.startswith("s-")}


def survey_url(year):
    return reverse("survey", args=[year.pk])


def cell(year, unit, code):
    return f"s-{assessment_of(year, unit).pk}-{node_of(year, code).pk}"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def open_page(client, year) -> dict[str, str]:
    response = client.get(survey_url(year))
    assert response.status_code == 200
    return inputs_of(response)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def layer():
    return sorted(LeafScore.objects.filter(node__rule="survey").values_list("pk", "r1_score"))


def score(year, unit, code):
    return leaf(year, code, unit).r1_score


def test_a_stale_page_does_not_undo_a_colleagues_cell(interior_admin, appraiser, year_2023):
    """The issue: Can Lộc 10.1 saved by one, then Kỳ Anh 10.2 by the other from a page opened
    before: Can Lộc used to go back to its old score, silently."""
    first, second = signed_in(interior_admin), signed_in(appraiser)
    page_1, page_2 = open_page(first, year_2023), open_page(second, year_2023)
    ka_before = leaf(year_2023, "10.2", KA)
    page_1[cell(year_2023, CL, "10.1")] = "9,11"
    assert first.post(survey_url(year_2023), page_1).status_code == 302
    page_2[cell(year_2023, KA, "10.2")] = "8,22"
    response = second.post(survey_url(year_2023), page_2)
    assert response.status_code == 302
    assert score(year_2023, CL, "10.1") == Decimal("9.11")  # kept, not undone
    assert score(year_2023, KA, "10.2") == Decimal("8.22")
    row = leaf(year_2023, "10.2", KA)
    assert (row.appraised_by, row.appraisal_version) == (
        appraiser,
        ka_before.appraisal_version + 1,
    )
    assert leaf(year_2023, "10.1", CL).appraised_by == interior_admin


def test_the_same_cell_from_two_stale_pages_is_refused_with_their_score(
    interior_admin, appraiser, year_2023
):
    first, second = signed_in(interior_admin), signed_in(appraiser)
    page_1, page_2 = open_page(first, year_2023), open_page(second, year_2023)
    target, other, elsewhere = (
        cell(year_2023, CL, "10.1"),
        cell(year_2023, KA, "10.2"),
        cell(year_2023, HL, "10.2"),
    )
    page_1[target] = "9,11"
    page_1[elsewhere] = "7,5"
    assert first.post(survey_url(year_2023), page_1).status_code == 302
    before = layer()

    page_2[target] = "8,5"
    page_2[other] = "8,22"
    response = second.post(survey_url(year_2023), page_2)
    assert response.status_code == 409
    # Nothing saved, not even Kỳ Anh's cell.
    assert layer() == before
    assert messages_of(response)[0].startswith(NOT_SAVED)
    html = response.content.decode()
    assert html.count('data-testid="conflict"') == 1
    assert "Quản trị Sở Nội vụ vừa lưu: <strong>9,11</strong>" in html
    shown = inputs_of(response)
    assert shown[target] == "8,5" and shown[other] == "8,22"  # the user's inputs stay
    assert shown[target + "-was"] == "9.11"  # now standing on their version
    assert shown[target + "-v"] == str(leaf(year_2023, "10.1", CL).appraisal_version)
    assert shown[elsewhere] == "7,50"  # a cell the user left alone shows what is stored now

    # Saving again is deliberate: it replaces their score, and leaves Hồng Lĩnh's alone.
    response = second.post(survey_url(year_2023), shown)
    assert response.status_code == 302
    assert score(year_2023, CL, "10.1") == Decimal("8.5")
    assert score(year_2023, KA, "10.2") == Decimal("8.22")
    assert score(year_2023, HL, "10.2") == Decimal("7.5")


def test_a_post_that_does_not_say_what_it_showed_is_refused_when_it_changes_a_cell(
    interior_admin, year_2023
):
    """An old page (no hidden inputs): nobody can tell what the user saw."""
    client = signed_in(interior_admin)
    target = cell(year_2023, CL, "10.1")
    before = score(year_2023, CL, "10.1")
    response = client.post(survey_url(year_2023), {target: "5"})
    assert response.status_code == 409
    assert score(year_2023, CL, "10.1") == before
    assert inputs_of(response)[target] == "5"
    response = client.post(survey_url(year_2023), inputs_of(response))
    assert response.status_code == 302
    assert score(year_2023, CL, "10.1") == Decimal(5)


def test_unchanged_cells_are_not_written_and_say_so(interior_admin, year_2023):
    client = signed_in(interior_admin)
    before = layer()
    response = client.post(survey_url(year_2023), open_page(client, year_2023), follow=True)
    assert messages_of(response) == ["Không có điểm nào thay đổi."]
    assert layer() == before
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.SURVEY).exists()


def test_each_saved_cell_has_an_audit_line_with_its_author(interior_admin, year_2023):
    client = signed_in(interior_admin)
    page = open_page(client, year_2023)
    old = score(year_2023, CL, "10.1")
    page[cell(year_2023, CL, "10.1")] = "9,11"
    page[cell(year_2023, KA, "10.2")] = ""  # cleared
    ka_old = score(year_2023, KA, "10.2")
    assert client.post(survey_url(year_2023), page).status_code == 302
    lines = {
        e.target: e for e in AuditEvent.objects.filter(kind=AuditEvent.Kind.SURVEY, year=year_2023)
    }
    assert set(lines) == {"Huyện Can Lộc · 10.1", "Huyện Kỳ Anh · 10.2"}
    line = lines["Huyện Can Lộc · 10.1"]
    assert (line.actor, line.actor_name) == (interior_admin, "Quản trị Sở Nội vụ (snv.quantri)")
    assert (line.unit, line.node_code, line.field_code) == (
        assessment_of(year_2023, CL).unit,
        "10.1",
        "10",
    )
    assert line.changes == {"r1_score": [format(old, "f"), "9.11"]}
    assert lines["Huyện Kỳ Anh · 10.2"].changes == {"r1_score": [format(ka_old, "f"), None]}
    assert line.path == AuditEvent.Path.PAGE


def test_a_refused_save_leaves_no_audit_line(interior_admin, appraiser, year_2023):
    first, second = signed_in(interior_admin), signed_in(appraiser)
    page_1, page_2 = open_page(first, year_2023), open_page(second, year_2023)
    page_1[cell(year_2023, CL, "10.1")] = "9,11"
    first.post(survey_url(year_2023), page_1)
    page_2[cell(year_2023, CL, "10.1")] = "8,5"
    page_2[cell(year_2023, KA, "10.2")] = "8,22"
    assert second.post(survey_url(year_2023), page_2).status_code == 409
    assert list(
        AuditEvent.objects.filter(kind=AuditEvent.Kind.SURVEY).values_list("actor", flat=True)
    ) == [interior_admin.pk]


# --- query counts -----------------------------------------------------------------------------


def keep_units(year, count):
    """The year with only its first ``count`` units by name (rolled back with the test)."""
    keep = list(
        Assessment.objects.filter(year=year).order_by("unit__name").values_list("pk", flat=True)
    )[:count]
    Assessment.objects.filter(year=year).exclude(pk__in=keep).delete()


@pytest.mark.parametrize("units", [13, 3])
def test_the_pages_query_counts_do_not_grow_with_the_units(
    interior_admin, year_2023, django_assert_num_queries, units
):
    keep_units(year_2023, units)
    client = signed_in(interior_admin)
    # 1 session, 2 user, 3 groups and 4 memberships (roles_of), 5 the year with its level and
    # framework, 6 the survey leaves, 7 the assessments with their unit, 8 the stored scores
    # with who saved them. None per unit or per cell.
    # + a savepoint, the session's update and its release: a message set or shown is kept in
    # the session (never in a cookie), which then is saved.
    # + 9 the bell's unread notifications (menu).
    with django_assert_num_queries(9):
        response = client.get(survey_url(year_2023))
    page = inputs_of(response)
    assert len(page) == units * 2 * 3
    assessments = list(
        Assessment.objects.filter(year=year_2023).order_by("unit__name").select_related("unit")
    )
    for assessment in assessments[:2]:
        page[f"s-{assessment.pk}-{node_of(year_2023, '10.1').pk}"] = "1,25"
    # 1–8 as above (the grid the form stands on), then the save: 9 savepoint, 10 the year
    # locked, 11 the survey leaves, 12 the fields, 13 the assessments with their unit, 14 the
    # stored scores locked, with who saved them, 15 the rows updated, 16 their history, 17 the
    # audit lines, 18 savepoint released. The same for 2 cells of 3 units as of 13.
    with django_assert_num_queries(21):
        response = client.post(survey_url(year_2023), page)
    assert response.status_code == 302
    assert (
        LeafScore.objects.filter(
            assessment__in=assessments[:2], node__code="10.1", r1_score=Decimal("1.25")
        ).count()
        == 2
    )
