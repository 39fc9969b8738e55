"""A quality check published several times at the same moment (a double-clicked button, two
moderators) on PostgreSQL: each expert's time credits are issued exactly once and the time
bank's ledger stays sound."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from accounts.roles import Role
from directory.tests import factories
from rules.ledger import check_ledger
from rules.voice.quality_parameters import DOMAIN_KEYS
from timebank import selectors as timebank_selectors
from timebank.models import LedgerTransaction
from timebank.tests import factories as tb
from voice.models import QualityCheck
from voice.services.checks import plan_check, publish_check
from voice.services.experts import add_expert, register_expert
from voice.services.scores import submit_scores

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 6


def test_simultaneous_publishes_issue_each_experts_credits_once() -> None:
    org = factories.organization(name="Riverside Care")
    svc = factories.service(organization_=org, name="Riverside Day Centre")
    moderators = [factories.user(Role.MODERATOR) for _ in range(2)]
    coordinator = tb.coordinator()
    voice_org = tb.member(kind="group", name="Borough Voice", by=coordinator)
    experts = [tb.member(by=coordinator) for _ in range(3)]
    check = plan_check(
        lead=moderators[0],
        about="service",
        service_id=str(svc.pk),
        visit_date=dt.date(2026, 11, 10),
        minutes_per_expert=150,
        credits_member_id=voice_org.pk,
    )
    for member in experts:
        register_expert(
            lead=moderators[0],
            who=member.user.username,
            recruited_from="time_bank",
            training="Quality checker training",
            trained_on=dt.date(2026, 10, 1),
        )
        add_expert(lead=moderators[0], check=check, who=member.user.username, reward="time_credits")
        submit_scores(expert=member.user, check=check, scores=dict.fromkeys(DOMAIN_KEYS, "3"))
    before = [timebank_selectors.balance_of(m) for m in experts]
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    published: list[str] = []

    def run(n: int) -> None:
        try:
            barrier.wait()
            result = publish_check(
                lead=moderators[n % 2], check=check, summary=f"Report from thread {n}"
            )
            published.append(result.summary)
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
    assert len(published) == THREADS and len(set(published)) == 1  # all see the one report
    check.refresh_from_db()
    assert check.state == QualityCheck.State.PUBLISHED
    issued = LedgerTransaction.objects.filter(kind="issue", key__contains="voice-check:")
    assert issued.count() == len(experts)
    after = [timebank_selectors.balance_of(m) for m in experts]
    assert [a - b for a, b in zip(after, before, strict=True)] == [150] * len(experts)
    assert check_ledger(timebank_selectors.ledger_transactions()) == []
    assert timebank_selectors.ledger_problems() == []
