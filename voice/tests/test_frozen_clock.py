"""Deadlines with the clock frozen (issue 15, "Done when"): nothing here passes a date in. The
complaint is given, the daily escalation command runs and the pages are read while
``time_machine`` holds the clock still, so the code's own ``timezone.now()`` and
``timezone.localdate()`` decide what is overdue.

A complaint received on Thursday 24 December 2026 at 16:00 (London) is acknowledged within 3
working days: Friday 25 (Christmas Day), the weekend and Monday 28 (the substitute day for Boxing
Day) do not count, so the days are Tuesday 29, Wednesday 30 and Thursday 31 December. It becomes
overdue when Thursday 31 December ends. The full response is due 10 working days later:
Friday 1 January 2027 (New Year's Day) does not count, so it is Friday 15 January 2027.
"""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoCaptureOnCommitCallbacks

from accounts.roles import Role
from directory.tests import factories
from voice import selectors
from voice.services.feedback import submit_feedback
from voice.services.moderation import moderate
from voice.services.responses import acknowledge

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def _london(y: int, m: int, d: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hour, minute, second, tzinfo=LONDON)


RECEIVED = _london(2026, 12, 24, 16, 0)
ACK_LAST_MOMENT = _london(2026, 12, 31, 23, 59, 59)
ACK_PASSED = _london(2027, 1, 1, 0, 0, 0)


@pytest.fixture
def complaint() -> dict[str, Any]:
    org = factories.organization(name="Riverside Care")
    svc = factories.service(organization_=org, name="Riverside Day Centre")
    moderator = factories.user(Role.MODERATOR, username="mod", email="mod@example.com")
    commissioner = factories.user(Role.COMMISSIONER, username="comm", email="comm@example.com")
    provider = factories.provider_user(org)
    with time_machine.travel(RECEIVED, tick=False):
        feedback = submit_feedback(
            about="service",
            service_id=str(svc.pk),
            kind="complaint",
            given_as="carer",
            text="Nobody came on Christmas Eve.",
            identity="anonymous",
        )
        moderate(
            feedback=feedback,
            moderator=moderator,
            decision="published",
            reason="No personal details",
            published_text="Nobody came for a visit on Christmas Eve.",
        )
    feedback.refresh_from_db()
    return {"feedback": feedback, "commissioner": commissioner, "provider": provider}


def _escalate(
    capture: DjangoCaptureOnCommitCallbacks, mailoutbox: list[EmailMessage]
) -> list[EmailMessage]:
    """Run the real daily command; return the escalation emails it sent."""
    before = len(mailoutbox)
    with capture(execute=True):
        call_command("escalate_overdue_feedback")
    return [m for m in mailoutbox[before:] if "overdue" in m.subject]


def test_deadlines_fixed_on_receipt_under_the_frozen_clock(complaint: dict[str, Any]) -> None:
    f = complaint["feedback"]
    assert f.received_on == dt.date(2026, 12, 24)
    assert f.acknowledge_by == dt.date(2026, 12, 31)
    assert f.respond_by == dt.date(2027, 1, 15)


@pytest.mark.parametrize(
    "moment",
    [
        _london(2026, 12, 30, 12, 0),  # one working day before the deadline
        _london(2026, 12, 31, 9, 0),  # the deadline day itself
        ACK_LAST_MOMENT,  # the last second of it
    ],
)
def test_not_overdue_until_the_acknowledgement_deadline_has_passed(
    complaint: dict[str, Any],
    moment: dt.datetime,
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with time_machine.travel(moment, tick=False):
        assert _escalate(django_capture_on_commit_callbacks, mailoutbox) == []
        assert selectors.overdue() == []
        assert selectors.status_of(complaint["feedback"]) != "Overdue"
        story = Client().get(reverse("voice:story", args=[complaint["feedback"].reference]))
    assert b"Overdue" not in story.content
    complaint["feedback"].refresh_from_db()
    assert complaint["feedback"].escalated_at is None


def test_overdue_and_escalated_once_when_the_deadline_passes(
    complaint: dict[str, Any],
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    f = complaint["feedback"]
    with time_machine.travel(ACK_PASSED, tick=False):
        sent = _escalate(django_capture_on_commit_callbacks, mailoutbox)
        assert len(sent) == 1 and sent[0].to == ["comm@example.com"]
        assert f.reference in sent[0].body
        f.refresh_from_db()
        assert f.escalated_at == ACK_PASSED
        assert selectors.overdue() == [f]
        # The same day's second run, and the next day's, escalate nothing more.
        assert _escalate(django_capture_on_commit_callbacks, mailoutbox) == []
    with time_machine.travel(_london(2027, 1, 4, 8, 0), tick=False):
        assert _escalate(django_capture_on_commit_callbacks, mailoutbox) == []
        story = Client().get(reverse("voice:story", args=[f.reference]))
        c = Client()
        c.force_login(complaint["commissioner"])
        listed = c.get(reverse("voice:overdue")).content.decode()
    f.refresh_from_db()
    assert f.escalated_at == ACK_PASSED  # not moved by the later runs
    assert b"Overdue" in story.content
    assert f.reference in listed and "escalated" in listed


def test_response_clock_after_an_acknowledgement_in_time(
    complaint: dict[str, Any],
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    f = complaint["feedback"]
    with time_machine.travel(_london(2026, 12, 31, 15, 0), tick=False):
        acknowledge(feedback=f, user=complaint["provider"], text="We are looking into it.")
    # Friday 15 January 2027 is the last day for the full response (New Year's Day and two
    # weekends skipped); the working day before and the day itself are on time.
    for moment in (_london(2027, 1, 14, 12, 0), _london(2027, 1, 15, 23, 59, 59)):
        with time_machine.travel(moment, tick=False):
            assert _escalate(django_capture_on_commit_callbacks, mailoutbox) == []
    with time_machine.travel(_london(2027, 1, 16, 0, 0), tick=False):
        sent = _escalate(django_capture_on_commit_callbacks, mailoutbox)
        assert len(sent) == 1 and f.reference in sent[0].body
        assert _escalate(django_capture_on_commit_callbacks, mailoutbox) == []
    f.refresh_from_db()
    assert f.escalated_at == _london(2027, 1, 16)
    assert f.acknowledged_at is not None and f.responded_at is None
