"""Writes that matter for accounts: registration, sign-in throttling, the audit trail, and a person's
right to a copy of their data and to erasure."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import models, transaction
from django.http import HttpRequest

from accounts.models import AuditEvent, User
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


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


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


def _throttle_keys(username: str, ip: str | None) -> list[str]:
    name = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    keys = [f"sign-in-failures:user:{name}"]
    if ip:
        keys.append(f"sign-in-failures:ip:{ip}")
    return keys


def sign_in_locked(username: str, ip: str | None) -> bool:
    """True while too many recent failures were recorded for this username or address."""
    limit = settings.LOGIN_FAILURE_LIMIT
    # An address may try a few names (a shared library computer), so it gets a larger allowance.
    for key in _throttle_keys(username, ip):
        allowed = limit * 4 if ":ip:" in key else limit
        if cache.get(key, 0) >= allowed:
            return True
    return False


def record_sign_in_failure(username: str, request: HttpRequest | None) -> None:
    for key in _throttle_keys(username, client_ip(request)):
        cache.add(key, 0, settings.LOGIN_LOCKOUT_SECONDS)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, settings.LOGIN_LOCKOUT_SECONDS)
    record_audit(
        actor=None,
        action=AuditEvent.Action.SIGN_IN_FAILED,
        object_type="accounts.user",
        summary=f"Failed sign-in for {username[:100]!r}",
        request=request,
    )


def clear_sign_in_failures(username: str, request: HttpRequest | None) -> None:
    # Only the username's counter: a success must not reset an address trying many names.
    cache.delete(_throttle_keys(username, None)[0])


# --- the person's own data ----------------------------------------------------------------------


def export_personal_data(
    *, person: User, requested_by: User, request: HttpRequest | None
) -> dict[str, Any]:
    """Everything the platform holds about a person, by section, as plain JSON-ready data."""
    data: dict[str, Any] = {
        "account": {
            "username": person.username,
            "name": person.get_full_name(),
            "email": person.email,
            "date_joined": person.date_joined.isoformat(),
            "roles": sorted(person.roles()),
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
def erase_person(*, person: User, erased_by: User, request: HttpRequest | None) -> None:
    """Erase a person on request: each app removes or anonymises what it holds, then the account is
    anonymised (kept as a stub so ledgers and audit records that must stay still balance)."""
    for _section, eraser in sorted(_erasers.items()):
        eraser(person)
    person.username = f"erased-{person.pk}"
    person.email = ""
    person.first_name = person.last_name = person.display_name = ""
    person.is_active = False
    person.set_unusable_password()
    person.save()
    person.groups.clear()
    record_audit(
        actor=erased_by,
        action=AuditEvent.Action.ERASE,
        target=person,
        subject=person,
        summary="Erased on request",
        request=request,
    )
