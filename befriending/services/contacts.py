"""Contacts on a match: visits, calls and letters the befriender logs (refused on a day their checks
do not cover), and concerns the coordinator reads."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from befriending import access, selectors
from befriending.models import (
    Contact,
    Match,
)
from befriending.services._common import (
    BefriendingRefused,
    checked_text,
    coordinator_emails,
    locked,
    or_today,
    require_coordinator,
)
from rules.befriending.contacts import contact_refusal
from wellbeing_hub.notifications import notify


@transaction.atomic
def log_contact(
    *,
    actor: User,
    match: Match,
    on: dt.date,
    how: str,
    minutes: int,
    notes: str = "",
    concern: str = "",
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Contact:
    """The befriender (or the coordinator) logs a visit, call or letter. A concern is sent to the
    coordinators. Refused on a day the befriender's checks do not cover (the match is paused)."""
    today = or_today(today)
    match = locked(match)
    if not access.may_log_contact(actor, match):
        raise BefriendingRefused("Only the befriender or a coordinator can log contacts")
    if how not in Contact.How.values:
        raise BefriendingRefused("Choose how you were in touch", "how")
    refusal = contact_refusal(
        on=on,
        minutes=minutes,
        today=today,
        started_on=match.started_on,
        last_meeting_on=match.last_meeting_on if match.stage == Match.Stage.ENDED else None,
        check_gaps=selectors.befriender_gaps(match.volunteer, on),
    )
    if refusal is not None:
        raise BefriendingRefused(refusal.message, refusal.field)
    if match.stage == Match.Stage.ENDED and match.last_meeting_on is None:
        raise BefriendingRefused("This match has ended", "on")
    contact = Contact.objects.create(
        match=match,
        on=on,
        how=how,
        minutes=minutes,
        notes=checked_text(notes, "notes", "the notes"),
        concern=checked_text(concern, "concern", "the concern"),
        logged_by=actor,
        logged_at=timezone.now(),
    )
    record_audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=contact,
        subject=match.request.person,
        summary="Befriending: contact logged" + (" with a concern" if contact.concern else ""),
        request=request,
    )
    if contact.concern:
        notify(
            "A befriender has raised a concern",
            "A befriender has logged a concern about the person they visit. "
            "Sign in to read it on your befriending worklist.",
            coordinator_emails(),
            kind="safeguarding",
        )
    return contact


@transaction.atomic
def mark_concern_read(
    *,
    actor: User,
    contact: Contact,
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Contact:
    require_coordinator(actor, "mark a concern as read")
    if not contact.concern:
        raise BefriendingRefused("This contact has no concern")
    contact.concern_read_on = contact.concern_read_on or or_today(today)
    contact.concern_read_by = contact.concern_read_by or actor
    contact.save(update_fields=["concern_read_on", "concern_read_by"])
    record_audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=contact,
        subject=contact.match.request.person,
        summary="Befriending: concern read by the coordinator",
        request=request,
    )
    return contact
