"""Issue 19, hours: time is credited only after the help has happened, and every page reads a
member's balance from one selector (``selectors.balance_of``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rules.ledger import format_minutes
from timebank import selectors
from timebank.models import Account, Exchange, LedgerTransaction, Member, Posting
from timebank.services._common import TimebankRefused
from timebank.services.exchanges import confirm_exchange, propose_exchange
from timebank.services.tokens import issue_api_token
from timebank.tests import factories as tb

pytestmark = pytest.mark.django_db


def test_a_future_exchange_can_be_planned_but_not_confirmed() -> None:
    giver, receiver = tb.member(), tb.member()
    planned = tb.exchange(giver, receiver, 90, start=tb.at(8), confirm=False)
    assert planned.status == Exchange.Status.PROPOSED
    with pytest.raises(TimebankRefused, match="once the help has happened") as refused:
        confirm_exchange(by=receiver.user, exchange=planned)
    assert refused.value.field == "start"
    planned.refresh_from_db()
    assert planned.status == Exchange.Status.PROPOSED and planned.transaction is None
    assert selectors.balance_of(giver) == selectors.balance_of(receiver) == 300


def test_an_exchange_still_going_on_cannot_be_confirmed_but_one_just_ended_can() -> None:
    giver, receiver = tb.member(), tb.member()
    now = timezone.now()
    going_on = tb.exchange(giver, receiver, 60, start=now - timedelta(minutes=30), confirm=False)
    with pytest.raises(TimebankRefused, match="once the help has happened"):
        confirm_exchange(by=receiver.user, exchange=going_on)
    ended = tb.exchange(giver, receiver, 60, start=now - timedelta(minutes=125), confirm=False)
    assert confirm_exchange(by=receiver.user, exchange=ended).status == "confirmed"


def test_a_coordinator_cannot_record_a_future_exchange_as_confirmed() -> None:
    coordinator = tb.coordinator()
    giver, receiver = tb.member(by=coordinator), tb.member(by=coordinator)
    with pytest.raises(TimebankRefused, match="once the help has happened"):
        propose_exchange(
            by=coordinator,
            giver=giver,
            receiver=receiver,
            minutes=90,
            start=tb.at(8),
            idempotency_key=tb.key(),
            confirm=True,
        )
    assert not Exchange.objects.exists()


def test_the_api_refuses_to_confirm_a_future_exchange_naming_start(client: Client) -> None:
    coordinator = tb.coordinator()
    giver, receiver = tb.member(by=coordinator), tb.member(by=coordinator)
    token = issue_api_token(user=coordinator)
    response = client.post(
        reverse("timebank:api-exchanges"),
        {
            "idempotency_key": "future-1",
            "giver": giver.pk,
            "receiver": receiver.pk,
            "minutes": 90,
            "start": tb.at(8).isoformat(),
            "confirm": True,
        },
        content_type="application/json",
        headers={"authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "start"


def test_the_exchange_page_says_planned_and_offers_no_confirm_button(client: Client) -> None:
    giver, receiver = tb.member(), tb.member()
    planned = tb.exchange(giver, receiver, 90, start=tb.at(8), confirm=False)
    client.force_login(receiver.user)
    html = client.get(reverse("timebank:exchange", args=[planned.pk])).content.decode()
    assert "Planned" in html and "Confirm exchange" not in html


def _future_dated_entry(giver: Member, receiver: Member, minutes: int) -> None:
    """An entry dated ahead, as the old code let through (kept in the ledger as it was)."""
    txn = LedgerTransaction.objects.create(
        key=tb.key(),
        kind=LedgerTransaction.Kind.EXCHANGE,
        effective=timezone.localdate() + timedelta(days=8),
        memo="Recorded ahead",
    )
    for member, amount in ((giver, minutes), (receiver, -minutes)):
        account = Account.objects.get(member=member)
        Posting.objects.create(transaction=txn, account=account, minutes=amount)
        account.balance += amount
        account.save(update_fields=["balance"])


def test_home_statement_and_member_pages_show_the_same_balance(client: Client) -> None:
    coordinator = tb.coordinator()
    giver, receiver = tb.member(by=coordinator), tb.member(by=coordinator)
    tb.exchange(giver, receiver, 150, start=tb.at(-3))
    _future_dated_entry(giver, receiver, 90)
    assert selectors.balance_of(giver) == 300 + 150 + 90
    assert selectors.statement_for(giver).closing.units == selectors.balance_of(giver)
    client.force_login(giver.user)
    home = client.get(reverse("timebank:home")).content.decode()
    statement = client.get(reverse("timebank:statement")).content.decode()
    assert 'id="balance">9 hours<' in home
    assert 'id="statement-balance">9 hours<' in statement
    client.force_login(coordinator)
    member_page = client.get(reverse("timebank:member", args=[receiver.pk])).content.decode()
    their_statement = client.get(
        reverse("timebank:member-statement", args=[receiver.pk])
    ).content.decode()
    text = format_minutes(selectors.balance_of(receiver))
    assert text == "1 hour"
    assert text in member_page and f'id="statement-balance">{text}<' in their_statement
