import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x7#kq2v9!m4p8z1r6t3w5y0u-a_b=c+d*e(f)g&h^j%l$n@o~s" + "0" * 10,
    "ALLOWED_HOSTS": "clinic.example",
    "SITE_URL": "https://clinic.example",
    "DJANGO_SETTINGS_MODULE": "clinic.settings.base",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_real_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_sqlite_serialises_writers_and_uses_wal(settings, db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite-only setting; the PostgreSQL run checks PostgreSQL")
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"


@pytest.mark.parametrize(("value", "expected"), [("50/60", (50, 60)), (" 200 / 900 ", (200, 900)), ("", (10, 600))])
def test_a_rate_limit_comes_from_the_environment_as_requests_per_seconds(monkeypatch, value, expected):
    from clinic.settings.base import _rate_limit

    monkeypatch.setenv("RATE_LIMIT_BOOKINGS_BOOK", value)
    assert _rate_limit("bookings:book", (10, 600)) == expected


@pytest.mark.parametrize("value", ["50", "50/", "fifty/60", "0/60", "50/0", "-5/60", "5.5/60", "50/60/2", "５0/60"])
def test_a_malformed_rate_limit_stops_the_site_naming_the_variable(monkeypatch, value):
    from django.core.exceptions import ImproperlyConfigured

    from clinic.settings.base import _rate_limit

    monkeypatch.setenv("RATE_LIMIT_NEWSLETTER_SUBSCRIBE", value)
    with pytest.raises(ImproperlyConfigured, match="RATE_LIMIT_NEWSLETTER_SUBSCRIBE must be <requests>/<seconds>"):
        _rate_limit("newsletter:subscribe", (30, 3600))


def test_the_site_refuses_to_start_with_a_malformed_rate_limit():
    result = run_manage(
        "check", env={"DJANGO_SETTINGS_MODULE": "clinic.settings.base", "RATE_LIMIT_BOOKINGS_API": "lots"}
    )
    assert result.returncode != 0
    assert "RATE_LIMIT_BOOKINGS_API must be <requests>/<seconds>" in result.stderr
