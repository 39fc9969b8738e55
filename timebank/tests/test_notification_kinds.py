"""Time-bank emails name their kind (issue 13): people who turned a kind off do not get it, the
applicant hears a decision either way, a member whose request someone answers hears it is
matched, and safeguarding reminders cannot be turned off."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from accounts.models import NotificationPreference, User
from timebank.models import ReminderSent
from timebank.services.exchanges import propose_exchange
from timebank.services.members import approve_member, decline_member, record_check
from timebank.services.offers import create_request
from timebank.services.reminders import send_due_reminders
from timebank.services.rotas import assign_to_rota, create_rota
from timebank.tests import factories as tb

pytestmark = pytest.mark.django_db


def _off(user: User, kind: str) -> None:
    NotificationPreference.objects.create(user=user, kind=kind, email=False)


def test_a_declined_applicant_is_told_why(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    coordinator = tb.coordinator()
    applicant = tb.member(approved=False, name="Ann")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decline_member(coordinator=coordinator, member=applicant, reason="We cover Northgate only")
    (message,) = mail.outbox
    assert message.to == [applicant.user.email]
    assert "not approved" in message.body and "We cover Northgate only" in message.body
    assert "To stop emails like this one: http" in message.body


def test_an_applicant_who_turned_decisions_off_gets_none(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    coordinator = tb.coordinator()
    applicant = tb.member(approved=False)
    _off(applicant.user, "timebank_membership")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        approve_member(coordinator=coordinator, member=applicant)
    assert mail.outbox == []


def test_answering_a_request_tells_the_member_it_is_matched(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    coordinator = tb.coordinator()
    asker, helper = tb.member(by=coordinator), tb.member(by=coordinator)
    req = create_request(member=asker, title="Help with shopping", category=None)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        propose_exchange(
            by=helper.user,
            giver=helper,
            receiver=asker,
            minutes=60,
            start=tb.at(-1),
            idempotency_key=tb.key(),
            req=req,
        )
    (message,) = mail.outbox
    assert message.to == [asker.user.email]
    assert message.subject == "Someone can help with your request: Help with shopping"
    assert "/time-bank/" in message.body and "http" in message.body


def test_an_exchange_without_a_request_asks_for_confirmation(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    coordinator = tb.coordinator()
    giver, receiver = tb.member(by=coordinator), tb.member(by=coordinator)
    _off(receiver.user, "timebank_requests")  # a different kind: still sent
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        propose_exchange(
            by=giver.user,
            giver=giver,
            receiver=receiver,
            minutes=30,
            start=tb.at(-1),
            idempotency_key=tb.key(),
        )
    assert [m.subject for m in mail.outbox] == ["Please confirm a time bank exchange"]
    _off(receiver.user, "timebank_exchanges")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        propose_exchange(
            by=giver.user,
            giver=giver,
            receiver=receiver,
            minutes=30,
            start=tb.at(-3),
            idempotency_key=tb.key(),
        )
    assert mail.outbox == []


def test_rota_reminders_honour_the_choice_but_safeguarding_ones_are_always_sent() -> None:
    coordinator = tb.coordinator()
    coordinator.email = "coord@example.org"
    coordinator.save()
    _off(coordinator, "safeguarding")  # not a choice anyone is offered: ignored
    person, helper = tb.member(by=coordinator), tb.member(by=coordinator)
    _off(helper.user, "timebank_rotas")
    today = timezone.localdate()
    first = today + timedelta(days=2)
    rota = create_rota(
        coordinator=coordinator,
        title="Hospital lift",
        weekday=first.weekday(),
        start_time=time(9),
        duration_minutes=60,
        first_date=first,
        end_date=first + timedelta(weeks=4),
        receiver=person,
    )
    assign_to_rota(coordinator=coordinator, rota=rota, member=helper, starting=first)
    record_check(
        coordinator=coordinator,
        member=helper,
        kind="dbs_basic",
        checked_on=today - timedelta(days=700),
        expires_on=today + timedelta(days=20),
    )
    mail.outbox.clear()
    send_due_reminders(today=today)
    subjects = [(m.subject, m.to) for m in mail.outbox]
    assert ("Time bank: a safeguarding check is expiring", ["coord@example.org"]) in subjects
    # The helper's reminder was due (and recorded), but they turned rota emails off.
    assert ReminderSent.objects.filter(rota=rota, recipient=f"member:{helper.pk}").exists()
    assert not any(helper.user.email in to for _, to in subjects)
