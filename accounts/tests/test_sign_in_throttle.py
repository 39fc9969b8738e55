"""Sign-in throttling (issue 11): every attempt is counted in the database, atomically and before
the password is checked, so parallel guesses cannot get past the limit and no failure is lost."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import AuditEvent, SignInCounter, User
from directory.tests import factories as f

PASSWORD = "a-long-test-password"
LIMIT = 3


class PasswordChecks:
    """Counts calls to the password check (thread-safe), optionally slowed down like Argon2."""

    def __init__(self, delay: float = 0.0) -> None:
        self.calls = 0
        self.delay = delay
        self._lock = threading.Lock()
        self._real = User.check_password

    def __call__(self, user: User, raw_password: str) -> bool:
        with self._lock:
            self.calls += 1
        if self.delay:
            threading.Event().wait(self.delay)
        return self._real(user, raw_password)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> PasswordChecks:
        def check_password(user: User, raw_password: str) -> bool:
            return self(user, raw_password)

        monkeypatch.setattr(User, "check_password", check_password)
        return self


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> PasswordChecks:
    return PasswordChecks().install(monkeypatch)


def _post(client: Client, username: str, password: str, **extra: Any) -> Any:
    return client.post(
        reverse("accounts:sign-in"), {"username": username, "password": password}, **extra
    )


def _fail(client: Client, username: str, times: int) -> None:
    for _ in range(times):
        page = _post(client, username, "wrong")
        assert page.status_code == 200
        assert "Enter a username and password that match an account" in page.content.decode()


@pytest.mark.django_db
@override_settings(LOGIN_FAILURE_LIMIT=LIMIT, LOGIN_ADDRESS_FAILURE_LIMIT=100)
@pytest.mark.parametrize(
    ("failures", "allowed"), [(LIMIT - 2, True), (LIMIT - 1, True), (LIMIT, False)]
)
def test_the_limit_boundary(
    client: Client, checks: PasswordChecks, failures: int, allowed: bool
) -> None:
    """LIMIT attempts are checked in all: after LIMIT - 1 failures the LIMIT-th attempt (with the
    right password) still signs in; after LIMIT failures the next one is refused unchecked."""
    f.user(username="sam")
    _fail(client, "sam", failures)
    response = _post(client, "sam", PASSWORD)
    assert response.status_code == (302 if allowed else 429)
    assert checks.calls == failures + (1 if allowed else 0)


@pytest.mark.django_db
@override_settings(LOGIN_FAILURE_LIMIT=LIMIT, LOGIN_ADDRESS_FAILURE_LIMIT=100)
def test_one_over_the_limit_is_refused_without_checking_the_password(
    client: Client, checks: PasswordChecks
) -> None:
    f.user(username="sam")
    _fail(client, "sam", LIMIT)
    refused = _post(client, "sam", PASSWORD)
    assert refused.status_code == 429
    assert "too many failed attempts" in refused.content.decode()
    assert checks.calls == LIMIT  # the right password was never checked
    assert "_auth_user_id" not in client.session
    # Other accounts from the same address are not locked.
    f.user(username="kim")
    assert _post(client, "kim", PASSWORD).status_code == 302


@pytest.mark.django_db
@override_settings(LOGIN_FAILURE_LIMIT=LIMIT, LOGIN_LOCKOUT_SECONDS=900)
def test_the_lock_expires_after_the_lockout_period(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    f.user(username="sam")
    start = timezone.now()
    monkeypatch.setattr(services, "_now", lambda: start)
    _fail(client, "sam", LIMIT)
    monkeypatch.setattr(services, "_now", lambda: start + timedelta(seconds=899))
    assert _post(client, "sam", PASSWORD).status_code == 429
    monkeypatch.setattr(services, "_now", lambda: start + timedelta(seconds=900))
    assert _post(client, "sam", PASSWORD).status_code == 302


@pytest.mark.django_db
@override_settings(LOGIN_FAILURE_LIMIT=LIMIT, LOGIN_ADDRESS_FAILURE_LIMIT=100)
def test_a_successful_sign_in_clears_the_accounts_counter(client: Client) -> None:
    f.user(username="sam")
    _fail(client, "sam", LIMIT - 1)
    assert services.sign_in_attempts("sam") == LIMIT - 1
    assert _post(client, "sam", PASSWORD).status_code == 302
    assert services.sign_in_attempts("sam") == 0
    # A fresh allowance: LIMIT more failures before the lock.
    other = Client()
    _fail(other, "sam", LIMIT)
    assert _post(other, "sam", PASSWORD).status_code == 429


@pytest.mark.django_db
@override_settings(LOGIN_FAILURE_LIMIT=100, LOGIN_ADDRESS_FAILURE_LIMIT=4)
def test_an_address_gets_its_own_softer_limit_and_successes_do_not_use_it_up(
    client: Client,
) -> None:
    for name in ("a1", "a2", "a3", "a4", "a5", "a6"):
        f.user(username=name)
    # Successful sign-ins from a shared address (a library, a proxy) do not count against it.
    for name in ("a1", "a2", "a3", "a4", "a5", "a6"):
        assert _post(Client(), name, PASSWORD).status_code == 302
    # Failures for different names do.
    for name in ("a1", "a2", "a3", "a4"):
        _fail(client, name, 1)
    assert _post(client, "a5", PASSWORD).status_code == 429
    # Another address is not affected.
    assert _post(client, "a5", PASSWORD, REMOTE_ADDR="192.0.2.7").status_code == 302


@pytest.mark.django_db
@override_settings(LOGIN_FAILURE_LIMIT=LIMIT, LOGIN_ADDRESS_FAILURE_LIMIT=100)
def test_usernames_differing_in_case_share_one_counter(client: Client) -> None:
    f.user(username="sam")
    _fail(client, "Sam", 1)
    _fail(client, " SAM ", 1)
    _fail(client, "sam", 1)
    assert _post(client, "sam", PASSWORD).status_code == 429


@pytest.mark.django_db
@override_settings(LOGIN_FAILURE_LIMIT=LIMIT, LOGIN_ADDRESS_FAILURE_LIMIT=100)
def test_counting_does_not_depend_on_the_cache(client: Client) -> None:
    """Production's database cache table may not exist: clearing (or losing) the cache must not
    reset the count."""
    from django.core.cache import cache

    f.user(username="sam")
    _fail(client, "sam", LIMIT)
    cache.clear()
    assert _post(client, "sam", PASSWORD).status_code == 429
    assert SignInCounter.objects.filter(attempts__gte=LIMIT + 1).exists()


THREADS = 40


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@override_settings(LOGIN_FAILURE_LIMIT=5, LOGIN_ADDRESS_FAILURE_LIMIT=1000)
def test_forty_parallel_guesses_get_at_most_the_limit_of_password_checks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    f.user(username="target")
    # About as slow as Argon2, to widen any race.
    checks = PasswordChecks(delay=0.05).install(monkeypatch)
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def guess(i: int) -> None:
        try:
            barrier.wait()
            response = _post(Client(), "target", f"guess-{i}")
            statuses.append(response.status_code)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert checks.calls <= 5
    assert statuses.count(200) == checks.calls  # each checked guess was told it was wrong
    assert statuses.count(429) == THREADS - checks.calls
    # Every attempt was counted: none lost to a concurrent read-then-write.
    assert services.sign_in_attempts("target") == THREADS
    assert AuditEvent.objects.filter(action="sign-in-failed").count() == checks.calls


@pytest.mark.django_db
@override_settings(LOGIN_FAILURE_LIMIT=LIMIT, LOGIN_ADDRESS_FAILURE_LIMIT=100)
def test_the_count_without_returning_as_on_sqlite_before_3_35(
    client: Client, checks: PasswordChecks, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL always has RETURNING (and Django's own inserts need it there)")
    monkeypatch.setattr(connection.features, "can_return_columns_from_insert", False)
    f.user(username="sam")
    _fail(client, "sam", LIMIT)
    assert _post(client, "sam", PASSWORD).status_code == 429
    assert checks.calls == LIMIT
    assert services.sign_in_attempts("sam") == LIMIT + 1
