"""Balances, statements and spend projections, computed from transactions in one pass."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Generic

from rules.ledger.errors import InvalidAmount
from rules.ledger.formatting import format_date
from rules.ledger.transactions import AccountId, K, Posting, Transaction
from rules.ledger.units import Q


def balances(transactions: Iterable[Transaction[Q, K]]) -> dict[AccountId, Q]:
    """Every account's balance: the sum of its postings. Accounts never posted to are absent."""
    totals: defaultdict[AccountId, int] = defaultdict(int)
    unit: type[Q] | None = None
    for txn in transactions:
        for p in txn.postings:
            totals[p.account] += p.amount.units
            if unit is None:
                unit = type(p.amount)
    if unit is None:
        return {}
    return {account: unit(units) for account, units in totals.items()}


def posting_balances(postings: Iterable[Posting[Q]]) -> dict[AccountId, Q]:
    """Like :func:`balances`, from bare postings (for example rows loaded from the database)."""
    totals: defaultdict[AccountId, int] = defaultdict(int)
    unit: type[Q] | None = None
    for p in postings:
        totals[p.account] += p.amount.units
        unit = unit or type(p.amount)
    if unit is None:
        return {}
    return {account: unit(units) for account, units in totals.items()}


def balance(
    transactions: Iterable[Transaction[Q, K]],
    account: AccountId,
    *,
    unit: type[Q],
    as_of: date | None = None,
) -> Q:
    """``account``'s balance, counting transactions effective on or before ``as_of`` (or all)."""
    total = 0
    for txn in transactions:
        if as_of is not None and txn.effective > as_of:
            continue
        for p in txn.postings:
            if p.account == account:
                total += p.amount.units
    return unit(total)


@dataclass(frozen=True, slots=True)
class StatementLine(Generic[Q]):
    effective: date
    key: str
    kind: str
    memo: str
    amount: Q
    balance: Q
    """The running balance after this line."""
    reverses: str | None = None


@dataclass(frozen=True, slots=True)
class Statement(Generic[Q]):
    """An account's statement for ``start``..``end`` (both inclusive).

    ``opening`` counts everything effective before ``start``; ``closing`` is ``opening`` plus the
    lines. Lines are in effective-date order; on the same date, in the order given.
    """

    account: AccountId
    start: date
    end: date
    opening: Q
    lines: tuple[StatementLine[Q], ...]
    closing: Q

    @property
    def money_in(self) -> Q:
        return type(self.opening)(sum(x.amount.units for x in self.lines if x.amount.units > 0))

    @property
    def money_out(self) -> Q:
        """The total taken out, as a positive amount."""
        return type(self.opening)(-sum(x.amount.units for x in self.lines if x.amount.units < 0))


def statement(
    transactions: Iterable[Transaction[Q, K]],
    account: AccountId,
    start: date,
    end: date,
    *,
    unit: type[Q],
) -> Statement[Q]:
    """The statement for ``account`` between ``start`` and ``end`` inclusive."""
    if end < start:
        raise ValueError(f"The statement period ends ({end}) before it starts ({start}).")
    opening = 0
    found: list[tuple[date, int, Transaction[Q, K], int]] = []
    for order, txn in enumerate(transactions):
        if txn.effective > end:
            continue
        for p in txn.postings:
            if p.account == account:
                if txn.effective < start:
                    opening += p.amount.units
                else:
                    found.append((txn.effective, order, txn, p.amount.units))
                break
    found.sort(key=lambda item: (item[0], item[1]))
    running = opening
    lines = []
    for effective, _, txn, units in found:
        running += units
        lines.append(
            StatementLine(
                effective,
                txn.key,
                str(txn.kind),
                txn.memo,
                unit(units),
                unit(running),
                txn.reverses,
            )
        )
    return Statement(account, start, end, unit(opening), tuple(lines), unit(running))


def month_periods(first: date, last: date) -> list[tuple[date, date]]:
    """Calendar months covering ``first``..``last``: ``[(1 Jan, 31 Jan), (1 Feb, 28 Feb), ...]``."""
    periods = []
    start = first.replace(day=1)
    while start <= last:
        following = (start + timedelta(days=32)).replace(day=1)
        periods.append((start, following - timedelta(days=1)))
        start = following
    return periods


def monthly_statements(
    transactions: Iterable[Transaction[Q, K]],
    account: AccountId,
    first: date,
    last: date,
    *,
    unit: type[Q],
) -> list[Statement[Q]]:
    """One statement per calendar month from ``first``'s month to ``last``'s month."""
    txns = list(transactions)
    return [statement(txns, account, s, e, unit=unit) for s, e in month_periods(first, last)]


class SpendStatus(StrEnum):
    OVERSPEND = "overspend"
    UNDERSPEND = "underspend"
    ON_TRACK = "on_track"


@dataclass(frozen=True, slots=True)
class SpendProjection(Generic[Q]):
    status: SpendStatus
    balance: Q
    weekly_cost: Q
    as_of: date
    period_end: date
    days_remaining: int
    projected_cost: Q
    projected_balance: Q
    funded_until: date | None
    """The last day the balance pays for at the weekly cost (``None`` when the cost is zero)."""
    message: str

    @property
    def needs_attention(self) -> bool:
        return self.status is not SpendStatus.ON_TRACK


def project_spend(
    balance: Q,
    weekly_cost: Q,
    as_of: date,
    period_end: date,
    *,
    underspend_threshold: Q,
) -> SpendProjection[Q]:
    """Project a budget's balance to the end of its period at the planned weekly cost.

    The rule (documented for staff and budget holders):

    * ``balance`` is the balance at the end of ``as_of``. The plan is spent evenly, one seventh of
      the weekly cost a day, for each day after ``as_of`` up to and including ``period_end``.
    * The projected cost is rounded *up* to the whole penny (or minute), so a warning is never
      missed by rounding.
    * **Overspend** when the projected balance at the period end is below zero: the money runs out
      first; ``funded_until`` says on which day.
    * **Underspend** when the projected balance is above ``underspend_threshold`` (a positive
      amount the scheme sets, for example four weeks of the plan): money is being held that the
      person could use, or that should be returned.
    * Otherwise **on track** (a projected balance from zero up to the threshold, inclusive).
    """
    unit = type(balance)
    if weekly_cost.units < 0:
        raise InvalidAmount(f"The weekly cost cannot be negative ({weekly_cost}).")
    if underspend_threshold.units < 0:
        raise InvalidAmount(
            f"The underspend threshold cannot be negative ({underspend_threshold})."
        )
    days = max(0, (period_end - as_of).days)
    cost_units = -((-weekly_cost.units * days) // 7)  # ceiling division
    projected = balance.units - cost_units
    funded_until: date | None = None
    if weekly_cost.units > 0:
        covered_days = max(0, balance.units) * 7 // weekly_cost.units
        funded_until = as_of + timedelta(days=min(covered_days, 366 * 100))
    cost, left = weekly_cost.format(), unit(projected).format()
    end_text = format_date(period_end)
    if projected < 0:
        status = SpendStatus.OVERSPEND
        runs_out = format_date(funded_until) if funded_until else end_text
        message = (
            f"At {cost} a week the balance runs out after {runs_out}, before the period ends on "
            f"{end_text}; the projected shortfall is {unit(-projected).format()}."
        )
    elif projected > underspend_threshold.units:
        status = SpendStatus.UNDERSPEND
        message = (
            f"At {cost} a week, {left} will be left unspent on {end_text}, more than the "
            f"{underspend_threshold.format()} threshold."
        )
    else:
        status = SpendStatus.ON_TRACK
        message = f"At {cost} a week, {left} will be left on {end_text}."
    return SpendProjection(
        status,
        balance,
        weekly_cost,
        as_of,
        period_end,
        days,
        unit(cost_units),
        unit(projected),
        funded_until,
        message,
    )
