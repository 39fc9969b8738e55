"""Budget accounts, the ledger: opening an account, recording money in and out (safe to
retry), and correcting an entry with a reversal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.http import HttpRequest

from accounts.models import User
from accounts.services import record_audit
from budgets import access
from budgets.models import (
    BudgetAccount,
    LedgerPosting,
    LedgerTransaction,
    SupportPlan,
)
from budgets.services._common import (
    MAX_TRANSACTION,
    Action,
    BudgetsError,
    check_money,
    valid_key,
)
from budgets.services.plans import _lock_plan, plan_totals
from rules import ledger

ALLOCATION_WEEKS = 4
COUNCIL = "council"


def _person_ledger(account: BudgetAccount) -> str:
    return f"person:{account.person_id}"


def provider_ledger(payee: str) -> str:
    slug = "".join(ch if ch.isalnum() else "-" for ch in payee.lower()).strip("-")
    return f"provider:{slug[:80] or 'unnamed'}"


@transaction.atomic
def open_account(
    *,
    plan: SupportPlan,
    actor: User,
    kind: str,
    period_start: dt.date,
    period_end: dt.date | None = None,
    request: HttpRequest | None = None,
) -> BudgetAccount:
    """Open the budget account for an agreed plan, and allocate the council's first four weeks."""
    plan = _lock_plan(plan)
    access.require(
        access.can_open_account(actor, plan),
        "Only a broker, support planner or commissioner working with the person opens their "
        "budget account.",
    )
    if plan.status != SupportPlan.Status.APPROVED:
        raise BudgetsError("The plan must be agreed before its budget account is opened.")
    if BudgetAccount.objects.filter(plan=plan).exists():
        return plan.account
    if kind not in BudgetAccount.Kind.values:
        raise BudgetsError("Choose a direct payment or a managed account", field="kind")
    end = period_end or (period_start + dt.timedelta(days=364))
    if end <= period_start:
        raise BudgetsError("The period must end after it starts", field="period_end")
    account = BudgetAccount.objects.create(
        person=plan.person,
        plan=plan,
        kind=kind,
        period_start=period_start,
        period_end=end,
        opened_by=actor,
    )
    record_audit(
        actor=actor,
        action=Action.CREATE,
        target=account,
        subject=plan.person,
        summary=f"Opened a budget account ({account.get_kind_display()})",
        request=request,
    )
    council = plan_totals(plan).council_weekly * ALLOCATION_WEEKS
    if council > 0:
        post(
            account=account,
            actor=actor,
            kind="allocation",
            amount=council,
            effective=period_start,
            key=f"account-{account.pk}-first-allocation",
            memo=f"Council's share for the first {ALLOCATION_WEEKS} weeks",
            request=request,
        )
    return account


def to_rules(txn: LedgerTransaction) -> ledger.MoneyTransaction:
    postings = tuple(
        ledger.Posting(p.ledger_account, ledger.Money(p.amount_pence))
        for p in sorted(txn.postings.all(), key=lambda p: p.pk)
    )
    return ledger.Transaction.unchecked(
        txn.key,
        ledger.MoneyKind(txn.kind),
        postings,
        txn.effective,
        txn.memo,
        txn.reverses.key if txn.reverses is not None else None,
    )


def account_balance_pence(account: BudgetAccount) -> int:
    total = LedgerPosting.objects.filter(ledger_account=account.ledger_id).aggregate(
        total=Sum("amount_pence")
    )["total"]
    return int(total or 0)


def _store(
    account: BudgetAccount,
    txn: ledger.MoneyTransaction,
    actor: User,
    payee: str,
    reverses: LedgerTransaction | None = None,
) -> LedgerTransaction:
    row = LedgerTransaction.objects.create(
        key=txn.key,
        account=account,
        kind=str(txn.kind),
        effective=txn.effective,
        memo=txn.memo[:300],
        payee=payee[:250],
        reverses=reverses,
        created_by=actor,
    )
    LedgerPosting.objects.bulk_create(
        [
            LedgerPosting(
                transaction=row, ledger_account=str(p.account), amount_pence=p.amount.units
            )
            for p in txn.postings
        ]
    )
    return row


def _existing(key: str, proposed: ledger.MoneyTransaction) -> LedgerTransaction | None:
    """The stored transaction with this key if it says the same thing (a retry); raises if the key
    was used for something else."""
    found: LedgerTransaction | None = (
        LedgerTransaction.objects.filter(key=key)
        .select_related("reverses")
        .prefetch_related("postings")
        .first()
    )
    if found is None:
        return None
    if not ledger.same_content(to_rules(found), proposed):
        raise BudgetsError(
            "This form was already used to record something different. Reload the page and "
            "try again."
        )
    return found


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def check_in_period(account: BudgetAccount, effective: dt.date) -> None:
    """Money moves only while the account is open: from its first to its last day, inclusive."""
    if not account.period_start <= effective <= account.period_end:
        raise BudgetsError(
            f"The date must be between {long_date(account.period_start)} and "
            f"{long_date(account.period_end)}, while this account is open",
            field="effective",
        )


@dataclass(frozen=True)
class Posted:
    transaction: LedgerTransaction
    created: bool


def post(
    *,
    account: BudgetAccount,
    actor: User,
    kind: str,
    amount: Decimal,
    effective: dt.date,
    key: str,
    payee: str = "",
    memo: str = "",
    request: HttpRequest | None = None,
) -> Posted:
    """Record money moving into or out of a budget account. Safe to retry: the same ``key`` with
    the same content returns the first record and changes nothing. The account row is locked while
    its balance is checked, so two payments cannot both spend the same pounds."""
    access.require(
        access.can_view_account(actor, account) and access.can_record(actor, account, kind),
        "You cannot record this on this account.",
    )
    amount = check_money(
        amount, field="amount", label="Amount", minimum=Decimal("0.01"), maximum=MAX_TRANSACTION
    )
    try:
        money = ledger.Money.from_pounds(amount)
    except ledger.LedgerError as error:
        raise BudgetsError(error.message, field="amount") from None
    if money.units <= 0:
        raise BudgetsError("Enter an amount more than £0", field="amount")
    if not valid_key(key):
        raise BudgetsError("This form has expired. Reload the page and try again.")
    check_in_period(account, effective)
    budget = account.ledger_id
    person = _person_ledger(account)
    kinds = ledger.MoneyKind
    if kind == kinds.ALLOCATION:
        source, destination = COUNCIL, budget
    elif kind == kinds.CONTRIBUTION:
        source, destination = person, budget
    elif kind in (kinds.PROVIDER_PAYMENT, kinds.REFUND):
        if not payee.strip():
            raise BudgetsError("Say who was paid", field="payee")
        provider = provider_ledger(payee)
        source, destination = (
            (budget, provider) if kind == kinds.PROVIDER_PAYMENT else (provider, budget)
        )
    else:
        raise BudgetsError("Choose what kind of money this is", field="kind")
    proposed = ledger.transfer(
        key, kinds(kind), source, destination, money, effective, memo.strip()[:250]
    )
    for _attempt in range(2):
        try:
            with transaction.atomic():
                locked = BudgetAccount.objects.select_for_update().get(pk=account.pk)
                found = _existing(key, proposed)
                if found is not None:
                    return Posted(found, False)
                if kind == kinds.PROVIDER_PAYMENT:
                    try:
                        ledger.check_debit_limit(
                            ledger.Money(account_balance_pence(locked)),
                            -money,
                            ledger.Money(0),
                            name="the budget account",
                        )
                    except ledger.DebitLimitExceeded:
                        raise BudgetsError(
                            f"There is not enough money in the account to pay {money}. "
                            f"The balance is {ledger.Money(account_balance_pence(locked))}.",
                            field="amount",
                        ) from None
                row = _store(locked, proposed, actor, payee.strip())
                record_audit(
                    actor=actor,
                    action=Action.CREATE,
                    target=row,
                    subject=account.person,
                    summary=f"{kinds(kind).value.replace('_', ' ').capitalize()}: {money}"
                    + (f" to {payee.strip()[:60]}" if kind == kinds.PROVIDER_PAYMENT else ""),
                    request=request,
                )
                return Posted(row, True)
        except IntegrityError:
            # The same key was stored by a concurrent request between our check and insert (it
            # holds another account's lock): look again, and return it if it is the same.
            continue
    found = _existing(key, proposed)
    if found is None:
        raise BudgetsError("This could not be recorded. Try again.")
    return Posted(found, False)


def reverse_transaction(
    *,
    account: BudgetAccount,
    actor: User,
    original_key: str,
    reason: str,
    key: str,
    below_zero_reason: str = "",
    request: HttpRequest | None = None,
) -> Posted:
    """Correct a mistake with a reversal: a new transaction that exactly undoes the original.

    Who may correct an entry follows who may record that kind of entry (only staff record the
    council's money, so only staff reverse it). A correction that would leave the account below
    £0 is refused unless a practitioner who reaches the person says why (``below_zero_reason``,
    kept in the audit trail)."""
    access.require(access.can_view_account(actor, account), "You cannot correct this account.")
    if not reason.strip():
        raise BudgetsError("Say why this is being corrected", field="reason")
    if not valid_key(key):
        raise BudgetsError("This form has expired. Reload the page and try again.")
    for _attempt in range(2):
        try:
            with transaction.atomic():
                BudgetAccount.objects.select_for_update().get(pk=account.pk)
                original = (
                    LedgerTransaction.objects.filter(account=account, key=original_key)
                    .select_related("reverses")
                    .prefetch_related("postings")
                    .first()
                )
                if original is None:
                    raise BudgetsError("There is no such record on this account.")
                access.require(
                    access.can_correct(actor, account, original.kind),
                    "Only someone who may record this kind of entry may correct it.",
                )
                already = set(
                    LedgerTransaction.objects.filter(
                        account=account, reverses__isnull=False
                    ).values_list("reverses__key", flat=True)
                )
                existing = LedgerTransaction.objects.filter(key=key).first()
                if existing is not None:
                    if existing.reverses_id == original.pk:
                        return Posted(existing, False)
                    raise BudgetsError("This form was already used. Reload the page.")
                try:
                    proposed = ledger.reverse(
                        to_rules(original),
                        reason,
                        key,
                        None,
                        reversed_keys=already,
                    )
                except ledger.LedgerError as error:
                    raise BudgetsError(error.message) from None
                change = sum(
                    p.amount.units for p in proposed.postings if p.account == account.ledger_id
                )
                after = account_balance_pence(account) + change
                why = " ".join(below_zero_reason.split())[:250]
                if change < 0 and after < 0:
                    shown = ledger.Money(after)
                    if not access.practitioner_for(actor, account.person_id):
                        raise BudgetsError(
                            f"This correction would take the account below £0 (to {shown}). "
                            "Ask the person's broker: only a practitioner can allow that, "
                            "with a reason.",
                            field="reason",
                        )
                    if not why:
                        raise BudgetsError(
                            f"This correction would take the account below £0 (to {shown}). "
                            "Say why the account may go below £0",
                            field="below_zero_reason",
                        )
                row = _store(account, proposed, actor, original.payee, reverses=original)
                record_audit(
                    actor=actor,
                    action=Action.CREATE,
                    target=row,
                    subject=account.person,
                    summary=f"Corrected (reversed) '{original.memo or original.kind}': "
                    f"{reason.strip()[:100]}"
                    + (
                        f". Below £0 ({ledger.Money(after)}) because: {why}"
                        if change < 0 and after < 0
                        else ""
                    ),
                    request=request,
                )
                return Posted(row, True)
        except IntegrityError:
            continue
    raise BudgetsError("This could not be recorded. Try again.")
