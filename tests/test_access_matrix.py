"""Access, enumerated: every URL of the site, for every role of the cast, GET and POST.

The URL configuration is walked (the Django admin's pages included); each named URL must have a
row in ``tests/access_matrix_table.py`` giving the answer each role gets, and each row is
requested as each role. A new URL without a row fails ``test_every_url_has_a_row``.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.functional import cached_property

from scoring import services
from scoring.models import (
    Adjustment,
    AdjustmentKind,
    AssessmentYear,
    Evidence,
    EvidenceLink,
    FieldAssignment,
    LeafScore,
    Notification,
)
from tests.samples import PDF
from units.models import Unit
from units.roles import GROUP_APPRAISER, GROUP_INTERIOR_ADMIN, SYSTEM_ADMIN

from .access_matrix_table import (
    ADMIN_KINDS,
    ADMIN_MODELS,
    ADMIN_SITE,
    APP,
    KNOWN_WRONG,
    ROLES,
    admin_model_answers,
)

pytestmark = pytest.mark.django_db  # run before the browser tests flush the database

METHODS = ("GET", "POST")


# --- the URL configuration ----------------------------------------------------------------------


def url_names(resolver=None, namespace=""):
    """Every named URL pattern, with its namespace ("admin:index")."""
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}{pattern.namespace}:"
            names |= url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def model_label(model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def admin_model_rows() -> dict[str, tuple[str, str, str]]:
    """The five pages of every model registered in the admin, from ``ADMIN_MODELS``."""
    rows = {}
    for label, rights in ADMIN_MODELS.items():
        app_label, model_name = label.split(".")
        for kind in ADMIN_KINDS:
            args = "" if kind in ("changelist", "add") else f"@object:{label}"
            answers = admin_model_answers(kind, rights)
            rows[f"admin:{app_label}_{model_name}_{kind}"] = (args, *answers)
    return rows


ROWS = {**APP, **ADMIN_SITE, **admin_model_rows()}


def row_name(key: str) -> str:
    return key.split("@", 1)[0]


# --- the table's own checks ---------------------------------------------------------------------


def test_every_url_has_a_row():
    """A URL added without its row here fails: its access has to be thought through."""
    missing = url_names() - {row_name(key) for key in ROWS}
    assert not missing, f"URLs with no row in tests/access_matrix_table.py: {sorted(missing)}"


def test_every_row_is_a_url():
    stale = {row_name(key) for key in ROWS} - url_names()
    assert not stale, f"rows of URLs that no longer exist: {sorted(stale)}"


def test_every_model_of_the_admin_has_its_rights():
    registered = {model_label(model) for model in admin.site._registry}
    assert registered == set(ADMIN_MODELS), (
        f"registered but not in ADMIN_MODELS: {sorted(registered - set(ADMIN_MODELS))}; "
        f"in ADMIN_MODELS but not registered: {sorted(set(ADMIN_MODELS) - registered)}"
    )
    # Each app of the admin has its page's row (a variant of the one URL name "app_list").
    apps = {model._meta.app_label for model in admin.site._registry}
    rows = {key.removeprefix("admin:app_list@") for key in ROWS if "app_list@" in key}
    assert apps == rows, f"admin apps {sorted(apps)}, app_list rows {sorted(rows)}"


def expand(answers: str) -> dict[str, str]:
    tokens = answers.split()
    if len(tokens) == 1:
        tokens = tokens * len(ROLES)
    elif len(tokens) == 2:
        tokens = [tokens[0]] + [tokens[1]] * (len(ROLES) - 1)
    assert len(tokens) == len(ROLES), f"{answers!r}: one, two or {len(ROLES)} answers"
    return dict(zip(ROLES, tokens, strict=True))


def test_every_row_is_well_formed():
    allowed = {"L", "R"} | {str(code) for code in range(200, 600)}
    for key, (_args, get, post) in ROWS.items():
        for answers in (get, post):
            assert set(expand(answers).values()) <= allowed, key
    for key, method, role in KNOWN_WRONG:
        assert key in ROWS and method in METHODS and role in ROLES, (key, method, role)


# --- the cast and the objects the URLs name -----------------------------------------------------


def _year(year: int) -> AssessmentYear:
    return AssessmentYear.objects.get(year=year, unit_level__code="cap-huyen")


class Demo:
    """The objects a row's arguments name, found or made when first asked for."""

    def __init__(self, users):
        self.users = users

    def resolve(self, word: str):
        if word.startswith("y") and word[1:].isdigit():
            return self.year(int(word[1:])).pk
        if word.startswith("@object:"):
            return self.admin_object(word.removeprefix("@object:"))
        if word.startswith("@"):
            return getattr(self, word[1:])
        return word

    def year(self, year: int) -> AssessmentYear:
        if year == 2025:
            return self.preparing_year
        return _year(year)

    @cached_property
    def job(self) -> int:
        """A finished export of unit A's officer: their 2024 scorecard."""
        from scoring.models import Job
        from scoring.services import jobs

        job = jobs.start_job(
            owner=self.users["OA"],
            kind=Job.Kind.EXPORT_SCORECARD,
            parameters={"year_id": _year(2024).pk, "unit_code": "vu-quang"},
        )
        jobs.run(job.pk)
        return job.pk

    @cached_property
    def preparing_year(self) -> AssessmentYear:
        """A year in preparation, as the "new year" page makes it: its framework may change."""
        return services.new_year_from(
            roles=SYSTEM_ADMIN, year=2025, unit_level=_year(2024).unit_level
        )

    @cached_property
    def notification(self) -> int:
        """A notification of unit A's officer."""
        return Notification.objects.create(
            recipient=self.users["OA"], kind=Notification.Kind.DEADLINE, url="/"
        ).pk

    @cached_property
    def user_b(self) -> int:
        return self.users["OB"].pk

    @cached_property
    def admin_b(self) -> int:
        """Another admin of the Interior Department."""
        user = User.objects.create_user("quantri2")
        user.groups.add(Group.objects.get(name=GROUP_INTERIOR_ADMIN))
        return user.pk

    @cached_property
    def evidence(self) -> int:
        return self._evidence.pk

    @cached_property
    def _evidence(self) -> Evidence:
        assessment = _year(2024).assessments.get(unit__code="vu-quang")
        evidence = Evidence(
            assessment=assessment,
            original_name="ke-hoach.pdf",
            content_type="application/pdf",
            size=len(PDF),
            uploaded_by=self.users["OA"],
        )
        evidence.file.save("ke-hoach.pdf", ContentFile(PDF), save=True)
        return evidence

    @cached_property
    def link(self) -> int:
        leaf = LeafScore.objects.get(assessment=self._evidence.assessment, node__code="1.1.1")
        return EvidenceLink.objects.create(evidence=self._evidence, leaf=leaf).pk

    @cached_property
    def adjustment(self) -> int:
        assessment = _year(2023).assessments.get(unit__code="vu-quang")
        kind = AdjustmentKind.objects.filter(direction="deduction").first()
        entry = Adjustment(
            assessment=assessment, kind=kind, direction=kind.direction, points=1, reason="Thử"
        )
        entry.document.save("ket-luan.pdf", ContentFile(PDF), save=True)
        return entry.pk

    @cached_property
    def unit(self) -> int:
        return Unit.objects.get(code="vu-quang").pk

    @cached_property
    def unit_type(self) -> int:
        return ContentType.objects.get_for_model(Unit).pk

    @cached_property
    def totp(self) -> int:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        return TOTPDevice.objects.create(user=self.outsider, name="điện thoại").pk

    @cached_property
    def outsider(self) -> User:
        """The owner of the second-factor devices: not one of the cast, whose sign-ins the
        second factor would then hold on its code page."""
        return User.objects.create_user("thietbi.quantri")

    def admin_object(self, label: str):
        """An object of the model, made where the demo has none."""
        model = next(m for m in admin.site._registry if model_label(m) == label)
        if label == "auth.user":
            return self.user_b
        if not model._default_manager.exists():
            self._make(label, model)
        return model._default_manager.order_by("pk").first().pk

    def _make(self, label, model):
        seen = {"user_agent": "pytest", "ip_address": "10.9.9.9", "username": "nguoi-khac"}
        seen |= {"http_accept": "text/html", "path_info": "/accounts/login/"}
        if label == "axes.accessattempt":
            model.objects.create(**seen, get_data="", post_data="", failures_since_start=1)
        elif label.startswith("axes."):
            model.objects.create(**seen)
        elif label == "units.secondfactorpolicy":
            model.objects.create(role="viewer", required=False)  # as if never set: voluntary
        elif label == "django_tasks_database.dbtaskresult":
            self.job  # noqa: B018 -- a background export leaves its task's row
        else:  # a second-factor device
            model.objects.create(user=self.outsider, name="dự phòng")


@pytest.fixture
def other_field_appraiser(db):
    """An appraiser assigned to field 3 of 2023 only."""
    user = User.objects.create_user("linhvuc3.thamdinh")
    user.groups.add(Group.objects.get(name=GROUP_APPRAISER))
    year = _year(2023)
    field = year.framework.nodes.get(parent=None, code="3")
    FieldAssignment.objects.create(year=year, field=field, appraiser=user)
    return user


@pytest.fixture
def cast(officer_a, leader_a, officer_b, appraiser, other_field_appraiser, interior_admin, viewer):
    return {
        "AN": None,
        "OA": officer_a,
        "LA": leader_a,
        "OB": officer_b,
        "AP": appraiser,
        "AX": other_field_appraiser,
        "AD": interior_admin,
        "VW": viewer,
    }


# --- the matrix ---------------------------------------------------------------------------------


def answer(response, login_url: str) -> str:
    if response.status_code in (301, 302, 303, 307, 308):
        return "L" if response["Location"].startswith(f"{login_url}?next=") else "R"
    return str(response.status_code)


@pytest.mark.parametrize("key", sorted(ROWS))
def test_access(key, cast):
    args, get, post = ROWS[key]
    demo = Demo(cast)
    url = reverse(row_name(key), args=[demo.resolve(word) for word in args.split()])
    login_url = reverse("admin:login" if key.startswith("admin:") else "login")
    expected = {"GET": expand(get), "POST": expand(post)}
    wrong, known, fixed = [], [], []
    for role in ROLES:
        client = Client(raise_request_exception=False)
        if cast[role] is not None:
            client.force_login(cast[role])
        for method in METHODS:  # GET first: a POST may sign the client out (logout)
            with transaction.atomic():  # whatever the request changes is undone
                response = getattr(client, method.lower())(url)
                transaction.set_rollback(True)
            got, right = answer(response, login_url), expected[method][role]
            line = f"{method:4} {role}: expected {right}, got {got}"
            if (key, method, role) in KNOWN_WRONG:
                known_got, why = KNOWN_WRONG[key, method, role]
                if got == right:
                    fixed.append(f"{line} (listed as wrong in KNOWN_WRONG: remove it)")
                elif got == known_got:
                    known.append(f"{line}: {why}")
                else:
                    wrong.append(f"{line} (KNOWN_WRONG says {known_got})")
            elif got != right:
                wrong.append(line)
    problems = wrong + fixed
    assert not problems, f"{url} ({key}):\n  " + "\n  ".join(problems)
    if known:
        pytest.xfail(f"{url}: " + "; ".join(known))
