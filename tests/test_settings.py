"""Settings: environment readers that fail loudly, production refusing unsafe defaults, locale,
and e-mail (a mail server from the environment, none needed to run the app)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from cchc.env import env_bool, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parents[1]
SETUP = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='cchc.settings'; django.setup()"


# --- cchc.env ---------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["true", "True", " YES ", "1", "on"])
def test_env_bool_reads_true(monkeypatch, raw):
    monkeypatch.setenv("CCHC_FLAG", raw)
    assert env_bool("CCHC_FLAG", False) is True


@pytest.mark.parametrize("raw", ["false", "FALSE", "no", "0", "off", ""])
def test_env_bool_reads_false(monkeypatch, raw):
    monkeypatch.setenv("CCHC_FLAG", raw)
    assert env_bool("CCHC_FLAG", True) is False


def test_env_bool_refuses_maybe(monkeypatch):
    monkeypatch.setenv("CCHC_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="CCHC_FLAG"):
        env_bool("CCHC_FLAG", False)


def test_env_bool_takes_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("CCHC_FLAG", raising=False)
    assert env_bool("CCHC_FLAG", True) is True


def test_env_int_reads_a_whole_number(monkeypatch):
    monkeypatch.setenv("CCHC_NUMBER", "42")
    assert env_int("CCHC_NUMBER", 7) == 42


def test_env_int_refuses_ten_in_words(monkeypatch):
    monkeypatch.setenv("CCHC_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="CCHC_NUMBER"):
        env_int("CCHC_NUMBER", 7)


def test_env_int_takes_the_default_when_blank(monkeypatch):
    monkeypatch.setenv("CCHC_NUMBER", "  ")
    assert env_int("CCHC_NUMBER", 7) == 7


def test_env_list_splits_and_strips(monkeypatch):
    monkeypatch.setenv("CCHC_HOSTS", " cchc.example.vn , localhost,, ")
    assert env_list("CCHC_HOSTS", ["x"]) == ["cchc.example.vn", "localhost"]


def test_env_list_takes_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("CCHC_HOSTS", raising=False)
    assert env_list("CCHC_HOSTS", ["x"]) == ["x"]


def test_env_str_reads_the_value(monkeypatch):
    monkeypatch.setenv("CCHC_TEXT", "abc")
    assert env_str("CCHC_TEXT", "default") == "abc"


# --- production mode --------------------------------------------------------------------------


# Variables a developer's shell may hold that would change what these tests read.
UNSET = ("SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL", "DEFAULT_FROM_EMAIL")
UNSET += tuple(name for name in os.environ if name.startswith("EMAIL_"))


def start_django(code=SETUP, **env):
    """Set Django up in a fresh interpreter with DEBUG off and the given variables (None: unset)."""
    environ = dict(os.environ, DEBUG="false")
    for name in UNSET:
        environ.pop(name, None)
    for name, value in env.items():
        if value is None:
            environ.pop(name, None)
        else:
            environ[name] = value
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = start_django(ALLOWED_HOSTS="cchc.example.vn")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_the_development_key():
    result = start_django(SECRET_KEY=settings.DEV_SECRET_KEY, ALLOWED_HOSTS="cchc.example.vn")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_production_starts_with_a_secret_key_and_allowed_hosts():
    result = start_django(SECRET_KEY="a-real-secret-" + "x" * 40, ALLOWED_HOSTS="cchc.example.vn")
    assert result.returncode == 0, result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = start_django(SECRET_KEY="a-real-secret-" + "x" * 40)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_refuses_an_empty_allowed_hosts():
    result = start_django(SECRET_KEY="a-real-secret-" + "x" * 40, ALLOWED_HOSTS=" , ")
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


# --- the database and the locale --------------------------------------------------------------


def test_the_suite_runs_on_the_database_database_url_names(db):
    from django.db import connection

    expected = (
        "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    )
    assert connection.vendor == expected


def test_the_language_is_vietnamese():
    assert settings.LANGUAGE_CODE == "vi"


def test_english_is_offered():
    assert "en" in dict(settings.LANGUAGES)


def test_the_time_zone_is_vietnam():
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"


# --- e-mail (issue 11) -------------------------------------------------------------------------

PRODUCTION = {"SECRET_KEY": "a-real-secret-" + "x" * 40, "ALLOWED_HOSTS": "cchc.example.vn"}
MAIL_SETTINGS = (
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
    "EMAIL_TIMEOUT",
    "EMAIL_FILE_PATH",
    "DEFAULT_FROM_EMAIL",
    "SITE_URL",
)


def mail_settings(**env) -> dict:
    """The e-mail settings Django reads from these variables (production unless DEBUG given)."""
    code = (
        f"{SETUP}; import json; from django.conf import settings; "
        f"print(json.dumps({{n: str(getattr(settings, n)) for n in {MAIL_SETTINGS!r}}}))"
    )
    result = start_django(code, **(PRODUCTION | env))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_make_run_prints_mail_on_the_console():
    got = mail_settings(DEBUG="true")
    assert got["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert got["SITE_URL"] == "http://127.0.0.1:8000"


def test_production_without_a_mail_server_writes_mail_to_files():
    got = mail_settings()
    assert got["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert got["EMAIL_FILE_PATH"] == str(ROOT / "sent-mail")
    assert mail_settings(EMAIL_FILE_PATH="/var/mail/cchc")["EMAIL_FILE_PATH"] == "/var/mail/cchc"


def test_a_mail_server_is_reached_over_smtp_with_starttls():
    got = mail_settings(
        EMAIL_HOST="smtp.example.gov.vn",
        EMAIL_HOST_USER="cchc",
        EMAIL_HOST_PASSWORD="mat-khau",
        DEFAULT_FROM_EMAIL="Chỉ số CCHC <cchc@example.gov.vn>",
    )
    assert got["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (got["EMAIL_HOST"], got["EMAIL_PORT"]) == ("smtp.example.gov.vn", "587")
    assert (got["EMAIL_USE_TLS"], got["EMAIL_USE_SSL"]) == ("True", "False")
    assert (got["EMAIL_HOST_USER"], got["EMAIL_HOST_PASSWORD"]) == ("cchc", "mat-khau")
    assert got["EMAIL_TIMEOUT"] == "10"
    assert got["DEFAULT_FROM_EMAIL"] == "Chỉ số CCHC <cchc@example.gov.vn>"


def test_ssl_takes_port_465_and_turns_starttls_off():
    got = mail_settings(EMAIL_HOST="smtp.example.gov.vn", EMAIL_USE_SSL="true")
    assert (got["EMAIL_PORT"], got["EMAIL_USE_TLS"], got["EMAIL_USE_SSL"]) == (
        "465",
        "False",
        "True",
    )
    assert mail_settings(EMAIL_HOST="smtp.example.gov.vn", EMAIL_PORT="25")["EMAIL_PORT"] == "25"


def test_the_backend_variable_overrides_the_choice():
    got = mail_settings(
        EMAIL_HOST="smtp.example.gov.vn",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
    )
    assert got["EMAIL_BACKEND"] == "django.core.mail.backends.dummy.EmailBackend"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"EMAIL_USE_TLS": "true", "EMAIL_USE_SSL": "true"}, "EMAIL_USE_SSL"),
        ({"EMAIL_USE_TLS": "perhaps"}, "EMAIL_USE_TLS"),
        ({"EMAIL_PORT": "smtp"}, "EMAIL_PORT"),
        ({"SITE_URL": "cchc.example.vn"}, "SITE_URL"),  # no scheme
        ({"SITE_URL": "ftp://cchc.example.vn"}, "SITE_URL"),
        ({"SITE_URL": "https://cchc.example.vn/cchc"}, "SITE_URL"),  # a path: links would double it
        ({"ALLOWED_HOSTS": ".example.vn"}, "SITE_URL"),  # no single host to link to
    ],
)
def test_production_refuses_a_mail_setting_it_cannot_understand(env, named):
    result = start_django(**(PRODUCTION | env))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr


def test_links_in_mail_default_to_the_first_allowed_host_over_https():
    got = mail_settings(ALLOWED_HOSTS="*.example.vn,cchc.example.vn")
    assert got["SITE_URL"] == "https://cchc.example.vn"
    assert mail_settings(SITE_URL="http://10.0.0.5:8000/")["SITE_URL"] == "http://10.0.0.5:8000"


def test_the_deploy_check_stays_clean_with_a_mail_server():
    environ = dict(os.environ, DEBUG="false")
    # The browser tests' conftest sets DJANGO_ALLOW_ASYNC_UNSAFE, which the deploy check
    # refuses: a production server never has it.
    for name in (*UNSET, "DJANGO_ALLOW_ASYNC_UNSAFE"):
        environ.pop(name, None)
    environ |= PRODUCTION | {
        "EMAIL_HOST": "smtp.example.gov.vn",
        "EMAIL_HOST_USER": "cchc",
        "EMAIL_HOST_PASSWORD": "mat-khau",
        "SITE_URL": "https://cchc.example.vn",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
