"""The Interior Department's appraisal: the service of rounds 1 and 2 (who, when, what may be
saved), the year's work list and its counts, the appraisal pages with their access matrix, and
the unit's own scorecard, which shows no appraisal score before publication."""

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from scoring import selectors
from scoring.defaults import APPRAISAL_REASONS
from scoring.models import (
    Assessment,
    AssessmentYear,
    Evidence,
    EvidenceLink,
    FieldAssignment,
    LeafScore,
)
from scoring.services import ConflictError
from tests.scoring.appraisal_helpers import (
    HL,
    VQ,
    appraise,
    entry,
    leaf,
    node_of,
)
from units.collation import name_key

pytestmark = pytest.mark.django_db  # run before the browser tests flush the database

MISSING = APPRAISAL_REASONS["missing-evidence"][0]  # "Thiếu tài liệu kiểm chứng"
LATE = APPRAISAL_REASONS["late"][0]
OTHER = APPRAISAL_REASONS["other"][0]
LEAF_NAME = re.compile(r"\d+(\.\d+)+-(score|reason|comment|flagged|version)")


# --- helpers ----------------------------------------------------------------------------------


def history_count(year, code, unit=VQ):
    row = leaf(year, code, unit)
    return LeafScore.history.filter(id=row.id).count()


def appraisal_layer(year, unit=VQ):
    """Everything an appraisal could touch in one unit's assessment."""
    return sorted(
        LeafScore.objects.filter(assessment__year=year, assessment__unit__code=unit).values_list(
            "node__code",
            "r1_score",
            "r1_reason",
            "r1_comment",
            "flagged",
            "r2_score",
            "r2_reason",
            "r2_comment",
            "appraisal_version",
            "appraised_by",
        )
    )


def to_state(year, state):
    AssessmentYear.objects.filter(pk=year.pk).update(state=state)


def work_item(year, unit=VQ):
    return next(i for i in selectors.worklist(year) if i.assessment.unit.code == unit)


def field_url(year, field="1", unit=VQ):
    return reverse("appraise_field", args=[year.pk, unit, field])


def field_block(html, name):
    """The HTML of one form field as crispy renders it: label, input and its error."""
    start = html.index(f'id="div_id_{name}"')
    end = html.find('id="div_id_', start + 1)
    return html[start : end if end != -1 else len(html)]


class _FormReader(HTMLParser):
    """What a browser would post from the appraisal form: every leaf's inputs as shown."""

    def __init__(self):
        super().__init__()
        self.data, self._select, self._textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            if attrs.get("type") == "checkbox":
                if "checked" in attrs:
                    self.data[name] = attrs.get("value") or "on"
            else:
                self.data[name] = attrs.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def field_errors(html):
    """The errors the page shows, as (input id, message)."""
    return re.findall(r'id="error_\d+_id_([^"]+)"><strong>(.*?)</strong>', html)


def form_data(html):
    reader = _FormReader()
    reader.feed(html)
    return {
        name: value.strip() if name.endswith("-comment") else value
        for name, value in reader.data.items()
        if LEAF_NAME.fullmatch(name)
    }


def shown_form(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return form_data(response.content.decode())


@pytest.fixture
def field2_appraiser(year_2023):
    """An appraiser of another department, assigned field 2 of 2023 only."""
    user = User.objects.create_user("stp.thamdinh")
    user.groups.add(Group.objects.get(name="appraiser"))
    FieldAssignment.objects.create(year=year_2023, field=node_of(year_2023, "2"), appraiser=user)
    return user


# --- service: round 1 -------------------------------------------------------------------------


def test_round_1_stores_the_appraisal_layer_only(appraiser, officer_a, year_2023):
    LeafScore.objects.filter(pk=leaf(year_2023, "1.3.2").pk).update(updated_by=officer_a)
    before = leaf(year_2023, "1.3.2")
    records = history_count(year_2023, "1.3.2")
    changed = appraise(
        appraiser,
        year_2023,
        entry(
            year_2023,
            "1.3.2",
            "0.75",
            "missing-evidence",
            "  Thiếu biên bản kiểm tra  ",
            flagged=True,
        ),
    )
    assert changed == 1
    row = leaf(year_2023, "1.3.2")
    assert row.r1_score == Decimal("0.75")
    assert row.r1_reason == MISSING == "Thiếu tài liệu kiểm chứng"  # the label, not the code
    assert row.r1_comment == "Thiếu biên bản kiểm tra"
    assert row.flagged is True
    assert row.appraised_by == appraiser
    assert row.appraisal_version == before.appraisal_version + 1
    # The unit's layer and lock are not the appraiser's.
    assert (row.version, row.updated_by) == (before.version, officer_a)
    assert (row.self_score, row.declared, row.explanation) == (
        before.self_score,
        before.declared,
        before.explanation,
    )
    assert history_count(year_2023, "1.3.2") == records + 1
    record = LeafScore.history.filter(id=row.id).latest("history_date", "history_id")
    assert (record.r1_score, record.history_user) == (Decimal("0.75"), appraiser)


def test_round_1_by_the_interior_admin(interior_admin, year_2023):
    assert appraise(interior_admin, year_2023, entry(year_2023, "1.3.2", "1")) == 1
    row = leaf(year_2023, "1.3.2")
    assert (row.r1_score, row.r1_reason, row.appraised_by) == (Decimal("1"), "", interior_admin)


def test_several_leaves_in_one_call(appraiser, year_2023):
    changed = appraise(
        appraiser,
        year_2023,
        entry(year_2023, "1.3.2", "1"),
        entry(year_2023, "1.4.2", "0.5", "late"),
        entry(year_2023, "1.1.1", "1"),
    )
    assert changed == 3
    assert leaf(year_2023, "1.4.2").r1_reason == LATE
    assert leaf(year_2023, "1.1.1").appraisal_version == 1


def test_full_marks_need_no_reason(appraiser, year_2023):
    appraise(appraiser, year_2023, entry(year_2023, "1.3.2", "1"))
    row = leaf(year_2023, "1.3.2")
    assert (row.r1_score, row.r1_reason, row.flagged) == (Decimal("1"), "", False)


def test_reason_other_with_a_comment_is_stored(appraiser, year_2023):
    appraise(appraiser, year_2023, entry(year_2023, "2.3.1", "1", "other", "Chưa tổng kết"))
    row = leaf(year_2023, "2.3.1")
    assert (row.r1_reason, row.r1_comment) == (OTHER, "Chưa tổng kết")


REFUSED = {
    "cut without a reason": (("1.3.2", "0.75", ""), "cần chọn lý do"),
    "other without a comment": (("1.3.2", "0.75", "other", "   "), "cần nhận xét"),
    "unknown reason": (("1.3.2", "0.75", "no-such-reason"), "không có trong danh sách"),
    "above the max": (("1.3.2", "1.25", "late"), "không được lớn hơn điểm tối đa"),
    "off the step": (("1.3.2", "0.3", "late"), "bội số của"),
    "negative": (("1.3.2", "-0.25", "late"), "không được âm"),
    "above the max, no step": (("3.2.1", "4.01", "late"), "không được lớn hơn điểm tối đa"),
    "three decimals": (("3.2.1", "3.333", "late"), "2 chữ số thập phân"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_bad_appraisal_is_refused_and_nothing_saved(appraiser, year_2023, case):
    args, message = REFUSED[case]
    before = appraisal_layer(year_2023)
    good = entry(year_2023, "2.3.1", "2")
    with pytest.raises(ValidationError, match=message) as exc:
        appraise(appraiser, year_2023, good, entry(year_2023, *args))
    assert any(m.startswith(f"{args[0]}: ") for m in exc.value.messages)  # names the leaf
    assert appraisal_layer(year_2023) == before


def test_a_leaf_the_unit_marked_not_applicable_is_refused(appraiser, year_2023):
    unit = "tp-ha-tinh"
    assert leaf(year_2023, "3.3.1", unit).not_applicable
    before = appraisal_layer(year_2023, unit)
    with pytest.raises(ValidationError, match="không áp dụng"):
        appraise(appraiser, year_2023, entry(year_2023, "3.3.1", "2.5", unit=unit), unit=unit)
    assert appraisal_layer(year_2023, unit) == before


def test_a_node_that_is_not_a_leaf_is_refused(appraiser, year_2023):
    with pytest.raises(ValidationError):
        appraise(appraiser, year_2023, entry(year_2023, "1.3", "2"))


def test_an_appraiser_only_appraises_the_fields_assigned_to_them(field2_appraiser, year_2023):
    before = appraisal_layer(year_2023)
    with pytest.raises(PermissionDenied):
        appraise(field2_appraiser, year_2023, entry(year_2023, "1.3.2", "1"))
    # Not even together with a leaf of their own field.
    with pytest.raises(PermissionDenied):
        appraise(
            field2_appraiser,
            year_2023,
            entry(year_2023, "2.3.1", "2"),
            entry(year_2023, "1.3.2", "1"),
        )
    assert appraisal_layer(year_2023) == before
    assert appraise(field2_appraiser, year_2023, entry(year_2023, "2.3.1", "1.5", "late")) == 1
    row = leaf(year_2023, "2.3.1")
    assert (row.r1_score, row.appraised_by) == (Decimal("1.5"), field2_appraiser)


def test_an_appraiser_without_any_assignment_appraises_nothing(year_2023):
    user = User.objects.create_user("stc.thamdinh")
    user.groups.add(Group.objects.get(name="appraiser"))
    with pytest.raises(PermissionDenied):
        appraise(user, year_2023, entry(year_2023, "2.3.1", "2"))


@pytest.mark.parametrize("who", ["officer_a", "leader_a", "officer_b", "viewer"])
def test_unit_staff_and_viewers_may_not_appraise(request, year_2023, who):
    before = appraisal_layer(year_2023)
    with pytest.raises(PermissionDenied):
        appraise(request.getfixturevalue(who), year_2023, entry(year_2023, "1.3.2", "1"))
    assert appraisal_layer(year_2023) == before


@pytest.mark.parametrize("year_fixture", ["year_2022", "year_2024"])
def test_round_1_outside_the_appraisal_state_is_refused(request, appraiser, year_fixture):
    year = request.getfixturevalue(year_fixture)  # published; self-assessment
    before = appraisal_layer(year)
    with pytest.raises(ValidationError, match="không thẩm định vòng 1"):
        appraise(appraiser, year, entry(year, "1.3.2", "0.75", "late"))
    assert appraisal_layer(year) == before


@pytest.mark.parametrize("state", ["explanation", "final_appraisal"])
def test_round_1_after_the_appraisal_state_is_refused(appraiser, year_2023, state):
    to_state(year_2023, state)
    with pytest.raises(ValidationError):
        appraise(appraiser, year_2023, entry(year_2023, "1.3.2", "0.75", "late"))
    assert leaf(year_2023, "1.3.2").r1_score is None


def test_round_2_during_the_appraisal_state_is_refused(appraiser, year_2023):
    appraise(appraiser, year_2023, entry(year_2023, "1.3.2", "0.75", "late", flagged=True))
    with pytest.raises(ValidationError, match="không thẩm định vòng 2"):
        appraise(appraiser, year_2023, entry(year_2023, "1.3.2", "1"), round_no=2)
    assert leaf(year_2023, "1.3.2").r2_score is None


# --- service: round 2 -------------------------------------------------------------------------


@pytest.fixture
def flagged_year(appraiser, year_2023):
    """2023 in final appraisal, Vũ Quang's 1.3.2 cut to 0.75 and flagged in round 1."""
    appraise(
        appraiser,
        year_2023,
        entry(year_2023, "1.3.2", "0.75", "missing-evidence", flagged=True),
        entry(year_2023, "1.4.2", "0.5", "late"),
    )
    to_state(year_2023, "final_appraisal")
    return year_2023


def test_round_2_on_a_flagged_leaf_becomes_the_final_score(appraiser, flagged_year):
    year = flagged_year
    version = leaf(year, "1.3.2").appraisal_version
    assert appraise(appraiser, year, entry(year, "1.3.2", "0.5", "late"), round_no=2) == 1
    row = leaf(year, "1.3.2")
    assert (row.r2_score, row.r2_reason) == (Decimal("0.5"), LATE)
    assert (row.r1_score, row.r1_reason, row.flagged) == (Decimal("0.75"), MISSING, True)
    assert row.appraisal_version == version + 1
    # The latest round counts, even when lower than round 1.
    assert row.final_score == Decimal("0.5")


def test_round_2_may_restore_full_marks_without_a_reason(appraiser, flagged_year):
    year = flagged_year
    appraise(appraiser, year, entry(year, "1.3.2", "1"), round_no=2)
    row = leaf(year, "1.3.2")
    assert (row.r2_score, row.r2_reason, row.final_score) == (Decimal("1"), "", Decimal("1"))


def test_round_2_on_a_leaf_not_flagged_is_refused(appraiser, flagged_year):
    year = flagged_year
    before = appraisal_layer(year)
    with pytest.raises(ValidationError, match="yêu cầu giải trình"):
        appraise(appraiser, year, entry(year, "1.4.2", "1"), round_no=2)
    with pytest.raises(ValidationError, match="yêu cầu giải trình"):
        appraise(appraiser, year, entry(year, "2.3.1", "2"), round_no=2)
    assert appraisal_layer(year) == before


def test_round_2_needs_a_reason_below_the_max_too(appraiser, flagged_year):
    year = flagged_year
    with pytest.raises(ValidationError, match="cần chọn lý do"):
        appraise(appraiser, year, entry(year, "1.3.2", "0.25"), round_no=2)
    assert leaf(year, "1.3.2").r2_score is None


# --- service: optimistic lock, unchanged entries -----------------------------------------------


def test_a_stale_version_on_a_changed_leaf_is_a_conflict_and_nothing_is_saved(
    appraiser, interior_admin, year_2023
):
    appraise(interior_admin, year_2023, entry(year_2023, "1.3.2", "1"))  # someone else, first
    before = appraisal_layer(year_2023)
    with pytest.raises(ConflictError) as exc:
        appraise(
            appraiser,
            year_2023,
            entry(year_2023, "1.4.2", "1"),  # fine on its own
            entry(year_2023, "1.3.2", "0.75", "late", version=0),  # the page showed version 0
        )
    assert [c.node.code for c in exc.value.conflicts] == ["1.3.2"]
    assert appraisal_layer(year_2023) == before
    assert leaf(year_2023, "1.4.2").r1_score is None


def test_a_stale_version_on_an_unchanged_leaf_is_no_conflict(appraiser, year_2023):
    appraise(appraiser, year_2023, entry(year_2023, "1.3.2", "1"))
    changed = appraise(
        appraiser,
        year_2023,
        entry(year_2023, "1.3.2", "1", version=0),  # same values as saved: nothing to lose
        entry(year_2023, "1.4.2", "1"),
    )
    assert changed == 1
    assert leaf(year_2023, "1.3.2").appraisal_version == 1


def test_an_unchanged_entry_changes_nothing(appraiser, year_2023):
    records = history_count(year_2023, "1.3.2")
    before = appraisal_layer(year_2023)
    assert appraise(appraiser, year_2023, entry(year_2023, "1.3.2")) == 0  # empty, as stored
    assert appraisal_layer(year_2023) == before
    assert history_count(year_2023, "1.3.2") == records
    appraise(appraiser, year_2023, entry(year_2023, "1.3.2", "0.75", "late", "Trễ", True))
    before = appraisal_layer(year_2023)
    records = history_count(year_2023, "1.3.2")
    again = entry(year_2023, "1.3.2", "0.75", "late", "Trễ", True)
    assert appraise(appraiser, year_2023, again) == 0
    assert appraisal_layer(year_2023) == before
    assert history_count(year_2023, "1.3.2") == records


# --- work list --------------------------------------------------------------------------------


def test_worklist_counts_and_stage_of_a_unit_awaiting_round_1(appraiser, year_2023):
    # Vũ Quang's field 1 (8 leaves) awaits round 1; the survey leaves' scores come from the
    # survey table and are not counted as an appraisal.
    item = work_item(year_2023)
    assert (item.appraised, item.leaves, item.flagged, item.answered) == (35, 43, 0, 0)
    assert item.stage == "Đang thẩm định"
    appraise(
        appraiser,
        year_2023,
        entry(year_2023, "1.3.2", "0.75", "late", flagged=True),
        entry(year_2023, "1.1.1", "1"),
    )
    item = work_item(year_2023)
    assert (item.appraised, item.flagged) == (37, 1)
    # Other units are not affected.
    other = work_item(year_2023, HL)
    assert (other.appraised, other.flagged) == (other.leaves, 0)


@pytest.mark.parametrize("unit", ["can-loc", "tp-ha-tinh"])
def test_worklist_of_a_fully_appraised_unit(year_2023, unit):
    item = work_item(year_2023, unit)
    assert item.appraised == item.leaves > 0  # tp-ha-tinh: its N/A leaf is not counted
    assert item.stage == "Đã thẩm định vòng 1"


def test_worklist_lists_every_unit_in_vietnamese_order(year_2023):
    items = selectors.worklist(year_2023)
    names = [item.assessment.unit.name for item in items]
    assert len(items) == Assessment.objects.filter(year=year_2023).count() == 13
    assert names == sorted(names, key=name_key)
    # Đ sorts after D, before H (code-point order would put it after every plain letter).
    assert names.index("Huyện Đức Thọ") < names.index("Huyện Hương Khê")
    assert names != sorted(names)


def test_worklist_stage_in_final_appraisal(appraiser, year_2023):
    appraise(appraiser, year_2023, entry(year_2023, "1.3.2", "0.75", "late", flagged=True))
    to_state(year_2023, "final_appraisal")
    year = AssessmentYear.objects.get(pk=year_2023.pk)
    assert work_item(year).stage == "Đang thẩm định lại"
    appraise(appraiser, year, entry(year, "1.3.2", "1"), round_no=2)
    item = work_item(year)
    assert (item.flagged, item.reappraised, item.stage) == (1, 1, "Đã có điểm cuối cùng")


def test_worklist_query_count_is_fixed(year_2023, django_assert_num_queries):
    # The framework's leaf count, the leaf-score counts grouped by assessment, and the
    # assessments with their unit and year.
    with django_assert_num_queries(3):
        items = selectors.worklist(year_2023)
    with django_assert_num_queries(0):
        [(item.stage, item.assessment.unit.name) for item in items]


# --- pages: access matrix ---------------------------------------------------------------------

WHO = ["anonymous", "officer_a", "leader_a", "officer_b", "viewer", "appraiser", "interior_admin"]
# Nobody but the Interior Department knows the appraisal pages exist.
OUTCOME = {
    "anonymous": "login",
    "officer_a": 404,
    "leader_a": 404,
    "officer_b": 404,
    "viewer": 404,
    "appraiser": "ok",
    "interior_admin": "ok",
}


@pytest.fixture
def client_of(request, client):
    def sign_in(who):
        if who != "anonymous":
            client.force_login(request.getfixturevalue(who))
        return client

    return sign_in


def _worklist(client, year):
    response = client.get(reverse("worklist", args=[year.pk]))
    if response.status_code == 200:
        html = response.content.decode()
        assert "Huyện Vũ Quang" in html
        assert reverse("appraise", args=[year.pk, VQ]) in html
    return response


def _appraise(client, year):
    response = client.get(reverse("appraise", args=[year.pk, VQ]))
    if response.status_code == 302 and "login" not in response.url:
        assert response.url == field_url(year, "1")
    return response


def _field_get(client, year):
    response = client.get(field_url(year))
    if response.status_code == 200:
        html = response.content.decode()
        assert 'name="1.3.2-score"' in html
        assert 'data-testid="readonly"' not in html
    return response


def _field_post(client, year):
    data = {"1.3.2-version": "0", "1.3.2-score": "0,75", "1.3.2-reason": "missing-evidence"}
    response = client.post(field_url(year), data)
    if response.status_code == 302 and "login" not in response.url:
        assert response.url == field_url(year, "1")
    return response


ACTIONS = {
    "worklist GET": (_worklist, 200),
    "appraise GET": (_appraise, 302),
    "appraise_field GET": (_field_get, 200),
    "appraise_field POST": (_field_post, 302),
}


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_access_matrix(request, client_of, year_2023, action, who):
    run, ok_status = ACTIONS[action]
    response = run(client_of(who), year_2023)
    expected = OUTCOME[who]
    if expected == "login":
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    elif expected == "ok":
        assert response.status_code == ok_status
    else:
        assert response.status_code == expected
    if action == "appraise_field POST":
        row = leaf(year_2023, "1.3.2")
        stored = (row.r1_score, row.r1_reason)
        assert stored == ((Decimal("0.75"), MISSING) if expected == "ok" else (None, ""))
        if expected == "ok":
            assert row.appraised_by == request.getfixturevalue(who)


@pytest.mark.parametrize("who", ["officer_a", "viewer"])
def test_unknown_unit_year_or_field_is_404(as_user, request, appraiser, year_2023, who):
    client = as_user(appraiser)
    assert client.get(field_url(year_2023, "99")).status_code == 404
    assert client.get(field_url(year_2023, "1.3")).status_code == 404
    assert client.get(field_url(year_2023, unit="no-such-unit")).status_code == 404
    assert client.get(reverse("worklist", args=[999999])).status_code == 404
    # The same for unit staff and viewers: nothing tells them whether it exists.
    other = as_user(request.getfixturevalue(who))
    assert other.get(field_url(year_2023, "99")).status_code == 404


# --- pages: assigned fields, states -----------------------------------------------------------


def test_an_unassigned_field_is_read_only_and_its_post_refused(
    as_user, field2_appraiser, year_2023
):
    client = as_user(field2_appraiser)
    html = client.get(field_url(year_2023, "1")).content.decode()
    assert 'data-testid="readonly"' in html
    assert "Lĩnh vực này không được phân công cho bạn; bạn chỉ xem." in html
    assert "Lưu điểm thẩm định" not in html
    before = appraisal_layer(year_2023)
    data = {"1.3.2-version": "0", "1.3.2-score": "0,75", "1.3.2-reason": "late"}
    assert client.post(field_url(year_2023, "1"), data).status_code == 403
    assert appraisal_layer(year_2023) == before
    # Their own field is theirs to appraise.
    response = client.get(field_url(year_2023, "2"))
    assert response.status_code == 200
    assert 'data-testid="readonly"' not in response.content.decode()
    data = {"2.3.1-version": "0", "2.3.1-score": "1,5", "2.3.1-reason": "late"}
    assert client.post(field_url(year_2023, "2"), data).status_code == 302
    assert leaf(year_2023, "2.3.1").r1_score == Decimal("1.5")


@pytest.mark.parametrize("year_fixture", ["year_2022", "year_2024"])
@pytest.mark.parametrize("who", ["appraiser", "interior_admin"])
def test_outside_appraisal_the_pages_are_read_only(as_user, request, year_fixture, who):
    year = request.getfixturevalue(year_fixture)
    client = as_user(request.getfixturevalue(who))
    response = client.get(field_url(year))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="readonly"' in html
    assert "Kỳ đánh giá không ở bước thẩm định; bạn chỉ xem." in html
    before = appraisal_layer(year)
    data = {"1.3.2-version": "0", "1.3.2-score": "0,5", "1.3.2-reason": "late"}
    assert client.post(field_url(year), data).status_code == 403
    assert appraisal_layer(year) == before


# --- pages: what the appraiser sees -----------------------------------------------------------


def test_the_page_shows_the_units_entry(as_user, appraiser, year_2023):
    row = leaf(year_2023, "1.3.2")
    evidence = Evidence.objects.create(
        assessment=row.assessment,
        file="evidence/test/bien-ban.pdf",
        original_name="bien-ban-kiem-tra.pdf",
        content_type="application/pdf",
        size=100,
    )
    EvidenceLink.objects.create(evidence=evidence, leaf=row, reference="Trang 3")
    html = as_user(appraiser).get(field_url(year_2023)).content.decode()
    # The unit's self-score, its declared figures in words, its explanation and evidence.
    assert re.search(r'data-testid="self-1-3-2">\s*1,00\s*<', html)
    assert re.search(r'data-testid="self-1-1-2">\s*2,00\s*<', html)
    assert "Hạn phải thực hiện: 15/01/2023; Ngày thực hiện: 10/01/2023" in html
    assert "Số đã thực hiện: 20; Tổng số: 20" in html
    assert "{&#x27;due&#x27;" not in html and "'due'" not in html  # not the stored JSON
    assert "Có tài liệu kiểm chứng kèm theo." in html
    download = reverse("evidence_download", args=[year_2023.pk, VQ, evidence.pk])
    assert f'href="{download}"' in html
    assert "bien-ban-kiem-tra.pdf" in html
    assert "Trang 3" in html
    # An input for every leaf of the field, and the reasons to choose from.
    for code in ["1.1.1", "1.1.2", "1.2.1", "1.3.1", "1.3.2", "1.4.1", "1.4.2", "1.5.1"]:
        assert f'name="{code}-score"' in html
        assert f'name="{code}-flagged"' in html
    assert 'value="missing-evidence"' in html
    assert "Lưu điểm thẩm định" in html


def test_the_page_shows_a_saved_appraisal_and_its_difference(as_user, appraiser, year_2023):
    appraise(appraiser, year_2023, entry(year_2023, "1.3.2", "0.75", "late", "Trễ", True))
    client = as_user(appraiser)
    data = shown_form(client, field_url(year_2023))
    assert data["1.3.2-score"] == "0,75"
    assert data["1.3.2-reason"] == "late"
    assert data["1.3.2-comment"] == "Trễ"
    assert data["1.3.2-flagged"] == "on"
    assert data["1.3.2-version"] == "1"
    html = client.get(field_url(year_2023)).content.decode()
    # The final score (the latest appraisal) beside its difference from the self-score.
    assert re.search(r'data-testid="final-1-3-2">0,75 \(-0,25\)', html)


def test_the_survey_leaves_have_no_inputs(as_user, appraiser, year_2023):
    response = as_user(appraiser).get(field_url(year_2023, "10"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Điểm điều tra xã hội học nhập ở bảng điều tra." in html
    assert not re.search(r'name="10\.[12]-', html)


def test_a_not_applicable_leaf_has_no_inputs(as_user, appraiser, year_2023):
    html = as_user(appraiser).get(field_url(year_2023, "3", unit="tp-ha-tinh")).content.decode()
    assert "Không áp dụng: không chấm." in html
    assert 'name="3.3.1-score"' not in html
    assert 'name="3.2.1-score"' in html


# --- pages: saving ----------------------------------------------------------------------------


def test_saving_through_the_page(as_user, appraiser, year_2023):
    client = as_user(appraiser)
    data = shown_form(client, field_url(year_2023))
    data.update(
        {
            "1.3.2-score": "0,75",
            "1.3.2-reason": "missing-evidence",
            "1.3.2-comment": "Thiếu biên bản",
            "1.3.2-flagged": "on",
            "1.1.1-score": "1",
        }
    )
    response = client.post(field_url(year_2023), data)
    assert response.status_code == 302
    assert response.url == field_url(year_2023)
    row = leaf(year_2023, "1.3.2")
    assert (row.r1_score, row.r1_reason, row.r1_comment, row.flagged) == (
        Decimal("0.75"),
        MISSING,
        "Thiếu biên bản",
        True,
    )
    assert (row.appraised_by, row.appraisal_version, row.version) == (appraiser, 1, 0)
    assert leaf(year_2023, "1.1.1").r1_score == Decimal("1")
    # Untouched leaves stay unappraised.
    assert leaf(year_2023, "1.4.2").r1_score is None
    assert leaf(year_2023, "1.4.2").appraisal_version == 0
    assert "Đã lưu điểm thẩm định." in client.get(response.url).content.decode()


def test_a_post_touching_one_leaf_leaves_the_others_untouched(as_user, appraiser, year_2023):
    appraise(
        appraiser,
        year_2023,
        entry(year_2023, "1.3.2", "0.75", "late", "Trễ", True),
        entry(year_2023, "1.4.2", "0.5", "other", "Chưa đủ"),
        entry(year_2023, "1.1.1", "1"),
    )
    before = {row[0]: row for row in appraisal_layer(year_2023)}
    client = as_user(appraiser)
    data = shown_form(client, field_url(year_2023))
    data["1.5.1-score"] = "2"
    assert client.post(field_url(year_2023), data).status_code == 302
    after = {row[0]: row for row in appraisal_layer(year_2023)}
    assert after["1.5.1"][1] == Decimal("2")
    assert after["1.5.1"][8] == 1
    for code in after:
        if code != "1.5.1":
            assert after[code] == before[code], code


# can-loc's field 1 has imported cuts on 1.1.2 and 1.5.1, tp-ha-tinh's field 9 on 9.1.1 and
# 9.3.1 (rule-based leaves, no reason from the list); can-loc's field 3 has none.
@pytest.mark.parametrize(
    ("unit", "field", "code"),
    [("can-loc", "1", "1.1.1"), ("tp-ha-tinh", "9", "9.2.1"), ("can-loc", "3", "3.1.1")],
)
def test_imported_appraisals_do_not_block_saving_another_leaf(
    as_user, appraiser, year_2023, unit, field, code
):
    """A unit already appraised in round 1 (imported results, some cut by rule-based leaves
    without a reason from the list): changing one leaf saves, the others are left as they are."""
    client = as_user(appraiser)
    url = field_url(year_2023, field, unit=unit)
    data = shown_form(client, url)
    data[f"{code}-comment"] = "Đã xem lại"
    before = {row[0]: row for row in appraisal_layer(year_2023, unit)}
    response = client.post(url, data)
    assert response.status_code == 302, field_errors(response.content.decode())
    after = {row[0]: row for row in appraisal_layer(year_2023, unit)}
    assert after[code][3] == "Đã xem lại"
    for other in after:
        if other != code:
            assert after[other] == before[other], other


BAD_POST = {
    "score above the max": (
        {"1.3.2-score": "5", "1.3.2-reason": "late"},
        "1.3.2-score",
        "Điểm không được lớn hơn điểm tối đa",
    ),
    "a cut without a reason": (
        {"1.3.2-score": "0,75"},
        "1.3.2-reason",
        "Chấm dưới điểm tối đa thì cần chọn lý do.",
    ),
    "other without a comment": (
        {"1.3.2-score": "0,75", "1.3.2-reason": "other"},
        "1.3.2-comment",
        "Lý do này cần nhận xét kèm theo.",
    ),
    "off the step": (
        {"1.3.2-score": "0,3", "1.3.2-reason": "late"},
        "1.3.2-score",
        "Điểm phải là bội số của 0,25.",
    ),
    "not a number": ({"1.3.2-score": "một"}, "1.3.2-score", "Nhập một số."),
    "negative": ({"1.3.2-score": "-1", "1.3.2-reason": "late"}, "1.3.2-score", None),
}


@pytest.mark.parametrize("case", list(BAD_POST))
def test_bad_input_is_refused_with_a_message_and_nothing_stored(
    as_user, appraiser, year_2023, case
):
    values, field, message = BAD_POST[case]
    client = as_user(appraiser)
    data = shown_form(client, field_url(year_2023))
    data.update({"1.1.1-score": "1", **values})  # a good leaf alongside is not saved either
    before = appraisal_layer(year_2023)
    response = client.post(field_url(year_2023), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Chưa lưu: hãy sửa các ô báo lỗi bên dưới." in html
    block = field_block(html, field)
    assert "is-invalid" in block
    if message:
        assert message in block
    assert appraisal_layer(year_2023) == before


def test_a_conflict_on_the_page_is_reported_and_nothing_stored(
    as_user, appraiser, interior_admin, year_2023
):
    client = as_user(appraiser)
    data = shown_form(client, field_url(year_2023))
    appraise(interior_admin, year_2023, entry(year_2023, "1.3.2", "1"))  # in between
    before = appraisal_layer(year_2023)
    data.update({"1.3.2-score": "0,5", "1.3.2-reason": "late", "1.1.1-score": "1"})
    response = client.post(field_url(year_2023), data)
    assert response.status_code == 409
    html = response.content.decode()
    assert "có người khác vừa thẩm định 1 tiêu chí (1.3.2)" in html
    assert 'data-testid="conflict-1-3-2"' in html  # their values beside the user's
    assert "hãy tải lại trang" not in html
    assert appraisal_layer(year_2023) == before


def test_round_2_page_offers_only_the_flagged_leaves(as_user, appraiser, flagged_year):
    year = flagged_year
    client = as_user(appraiser)
    response = client.get(field_url(year))
    html = response.content.decode()
    assert "Vòng 2" in html
    assert 'name="1.3.2-score"' in html
    assert 'name="1.3.2-flagged"' not in html
    assert 'name="1.4.2-score"' not in html
    assert "Không yêu cầu giải trình: giữ điểm vòng 1." in html
    data = form_data(html)
    data.update({"1.3.2-score": "0,5", "1.3.2-reason": "late"})
    assert client.post(field_url(year), data).status_code == 302
    row = leaf(year, "1.3.2")
    assert (row.r1_score, row.r2_score, row.final_score) == (
        Decimal("0.75"),
        Decimal("0.5"),
        Decimal("0.5"),
    )
    assert leaf(year, "1.4.2").r2_score is None


def test_worklist_page_shows_the_stages(as_user, appraiser, year_2023):
    client = as_user(appraiser)
    html = client.get(reverse("worklist", args=[year_2023.pk])).content.decode()
    assert html.count('data-testid="stage">Đang thẩm định<') == 1  # Vũ Quang, field 1 left
    assert html.count('data-testid="stage">Đã thẩm định vòng 1<') == 12


# --- the unit's own pages ---------------------------------------------------------------------


def test_unit_staff_never_see_appraisal_scores_before_publication(
    as_user, appraiser, officer_a, year_2023
):
    appraise(appraiser, year_2023, entry(year_2023, "3.2.1", "0.37", "target-not-reached"))
    url = reverse("scorecard", args=[year_2023.pk, VQ])
    staff = as_user(officer_a).get(url)
    assert staff.status_code == 200
    html = staff.content.decode()
    assert "0,37" not in html
    assert "0.37" not in html
    assert "Không đạt chỉ tiêu" not in html
    # Nor on their entry page and the leaf's history.
    for page in [
        reverse("entry_field", args=[year_2023.pk, VQ, "3"]),
        reverse("leaf_history", args=[year_2023.pk, VQ, "3.2.1"]),
    ]:
        response = as_user(officer_a).get(page)
        assert response.status_code == 200
        html = response.content.decode()
        assert "0,37" not in html and "0.37" not in html, page
        assert "Không đạt chỉ tiêu" not in html, page
    # The Interior Department does see it: the score is on the card, just not for the unit.
    interior = Client()
    interior.force_login(appraiser)
    assert "0,37" in interior.get(url).content.decode()
