"""Hand-computed examples for units, formatting and transactions."""

from __future__ import annotations

import pickle
from datetime import date
from decimal import Decimal

import pytest

from rules.ledger import (
    InvalidAmount,
    InvalidTransaction,
    Minutes,
    Money,
    MoneyKind,
    Posting,
    ReversalRefused,
    TimeKind,
    Transaction,
    format_minutes,
    format_minutes_short,
    format_pence,
    make_transaction,
    reverse,
    transfer,
)

D = date(2025, 4, 1)


@pytest.mark.parametrize(
    ("minutes", "long", "short"),
    [
        (0, "0 minutes", "0m"),
        (1, "1 minute", "1m"),
        (45, "45 minutes", "45m"),
        (60, "1 hour", "1h"),
        (61, "1 hour 1 minute", "1h 1m"),
        (150, "2 hours 30 minutes", "2h 30m"),
        (-690, "-11 hours 30 minutes", "-11h 30m"),
        (-600, "-10 hours", "-10h"),
        (-5, "-5 minutes", "-5m"),
    ],
)
def test_format_minutes(minutes: int, long: str, short: str) -> None:
    assert format_minutes(minutes) == long
    assert format_minutes_short(minutes) == short
    assert Minutes(minutes).format() == long
    assert Minutes(minutes).short() == short


@pytest.mark.parametrize(
    ("pence", "text"),
    [
        (0, "£0.00"),
        (5, "£0.05"),
        (123450, "£1,234.50"),
        (100000000, "£1,000,000.00"),
        (-5, "-£0.05"),
        (-123450, "-£1,234.50"),
    ],
)
def test_format_pence(pence: int, text: str) -> None:
    assert format_pence(pence) == text
    assert str(Money(pence)) == text


def test_money_from_pounds() -> None:
    assert Money.from_pounds("1234.50") == Money(123450)
    assert Money.from_pounds("1,234.5") == Money(123450)
    assert Money.from_pounds(Decimal("0.01")) == Money(1)
    assert Money.from_pounds(12) == Money(1200)
    assert Money.from_pounds("-3.10") == Money(-310)
    assert Money.from_pounds("1.500") == Money(150)
    assert Money(123450).pounds == Decimal("1234.50")
    assert str(Money(123450).pounds) == "1234.50"


@pytest.mark.parametrize(
    "bad", ["1.005", "0.001", Decimal("2.999"), 1.5, "abc", "NaN", "inf", True]
)
def test_money_refuses_fractions_of_a_penny_and_floats(bad: object) -> None:
    with pytest.raises(InvalidAmount) as caught:
        Money.from_pounds(bad)  # type: ignore[arg-type]
    assert caught.value.message


def test_quantity_refuses_non_integers() -> None:
    with pytest.raises(InvalidAmount, match="whole number of pence"):
        Money(1.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidAmount, match="whole number of minutes"):
        Minutes(True)


def test_units_do_not_mix() -> None:
    with pytest.raises(TypeError):
        Money(1) + Minutes(1)  # type: ignore[operator]
    with pytest.raises(TypeError):
        _ = Money(1) < Minutes(1)  # type: ignore[operator]
    assert Money(1) != Minutes(1)
    assert hash(Money(1)) != hash(Minutes(1)) or Money(1) != Minutes(1)


def test_quantity_arithmetic_and_immutability() -> None:
    assert Minutes(30) + Minutes(45) == Minutes(75)
    assert Minutes(30) - Minutes(45) == Minutes(-15)
    assert -Minutes(5) == Minutes(-5)
    assert abs(Minutes(-5)) == Minutes(5)
    assert 3 * Minutes(5) == Minutes(15) == Minutes(5) * 3
    assert Minutes.from_hours(2, 30) == Minutes(150)
    assert Minutes.total([Minutes(1), Minutes(2)]) == Minutes(3)
    assert Minutes.total([]) == Minutes.zero()
    assert sorted([Minutes(3), Minutes(-1), Minutes(2)]) == [Minutes(-1), Minutes(2), Minutes(3)]
    assert not Minutes(0)
    with pytest.raises(AttributeError):
        Minutes(1).units = 2
    assert pickle.loads(pickle.dumps(Money(42))) == Money(42)  # noqa: S301
    assert repr(Money(42)) == "Money(42)"


def test_transfer_builds_balanced_postings() -> None:
    txn = transfer("k1", MoneyKind.ALLOCATION, "council", "budget:1", Money(5000), D, "April")
    assert txn.postings == (Posting("council", Money(-5000)), Posting("budget:1", Money(5000)))
    assert txn.amount_for("budget:1") == Money(5000)
    assert txn.amount_for("elsewhere") == Money(0)
    assert txn.size == Money(5000)
    assert txn.unit is Money
    assert not txn.is_reversal


def test_transfer_refuses_non_positive_amounts() -> None:
    with pytest.raises(InvalidAmount, match="more than zero"):
        transfer("k", TimeKind.EXCHANGE, "a", "b", Minutes(0), D)
    with pytest.raises(InvalidAmount):
        transfer("k", TimeKind.EXCHANGE, "a", "b", Minutes(-5), D)


def test_three_way_transaction() -> None:
    txn = make_transaction(
        "split",
        MoneyKind.PROVIDER_PAYMENT,
        {"budget:1": Money(-3000), "provider:1": Money(2000), "provider:2": Money(1000)},
        D,
    )
    assert len(txn.postings) == 3


@pytest.mark.parametrize(
    ("postings", "message"),
    [
        ((Posting("a", Minutes(10)), Posting("b", Minutes(-5))), "does not balance"),
        ((Posting("a", Minutes(0)), Posting("b", Minutes(0))), "zero amount"),
        ((Posting("a", Minutes(5)), Posting("a", Minutes(-5))), "more than once"),
        ((Posting("a", Minutes(5)),), "at least two postings"),
        ((Posting("a", Minutes(5)), Posting("b", Money(-5))), "mixes units"),
    ],
)
def test_invalid_transactions(postings: tuple[Posting[Minutes], ...], message: str) -> None:
    with pytest.raises((InvalidTransaction, InvalidAmount), match=message):
        Transaction("k", TimeKind.EXCHANGE, postings, D)


def test_unbalanced_message_is_readable() -> None:
    with pytest.raises(InvalidTransaction) as caught:
        Transaction(
            "k",
            MoneyKind.REFUND,
            (Posting("a", Money(1000)), Posting("b", Money(-500))),
            D,
        )
    assert caught.value.message == (
        "Transaction 'k' does not balance: its postings add up to £5.00 instead of £0.00."
    )


def test_kind_must_match_unit() -> None:
    with pytest.raises(InvalidTransaction, match="not allowed for Money"):
        transfer("k", TimeKind.EXCHANGE, "a", "b", Money(5), D)


def test_missing_key_refused() -> None:
    with pytest.raises(InvalidTransaction, match="idempotency key"):
        transfer(" ", TimeKind.EXCHANGE, "a", "b", Minutes(5), D)


def test_reversal_kind_needs_a_target() -> None:
    with pytest.raises(InvalidTransaction, match="does not say what it reverses"):
        Transaction(
            "k", TimeKind.REVERSAL, (Posting("a", Minutes(5)), Posting("b", Minutes(-5))), D
        )
    with pytest.raises(InvalidTransaction, match="not 'reversal'"):
        Transaction(
            "k",
            TimeKind.EXCHANGE,
            (Posting("a", Minutes(5)), Posting("b", Minutes(-5))),
            D,
            reverses="x",
        )


def test_reverse_negates_every_posting_and_keeps_original() -> None:
    original = transfer("pay-1", MoneyKind.PROVIDER_PAYMENT, "budget:1", "prov:2", Money(999), D)
    reversal = reverse(original, "Paid twice", "pay-1-rev")
    assert reversal.kind is MoneyKind.REVERSAL
    assert reversal.reverses == "pay-1"
    assert reversal.effective == D
    assert reversal.memo == "Reversal of 'pay-1': Paid twice"
    assert reversal.amount_for("budget:1") == Money(999)
    assert reversal.amount_for("prov:2") == Money(-999)
    assert original.amount_for("budget:1") == Money(-999)
    later = reverse(original, "Paid twice", "pay-1-rev", date(2025, 5, 2))
    assert later.effective == date(2025, 5, 2)


def test_reverse_refusals() -> None:
    original = transfer("t1", TimeKind.EXCHANGE, "a", "b", Minutes(60), D)
    reversal = reverse(original, "Logged in error", "t1-rev")
    with pytest.raises(ReversalRefused, match="itself a reversal"):
        reverse(reversal, "undo", "t1-rev-rev")
    with pytest.raises(ReversalRefused, match="already been reversed"):
        reverse(original, "again", "t1-rev2", reversed_keys={"t1"})
    with pytest.raises(InvalidTransaction, match="needs a reason"):
        reverse(original, "  ", "t1-rev3")
