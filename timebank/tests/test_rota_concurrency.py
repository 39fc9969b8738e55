"""Issue 19: on PostgreSQL, many people recording the same rota date as done at the same moment
(the person helped double-clicking, a coordinator at once) credit its hours exactly once."""

from __future__ import annotations

import threading
from datetime import time, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from timebank import selectors
from timebank.models import Exchange, LedgerTransaction, RotaVisit
from timebank.services.rotas import assign_to_rota, create_rota, record_rota_visit
from timebank.tests import factories as tb

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


def test_concurrent_confirmations_of_one_rota_date_credit_it_once() -> None:
    coordinator = tb.coordinator()
    bea, alf = tb.member(by=coordinator, name="Bea"), tb.member(by=coordinator, name="Alf")
    last_week = timezone.localdate() - timedelta(days=7)
    rota = create_rota(
        coordinator=coordinator,
        title="Lift to the hospital",
        weekday=last_week.weekday(),
        start_time=time(9, 30),
        duration_minutes=120,
        first_date=last_week,
        end_date=last_week + timedelta(weeks=2),
        receiver=bea,
    )
    assign_to_rota(coordinator=coordinator, rota=rota, member=alf, starting=last_week)
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    visits: list[int] = []

    def run(n: int) -> None:
        try:
            barrier.wait()
            visit = record_rota_visit(
                by=bea.user if n % 2 else coordinator,
                rota=rota,
                day=last_week,
                member=alf,
                done=True,
            )
            visits.append(visit.pk)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(visits)) == 1 and len(visits) == THREADS
    assert RotaVisit.objects.count() == 1
    assert Exchange.objects.count() == 1
    assert LedgerTransaction.objects.filter(kind="exchange").count() == 1
    assert selectors.balance_of(alf) == 300 + 120
    assert selectors.balance_of(bea) == 300 - 120
    assert selectors.ledger_problems() == []
