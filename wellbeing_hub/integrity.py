"""The data a council must be able to trust, checked in one place.

Each check is a named function that returns a list of problems (one readable line each; empty when
sound). :func:`run_checks` runs them all inside one read-only transaction, so on PostgreSQL they see
one snapshot even while the site is writing (no false alarms from a payment committed between two
reads). ``manage.py check_integrity`` and ``wellbeing-hub check`` print the problems and exit
non-zero; ``restore`` runs the same checks on what it restored.

What is checked:

* **budget-ledger** - the budget accounts' money ledger: every transaction balances to zero with at
  least two non-zero postings, no idempotency key is used twice, each reversal exactly undoes one
  original that is not itself a reversal, all balances together add up to zero
  (:func:`rules.ledger.check_ledger`), and each transaction moves money into or out of its own
  budget account and no other budget account. There is no cached balance in budgets: a budget
  account's balance is always the sum of its postings.
* **budget-ledger-audit** - the postings are as they were written (append-only): every transaction
  has the audit record written with it, and the amount that record names is the amount its
  postings move. A consistent edit of both postings of a payment still balances; this is what
  catches it.
* **timebank-ledger** - the time bank's minutes ledger (:func:`timebank.selectors.ledger_problems`):
  the same rules, plus each account's cached balance equals the sum of its postings.
* **timebank-exchanges** - each confirmed exchange's ledger entry moves exactly its minutes from
  the receiver to the giver.
* **audit-trail** - each audit event's digest (``accounts.services.audit_problems``), when this
  version of the accounts app has it; otherwise the check says it was skipped.

The checks read through the apps' selectors and services where those exist. Budgets has no read of
the whole ledger (its selectors work one account at a time), so this module reads the budget
ledger's tables itself, read-only, in three queries; likewise exchanges and postings of the time
bank for ``timebank-exchanges``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction


class CheckSkipped(Exception):
    """A check that cannot run in this version (it says why); not a problem with the data."""


@dataclass(frozen=True)
class Check:
    name: str
    description: str
    run: Callable[[], list[str]]


@dataclass
class CheckResult:
    name: str
    description: str
    problems: list[str] = field(default_factory=list)
    skipped: str = ""

    @property
    def passed(self) -> bool:
        return not self.problems


# --- budget accounts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _BudgetTxn:
    pk: int
    key: str
    account_id: int
    kind: str
    effective: object
    memo: str
    reverses_key: str | None
    postings: tuple[tuple[int, str, int], ...]  # (posting id, ledger account, pence)


def _budget_transactions() -> list[_BudgetTxn]:
    """Every budget-ledger transaction with its postings, read straight from the tables (read-only;
    budgets has no selector for the whole ledger)."""
    from budgets.models import LedgerPosting, LedgerTransaction

    postings: defaultdict[int, list[tuple[int, str, int]]] = defaultdict(list)
    for pk, txn_id, account, pence in (
        LedgerPosting.objects.order_by("id")
        .values_list("id", "transaction_id", "ledger_account", "amount_pence")
        .iterator(chunk_size=5000)
    ):
        postings[txn_id].append((pk, account, pence))
    rows = list(
        LedgerTransaction.objects.order_by("id").values_list(
            "id", "key", "account_id", "kind", "effective", "memo", "reverses_id"
        )
    )
    keys = {pk: key for pk, key, *_ in rows}
    return [
        _BudgetTxn(
            pk,
            key,
            account_id,
            kind,
            effective,
            memo,
            keys.get(reverses) if reverses else None,
            tuple(postings.get(pk, ())),
        )
        for pk, key, account_id, kind, effective, memo, reverses in rows
    ]


def _budget_ledger_id(account_id: int) -> str:
    return f"budget:{account_id}"


def check_budget_ledger() -> list[str]:
    from rules import ledger

    txns = _budget_transactions()
    problems: list[str] = []
    as_rules = []
    for txn in txns:
        try:
            kind: Any = ledger.MoneyKind(txn.kind)
        except ValueError:
            kind = txn.kind  # check_ledger reports a kind that money transactions may not have
        as_rules.append(
            ledger.Transaction.unchecked(
                txn.key,
                kind,
                tuple(ledger.Posting(a, ledger.Money(p)) for _pk, a, p in txn.postings),
                txn.effective,  # type: ignore[arg-type]
                txn.memo,
                txn.reverses_key,
            )
        )
    problems.extend(v.message for v in ledger.check_ledger(as_rules))
    for txn in txns:
        own = _budget_ledger_id(txn.account_id)
        budget_accounts = [a for _pk, a, _p in txn.postings if a.startswith("budget:")]
        if own not in budget_accounts:
            problems.append(
                f"Transaction '{txn.key}' belongs to budget account {txn.account_id} but has no "
                f"posting on it."
            )
        for other in sorted(set(budget_accounts) - {own}):
            problems.append(
                f"Transaction '{txn.key}' belongs to budget account {txn.account_id} but has a "
                f"posting on {other}."
            )
    return problems


_AMOUNT = re.compile(r"£[0-9,]+\.[0-9]{2}")


def check_budget_ledger_audit() -> list[str]:
    from accounts.models import AuditEvent
    from budgets.models import LedgerTransaction
    from rules import ledger

    label = LedgerTransaction._meta.label_lower
    summaries: dict[str, str] = dict(
        AuditEvent.objects.filter(object_type=label, action=AuditEvent.Action.CREATE)
        .order_by("id")
        .values_list("object_id", "summary")
    )
    problems: list[str] = []
    for txn in _budget_transactions():
        summary = summaries.get(str(txn.pk))
        if summary is None:
            problems.append(
                f"Transaction '{txn.key}' has no audit record of its creation (it was not "
                f"written by the application)."
            )
            continue
        if txn.kind == "reversal":
            continue  # its record names the reason, not an amount; check_ledger matches it
        own = _budget_ledger_id(txn.account_id)
        moved = sum(abs(p) for _pk, a, p in txn.postings if a == own)
        audited = _AMOUNT.findall(summary)
        if audited and audited[0] != str(ledger.Money(moved)):
            problems.append(
                f"Transaction '{txn.key}' moves {ledger.Money(moved)} but its audit record says "
                f"{audited[0]}: a posting was changed after it was written."
            )
    return problems


# --- time bank -----------------------------------------------------------------------------------


def check_timebank_ledger() -> list[str]:
    from timebank import selectors

    return list(selectors.ledger_problems())


def check_timebank_exchanges() -> list[str]:
    """Each confirmed exchange's entry moves its minutes from receiver to giver (models read
    read-only: the time bank has no selector that pairs exchanges with their postings)."""
    from timebank.models import Account, Exchange, Posting

    account_of = dict(Account.objects.filter(member__isnull=False).values_list("member_id", "pk"))
    postings: defaultdict[int, dict[int, int]] = defaultdict(dict)
    for txn_id, account_id, minutes in Posting.objects.values_list(
        "transaction_id", "account_id", "minutes"
    ).iterator(chunk_size=5000):
        postings[txn_id][account_id] = minutes
    problems = []
    for pk, giver, receiver, minutes, txn_id, key in (
        Exchange.objects.filter(transaction__isnull=False)
        .order_by("id")
        .values_list(
            "pk", "giver_id", "receiver_id", "minutes", "transaction_id", "transaction__key"
        )
    ):
        expected = {account_of.get(giver): minutes, account_of.get(receiver): -minutes}
        if postings.get(txn_id, {}) != expected:
            problems.append(
                f"Exchange {pk} is for {minutes} minutes, but its ledger entry '{key}' does not "
                f"move exactly that from the receiver to the giver."
            )
    return problems


# --- audit trail ---------------------------------------------------------------------------------


def check_audit_trail() -> list[str]:
    from accounts import services

    audit_problems = getattr(services, "audit_problems", None)
    if audit_problems is None:
        raise CheckSkipped(
            "this version of the accounts app cannot verify audit digests "
            "(accounts.services.audit_problems is missing)"
        )
    return list(audit_problems())


CHECKS: list[Check] = [
    Check(
        "budget-ledger",
        "budget accounts: every transaction balances, keys once, reversals exact, total zero",
        check_budget_ledger,
    ),
    Check(
        "budget-ledger-audit",
        "budget accounts: postings unchanged since written (match their audit records)",
        check_budget_ledger_audit,
    ),
    Check(
        "timebank-ledger",
        "time bank: every transaction balances, cached balances equal their postings",
        check_timebank_ledger,
    ),
    Check(
        "timebank-exchanges",
        "time bank: each confirmed exchange moved exactly its minutes",
        check_timebank_exchanges,
    ),
    Check("audit-trail", "audit trail: every event's digest verifies", check_audit_trail),
]


def _run_one(check: Check) -> CheckResult:
    result = CheckResult(check.name, check.description)
    try:
        result.problems = check.run()
    except CheckSkipped as skipped:
        result.skipped = str(skipped)
    return result


def run_checks(checks: list[Check] | None = None) -> list[CheckResult]:
    """Run ``checks`` (all of them by default) on one consistent, read-only view of the data."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                # The first statement of the transaction: every check then reads the same snapshot.
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return [_run_one(check) for check in (CHECKS if checks is None else checks)]


def report_lines(results: list[CheckResult]) -> tuple[list[str], int]:
    """Lines for people (one per problem) and the number of problems."""
    lines: list[str] = []
    count = 0
    for result in results:
        if result.skipped:
            lines.append(f"SKIPPED {result.name}: {result.skipped}")
        elif result.passed:
            lines.append(f"ok      {result.name}: {result.description}")
        else:
            count += len(result.problems)
            lines.extend(f"PROBLEM {result.name}: {problem}" for problem in result.problems)
    return lines, count
