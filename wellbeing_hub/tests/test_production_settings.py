"""The production configuration refuses unsafe set-ups and has secure defaults."""

from __future__ import annotations

import os
import subprocess
import sys

STRONG_KEY = "k7#Qp2!vX9zL@4mW8rT$1yB6nF0dH3sJ5gC^eU&aR*iO(wE)"
BALLOT_KEY = "b" * 10 + "Xq3!Zr8@Lm2#Np7$Vt4%Ws9^Yk1&Hj6*"
PROD = {
    "SECRET_KEY": STRONG_KEY,
    "BALLOT_SECRET_KEY": BALLOT_KEY,
    "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
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
