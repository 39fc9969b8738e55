"""Debit limits: the lowest balance an account is allowed to reach.

A time bank lets members go into debit (receive help before giving it) down to a limit such as
``Minutes.from_hours(-10)``. A limit is the lowest allowed balance, so it is zero or negative. A
transfer that would take an account *below* its limit is refused; reaching the limit exactly is
allowed. Only postings that take something away are checked: paying into an account that is
already below its limit (because the limit was lowered) is always allowed. Reversals are not
checked (see :class:`rules.ledger.Ledger`): a correction must always be possible.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from rules.ledger.errors import DebitLimitExceeded, InvalidAmount
from rules.ledger.transactions import AccountId, K, Transaction
from rules.ledger.units import Q


def _possessive(name: str) -> str:
    return f"{name}'s"


def check_debit_limit(balance: Q, change: Q, limit: Q, *, name: str) -> None:
    """Refuse ``change`` if it takes ``balance`` below ``limit``.

    ``check_debit_limit(Minutes(-240), Minutes(-450), Minutes(-600), name="Sam")`` raises
    :class:`DebitLimitExceeded`: "This would take Sam's balance to -11 hours 30 minutes; the limit
    is -10 hours."
    """
    if limit.units > 0:
        raise InvalidAmount(
            f"A debit limit is the lowest balance allowed, so it must be zero or negative, "
            f"not {limit}."
        )
    if change.units >= 0:
        return
    new_balance = balance + change
    if new_balance < limit:
        raise DebitLimitExceeded(
            f"This would take {_possessive(name)} balance to {new_balance}; the limit is {limit}.",
            account=name,
            limit=limit,
            new_balance=new_balance,
        )


def check_transaction_limits(
    txn: Transaction[Q, K],
    balance_of: Callable[[AccountId], Q] | Mapping[AccountId, Q],
    limit_of: Callable[[AccountId], Q | None] | Mapping[AccountId, Q],
    name_of: Callable[[AccountId], str] | Mapping[AccountId, str] | None = None,
) -> None:
    """Check every posting of ``txn`` that takes something away against its account's limit.

    ``balance_of`` gives current balances (missing accounts count as zero); ``limit_of`` gives
    limits (an account with no limit, ``None`` or missing, is not checked); ``name_of`` gives the
    name to use in the message (defaults to the account id). Raises
    :class:`DebitLimitExceeded` for the first posting that would break its limit.
    """
    zero = txn.unit.zero()
    for p in txn.postings:
        if p.amount.units >= 0:
            continue
        limit = limit_of.get(p.account) if isinstance(limit_of, Mapping) else limit_of(p.account)
        if limit is None:
            continue
        if isinstance(balance_of, Mapping):
            current = balance_of.get(p.account, zero)
        else:
            current = balance_of(p.account)
        if name_of is None:
            name = str(p.account)
        elif isinstance(name_of, Mapping):
            name = name_of.get(p.account, str(p.account))
        else:
            name = name_of(p.account)
        check_debit_limit(current, p.amount, limit, name=name)
