"""Saving one field's form costs the same number of queries for 3 leaves as for 12."""

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from scoring.demo.synthetic import nodes
from scoring.models import AssessmentYear, LeafScore
from scoring.services import create_framework, create_year
from tests.samples import PDF
from units.models import Membership, Unit, UnitLevel
from units.roles import SYSTEM_ADMIN

pytestmark = pytest.mark.django_db


def open_field(n_leaves):
    """A unit whose year is open for self-assessment, one field of ``n_leaves`` manual leaves,
    and its officer; returns (client URL of the field, officer)."""
    level = UnitLevel.objects.create(code=f"q{n_leaves}", name=f"Q {n_leaves}")
    unit = Unit.objects.create(level=level, code=f"q{n_leaves}-u", name="Đơn vị", kind="xa")
    specs = nodes(fields=1, leaves_per_field=n_leaves)
    framework = create_framework(
        roles=SYSTEM_ADMIN,
        name=f"Q {n_leaves}",
        unit_level=level,
        nodes=specs,
        max_points=specs[0].max_points,
    )
    year = create_year(
        roles=SYSTEM_ADMIN, year=2030, unit_level=level, framework=framework, units=[unit]
    )
    AssessmentYear.objects.filter(pk=year.pk).update(state="self_assessment")
    officer = User.objects.create_user(f"officer{n_leaves}")
    Membership.objects.create(user=officer, unit=unit, role="officer")
    return reverse("entry_field", args=[year.pk, unit.code, "1"]), officer


def post_data(n_leaves, score, version):
    data = {}
    for i in range(1, n_leaves + 1):
        data[f"1.{i}-score"] = score
        data[f"1.{i}-version"] = str(version)
        data[f"1.{i}-explanation"] = f"Thuyết minh {score}"
    return data


@pytest.mark.parametrize("n_leaves", [3, 12])
def test_saving_a_field_costs_the_same_queries_whatever_its_size(
    client, django_assert_num_queries, n_leaves
):
    url, officer = open_field(n_leaves)
    client.force_login(officer)
    # First save creates every leaf's row. session, user, groups, memberships (roles); the
    # assessment with year, framework, level, unit; the page's leaves, evidence links, nodes
    # and evidence library; two savepoints (the field, its leaves); locks of the year and of
    # the assessment;
    # nodes in bulk; lock of the stored leaves; insert of the leaves and of their history
    # rows; the audit log's lines (one insert for all leaves); two savepoint releases.
    # + a savepoint, the session's update and its release: a message set or shown is kept in
    # the session (never in a cookie), which then is saved.
    with django_assert_num_queries(23):
        response = client.post(url, post_data(n_leaves, "1", 0))
    assert response.status_code == 302
    assert LeafScore.objects.filter(assessment__unit__code=f"q{n_leaves}-u").count() == n_leaves
    # A second save updates them all: the same count, an update instead of the insert.
    with django_assert_num_queries(23):
        response = client.post(url, post_data(n_leaves, "2", 1))
    assert response.status_code == 302
    assert set(
        LeafScore.objects.filter(assessment__unit__code=f"q{n_leaves}-u").values_list(
            "self_score", "version"
        )
    ) == {(2, 2)}


def with_documents(url, officer, client, n_leaves):
    """Attach one document to every leaf (and so a library of n documents)."""
    client.force_login(officer)
    data = post_data(n_leaves, "1", 0)
    for i in range(1, n_leaves + 1):
        data[f"ev-1.{i}-file"] = SimpleUploadedFile(f"vb-{i}.pdf", PDF, "application/pdf")
    assert client.post(url, data).status_code == 302


@pytest.mark.parametrize("n_leaves", [3, 12])
def test_the_field_page_costs_the_same_queries_whatever_its_leaves_and_documents(
    client, django_assert_num_queries, n_leaves
):
    url, officer = open_field(n_leaves)
    with_documents(url, officer, client, n_leaves)
    # session, user, groups, memberships; the assessment; nodes, leaves with who saved them,
    # evidence links with their documents, the document library.
    # + a savepoint, the session's update and its release: a message set or shown is kept in
    # the session (never in a cookie), which then is saved.
    # + the bell's unread notifications (menu).
    with django_assert_num_queries(13):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("vb-") >= 2 * n_leaves  # links and library choices


@pytest.mark.parametrize("n_leaves", [3, 12])
def test_a_refused_save_costs_the_same_queries_whatever_its_size(
    client, django_assert_num_queries, n_leaves
):
    url, officer = open_field(n_leaves)
    with_documents(url, officer, client, n_leaves)
    # As the page, plus nothing: every leaf's version is current, so no history is read.
    # + a savepoint, the session's update and its release: a message set or shown is kept in
    # the session (never in a cookie), which then is saved.
    # + the bell's unread notifications (menu).
    with django_assert_num_queries(13):
        response = client.post(url, post_data(n_leaves, "99", 1))
    assert response.status_code == 200
