"""Writes that matter for accounts: registration, sign-in throttling, the audit trail, and a person's
right to a copy of their data and to erasure."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection, models, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import AuditEvent, ErasureRequest, SignInCounter, User
from accounts.roles import Role

PersonalDataExporter = Callable[[User], dict[str, Any]]
PersonalDataEraser = Callable[[User], None]
_exporters: dict[str, PersonalDataExporter] = {}
_erasers: dict[str, PersonalDataEraser] = {}


def register_personal_data(
    section: str, *, exporter: PersonalDataExporter, eraser: PersonalDataEraser | None = None
) -> None:
    """Each app registers how to export (and erase) what it holds about a person."""
    _exporters[section] = exporter
    if eraser is not None:
        _erasers[section] = eraser


def _ip_or_none(value: str | None) -> str | None:
    """``value`` as a normalised IP address, or None when it is not exactly one address."""
    value = (value or "").strip()
    if value.startswith("[") and value.endswith("]"):
        value = value[1:-1]  # [IPv6], as some proxies write it
    if not value or "%" in value:  # a zone index is no client address
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _meta_name(header: str) -> str:
    name = header.strip().upper().replace("-", "_")
    if name == "REMOTE_ADDR" or name.startswith("HTTP_"):
        return name
    return f"HTTP_{name}"


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address. Behind a reverse proxy (``settings.CLIENT_IP_HEADER`` set, for
    example "X-Forwarded-For"), the address ``settings.TRUSTED_PROXY_COUNT`` places from the right
    of that header: each proxy appends the address it saw, so the entries further left came from
    the client and may be made up. A header that is missing, too short or not an IP address there
    falls back to REMOTE_ADDR (itself validated: None if it is no address)."""
    if request is None:
        return None
    header = getattr(settings, "CLIENT_IP_HEADER", "")
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 1)
    if header and proxies >= 1:
        entries = request.META.get(_meta_name(header), "").split(",")
        if len(entries) >= proxies:
            address = _ip_or_none(entries[-proxies])
            if address is not None:
                return address
    return _ip_or_none(request.META.get("REMOTE_ADDR"))


def record_audit(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    subject: User | None = None,
    summary: str = "",
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Write one audit record. Call it from every view that shows or changes personal data."""
    event = audit_event(
        actor=actor,
        action=action,
        target=target,
        object_type=object_type,
        object_id=object_id,
        subject=subject,
        summary=summary,
        request=request,
    )
    event.save(force_insert=True)
    return event


def audit_event(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    subject: User | None = None,
    summary: str = "",
    request: HttpRequest | None = None,
) -> AuditEvent:
    """The audit record :func:`record_audit` writes, not saved yet: for a write that inserts it
    with its own rows in one statement (the time bank's exchanges), in the same transaction."""
    if action not in AuditEvent.Action.values:
        # The column holds one of the listed actions (20 characters); SQLite would keep anything.
        raise ValueError(f"Unknown audit action {action!r}: use AuditEvent.Action")
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or str(target.pk)
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEvent(
        actor=actor,
        subject=subject,
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary[:300],
        ip_address=client_ip(request),
    )


def grant_role(user: User, role: Role | str) -> None:
    group, _ = Group.objects.get_or_create(name=str(role))
    user.groups.add(group)
    if hasattr(user, "_role_cache"):
        del user._role_cache


@transaction.atomic
def register_person(
    *, username: str, email: str, password: str, display_name: str, carer: bool = False
) -> User:
    user = User.objects.create_user(
        username=username, email=email, password=password, display_name=display_name
    )
    grant_role(user, Role.PERSON)
    if carer:
        grant_role(user, Role.CARER)
    record_audit(
        actor=user,
        action=AuditEvent.Action.CREATE,
        target=user,
        subject=user,
        summary="Created their account",
    )
    return user


# --- sign-in throttling -------------------------------------------------------------------------
#
# Each attempt is counted *before* the password is checked, with one atomic statement per key (an
# upsert that adds one and returns the new count), and the password is checked only while the
# count is within the limit. So N parallel guesses get at most LOGIN_FAILURE_LIMIT checks, and no
# attempt is lost to a read-then-write race. The counters live in their own table (not the cache:
# production's cache table may not exist, and a cache may drop keys).


def _now() -> datetime:
    return timezone.now()


def _username_bucket(username: str) -> str:
    name = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:40]
    return f"user:{name}"


@dataclass(frozen=True)
class SignInAttempt:
    """One sign-in attempt, already counted: ``allowed`` says whether the password may be checked."""

    username: str
    ip: str | None
    username_count: int
    address_count: int

    @property
    def allowed(self) -> bool:
        return (
            self.username_count <= settings.LOGIN_FAILURE_LIMIT
            and self.address_count <= settings.LOGIN_ADDRESS_FAILURE_LIMIT
        )


def _count_attempt(bucket: str, now: datetime) -> int:
    """Add one attempt to ``bucket`` and return the new count, in one atomic statement (an
    upsert: PostgreSQL and SQLite 3.35+). A window older than LOGIN_LOCKOUT_SECONDS restarts at 1."""
    meta = SignInCounter._meta
    qn = connection.ops.quote_name
    table = qn(meta.db_table)
    fields = {f.name: f for f in meta.concrete_fields}
    columns = {name: f.column for name, f in fields.items() if f.column}  # concrete: all have one
    key, count, start = (qn(columns[n]) for n in ("bucket", "attempts", "window_start"))
    when = fields["window_start"]
    expired = f"{table}.{start} <= %s"
    sql = (
        f"INSERT INTO {table} ({key}, {count}, {start}) VALUES (%s, 1, %s) "  # noqa: S608
        f"ON CONFLICT ({key}) DO UPDATE SET "
        f"{count} = CASE WHEN {expired} THEN 1 ELSE {table}.{count} + 1 END, "
        f"{start} = CASE WHEN {expired} THEN excluded.{start} ELSE {table}.{start} END"
    )
    cutoff = now - timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    now_db = when.get_db_prep_value(now, connection)
    cutoff_db = when.get_db_prep_value(cutoff, connection)
    params = [bucket, now_db, cutoff_db, cutoff_db]
    if connection.features.can_return_columns_from_insert:
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} RETURNING {count}", params)
            (value,) = cursor.fetchone()
        return int(value)
    # SQLite before 3.35 has no RETURNING: its write lock, held from the upsert to the end of the
    # transaction, keeps the read that follows atomic with it.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.execute(f"SELECT {count} FROM {table} WHERE {key} = %s", [bucket])  # noqa: S608
        (value,) = cursor.fetchone()
    return int(value)


def begin_sign_in(username: str, request: HttpRequest | None) -> SignInAttempt:
    """Count this attempt against the username and the client's address, and say whether the
    password may be checked. Call it before ``authenticate``; then :func:`sign_in_failed` or
    :func:`sign_in_succeeded`."""
    now = _now()
    ip = client_ip(request)
    username_count = _count_attempt(_username_bucket(username), now)
    address_count = _count_attempt(f"ip:{ip}", now) if ip else 0
    return SignInAttempt(username, ip, username_count, address_count)


def sign_in_failed(attempt: SignInAttempt, request: HttpRequest | None) -> None:
    """The password was checked and was wrong (the attempt is already counted): audit it, and
    clear out counters whose window has passed."""
    record_audit(
        actor=None,
        action=AuditEvent.Action.SIGN_IN_FAILED,
        object_type="accounts.user",
        summary=f"Failed sign-in for {attempt.username[:100]!r}",
        request=request,
    )
    cutoff = _now() - timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    SignInCounter.objects.filter(window_start__lte=cutoff).delete()


def sign_in_succeeded(attempt: SignInAttempt) -> None:
    """Clear the account's counter, and give the address back the attempt it was charged: people
    signing in from one shared address (a library, a proxy) do not use up its allowance."""
    SignInCounter.objects.filter(bucket=_username_bucket(attempt.username)).delete()
    if attempt.ip:
        SignInCounter.objects.filter(bucket=f"ip:{attempt.ip}", attempts__gt=0).update(
            attempts=F("attempts") - 1
        )


def sign_in_attempts(username: str) -> int:
    """Attempts counted for ``username`` in its current window (0 once the window has passed)."""
    cutoff = _now() - timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    row = SignInCounter.objects.filter(
        bucket=_username_bucket(username), window_start__gt=cutoff
    ).first()
    return row.attempts if row else 0


# --- the audit trail's tamper evidence ----------------------------------------------------------


def audit_problems() -> list[str]:
    """Audit events whose stored digest does not match their content: changed after they were
    written (in the database or in a backup), or written without a digest. Digests made with
    SECRET_KEY or one of SECRET_KEY_FALLBACKS (a rotated key) match. Empty when all is well."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    problems = []
    for event in AuditEvent.objects.order_by("pk").iterator(chunk_size=2000):
        where = f"Audit event {event.pk} ({event.at:%Y-%m-%d %H:%M:%S} {event.action})"
        if not event.digest:
            problems.append(f"{where}: no digest (written without one, or it was removed)")
        elif not _digest_matches(event, keys):
            problems.append(
                f"{where}: its content does not match its digest (changed after it was written, "
                "or written under a SECRET_KEY that is not in SECRET_KEY_FALLBACKS)"
            )
    return problems


_OBJECT_ID_FILLED_BY_DATABASE = frozenset({"timebank.exchange"})


def _digest_matches(event: AuditEvent, keys: list[str]) -> bool:
    if any(hmac.compare_digest(event.digest, event.compute_digest(key)) for key in keys):
        return True
    # The time bank writes a new exchange's event in the same statement as the exchange, so on
    # PostgreSQL the event's object id is filled in by the database after the digest was made.
    if event.object_id and event.object_type in _OBJECT_ID_FILLED_BY_DATABASE:
        stored_id, event.object_id = event.object_id, ""
        try:
            return any(hmac.compare_digest(event.digest, event.compute_digest(k)) for k in keys)
        finally:
            event.object_id = stored_id
    return False


# --- the person's own data ----------------------------------------------------------------------


def export_personal_data(
    *, person: User, requested_by: User, request: HttpRequest | None
) -> dict[str, Any]:
    """Everything the platform holds about a person, by section, as plain JSON-ready data."""
    from accounts import notification_preferences  # it records changes with record_audit

    data: dict[str, Any] = {
        "account": {
            "username": person.username,
            "name": person.get_full_name(),
            "email": person.email,
            "date_joined": person.date_joined.isoformat(),
            "roles": sorted(person.roles()),
            "email_notifications": notification_preferences.export(person),
        },
        "audit_trail": [
            {
                "at": event.at.isoformat(),
                "by": event.actor.username if event.actor else None,
                "action": event.action,
                "record": f"{event.object_type} {event.object_id}".strip(),
                "summary": event.summary,
            }
            for event in AuditEvent.objects.filter(subject=person).select_related("actor")
        ],
    }
    for section, exporter in sorted(_exporters.items()):
        data[section] = exporter(person)
    record_audit(
        actor=requested_by,
        action=AuditEvent.Action.EXPORT,
        target=person,
        subject=person,
        summary="Downloaded a copy of their data",
        request=request,
    )
    return data


@transaction.atomic
def erase_person(
    *,
    person: User,
    erased_by: User,
    request: HttpRequest | None,
    erasure_request: ErasureRequest | None = None,
) -> None:
    """Erase a person: each app removes or anonymises what it holds, then the account is
    anonymised (kept as a stub so ledgers and audit records that must stay still balance).

    Staff erase people through :func:`request_erasure` and :func:`confirm_erasure` (two different
    staff members), which call this; call it directly only from code that has its own check."""
    from accounts import notification_preferences  # it records changes with record_audit

    old_bucket = _username_bucket(person.username)
    for _section, eraser in sorted(_erasers.items()):
        eraser(person)
    person.username = f"erased-{person.pk}"
    person.email = ""
    person.first_name = person.last_name = person.display_name = ""
    person.is_active = False
    person.set_unusable_password()
    person.save()
    person.groups.clear()
    notification_preferences.erase(person)
    SignInCounter.objects.filter(bucket=old_bucket).delete()
    summary = "Erased on request"
    if erasure_request is not None:
        summary = (
            f"Erased on request {erasure_request.pk}, recorded by "
            f"{erasure_request.requested_by.username} and confirmed by {erased_by.username}"
        )
    record_audit(
        actor=erased_by,
        action=AuditEvent.Action.ERASE,
        target=person,
        subject=person,
        summary=summary,
        request=request,
    )


# --- erasure with a second staff member's confirmation ------------------------------------------


class ErasureRefused(Exception):
    """An erasure request that cannot be recorded, confirmed or withdrawn; the message says why
    and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _require_staff(user: User, doing: str) -> None:
    if not (user.is_active and user.is_staff):
        raise ErasureRefused(
            f"{user.username} is not an active staff member, so cannot {doing}. "
            "Ask a member of staff with access to the admin."
        )


def is_erased(person: User) -> bool:
    return person.username == f"erased-{person.pk}" and not person.is_active


@transaction.atomic
def request_erasure(
    *, person: User, requested_by: User, reason: str, request: HttpRequest | None = None
) -> ErasureRequest:
    """Record that ``person`` asked to be erased (who recorded it, why, when). Nothing is erased
    until a different staff member confirms it with :func:`confirm_erasure`."""
    _require_staff(requested_by, "record an erasure request")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ErasureRefused(
            "Enter the reason: how and when the person asked to be erased, for example "
            "'Letter received 1 December'."
        )
    limit = ErasureRequest._meta.get_field("reason").max_length or 1000
    if len(reason) > limit:
        raise ErasureRefused(f"The reason must be {limit} characters or fewer.")
    person = User.objects.select_for_update().get(pk=person.pk)
    if is_erased(person):
        raise ErasureRefused(f"{person.username} has already been erased.")
    open_request = ErasureRequest.objects.filter(
        person=person, confirmed_at__isnull=True, withdrawn_at__isnull=True
    ).first()
    if open_request is not None:
        raise ErasureRefused(
            f"There is already an open erasure request for {person.username} "
            f"(request {open_request.pk}): confirm or withdraw that one."
        )
    erasure = ErasureRequest.objects.create(person=person, requested_by=requested_by, reason=reason)
    record_audit(
        actor=requested_by,
        action=AuditEvent.Action.ERASE_REQUEST,
        target=erasure,
        subject=person,
        summary=f"Erasure request {erasure.pk} recorded: {reason}",
        request=request,
    )
    return erasure


def _open_request(erasure_request: ErasureRequest | int) -> ErasureRequest:
    pk = erasure_request if isinstance(erasure_request, int) else erasure_request.pk
    erasure = (
        ErasureRequest.objects.select_for_update()
        .select_related("person", "requested_by")
        .filter(pk=pk)
        .first()
    )
    if erasure is None:
        raise ErasureRefused(f"There is no erasure request {pk}.")
    if erasure.confirmed_at is not None:
        raise ErasureRefused(f"Erasure request {pk} has already been confirmed.")
    if erasure.withdrawn_at is not None:
        raise ErasureRefused(f"Erasure request {pk} was withdrawn: record a new request.")
    return erasure


@transaction.atomic
def confirm_erasure(
    *,
    erasure_request: ErasureRequest | int,
    confirmed_by: User,
    request: HttpRequest | None = None,
) -> ErasureRequest:
    """A second staff member confirms an open request: the person is erased, in the same
    transaction. The member who recorded the request cannot confirm it."""
    _require_staff(confirmed_by, "confirm an erasure request")
    erasure = _open_request(erasure_request)  # locked until the erasure commits
    if confirmed_by.pk == erasure.requested_by_id:
        raise ErasureRefused(
            f"You recorded erasure request {erasure.pk}, so a different staff member must "
            "confirm it."
        )
    if confirmed_by.pk == erasure.person_id:
        raise ErasureRefused(
            f"Erasure request {erasure.pk} is about you, so a different staff member must "
            "confirm it."
        )
    erasure.confirmed_by = confirmed_by
    erasure.confirmed_at = timezone.now()
    erasure.save(update_fields=["confirmed_by", "confirmed_at"])
    erase_person(
        person=erasure.person, erased_by=confirmed_by, request=request, erasure_request=erasure
    )
    return erasure


@transaction.atomic
def withdraw_erasure(
    *,
    erasure_request: ErasureRequest | int,
    withdrawn_by: User,
    request: HttpRequest | None = None,
) -> ErasureRequest:
    """Withdraw an open request (recorded by mistake, or the person changed their mind)."""
    _require_staff(withdrawn_by, "withdraw an erasure request")
    erasure = _open_request(erasure_request)
    erasure.withdrawn_by = withdrawn_by
    erasure.withdrawn_at = timezone.now()
    erasure.save(update_fields=["withdrawn_by", "withdrawn_at"])
    record_audit(
        actor=withdrawn_by,
        action=AuditEvent.Action.ERASE_WITHDRAW,
        target=erasure,
        subject=erasure.person,
        summary=f"Erasure request {erasure.pk} withdrawn",
        request=request,
    )
    return erasure
