"""A message the mail server does not take is tried again later (issue 13, notifications): queued
again 1, 5 and 30 minutes on, then given up and logged at ERROR; nothing is lost and no page
waits. The mail server is made to refuse every message, as one that is down does."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn

import django
import pytest
import time_machine
from django.core import mail
from django.test import override_settings

from wellbeing_hub.notifications import send_email

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
_TASKS = "django.tasks" if django.VERSION >= (6, 0) else "django_tasks"
DUMMY = {"default": {"BACKEND": f"{_TASKS}.backends.dummy.DummyBackend"}}


def _refuse(*args: object, **kwargs: object) -> NoReturn:
    raise ConnectionRefusedError("mail server down")


@pytest.fixture
def server_down(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("django.core.mail.EmailMessage.send", _refuse)


def _queued() -> list[Any]:
    return list(send_email.get_backend().results)  # type: ignore[attr-defined]


@override_settings(TASKS=DUMMY)
@pytest.mark.parametrize(("attempt", "minutes"), [(1, 1), (2, 5), (3, 30)])
def test_a_failed_send_is_queued_again_with_the_next_delay(
    server_down: None, attempt: int, minutes: int
) -> None:
    with time_machine.travel(NOW, tick=False), pytest.raises(OSError):
        send_email.call("Hello", "Body", ["pat@example.org"], None, attempt=attempt)
    (again,) = _queued()
    assert again.task.run_after == NOW + timedelta(minutes=minutes)
    assert again.args == ["Hello", "Body", ["pat@example.org"], None]
    assert again.kwargs == {"attempt": attempt + 1}


@override_settings(TASKS=DUMMY)
def test_after_the_last_try_it_stops_and_logs_an_error(
    server_down: None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING), pytest.raises(OSError):
        send_email.call("Hello", "Body", ["pat@example.org"], None, attempt=4)
    assert _queued() == []
    (record,) = [r for r in caplog.records if r.name == "wellbeing_hub.notifications"]
    assert record.levelno == logging.ERROR
    assert "Gave up sending email 'Hello' after 4 attempts" in record.getMessage()


@override_settings(TASKS=DUMMY)
def test_a_retry_that_gets_through_sends_the_message() -> None:
    send_email.call("Hello", "Body", ["pat@example.org"], None, attempt=2)
    assert [m.to for m in mail.outbox] == [["pat@example.org"]]
    assert _queued() == []


@override_settings(
    TASKS_IN_DATABASE=True,
    TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
)
def test_with_the_database_queue_the_retry_waits_in_the_queue(server_down: None) -> None:
    from django_tasks_db.models import DBTaskResult

    with time_machine.travel(NOW, tick=False), pytest.raises(OSError):
        send_email.call("Hello", "Body", ["pat@example.org"], None)
    row = DBTaskResult.objects.get()
    assert row.run_after == NOW + timedelta(minutes=1)
    assert row.args_kwargs["kwargs"] == {"attempt": 2}
    with time_machine.travel(NOW + timedelta(seconds=59), tick=False):
        assert not DBTaskResult.objects.ready().exists()  # the worker leaves it for now
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        assert DBTaskResult.objects.ready().get() == row


def test_where_tasks_run_at_once_a_failure_is_logged_not_retried(
    server_down: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING), pytest.raises(OSError):
        send_email.call("Hello", "Body", ["pat@example.org"], None)
    (record,) = [r for r in caplog.records if r.name == "wellbeing_hub.notifications"]
    assert record.levelno == logging.ERROR
    assert "not tried again" in record.getMessage()
