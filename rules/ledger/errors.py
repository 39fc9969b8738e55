"""Domain errors raised by the ledger rules.

Every error carries ``message``: a sentence a member of staff or the public can read as it stands
("This would take Sam's balance to -11 hours 30 minutes; the limit is -10 hours."). Views can show
``str(error)`` directly; code that needs to branch uses the subclass.
"""

from __future__ import annotations


class LedgerError(ValueError):
    """Base class for every refusal by the ledger rules."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidAmount(LedgerError):
    """An amount is not a whole number of the unit (pence or minutes), or is the wrong sign."""


class InvalidTransaction(LedgerError):
    """A transaction breaks a double-entry rule (zero amount, repeated account, unbalanced)."""


class ReversalRefused(LedgerError):
    """A reversal cannot be made: the original is itself a reversal or was reversed already."""


class DuplicateKey(LedgerError):
    """An idempotency key was reused for a different transaction."""


class UnknownTransaction(LedgerError):
    """A transaction referred to (for example by a reversal) is not in the ledger."""


class DebitLimitExceeded(LedgerError):
    """A transfer would take an account below the lowest balance it is allowed."""

    def __init__(
        self, message: str, *, account: object, limit: object, new_balance: object
    ) -> None:
        super().__init__(message)
        self.account = account
        self.limit = limit
        self.new_balance = new_balance
