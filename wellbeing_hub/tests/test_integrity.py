"""The integrity checks pass on data the services wrote and find each kind of tampering: a posting's
amount changed (with the append-only guard bypassed), a posting deleted, a payment's two postings
changed together, a posting moved to another account, a transaction slipped in without the
services, a time-bank balance or exchange changed. Runs on SQLite and (under
scripts/with-postgres.sh) PostgreSQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models

from accounts.models import AuditEvent, User
from accounts.roles import Role
from budgets import services as budgets
from budgets.models import BudgetAccount, LedgerPosting, LedgerTransaction
from budgets.tests import helpers
from directory.tests import factories as f
from timebank import models as tbm
from timebank import services as timebank
from timebank.tests import factories as tb
from wellbeing_hub import integrity

pytestmark = pytest.mark.django_db


@dataclass
class TrustedData:
    account: BudgetAccount
    payment: LedgerTransaction
    exchange: tbm.Exchange


def open_budget_account(broker: User | None = None) -> BudgetAccount:
    """A person with an agreed plan and an open account (on the broker's caseload, where this
    version of budgets has caseloads)."""
    person, broker = f.user(Role.PERSON), broker or f.user(Role.BROKER)
    assign = getattr(budgets, "assign_caseload", None)
    if assign is not None:
        assign(actor=f.user(Role.COORDINATOR), person=person, practitioner=broker)
    return helpers.open_account(person=person, broker=broker)


def make_trusted_data() -> TrustedData:
    """A person with a budget account, payments, a refund and a correction; time-bank members with
    exchanges and one reversed; audit events for all of it - every write through the services."""
    broker = f.user(Role.BROKER)
    account = open_budget_account(broker)  # allocates the first four weeks (£40.00)
    person = account.person
    payment = budgets.post(
        account=account,
        actor=person,
        kind="provider_payment",
        amount=Decimal("12.50"),
        effective=dt.date(2026, 4, 10),
        key="pay-1",
        payee="Craft club",
        memo="April sessions",
    ).transaction
    wrong = budgets.post(
        account=account,
        actor=person,
        kind="provider_payment",
        amount=Decimal("1234.00") / 100,
        effective=dt.date(2026, 4, 11),
        key="pay-2",
        payee="Craft club",
    ).transaction
    budgets.reverse_transaction(
        account=account,
        actor=broker,
        original_key=wrong.key,
        reason="Paid twice",
        key="fix-1",
    )
    budgets.post(
        account=account,
        actor=person,
        kind="contribution",
        amount=Decimal("5.00"),
        effective=dt.date(2026, 4, 12),
        key="contrib-1",
    )
    coordinator = tb.coordinator()
    giver, receiver, third = (tb.member(by=coordinator) for _ in range(3))
    exchange = tb.exchange(giver, receiver, 90)
    tb.exchange(receiver, third, 45)
    mistaken = tb.exchange(third, giver, 30)
    timebank.reverse_exchange(coordinator=coordinator, exchange=mistaken, reason="Never happened")
    return TrustedData(account, payment, exchange)


def problems_of(name: str) -> list[str]:
    (result,) = integrity.run_checks([c for c in integrity.CHECKS if c.name == name])
    return result.problems


def all_problems() -> list[str]:
    return [p for r in integrity.run_checks() for p in r.problems]


def unguarded(model: type[models.Model]) -> models.QuerySet:  # type: ignore[type-arg]
    """A plain queryset: what someone with database access (or a careless script) could do, past
    the ledger's append-only manager."""
    return models.QuerySet(model)


# --- good data -----------------------------------------------------------------------------------


def _entry_key(exchange: tbm.Exchange) -> str:
    assert exchange.transaction is not None, "a confirmed exchange has its ledger entry"
    return exchange.transaction.key


def test_every_check_passes_on_data_written_by_the_services() -> None:
    make_trusted_data()
    assert LedgerPosting.objects.count() >= 10 and tbm.Posting.objects.count() >= 8
    results = integrity.run_checks()
    assert [r.name for r in results] == [c.name for c in integrity.CHECKS]
    assert all_problems() == []


def test_every_check_passes_on_an_empty_database() -> None:
    assert all_problems() == []


def test_the_command_says_all_passed_and_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    make_trusted_data()
    call_command("check_integrity")
    out = capsys.readouterr().out
    assert "ok      budget-ledger" in out and "All integrity checks passed." in out


# --- the budget ledger ---------------------------------------------------------------------------


def test_the_append_only_manager_refuses_an_orm_update_and_delete() -> None:
    data = make_trusted_data()
    with pytest.raises(TypeError, match="append-only"):
        LedgerPosting.objects.filter(transaction=data.payment).update(amount_pence=1)
    with pytest.raises(TypeError, match="append-only"):
        LedgerPosting.objects.filter(transaction=data.payment).delete()
    assert all_problems() == []


def test_a_changed_posting_amount_is_found() -> None:
    data = make_trusted_data()
    posting = data.payment.postings.order_by("id").first()
    assert posting is not None
    unguarded(LedgerPosting).filter(pk=posting.pk).update(amount_pence=posting.amount_pence * 2)
    found = problems_of("budget-ledger")
    assert any("'pay-1' does not balance" in p for p in found), found
    assert any("add up to" in p for p in found), found


def test_a_deleted_posting_is_found() -> None:
    data = make_trusted_data()
    posting = data.payment.postings.order_by("id").last()
    assert posting is not None
    unguarded(LedgerPosting).filter(pk=posting.pk).delete()
    found = problems_of("budget-ledger")
    assert any("'pay-1' needs at least two postings" in p for p in found), found


def test_both_postings_of_a_payment_changed_together_are_found_by_the_audit_record() -> None:
    """The payment still balances, so only the record written with it shows the change."""
    data = make_trusted_data()
    for posting in data.payment.postings.all():
        unguarded(LedgerPosting).filter(pk=posting.pk).update(
            amount_pence=posting.amount_pence // 10  # £12.50 paid becomes £1.25
        )
    assert problems_of("budget-ledger") == []
    found = problems_of("budget-ledger-audit")
    assert found == [
        "Transaction 'pay-1' moves £1.25 but its audit record says £12.50: a posting was "
        "changed after it was written."
    ]


def test_a_posting_moved_to_another_budget_account_is_found() -> None:
    data = make_trusted_data()
    other = open_budget_account()
    posting = data.payment.postings.get(ledger_account=data.account.ledger_id)
    unguarded(LedgerPosting).filter(pk=posting.pk).update(ledger_account=other.ledger_id)
    found = problems_of("budget-ledger")
    assert any("'pay-1'" in p and "has no posting on it" in p for p in found), found
    assert any(f"has a posting on {other.ledger_id}" in p for p in found), found


def test_a_transaction_written_past_the_services_is_found() -> None:
    """Balanced, but no audit record: it did not come through the application."""
    data = make_trusted_data()
    row = LedgerTransaction.objects.create(
        key="slipped-in",
        account=data.account,
        kind="allocation",
        effective=dt.date(2026, 4, 20),
    )
    LedgerPosting.objects.bulk_create(
        [
            LedgerPosting(transaction=row, ledger_account="council", amount_pence=-100_00),
            LedgerPosting(
                transaction=row, ledger_account=data.account.ledger_id, amount_pence=100_00
            ),
        ]
    )
    assert problems_of("budget-ledger") == []
    assert problems_of("budget-ledger-audit") == [
        "Transaction 'slipped-in' has no audit record of its creation (it was not written by "
        "the application)."
    ]


# --- the time bank -------------------------------------------------------------------------------


def test_a_changed_time_bank_posting_is_found() -> None:
    data = make_trusted_data()
    posting = tbm.Posting.objects.filter(transaction=data.exchange.transaction, minutes__gt=0).get()
    tbm.Posting.objects.filter(pk=posting.pk).update(minutes=posting.minutes + 60)
    found = problems_of("timebank-ledger")
    assert any("cached balance" in p for p in found), found
    assert any(f"'{_entry_key(data.exchange)}'" in p for p in found), found


def test_a_changed_cached_balance_is_found() -> None:
    data = make_trusted_data()
    tbm.Account.objects.filter(member=data.exchange.giver).update(balance=models.F("balance") + 1)
    found = problems_of("timebank-ledger")
    assert any("cached balance" in p for p in found), found


def test_a_deleted_time_bank_posting_is_found() -> None:
    data = make_trusted_data()
    tbm.Posting.objects.filter(transaction=data.exchange.transaction, minutes__lt=0).delete()
    assert any("needs at least two postings" in p for p in problems_of("timebank-ledger"))


def test_an_exchange_whose_entry_was_changed_consistently_is_found() -> None:
    """Both postings and both cached balances changed: the ledger balances, the exchange does not."""
    data = make_trusted_data()
    for posting in tbm.Posting.objects.filter(transaction=data.exchange.transaction):
        step = 30 if posting.minutes > 0 else -30
        tbm.Posting.objects.filter(pk=posting.pk).update(minutes=posting.minutes + step)
        tbm.Account.objects.filter(pk=posting.account_id).update(balance=models.F("balance") + step)
    assert problems_of("timebank-ledger") == []
    assert problems_of("timebank-exchanges") == [
        f"Exchange {data.exchange.pk} is for 90 minutes, but its ledger entry "
        f"'{_entry_key(data.exchange)}' does not move exactly that from the receiver to the "
        "giver."
    ]


# --- the audit trail -----------------------------------------------------------------------------


def test_the_audit_check_uses_the_accounts_apps_verification(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from accounts import services

    monkeypatch.setattr(services, "audit_problems", lambda: ["Audit event 7 was changed."], False)
    assert problems_of("audit-trail") == ["Audit event 7 was changed."]


def test_without_the_verification_the_audit_check_says_it_was_skipped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from accounts import services

    monkeypatch.delattr(services, "audit_problems", raising=False)
    (result,) = integrity.run_checks([c for c in integrity.CHECKS if c.name == "audit-trail"])
    assert result.passed and "audit_problems is missing" in result.skipped
    lines, count = integrity.report_lines([result])
    assert count == 0 and lines[0].startswith("SKIPPED audit-trail")


def test_a_changed_audit_event_is_found_when_the_accounts_app_verifies_digests() -> None:
    from accounts import services

    if not hasattr(services, "audit_problems"):
        pytest.skip("accounts.services.audit_problems is not in this version yet")
    make_trusted_data()
    assert problems_of("audit-trail") == []
    event = AuditEvent.objects.order_by("id").first()
    assert event is not None
    unguarded(AuditEvent).filter(pk=event.pk).update(summary="Nothing happened")
    assert problems_of("audit-trail") != []


# --- the command ---------------------------------------------------------------------------------


def test_the_command_prints_a_line_per_problem_and_exits_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = make_trusted_data()
    posting = data.payment.postings.order_by("id").first()
    assert posting is not None
    unguarded(LedgerPosting).filter(pk=posting.pk).delete()
    tbm.Account.objects.filter(member=data.exchange.giver).update(balance=models.F("balance") + 1)
    with pytest.raises(CommandError) as raised:
        call_command("check_integrity")
    assert raised.value.returncode == 1
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("PROBLEM")]
    assert any(line.startswith("PROBLEM budget-ledger: ") for line in lines), err
    assert any(line.startswith("PROBLEM timebank-ledger: ") for line in lines), err
    assert f"{len(lines)} integrity problems found" in str(raised.value)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_checks_read_one_read_only_snapshot() -> None:
    """Outside any transaction the checks open their own, REPEATABLE READ and READ ONLY."""
    from django.db import connection

    seen: list[tuple[str, str]] = []

    def spy() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SHOW transaction_isolation")
            isolation = cursor.fetchone()[0]
            cursor.execute("SHOW transaction_read_only")
            seen.append((isolation, cursor.fetchone()[0]))
        return []

    make_trusted_data()
    integrity.run_checks([integrity.Check("spy", "spy", spy), *integrity.CHECKS])
    assert seen == [("repeatable read", "on")]
    assert all_problems() == []
