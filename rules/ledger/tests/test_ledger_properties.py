"""Property tests: random sequences of transfers and reversals keep the ledger sound."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from rules.ledger import (
    DebitLimitExceeded,
    Ledger,
    LedgerError,
    Minutes,
    Money,
    MoneyKind,
    ReversalRefused,
    TimeKind,
    Transaction,
    balances,
    check_ledger,
    format_pence,
    reverse,
    statement,
    transfer,
)

MEMBERS = ["m0", "m1", "m2", "m3", "m4"]
BANK = "bank"
LIMIT = Minutes(-600)
START = date(2025, 1, 1)


class TimeBankMachine(RuleBasedStateMachine):
    """Members exchange time, the bank issues hours, and staff reverse mistakes."""

    posted = Bundle("posted")

    def __init__(self) -> None:
        super().__init__()
        self.ledger: Ledger[Minutes, TimeKind] = Ledger(
            Minutes, default_limit=LIMIT, exempt=frozenset({BANK})
        )
        self.counter = 0

    def _key(self) -> str:
        self.counter += 1
        return f"k{self.counter}"

    @rule(
        target=posted,
        source=st.sampled_from([*MEMBERS, BANK]),
        destination=st.sampled_from(MEMBERS),
        minutes=st.integers(min_value=1, max_value=900),
        days=st.integers(min_value=0, max_value=400),
        kind=st.sampled_from([TimeKind.EXCHANGE, TimeKind.ISSUE, TimeKind.REDEMPTION]),
    )
    def post_transfer(
        self, source: str, destination: str, minutes: int, days: int, kind: TimeKind
    ) -> str:
        if source == destination:
            return ""
        before = self.ledger.balances()
        txn = transfer(
            self._key(), kind, source, destination, Minutes(minutes), START + timedelta(days)
        )
        try:
            self.ledger.post(txn)
        except DebitLimitExceeded as refused:
            # Refused only when it really would break the limit, and nothing changed.
            assert before.get(source, Minutes(0)) - Minutes(minutes) < LIMIT
            assert "the limit is -10 hours" in refused.message
            assert self.ledger.balances() == before
            return ""
        # The debit limit is never broken by an accepted transfer.
        if source != BANK:
            assert self.ledger.balance(source) >= LIMIT
        return txn.key

    @rule(key=posted, days=st.integers(min_value=0, max_value=30))
    def reverse_once(self, key: str, days: int) -> None:
        if not key:
            return
        original = self.ledger.get(key)
        if self.ledger.is_reversed(key):
            with pytest.raises(ReversalRefused, match="already been reversed"):
                self.ledger.reverse(key, "again", self._key())
            return
        reversal = self.ledger.reverse(
            key, "Entered in error", self._key(), original.effective + timedelta(days)
        )
        # Reversing twice is refused, whatever the new key; so is reversing the reversal.
        with pytest.raises(ReversalRefused):
            self.ledger.reverse(key, "again", self._key())
        with pytest.raises(ReversalRefused):
            self.ledger.reverse(reversal.key, "undo", self._key())

    @rule(key=posted)
    def retry_is_idempotent(self, key: str) -> None:
        if not key:
            return
        size = len(self.ledger)
        original = self.ledger.get(key)
        assert self.ledger.post(original) is original
        assert len(self.ledger) == size

    @invariant()
    def balances_sum_to_zero(self) -> None:
        assert sum(b.units for b in self.ledger.balances().values()) == 0

    @invariant()
    def pure_functions_agree_with_ledger(self) -> None:
        txns = self.ledger.transactions
        assert balances(txns) == self.ledger.balances()
        assert check_ledger(txns) == []
        if txns:
            st_ = statement(txns, "m0", START, START + timedelta(days=500), unit=Minutes)
            assert st_.opening == Minutes(0)
            assert st_.closing == self.ledger.balance("m0")


TestTimeBankMachine = TimeBankMachine.TestCase
TestTimeBankMachine.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)


ACCOUNTS = ["council", "person", "b1", "b2", "prov1", "prov2"]


@st.composite
def money_history(draw: st.DrawFn) -> list[Transaction[Money, MoneyKind]]:
    txns: list[Transaction[Money, MoneyKind]] = []
    originals: list[Transaction[Money, MoneyKind]] = []
    reversed_keys: set[str] = set()
    for i in range(draw(st.integers(min_value=0, max_value=30))):
        if len(originals) > 0 and draw(st.booleans()):
            target = draw(st.sampled_from(originals))
            if target.key in reversed_keys:
                with pytest.raises(ReversalRefused):
                    reverse(target, "again", f"r{i}", reversed_keys=reversed_keys)
                continue
            txns.append(reverse(target, "mistake", f"r{i}", reversed_keys=reversed_keys))
            reversed_keys.add(target.key)
            continue
        source, destination = draw(
            st.lists(st.sampled_from(ACCOUNTS), min_size=2, max_size=2, unique=True)
        )
        pence = draw(st.integers(min_value=1, max_value=10_000_000))
        kind = draw(st.sampled_from([k for k in MoneyKind if k is not MoneyKind.REVERSAL]))
        txn = transfer(f"t{i}", kind, source, destination, Money(pence), START)
        txns.append(txn)
        originals.append(txn)
    return txns


@given(money_history())
@settings(max_examples=200, deadline=None)
def test_money_histories_always_balance(txns: list[Transaction[Money, MoneyKind]]) -> None:
    assert check_ledger(txns) == []
    assert sum(b.units for b in balances(txns).values()) == 0


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False))
def test_pounds_round_trip(pounds: Decimal) -> None:
    money = Money.from_pounds(pounds)
    assert money.pounds == pounds
    assert Money.from_pounds(str(pounds)) == money
    assert format_pence(money.pence) == ("-" if pounds < 0 else "") + f"£{abs(pounds):,.2f}"


@given(st.decimals(min_value=-1000, max_value=1000, places=4, allow_nan=False))
def test_fractions_of_a_penny_always_refused(pounds: Decimal) -> None:
    if pounds * 100 == (pounds * 100).to_integral_value():
        assert Money.from_pounds(pounds).pounds == pounds
    else:
        with pytest.raises(LedgerError, match="fraction of a penny"):
            Money.from_pounds(pounds)
