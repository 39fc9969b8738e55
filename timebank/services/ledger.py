"""Accounts and the ledger: every movement of time (exchanges, joining credits, time credits,
corrections) goes through here.

**Ledger and concurrency.** Time moves only through :func:`_post`, which

1. locks the accounts it touches with ``SELECT … FOR NO KEY UPDATE``, always in primary-key order,
   so two exchanges sharing members queue instead of deadlocking;
2. builds the transaction with :mod:`rules.ledger` (balanced, no zero amounts) and checks debit
   limits against the locked balances with :func:`rules.ledger.check_transaction_limits`;
3. inserts the transaction (unique idempotency key) and its postings, and updates each account's
   cached ``balance`` in the same database transaction.

So the cached balances always equal the sums of postings, and the sum of all balances is zero.
A retried or duplicated submission carries the same idempotency key: the unique constraint on
:class:`Exchange.idempotency_key` (and on :class:`LedgerTransaction.key`) makes the second one find
the first instead of recording it twice, even when both arrive at the same moment. An entry
posted again with its key is the same entry only with the same content, as the ledger rules
compare it (:func:`rules.ledger.same_content`: kind, effective date, postings, reversed entry).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import AuditEvent, User
from rules.ledger import (
    AccountId,
    DebitLimitExceeded,
    InvalidTransaction,
    LedgerError,
    Minutes,
    TimeKind,
    Transaction,
    check_transaction_limits,
    same_content,
)
from rules.ledger import Posting as LedgerPosting
from timebank.models import Account, Exchange, LedgerTransaction, Member, Posting
from timebank.services._common import TimebankRefused, _column, _prepared_cursor


def default_debit_limit() -> int:
    """The lowest balance a person may reach (settings.TIMEBANK_DEBIT_LIMIT_MINUTES, default -10
    hours), so a family in crisis can receive help before giving any."""
    value = int(settings.TIMEBANK_DEBIT_LIMIT_MINUTES)
    return min(value, 0)


def issuer_account() -> Account:
    account = Account.objects.filter(is_issuer=True).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return Account.objects.create(is_issuer=True)
    except IntegrityError:
        return Account.objects.get(is_issuer=True)


def account_for(member: Member) -> Account:
    account, _ = Account.objects.get_or_create(member=member)
    return account


def limit_for(account: Account) -> int | None:
    """An account's lowest allowed balance in minutes, or ``None`` when it is not limited.

    The time bank's own account and organisations' accounts are not limited: they issue time
    credits, so their balances go below zero by what they issued.
    """
    if account.is_issuer:
        return None
    member = account.member
    if member is not None and member.is_organisation:
        return None
    return account.debit_limit if account.debit_limit is not None else default_debit_limit()


def _name_of(account: Account) -> str:
    if account.is_issuer:
        return "The time bank"
    assert account.member is not None, "every account but the time bank's own is a member's"
    return account.member.name


def _as_rules(row: LedgerTransaction) -> Transaction[Minutes, TimeKind]:
    """A stored entry as the pure ledger rules see it (to compare a retry with it)."""
    postings = row.postings.select_related("account").order_by("account_id")
    return Transaction.unchecked(
        row.key,
        TimeKind(row.kind),
        tuple(LedgerPosting(p.account.ledger_id, Minutes(p.minutes)) for p in postings),
        row.effective,
        row.memo,
        row.reverses.key if row.reverses is not None else None,
    )


def _post(
    *,
    key: str,
    kind: str,
    amounts: Mapping[Account, int],
    effective: date,
    memo: str,
    by: User | None,
    reverses: LedgerTransaction | None = None,
    check_limits: bool = True,
    locked: bool = False,
    exchange: Exchange | None = None,
    audit: AuditEvent | None = None,
) -> LedgerTransaction:
    """Append one balanced transaction (see the module docstring). Call inside ``atomic``.

    ``locked``: the caller has just locked the ``amounts`` accounts and knows ``key`` is new
    (its own unique row guards it), so they are used as they are; the unique key still refuses
    a second transaction with the same key.

    ``exchange``: a new exchange (not saved yet) to insert with the transaction, pointing at it,
    and its ``audit`` record (naming it); on PostgreSQL in the same statement.
    """
    by_id = {account.pk: minutes for account, minutes in amounts.items()}
    ids = sorted(by_id)
    if locked:
        rows = {a.pk: a for a in amounts}
    else:
        existing = LedgerTransaction.objects.filter(key=key).first()
        if existing is not None:
            # A retry is the same entry only with the same kind, effective date, postings and
            # reversed entry: the ledger rules' own comparison (rules.ledger.same_content).
            retry = Transaction.unchecked(
                key,
                TimeKind(kind),
                tuple(LedgerPosting(a.ledger_id, Minutes(m)) for a, m in amounts.items()),
                effective,
                memo,
                reverses.key if reverses is not None else None,
            )
            if same_content(_as_rules(existing), retry):
                return existing
            raise TimebankRefused(f"The reference '{key}' was already used for a different entry.")
        rows = {
            a.pk: a
            for a in Account.objects.select_for_update(no_key=True, of=("self",))
            .select_related("member")
            .filter(pk__in=ids)
            .order_by("pk")
        }
    try:
        txn = Transaction(
            key,
            TimeKind(kind),
            tuple(LedgerPosting(rows[pk].ledger_id, Minutes(by_id[pk])) for pk in ids),
            effective,
            memo,
            reverses=reverses.key if reverses is not None else None,
        )
        if check_limits:
            by_ledger: dict[AccountId, Account] = {rows[pk].ledger_id: rows[pk] for pk in ids}
            check_transaction_limits(
                txn,
                {lid: Minutes(a.balance) for lid, a in by_ledger.items()},
                lambda lid: (
                    None if (limit := limit_for(by_ledger[lid])) is None else Minutes(limit)
                ),
                {lid: _name_of(a) for lid, a in by_ledger.items()},
            )
    except DebitLimitExceeded as error:
        raise TimebankRefused(
            f"{error.message} Ask the coordinator if the limit should be changed."
        ) from error
    except (LedgerError, InvalidTransaction) as error:
        raise TimebankRefused(error.message) from error
    row = LedgerTransaction(
        key=key, kind=kind, effective=effective, memo=memo[:300], reverses=reverses, created_by=by
    )
    write_entry(row, [(pk, by_id[pk]) for pk in ids], exchange, audit)
    for pk in ids:
        rows[pk].balance += by_id[pk]
    return row


def write_entry(
    row: LedgerTransaction,
    amounts: list[tuple[int, int]],
    exchange: Exchange | None = None,
    audit: AuditEvent | None = None,
    *,
    one_statement: bool | None = None,
) -> None:
    """Insert the ledger entry ``row`` with its postings (``(account id, minutes)``), add them to
    the accounts' cached balances and insert ``exchange`` and its ``audit`` record with it.

    Two ways, the same effect: on PostgreSQL one statement (:func:`_insert_entry_in_one_statement`,
    the hot path of every exchange), elsewhere separate statements (:func:`_insert_entry_in_steps`).
    ``one_statement`` chooses explicitly (PostgreSQL can run both);
    ``timebank/tests/test_one_rule.py`` runs both on the same generated entries and demands the
    same postings and balances. Call under the accounts' row locks, inside ``atomic``.
    """
    if one_statement is None:
        one_statement = connection.vendor == "postgresql"
    if one_statement:
        _insert_entry_in_one_statement(row, amounts, exchange, audit)
    else:
        _insert_entry_in_steps(row, amounts, exchange, audit)


def _insert_entry_in_steps(
    row: LedgerTransaction,
    amounts: list[tuple[int, int]],
    exchange: Exchange | None = None,
    audit: AuditEvent | None = None,
) -> None:
    """Any database: the steps of :func:`_insert_entry_in_one_statement` as separate statements."""
    row.save(force_insert=True)
    _insert_postings(row.pk, amounts)
    if exchange is not None:
        exchange.transaction = row
        exchange.save(force_insert=True)
        if audit is not None:
            audit.object_id = str(exchange.pk)
            audit.save(force_insert=True)


def _insert_entry_in_one_statement(
    row: LedgerTransaction,
    amounts: list[tuple[int, int]],
    exchange: Exchange | None = None,
    audit: AuditEvent | None = None,
) -> None:
    """PostgreSQL: insert the transaction ``row``, its postings, add them to the accounts' cached
    balances and, given one, insert the new ``exchange`` pointing at the transaction and its
    ``audit`` record (from :func:`accounts.services.audit_event`, naming the new exchange), in one
    statement (data-modifying ``WITH``; one round trip instead of five).

    Same effect as ``row.save()``, :func:`_insert_postings`, ``exchange.save()`` and
    ``audit.save()``: the unique keys, the foreign keys and the check constraints are enforced as
    for separate statements (a repeated key fails the whole statement), and the balances are
    updated relative to the stored values under the caller's row locks.
    """
    sql, entry_fields, exchange_fields, audit_fields = _entry_statement(
        len(amounts), exchange is not None, audit is not None
    )
    row.created_at = timezone.now()
    params = [f.get_db_prep_save(getattr(row, f.attname), connection) for f in entry_fields]
    params += [v for a, m in amounts for v in (a, m)]
    params += [v for a, m in amounts for v in (a, m)]
    params += [a for a, _ in amounts]
    if exchange is not None:
        params += [
            f.get_db_prep_save(f.pre_save(exchange, add=True), connection) for f in exchange_fields
        ]
    if audit is not None:
        params += [
            f.get_db_prep_save(f.pre_save(audit, add=True), connection) for f in audit_fields
        ]
    with _prepared_cursor() as cursor:
        cursor.execute(sql, params)
        row.pk, updated, exchange_id = cursor.fetchone()
    row._state.adding = False
    row._state.db = connection.alias
    # One balance updated per posting: fewer means an account is gone. The postings' foreign key
    # would say so only at commit (Django's are deferred), after the balances had been written.
    if updated != len(amounts):
        raise IntegrityError("An account of the transaction is missing.")
    if exchange is not None:
        exchange.pk = exchange_id
        exchange.transaction = row
        exchange._state.adding = False
        exchange._state.db = connection.alias
    if audit is not None:
        audit.object_id = str(exchange_id)
        # Saved, though its own id is not read back: as after ``audit.save()``, saving it again
        # is refused (the trail is append-only), not a second insert.
        audit._state.adding = False
        audit._state.db = connection.alias


@functools.cache
def _entry_statement(
    postings: int, with_exchange: bool, with_audit: bool
) -> tuple[str, list[Any], list[Any], list[Any]]:
    """The SQL of :func:`_insert_entry_in_one_statement` (PostgreSQL) and the fields whose values
    it takes, in order: built once from the models' metadata."""
    # Table and column names come from the models' metadata; every value is a parameter.
    qn = connection.ops.quote_name
    entry, posting, account = LedgerTransaction._meta, Posting._meta, Account._meta
    names = ("key", "kind", "effective", "memo", "reverses", "created_at", "created_by")
    entry_fields = [entry.get_field(name) for name in names]
    entry_columns = ", ".join(_column(f) for f in entry_fields)
    posting_columns = ", ".join(
        _column(posting.get_field(name)) for name in ("transaction", "account", "minutes")
    )
    table, pk, balance = (
        qn(account.db_table),
        _column(account.pk),
        _column(account.get_field("balance")),
    )
    values = ", ".join(["(%s::bigint, %s::integer)"] * postings)
    cases = " ".join(["WHEN %s THEN %s"] * postings)
    where = ", ".join(["%s"] * postings)
    placeholders = ", ".join(["%s"] * len(entry_fields))
    sql = (
        f"WITH entry AS (INSERT INTO {qn(entry.db_table)} ({entry_columns}) "  # noqa: S608
        f"VALUES ({placeholders}) RETURNING {_column(entry.pk)} AS id), "
        f"postings AS (INSERT INTO {qn(posting.db_table)} ({posting_columns}) "
        f"SELECT entry.id, v.account, v.minutes FROM entry, (VALUES {values}) AS v(account, minutes)), "
        f"balances AS (UPDATE {table} SET {balance} = {balance} + CASE {pk} {cases} END "
        f"WHERE {pk} IN ({where}) RETURNING {pk}) "
    )
    exchange_fields: list[Any] = []
    audit_fields: list[Any] = []
    if not with_exchange:
        sql += "SELECT entry.id, (SELECT count(*) FROM balances), NULL FROM entry"
        return sql, entry_fields, exchange_fields, audit_fields
    meta = Exchange._meta
    linked = meta.get_field("transaction")
    exchange_fields = [f for f in meta.concrete_fields if f is not meta.pk and f is not linked]
    columns = ", ".join(_column(f) for f in [*exchange_fields, linked])
    sql += (
        f", exchange AS (INSERT INTO {qn(meta.db_table)} ({columns}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(exchange_fields))}, (SELECT id FROM entry)) "
        f"RETURNING {_column(meta.pk)} AS id) "
    )
    if with_audit:
        audit_meta = AuditEvent._meta
        named = audit_meta.get_field("object_id")
        audit_fields = [f for f in audit_meta.concrete_fields if f not in (audit_meta.pk, named)]
        sql += (
            f", audit AS (INSERT INTO {qn(audit_meta.db_table)} "  # noqa: S608
            f"({', '.join(_column(f) for f in [*audit_fields, named])}) "
            f"VALUES ({', '.join(['%s'] * len(audit_fields))}, (SELECT id::text FROM exchange))) "
        )
    sql += "SELECT entry.id, (SELECT count(*) FROM balances), exchange.id FROM entry, exchange"
    return sql, entry_fields, exchange_fields, audit_fields


def _insert_postings(transaction_id: int, amounts: list[tuple[int, int]]) -> None:
    """Insert the postings and add them to the accounts' cached balances: one INSERT and one
    UPDATE, written out as SQL because this is the hot path of every exchange (the ORM's
    bulk_create and bulk_update cost more to build than the statements cost to run).

    The balance is updated relative to the stored value (``balance + minutes``) under the row lock
    the caller holds, so it always equals the sum of the account's postings.
    """
    # Table and column names come from the models' metadata; every value is a parameter.
    qn = connection.ops.quote_name
    posting, account = Posting._meta, Account._meta
    table, pk, balance = (
        qn(account.db_table),
        _column(account.pk),
        _column(account.get_field("balance")),
    )
    columns = ", ".join(
        _column(posting.get_field(name)) for name in ("transaction", "account", "minutes")
    )
    rows = ", ".join(["(%s, %s, %s)"] * len(amounts))
    cases = " ".join(["WHEN %s THEN %s"] * len(amounts))
    where = ", ".join(["%s"] * len(amounts))
    insert = f"INSERT INTO {qn(posting.db_table)} ({columns}) VALUES {rows}"  # noqa: S608
    update = (
        f"UPDATE {table} SET {balance} = {balance} + CASE {pk} {cases} END WHERE {pk} IN ({where})"  # noqa: S608
    )
    with connection.cursor() as cursor:
        cursor.execute(insert, [v for a, m in amounts for v in (transaction_id, a, m)])
        cursor.execute(update, [v for a, m in amounts for v in (a, m)] + [a for a, _ in amounts])
        # Fewer rows than postings: an account is gone (the foreign key is checked at commit).
        if cursor.rowcount != len(amounts):
            raise IntegrityError("An account of the transaction is missing.")


def _reverse(*, original: LedgerTransaction, reason: str, by: User) -> LedgerTransaction:
    if original.kind == LedgerTransaction.Kind.REVERSAL:
        raise TimebankRefused("A correction cannot itself be reversed; record the time again.")
    if not reason.strip():
        raise TimebankRefused("Enter the reason for the correction.")
    already = LedgerTransaction.objects.filter(reverses=original).first()
    if already is not None:
        return already
    amounts = {p.account: -p.minutes for p in original.postings.select_related("account__member")}
    try:
        with transaction.atomic():
            return _post(
                key=f"reversal:{original.key}",
                kind=LedgerTransaction.Kind.REVERSAL,
                amounts=amounts,
                effective=timezone.localdate(),
                memo=f"Correction of '{original.key}': {reason.strip()}",
                by=by,
                reverses=original,
                check_limits=False,  # a correction must always be possible
            )
    except IntegrityError:
        return LedgerTransaction.objects.get(reverses=original)
