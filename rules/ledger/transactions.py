"""Postings and transactions: the double-entry core, generic over the unit.

Sign convention: a posting's amount is *added* to its account's balance. A transfer of £50 from a
budget to a provider is ``[Posting("budget:7", Money(-5000)), Posting("provider:3", Money(5000))]``.
Every transaction's postings add up to exactly zero, so the balances of all accounts together are
always zero: money and time are only ever moved, never made or lost. Where money or hours enter the
scheme (a council allocation, hours issued by the time bank) the other side is a source account such
as ``"council"`` or ``"timebank:issued"``, whose balance is negative.

The ledger is append-only. A mistake is corrected by :func:`reverse`, which builds a new transaction
with every posting negated; the original is never changed. A transaction can be reversed once, and a
reversal cannot itself be reversed (to put an amount back, post it again with a new key).
"""

from __future__ import annotations

from collections.abc import Container, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Generic, TypeVar

from rules.ledger.errors import InvalidAmount, InvalidTransaction, ReversalRefused
from rules.ledger.units import REVERSAL_VALUE, Q, Quantity

AccountId = str | int
"""How callers name accounts: a string such as ``"budget:42"`` or a primary key."""

K = TypeVar("K", bound=StrEnum)
"""The kind enumeration of a unit: ``MoneyKind`` or ``TimeKind``."""

# Immutable containers are covariant, so ``transfer(..., MoneyKind.REFUND, ...)`` (whose kind
# mypy infers as a literal) is still a ``Transaction[Money, MoneyKind]``.
Q_co = TypeVar("Q_co", bound=Quantity, covariant=True)
K_co = TypeVar("K_co", bound=StrEnum, covariant=True)


@dataclass(frozen=True, slots=True)
class Posting(Generic[Q_co]):
    """One line of a transaction: ``amount`` is added to ``account``'s balance."""

    account: AccountId
    amount: Q_co


@dataclass(frozen=True, slots=True)
class Entry(Generic[Q_co, K_co]):
    """A posting seen with its transaction's details, as a statement shows it."""

    key: str
    kind: K_co
    effective: date
    memo: str
    account: AccountId
    amount: Q_co


@dataclass(frozen=True, slots=True)
class Transaction(Generic[Q_co, K_co]):
    """A balanced set of postings, identified by an idempotency ``key``.

    Constructing one validates it and raises :class:`InvalidTransaction` (or
    :class:`InvalidAmount`) with a readable message. Use :meth:`unchecked` only to load stored
    records for :func:`rules.ledger.check_ledger` to audit.
    """

    key: str
    kind: K_co
    postings: tuple[Posting[Q_co], ...]
    effective: date
    memo: str = ""
    reverses: str | None = None
    """For a reversal, the key of the transaction it reverses."""

    def __post_init__(self) -> None:
        if not isinstance(self.postings, tuple):
            object.__setattr__(self, "postings", tuple(self.postings))
        problems = transaction_problems(self)
        if problems:
            raise problems[0]

    @staticmethod
    def unchecked(
        key: str,
        kind: K,
        postings: tuple[Posting[Q], ...],
        effective: date,
        memo: str = "",
        reverses: str | None = None,
    ) -> Transaction[Q, K]:
        """Build without validating, for auditing stored records with ``check_ledger``."""
        txn: Transaction[Q, K] = object.__new__(Transaction)
        for name, value in (
            ("key", key),
            ("kind", kind),
            ("postings", tuple(postings)),
            ("effective", effective),
            ("memo", memo),
            ("reverses", reverses),
        ):
            object.__setattr__(txn, name, value)
        return txn

    @property
    def unit(self) -> type[Q_co]:
        return type(self.postings[0].amount)

    @property
    def is_reversal(self) -> bool:
        return self.reverses is not None

    @property
    def accounts(self) -> frozenset[AccountId]:
        return frozenset(p.account for p in self.postings)

    @property
    def size(self) -> Q_co:
        """The amount moved: the sum of the positive postings."""
        unit = self.unit
        return unit(sum(p.amount.units for p in self.postings if p.amount.units > 0))

    def amount_for(self, account: AccountId) -> Q_co:
        """What this transaction adds to ``account`` (zero if it does not touch it)."""
        for posting in self.postings:
            if posting.account == account:
                return posting.amount
        return self.unit.zero()

    def entries(self) -> Iterator[Entry[Q_co, K_co]]:
        for p in self.postings:
            yield Entry(self.key, self.kind, self.effective, self.memo, p.account, p.amount)


def transaction_problems(txn: Transaction[Q, K]) -> list[InvalidAmount | InvalidTransaction]:
    """Every rule ``txn`` breaks, as errors with readable messages (empty when valid)."""
    problems: list[InvalidAmount | InvalidTransaction] = []
    label = f"Transaction '{txn.key}'" if txn.key else "A transaction"
    if not isinstance(txn.key, str) or not txn.key.strip():
        problems.append(InvalidTransaction("A transaction needs an idempotency key."))
    if len(txn.postings) < 2:
        problems.append(
            InvalidTransaction(f"{label} needs at least two postings: one out and one in.")
        )
        return problems
    unit = type(txn.postings[0].amount)
    if not (isinstance(unit, type) and issubclass(unit, Quantity)) or unit is Quantity:
        problems.append(InvalidAmount(f"{label} has an amount that is not Money or Minutes."))
        return problems
    if any(type(p.amount) is not unit for p in txn.postings):
        problems.append(
            InvalidAmount(f"{label} mixes units; all postings must be {unit.__name__}.")
        )
        return problems
    if not isinstance(txn.kind, unit.kinds):
        allowed = ", ".join(k.value for k in unit.kinds)
        problems.append(
            InvalidTransaction(
                f"{label} has kind '{txn.kind}', which is not allowed for {unit.__name__} "
                f"(allowed: {allowed})."
            )
        )
    for p in txn.postings:
        if p.amount.units == 0:
            problems.append(
                InvalidTransaction(f"{label} has a zero amount for account '{p.account}'.")
            )
    seen: set[AccountId] = set()
    for p in txn.postings:
        if p.account in seen:
            problems.append(
                InvalidTransaction(
                    f"{label} names account '{p.account}' more than once; "
                    "combine its postings into one."
                )
            )
            break
        seen.add(p.account)
    total = sum(p.amount.units for p in txn.postings)
    if total != 0:
        problems.append(
            InvalidTransaction(
                f"{label} does not balance: its postings add up to {unit(total).format()} "
                f"instead of {unit(0).format()}."
            )
        )
    is_reversal_kind = txn.kind == REVERSAL_VALUE
    if is_reversal_kind and not txn.reverses:
        problems.append(
            InvalidTransaction(f"{label} is a reversal but does not say what it reverses.")
        )
    if txn.reverses and not is_reversal_kind:
        problems.append(
            InvalidTransaction(
                f"{label} says it reverses '{txn.reverses}' but its kind is '{txn.kind}', "
                "not 'reversal'."
            )
        )
    if txn.reverses is not None and txn.reverses == txn.key:
        problems.append(InvalidTransaction(f"{label} cannot reverse itself."))
    return problems


def make_transaction(
    key: str,
    kind: K,
    amounts: Mapping[AccountId, Q],
    effective: date,
    memo: str = "",
) -> Transaction[Q, K]:
    """Build a transaction from ``{account: signed amount}``. Raises if it does not balance."""
    postings = tuple(Posting(account, amount) for account, amount in amounts.items())
    return Transaction(key, kind, postings, effective, memo)


def transfer(
    key: str,
    kind: K,
    source: AccountId,
    destination: AccountId,
    amount: Q,
    effective: date,
    memo: str = "",
) -> Transaction[Q, K]:
    """Move a positive ``amount`` from ``source`` to ``destination``."""
    if amount.units <= 0:
        raise InvalidAmount(f"The amount to transfer must be more than zero, not {amount}.")
    if kind == REVERSAL_VALUE:
        raise InvalidTransaction("Use reverse() to build a reversal.")
    postings = (Posting(source, -amount), Posting(destination, amount))
    return Transaction(key, kind, postings, effective, memo)


def reverse(
    original: Transaction[Q, K],
    reason: str,
    key: str,
    effective: date | None = None,
    *,
    reversed_keys: Container[str] = frozenset(),
) -> Transaction[Q, K]:
    """The reversal of ``original``: every posting negated, kind ``reversal``, memo with the reason.

    ``effective`` defaults to the original's date, so the pair cancels within the same statement
    period; pass today's date to correct a period that is already closed. ``reversed_keys`` is the
    set of keys already reversed in the caller's ledger (a queryset's values work); the reversal is
    refused if ``original.key`` is in it, or if ``original`` is itself a reversal.
    """
    if original.reverses is not None:
        raise ReversalRefused(
            f"Transaction '{original.key}' is itself a reversal and cannot be reversed; "
            "post the original amount again as a new transaction instead."
        )
    if original.key in reversed_keys:
        raise ReversalRefused(f"Transaction '{original.key}' has already been reversed.")
    if not reason or not reason.strip():
        raise InvalidTransaction("A reversal needs a reason, for the audit trail.")
    reversal_kind = type(original.kind)(REVERSAL_VALUE)
    postings = tuple(Posting(p.account, -p.amount) for p in original.postings)
    memo = f"Reversal of '{original.key}': {reason.strip()}"
    return Transaction(
        key,
        reversal_kind,
        postings,
        original.effective if effective is None else effective,
        memo,
        reverses=original.key,
    )


def same_content(a: Transaction[Q, K], b: Transaction[Q, K]) -> bool:
    """Whether two transactions with the same key describe the same movement (for idempotency)."""
    return (
        a.kind == b.kind
        and a.effective == b.effective
        and a.reverses == b.reverses
        and sorted((str(p.account), p.amount.units) for p in a.postings)
        == sorted((str(p.account), p.amount.units) for p in b.postings)
        and a.unit is b.unit
    )
