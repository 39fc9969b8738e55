"""Double-entry, append-only ledger rules for budget accounts (money) and time banks (time).

Pure Python, no Django. One generic core (``Transaction[Q, K]``) parameterised by the unit:
``Money`` (whole pence, built from ``Decimal`` pounds) or ``Minutes``. See ``transactions`` for the
sign convention and ``balances.project_spend`` for the over/under-spend rule.
"""

from rules.ledger.balances import (
    SpendProjection,
    SpendStatus,
    Statement,
    StatementLine,
    balance,
    balances,
    month_periods,
    monthly_statements,
    posting_balances,
    project_spend,
    statement,
)
from rules.ledger.book import Ledger
from rules.ledger.errors import (
    DebitLimitExceeded,
    DuplicateKey,
    InvalidAmount,
    InvalidTransaction,
    LedgerError,
    ReversalRefused,
    UnknownTransaction,
)
from rules.ledger.formatting import format_date, format_minutes, format_minutes_short, format_pence
from rules.ledger.invariants import Violation, ViolationCode, check_ledger
from rules.ledger.limits import check_debit_limit, check_transaction_limits
from rules.ledger.transactions import (
    AccountId,
    Entry,
    Posting,
    Transaction,
    make_transaction,
    reverse,
    same_content,
    transaction_problems,
    transfer,
)
from rules.ledger.units import Minutes, Money, MoneyKind, Quantity, TimeKind

MoneyTransaction = Transaction[Money, MoneyKind]
TimeTransaction = Transaction[Minutes, TimeKind]
MoneyLedger = Ledger[Money, MoneyKind]
TimeLedger = Ledger[Minutes, TimeKind]

__all__ = [
    "AccountId",
    "DebitLimitExceeded",
    "DuplicateKey",
    "Entry",
    "InvalidAmount",
    "InvalidTransaction",
    "Ledger",
    "LedgerError",
    "Minutes",
    "Money",
    "MoneyKind",
    "MoneyLedger",
    "MoneyTransaction",
    "Posting",
    "Quantity",
    "ReversalRefused",
    "SpendProjection",
    "SpendStatus",
    "Statement",
    "StatementLine",
    "TimeKind",
    "TimeLedger",
    "TimeTransaction",
    "Transaction",
    "UnknownTransaction",
    "Violation",
    "ViolationCode",
    "balance",
    "balances",
    "check_debit_limit",
    "check_ledger",
    "check_transaction_limits",
    "format_date",
    "format_minutes",
    "format_minutes_short",
    "format_pence",
    "make_transaction",
    "month_periods",
    "monthly_statements",
    "posting_balances",
    "project_spend",
    "reverse",
    "same_content",
    "statement",
    "transaction_problems",
    "transfer",
]
