"""Issue 19, money: who may correct what, corrections below zero, payment dates against the
account's life, scheduled (future-dated) payments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.roles import Role
from budgets import selectors
from budgets.access import NotAllowed
from budgets.models import BudgetAccount, LedgerTransaction
from budgets.services._common import BudgetsError
from budgets.services.accounts import Posted, account_balance_pence, post, reverse_transaction
from budgets.tests import helpers
from directory.tests import factories as f

pytestmark = pytest.mark.django_db


def _allocation(account: BudgetAccount) -> LedgerTransaction:
    return LedgerTransaction.objects.get(account=account, kind="allocation")


def _pay(account: BudgetAccount, amount: str, day: dt.date, key: str = "p1") -> Posted:
    return post(
        account=account,
        actor=account.person,
        kind="provider_payment",
        payee="Craft CIC",
        amount=Decimal(amount),
        effective=day,
        key=key,
    )


# --- corrections -----------------------------------------------------------------------------


def test_a_holder_cannot_correct_the_councils_money(client: Client) -> None:
    account = helpers.open_account()
    allocation = _allocation(account)
    with pytest.raises(NotAllowed):
        reverse_transaction(
            account=account,
            actor=account.person,
            original_key=allocation.key,
            reason="I do not want it",
            key="r1",
        )
    client.force_login(account.person)
    url = reverse("budgets:account-correct", args=[account.pk, allocation.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "x", "key": "r2"}).status_code == 403
    page = client.get(reverse("budgets:account", args=[account.pk])).content.decode()
    assert url not in page
    assert not LedgerTransaction.objects.filter(kind="reversal").exists()


def test_a_holder_still_corrects_their_own_payment(client: Client) -> None:
    account = helpers.open_account()
    paid = _pay(account, "5.00", timezone.localdate()).transaction
    client.force_login(account.person)
    page = client.get(reverse("budgets:account", args=[account.pk])).content.decode()
    assert reverse("budgets:account-correct", args=[account.pk, paid.pk]) in page
    reverse_transaction(
        account=account, actor=account.person, original_key=paid.key, reason="Wrong", key="r1"
    )


def test_no_correction_below_zero_unless_a_practitioner_says_why(client: Client) -> None:
    broker = f.user(Role.BROKER)
    account = helpers.open_account(broker=broker)
    balance = account_balance_pence(account)
    # Spend all but one penny, then the allocation's reversal would go below zero.
    _pay(account, str(Decimal(balance - 1) / 100), account.period_start)
    allocation = _allocation(account)
    with pytest.raises(BudgetsError, match="below") as caught:
        reverse_transaction(
            account=account, actor=broker, original_key=allocation.key, reason="Wrong", key="r1"
        )
    assert caught.value.field == "below_zero_reason"
    client.force_login(broker)
    url = reverse("budgets:account-correct", args=[account.pk, allocation.pk])
    page = client.post(url, {"reason": "Wrong", "key": "r2"})
    assert page.status_code == 400
    assert "below £0" in page.content.decode()
    assert not LedgerTransaction.objects.filter(kind="reversal").exists()
    done = client.post(
        url,
        {"reason": "Wrong", "below_zero_reason": "Council will reclaim it", "key": "r3"},
    )
    assert done.status_code == 302
    assert account_balance_pence(account) < 0
    assert AuditEvent.objects.filter(summary__contains="Council will reclaim it").exists()


def test_a_correction_landing_exactly_on_zero_needs_no_reason() -> None:
    broker = f.user(Role.BROKER)
    account = helpers.open_account(broker=broker)
    balance = account_balance_pence(account)
    # A refund equal to... reversing a refund of exactly the balance lands on £0.00.
    post(
        account=account,
        actor=account.person,
        kind="refund",
        payee="Craft CIC",
        amount=Decimal("1.00"),
        effective=account.period_start,
        key="refund",
    )
    _pay(account, str(Decimal(balance) / 100), account.period_start)
    assert account_balance_pence(account) == 100
    reverse_transaction(
        account=account, actor=account.person, original_key="refund", reason="Dup", key="r1"
    )
    assert account_balance_pence(account) == 0


def test_a_holder_cannot_take_the_account_below_zero_by_correcting() -> None:
    account = helpers.open_account()
    balance = account_balance_pence(account)
    post(
        account=account,
        actor=account.person,
        kind="refund",
        payee="Craft CIC",
        amount=Decimal("1.01"),
        effective=account.period_start,
        key="refund",
    )
    _pay(account, str(Decimal(balance + 100) / 100), account.period_start)
    assert account_balance_pence(account) == 1
    with pytest.raises(BudgetsError, match="below"):
        reverse_transaction(
            account=account,
            actor=account.person,
            original_key="refund",
            reason="Dup",
            key="r1",
            below_zero_reason="I say so",
        )


# --- payment dates ---------------------------------------------------------------------------


def test_payment_dates_must_be_within_the_accounts_life() -> None:
    account = helpers.open_account()
    day = dt.timedelta(days=1)
    for bad in (account.period_start - day, account.period_end + day):
        with pytest.raises(BudgetsError, match="between") as caught:
            _pay(account, "1.00", bad, key=f"bad-{bad}")
        assert caught.value.field == "effective"
    _pay(account, "1.00", account.period_start, key="first-day")
    _pay(account, "1.00", account.period_end, key="last-day")


def test_the_form_names_the_date_field(client: Client) -> None:
    account = helpers.open_account()
    client.force_login(account.person)
    response = client.post(
        reverse("budgets:account", args=[account.pk]),
        {
            "kind": "provider_payment",
            "payee": "Craft CIC",
            "amount": "1.00",
            "effective": "2020-01-01",
            "key": "k1",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "#id_effective" in body
    assert "6 April 2026" in body
    assert not LedgerTransaction.objects.filter(kind="provider_payment").exists()


def test_future_payments_are_scheduled_not_spent(client: Client) -> None:
    account = helpers.open_account()
    today = timezone.localdate()
    assert account.period_start <= today < account.period_end
    before = account_balance_pence(account)
    _pay(account, "0.01", today, key="today")
    _pay(account, "2.00", today + dt.timedelta(days=1), key="tomorrow")
    assert selectors.account_balance(account, today).units == before - 1
    scheduled = selectors.scheduled(account, today)
    assert [t.key for t in scheduled] == ["tomorrow"]
    client.force_login(account.person)
    body = client.get(reverse("budgets:account", args=[account.pk])).content.decode()
    assert "Scheduled" in body
    assert "£2.00" in body
    from budgets.templatetags.budgets_tags import pounds

    assert pounds(Decimal(before - 1) / 100) in body
    # A scheduled payment still holds the money: nothing else can spend it.
    with pytest.raises(BudgetsError, match="not enough money"):
        _pay(account, str(Decimal(before - 200) / 100), today, key="too-much")
    _pay(account, str(Decimal(before - 201) / 100), today, key="just-enough")
