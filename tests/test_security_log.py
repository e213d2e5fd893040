"""The security log: one JSON object a line for sign-ins, failures, refused requests, imports,
exports and account changes, with who, from where and what; never a password."""

import io
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from cchc.security import JsonFormatter, log_event
from scoring.demo.data import PASSWORD

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
VQ = "vu-quang"
KEYS = {"time", "level", "event", "user", "ip", "method", "path", "status", "details"}


class Lines(list):
    """The lines written while a test runs, as the JSON formatter writes them."""

    def __init__(self):
        super().__init__()
        self.raw: list[str] = []

    def events(self, name):
        return [line for line in self if line["event"] == name]

    def one(self, name):
        found = self.events(name)
        assert len(found) == 1, f"{name}: {found} in {[line['event'] for line in self]}"
        return found[0]


class _Collect(logging.Handler):
    def __init__(self, lines: Lines):
        super().__init__(level=logging.DEBUG)
        self.lines = lines
        self.setFormatter(JsonFormatter())

    def emit(self, record):
        text = self.format(record)
        self.lines.raw.append(text)
        self.lines.append(json.loads(text))


@pytest.fixture
def security_log():
    lines = Lines()
    handler = _Collect(lines)
    log = logging.getLogger("cchc.security")
    log.addHandler(handler)
    try:
        yield lines
    finally:
        log.removeHandler(handler)
    for text in lines.raw:
        assert "\n" not in text  # one event, one line
        assert PASSWORD not in text  # the demo accounts' password, never


def assert_shape(line):
    assert set(line) == KEYS
    assert line["time"][:2] == "20" and "T" in line["time"]
    assert isinstance(line["details"], dict)


# --- signing in and out ---------------------------------------------------------------------


def test_a_sign_in_and_a_sign_out(client, security_log, viewer):
    response = client.post(reverse("login"), {"username": "xem", "password": PASSWORD})
    assert response.status_code == 302
    line = security_log.one("user_logged_in")
    assert_shape(line)
    assert line["user"] == "xem"
    assert line["ip"] == "127.0.0.1"
    assert line["method"] == "POST" and line["path"] == reverse("login")
    assert line["level"] == "INFO"

    client.post(reverse("logout"))
    line = security_log.one("user_logged_out")
    assert line["user"] == "xem" and line["path"] == reverse("logout")


def test_a_failed_sign_in_names_the_account_tried_never_the_password(client, security_log, viewer):
    wrong = "sai-mat-khau-123"
    response = client.post(
        reverse("login"), {"username": "xem", "password": wrong}, REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code in (200, 403, 429)
    line = security_log.one("user_login_failed")
    assert_shape(line)
    assert line["level"] == "WARNING"
    assert line["user"] is None  # nobody signed in …
    assert line["details"]["username"] == "xem"  # … the name tried
    assert line["ip"] == "10.1.2.3"
    assert all(wrong not in text for text in security_log.raw)


# --- refused requests ---------------------------------------------------------------------


def test_an_object_address_out_of_reach_is_logged(as_user, security_log, viewer, year_2024):
    url = reverse("scorecard", args=[year_2024.pk, "no-such-unit"])
    assert as_user(viewer).get(url).status_code == 404
    line = security_log.one("request_refused")
    assert_shape(line)
    assert (line["status"], line["method"], line["path"]) == (404, "GET", url)
    assert line["user"] == "xem" and line["ip"] == "127.0.0.1"
    assert line["level"] == "WARNING"


def test_a_forbidden_action_is_logged(as_user, security_log, interior_admin, django_user_model):
    boss = django_user_model.objects.create_superuser("sep", password="Rat-kho-doan-1")
    url = reverse("account_reset", args=[boss.pk])
    assert as_user(interior_admin).post(url).status_code == 403
    line = security_log.one("request_refused")
    assert (line["status"], line["method"], line["path"], line["user"]) == (
        403,
        "POST",
        url,
        "snv.quantri",
    )


def test_a_page_that_answers_logs_nothing(as_user, security_log, viewer):
    client = as_user(viewer)  # force_login signals a sign-in too
    security_log.clear()
    assert client.get(reverse("home")).status_code == 200
    assert security_log == []


# --- exports and imports ------------------------------------------------------------------


def test_an_export_served(as_user, security_log, viewer, year_2022):
    url = reverse("ranking_xlsx", args=[year_2022.pk])
    assert as_user(viewer).get(url).status_code == 200
    line = security_log.one("export_served")
    assert_shape(line)
    assert (line["user"], line["path"], line["method"]) == ("xem", url, "GET")
    assert line["details"]["exporter"] == "RankingExporter"
    assert line["details"]["file"].endswith(".xlsx")


def test_an_import_applied(as_user, security_log, interior_admin, year_2023):
    client = as_user(interior_admin)
    template = client.get(reverse("survey_template", args=[year_2023.pk]))
    workbook = load_workbook(io.BytesIO(template.content))
    sheet = workbook["Điều tra XHH"]
    header = next(row[0].row for row in sheet.iter_rows() if row[0].value == "Mã đơn vị")
    column = next(c.column for c in sheet[header] if c.value == "10.1")
    row = next(r for r in range(header + 1, sheet.max_row + 1) if sheet.cell(r, 1).value == VQ)
    sheet.cell(row, column).value = 9.5
    buffer = io.BytesIO()
    workbook.save(buffer)
    url = reverse("survey_import", args=[year_2023.pk])

    preview = client.post(url, {"file": SimpleUploadedFile("dieu-tra.xlsx", buffer.getvalue())})
    assert preview.status_code == 200
    assert security_log.events("import_applied") == []  # a preview changes nothing
    done = client.post(url, {"token": preview.context["token"], "apply": "1"})
    assert done.status_code == 302

    line = security_log.one("import_applied")
    assert_shape(line)
    assert (line["user"], line["path"], line["method"]) == ("snv.quantri", url, "POST")
    assert line["details"]["file"].startswith("dieu-tra.xlsx (SHA-256 ")
    assert line["details"]["scope"]


# --- account changes ----------------------------------------------------------------------


def test_an_account_locked_and_unlocked(
    as_user, security_log, interior_admin, viewer, django_capture_on_commit_callbacks
):
    client = as_user(interior_admin)
    url = reverse("account_active", args=[viewer.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"active": "0"})
    line = security_log.one("account_changed")
    assert_shape(line)
    assert line["user"] == "snv.quantri"
    assert line["path"] == url and line["ip"] == "127.0.0.1"
    assert line["details"]["target"] == "xem"
    assert line["details"]["kind"] == "account"
    assert line["details"]["changes"] == {"is_active": [True, False]}


def test_a_temporary_password_is_logged_as_set_never_shown(
    as_user, security_log, interior_admin, viewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(interior_admin).post(
            reverse("account_reset", args=[viewer.pk]), follow=True
        )
    password = re.search(r"xem: ([a-z0-9-]+)", response.content.decode()).group(1)
    line = security_log.one("account_changed")
    assert line["details"]["target"] == "xem"
    assert line["details"]["changes"] == {"must_change_password": [False, True]}
    # The page shows the new password once; the log never does.
    assert all(password not in text for text in security_log.raw)


def test_an_account_change_rolled_back_leaves_no_line(
    as_user, security_log, interior_admin, viewer, django_capture_on_commit_callbacks
):
    from django.db import transaction

    from scoring import audit

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                audit.record(audit.Kind.ACCOUNT, target="xem", changes={"x": [1, 2]})
                raise RuntimeError
        except RuntimeError:
            pass
    assert security_log.events("account_changed") == []


def test_a_membership_change_is_logged(security_log, django_capture_on_commit_callbacks):
    from scoring import audit

    with django_capture_on_commit_callbacks(execute=True):
        audit.record(audit.Kind.MEMBERSHIP, target="a", changes={"role": [None, "officer"]})
        audit.record(audit.Kind.SELF, target="not an account")
    line = security_log.one("account_changed")
    assert line["details"]["kind"] == "membership"
    assert line["user"] is None and line["ip"] is None  # outside a request


# --- the format ---------------------------------------------------------------------------


def test_lines_from_elsewhere_keep_their_extra_fields(security_log):
    """Another module (django-axes' lockouts, say) logs with plain ``logging`` and ``extra``."""
    logging.getLogger("cchc.security").warning(
        "Account %s locked",
        "xem",
        extra={"event": "user_locked_out", "user": "xem", "ip": "10.0.0.9", "failures": 5},
    )
    line = security_log.one("user_locked_out")
    assert_shape(line)
    assert (line["user"], line["ip"], line["level"]) == ("xem", "10.0.0.9", "WARNING")
    assert line["details"] == {"failures": 5, "message": "Account xem locked"}


def test_a_plain_message_is_its_own_event(security_log):
    logging.getLogger("cchc.security.axes").info("lockout reset")
    line = security_log.one("lockout reset")
    assert line["user"] is None and line["details"] == {"logger": "cchc.security.axes"}


def test_secrets_are_removed_wherever_they_are(security_log):
    log_event(
        "test",
        password="hunter2-secret",
        details={"new_password1": "abc123456", "otp_token": "123456"},
        changes={"must_change_password": [False, True]},
    )
    text = security_log.raw[0]
    assert "hunter2" not in text and "abc123456" not in text and "123456" not in text
    line = security_log[0]
    assert line["details"]["password"] == "[removed]"
    assert line["details"]["changes"] == {"must_change_password": [False, True]}


def test_a_crafted_name_cannot_forge_a_line(client, security_log):
    client.post(reverse("login"), {"username": 'x"}\n{"event": "user_logged_in', "password": "x"})
    assert len(security_log.raw) >= 1
    assert security_log.one("user_login_failed")["details"]["username"].startswith('x"}\n')


def test_the_log_goes_to_a_file_when_told(tmp_path):
    target = tmp_path / "security.log"
    code = (
        "import django, logging, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'cchc.settings';"
        "django.setup();"
        "from cchc.security import log_event; log_event('probe', note='Tiếng Việt')"
    )
    env = {**os.environ, "DEBUG": "true", "SECURITY_LOG_FILE": str(target)}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "probe" not in done.stdout and "probe" not in done.stderr
    (line,) = target.read_text(encoding="utf-8").splitlines()
    entry = json.loads(line)
    assert entry["event"] == "probe" and entry["details"] == {"note": "Tiếng Việt"}


def test_the_log_goes_to_stdout_by_default_and_only_once():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'cchc.settings';"
        "django.setup();"
        "from cchc.security import log_event; log_event('probe')"
    )
    env = {**os.environ, "DEBUG": "true"}
    env.pop("SECURITY_LOG_FILE", None)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert [json.loads(line)["event"] for line in lines] == ["probe"]
    assert "probe" not in done.stderr
