"""Volunteers: offering to befriend, the dated safeguarding checks a coordinator records, stopping."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.http import HttpRequest

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from befriending import access, selectors
from befriending.models import (
    Check,
    Volunteer,
)
from befriending.services._common import (
    BefriendingRefused,
    checked_gender,
    checked_list,
    checked_text,
    checked_times,
    coordinator_emails,
    or_today,
    require_coordinator,
)
from wellbeing_hub.notifications import notify


@transaction.atomic
def apply_to_volunteer(
    *,
    user: User,
    name: str,
    about: str = "",
    interests: Iterable[str] = (),
    languages: Iterable[str] = (),
    times: Iterable[str] = (),
    places: Iterable[str] = (),
    gender: str = "",
    capacity: int = 1,
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Volunteer:
    """A signed-in person offers to befriend. They can be matched once a coordinator has
    recorded their checks (DBS, two references, training)."""
    if Volunteer.objects.filter(user=user).exists():
        raise BefriendingRefused("You have already offered to volunteer", "name")
    if not 1 <= capacity <= 5:
        raise BefriendingRefused("Choose between 1 and 5 people", "capacity")
    volunteer = Volunteer.objects.create(
        user=user,
        name=checked_text(name, "name", "your name", required=True, limit=200),
        about=checked_text(about, "about", "something about you"),
        interests=checked_list(interests, "interests", "Interests", 500),
        languages=checked_list(languages, "languages", "Languages", 300),
        times=checked_times(times),
        places=checked_list(places, "places", "Areas", 300),
        gender=checked_gender(gender, "gender"),
        capacity=capacity,
        applied_on=or_today(today),
    )
    record_audit(
        actor=user,
        action=AuditEvent.Action.CREATE,
        target=volunteer,
        subject=user,
        summary="Befriending: offered to volunteer",
        request=request,
    )
    notify(
        "Someone has offered to volunteer as a befriender",
        "A new volunteer is waiting for their checks to be recorded.",
        coordinator_emails(),
        kind="safeguarding",
    )
    return volunteer


@transaction.atomic
def record_check(
    *,
    actor: User,
    volunteer: Volunteer,
    kind: str,
    checked_on: dt.date,
    expires_on: dt.date | None = None,
    note: str = "",
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Check:
    """A coordinator records one dated check (one reference is one referee)."""
    require_coordinator(actor, "record safeguarding checks")
    if kind not in Check.Kind.values:
        raise BefriendingRefused("Choose the kind of check", "kind")
    if checked_on > or_today(today):
        raise BefriendingRefused(
            "The date the check was made must be today or in the past", "checked_on"
        )
    if expires_on is not None and expires_on < checked_on:
        raise BefriendingRefused(
            "The expiry date must be on or after the date the check was made", "expires_on"
        )
    check = Check.objects.create(
        volunteer=volunteer,
        kind=kind,
        checked_on=checked_on,
        expires_on=expires_on,
        note=checked_text(note, "note", "the note", limit=300),
        recorded_by=actor,
    )
    record_audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=check,
        subject=volunteer.user,
        summary=f"Befriending: {check.get_kind_display()} recorded",
        request=request,
    )
    return check


@transaction.atomic
def stop_volunteering(
    *,
    actor: User,
    volunteer: Volunteer,
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Volunteer:
    """The volunteer (or a coordinator) stops. Open matches must be ended first, well."""
    if not (access.is_coordinator(actor) or volunteer.user_id == actor.pk):
        raise BefriendingRefused("Only the volunteer or a coordinator can do this")
    if selectors.open_matches(volunteer).exists():
        raise BefriendingRefused(
            "End each of their matches first, with a last meeting to say goodbye"
        )
    volunteer.status = Volunteer.Status.STOPPED
    volunteer.stopped_on = or_today(today)
    volunteer.save(update_fields=["status", "stopped_on"])
    record_audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=volunteer,
        subject=volunteer.user,
        summary="Befriending: stopped volunteering",
        request=request,
    )
    return volunteer
