"""Every write in the time bank: one transactional, audited function per use case.

Each refusal raises :class:`TimebankRefused` with a sentence the person can read.

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
the first instead of recording it twice, even when both arrive at the same moment.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import logging
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.roles import Role
from accounts.services import audit_event, record_audit
from directory import selectors as directory_selectors
from directory.models import Neighbourhood, TaxonomyTerm
from rules.ledger import (
    DebitLimitExceeded,
    InvalidTransaction,
    LedgerError,
    Minutes,
    TimeKind,
    Transaction,
    check_transaction_limits,
    format_minutes,
)
from rules.ledger import (
    Posting as LedgerPosting,
)
from rules.timebank import (
    ExchangeRecord,
    ExchangeSlot,
    ExchangeStatus,
    RotaPlan,
    Slot,
    SlotOverlap,
    TimebankError,
    WeeklyCommitment,
    check_no_overlap,
    plan_rota,
    reminders_due,
)
from rules.timebank import (
    RotaAssignment as RuleAssignment,
)
from timebank.models import (
    AVAILABILITY_CHOICES,
    WEEKDAY_NAMES,
    Account,
    ApiToken,
    Exchange,
    LedgerTransaction,
    Member,
    Offer,
    Posting,
    ReminderSent,
    Request,
    Rota,
    RotaAssignment,
    RotaSlot,
    RotaVisit,
    SafeguardingCheck,
)
from timebank.permissions import (
    acts_for,
    is_coordinator,
    may_close_request,
    may_hold_api_token,
    may_issue_credits,
    may_record_credits_spent,
    may_record_rota_visits,
    may_revoke_token,
    may_see_exchange,
)
from wellbeing_hub.notifications import notify, send_now

logger = logging.getLogger(__name__)

MAX_EXCHANGE_MINUTES = 24 * 60
"""One exchange lasts at most a day; longer help is several exchanges (or a rota)."""
MAX_CREDIT_MINUTES = 1000 * 60
"""Time credits issued or spent in one entry: at most 1000 hours (a posting is a 32-bit integer)."""
EXPIRY_WARNING_DAYS = 30
"""Coordinators are told this many days before a safeguarding check expires."""
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2099, 12, 31)
"""Every date the time bank stores (exchanges, checks, rotas, report periods) lies in this range.
Dates such as 1 January of year 1 or 31 December 9999 are typing mistakes, and arithmetic on them
(a day either side, a time zone) would leave what Python's dates can hold."""
DATE_RANGE_TEXT = "between 1 January 1900 and 31 December 2099"
API_TOKEN_DAYS = 90
"""How long a new API token lasts unless ``settings.TIMEBANK_API_TOKEN_DAYS`` says otherwise."""
TOKEN_LAST_USED_PRECISION = timedelta(minutes=5)
"""A token's "last used" time is written at most this often (not on every API request)."""


class TimebankRefused(Exception):
    """A request the time bank refuses, with a message for the person who made it.

    ``field``: the input the refusal is about, when there is one (the JSON API names it).
    """

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def date_in_range(day: date) -> bool:
    return EARLIEST_DATE <= day <= LATEST_DATE


def _require_date_in_range(day: date, what: str, *, field: str = "") -> None:
    if not date_in_range(day):
        raise TimebankRefused(f"{what} must be {DATE_RANGE_TEXT}.", field=field)


_NOT_ALLOWED_CHARACTERS = re.compile("[\x00\ud800-\udfff]")


def has_forbidden_characters(text: str) -> bool:
    """NUL bytes (PostgreSQL cannot store them) and lone surrogates (not valid Unicode text)."""
    return bool(_NOT_ALLOWED_CHARACTERS.search(text))


# --- settings ------------------------------------------------------------------------------------


def joining_credit_minutes() -> int:
    """Minutes credited on approval (settings.TIMEBANK_JOINING_CREDIT_MINUTES, default 5 hours)."""
    return int(settings.TIMEBANK_JOINING_CREDIT_MINUTES)


def default_debit_limit() -> int:
    """The lowest balance a person may reach (settings.TIMEBANK_DEBIT_LIMIT_MINUTES, default -10
    hours), so a family in crisis can receive help before giving any."""
    value = int(settings.TIMEBANK_DEBIT_LIMIT_MINUTES)
    return min(value, 0)


def _require_coordinator(user: User) -> None:
    if not is_coordinator(user):
        raise TimebankRefused("Only a time bank coordinator can do this.")


_acts_for = acts_for


# --- statements run for every exchange --------------------------------------------------------


def _prepared_cursor() -> Any:
    """A cursor for the few statements every exchange runs (token, locks, overlap, ledger entry).

    On PostgreSQL (psycopg 3) its parameters are bound by the server and each statement is
    prepared on the connection the first time it runs, so PostgreSQL parses and plans it once per
    connection instead of once per exchange. It is still Django's cursor wrapper (errors,
    logging, execute wrappers); the other queries keep Django's client-side binding. Elsewhere
    it is Django's usual cursor. (Behind a pooler in transaction mode, such as PgBouncer before
    1.21, prepared statements need the pooler's support for them.)
    """
    if connection.vendor != "postgresql" or _PreparingCursor is None:
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # psycopg prepares nothing while the threshold is None (Django's default); out of reach,
        # it prepares only what is asked for: these statements, not every query run 5 times.
        raw.prepare_threshold = _NEVER_BY_ITSELF
    with connection.wrap_database_errors:
        return connection._prepare_cursor(_PreparingCursor(raw))


_NEVER_BY_ITSELF = 2**62


def _preparing_cursor_class() -> Any:
    try:
        from django.db.backends.postgresql.psycopg_any import is_psycopg3
    except ImportError:  # pragma: no cover - no PostgreSQL driver installed
        return None
    if not is_psycopg3:  # pragma: no cover - psycopg2: Django's usual cursor
        return None
    import psycopg

    class PreparingCursor(psycopg.Cursor):  # type: ignore[type-arg]
        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            return super().execute(query, params, prepare=True)

    return PreparingCursor


_PreparingCursor = _preparing_cursor_class()


# --- accounts and the ledger ---------------------------------------------------------------------


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
    return "The time bank" if account.is_issuer else account.member.name  # type: ignore[union-attr]


def _same_postings(txn: LedgerTransaction, amounts: Mapping[int, int]) -> bool:
    stored = {p.account_id: p.minutes for p in txn.postings.all()}
    return stored == dict(amounts)


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
            if existing.kind == kind and _same_postings(existing, by_id):
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
            by_ledger = {rows[pk].ledger_id: rows[pk] for pk in ids}
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
    if updated != len(amounts):  # pragma: no cover - the accounts are locked
        raise IntegrityError("An account of the transaction is missing.")
    if exchange is not None:
        exchange.pk = exchange_id
        exchange.transaction = row
        exchange._state.adding = False
        exchange._state.db = connection.alias
    if audit is not None:
        audit.object_id = str(exchange_id)
        audit._state.db = connection.alias  # saved, though its own id is not read back


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
    entry_columns = ", ".join(qn(f.column) for f in entry_fields)
    posting_columns = ", ".join(
        qn(posting.get_field(name).column) for name in ("transaction", "account", "minutes")
    )
    table, pk, balance = (
        qn(account.db_table),
        qn(account.pk.column),
        qn(account.get_field("balance").column),
    )
    values = ", ".join(["(%s::bigint, %s::integer)"] * postings)
    cases = " ".join(["WHEN %s THEN %s"] * postings)
    where = ", ".join(["%s"] * postings)
    placeholders = ", ".join(["%s"] * len(entry_fields))
    sql = (
        f"WITH entry AS (INSERT INTO {qn(entry.db_table)} ({entry_columns}) "  # noqa: S608
        f"VALUES ({placeholders}) RETURNING {qn(entry.pk.column)} AS id), "
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
    columns = ", ".join(qn(f.column) for f in [*exchange_fields, linked])
    sql += (
        f", exchange AS (INSERT INTO {qn(meta.db_table)} ({columns}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(exchange_fields))}, (SELECT id FROM entry)) "
        f"RETURNING {qn(meta.pk.column)} AS id) "
    )
    if with_audit:
        audit_meta = AuditEvent._meta
        named = audit_meta.get_field("object_id")
        audit_fields = [f for f in audit_meta.concrete_fields if f not in (audit_meta.pk, named)]
        sql += (
            f", audit AS (INSERT INTO {qn(audit_meta.db_table)} "  # noqa: S608
            f"({', '.join(qn(f.column) for f in [*audit_fields, named])}) "
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
        qn(account.pk.column),
        qn(account.get_field("balance").column),
    )
    columns = ", ".join(
        qn(posting.get_field(name).column) for name in ("transaction", "account", "minutes")
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
        if cursor.rowcount != len(amounts):  # pragma: no cover - the accounts are locked
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


# --- joining and approval ------------------------------------------------------------------------


def _clean_availability(codes: Iterable[str]) -> list[str]:
    allowed = {code for code, _ in AVAILABILITY_CHOICES}
    chosen = [c for c in codes if c in allowed]
    return sorted(set(chosen), key=[c for c, _ in AVAILABILITY_CHOICES].index)


@transaction.atomic
def apply_to_join(
    *,
    user: User,
    kind: str = Member.Kind.PERSON,
    name: str = "",
    neighbourhood: Neighbourhood | None = None,
    about: str = "",
    access_needs: str = "",
    availability: Iterable[str] = (),
    request: HttpRequest | None = None,
) -> Member:
    if Member.objects.filter(user=user).exists():
        raise TimebankRefused("You have already applied to join the time bank.")
    if kind not in Member.Kind.values:
        raise TimebankRefused("Choose whether you are joining as a person or an organisation.")
    member = Member.objects.create(
        user=user,
        kind=kind,
        name=(name or user.get_full_name()).strip()[:150],
        neighbourhood=neighbourhood,
        about=about,
        access_needs=access_needs,
        availability=_clean_availability(availability),
    )
    Account.objects.create(member=member)
    record_audit(
        actor=user,
        action=AuditEvent.Action.CREATE,
        target=member,
        subject=user,
        summary="Applied to join the time bank",
        request=request,
    )
    _notify_coordinators(
        "New time bank application", f"{member.name} has applied to join the time bank."
    )
    return member


@transaction.atomic
def approve_member(
    *, coordinator: User, member: Member, request: HttpRequest | None = None
) -> Member:
    """Approve an application and credit the joining hours from the time bank's own account."""
    _require_coordinator(coordinator)
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.status == Member.Status.APPROVED:
        return member
    if member.user_id == coordinator.pk:
        raise TimebankRefused("Another coordinator must approve your own application.")
    member.status = Member.Status.APPROVED
    member.approved_at = timezone.now()
    member.approved_by = coordinator
    member.save(update_fields=["status", "approved_at", "approved_by"])
    account = account_for(member)
    credit = joining_credit_minutes()
    if credit > 0:
        _post(
            key=f"joining:{member.pk}",
            kind=LedgerTransaction.Kind.JOINING_CREDIT,
            amounts={issuer_account(): -credit, account: credit},
            effective=timezone.localdate(),
            memo=f"Joining credit: {format_minutes(credit)}",
            by=coordinator,
        )
    record_audit(
        actor=coordinator,
        action=AuditEvent.Action.UPDATE,
        target=member,
        subject=member.user,
        summary="Approved as a time bank member",
        request=request,
    )
    _notify(
        "You are now a time bank member",
        f"Welcome to the time bank, {member.name}. "
        f"We have added {format_minutes(credit)} to your account to get you started.",
        [member.user.email],
        "timebank_membership",
    )
    return member


@transaction.atomic
def decline_member(
    *, coordinator: User, member: Member, reason: str, request: HttpRequest | None = None
) -> Member:
    _require_coordinator(coordinator)
    if member.status != Member.Status.APPLIED:
        raise TimebankRefused("Only an application that is waiting can be declined.")
    member.status = Member.Status.DECLINED
    member.save(update_fields=["status"])
    record_audit(
        actor=coordinator,
        action=AuditEvent.Action.UPDATE,
        target=member,
        subject=member.user,
        summary=f"Application not approved: {reason}"[:300],
        request=request,
    )
    _notify(
        "Your application to join the time bank",
        f"{member.name}, your application to join the time bank was not approved.\n\n"
        f"The reason: {reason.strip()}\n\nIf you have questions, contact the time bank "
        "coordinator or apply again when things change.",
        [member.user.email],
        "timebank_membership",
    )
    return member


@transaction.atomic
def set_debit_limit(*, coordinator: User, member: Member, minutes: int | None) -> Account:
    _require_coordinator(coordinator)
    if member.is_organisation:
        raise TimebankRefused(
            f"{member.name} is an organisation. Organisations' accounts have no debit limit: "
            "they issue time credits."
        )
    if minutes is not None and minutes > 0:
        raise TimebankRefused("A debit limit is the lowest balance allowed: zero or below.")
    account = account_for(member)
    account.debit_limit = minutes
    account.save(update_fields=["debit_limit"])
    record_audit(
        actor=coordinator,
        action=AuditEvent.Action.UPDATE,
        target=account,
        subject=member.user,
        summary=f"Debit limit set to {'the default' if minutes is None else format_minutes(minutes)}",
    )
    return account


@transaction.atomic
def record_check(
    *,
    coordinator: User,
    member: Member,
    kind: str,
    checked_on: date,
    expires_on: date | None = None,
    notes: str = "",
    request: HttpRequest | None = None,
) -> SafeguardingCheck:
    _require_coordinator(coordinator)
    if kind not in SafeguardingCheck.Kind.values:
        raise TimebankRefused("Choose the kind of check.", field="kind")
    _require_date_in_range(checked_on, "The date of the check", field="checked_on")
    if expires_on is not None:
        _require_date_in_range(expires_on, "The renewal date", field="expires_on")
    if checked_on > timezone.localdate():
        raise TimebankRefused(
            "The date of the check must be today or in the past.", field="checked_on"
        )
    if expires_on is not None and expires_on <= checked_on:
        raise TimebankRefused(
            "The check must expire after the date it was made.", field="expires_on"
        )
    if kind != SafeguardingCheck.Kind.REFERENCE and expires_on is None:
        raise TimebankRefused("Enter when the DBS check should be renewed.", field="expires_on")
    check = SafeguardingCheck.objects.create(
        member=member,
        kind=kind,
        checked_on=checked_on,
        expires_on=expires_on,
        notes=notes,
        recorded_by=coordinator,
    )
    record_audit(
        actor=coordinator,
        action=AuditEvent.Action.CREATE,
        target=check,
        subject=member.user,
        summary=f"Recorded a safeguarding check: {check.get_kind_display()}",
        request=request,
    )
    return check


def dbs_valid_until(member: Member, on: date) -> date | None:
    """The last day ``member``'s DBS checks cover, counting checks made by ``on`` (or None)."""
    best: date | None = None
    for check in member.checks.all():
        if not check.is_dbs or check.checked_on > on or check.expires_on is None:
            continue
        if best is None or check.expires_on > best:
            best = check.expires_on
    return best


def _require_check(member: Member, on: date, activity: str) -> None:
    until = dbs_valid_until(member, on)
    if until is None or until < on:
        raise TimebankRefused(
            f"{member.name} does not have a valid DBS check on {on:%-d %B %Y}, and "
            f"'{activity}' needs one. A coordinator can record the check first."
        )


# --- offers and requests -------------------------------------------------------------------------


def _require_approved(member: Member | None, who: str = "You") -> Member:
    if member is None:
        raise TimebankRefused(f"{who} must join the time bank first.")
    if not member.is_approved:
        name = "You are" if who == "You" else f"{member.name} is"
        raise TimebankRefused(f"{name} not an approved member of the time bank yet.")
    return member


@transaction.atomic
def create_offer(
    *,
    member: Member,
    title: str,
    category: TaxonomyTerm | None,
    details: str = "",
    neighbourhood: Neighbourhood | None = None,
) -> Offer:
    _require_approved(member)
    offer = Offer.objects.create(
        member=member,
        title=title,
        category=category,
        details=details,
        neighbourhood=neighbourhood or member.neighbourhood,
    )
    record_audit(
        actor=member.user,
        action=AuditEvent.Action.CREATE,
        target=offer,
        subject=member.user,
        summary=f"Offered '{title}'"[:300],
    )
    return offer


@transaction.atomic
def create_request(
    *,
    member: Member,
    title: str,
    category: TaxonomyTerm | None,
    details: str = "",
    access_needs: str = "",
    neighbourhood: Neighbourhood | None = None,
    times: Iterable[str] = (),
    needs_check: bool = False,
    minutes_per_week: int | None = None,
    from_support_plan: bool = False,
    by: User | None = None,
    offer: Offer | None = None,
) -> Request:
    """Open a request for help. ``offer``: the request asks for that offer ("Ask for this"); its
    member is emailed that someone asked."""
    if not from_support_plan:
        _require_approved(member)
    if minutes_per_week is not None and minutes_per_week <= 0:
        raise TimebankRefused("The time needed each week must be more than zero.")
    req = Request.objects.create(
        member=member,
        title=title,
        category=category,
        details=details,
        access_needs=access_needs,
        neighbourhood=neighbourhood or member.neighbourhood,
        times=_clean_availability(times),
        needs_check=needs_check,
        minutes_per_week=minutes_per_week,
        from_support_plan=from_support_plan,
    )
    record_audit(
        actor=by or member.user,
        action=AuditEvent.Action.CREATE,
        target=req,
        subject=member.user,
        summary=f"Asked for help: '{title}'"[:300],
    )
    if offer is not None and offer.member_id != member.pk and offer.member.user.email:
        _notify(
            f"{member.name} asked for your offer: {offer.title}",
            f"{member.name} asked for '{offer.title}'. Sign in to the time bank and open "
            f"{_link('timebank:request', req.pk)} to see their request and arrange the help.",
            [offer.member.user.email],
            "timebank_requests",
        )
    return req


def tell_coordinators_unmatched(req: Request) -> None:
    """Email the coordinators that nobody is suggested for ``req`` yet, so they look for someone
    (what the request page tells its requester happens next)."""
    _notify_coordinators(
        f"A request nobody matches yet: {req.title}",
        f"{req.member.name} asked for help ('{req.title}') and nobody is suggested for it yet. "
        f"Open {_link('timebank:request', req.pk)} to find someone who can help.",
    )


def _link(name: str, *args: Any) -> str:
    """An absolute link to a time bank page for an email (``settings.SITE_URL`` when set)."""
    from django.urls import reverse

    return f"{getattr(settings, 'SITE_URL', '').rstrip('/')}{reverse(name, args=args)}"


def request_for_plan(
    *,
    person: User,
    category: TaxonomyTerm | None,
    minutes_per_week: int,
    title: str,
    details: str = "",
    by: User | None = None,
) -> Request:
    """For support plans (budgets app): ask the time bank for ``minutes_per_week`` of help.

    If ``person`` is not a member yet, an application is made for them (a coordinator still
    approves it before anyone is suggested to help). Returns the open :class:`Request`; pair it
    with :func:`timebank.selectors.confirmed_minutes` to show hours received beside paid support.
    """
    with transaction.atomic():
        member = Member.objects.filter(user=person).first()
        if member is None:
            member = apply_to_join(user=person, about="Referred from a support plan.")
        return create_request(
            member=member,
            title=title,
            category=category,
            details=details,
            minutes_per_week=minutes_per_week,
            from_support_plan=True,
            by=by,
        )


@transaction.atomic
def close_request(*, by: User, req: Request) -> Request:
    if not may_close_request(by, req):
        raise TimebankRefused("Only the member who asked, or a coordinator, can close a request.")
    req.status = Request.Status.CLOSED
    req.save(update_fields=["status"])
    return req


# --- exchanges -----------------------------------------------------------------------------------


def _exchange_record(x: Exchange) -> ExchangeRecord:
    return ExchangeRecord(
        x.pk,
        x.giver_id,
        x.receiver_id,
        x.start,
        x.minutes,
        ExchangeStatus.CONFIRMED
        if x.status == Exchange.Status.CONFIRMED
        else ExchangeStatus.CANCELLED,
    )


class _AlreadyRecorded(Exception):
    """Raised inside the transaction when a concurrent duplicate won the race."""


def _converted(model: type[Any], names: tuple[str, ...], values: Iterable[Any]) -> list[Any]:
    """Values of ``model``'s fields ``names`` read with a plain cursor, converted as the ORM
    converts them (on SQLite, for example, dates and times arrive as text)."""
    key = (connection.vendor, model._meta.label, names)
    converters = _CONVERTERS.get(key)
    if converters is None:
        converters = []
        for i, name in enumerate(names):
            field = model._meta.get_field(name)
            column = field.get_col(model._meta.db_table)
            found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
            if found:
                converters.append((i, column, found))
        _CONVERTERS[key] = converters
    row = list(values)
    for i, column, found in converters:
        for convert in found:
            row[i] = convert(row[i], column, connection)
    return row


_CONVERTERS: dict[tuple[str, str, tuple[str, ...]], list[tuple[int, Any, list[Any]]]] = {}

_ACCOUNT_FIELDS = ("id", "member_id", "is_issuer", "balance", "debit_limit")
_MEMBER_FIELDS = ("id", "user_id", "kind", "name", "status")
"""What an exchange needs of the accounts and members it locks (in the models' field order)."""


def _lock_members(giver_id: int, receiver_id: int, *, retry: bool = True) -> dict[int, Account]:
    """Lock the two members' accounts (``FOR NO KEY UPDATE``, in key order) and read the members'
    current rows with them, in one statement; the accounts by member id, each with its member.

    Everything checked about the members afterwards (approved, names, organisation or person) is
    read under the lock. Refuses when a member does not exist.
    """
    with _prepared_cursor() as cursor:
        cursor.execute(_lock_statement(connection.vendor), [giver_id, receiver_id])
        rows = cursor.fetchall()
    if len(rows) < len({giver_id, receiver_id}):
        found = Member.objects.in_bulk([giver_id, receiver_id])
        if len(found) < len({giver_id, receiver_id}) or not retry:
            raise TimebankRefused("There is no such member.")
        for member in found.values():  # an account missing (made before accounts existed)
            account_for(member)
        return _lock_members(giver_id, receiver_id, retry=False)
    accounts = {}
    split = len(_ACCOUNT_FIELDS)
    for row in rows:
        account = Account.from_db(
            connection.alias, _ACCOUNT_FIELDS, _converted(Account, _ACCOUNT_FIELDS, row[:split])
        )
        member = Member.from_db(
            connection.alias, _MEMBER_FIELDS, _converted(Member, _MEMBER_FIELDS, row[split:])
        )
        account.member = member
        accounts[member.pk] = account
    return accounts


@functools.cache
def _lock_statement(vendor: str) -> str:
    """The SQL of :func:`_lock_members` for this database, built once from the models' metadata."""
    # Table and column names come from the models' metadata; every value is a parameter.
    qn = connection.ops.quote_name
    a_meta, m_meta = Account._meta, Member._meta
    columns = ", ".join(
        [f"a.{qn(a_meta.get_field(n).column)}" for n in _ACCOUNT_FIELDS]
        + [f"m.{qn(m_meta.get_field(n).column)}" for n in _MEMBER_FIELDS]
    )
    sql = (
        f"SELECT {columns} FROM {qn(a_meta.db_table)} a "  # noqa: S608
        f"JOIN {qn(m_meta.db_table)} m ON m.{qn(m_meta.pk.column)} = "
        f"a.{qn(a_meta.get_field('member').column)} "
        f"WHERE a.{qn(a_meta.get_field('member').column)} IN (%s, %s) "
        f"ORDER BY a.{qn(a_meta.pk.column)}"
    )
    features = connection.features
    if features.has_select_for_no_key_update and features.has_select_for_update_of:
        sql += " FOR NO KEY UPDATE OF a"
    elif features.has_select_for_update:  # pragma: no cover - not PostgreSQL or SQLite
        sql += " FOR UPDATE"
    return sql


_OVERLAP_FIELDS = ("id", "idempotency_key", "giver_id", "receiver_id", "start", "minutes", "status")


def _check_overlap(exchange: Exchange) -> None:
    """Refuse if giver or receiver already has a confirmed exchange at an overlapping time."""
    end = exchange.start + timedelta(minutes=exchange.minutes)
    window_start = exchange.start - timedelta(minutes=MAX_EXCHANGE_MINUTES)
    members = [exchange.giver_id, exchange.receiver_id]
    prep = Exchange._meta.get_field("start").get_db_prep_value
    params: list[Any] = [
        *members,
        *members,
        Exchange.Status.CONFIRMED.value,
        prep(end, connection),
        prep(window_start, connection),
    ]
    if exchange.pk is not None:
        params.append(exchange.pk)
    with _prepared_cursor() as cursor:
        cursor.execute(_overlap_statement(connection.vendor, exchange.pk is not None), params)
        rows = [_converted(Exchange, _OVERLAP_FIELDS, row) for row in cursor.fetchall()]
    if any(key == exchange.idempotency_key for _, key, *_ in rows):
        raise _AlreadyRecorded  # the same submission, confirmed meanwhile by another request
    if not rows:
        return
    nearby = [
        ExchangeRecord(
            pk,
            giver_id,
            receiver_id,
            at,
            minutes,
            ExchangeStatus.CONFIRMED
            if status == Exchange.Status.CONFIRMED
            else ExchangeStatus.CANCELLED,
        )
        for pk, _, giver_id, receiver_id, at, minutes, status in rows
    ]
    for member in (exchange.giver, exchange.receiver):
        try:
            check_no_overlap(
                ExchangeSlot(member.pk, exchange.start, end),
                nearby,
                name=member.name,
                ignore_id=exchange.pk,
            )
        except SlotOverlap as error:
            raise TimebankRefused(error.message) from error


@functools.cache
def _overlap_statement(vendor: str, saved: bool) -> str:
    """The SQL of :func:`_check_overlap` (``saved``: leaving out the exchange itself), built once.

    Written out as SQL (this runs, under both accounts' locks, for every exchange) for:
    ``Exchange.objects.filter(Q(giver_id__in=members) | Q(receiver_id__in=members),
    status=CONFIRMED, start__lt=end, start__gt=window_start).exclude(pk=exchange.pk)``.
    """
    # Table and column names come from the model's metadata; every value is a parameter.
    qn = connection.ops.quote_name
    meta = Exchange._meta
    pk, giver, receiver, status, start = (
        qn(meta.get_field(name).column) for name in ("id", "giver", "receiver", "status", "start")
    )
    columns = ", ".join(qn(meta.get_field(name).column) for name in _OVERLAP_FIELDS)
    sql = (
        f"SELECT {columns} FROM {qn(meta.db_table)} "  # noqa: S608
        f"WHERE ({giver} IN (%s, %s) OR {receiver} IN (%s, %s)) AND {status} = %s "
        f"AND {start} < %s AND {start} > %s"
    )
    if saved:
        sql += f" AND {pk} <> %s"
    return sql + f" ORDER BY {start} DESC, {pk} DESC"  # the model's ordering


def _validate_terms(*, giver_id: int, receiver_id: int, minutes: Any, start: datetime) -> None:
    """What can be checked of an exchange without reading anything."""
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise TimebankRefused("Enter the time as a whole number of minutes.")
    if minutes <= 0:
        raise TimebankRefused("The time given must be more than zero.")
    if minutes > MAX_EXCHANGE_MINUTES:
        raise TimebankRefused("One exchange can be at most 24 hours; record longer help in parts.")
    if giver_id == receiver_id:
        raise TimebankRefused("An exchange is between two different members.")
    if timezone.is_naive(start):
        raise TimebankRefused("The start time needs a time zone.", field="start")
    _require_date_in_range(start.date(), "The date of the exchange", field="start")


def has_ended(start: datetime, minutes: int, *, now: datetime | None = None) -> bool:
    """Whether help starting at ``start`` for ``minutes`` is over (so its time may be credited)."""
    return start + timedelta(minutes=minutes) <= (now or timezone.now())


def _require_ended(start: datetime, minutes: int) -> None:
    """Time is credited only for help that has happened: an exchange (or a rota slot) may be
    recorded ahead as planned, but confirmed only once it has ended."""
    if not has_ended(start, minutes):
        end = timezone.localtime(start + timedelta(minutes=minutes))
        raise TimebankRefused(
            f"This help ends on {end:%-d %B %Y at %H:%M}; it can be confirmed once the help has "
            "happened. Until then it stays planned.",
            field="start",
        )


def _validate_request(req: Request | None, receiver_id: int) -> None:
    """An exchange may fulfil only an open request of its receiver (the member who asked)."""
    if req is None:
        return
    if req.member_id != receiver_id:
        raise TimebankRefused(
            f"The request '{req.title}' is only for help given to the member who asked for it. "
            "Choose them as the member who received the time, or record the exchange without "
            "the request.",
            field="request",
        )
    if req.status != Request.Status.OPEN:
        raise TimebankRefused(
            f"The request '{req.title}' is no longer open, so an exchange cannot fulfil it.",
            field="request",
        )


def _validate_members(
    *, giver: Member, receiver: Member, start: datetime, req: Request | None
) -> None:
    """The members may exchange: both approved, and a DBS check when the request needs one."""
    for member in (giver, receiver):
        if not member.is_approved:
            raise TimebankRefused(f"{member.name} is not an approved member of the time bank.")
    if req is not None and req.needs_check:
        _require_check(giver, timezone.localdate(start), req.title)


def _same_exchange(
    x: Exchange, giver_id: int, receiver_id: int, minutes: int, start: datetime
) -> bool:
    return (
        x.giver_id == giver_id
        and x.receiver_id == receiver_id
        and x.minutes == minutes
        and x.start == start
    )


def _user_of(member: Member) -> User:
    """The member's user: the one loaded with the member, or a reference by id (enough to name
    them in an audit record without reading the row)."""
    if Member.user.is_cached(member):
        return member.user
    return User.from_db(connection.alias, ("id",), (member.user_id,))


def propose_exchange(**kwargs: Any) -> Exchange:
    """Propose (or, with ``confirm`` by a coordinator, record) an exchange.

    Takes the arguments of :func:`submit_exchange` and returns the exchange.
    """
    return submit_exchange(**kwargs)[0]


def submit_exchange(
    *,
    by: User,
    giver: Member | int,
    receiver: Member | int,
    minutes: int,
    start: datetime,
    idempotency_key: str,
    description: str = "",
    req: Request | None = None,
    category: TaxonomyTerm | None = None,
    confirm: bool = False,
    request: HttpRequest | None = None,
) -> tuple[Exchange, bool]:
    """Propose (or, with ``confirm`` by a coordinator, record and confirm) an exchange; returns
    the exchange and whether this call created it.

    ``giver`` and ``receiver`` are members or their ids (the JSON endpoint passes ids). An exchange
    recorded and confirmed by a coordinator reads the members with their accounts' locks, so
    whether they are approved is checked under the locks, with the overlap and the debit limits.

    Idempotent: the same ``idempotency_key`` with the same content returns the exchange already
    recorded (``False``); with different content it is refused.
    """
    if not idempotency_key or len(idempotency_key) > 100:
        raise TimebankRefused("The form has expired; please try again.")
    giver_id = giver if isinstance(giver, int) else giver.pk
    receiver_id = receiver if isinstance(receiver, int) else receiver.pk
    for pk, name in ((giver_id, "giver"), (receiver_id, "receiver")):
        if isinstance(pk, bool) or not isinstance(pk, int) or not 0 < pk < 2**63:
            raise TimebankRefused("There is no such member.", field=name)
    # No look-up of the key first: the unique key of the exchange (and of its ledger entry) is
    # the check. A repeat ends in IntegrityError (or in the overlap check finding its original),
    # and only then is the exchange already recorded read. Any refusal also looks for it, so a
    # repeat is answered with the original whatever has changed since.
    terms = {
        "idempotency_key": idempotency_key,
        "request": req,
        "category": category or (req.category if req else None),
        "start": start,
        "minutes": minutes,
        "description": description[:300],
        "proposed_by": by,
    }
    try:
        _validate_request(req, receiver_id)
        coordinator = is_coordinator(by)
        if confirm and coordinator:
            _validate_terms(
                giver_id=giver_id, receiver_id=receiver_id, minutes=minutes, start=start
            )
            with transaction.atomic():
                exchange = Exchange(giver_id=giver_id, receiver_id=receiver_id, **terms)
                # Lock, check, then insert the ledger entry, the exchange already confirmed and
                # the audit record.
                _confirm_locked(by=by, exchange=exchange, request=request)
            return exchange, True
        if isinstance(giver, int) or isinstance(receiver, int):
            found = Member.objects.select_related("user").in_bulk([giver_id, receiver_id])
            if giver_id not in found or receiver_id not in found:
                raise TimebankRefused("There is no such member.")
            giver, receiver = found[giver_id], found[receiver_id]
        if not coordinator and not (_acts_for(by, giver) or _acts_for(by, receiver)):
            raise TimebankRefused("You can only record exchanges you took part in.")
        if confirm:  # and not a coordinator
            raise TimebankRefused("The other member confirms the exchange, or a coordinator does.")
        _validate_terms(giver_id=giver_id, receiver_id=receiver_id, minutes=minutes, start=start)
        _validate_members(giver=giver, receiver=receiver, start=start, req=req)
        with transaction.atomic():
            exchange = Exchange(giver=giver, receiver=receiver, **terms)
            exchange.save(force_insert=True)
            _check_overlap(exchange)
            record_audit(
                actor=by,
                action=AuditEvent.Action.CREATE,
                target=exchange,
                subject=(receiver if _acts_for(by, giver) else giver).user,
                summary=f"Proposed an exchange: "
                f"{giver.name} gave {receiver.name} {format_minutes(minutes)}",
                request=request,
            )
    except (IntegrityError, _AlreadyRecorded, TimebankRefused):
        # The same submission was recorded before (or arrived twice at once and the other one
        # was recorded first): answer with it. Otherwise this was a refusal or a real error.
        existing = Exchange.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return _existing_exchange(existing, giver_id, receiver_id, minutes, start), False
    other = receiver if _acts_for(by, giver) else giver
    if req is not None and req.member_id == other.pk:
        # Someone answered this member's request: the request they are waiting on is matched.
        _notify(
            f"Someone can help with your request: {req.title}",
            f"{by.get_full_name()} offered to help with your request '{req.title}': "
            f"{giver.name} gives {receiver.name} {format_minutes(minutes)}. Please sign in to "
            f"the time bank to confirm it: {_link('timebank:request', req.pk)}",
            [other.user.email],
            "timebank_requests",
        )
    else:
        _notify(
            "Please confirm a time bank exchange",
            f"{by.get_full_name()} recorded that {giver.name} gave {receiver.name} "
            f"{format_minutes(minutes)}. Please sign in to confirm it.",
            [other.user.email],
            "timebank_exchanges",
        )
    return exchange, True


def _existing_exchange(
    existing: Exchange, giver_id: int, receiver_id: int, minutes: int, start: datetime
) -> Exchange:
    if _same_exchange(existing, giver_id, receiver_id, minutes, start):
        return existing
    raise TimebankRefused("This reference was already used for a different exchange.")


def _confirm_locked(
    *, by: User, exchange: Exchange, request: HttpRequest | None = None
) -> Exchange:
    """Post the exchange's time and save it confirmed. Inside ``atomic``; the exchange row is
    locked, or not inserted yet (then it is inserted here, with the ledger entry and the audit
    record of its creation)."""
    # Lock both accounts (in key order) before the checks, so two confirmations that involve the
    # same member run one after the other; the members are read with the locks.
    accounts = _lock_members(exchange.giver_id, exchange.receiver_id)
    giver = accounts[exchange.giver_id].member
    receiver = accounts[exchange.receiver_id].member
    if giver is None or receiver is None:  # pragma: no cover - accounts of these members
        raise TimebankRefused("There is no such member.")
    _validate_members(giver=giver, receiver=receiver, start=exchange.start, req=exchange.request)
    _require_ended(exchange.start, exchange.minutes)
    new = exchange.pk is None
    if new:
        exchange.giver, exchange.receiver = giver, receiver
    _check_overlap(exchange)
    exchange.status = Exchange.Status.CONFIRMED
    exchange.confirmed_by = by
    exchange.confirmed_at = timezone.now()
    audit = None
    if new:
        audit = audit_event(
            actor=by,
            action=AuditEvent.Action.CREATE,
            object_type=Exchange._meta.label_lower,  # and the new exchange's id
            subject=_user_of(receiver if _acts_for(by, giver) else giver),
            summary=f"Recorded an exchange: "
            f"{giver.name} gave {receiver.name} {format_minutes(exchange.minutes)}",
            request=request,
        )
    txn = _post(
        key=f"exchange:{exchange.idempotency_key}",
        kind=LedgerTransaction.Kind.EXCHANGE,
        amounts={accounts[receiver.pk]: -exchange.minutes, accounts[giver.pk]: exchange.minutes},
        effective=timezone.localdate(exchange.start),
        memo=(exchange.description or f"{giver.name} helped {receiver.name}"),
        by=by,
        locked=True,
        exchange=exchange if new else None,
        audit=audit,
    )
    exchange.transaction = txn
    if not new:
        exchange.save(update_fields=["status", "transaction", "confirmed_by", "confirmed_at"])
    if exchange.request_id is not None:
        Request.objects.filter(pk=exchange.request_id, status=Request.Status.OPEN).update(
            status=Request.Status.ARRANGED
        )
    return exchange


def confirm_exchange(
    *, by: User, exchange: Exchange, request: HttpRequest | None = None
) -> Exchange:
    """The other member (or a coordinator) agrees: the time moves. Confirming twice is harmless."""
    with transaction.atomic():
        exchange = (
            Exchange.objects.select_for_update(of=("self",))
            .select_related("giver__user", "receiver__user", "request")
            .get(pk=exchange.pk)
        )
        if exchange.status == Exchange.Status.CONFIRMED:
            return exchange
        if exchange.status != Exchange.Status.PROPOSED:
            raise TimebankRefused(
                f"This exchange cannot be confirmed: it is {exchange.get_status_display().lower()}."
            )
        coordinator = is_coordinator(by)
        if not may_see_exchange(by, exchange):
            raise TimebankRefused(
                "Only the members in this exchange, or a coordinator, can confirm it."
            )
        if not coordinator and exchange.proposed_by_id == by.pk:
            raise TimebankRefused("The other member needs to confirm this exchange.")
        _validate_terms(
            giver_id=exchange.giver_id,
            receiver_id=exchange.receiver_id,
            minutes=exchange.minutes,
            start=exchange.start,
        )
        _confirm_locked(by=by, exchange=exchange)  # checks the members under the locks
        record_audit(
            actor=by,
            action=AuditEvent.Action.UPDATE,
            target=exchange,
            subject=exchange.receiver.user,
            summary=f"Confirmed an exchange of {format_minutes(exchange.minutes)}",
            request=request,
        )
    return exchange


@transaction.atomic
def decline_exchange(*, by: User, exchange: Exchange) -> Exchange:
    exchange = Exchange.objects.select_for_update().get(pk=exchange.pk)
    if exchange.status != Exchange.Status.PROPOSED:
        raise TimebankRefused("Only an exchange waiting for confirmation can be declined.")
    if not may_see_exchange(by, exchange):
        raise TimebankRefused(
            "Only the members in this exchange, or a coordinator, can decline it."
        )
    exchange.status = Exchange.Status.DECLINED
    exchange.save(update_fields=["status"])
    record_audit(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        target=exchange,
        subject=exchange.receiver.user,
        summary="Declined an exchange",
    )
    return exchange


@transaction.atomic
def reverse_exchange(*, coordinator: User, exchange: Exchange, reason: str) -> Exchange:
    """Correct a confirmed exchange with a reversal entry (the original stays in the ledger)."""
    _require_coordinator(coordinator)
    exchange = Exchange.objects.select_for_update().get(pk=exchange.pk)
    if exchange.status != Exchange.Status.CONFIRMED or exchange.transaction is None:
        raise TimebankRefused("Only a confirmed exchange can be corrected.")
    _reverse(original=exchange.transaction, reason=reason, by=coordinator)
    exchange.status = Exchange.Status.REVERSED
    exchange.save(update_fields=["status"])
    record_audit(
        actor=coordinator,
        action=AuditEvent.Action.UPDATE,
        target=exchange,
        subject=exchange.receiver.user,
        summary=f"Corrected an exchange: {reason}"[:300],
    )
    return exchange


# --- time credits: organisations issue, partners redeem -----------------------------------------


def issue_credits(
    *,
    by: User,
    organisation: Member,
    member: Member,
    minutes: int,
    reason: str,
    idempotency_key: str,
) -> LedgerTransaction:
    """An organisation thanks a member for a contribution with time credits."""
    if not may_issue_credits(by, organisation):
        raise TimebankRefused("Only the organisation, or a coordinator, can issue its credits.")
    if not organisation.is_organisation:
        raise TimebankRefused("Time credits are issued by organisations.")
    return _move_credits(
        by=by,
        source=organisation,
        destination=member,
        minutes=minutes,
        kind=LedgerTransaction.Kind.ISSUE,
        key=f"issue:{idempotency_key}",
        memo=f"{organisation.name}: {reason}",
        summary=f"{organisation.name} issued {format_minutes(minutes)} to {member.name}",
        what="The time credited",
    )


def redeem_credits(
    *,
    by: User,
    member: Member,
    partner: Member,
    minutes: int,
    activity: str,
    idempotency_key: str,
) -> LedgerTransaction:
    """A member spends time credits on an activity at a partner (an art class, a museum visit)."""
    if not may_record_credits_spent(by, member, partner):
        raise TimebankRefused("Only the member, the partner or a coordinator can record this.")
    if not partner.is_organisation:
        raise TimebankRefused("Time credits are spent with partner organisations.")
    return _move_credits(
        by=by,
        source=member,
        destination=partner,
        minutes=minutes,
        kind=LedgerTransaction.Kind.REDEMPTION,
        key=f"redeem:{idempotency_key}",
        memo=f"{activity} at {partner.name}",
        summary=f"{member.name} spent {format_minutes(minutes)} at {partner.name}",
        what="The time spent",
    )


def _move_credits(
    *,
    by: User,
    source: Member,
    destination: Member,
    minutes: int,
    kind: str,
    key: str,
    memo: str,
    summary: str,
    what: str,
) -> LedgerTransaction:
    """Post time credits from one approved member to another, audited against the member whose
    credits they are (the receiver of an issue, the spender of a redemption)."""
    for m in (source, destination):
        _require_approved(m, who=m.name)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
        raise TimebankRefused(f"{what} must be more than zero.", field="minutes")
    if minutes > MAX_CREDIT_MINUTES:
        raise TimebankRefused(
            f"{what} can be at most {format_minutes(MAX_CREDIT_MINUTES)} at a time.",
            field="minutes",
        )
    person = destination if kind == LedgerTransaction.Kind.ISSUE else source
    with transaction.atomic():
        txn = _post(
            key=key,
            kind=kind,
            amounts={account_for(source): -minutes, account_for(destination): minutes},
            effective=timezone.localdate(),
            memo=memo,
            by=by,
        )
        record_audit(
            actor=by,
            action=AuditEvent.Action.CREATE,
            target=txn,
            subject=person.user,
            summary=summary,
        )
    return txn


# --- rotas and reminders -------------------------------------------------------------------------


def commitment_for(rota: Rota) -> WeeklyCommitment:
    return WeeklyCommitment(
        weekday=rota.weekday,
        start=rota.start_time,
        duration_minutes=rota.duration_minutes,
        first_date=rota.first_date,
        end_date=rota.end_date,
        title=rota.title,
    )


@transaction.atomic
def create_rota(
    *,
    coordinator: User,
    title: str,
    weekday: int,
    start_time: time,
    duration_minutes: int,
    first_date: date,
    end_date: date,
    receiver: Member | None = None,
    req: Request | None = None,
    remind_days_before: int = 2,
) -> Rota:
    _require_coordinator(coordinator)
    _require_date_in_range(first_date, "The first date", field="first_date")
    _require_date_in_range(end_date, "The last date", field="end_date")
    try:
        commitment = WeeklyCommitment(
            weekday, start_time, duration_minutes, first_date, end_date=end_date, title=title
        )
        commitment.dates()
    except TimebankError as error:
        raise TimebankRefused(error.message) from error
    rota = Rota.objects.create(
        title=title,
        weekday=weekday,
        start_time=start_time,
        duration_minutes=duration_minutes,
        first_date=first_date,
        end_date=end_date,
        receiver=receiver or (req.member if req else None),
        request=req,
        remind_days_before=remind_days_before,
        created_by=coordinator,
    )
    record_audit(
        actor=coordinator,
        action=AuditEvent.Action.CREATE,
        target=rota,
        subject=rota.receiver.user if rota.receiver else None,
        summary=f"Set up a rota: {title}"[:300],
    )
    return rota


@transaction.atomic
def assign_to_rota(
    *,
    coordinator: User,
    rota: Rota,
    member: Member,
    starting: date,
    every_weeks: int = 1,
    until: date | None = None,
) -> RotaAssignment:
    _require_coordinator(coordinator)
    _require_approved(member, who=member.name)
    if rota.receiver_id == member.pk:
        raise TimebankRefused(f"{member.name} is the person this rota helps.")
    if starting.weekday() != rota.weekday:
        raise TimebankRefused(
            f"{rota.title} is on {WEEKDAY_NAMES[rota.weekday]}s; choose a "
            f"{WEEKDAY_NAMES[rota.weekday]} to start.",
            field="starting",
        )
    _require_date_in_range(starting, "The first date they cover", field="starting")
    if until is not None:
        _require_date_in_range(until, "The last date they cover", field="until")
    if every_weeks < 1:
        raise TimebankRefused("Enter how often, as every 1 week or more.", field="every_weeks")
    if until is not None and until < starting:
        raise TimebankRefused("The last date must be after the first.", field="until")
    if rota.request is not None and rota.request.needs_check:
        _require_check(member, starting, rota.title)
    assignment = RotaAssignment.objects.create(
        rota=rota, member=member, every_weeks=every_weeks, starting=starting, until=until
    )
    record_audit(
        actor=coordinator,
        action=AuditEvent.Action.UPDATE,
        target=rota,
        subject=member.user,
        summary=f"Put {member.name} on the rota '{rota.title}'"[:300],
    )
    return assignment


def plan_for(rota: Rota) -> RotaPlan:
    """The rules' :class:`rules.timebank.RotaPlan` for ``rota`` (slots, covered, gaps), with the
    members' own changes: a date given back is that member's ``away`` date; a date taken (or
    accepted in a swap) adds the member to that date beside anyone else covering it."""
    away: dict[int, set[date]] = {}
    taken: dict[date, list[int]] = {}
    for change in RotaSlot.objects.filter(rota=rota).values_list("day", "member_id", "status"):
        day, member_id, status = change
        if status == RotaSlot.Status.GIVEN_BACK:
            away.setdefault(member_id, set()).add(day)
        elif status == RotaSlot.Status.TAKEN:
            taken.setdefault(day, []).append(member_id)
    assignments = [
        RuleAssignment(
            member_id=a.member_id,
            every_weeks=a.every_weeks,
            starting=a.starting,
            until=a.until,
            away=frozenset(away.get(a.member_id, ())),
        )
        for a in rota.assignments.all()
    ]
    plan = plan_rota(commitment_for(rota), assignments)
    if not taken:
        return plan
    slots = tuple(
        Slot(s.occurrence, s.members + tuple(m for m in taken.get(s.day, ()) if m not in s.members))
        for s in plan.slots
    )
    return RotaPlan(plan.commitment, slots)


# --- members' rota dates: take, give back, swap; done (credited once) or missed ------------------


def rota_slot_start(rota: Rota, day: date) -> datetime:
    """When the rota's help on ``day`` starts (aware, local time)."""
    return timezone.make_aware(datetime.combine(day, rota.start_time))


def _rota_day(rota: Rota, day: date) -> Slot:
    """The slot of ``rota`` on ``day``, refused (field ``day``) when the rota has no such date."""
    plan = plan_for(rota)
    for slot in plan.slots:
        if slot.day == day:
            return slot
    raise TimebankRefused(
        f"{rota.title} has no date on {day:%-d %B %Y}: choose one of its "
        f"{WEEKDAY_NAMES[rota.weekday]}s from the list.",
        field="day",
    )


def _lock_rota(rota: Rota) -> Rota:
    """Lock the rota's row: every change to its dates and outcomes runs one after the other."""
    return (
        Rota.objects.select_for_update(of=("self",))
        .select_related("receiver__user", "request")
        .get(pk=rota.pk)
    )


def _rota_member(by: User) -> Member:
    member = Member.objects.select_related("user").filter(user=by).first()
    return _require_approved(member)


def _require_to_come(rota: Rota, day: date) -> None:
    if rota_slot_start(rota, day) <= timezone.now():
        raise TimebankRefused(
            f"{day:%-d %B %Y} has already started or passed; only dates to come can be changed.",
            field="day",
        )


def _set_rota_slot(
    rota: Rota, day: date, member: Member, status: str, offered_by: Member | None = None
) -> RotaSlot:
    change, _ = RotaSlot.objects.update_or_create(
        rota=rota,
        day=day,
        member=member,
        defaults={"status": status, "offered_by": offered_by},
    )
    return change


def _rota_audit(by: User, rota: Rota, subject: Member, summary: str) -> None:
    record_audit(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        target=rota,
        subject=subject.user,
        summary=summary[:300],
    )


def take_rota_slot(*, by: User, rota: Rota, day: date) -> RotaSlot:
    """An approved member takes a date of the rota that nobody covers."""
    member = _rota_member(by)
    with transaction.atomic():
        rota = _lock_rota(rota)
        if rota.receiver_id == member.pk:
            raise TimebankRefused("This rota is for you, so you cannot cover its dates.")
        slot = _rota_day(rota, day)
        _require_to_come(rota, day)
        if member.pk in slot.members:
            raise TimebankRefused(f"You already cover {day:%-d %B %Y}.", field="day")
        if slot.members:
            raise TimebankRefused(
                f"{day:%-d %B %Y} is already covered. Choose a date marked as a gap.", field="day"
            )
        if rota.request is not None and rota.request.needs_check:
            _require_check(member, day, rota.title)
        change = _set_rota_slot(rota, day, member, RotaSlot.Status.TAKEN)
        _rota_audit(by, rota, member, f"{member.name} took {day:%-d %B %Y} on '{rota.title}'")
    if rota.receiver is not None:
        _notify(
            f"{member.name} is coming on {day:%-d %B %Y}",
            f"{member.name} will help with {rota.title} on {day:%-d %B %Y} at "
            f"{rota.start_time:%H:%M}.",
            [rota.receiver.user.email],
            "timebank_rotas",
        )
    return change


def give_back_rota_slot(*, by: User, rota: Rota, day: date) -> RotaSlot:
    """A member gives back a date they cover; coordinators are told if it is now a gap."""
    member = _rota_member(by)
    with transaction.atomic():
        rota = _lock_rota(rota)
        slot = _rota_day(rota, day)
        _require_to_come(rota, day)
        if member.pk not in slot.members:
            raise TimebankRefused(f"You do not cover {day:%-d %B %Y}.", field="day")
        change = _set_rota_slot(rota, day, member, RotaSlot.Status.GIVEN_BACK)
        # Any swap this member offered for that date is withdrawn with it.
        RotaSlot.objects.filter(
            rota=rota, day=day, offered_by=member, status=RotaSlot.Status.OFFERED
        ).delete()
        _rota_audit(by, rota, member, f"{member.name} gave back {day:%-d %B %Y} on '{rota.title}'")
        gap = set(slot.members) == {member.pk}
    if gap:
        _notify_coordinators(
            f"A rota date needs cover: {rota.title}",
            f"{member.name} gave back {day:%-d %B %Y} on {rota.title}. Nobody covers it now.",
        )
    return change


def offer_rota_slot(*, by: User, rota: Rota, day: date, to: Member) -> RotaSlot:
    """A swap: a member covering ``day`` asks ``to`` to take it; it is theirs once they accept."""
    member = _rota_member(by)
    with transaction.atomic():
        rota = _lock_rota(rota)
        slot = _rota_day(rota, day)
        _require_to_come(rota, day)
        if member.pk not in slot.members:
            raise TimebankRefused(f"You do not cover {day:%-d %B %Y}.", field="day")
        if to.pk == member.pk or not to.is_approved or to.pk == rota.receiver_id:
            raise TimebankRefused(
                "Choose another approved member (not the person the rota helps).", field="member"
            )
        if to.pk in slot.members:
            raise TimebankRefused(f"{to.name} already covers {day:%-d %B %Y}.", field="member")
        change = _set_rota_slot(rota, day, to, RotaSlot.Status.OFFERED, offered_by=member)
        _rota_audit(
            by, rota, to, f"{member.name} asked {to.name} to take {day:%-d %B %Y} on '{rota.title}'"
        )
    _notify(
        f"Can you take {rota.title} on {day:%-d %B %Y}?",
        f"{member.name} asks you to take their date on {rota.title}: {day:%-d %B %Y} at "
        f"{rota.start_time:%H:%M}. Sign in to the time bank to accept or decline.",
        [to.user.email],
        "timebank_rotas",
    )
    return change


def answer_rota_swap(*, by: User, rota: Rota, day: date, accept: bool) -> RotaSlot | None:
    """The member asked to take a date accepts (it becomes theirs and the asker's is given back)
    or declines (the asker keeps it)."""
    member = _rota_member(by)
    with transaction.atomic():
        rota = _lock_rota(rota)
        _rota_day(rota, day)
        offer = (
            RotaSlot.objects.select_related("offered_by__user")
            .filter(rota=rota, day=day, member=member, status=RotaSlot.Status.OFFERED)
            .first()
        )
        if offer is None or offer.offered_by is None:
            raise TimebankRefused(f"Nobody has asked you to take {day:%-d %B %Y}.", field="day")
        asker = offer.offered_by
        if not accept:
            offer.delete()
            _rota_audit(by, rota, asker, f"{member.name} declined to take {day:%-d %B %Y}")
            return None
        _require_to_come(rota, day)
        if rota.request is not None and rota.request.needs_check:
            _require_check(member, day, rota.title)
        _set_rota_slot(rota, day, asker, RotaSlot.Status.GIVEN_BACK)
        change = _set_rota_slot(rota, day, member, RotaSlot.Status.TAKEN)
        _rota_audit(
            by, rota, member, f"{member.name} took {day:%-d %B %Y} from {asker.name} (a swap)"
        )
    return change


def record_rota_visit(*, by: User, rota: Rota, day: date, member: Member, done: bool) -> RotaVisit:
    """Record that ``member``'s visit on ``day`` was done (its time is credited exactly once,
    through the ledger, as a confirmed exchange from the person helped to the member) or missed
    (recorded, nothing credited). Recording the same outcome again returns the first record;
    the other outcome is refused."""
    try:
        with transaction.atomic():
            return _record_rota_visit(by=by, rota=rota, day=day, member=member, done=done)
    except IntegrityError:
        # The same visit recorded at the same moment by someone else: answer with it.
        existing = RotaVisit.objects.filter(rota=rota, day=day, member=member).first()
        if existing is None:
            raise
        return _same_visit(existing, done)


def _same_visit(visit: RotaVisit, done: bool) -> RotaVisit:
    wanted = RotaVisit.Outcome.DONE if done else RotaVisit.Outcome.MISSED
    if visit.outcome != wanted:
        raise TimebankRefused(
            f"This date was already recorded as {visit.get_outcome_display().lower()}. "
            "Ask a coordinator to correct it."
        )
    return visit


def _record_rota_visit(*, by: User, rota: Rota, day: date, member: Member, done: bool) -> RotaVisit:
    rota = _lock_rota(rota)  # one recording of a rota's visits at a time
    if not may_record_rota_visits(by, rota):
        raise TimebankRefused(
            "Only the person the rota helps, or a coordinator, can record whether it happened."
        )
    existing = RotaVisit.objects.filter(rota=rota, day=day, member=member).first()
    if existing is not None:
        return _same_visit(existing, done)
    slot = _rota_day(rota, day)
    if member.pk not in slot.members:
        raise TimebankRefused(f"{member.name} did not cover {day:%-d %B %Y}.", field="member")
    start = rota_slot_start(rota, day)
    _require_ended(start, rota.duration_minutes)
    exchange = None
    if done:
        if rota.receiver is None:
            raise TimebankRefused(
                "This rota names nobody it helps, so there is nobody to take the time from. "
                "Record the time as an exchange instead."
            )
        exchange = Exchange(
            idempotency_key=f"rota:{rota.pk}:{day.isoformat()}:{member.pk}",
            giver_id=member.pk,
            receiver_id=rota.receiver_id,
            category=rota.request.category if rota.request is not None else None,
            start=start,
            minutes=rota.duration_minutes,
            description=f"{rota.title}, {day:%-d %B %Y}"[:300],
            proposed_by=by,
        )
        _confirm_locked(by=by, exchange=exchange)  # the ledger entry, under the accounts' locks
    visit = RotaVisit.objects.create(
        rota=rota,
        day=day,
        member=member,
        outcome=RotaVisit.Outcome.DONE if done else RotaVisit.Outcome.MISSED,
        exchange=exchange,
        recorded_by=by,
    )
    record_audit(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        target=rota,
        subject=member.user,
        summary=(
            f"{member.name}'s visit on {day:%-d %B %Y} ({rota.title}): "
            + (f"done, {format_minutes(rota.duration_minutes)} credited" if done else "missed")
        )[:300],
    )
    return visit


@dataclass
class ReminderRun:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    messages: list[str] = field(default_factory=list)


def _coordinator_emails() -> list[str]:
    return list(
        User.objects.filter(groups__name__in=[Role.COORDINATOR], is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def send_due_reminders(*, today: date | None = None, catch_up_days: int = 7) -> ReminderRun:
    """Email the reminders due today (and any missed in the last ``catch_up_days``).

    Idempotent: each reminder is recorded (:class:`ReminderSent`, unique per rota, occurrence,
    recipient and day) in the same transaction as it is sent, so running this again — or twice at
    once — sends nothing twice. A mail failure rolls back its record, so the next run retries it.
    Also tells coordinators once about each safeguarding check expiring within 30 days.
    """
    today = today or timezone.localdate()
    run = ReminderRun()
    since = today - timedelta(days=catch_up_days + 1)  # reminders_due counts from the day after
    coordinators = _coordinator_emails()
    for rota in Rota.objects.filter(end_date__gte=today).prefetch_related("assignments"):
        members = {
            m.pk: m
            for m in Member.objects.filter(rota_assignments__rota=rota).select_related("user")
        }
        plan = plan_for(rota)
        for reminder in reminders_due(plan, today, (rota.remind_days_before,), since=since):
            if reminder.member_id is None:
                recipient, emails = "gap", coordinators
            else:
                recipient = f"member:{reminder.member_id}"
                member = members.get(int(reminder.member_id))
                emails = [member.user.email] if member and member.user.email else []
            try:
                with transaction.atomic():
                    _, created = ReminderSent.objects.get_or_create(
                        rota=rota,
                        occurrence=reminder.slot.day,
                        recipient=recipient,
                        send_on=reminder.send_on,
                    )
                    if not created:
                        run.skipped += 1
                        continue
                    if emails:
                        send_now(
                            f"Time bank: {rota.title}",
                            reminder.message,
                            emails,
                            "timebank_coordination" if recipient == "gap" else "timebank_rotas",
                        )
                    run.sent += 1
                    run.messages.append(reminder.message)
            except IntegrityError:
                run.skipped += 1
            except OSError:
                logger.exception("Could not send a rota reminder for %s", rota)
                run.failed += 1
    soon = today + timedelta(days=EXPIRY_WARNING_DAYS)
    for check in SafeguardingCheck.objects.filter(
        expires_on__isnull=False,
        expires_on__gte=today,
        expires_on__lte=soon,
        expiry_reminder_sent_on__isnull=True,
    ).select_related("member"):
        message = (
            f"The {check.get_kind_display()} for {check.member.name} expires on "
            f"{check.expires_on:%-d %B %Y}."
        )
        try:
            with transaction.atomic():
                updated = SafeguardingCheck.objects.filter(
                    pk=check.pk, expiry_reminder_sent_on__isnull=True
                ).update(expiry_reminder_sent_on=today)
                if not updated:
                    continue
                if coordinators:
                    send_now(
                        "Time bank: a safeguarding check is expiring",
                        message,
                        coordinators,
                        "safeguarding",
                    )
                run.sent += 1
                run.messages.append(message)
        except OSError:
            logger.exception("Could not send a safeguarding expiry reminder")
            run.failed += 1
    return run


# --- API tokens ----------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_days() -> int:
    """How many days a new API token lasts (``settings.TIMEBANK_API_TOKEN_DAYS``, default 90)."""
    days = getattr(settings, "TIMEBANK_API_TOKEN_DAYS", API_TOKEN_DAYS)
    return max(1, int(days))


@transaction.atomic
def issue_api_token(
    *, user: User, days: int | None = None, request: HttpRequest | None = None
) -> str:
    """A new token for the JSON exchange endpoint; shown once, only its hash is kept. It expires
    after ``days`` (default :func:`api_token_days`)."""
    if not may_hold_api_token(user):
        raise TimebankRefused(
            "Only approved time bank members and coordinators can make API tokens."
        )
    token = secrets.token_urlsafe(32)
    lasts = api_token_days() if days is None else days
    if isinstance(lasts, bool) or not isinstance(lasts, int) or not 0 < lasts <= 366:
        raise TimebankRefused("A token lasts from 1 to 366 days.")
    row = ApiToken.objects.create(
        user=user,
        token_hash=hash_token(token),
        expires_at=timezone.now() + timedelta(days=lasts),
    )
    record_audit(
        actor=user,
        action=AuditEvent.Action.CREATE,
        target=row,
        subject=user,
        summary=f"Created a time bank API token (expires {timezone.localdate(row.expires_at)})",
        request=request,
    )
    return token


@transaction.atomic
def revoke_api_token(*, by: User, token: ApiToken, request: HttpRequest | None = None) -> ApiToken:
    """Stop a token working at once. Its owner or a coordinator may; revoking twice is harmless."""
    if not may_revoke_token(by, token):
        raise TimebankRefused("Only the token's owner, or a coordinator, can revoke it.")
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.revoked_by = by
    token.save(update_fields=["revoked_at", "revoked_by"])
    record_audit(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        target=token,
        subject=token.user,
        summary="Revoked a time bank API token"
        + ("" if token.user_id == by.pk else f" of {token.user.get_full_name()}"),
        request=request,
    )
    return token


@functools.cache
def _token_statement(vendor: str) -> tuple[str, tuple[str, ...]]:
    """The SQL of :func:`user_for_token` and the user's fields it reads, built once."""
    # Table and column names come from the models' metadata; every value is a parameter.
    qn = connection.ops.quote_name
    token_meta, user_meta = ApiToken._meta, User._meta
    through = User.groups.through._meta
    group_meta = Group._meta
    user_pk = qn(user_meta.pk.column)
    fields = tuple(f.attname for f in user_meta.concrete_fields)
    columns = ", ".join(f"u.{qn(f.column)}" for f in user_meta.concrete_fields)

    def token_column(name: str) -> str:
        return f"t.{qn(token_meta.get_field(name).column)}"

    sql = (
        f"SELECT {columns}, {token_column('id')}, {token_column('last_used_at')}, "  # noqa: S608
        f"g.{qn(group_meta.get_field('name').column)} "
        f"FROM {qn(token_meta.db_table)} t "
        f"JOIN {qn(user_meta.db_table)} u ON u.{user_pk} = {token_column('user')} "
        f"LEFT JOIN {qn(through.db_table)} ug ON ug.{qn(through.get_field('user').column)} = u.{user_pk} "
        f"LEFT JOIN {qn(group_meta.db_table)} g ON g.{qn(group_meta.pk.column)} = "
        f"ug.{qn(through.get_field('group').column)} "
        f"WHERE {token_column('token_hash')} = %s "
        f"AND u.{qn(user_meta.get_field('is_active').column)} = %s "
        f"AND {token_column('revoked_at')} IS NULL AND {token_column('expires_at')} > %s"
    )
    return sql, fields


def user_for_token(token: str) -> User | None:
    """The active user the token belongs to (``None`` when the token is unknown, expired or
    revoked), with their roles loaded in the same query (so the role check of the request that
    follows needs no query of its own).

    Written out as SQL (one row per role) because every API request starts here. The token's
    "last used" time is written only when the stored one is older than
    :data:`TOKEN_LAST_USED_PRECISION`, so a busy partner system costs one small update every few
    minutes, not one per request.
    """
    if not token or len(token) > 200 or has_forbidden_characters(token):
        return None
    sql, fields = _token_statement(connection.vendor)
    now = timezone.now()
    expires_param = ApiToken._meta.get_field("expires_at").get_db_prep_value(now, connection)
    with _prepared_cursor() as cursor:
        cursor.execute(sql, [hash_token(token), True, expires_param])
        rows = cursor.fetchall()
    if not rows:
        return None
    user = User.from_db(connection.alias, fields, _converted(User, fields, rows[0][:-3]))
    token_id, last_used = _converted(ApiToken, ("id", "last_used_at"), rows[0][-3:-1])
    if last_used is None or now - last_used >= TOKEN_LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token_id).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOKEN_LAST_USED_PRECISION)
        ).update(last_used_at=now)
    roles = {row[-1] for row in rows if row[-1]}
    if user.is_superuser:  # as User.roles() does
        roles.add(Role.ADMINISTRATOR)
    user._role_cache = roles
    return user


# --- CSV imports ---------------------------------------------------------------------------------


@dataclass
class ImportReport:
    created: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        problems = len(self.errors)
        return (
            f"{self.created} row{'s' if self.created != 1 else ''} imported; "
            f"{problems} row{'s' if problems != 1 else ''} with problems."
        )


MEMBER_COLUMNS = ("username", "email", "name", "kind", "neighbourhood")
EXCHANGE_COLUMNS = ("giver", "receiver", "date", "minutes", "description")
IMPORT_KEY_LENGTH = 100 - len("import:")


class _FileProblem(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _rows(
    data: bytes | str, required: tuple[str, ...]
) -> tuple[list[tuple[int, dict[str, str]]], list[tuple[int, str]]]:
    """The file's rows with their line numbers, and problems that stop rows being read at all.

    A file that is not UTF-8 is refused whole, naming the first line that is not (its rows cannot
    be told apart reliably). A row with a NUL character is reported and left out; a line the CSV
    reader cannot read ends the reading, reported with the lines after it.
    """
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise _FileProblem(
                line, f"Line {line} is not UTF-8 text. Save the file as CSV in UTF-8 and try again."
            ) from None
    else:
        text = data
    reader = csv.DictReader(io.StringIO(text))
    try:
        headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as error:
        raise _FileProblem(1, f"The first line could not be read as CSV: {error}.") from None
    missing = [c for c in required if c not in headers]
    if missing:
        raise _FileProblem(
            1, f"The first line must name the columns; missing: {', '.join(missing)}."
        )
    reader.fieldnames = headers
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[tuple[int, str]] = []
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(
                (
                    reader.line_num,
                    f"This line could not be read as CSV ({error}); it and the lines after it "
                    "were not imported.",
                )
            )
            break
        cleaned = {k: (v or "").strip() for k, v in row.items() if isinstance(k, str) and k}
        bad = [k for k, v in cleaned.items() if has_forbidden_characters(v)]
        if bad:
            problems.append(
                (reader.line_num, f"The {bad[0]} column contains a character that is not allowed.")
            )
            continue
        rows.append((reader.line_num, cleaned))
    return rows, problems


def _import_rows(
    data: bytes | str, required: tuple[str, ...], report: ImportReport
) -> list[tuple[int, dict[str, str]]]:
    try:
        rows, problems = _rows(data, required)
    except _FileProblem as problem:
        report.errors.append((problem.line, problem.message))
        return []
    report.errors.extend(problems)
    return rows


def _check_length(value: str, limit: int, what: str) -> None:
    if len(value) > limit:
        raise TimebankRefused(f"{what} must be {limit} characters or fewer.")


def _check_member_row(row: dict[str, str]) -> None:
    """Over-long or malformed values are refused, never cut short or passed to the database."""
    username_field = User._meta.get_field("username")
    username = row.get("username", "")
    _check_length(username, username_field.max_length or 150, "The username")
    try:
        username_field.run_validators(username)
    except ValidationError as error:
        raise TimebankRefused(f"The username is not allowed: {' '.join(error.messages)}") from None
    email = row.get("email", "")
    if email:
        _check_length(email, User._meta.get_field("email").max_length or 254, "The email address")
        try:
            validate_email(email)
        except ValidationError:
            raise TimebankRefused(f"'{email}' is not an email address.") from None
    _check_length(row.get("name", ""), Member._meta.get_field("name").max_length or 150, "The name")


def import_members(*, coordinator: User, data: bytes | str) -> ImportReport:
    """Members from CSV (username, email, name, kind, neighbourhood), approved on import.

    Each good row is kept even when others fail; every bad row is reported with its line number.
    """
    _require_coordinator(coordinator)
    report = ImportReport()
    rows = _import_rows(data, MEMBER_COLUMNS, report)
    hoods = {n.slug: n for n in directory_selectors.neighbourhoods()}
    hoods |= {n.name.lower(): n for n in hoods.values()}
    for line, row in rows:
        try:
            with transaction.atomic():
                username = row.get("username", "")
                if not username:
                    raise TimebankRefused("Enter a username.")
                _check_member_row(row)
                if User.objects.filter(username=username).exists():
                    raise TimebankRefused(f"There is already an account called '{username}'.")
                kind = (row.get("kind") or "person").lower()
                if kind not in Member.Kind.values:
                    raise TimebankRefused(
                        f"Kind must be one of {', '.join(Member.Kind.values)}, not '{kind}'."
                    )
                hood_name = row.get("neighbourhood", "")
                hood = hoods.get(hood_name.lower()) if hood_name else None
                if hood_name and hood is None:
                    raise TimebankRefused(f"There is no neighbourhood called '{hood_name}'.")
                if not row.get("name"):
                    raise TimebankRefused("Enter the member's name.")
                user = User.objects.create_user(
                    username=username, email=row.get("email", ""), display_name=row["name"]
                )
                user.set_unusable_password()
                user.save(update_fields=["password"])
                member = apply_to_join(user=user, kind=kind, name=row["name"], neighbourhood=hood)
                approve_member(coordinator=coordinator, member=member)
                report.created += 1
        except TimebankRefused as error:
            report.errors.append((line, error.message))
        except DataError:
            report.errors.append((line, "A value in this row is too long or not allowed."))
    report.errors.sort(key=lambda e: e[0])
    record_audit(
        actor=coordinator,
        action=AuditEvent.Action.CREATE,
        object_type="timebank.member",
        summary=f"Imported members: {report.summary()}",
    )
    return report


def import_exchanges(*, coordinator: User, data: bytes | str) -> ImportReport:
    """Past exchanges from CSV (giver, receiver by username; date YYYY-MM-DD; minutes;
    description; optional key). Recorded as confirmed by the coordinator; idempotent per key.

    Each good row is kept even when others fail; every bad row is reported with its line number.
    """
    _require_coordinator(coordinator)
    report = ImportReport()
    rows = _import_rows(data, EXCHANGE_COLUMNS, report)
    members = {
        m.user.username: m
        for m in Member.objects.select_related("user").filter(user__is_active=True)
    }
    for line, row in rows:
        try:
            giver = members.get(row.get("giver", ""))
            receiver = members.get(row.get("receiver", ""))
            if giver is None:
                raise TimebankRefused(f"There is no member '{row.get('giver', '')[:150]}'.")
            if receiver is None:
                raise TimebankRefused(f"There is no member '{row.get('receiver', '')[:150]}'.")
            try:
                day = date.fromisoformat(row.get("date", ""))
            except ValueError:
                raise TimebankRefused(
                    "Enter the date as YYYY-MM-DD, for example 2026-03-04."
                ) from None
            _require_date_in_range(day, "The date")
            text = row.get("minutes", "")
            if not re.fullmatch(r"-?[0-9]{1,9}", text):
                raise TimebankRefused("Minutes must be a whole number, for example 90.")
            minutes = int(text)
            description = row.get("description", "")
            _check_length(description, 300, "The description")
            _check_length(row.get("key", ""), IMPORT_KEY_LENGTH, "The key")
            start = timezone.make_aware(datetime.combine(day, time(9)))
            key = (
                row.get("key")
                or hashlib.sha256(
                    f"{giver.pk}|{receiver.pk}|{day}|{minutes}|{description}".encode()
                ).hexdigest()[:40]
            )
            propose_exchange(
                by=coordinator,
                giver=giver,
                receiver=receiver,
                minutes=minutes,
                start=start,
                idempotency_key=f"import:{key}",
                description=description,
                confirm=True,
            )
            report.created += 1
        except TimebankRefused as error:
            report.errors.append((line, error.message))
        except DataError:
            report.errors.append((line, "A value in this row is too long or not allowed."))
    report.errors.sort(key=lambda e: e[0])
    record_audit(
        actor=coordinator,
        action=AuditEvent.Action.CREATE,
        object_type="timebank.exchange",
        summary=f"Imported exchanges: {report.summary()}",
    )
    return report


# --- email ---------------------------------------------------------------------------------------


def _notify(subject: str, body: str, recipients: list[str], kind: str) -> None:
    notify(subject, body, recipients, kind=kind)


def _notify_coordinators(subject: str, body: str) -> None:
    _notify(subject, body, _coordinator_emails(), "timebank_coordination")
