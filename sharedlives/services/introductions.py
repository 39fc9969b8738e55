"""Introductions, visits and trial stays on an agreed match."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import HttpRequest

from accounts.models import AuditEvent, User
from sharedlives.models import Match, MatchEvent
from sharedlives.services._common import (
    SharedLivesRefused,
    audit,
    checked_text,
    require_worker,
    still_suitable,
)


@transaction.atomic
def record_event(
    *,
    actor: User,
    match: Match,
    kind: str,
    on: dt.date,
    until: dt.date | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> MatchEvent:
    """Log an introduction, a visit or a trial stay. Nobody is introduced until both sides have
    said yes; visits and trial stays come after the introduction."""
    require_worker(actor)
    if kind not in MatchEvent.Kind.values:
        raise SharedLivesRefused("Choose an introduction, a visit or a trial stay", "kind")
    if match.stage == Match.Stage.ENDED:
        raise SharedLivesRefused("This match has ended", "kind")
    if match.person_agreed_on is None or match.carer_agreed_on is None:
        waiting = [
            side
            for side, agreed in (
                ("the person", match.person_agreed_on),
                ("the carer", match.carer_agreed_on),
            )
            if agreed is None
        ]
        raise SharedLivesRefused(
            f"Both sides must agree before an introduction: waiting for {' and '.join(waiting)}",
            "kind",
        )
    if (
        kind != MatchEvent.Kind.INTRODUCTION
        and not match.events.filter(kind=MatchEvent.Kind.INTRODUCTION).exists()
    ):
        raise SharedLivesRefused("Record the introduction first", "kind")
    agreed = max(match.person_agreed_on, match.carer_agreed_on)
    if on < agreed:
        raise SharedLivesRefused("The date must be on or after the day both sides agreed", "on")
    still_suitable(match, on, "on")
    if kind == MatchEvent.Kind.TRIAL_STAY and until is None:
        raise SharedLivesRefused("Enter the last day of the trial stay", "until")
    if until is not None and until < on:
        raise SharedLivesRefused("The last day must be on or after the first day", "until")
    event = MatchEvent.objects.create(
        match=match,
        kind=kind,
        on=on,
        until=until,
        note=checked_text(note, "note", "the note"),
        recorded_by=actor,
    )
    if kind == MatchEvent.Kind.INTRODUCTION and match.stage == Match.Stage.AGREED:
        match.stage = Match.Stage.INTRODUCED
        match.save()
    audit(
        actor,
        AuditEvent.Action.UPDATE,
        match,
        match.referral.person,
        f"{event.get_kind_display()} recorded",
        request,
    )
    return event
