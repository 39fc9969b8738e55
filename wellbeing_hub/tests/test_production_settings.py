"""The production configuration refuses unsafe set-ups and has secure defaults."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

STRONG_KEY = "k7#Qp2!vX9zL@4mW8rT$1yB6nF0dH3sJ5gC^eU&aR*iO(wE)+Zx8"
BALLOT_KEY = "b" * 10 + "Xq3!Zr8@Lm2#Np7$Vt4%Ws9^Yk1&Hj6*"
PROD = {
    "SECRET_KEY": STRONG_KEY,
    "BALLOT_SECRET_KEY": BALLOT_KEY,
    "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
    "ALLOWED_HOSTS": "wellbeing.example-council.gov.uk",
}


def run_settings(env: dict[str, str], code: str = "") -> subprocess.CompletedProcess[str]:
    code = code or (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.SECURE_SSL_REDIRECT)"
    )
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "WELLBEING_ENV",
            "SECRET_KEY",
            "BALLOT_SECRET_KEY",
            "DEBUG",
            "DATABASE_URL",
            "ALLOW_SQLITE_IN_PRODUCTION",
            "ALLOWED_HOSTS",
            "TASKS_BACKEND",
            "EMAIL_BACKEND",
            "LOG_FORMAT",
        }
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "wellbeing_hub.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = run_settings({})
    assert result.returncode != 0 and "Set SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_a_ballot_key() -> None:
    env = {k: v for k, v in PROD.items() if k != "BALLOT_SECRET_KEY"}
    result = run_settings(env)
    assert result.returncode != 0 and "BALLOT_SECRET_KEY" in result.stderr


def test_production_defaults_are_secure() -> None:
    result = run_settings(PROD)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True"]


def test_a_fifty_character_key_is_enough_and_forty_nine_is_not() -> None:
    key = "".join(chr(ord("A") + i % 26) for i in range(50))
    assert len(key) == 50
    assert run_settings({**PROD, "SECRET_KEY": key}).returncode == 0
    result = run_settings({**PROD, "SECRET_KEY": key[:49]})
    assert result.returncode != 0
    assert "SECRET_KEY is too weak: it has 49 characters" in result.stderr


@pytest.mark.parametrize(
    "key",
    ["a" * 60, "abcd" * 20, "django-insecure-" + "q1w2e3r4t5y6" * 4, "change-me-" + "x1y2z3" * 9],
)
def test_production_refuses_a_weak_secret_key(key: str) -> None:
    result = run_settings({**PROD, "SECRET_KEY": key})
    assert result.returncode != 0 and "SECRET_KEY is too weak" in result.stderr


def test_production_refuses_the_same_key_for_ballots() -> None:
    result = run_settings({**PROD, "BALLOT_SECRET_KEY": STRONG_KEY})
    assert result.returncode != 0 and "must differ from SECRET_KEY" in result.stderr


def test_production_refuses_sqlite_unless_allowed() -> None:
    sqlite = {**PROD, "DATABASE_URL": "sqlite:///:memory:"}
    result = run_settings(sqlite)
    assert result.returncode != 0 and "Production needs PostgreSQL" in result.stderr
    assert run_settings({**sqlite, "ALLOW_SQLITE_IN_PRODUCTION": "1"}).returncode == 0


def test_production_refuses_debug_and_needs_allowed_hosts() -> None:
    result = run_settings({**PROD, "DEBUG": "1"})
    assert result.returncode != 0 and "DEBUG" in result.stderr
    no_hosts = {k: v for k, v in PROD.items() if k != "ALLOWED_HOSTS"}
    result = run_settings(no_hosts)
    assert result.returncode != 0 and "Set ALLOWED_HOSTS" in result.stderr


def test_production_uses_the_database_queue_and_json_logs() -> None:
    code = (
        "import django, logging; django.setup(); from django.conf import settings; "
        "print(settings.TASKS['default']['BACKEND']); "
        "logging.getLogger('wellbeing').warning('hello %s', 'there', extra={'user_id': 7})"
    )
    result = run_settings(PROD, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django_tasks_db.DatabaseBackend"
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["message"] == "hello there" and line["level"] == "WARNING"
    assert line["logger"] == "wellbeing" and line["user_id"] == 7


def test_sqlite_waits_for_locks_and_uses_wal(tmp_path: Path) -> None:
    db = tmp_path / "demo.sqlite3"
    code = (
        "import django; django.setup(); from django.db import connection; "
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]); "
        "print(connection.transaction_mode)"
    )
    result = run_settings({"WELLBEING_ENV": "demo", "DATABASE_URL": f"sqlite:///{db}"}, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "IMMEDIATE"]


def test_deploy_check_is_clean() -> None:
    code = (
        "import django, sys; django.setup(); from django.core.management import call_command; "
        "call_command('check', deploy=True, fail_level='WARNING')"
    )
    result = run_settings(PROD, code)
    assert result.returncode == 0, result.stderr + result.stdout
