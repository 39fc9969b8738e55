"""Which kinds of email each person wants (``wellbeing_hub.notifications.KINDS``): reads for
:func:`wellbeing_hub.notifications.notify`, and the writes behind "Your email notifications" and
the unsubscribe link in each email. No row means the person gets that kind."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest

from accounts.models import AuditEvent, NotificationPreference, User
from accounts.services import record_audit
from wellbeing_hub.notifications import Kind, get_kind, kinds_for


def accounts_for(addresses: Iterable[str]) -> dict[str, list[int]]:
    """Each address (lower-cased) with the ids of the accounts that use it, where any do."""
    wanted = {a.strip().lower() for a in addresses if a and a.strip()}
    if not wanted:
        return {}
    query = Q()
    for address in wanted:
        query |= Q(email__iexact=address)
    found: dict[str, list[int]] = {}
    for pk, email in User.objects.filter(query).order_by("pk").values_list("pk", "email"):
        key = email.strip().lower()
        if key in wanted:
            found.setdefault(key, []).append(pk)
    return found


def turned_off(user_ids: Iterable[int], kind_code: str) -> set[int]:
    """Which of these accounts have turned this kind off."""
    ids = set(user_ids)
    if not ids:
        return set()
    return set(
        NotificationPreference.objects.filter(
            user_id__in=ids, kind=kind_code, email=False
        ).values_list("user_id", flat=True)
    )


def choices_for(user: User) -> list[tuple[Kind, bool]]:
    """The kinds this person may get, each with whether they get it by email."""
    off = set(
        NotificationPreference.objects.filter(user=user, email=False).values_list("kind", flat=True)
    )
    return [(k, not (k.optional and k.code in off)) for k in kinds_for(user.roles())]


def _set(user_ids: Iterable[int], kind_code: str, email: bool, via: str) -> list[int]:
    """Record the choice; the ids whose choice changed."""
    changed = []
    for user_id in user_ids:
        pref, created = NotificationPreference.objects.get_or_create(
            user_id=user_id, kind=kind_code, defaults={"email": email, "changed_via": via}
        )
        if created:
            if not email:
                changed.append(user_id)
            continue
        if pref.email != email:
            pref.email, pref.changed_via = email, via
            pref.save(update_fields=["email", "changed_via", "changed_at"])
            changed.append(user_id)
    return changed


@transaction.atomic
def save_choices(*, user: User, wanted: Iterable[str], request: HttpRequest | None = None) -> None:
    """Turn on the optional kinds in ``wanted`` and off the other optional kinds this person
    may get. Kinds that cannot be turned off are left alone."""
    wanted_codes = set(wanted)
    turned_on: list[str] = []
    turned_off_labels: list[str] = []
    for found in kinds_for(user.roles()):
        if not found.optional:
            continue
        email = found.code in wanted_codes
        if _set([user.pk], found.code, email, NotificationPreference.Via.PAGE):
            (turned_on if email else turned_off_labels).append(found.code)
    if turned_on or turned_off_labels:
        parts = []
        if turned_on:
            parts.append("on: " + ", ".join(turned_on))
        if turned_off_labels:
            parts.append("off: " + ", ".join(turned_off_labels))
        record_audit(
            actor=user,
            action=AuditEvent.Action.UPDATE,
            target=user,
            subject=user,
            summary="Email notifications " + "; ".join(parts),
            request=request,
        )


@transaction.atomic
def unsubscribe(*, user_ids: list[int], kind_code: str, request: HttpRequest | None) -> int:
    """Turn one optional kind off for these accounts (from the link in an email, signed in or
    not). Returns how many accounts it applied to; an account since erased or gone is skipped."""
    found = get_kind(kind_code)
    if not found.optional:
        return 0
    users = list(User.objects.filter(pk__in=user_ids, is_active=True))
    changed = set(_set([u.pk for u in users], found.code, False, NotificationPreference.Via.LINK))
    for user in users:
        if user.pk in changed:
            record_audit(
                actor=None,
                action=AuditEvent.Action.UPDATE,
                target=user,
                subject=user,
                summary=f"Email notifications off: {found.code} (link in an email)",
                request=request,
            )
    return len(users)


# --- the person's own data -----------------------------------------------------------------------


def export(person: User) -> list[dict[str, Any]]:
    """The person's choices, for the account section of their data (``export_personal_data``)."""
    return [
        {
            "kind": p.kind,
            "by_email": p.email,
            "changed": p.changed_at.isoformat(),
            "how": p.get_changed_via_display(),
        }
        for p in NotificationPreference.objects.filter(user=person).order_by("kind")
    ]


def erase(person: User) -> None:
    """Part of erasing the account (``erase_person``)."""
    NotificationPreference.objects.filter(user=person).delete()
