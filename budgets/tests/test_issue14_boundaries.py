"""Issue 14: boundaries the mutation sample showed no test held.

- A £0 (or negative) payment is refused by the app with its own message on the amount field,
  never the rules package's error; one penny is accepted.
- Who records council allocations: brokers and commissioners who reach the person, never an
  administrator (a practitioner but not an approver), a coordinator, the holder or a carer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from accounts.roles import Role
from budgets import access
from budgets.access import NotAllowed
from budgets.models import BudgetAccount
from budgets.services._common import BudgetsError
from budgets.services.accounts import post
from budgets.tests import helpers
from directory.tests import factories as f
from rules import ledger

db = pytest.mark.django_db
DAY = dt.date(2026, 4, 7)


@db
@pytest.mark.parametrize("amount", ["0", "0.00", "-0.01", "-5"])
@pytest.mark.parametrize("kind", ["provider_payment", "contribution", "refund"])
def test_a_zero_or_negative_amount_is_the_apps_error_on_the_amount_field(
    amount: str, kind: str
) -> None:
    person = f.user(Role.PERSON)
    account = helpers.open_account(person)
    with pytest.raises(BudgetsError) as error:
        post(
            account=account,
            actor=person,
            kind=kind,
            amount=Decimal(amount),
            effective=DAY,
            key=f"zero-{kind}",
            payee="Craft club",
        )
    assert not isinstance(error.value, ledger.LedgerError)
    assert error.value.field == "amount"
    assert error.value.message == "Amount must be between £0.01 and £1,000,000.00"


@db
def test_one_penny_is_accepted() -> None:
    person = f.user(Role.PERSON)
    account = helpers.open_account(person)
    posted = post(
        account=account,
        actor=person,
        kind="provider_payment",
        amount=Decimal("0.01"),
        effective=DAY,
        key="one-penny",
        payee="Craft club",
    )
    assert posted.created


@db
@pytest.mark.parametrize(
    ("role", "on_caseload", "allowed"),
    [
        (Role.BROKER, True, True),
        (Role.COMMISSIONER, True, True),
        (Role.ADMINISTRATOR, True, False),
        (Role.BROKER, False, False),
        (Role.COMMISSIONER, False, False),
        (Role.COORDINATOR, True, False),
        (Role.CARER, True, False),
        (Role.PERSON, True, False),
    ],
)
def test_who_records_a_council_allocation(role: str, on_caseload: bool, allowed: bool) -> None:
    holder = f.user(Role.PERSON)
    account = helpers.open_account(holder)
    staff = f.user(role)
    if on_caseload:
        helpers.assign(holder, staff)
    assert access.can_record(staff, account, "allocation") is allowed
    assert access.can_correct(staff, account, "allocation") is allowed
    call: dict[str, Any] = {
        "account": account,
        "actor": staff,
        "kind": "allocation",
        "amount": Decimal("10.00"),
        "effective": DAY,
        "key": "allocation-check",
    }
    if allowed:
        assert post(**call).created
    else:
        with pytest.raises(NotAllowed):
            post(**call)


@db
@pytest.mark.parametrize("kind", ["direct_payment", "managed"])
def test_the_holder_never_records_an_allocation(kind: str) -> None:
    holder = f.user(Role.PERSON)
    account = helpers.open_account(holder)
    BudgetAccount.objects.filter(pk=account.pk).update(kind=kind)
    account.refresh_from_db()
    assert not access.can_record(holder, account, "allocation")
    assert access.can_record(holder, account, "provider_payment") is (kind == "direct_payment")
