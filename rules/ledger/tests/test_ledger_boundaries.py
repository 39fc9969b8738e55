"""Idempotency and whole-ledger checks at their edges (issue 14: mutants the suite let through)."""

from __future__ import annotations

from datetime import date

import pytest

from rules.ledger import (
    DuplicateKey,
    Ledger,
    Minutes,
    Money,
    MoneyKind,
    Posting,
    TimeKind,
    Transaction,
    ViolationCode,
    check_ledger,
    same_content,
    transfer,
)

P = Money.from_pounds


def test_a_retry_with_another_effective_date_is_not_the_same_transaction() -> None:
    ledger: Ledger[Money, MoneyKind] = Ledger(Money)
    first = ledger.post(
        transfer("a1", MoneyKind.ALLOCATION, "council", "b1", P("100.00"), date(2025, 4, 1))
    )
    retry = transfer("a1", MoneyKind.ALLOCATION, "council", "b1", P("100.00"), date(2025, 4, 2))
    assert not same_content(first, retry)
    with pytest.raises(DuplicateKey, match="'a1' was already used"):
        ledger.post(retry)
    assert ledger.balance("b1") == P("100.00")
    # The same date (another memo) is a retry and returns the stored transaction.
    again = transfer("a1", MoneyKind.ALLOCATION, "council", "b1", P("100.00"), date(2025, 4, 1))
    assert ledger.post(again) is first


@pytest.mark.parametrize(
    ("kind", "amount", "to"),
    [
        (MoneyKind.CONTRIBUTION, "100.00", "b1"),  # another kind
        (MoneyKind.ALLOCATION, "100.01", "b1"),  # a penny more
        (MoneyKind.ALLOCATION, "99.99", "b1"),  # a penny less
        (MoneyKind.ALLOCATION, "100.00", "b2"),  # another account
    ],
)
def test_a_retry_that_differs_in_anything_else_is_refused(
    kind: MoneyKind, amount: str, to: str
) -> None:
    ledger: Ledger[Money, MoneyKind] = Ledger(Money)
    ledger.post(
        transfer("a1", MoneyKind.ALLOCATION, "council", "b1", P("100.00"), date(2025, 4, 1))
    )
    with pytest.raises(DuplicateKey):
        ledger.post(transfer("a1", kind, "council", to, P(amount), date(2025, 4, 1)))


def unbalanced(key: str, credit: int, debit: int) -> Transaction[Minutes, TimeKind]:
    return Transaction.unchecked(
        key,
        TimeKind.EXCHANGE,
        (Posting("a", Minutes(credit)), Posting("b", Minutes(-debit))),
        date(2025, 1, 1),
    )


@pytest.mark.parametrize(
    ("credit", "debit", "message"),
    [
        (30, 31, "The balances of all accounts add up to -1 minute, not zero."),
        (31, 30, "The balances of all accounts add up to 1 minute, not zero."),
    ],
)
def test_an_imbalance_of_either_sign_is_found(credit: int, debit: int, message: str) -> None:
    violations = check_ledger([unbalanced("bad", credit, debit)])
    totals = [v for v in violations if v.code is ViolationCode.NONZERO_TOTAL]
    assert [v.message for v in totals] == [message]


def test_a_balanced_ledger_has_no_total_violation() -> None:
    ok = transfer("ok", TimeKind.EXCHANGE, "a", "b", Minutes(30), date(2025, 1, 1))
    assert check_ledger([ok]) == []
