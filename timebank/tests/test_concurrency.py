"""Concurrent exchanges on PostgreSQL: threads submit exchanges, duplicates and retries at once; no
time is lost or made, nothing is recorded twice, and every ledger invariant holds."""

from __future__ import annotations

import random
import threading
from datetime import timedelta

import pytest
from django.db import connection

from rules.ledger import check_ledger
from timebank import selectors, services
from timebank.models import Exchange, LedgerTransaction
from timebank.services import TimebankRefused
from timebank.tests import factories as tb

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8
PER_THREAD = 25


def test_concurrent_exchanges_and_duplicates_keep_the_ledger_sound() -> None:
    coordinator = tb.coordinator()
    members = [tb.member(by=coordinator) for _ in range(6)]  # few members: heavy contention
    base = tb.at(-60, 0)
    # Every planned exchange gets its own time slot, so overlaps never refuse it.
    plan = []
    for i in range(THREADS * PER_THREAD):
        giver, receiver = random.Random(i).sample(members, 2)
        plan.append((f"conc-{i}", giver, receiver, 30 + i % 4 * 15, base + timedelta(hours=2 * i)))
    errors: list[BaseException] = []
    refused: list[str] = []
    barrier = threading.Barrier(THREADS)

    def worker(n: int) -> None:
        try:
            barrier.wait()
            rng = random.Random(n)
            mine = plan[n::THREADS] + rng.sample(plan, PER_THREAD // 2)  # duplicates of others'
            rng.shuffle(mine)
            for key, giver, receiver, minutes, start in mine:
                for _attempt in range(2 if rng.random() < 0.2 else 1):  # retries
                    try:
                        services.propose_exchange(
                            by=coordinator,
                            giver=giver,
                            receiver=receiver,
                            minutes=minutes,
                            start=start,
                            idempotency_key=key,
                            confirm=True,
                        )
                    except TimebankRefused as error:
                        refused.append(error.message)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    # Only debit-limit refusals are expected (members run out of credit under heavy giving).
    assert all("limit" in message for message in refused), refused[:3]
    confirmed = Exchange.objects.filter(status="confirmed")
    assert confirmed.count() == Exchange.objects.count()
    assert LedgerTransaction.objects.filter(kind="exchange").count() == confirmed.count()
    assert confirmed.count() > THREADS * PER_THREAD // 2
    assert check_ledger(selectors.ledger_transactions()) == []
    assert selectors.ledger_problems() == []
    for m in members:
        expected = 300 + sum(
            x.minutes if x.giver_id == m.pk else -x.minutes
            for x in confirmed
            if m.pk in (x.giver_id, x.receiver_id)
        )
        assert selectors.balance_of(m) == expected
        assert selectors.balance_of(m) >= services.default_debit_limit()
