"""Settings: environment readers that fail loudly, production refusing unsafe defaults, locale."""

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


def start_django(**env):
    """Set Django up in a fresh interpreter with DEBUG off and the given variables (None: unset)."""
    environ = dict(os.environ, DEBUG="false")
    for name in ("SECRET_KEY", "ALLOWED_HOSTS"):
        environ.pop(name, None)
    for name, value in env.items():
        if value is None:
            environ.pop(name, None)
        else:
            environ[name] = value
    return subprocess.run(
        [sys.executable, "-c", SETUP],
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
