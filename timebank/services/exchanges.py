"""Exchanges of time between two members: proposed, confirmed (the time moves through the ledger),
declined and corrected; the overlap rule and idempotency of submissions."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.services import audit_event, record_audit
from rules.ledger import format_minutes
from rules.timebank import (
    ExchangeRecord,
    ExchangeSlot,
    ExchangeStatus,
    SlotOverlap,
    check_no_overlap,
)
from timebank.models import Account, Exchange, LedgerTransaction, Member, Request
from timebank.permissions import is_coordinator, may_see_exchange
from timebank.services._common import (
    MAX_EXCHANGE_MINUTES,
    TimebankRefused,
    _acts_for,
    _column,
    _converted,
    _link,
    _notify,
    _prepared_cursor,
    _require_coordinator,
    _require_date_in_range,
)
from timebank.services.ledger import _post, _reverse, account_for
from timebank.services.members import _require_check

if TYPE_CHECKING:
    from directory.models import TaxonomyTerm


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
        [f"a.{_column(a_meta.get_field(n))}" for n in _ACCOUNT_FIELDS]
        + [f"m.{_column(m_meta.get_field(n))}" for n in _MEMBER_FIELDS]
    )
    sql = (
        f"SELECT {columns} FROM {qn(a_meta.db_table)} a "  # noqa: S608
        f"JOIN {qn(m_meta.db_table)} m ON m.{_column(m_meta.pk)} = "
        f"a.{_column(a_meta.get_field('member'))} "
        f"WHERE a.{_column(a_meta.get_field('member'))} IN (%s, %s) "
        f"ORDER BY a.{_column(a_meta.pk)}"
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
        _column(meta.get_field(name)) for name in ("id", "giver", "receiver", "status", "start")
    )
    columns = ", ".join(_column(meta.get_field(name)) for name in _OVERLAP_FIELDS)
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
