"""The PB receipt code by email (issue 13): sent to the voter, never with their choices, again
with the new code when they change their vote, and not at all if they turned it off."""

from __future__ import annotations

import pytest
from django.core import mail
from pytest_django import DjangoCaptureOnCommitCallbacks

from accounts.models import NotificationPreference
from participation.services.ballots import submit_ballot
from participation.tests import factories as pf

pytestmark = pytest.mark.django_db


def test_the_voter_gets_their_receipt_code_and_nothing_about_their_choices(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    r, (a, b, _c), _by = pf.voting_round()
    person = pf.voter(r)
    with django_capture_on_commit_callbacks(execute=True):
        first = submit_ballot(round_=r, voter=person, choices={a.pk: 1})
    (message,) = mail.outbox
    assert message.to == [person.email]
    assert first.code in message.body
    assert f"/rounds/{r.slug}/receipts/" in message.body and "http" in message.body
    assert a.title not in message.body and b.title not in message.body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        second = submit_ballot(round_=r, voter=person, choices={b.pk: 1})
    (message,) = mail.outbox
    assert second.code in message.body and first.code not in message.body
    assert "replaces the code we gave you before" in message.body


def test_no_receipt_email_when_turned_off(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    r, (a, _b, _c), _by = pf.voting_round()
    person = pf.voter(r)
    NotificationPreference.objects.create(user=person, kind="pb_receipt", email=False)
    with django_capture_on_commit_callbacks(execute=True):
        submit_ballot(round_=r, voter=person, choices={a.pk: 1})
    assert mail.outbox == []
