"""Balances, statements, projections, debit limits, the in-memory Ledger and check_ledger."""

from __future__ import annotations

import itertools
import re
from datetime import date

import pytest

from rules.ledger import (
    DebitLimitExceeded,
    DuplicateKey,
    InvalidAmount,
    Ledger,
    Minutes,
    Money,
    MoneyKind,
    Posting,
    ReversalRefused,
    SpendStatus,
    TimeKind,
    TimeLedger,
    Transaction,
    UnknownTransaction,
    ViolationCode,
    balance,
    balances,
    check_debit_limit,
    check_ledger,
    check_transaction_limits,
    month_periods,
    monthly_statements,
    posting_balances,
    project_spend,
    reverse,
    statement,
    transfer,
)

P = Money.from_pounds


def budget_history() -> list[Transaction[Money, MoneyKind]]:
    alloc = transfer("a1", MoneyKind.ALLOCATION, "council", "b1", P("1000"), date(2025, 3, 31))
    contrib = transfer("c1", MoneyKind.CONTRIBUTION, "person", "b1", P("50"), date(2025, 4, 2))
    pay = transfer("p1", MoneyKind.PROVIDER_PAYMENT, "b1", "prov", P("300.25"), date(2025, 4, 10))
    pay2 = transfer("p2", MoneyKind.PROVIDER_PAYMENT, "b1", "prov", P("300.25"), date(2025, 4, 10))
    fix = reverse(pay2, "Invoice paid twice", "p2-rev", date(2025, 5, 3))
    refund = transfer("r1", MoneyKind.REFUND, "prov", "b1", P("20"), date(2025, 5, 20))
    return [alloc, contrib, pay, pay2, fix, refund]


def test_balances_hand_computed() -> None:
    txns = budget_history()
    result = balances(txns)
    assert result == {
        "council": P("-1000"),
        "b1": P("769.75"),
        "person": P("-50"),
        "prov": P("280.25"),
    }
    assert sum(v.units for v in result.values()) == 0
    assert balance(txns, "b1", unit=Money) == P("769.75")
    assert balance(txns, "b1", unit=Money, as_of=date(2025, 4, 30)) == P("449.50")
    assert balance(txns, "nobody", unit=Money) == Money(0)
    assert balances([]) == {}
    assert posting_balances(p for t in txns for p in t.postings) == result


def test_statement_for_april() -> None:
    st = statement(budget_history(), "b1", date(2025, 4, 1), date(2025, 4, 30), unit=Money)
    assert st.opening == P("1000")
    assert [line.key for line in st.lines] == ["c1", "p1", "p2"]
    assert [line.balance for line in st.lines] == [P("1050"), P("749.75"), P("449.50")]
    assert st.closing == P("449.50")
    assert st.money_in == P("50")
    assert st.money_out == P("600.50")


def test_statement_orders_by_date_then_input_order() -> None:
    txns = budget_history()
    st = statement(list(reversed(txns)), "b1", date(2025, 1, 1), date(2025, 12, 31), unit=Money)
    assert [line.key for line in st.lines] == ["a1", "c1", "p2", "p1", "p2-rev", "r1"]
    assert st.lines[4].reverses == "p2"
    assert st.opening == Money(0)
    assert st.closing == P("769.75")


def test_monthly_statements_chain() -> None:
    sts = monthly_statements(
        budget_history(), "b1", date(2025, 3, 15), date(2025, 5, 1), unit=Money
    )
    assert [(s.start, s.end) for s in sts] == [
        (date(2025, 3, 1), date(2025, 3, 31)),
        (date(2025, 4, 1), date(2025, 4, 30)),
        (date(2025, 5, 1), date(2025, 5, 31)),
    ]
    for before, after in itertools.pairwise(sts):
        assert before.closing == after.opening
    assert sts[-1].closing == P("769.75")


def test_month_periods_leap_year() -> None:
    assert month_periods(date(2024, 2, 10), date(2024, 2, 10)) == [
        (date(2024, 2, 1), date(2024, 2, 29))
    ]
    assert len(month_periods(date(2024, 1, 1), date(2025, 6, 30))) == 18


def test_statement_refuses_backwards_period() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        statement([], "b1", date(2025, 2, 1), date(2025, 1, 1), unit=Money)


def test_projection_overspend() -> None:
    # £1,000 at £350 a week is £50 a day: 20 days, so funded until 21 March; 30 days cost £1,500.
    proj = project_spend(
        P("1000"), P("350"), date(2025, 3, 1), date(2025, 3, 31), underspend_threshold=P("500")
    )
    assert proj.status is SpendStatus.OVERSPEND
    assert proj.days_remaining == 30
    assert proj.projected_cost == P("1500")
    assert proj.projected_balance == P("-500")
    assert proj.funded_until == date(2025, 3, 21)
    assert proj.needs_attention
    assert proj.message == (
        "At £350.00 a week the balance runs out after 21 March 2025, before the period ends on "
        "31 March 2025; the projected shortfall is £500.00."
    )


def test_projection_underspend_and_on_track() -> None:
    under = project_spend(
        P("3000"), P("70"), date(2025, 3, 1), date(2025, 3, 29), underspend_threshold=P("280")
    )
    assert under.projected_cost == P("280")
    assert under.projected_balance == P("2720")
    assert under.status is SpendStatus.UNDERSPEND
    assert "£2,720.00 will be left unspent on 29 March 2025" in under.message
    ok = project_spend(
        P("300"), P("70"), date(2025, 3, 1), date(2025, 3, 29), underspend_threshold=P("280")
    )
    assert ok.status is SpendStatus.ON_TRACK
    assert ok.projected_balance == P("20")
    exact = project_spend(
        P("280"), P("70"), date(2025, 3, 1), date(2025, 3, 29), underspend_threshold=Money(0)
    )
    assert exact.status is SpendStatus.ON_TRACK
    assert exact.projected_balance == Money(0)


def test_projection_rounds_cost_up() -> None:
    # £1 a week for 1 day is 14.28...p, rounded up to 15p: a balance of 14p is an overspend.
    proj = project_spend(
        Money(14), Money(100), date(2025, 1, 1), date(2025, 1, 2), underspend_threshold=Money(0)
    )
    assert proj.projected_cost == Money(15)
    assert proj.status is SpendStatus.OVERSPEND
    assert proj.funded_until == date(2025, 1, 1)


def test_projection_zero_cost_and_past_end() -> None:
    proj = project_spend(
        P("10"), Money(0), date(2025, 1, 1), date(2025, 3, 1), underspend_threshold=P("5")
    )
    assert proj.status is SpendStatus.UNDERSPEND
    assert proj.funded_until is None
    past = project_spend(
        P("-1"), P("10"), date(2025, 3, 2), date(2025, 3, 1), underspend_threshold=P("5")
    )
    assert past.days_remaining == 0
    assert past.status is SpendStatus.OVERSPEND
    with pytest.raises(InvalidAmount):
        project_spend(
            P("1"), P("-1"), date(2025, 1, 1), date(2025, 2, 1), underspend_threshold=P("0")
        )


def test_projection_works_for_time() -> None:
    proj = project_spend(
        Minutes(600),
        Minutes(120),
        date(2025, 1, 1),
        date(2025, 1, 29),
        underspend_threshold=Minutes(60),
    )
    assert proj.projected_balance == Minutes(120)
    assert proj.status is SpendStatus.UNDERSPEND
    assert "2 hours will be left unspent" in proj.message


def test_debit_limit_message() -> None:
    with pytest.raises(DebitLimitExceeded) as caught:
        check_debit_limit(Minutes(-240), Minutes(-450), Minutes.from_hours(-10), name="Sam")
    assert str(caught.value) == (
        "This would take Sam's balance to -11 hours 30 minutes; the limit is -10 hours."
    )
    assert caught.value.limit == Minutes(-600)
    assert caught.value.new_balance == Minutes(-690)


def test_debit_limit_boundaries() -> None:
    check_debit_limit(Minutes(0), Minutes(-600), Minutes(-600), name="Sam")  # exactly the limit
    check_debit_limit(Minutes(-700), Minutes(30), Minutes(-600), name="Sam")  # paying in
    with pytest.raises(DebitLimitExceeded, match="-10 hours 1 minute"):
        check_debit_limit(Minutes(0), Minutes(-601), Minutes(-600), name="Sam")
    with pytest.raises(InvalidAmount, match="zero or negative"):
        check_debit_limit(Minutes(0), Minutes(-1), Minutes(600), name="Sam")
    with pytest.raises(
        DebitLimitExceeded, match=re.escape("Ros's balance to -£0.01; the limit is £0.00")
    ):
        check_debit_limit(Money(0), Money(-1), Money(0), name="Ros")


def test_check_transaction_limits_with_mappings() -> None:
    txn = transfer("x", TimeKind.EXCHANGE, "m1", "m2", Minutes(120), date(2025, 1, 1))
    check_transaction_limits(txn, {"m1": Minutes(0)}, {"m2": Minutes(0)})  # m1 has no limit
    with pytest.raises(DebitLimitExceeded, match="Ann's balance to -2 hours; the limit is -1 hour"):
        check_transaction_limits(txn, {}, {"m1": Minutes(-60)}, {"m1": "Ann"})


def time_ledger() -> TimeLedger:
    return Ledger(
        Minutes,
        default_limit=Minutes.from_hours(-10),
        exempt=frozenset({"bank"}),
        names={"sam": "Sam", "jo": "Jo"},
    )


def test_ledger_refuses_transfer_past_limit_and_keeps_state() -> None:
    ledger = time_ledger()
    d = date(2025, 1, 1)
    ledger.post(transfer("join-sam", TimeKind.JOINING_CREDIT, "bank", "sam", Minutes(60), d))
    ledger.post(transfer("e1", TimeKind.EXCHANGE, "sam", "jo", Minutes(300), d))
    with pytest.raises(DebitLimitExceeded) as caught:
        ledger.post(transfer("e2", TimeKind.EXCHANGE, "sam", "jo", Minutes(450), d))
    assert caught.value.message == (
        "This would take Sam's balance to -11 hours 30 minutes; the limit is -10 hours."
    )
    assert ledger.balance("sam") == Minutes(-240)
    assert "e2" not in ledger
    assert len(ledger) == 2
    ledger.post(transfer("big", TimeKind.ISSUE, "bank", "jo", Minutes(6000), d))  # bank exempt
    assert ledger.balance("bank") == Minutes(-6060)


def test_ledger_idempotency() -> None:
    ledger = time_ledger()
    d = date(2025, 1, 1)
    first = ledger.post(transfer("e1", TimeKind.EXCHANGE, "sam", "jo", Minutes(30), d))
    again = ledger.post(transfer("e1", TimeKind.EXCHANGE, "sam", "jo", Minutes(30), d, "retry"))
    assert again is first
    assert ledger.balance("jo") == Minutes(30)
    with pytest.raises(DuplicateKey, match="'e1' was already used"):
        ledger.post(transfer("e1", TimeKind.EXCHANGE, "sam", "jo", Minutes(45), d))


def test_ledger_reversals() -> None:
    ledger = time_ledger()
    d = date(2025, 1, 1)
    ledger.post(transfer("e1", TimeKind.EXCHANGE, "sam", "jo", Minutes(30), d))
    rev = ledger.reverse("e1", "Wrong member", "e1-rev")
    assert ledger.reverse("e1", "Wrong member", "e1-rev") is rev  # retried request
    assert ledger.balance("sam") == Minutes(0)
    assert ledger.is_reversed("e1")
    with pytest.raises(ReversalRefused, match="already been reversed"):
        ledger.reverse("e1", "again", "e1-rev2")
    with pytest.raises(ReversalRefused, match="itself a reversal"):
        ledger.reverse("e1-rev", "undo", "e1-rev-rev")
    with pytest.raises(UnknownTransaction, match="no transaction 'nope'"):
        ledger.reverse("nope", "x", "y")
    other = transfer("e9", TimeKind.EXCHANGE, "sam", "jo", Minutes(30), d)
    with pytest.raises(UnknownTransaction):
        ledger.post(reverse(other, "x", "e9-rev"))
    assert check_ledger(ledger) == []


def test_ledger_reversal_may_go_below_limit() -> None:
    ledger = time_ledger()
    d = date(2025, 1, 1)
    ledger.post(transfer("e1", TimeKind.EXCHANGE, "jo", "sam", Minutes(60), d))
    ledger.post(transfer("e2", TimeKind.EXCHANGE, "sam", "jo", Minutes(660), d))
    assert ledger.balance("sam") == Minutes(-600)
    ledger.reverse("e1", "Never happened", "e1-rev")
    assert ledger.balance("sam") == Minutes(-660)


def test_ledger_refuses_other_units_and_tampered_reversals() -> None:
    ledger = time_ledger()
    d = date(2025, 1, 1)
    with pytest.raises(InvalidAmount, match="counts Minutes"):
        ledger.post(transfer("m", MoneyKind.REFUND, "a", "b", Money(5), d))  # type: ignore[arg-type]
    ledger.post(transfer("e1", TimeKind.EXCHANGE, "sam", "jo", Minutes(30), d))
    fake = Transaction(
        "f",
        TimeKind.REVERSAL,
        (Posting("sam", Minutes(10)), Posting("jo", Minutes(-10))),
        d,
        reverses="e1",
    )
    with pytest.raises(ReversalRefused, match="does not exactly undo"):
        ledger.post(fake)
    with pytest.raises(InvalidAmount):
        Ledger(Minutes, default_limit=Minutes(5))


def test_check_ledger_finds_every_kind_of_violation() -> None:
    d = date(2025, 1, 1)
    ok = transfer("ok", TimeKind.EXCHANGE, "a", "b", Minutes(30), d)
    unbalanced = Transaction.unchecked(
        "bad", TimeKind.EXCHANGE, (Posting("a", Minutes(30)), Posting("b", Minutes(-20))), d
    )
    dup = transfer("ok", TimeKind.EXCHANGE, "b", "c", Minutes(5), d)
    orphan = Transaction.unchecked(
        "orphan",
        TimeKind.REVERSAL,
        (Posting("a", Minutes(5)), Posting("c", Minutes(-5))),
        d,
        reverses="ghost",
    )
    rev1 = reverse(ok, "r", "rev1")
    rev2 = reverse(ok, "r", "rev2")
    revrev = Transaction.unchecked(
        "revrev",
        TimeKind.REVERSAL,
        (Posting("a", Minutes(30)), Posting("b", Minutes(-30))),
        d,
        reverses="rev1",
    )
    violations = check_ledger([ok, unbalanced, dup, orphan, rev1, rev2, revrev])
    codes = {(v.code, v.key) for v in violations}
    assert (ViolationCode.INVALID_TRANSACTION, "bad") in codes
    assert (ViolationCode.DUPLICATE_KEY, "ok") in codes
    assert (ViolationCode.MISSING_ORIGINAL, "orphan") in codes
    assert (ViolationCode.REVERSED_TWICE, "ok") in codes
    assert (ViolationCode.REVERSAL_OF_REVERSAL, "revrev") in codes
    assert (ViolationCode.NONZERO_TOTAL, None) in codes
    total = next(v for v in violations if v.code is ViolationCode.NONZERO_TOTAL)
    assert total.message == "The balances of all accounts add up to 10 minutes, not zero."
    bad = next(v for v in violations if v.key == "bad")
    assert "does not balance" in bad.message


def test_check_ledger_mismatch_and_mixed_units() -> None:
    d = date(2025, 1, 1)
    ok = transfer("ok", TimeKind.EXCHANGE, "a", "b", Minutes(30), d)
    wrong = Transaction.unchecked(
        "wrong",
        TimeKind.REVERSAL,
        (Posting("a", Minutes(20)), Posting("b", Minutes(-20))),
        d,
        reverses="ok",
    )
    codes = {v.code for v in check_ledger([ok, wrong])}
    assert codes == {ViolationCode.REVERSAL_MISMATCH}
    money = transfer("m", MoneyKind.REFUND, "a", "b", Money(5), d)
    mixed = check_ledger([ok, money])
    assert {v.code for v in mixed} == {ViolationCode.MIXED_UNITS}
    assert check_ledger(budget_history()) == []
