"""The ledger under concurrent load on PostgreSQL: threads post payments, contributions, refunds,
allocations and corrections at random to a few accounts, many with repeated idempotency keys (as a
double-clicked form or a retried request would). Afterwards every rule of rules.ledger holds: every
transaction balances, no key is used twice, nothing is reversed twice, no budget account went below
zero, and each repeated key was applied once."""

from __future__ import annotations

import datetime as dt
import random
import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection

from accounts.models import User
from accounts.roles import Role
from budgets.access import NotAllowed
from budgets.models import BudgetAccount, LedgerTransaction
from budgets.services._common import BudgetsError
from budgets.services.accounts import account_balance_pence, post, reverse_transaction, to_rules
from budgets.tests import helpers
from directory.tests import factories as f
from rules import ledger

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 8
OPERATIONS = 40


def _worker(seed: int, accounts: list[BudgetAccount], broker: User, errors: list[str]) -> None:
    rng = random.Random(seed)
    try:
        for n in range(OPERATIONS):
            account = rng.choice(accounts)
            # Keys from a small pool, so threads collide on the same key on purpose.
            key = f"k-{account.pk}-{rng.randrange(25)}"
            kind = rng.choice(["provider_payment"] * 4 + ["contribution", "refund", "allocation"])
            amount = Decimal(rng.randrange(1, 4000)) / 100
            actor = broker if kind == "allocation" else account.person
            try:
                if rng.random() < 0.15:
                    target = (
                        LedgerTransaction.objects.filter(account=account, reverses__isnull=True)
                        .order_by("?")
                        .first()
                    )
                    if target is not None:
                        reverse_transaction(
                            account=account,
                            actor=broker,
                            original_key=target.key,
                            reason="test correction",
                            key=f"r-{seed}-{n}",
                        )
                    continue
                post(
                    account=account,
                    actor=actor,
                    kind=kind,
                    amount=amount,
                    effective=dt.date(2026, 4, 6) + dt.timedelta(days=rng.randrange(60)),
                    key=key if rng.random() < 0.7 else f"u-{seed}-{n}",
                    payee="Provider " + str(rng.randrange(3)),
                )
            except (BudgetsError, NotAllowed):
                pass  # refused cleanly: not enough money, key reused for something else, ...
    except Exception as error:
        errors.append(repr(error))
    finally:
        close_old_connections()
        connection.close()


def test_every_account_balances_after_random_concurrent_operations() -> None:
    assert connection.vendor == "postgresql"
    broker = f.user(Role.BROKER)
    accounts = [helpers.open_account(broker=broker) for _ in range(3)]
    errors: list[str] = []
    threads = [
        threading.Thread(target=_worker, args=(seed, accounts, broker, errors))
        for seed in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors

    rows = list(LedgerTransaction.objects.select_related("reverses").prefetch_related("postings"))
    txns = [to_rules(row) for row in rows]
    assert ledger.check_ledger(txns) == []
    assert len({row.key for row in rows}) == len(rows)
    for account in accounts:
        balance = account_balance_pence(account)
        assert balance == ledger.balance(txns, account.ledger_id, unit=ledger.Money).units
        # Replay in the order written: a payment never took the account below zero.
        running = 0
        for row in sorted((r for r in rows if r.account_id == account.pk), key=lambda r: r.pk):
            change = next(
                p.amount_pence for p in row.postings.all() if p.ledger_account == account.ledger_id
            )
            running += change
            if row.kind == "provider_payment":
                assert running >= 0, f"{row.key} overdrew {account.ledger_id}"
    assert len(rows) > len(accounts) * 5
