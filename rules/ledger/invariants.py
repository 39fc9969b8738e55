"""Audit a whole ledger: every rule that must hold across its transactions.

``check_ledger`` never raises for a broken ledger; it lists what is wrong, so tests, benchmarks and
a nightly job can report every problem at once. An empty list means the ledger is sound.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from rules.ledger.transactions import K, Transaction, transaction_problems
from rules.ledger.units import Q


class ViolationCode(StrEnum):
    INVALID_TRANSACTION = "invalid_transaction"
    """A transaction breaks a rule on its own (does not sum to zero, zero amount, ...)."""
    DUPLICATE_KEY = "duplicate_key"
    MISSING_ORIGINAL = "missing_original"
    """A reversal refers to a transaction that is not in the ledger."""
    REVERSED_TWICE = "reversed_twice"
    REVERSAL_OF_REVERSAL = "reversal_of_reversal"
    REVERSAL_MISMATCH = "reversal_mismatch"
    """A reversal's postings are not exactly the original's, negated."""
    MIXED_UNITS = "mixed_units"
    NONZERO_TOTAL = "nonzero_total"
    """The balances of all accounts together do not add up to zero."""


@dataclass(frozen=True, slots=True)
class Violation:
    code: ViolationCode
    key: str | None
    message: str


def check_ledger(transactions: Iterable[Transaction[Q, K]]) -> list[Violation]:
    """Every violation in ``transactions`` (in a stable order); empty when the ledger is sound."""
    txns = list(transactions)
    violations: list[Violation] = []
    by_key: dict[str, Transaction[Q, K]] = {}
    counts = Counter(t.key for t in txns)
    units = {type(p.amount) for t in txns for p in t.postings}
    if len(units) > 1:
        names = ", ".join(sorted(u.__name__ for u in units))
        violations.append(
            Violation(ViolationCode.MIXED_UNITS, None, f"The ledger mixes units: {names}.")
        )
    for txn in txns:
        for problem in transaction_problems(txn):
            violations.append(
                Violation(ViolationCode.INVALID_TRANSACTION, txn.key, problem.message)
            )
        by_key.setdefault(txn.key, txn)
    for key, count in sorted(counts.items(), key=lambda kv: str(kv[0])):
        if count > 1:
            violations.append(
                Violation(
                    ViolationCode.DUPLICATE_KEY,
                    key,
                    f"Idempotency key '{key}' is used by {count} transactions.",
                )
            )
    reversals_of: Counter[str] = Counter()
    for txn in txns:
        if txn.reverses is None:
            continue
        reversals_of[txn.reverses] += 1
        original = by_key.get(txn.reverses)
        if original is None:
            violations.append(
                Violation(
                    ViolationCode.MISSING_ORIGINAL,
                    txn.key,
                    f"Reversal '{txn.key}' reverses '{txn.reverses}', which is not in the ledger.",
                )
            )
            continue
        if original.reverses is not None:
            violations.append(
                Violation(
                    ViolationCode.REVERSAL_OF_REVERSAL,
                    txn.key,
                    f"Reversal '{txn.key}' reverses '{original.key}', which is itself a reversal.",
                )
            )
        expected = Counter((p.account, -p.amount.units) for p in original.postings)
        actual = Counter((p.account, p.amount.units) for p in txn.postings)
        if expected != actual:
            violations.append(
                Violation(
                    ViolationCode.REVERSAL_MISMATCH,
                    txn.key,
                    f"Reversal '{txn.key}' does not exactly undo '{original.key}'.",
                )
            )
    for key, count in sorted(reversals_of.items(), key=lambda kv: str(kv[0])):
        if count > 1:
            violations.append(
                Violation(
                    ViolationCode.REVERSED_TWICE,
                    key,
                    f"Transaction '{key}' is reversed {count} times.",
                )
            )
    total = sum(p.amount.units for t in txns for p in t.postings)
    if total != 0:
        shown = f"{next(iter(units))(total)}" if len(units) == 1 else str(total)
        violations.append(
            Violation(
                ViolationCode.NONZERO_TOTAL,
                None,
                f"The balances of all accounts add up to {shown}, not zero.",
            )
        )
    return violations
