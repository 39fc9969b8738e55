"""The ledger's units, transactions and projections at their edges (issue 14: mutation testing).

Each test here kills mutants of ``rules.ledger`` that the rest of the suite let through (see
docs/mutation.md): a comparison moved by one, a refusal that lost its message, a default or an
argument dropped. The rule each one pins is named in its docstring.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from enum import StrEnum
from typing import cast

import pytest

from rules.ledger import (
    DebitLimitExceeded,
    InvalidAmount,
    InvalidTransaction,
    Ledger,
    Minutes,
    Money,
    MoneyKind,
    Posting,
    Quantity,
    ReversalRefused,
    SpendStatus,
    TimeKind,
    Transaction,
    UnknownTransaction,
    ViolationCode,
    balance,
    balances,
    check_debit_limit,
    check_ledger,
    check_transaction_limits,
    make_transaction,
    posting_balances,
    project_spend,
    reverse,
    statement,
    transaction_problems,
    transfer,
)

P = Money.from_pounds
D = date(2025, 4, 1)


def test_amounts_cannot_be_deleted_either() -> None:
    """Amounts are immutable: deleting the value is refused like setting it, naming the unit."""
    amount = Money(5)
    with pytest.raises(AttributeError, match=r"^Money is immutable$"):
        del amount.units
    with pytest.raises(AttributeError, match=r"^Minutes is immutable$"):
        del Minutes(5).units
    assert amount == Money(5)


def test_a_total_names_the_unit_it_refuses() -> None:
    """Money and minutes never add up: the refusal says which unit was offered to which."""
    assert Money.total([Money(1), Money(2)]) == Money(3)
    with pytest.raises(TypeError, match=r"^cannot add Minutes to Money$"):
        Money.total([Money(1), Minutes(1)])  # type: ignore[list-item]


def test_a_new_unit_shows_its_whole_number_by_default() -> None:
    """``Quantity.format`` (what a unit without its own wording shows) is the whole number."""

    class Points(Quantity):
        __slots__ = ()
        kinds = TimeKind

    assert Points(12).format() == "12"
    assert str(Points(-3)) == "-3"


@pytest.mark.parametrize("factor", [True, 1.5, "2"])
def test_amounts_multiply_only_by_whole_numbers(factor: object) -> None:
    """A factor must be an int (not a bool, a float or text): anything else is a TypeError."""
    with pytest.raises(TypeError):
        Money(5) * factor  # type: ignore[operator]
    with pytest.raises(TypeError):
        factor * Money(5)  # type: ignore[arg-type]
    assert Money(5) * 3 == Money(15)
    assert 3 * Money(5) == Money(15)


def test_comparisons_at_equality_and_one_unit_either_side() -> None:
    """``<=`` includes equality and ``>`` excludes it; another unit cannot be compared."""
    assert Money(5) <= Money(5)
    assert Money(4) <= Money(5)
    assert not Money(6) <= Money(5)
    assert not Money(5) > Money(5)
    assert Money(6) > Money(5)
    assert not Money(4) > Money(5)
    with pytest.raises(TypeError, match=r"^cannot compare Money with Minutes$"):
        Money(5) <= Minutes(5)  # type: ignore[operator]  # noqa: B015
    with pytest.raises(TypeError, match=r"^cannot compare Minutes with Money$"):
        Minutes(5) > Money(5)  # type: ignore[operator]  # noqa: B015


@pytest.mark.parametrize("hours", [True, 1.5])
def test_hours_must_be_a_whole_number(hours: object) -> None:
    """``Minutes.from_hours`` refuses a bool (True is not one hour) and a fraction of an hour."""
    with pytest.raises(InvalidAmount, match=f"^Hours must be a whole number, not {hours!r}\\.$"):
        Minutes.from_hours(hours)  # type: ignore[arg-type]
    assert Minutes.from_hours(1) == Minutes(60)


def test_stored_records_keep_their_empty_memo() -> None:
    """``Transaction.unchecked`` (loading stored rows for the audit) defaults to an empty memo."""
    txn = Transaction.unchecked(
        "k1", MoneyKind.ALLOCATION, (Posting("a", Money(-5)), Posting("b", Money(5))), D
    )
    assert txn.memo == ""
    assert txn.reverses is None


def test_entries_carry_the_transactions_details() -> None:
    """Each posting seen as a statement entry: key, kind, date, memo, account and amount."""
    txn = transfer("k1", MoneyKind.REFUND, "prov1", "b1", P("12.34"), D, "Overpaid in March")
    entries = list(txn.entries())
    assert [(e.key, e.kind, e.effective, e.memo, e.account, e.amount) for e in entries] == [
        ("k1", MoneyKind.REFUND, D, "Overpaid in March", "prov1", P("-12.34")),
        ("k1", MoneyKind.REFUND, D, "Overpaid in March", "b1", P("12.34")),
    ]


def test_make_transaction_keeps_the_date_and_memo() -> None:
    """``make_transaction`` passes the effective date and memo through (memo empty by default)."""
    amounts: dict[str | int, Money] = {"council": Money(-300), "b1": Money(200), "b2": Money(100)}
    txn = make_transaction("k1", MoneyKind.ALLOCATION, amounts, D, "April allocation")
    assert (txn.effective, txn.memo) == (D, "April allocation")
    assert make_transaction("k2", MoneyKind.ALLOCATION, amounts, D).memo == ""


def test_a_balance_as_of_a_day_counts_that_day_and_reads_out_of_order_history() -> None:
    """``balance(as_of=...)`` counts transactions effective on or before the day, wherever they are
    in the list (a later-dated one first must be skipped, not end the count)."""
    later = transfer("t2", MoneyKind.ALLOCATION, "council", "b1", P("50"), D + timedelta(days=1))
    on_the_day = transfer("t1", MoneyKind.ALLOCATION, "council", "b1", P("20"), D)
    txns = [later, on_the_day]
    assert balance(txns, "b1", unit=Money, as_of=D) == P("20")
    assert balance(txns, "b1", unit=Money, as_of=D - timedelta(days=1)) == Money(0)
    assert balance(txns, "b1", unit=Money, as_of=D + timedelta(days=1)) == P("70")


def test_projection_refusals_say_what_was_wrong() -> None:
    """A negative weekly cost or underspend threshold is refused with the amount in the message."""
    with pytest.raises(InvalidAmount, match=r"^The weekly cost cannot be negative \(-£0\.01\)\.$"):
        project_spend(Money(0), Money(-1), D, D, underspend_threshold=Money(0))
    with pytest.raises(
        InvalidAmount, match=r"^The underspend threshold cannot be negative \(-£0\.01\)\.$"
    ):
        project_spend(Money(0), Money(0), D, D, underspend_threshold=Money(-1))


def test_a_penny_a_week_still_has_a_funded_until_date() -> None:
    """Any weekly cost above zero (even 1p) gives the day the money runs out; 10p at 1p a week is
    70 days."""
    proj = project_spend(Money(10), Money(1), D, D, underspend_threshold=Money(0))
    assert proj.funded_until == D + timedelta(days=70)


def test_nothing_left_is_funded_until_today() -> None:
    """A balance of zero or below pays for no day after ``as_of``, whatever the weekly cost."""
    for held in (Money(0), Money(-500)):
        proj = project_spend(held, Money(7), D, D + timedelta(days=7), underspend_threshold=P("1"))
        assert proj.funded_until == D


def test_funded_until_is_exact_even_for_huge_amounts() -> None:
    """Days covered are counted in whole numbers (no floats): 99,999,999,999,999,999p at
    70,000,000,000,000,000p a week is 9.99... days, so 9 whole days, not 10 after float rounding."""
    proj = project_spend(Money(10**17 - 1), Money(7 * 10**16), D, D, underspend_threshold=Money(0))
    assert proj.funded_until == D + timedelta(days=9)


def test_funded_until_is_capped_at_a_hundred_years_of_days() -> None:
    """A balance that lasts longer than 36,600 days (366 x 100) shows the capped date."""
    proj = project_spend(P("1000000"), Money(1), D, D, underspend_threshold=P("1000000"))
    assert proj.funded_until == D + timedelta(days=36_600)
    just_under = project_spend(Money(36_599), Money(7), D, D, underspend_threshold=P("1000"))
    assert just_under.funded_until == D + timedelta(days=36_599)


def test_an_overspend_with_no_weekly_cost_runs_out_at_the_period_end() -> None:
    """A balance already below zero with nothing planned: overspent, and the message names the
    period end (there is no day the money runs out)."""
    proj = project_spend(P("-1"), Money(0), D, date(2025, 4, 30), underspend_threshold=Money(0))
    assert proj.status is SpendStatus.OVERSPEND
    assert proj.funded_until is None
    assert proj.message == (
        "At £0.00 a week the balance runs out after 30 April 2025, before the period ends on "
        "30 April 2025; the projected shortfall is £1.00."
    )


def test_a_one_day_statement_with_history_out_of_date_order() -> None:
    """A statement may start and end on the same day; transactions after its end are skipped
    wherever they are in the list; each line shows its date, key, kind, memo and amount, in date
    order, and the statement names its account."""
    after = transfer("t3", MoneyKind.ALLOCATION, "council", "b1", P("99"), D + timedelta(days=1))
    before = transfer("t1", MoneyKind.ALLOCATION, "council", "b1", P("100"), D - timedelta(days=1))
    paid = transfer("t2", MoneyKind.PROVIDER_PAYMENT, "b1", "prov1", P("30"), D, "Care, week 1")
    st = statement([after, paid, before], "b1", D, D, unit=Money)
    assert (st.account, st.start, st.end) == ("b1", D, D)
    assert (st.opening, st.closing) == (P("100"), P("70"))
    assert [(x.effective, x.key, x.kind, x.memo, x.amount, x.balance) for x in st.lines] == [
        (D, "t2", "provider_payment", "Care, week 1", P("-30"), P("70")),
    ]


def test_a_projection_keeps_what_it_was_given() -> None:
    """The projection carries its inputs (balance, weekly cost, dates) and, on track, says what
    will be left: £300 at £70 a week over 28 days leaves £20, within a £280 threshold."""
    end = D + timedelta(days=28)
    ok = project_spend(P("300"), P("70"), D, end, underspend_threshold=P("280"))
    assert (ok.balance, ok.weekly_cost, ok.as_of, ok.period_end) == (P("300"), P("70"), D, end)
    assert ok.status is SpendStatus.ON_TRACK
    assert ok.message == "At £70.00 a week, £20.00 will be left on 29 April 2025."


def test_a_debit_limit_of_exactly_zero_is_allowed_and_a_minute_above_is_not() -> None:
    """A debit limit is the lowest balance allowed: zero or negative (a positive limit would
    forbid a balance everyone starts with)."""
    assert Ledger(Minutes, default_limit=Minutes(0)).default_limit == Minutes(0)
    assert Ledger(Minutes, limits={"a": Minutes(0)}).limit_for("a") == Minutes(0)
    with pytest.raises(
        InvalidAmount, match=r"^A debit limit must be zero or negative, not 1 minute\.$"
    ):
        Ledger(Minutes, default_limit=Minutes(1))
    with pytest.raises(InvalidAmount, match=r"^A debit limit must be zero or negative"):
        Ledger(Minutes, limits={"a": Minutes(1)})


def test_an_accounts_own_limit_comes_before_the_default() -> None:
    """``limits`` (per account) is used before ``default_limit``; exempt accounts have none."""
    ledger: Ledger[Minutes, TimeKind] = Ledger(
        Minutes,
        limits={"sam": Minutes(-60)},
        default_limit=Minutes(0),
        exempt=frozenset({"timebank"}),
    )
    assert ledger.limit_for("sam") == Minutes(-60)
    assert ledger.limit_for("ali") == Minutes(0)
    assert ledger.limit_for("timebank") is None
    ledger.post(transfer("t1", TimeKind.EXCHANGE, "sam", "ali", Minutes(60), D))  # to -1 hour
    assert ledger.balance("sam") == Minutes(-60)
    with pytest.raises(DebitLimitExceeded):
        ledger.post(transfer("t2", TimeKind.EXCHANGE, "ali", "sam", Minutes(61), D))


def test_a_refusal_names_the_person_or_else_the_account() -> None:
    """Debit-limit refusals use the person's name where the ledger has one, else the account id
    as given (an int account is not looked up as text)."""
    ledger: Ledger[Minutes, TimeKind] = Ledger(
        Minutes, default_limit=Minutes(0), names={"a": "Sam", 7: "Ali"}
    )
    with pytest.raises(DebitLimitExceeded, match=r"^This would take Sam's balance to -1 minute"):
        ledger.post(transfer("t1", TimeKind.EXCHANGE, "a", "b", Minutes(1), D))
    with pytest.raises(DebitLimitExceeded, match=r"^This would take b's balance to -1 minute"):
        ledger.post(transfer("t2", TimeKind.EXCHANGE, "b", "a", Minutes(1), D))
    with pytest.raises(DebitLimitExceeded, match=r"^This would take Ali's balance to -1 minute"):
        ledger.post(transfer("t3", TimeKind.EXCHANGE, 7, "a", Minutes(1), D))


def test_reversal_refusals_say_why() -> None:
    """A reversal must name a transaction in the ledger that is not a reversal and was not
    reversed already, and undo it exactly; each refusal says which of these failed."""
    ledger: Ledger[Money, MoneyKind] = Ledger(Money)
    original = ledger.post(transfer("t1", MoneyKind.ALLOCATION, "council", "b1", P("10"), D))
    stray = reverse(original, "typo", "r0")
    elsewhere: Ledger[Money, MoneyKind] = Ledger(Money)
    with pytest.raises(
        UnknownTransaction, match=r"^Reversal 'r0' reverses 't1', which is not in the ledger\.$"
    ):
        elsewhere.post(stray)
    first = ledger.post(reverse(original, "typo", "r1"))
    with pytest.raises(ReversalRefused, match=r"^Transaction 't1' has already been reversed\.$"):
        ledger.post(reverse(original, "typo again", "r2"))
    back = Transaction(
        "r3",
        MoneyKind.REVERSAL,
        tuple(Posting(p.account, -p.amount) for p in first.postings),
        D,
        reverses="r1",
    )
    with pytest.raises(
        ReversalRefused, match=r"^Transaction 'r1' is itself a reversal and cannot be reversed\.$"
    ):
        ledger.post(back)
    other = ledger.post(transfer("t2", MoneyKind.ALLOCATION, "council", "b1", P("10"), D))
    half = Transaction(
        "r4",
        MoneyKind.REVERSAL,
        (Posting("b1", P("-5")), Posting("council", P("5"))),
        D,
        reverses=other.key,
    )
    with pytest.raises(
        ReversalRefused,
        match=r"^Reversal 'r4' does not exactly undo 't2'; build it with reverse\(\)\.$",
    ):
        ledger.post(half)


def test_the_audit_lists_every_violation_with_its_message_in_order() -> None:
    """``check_ledger`` on a broken history: each violation once, in the documented order, with
    the key and a message a person can act on. A repeated key is compared by its first use (the
    reversal r1 of the first t1 is not a mismatch with the second t1)."""
    ok = transfer("t1", MoneyKind.ALLOCATION, "council", "b1", Money(1000), D)
    again = transfer("t1", MoneyKind.ALLOCATION, "council", "b2", Money(500), D)
    r1, r2 = reverse(ok, "typo", "r1"), reverse(ok, "typo", "r2")
    ghost = Transaction.unchecked(
        "r3",
        MoneyKind.REVERSAL,
        (Posting("x", Money(-1)), Posting("y", Money(1))),
        D,
        reverses="gone",
    )
    back = Transaction.unchecked(
        "r4",
        MoneyKind.REVERSAL,
        (Posting("b1", Money(1000)), Posting("council", Money(-1000))),
        D,
        reverses="r1",
    )
    short = Transaction.unchecked(
        "u1", MoneyKind.REFUND, (Posting("b1", Money(5)), Posting("p", Money(-3))), D
    )
    found = [
        (v.code, v.key, v.message) for v in check_ledger([ok, again, r1, r2, ghost, back, short])
    ]
    assert found == [
        (
            ViolationCode.INVALID_TRANSACTION,
            "u1",
            "Transaction 'u1' does not balance: its postings add up to £0.02 instead of £0.00.",
        ),
        (ViolationCode.DUPLICATE_KEY, "t1", "Idempotency key 't1' is used by 2 transactions."),
        (
            ViolationCode.MISSING_ORIGINAL,
            "r3",
            "Reversal 'r3' reverses 'gone', which is not in the ledger.",
        ),
        (
            ViolationCode.REVERSAL_OF_REVERSAL,
            "r4",
            "Reversal 'r4' reverses 'r1', which is itself a reversal.",
        ),
        (ViolationCode.REVERSED_TWICE, "t1", "Transaction 't1' is reversed 2 times."),
        (
            ViolationCode.NONZERO_TOTAL,
            None,
            "The balances of all accounts add up to £0.02, not zero.",
        ),
    ]


def test_the_audit_names_mixed_units_and_a_half_reversal() -> None:
    """Mixed units are named (sorted) and their total shown as a bare number; a reversal that
    undoes only part of its original is a mismatch. One reversal of a key is not 'twice'."""
    money = transfer("m1", MoneyKind.ALLOCATION, "council", "b1", Money(100), D)
    half = Transaction.unchecked(
        "m2",
        MoneyKind.REVERSAL,
        (Posting("b1", Money(-50)), Posting("council", Money(50))),
        D,
        reverses="m1",
    )
    time = Transaction.unchecked(
        "h1", TimeKind.EXCHANGE, (Posting("a", Minutes(-30)), Posting("b", Minutes(31))), D
    )
    found = [(v.code, v.key, v.message) for v in check_ledger([money, half, time])]
    assert found == [
        (ViolationCode.MIXED_UNITS, None, "The ledger mixes units: Minutes, Money."),
        (
            ViolationCode.INVALID_TRANSACTION,
            "h1",
            "Transaction 'h1' does not balance: its postings add up to 1 minute instead of "
            "0 minutes.",
        ),
        (ViolationCode.REVERSAL_MISMATCH, "m2", "Reversal 'm2' does not exactly undo 'm1'."),
        (ViolationCode.NONZERO_TOTAL, None, "The balances of all accounts add up to 1, not zero."),
    ]


def test_transaction_limits_read_balances_limits_and_names_as_mappings_or_functions() -> None:
    """``check_transaction_limits``: a balance missing from the mapping is zero, a present one
    counts; an account with no name is named by its id (no ``name_of``, or missing from it);
    functions are called for the account. Only postings that take something away are checked."""
    txn = transfer("x", TimeKind.EXCHANGE, "m1", "m2", Minutes(60), D)
    check_transaction_limits(txn, {}, {"m1": Minutes(-60)})  # from 0 to exactly the limit
    with pytest.raises(DebitLimitExceeded, match=r"^This would take m1's balance to -1 hour 1 min"):
        check_transaction_limits(txn, {"m1": Minutes(-1)}, {"m1": Minutes(-60)})
    with pytest.raises(DebitLimitExceeded, match=r"^This would take m1's balance to -1 hour 1 min"):
        check_transaction_limits(txn, {"m1": Minutes(-1)}, {"m1": Minutes(-60)}, {"m2": "Ann"})
    with pytest.raises(DebitLimitExceeded, match=r"^This would take Bo's balance to -1 hour 1 min"):
        check_transaction_limits(
            txn,
            lambda account: Minutes(-1) if account == "m1" else Minutes(0),
            lambda account: Minutes(-60) if account == "m1" else None,
            lambda account: "Bo" if account == "m1" else "?",
        )
    # m2 receives: even with a limit it is not checked (its balance is far below it).
    check_transaction_limits(txn, {"m2": Minutes(-999)}, {"m1": Minutes(-60), "m2": Minutes(0)})


def test_transaction_problems_lists_every_broken_rule_in_order() -> None:
    """``transaction_problems`` (what ``check_ledger`` reports for stored rows): every rule a
    transaction breaks, each once, in order, with the readable message and its error class.
    Without a key the message says "A transaction"; with fewer than two postings, an amount that
    is not Money or Minutes, or mixed units, nothing more can be checked."""
    unchecked = Transaction.unchecked

    def problems(txn: Transaction[Quantity, StrEnum]) -> list[tuple[str, str]]:
        return [(type(p).__name__, p.message) for p in transaction_problems(txn)]

    assert problems(unchecked("", MoneyKind.REFUND, (Posting("a", Money(5)),), D)) == [
        ("InvalidTransaction", "A transaction needs an idempotency key."),
        ("InvalidTransaction", "A transaction needs at least two postings: one out and one in."),
    ]
    not_a_unit = ("InvalidAmount", "Transaction 'q' has an amount that is not Money or Minutes.")
    bare = (Posting("a", Quantity(5)), Posting("b", Quantity(-5)))
    assert problems(unchecked("q", MoneyKind.REFUND, bare, D)) == [not_a_unit]
    # A stored row whose amounts are bare numbers (what the types forbid, the audit must report).
    numbers = (Posting("a", cast(Money, 5)), Posting("b", cast(Money, -5)))
    assert problems(unchecked("q", MoneyKind.REFUND, numbers, D)) == [not_a_unit]
    mixed = (Posting("a", Money(5)), Posting("b", Minutes(-5)))
    assert problems(unchecked("m", MoneyKind.REFUND, mixed, D)) == [
        ("InvalidAmount", "Transaction 'm' mixes units; all postings must be Money.")
    ]
    many = (Posting("a", Money(0)), Posting("a", Money(0)), Posting("a", Money(3)))
    assert problems(unchecked("k", TimeKind.EXCHANGE, many, D, reverses="k")) == [
        (
            "InvalidTransaction",
            "Transaction 'k' has kind 'exchange', which is not allowed for Money (allowed: "
            "allocation, contribution, provider_payment, refund, reversal).",
        ),
        ("InvalidTransaction", "Transaction 'k' has a zero amount for account 'a'."),
        ("InvalidTransaction", "Transaction 'k' has a zero amount for account 'a'."),
        (
            "InvalidTransaction",
            "Transaction 'k' names account 'a' more than once; combine its postings into one.",
        ),
        (
            "InvalidTransaction",
            "Transaction 'k' does not balance: its postings add up to £0.03 instead of £0.00.",
        ),
        (
            "InvalidTransaction",
            "Transaction 'k' says it reverses 'k' but its kind is 'exchange', not 'reversal'.",
        ),
        ("InvalidTransaction", "Transaction 'k' cannot reverse itself."),
    ]
    pair = (Posting("a", Money(5)), Posting("b", Money(-5)))
    untargeted = (
        "InvalidTransaction",
        "Transaction 'k' is a reversal but does not say what it reverses.",
    )
    assert problems(unchecked("k", MoneyKind.REVERSAL, pair, D)) == [untargeted]
    assert problems(unchecked("k", MoneyKind.REVERSAL, pair, D, reverses="")) == [untargeted]
    assert problems(unchecked("k", MoneyKind.REFUND, pair, D)) == []


def test_builders_refuse_with_the_whole_message() -> None:
    """``transfer``, ``reverse`` and the unit constructors: each refusal's exact wording (people
    read these), and a reversal's memo keeps the reason without surrounding spaces."""
    refusals: list[tuple[type[Exception], str, Callable[[], object]]] = [
        (
            InvalidAmount,
            "The amount to transfer must be more than zero, not 0 minutes.",
            lambda: transfer("k", TimeKind.EXCHANGE, "a", "b", Minutes(0), D),
        ),
        (
            InvalidTransaction,
            "Use reverse() to build a reversal.",
            lambda: transfer("k", TimeKind.REVERSAL, "a", "b", Minutes(5), D),
        ),
        (
            InvalidAmount,
            "An amount must be a whole number of pence, not 1.5.",
            lambda: Money(1.5),  # type: ignore[arg-type]
        ),
        (
            InvalidAmount,
            "An amount must be a whole number of minutes, not True.",
            lambda: Minutes(True),
        ),
    ]
    original = transfer("t1", TimeKind.EXCHANGE, "a", "b", Minutes(60), D)
    reversal = reverse(original, "  typo  ", "r1")
    assert reversal.memo == "Reversal of 't1': typo"
    refusals += [
        (
            ReversalRefused,
            "Transaction 'r1' is itself a reversal and cannot be reversed; post the original "
            "amount again as a new transaction instead.",
            lambda: reverse(reversal, "undo", "r2"),
        ),
        (
            ReversalRefused,
            "Transaction 't1' has already been reversed.",
            lambda: reverse(original, "again", "r2", reversed_keys={"t1"}),
        ),
        (
            InvalidTransaction,
            "A reversal needs a reason, for the audit trail.",
            lambda: reverse(original, "", "r2"),
        ),
    ]
    for error, message, build in refusals:
        with pytest.raises(error) as caught:
            build()
        assert str(caught.value) == message


def test_amounts_compare_only_with_the_same_unit_and_negate() -> None:
    """Equality needs the same unit and number; ``zero()`` and ``-`` keep the unit."""
    assert Money(5) == Money(5)
    assert Money(5) != Money(6)
    assert Money(5) != Minutes(5)
    assert Money(5) != 5
    assert -Money(5) == Money(-5)
    assert Minutes.zero() == Minutes(0)
    assert type(Minutes.zero()) is Minutes


def test_balances_of_nothing_and_of_one_transfer() -> None:
    """``balances``: no transactions, no accounts; each account's sum in the transactions' unit."""
    moved = transfer("t1", TimeKind.EXCHANGE, "a", "b", Minutes(60), D)
    assert balances([]) == {}
    assert balances([moved]) == {"a": Minutes(-60), "b": Minutes(60)}
    assert posting_balances([]) == {}
    assert posting_balances(moved.postings) == {"a": Minutes(-60), "b": Minutes(60)}


def test_a_ledger_reversal_can_be_dated_today() -> None:
    """``Ledger.reverse`` passes the effective date through (to correct a closed period today);
    without one the reversal takes the original's date."""
    ledger: Ledger[Money, MoneyKind] = Ledger(Money)
    ledger.post(transfer("t1", MoneyKind.ALLOCATION, "council", "b1", P("10"), D))
    ledger.post(transfer("t2", MoneyKind.ALLOCATION, "council", "b1", P("10"), D))
    today = date(2025, 6, 30)
    assert ledger.reverse("t1", "typo", "r1", today).effective == today
    assert ledger.reverse("t2", "typo", "r2").effective == D


def test_debit_limit_edges() -> None:
    """``check_debit_limit``: a limit of one penny above zero is refused; a change of zero is never
    refused, even for an account already below its limit (the limit was lowered); the refusal
    carries the account's name."""
    with pytest.raises(
        InvalidAmount,
        match=r"^A debit limit is the lowest balance allowed, so it must be zero or negative, "
        r"not £0\.01\.$",
    ):
        check_debit_limit(Money(0), Money(-1), Money(1), name="Ros")
    check_debit_limit(Minutes(-700), Minutes(0), Minutes(-600), name="Sam")
    with pytest.raises(DebitLimitExceeded) as caught:
        check_debit_limit(Minutes(-600), Minutes(-1), Minutes(-600), name="Sam")
    assert caught.value.account == "Sam"


def test_every_posting_that_takes_something_away_is_checked() -> None:
    """``check_transaction_limits`` goes on past a posting that pays in and past an account with no
    limit: a later posting that breaks its limit is still refused."""
    pays_in_first = make_transaction(
        "x1", TimeKind.EXCHANGE, {"m2": Minutes(60), "m1": Minutes(-60)}, D
    )
    with pytest.raises(DebitLimitExceeded, match="m1's balance"):
        check_transaction_limits(pays_in_first, {}, {"m1": Minutes(0)})
    unlimited_first = make_transaction(
        "x2", TimeKind.EXCHANGE, {"a": Minutes(-30), "b": Minutes(-30), "c": Minutes(60)}, D
    )
    with pytest.raises(DebitLimitExceeded, match="b's balance"):
        check_transaction_limits(unlimited_first, {}, {"b": Minutes(0)})


def test_the_audit_lists_repeated_keys_and_double_reversals_in_key_order() -> None:
    """Repeated keys and transactions reversed more than once are listed by key (a stable order
    for a report), not in the order first seen nor by how often."""

    def allocation(key: str, to: str) -> Transaction[Money, MoneyKind]:
        return transfer(key, MoneyKind.ALLOCATION, "council", to, Money(100), D)

    b, a = allocation("b", "x"), allocation("a", "y")
    history = [b, b, a, a, a, reverse(b, "1", "rb1"), reverse(b, "2", "rb2")]
    history += [reverse(a, "1", "ra1"), reverse(a, "2", "ra2"), reverse(a, "3", "ra3")]
    listed = [
        (v.code, v.key)
        for v in check_ledger(history)
        if v.code in (ViolationCode.DUPLICATE_KEY, ViolationCode.REVERSED_TWICE)
    ]
    assert listed == [
        (ViolationCode.DUPLICATE_KEY, "a"),
        (ViolationCode.DUPLICATE_KEY, "b"),
        (ViolationCode.REVERSED_TWICE, "a"),
        (ViolationCode.REVERSED_TWICE, "b"),
    ]


def test_postings_given_as_a_list_are_kept_as_a_tuple_and_memo_defaults_to_empty() -> None:
    """A transaction is immutable: postings passed as a list are stored as a tuple (so the
    transaction hashes and compares by value); ``transfer``'s memo is empty unless given."""
    pair = [Posting("a", Money(-5)), Posting("b", Money(5))]
    txn: Transaction[Money, MoneyKind] = Transaction("k", MoneyKind.REFUND, pair, D)  # type: ignore[arg-type]
    assert txn.postings == tuple(pair)
    assert isinstance(txn.postings, tuple)
    assert hash(txn) == hash(Transaction("k", MoneyKind.REFUND, tuple(pair), D))
    assert transfer("t", MoneyKind.REFUND, "a", "b", Money(5), D).memo == ""
