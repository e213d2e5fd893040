"""The fixed cast of users and the demo data every database test can lean on.

The demo (13 units, three years, the demo accounts) is loaded once per test session into the
test database; each test runs in a transaction that is rolled back, so tests never see each
other's writes. Browser tests (transactional) load their own copy.
"""

import pytest
from django.contrib.auth.models import User
from django.test import override_settings

from scoring.demo.load import load_demo
from scoring.models import AssessmentYear


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(DEBUG=True):
        load_demo()


def _user(username):
    return User.objects.get(username=username)


# The cast: an officer of unit A (Vũ Quang) and of unit B (Hồng Lĩnh), unit A's leader, an
# appraiser and an admin of the Interior Department, a viewer, and (as the plain ``client``)
# an anonymous visitor.
@pytest.fixture
def officer_a(db):
    return _user("vuquang.canbo")


@pytest.fixture
def officer_b(db):
    return _user("honglinh.canbo")


@pytest.fixture
def leader_a(db):
    return _user("vuquang.lanhdao")


@pytest.fixture
def appraiser(db):
    return _user("snv.thamdinh")


@pytest.fixture
def interior_admin(db):
    return _user("snv.quantri")


@pytest.fixture
def viewer(db):
    return _user("xem")


@pytest.fixture
def as_user(client):
    """``as_user(user)`` returns the test client signed in as that user."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def _year(year):
    return AssessmentYear.objects.get(year=year, unit_level__code="cap-huyen")


@pytest.fixture
def year_2022(db):
    """Published."""
    return _year(2022)


@pytest.fixture
def year_2023(db):
    """In appraisal: Vũ Quang and Hồng Lĩnh await round 1."""
    return _year(2023)


@pytest.fixture
def year_2024(db):
    """Open for self-assessment."""
    return _year(2024)


@pytest.fixture(autouse=True)
def _no_page_from_an_earlier_test():
    """Each test starts with an empty cache. A rolled-back test takes its data and its results
    counters (``ResultsVersion``) back with it, but not what it put in the cache: the next test
    could reach the same counter value with other data and be served that test's page."""
    from django.core.cache import cache

    cache.clear()
