"""Demo sign-ins: one fictional person per role, random passwords unless one is given, hashed with
Argon2 outside the test suite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.test import override_settings

from accounts.demo_users import DEMO_PEOPLE, PASSWORD_VARIABLE, DemoLogin, create_demo_users
from accounts.models import User
from accounts.roles import Role
from directory.demo_area import SATURDAY_ORGANISATION_NAME, DemoAreaMissing, generate_area
from directory.services import can_act_for, organizations_of

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[2]
ARGON2_FIRST = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


@pytest.fixture
def area() -> None:
    generate_area(seed=2026, services=30)


def test_one_fictional_person_per_role(area: None) -> None:
    logins = create_demo_users({})
    assert [login.role for login in logins] == list(Role.values)
    for login in logins:
        user = User.objects.get(username=login.username)
        assert user.roles() == {login.role}
        assert "demo" in user.display_name
        assert user.email.endswith("@example.org")
        assert user.check_password(login.password)
    admin = User.objects.get(username=DEMO_PEOPLE[Role.ADMINISTRATOR][0])
    assert admin.is_staff and admin.is_superuser
    assert not User.objects.filter(is_staff=True).exclude(pk=admin.pk).exists()


def test_the_provider_manages_the_saturday_activity(area: None) -> None:
    create_demo_users({})
    provider = User.objects.get(username=DEMO_PEOPLE[Role.PROVIDER][0])
    organisations = organizations_of(provider)
    assert [o.name for o in organisations] == [SATURDAY_ORGANISATION_NAME]
    assert can_act_for(provider, organisations[0])
    coordinator = User.objects.get(username=DEMO_PEOPLE[Role.COORDINATOR][0])
    assert coordinator.has_role(Role.COORDINATOR) and not organizations_of(coordinator)


def test_passwords_are_new_each_run_and_reset_the_accounts(area: None) -> None:
    first = {login.role: login.password for login in create_demo_users({})}
    second = create_demo_users({})
    assert User.objects.count() == len(Role.values)  # reset, not duplicated
    for login in second:
        assert login.password != first[login.role]
        assert len(login.password) >= 16
        user = User.objects.get(username=login.username)
        assert user.check_password(login.password)
        assert not user.check_password(first[login.role])
    assert len({login.password for login in second}) == len(second)


def test_a_given_password_serves_for_everyone(area: None, monkeypatch: pytest.MonkeyPatch) -> None:
    logins = create_demo_users({PASSWORD_VARIABLE: "a shared demo secret"})
    assert {login.password for login in logins} == {"a shared demo secret"}
    monkeypatch.setenv(PASSWORD_VARIABLE, "from the environment")
    logins = create_demo_users()  # the environment is the default source
    role, username, password = logins[0]
    assert role == Role.PERSON
    assert isinstance(logins[0], DemoLogin)
    assert password == "from the environment"
    assert User.objects.get(username=username).check_password(password)
    monkeypatch.setenv(PASSWORD_VARIABLE, "  ")
    assert create_demo_users()[0].password != "  "


def test_passwords_are_hashed_by_the_configured_hasher_argon2_outside_tests(area: None) -> None:
    # The test settings put a fast hasher first; with the real order, create_demo_users must hash
    # with Argon2 (it goes through create_user/set_password, never its own hashing).
    with override_settings(PASSWORD_HASHERS=ARGON2_FIRST):
        logins = create_demo_users({})
        for login in logins:
            user = User.objects.get(username=login.username)
            assert user.password.startswith("argon2$argon2id$")
            assert identify_hasher(user.password).algorithm == "argon2"
            assert user.check_password(login.password)
            assert login.password not in user.password


def test_the_demo_settings_put_argon2_first() -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    env.update(WELLBEING_ENV="demo", DATABASE_URL="sqlite:///:memory:")
    code = "from wellbeing_hub import settings; print(settings.PASSWORD_HASHERS[0])"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_needs_the_demo_area_first() -> None:
    with pytest.raises(DemoAreaMissing):
        create_demo_users({})
    assert not User.objects.exists()
