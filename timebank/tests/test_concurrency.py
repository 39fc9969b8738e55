"""Concurrent exchanges on PostgreSQL: threads submit exchanges, duplicates and retries at once; no
time is lost or made, nothing is recorded twice, and every ledger invariant holds."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client

from rules.ledger import check_ledger
from timebank import selectors
from timebank.models import Exchange, LedgerTransaction
from timebank.services._common import TimebankRefused
from timebank.services.exchanges import propose_exchange, submit_exchange
from timebank.services.ledger import default_debit_limit
from timebank.services.tokens import issue_api_token
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
    refused: list[str] = []
    barrier = threading.Barrier(THREADS)

    def worker(n: int) -> None:
        barrier.wait()
        rng = random.Random(n)
        mine = plan[n::THREADS] + rng.sample(plan, PER_THREAD // 2)  # duplicates of others'
        rng.shuffle(mine)
        for key, giver, receiver, minutes, start in mine:
            for _attempt in range(2 if rng.random() < 0.2 else 1):  # retries
                try:
                    propose_exchange(
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

    assert _run_in_threads(worker) == []
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
        assert selectors.balance_of(m) >= default_debit_limit()


def test_simultaneous_overlapping_exchanges_for_one_member_record_only_one() -> None:
    """Eight coordinators' requests at the same moment, each for the same helper in the same hour
    with a different member: the helper's account lock makes the overlap checks run one after the
    other, so exactly one is recorded and the rest are refused because of it."""
    coordinator = tb.coordinator()
    helper = tb.member(by=coordinator)
    others = [tb.member(by=coordinator) for _ in range(THREADS)]
    start = tb.at(-3, 10)
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []

    def worker(n: int) -> None:
        barrier.wait()
        try:
            submit_exchange(
                by=coordinator,
                giver=helper.pk,
                receiver=others[n].pk,
                minutes=60,
                start=start + timedelta(minutes=n),
                idempotency_key=f"race-{n}",
                confirm=True,
            )
            outcomes.append("recorded")
        except TimebankRefused as error:
            outcomes.append(error.message)

    assert _run_in_threads(worker) == []
    assert outcomes.count("recorded") == 1, outcomes
    assert all("overlaps" in o for o in outcomes if o != "recorded"), outcomes
    assert Exchange.objects.filter(status="confirmed").count() == 1
    assert selectors.balance_of(helper) == 300 + 60
    assert selectors.ledger_problems() == []


def test_a_recorded_exchange_is_four_statements_on_postgresql(client: Client) -> None:
    """Token (with roles), both accounts locked with the members, the overlap check, then the
    ledger entry, postings, balances, exchange and audit record in one statement."""
    import json

    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.models import AuditEvent

    a, b = tb.member(), tb.member()
    token = issue_api_token(user=tb.coordinator())
    body = {"giver": a.pk, "receiver": b.pk, "minutes": 30, "confirm": True}
    for n in range(3):  # the statements are prepared on the connection: later runs reuse them
        with CaptureQueriesContext(db) as queries:
            page = client.post(
                reverse("timebank:api-exchanges"),
                json.dumps(
                    {**body, "idempotency_key": f"q{n}", "start": tb.at(-2, 9 + n).isoformat()}
                ),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
            )
        assert page.status_code == 201
        statements = [
            q["sql"] for q in queries.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")
        ]
        # The token's first use also writes its "last used" time (then at most every 5 minutes).
        last_used = [s for s in statements if s.startswith('UPDATE "timebank_apitoken"')]
        assert len(last_used) == (1 if n == 0 else 0), statements
        statements = [s for s in statements if s not in last_used]
        assert len(statements) == 4, statements
        assert "FOR NO KEY UPDATE" in statements[1] and "INSERT INTO" in statements[3]
    assert AuditEvent.objects.filter(object_type="timebank.exchange").count() == 3
    assert selectors.ledger_problems() == []


def _run_in_threads(worker: Callable[[int], None]) -> list[BaseException]:
    """Runs ``worker(n)`` for n in 0..THREADS-1 at the same time, waits for all of them and
    returns what they raised (each thread closes its own database connection)."""
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            worker(n)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors
