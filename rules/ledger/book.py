"""An in-memory, append-only ledger that enforces every rule as transactions are posted.

The Django apps keep transactions in the database and call the pure functions directly; this
class is the reference behaviour they follow, and what property tests and benchmarks drive:

* ``post`` is idempotent: posting a transaction whose key is already in the ledger with the same
  content returns the stored one and changes nothing; the same key with different content raises
  :class:`DuplicateKey`.
* A reversal must name a transaction in the ledger that is not a reversal and has not been reversed.
* Debit limits are checked for every transaction except reversals (a correction must always be
  possible, even if it leaves an account below its limit; further spending is then refused).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Generic

from rules.ledger.errors import DuplicateKey, InvalidAmount, ReversalRefused, UnknownTransaction
from rules.ledger.limits import check_transaction_limits
from rules.ledger.transactions import AccountId, K, Transaction, reverse, same_content
from rules.ledger.units import Q


class Ledger(Generic[Q, K]):
    """Append-only transactions of one unit with running balances.

    ``limits`` maps accounts to their lowest allowed balance; ``default_limit`` applies to accounts
    not in ``limits`` (``None``: unlimited). ``exempt`` accounts (such as the time bank's own
    issuing account) are never limited. ``names`` gives people's names for refusal messages.
    """

    def __init__(
        self,
        unit: type[Q],
        *,
        limits: Mapping[AccountId, Q] | None = None,
        default_limit: Q | None = None,
        exempt: frozenset[AccountId] = frozenset(),
        names: Mapping[AccountId, str] | None = None,
    ) -> None:
        self.unit = unit
        self.limits: dict[AccountId, Q] = dict(limits or {})
        self.default_limit = default_limit
        self.exempt = exempt
        self.names: dict[AccountId, str] = dict(names or {})
        self._transactions: list[Transaction[Q, K]] = []
        self._by_key: dict[str, Transaction[Q, K]] = {}
        self._reversed: set[str] = set()
        self._balances: dict[AccountId, int] = {}
        for value in [*self.limits.values(), default_limit]:
            if value is not None and value.units > 0:
                raise InvalidAmount(f"A debit limit must be zero or negative, not {value}.")

    def limit_for(self, account: AccountId) -> Q | None:
        if account in self.exempt:
            return None
        return self.limits.get(account, self.default_limit)

    def balance(self, account: AccountId) -> Q:
        return self.unit(self._balances.get(account, 0))

    def balances(self) -> dict[AccountId, Q]:
        return {account: self.unit(units) for account, units in self._balances.items()}

    @property
    def transactions(self) -> tuple[Transaction[Q, K], ...]:
        return tuple(self._transactions)

    def __iter__(self) -> Iterator[Transaction[Q, K]]:
        return iter(self._transactions)

    def __len__(self) -> int:
        return len(self._transactions)

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def get(self, key: str) -> Transaction[Q, K]:
        try:
            return self._by_key[key]
        except KeyError:
            raise UnknownTransaction(f"There is no transaction '{key}' in this ledger.") from None

    def is_reversed(self, key: str) -> bool:
        return key in self._reversed

    def post(self, txn: Transaction[Q, K]) -> Transaction[Q, K]:
        """Append ``txn`` (validated on construction) or refuse it with a readable error."""
        if txn.unit is not self.unit:
            raise InvalidAmount(
                f"This ledger counts {self.unit.__name__}; transaction '{txn.key}' is in "
                f"{txn.unit.__name__}."
            )
        existing = self._by_key.get(txn.key)
        if existing is not None:
            if same_content(existing, txn):
                return existing
            raise DuplicateKey(
                f"Idempotency key '{txn.key}' was already used for a different transaction."
            )
        if txn.reverses is not None:
            original = self._by_key.get(txn.reverses)
            if original is None:
                raise UnknownTransaction(
                    f"Reversal '{txn.key}' reverses '{txn.reverses}', which is not in the ledger."
                )
            if original.reverses is not None:
                raise ReversalRefused(
                    f"Transaction '{original.key}' is itself a reversal and cannot be reversed."
                )
            if original.key in self._reversed:
                raise ReversalRefused(f"Transaction '{original.key}' has already been reversed.")
            if same_content(reverse(original, "check", txn.key, txn.effective), txn) is False:
                raise ReversalRefused(
                    f"Reversal '{txn.key}' does not exactly undo '{original.key}'; "
                    "build it with reverse()."
                )
        else:
            check_transaction_limits(
                txn,
                self.balance,
                self.limit_for,
                lambda account: self.names.get(account, str(account)),
            )
        self._transactions.append(txn)
        self._by_key[txn.key] = txn
        if txn.reverses is not None:
            self._reversed.add(txn.reverses)
        for p in txn.postings:
            self._balances[p.account] = self._balances.get(p.account, 0) + p.amount.units
        return txn

    def reverse(
        self, key: str, reason: str, new_key: str, effective: date | None = None
    ) -> Transaction[Q, K]:
        """Build and post the reversal of transaction ``key``."""
        original = self.get(key)
        if new_key in self._by_key:
            existing = self._by_key[new_key]
            if existing.reverses == key:
                return existing  # a retried request: idempotent
        return self.post(
            reverse(original, reason, new_key, effective, reversed_keys=self._reversed)
        )
