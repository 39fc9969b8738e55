"""Matches: the coordinator proposes a befriender, both sides agree (the match starts only if the
befriender's checks are clear that day), either side or the coordinator ends it, and feedback."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from befriending import access, selectors
from befriending.models import (
    Match,
    Request,
    Volunteer,
)
from befriending.services._common import (
    BefriendingRefused,
    checked_text,
    coordinator_emails,
    locked,
    or_today,
    require_coordinator,
)
from rules.befriending.matching import exclusions
from rules.ledger.formatting import format_date
from wellbeing_hub.notifications import notify, site_url

LAST_MEETING_WITHIN_DAYS = 56
"""A planned last meeting is at most 8 weeks ahead: long enough to say goodbye well, not so long
that the ending is put off."""


@transaction.atomic
def propose_match(
    *,
    actor: User,
    request_: Request,
    volunteer: Volunteer,
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Match:
    """The coordinator proposes a befriender. Refused, with every reason, when the volunteer is
    excluded on the day (a check missing or lapsed, no room, a preference not met…)."""
    require_coordinator(actor, "propose a match")
    today = or_today(today)
    if request_.status != Request.Status.WAITING:
        raise BefriendingRefused("This person is not waiting for a befriender", "volunteer")
    if request_.matches.filter(stage=Match.Stage.PROPOSED).exists():
        raise BefriendingRefused(
            f"A befriender has already been suggested to {request_.name}: wait for both answers, "
            "or withdraw that suggestion",
            "volunteer",
        )
    reasons = exclusions(selectors.as_wish(request_), selectors.as_rule_volunteer(volunteer, today))
    if reasons:
        raise BefriendingRefused(
            f"{volunteer.name} cannot be matched: " + " ".join(reasons), "volunteer"
        )
    try:
        with transaction.atomic():
            match = Match.objects.create(
                request=request_, volunteer=volunteer, proposed_on=today, proposed_by=actor
            )
    except IntegrityError as err:  # a second coordinator proposed the same pair at once
        raise BefriendingRefused("This befriender has already been proposed", "volunteer") from err
    record_audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=match,
        subject=request_.person,
        summary=f"Befriending: {volunteer.name} proposed",
        request=request,
    )
    addresses = [
        a
        for a in [getattr(volunteer.user, "email", ""), getattr(request_.person, "email", "")]
        if a
    ]
    notify(
        "A befriending match has been suggested",
        "Your befriending coordinator has suggested a match. Sign in to say whether you would "
        f"like it: {site_url(reverse('befriending:home'))}",
        addresses,
        kind="matches",
    )
    return match


@transaction.atomic
def agree(
    *,
    actor: User,
    match: Match,
    side: str | None = None,
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Match:
    """One side says yes. The befriender and the person agree for themselves; a coordinator may
    record either side's yes (given by phone or in person). When both have said yes the match
    starts, but only if the befriender's checks are clear that day."""
    today = or_today(today)
    match = locked(match)
    own = access.side_of(actor, match)
    if own in ("volunteer", "person"):
        if side not in (None, own):
            raise BefriendingRefused("You can only agree for yourself", "side")
        side = own
    elif own == "coordinator":
        if side not in ("volunteer", "person"):
            raise BefriendingRefused("Choose whose agreement you are recording", "side")
    else:
        raise BefriendingRefused("Only the befriender, the person or a coordinator can do this")
    if match.stage != Match.Stage.PROPOSED:
        raise BefriendingRefused("This match is no longer waiting for agreement", "side")
    if side == "volunteer":
        match.volunteer_agreed_on = match.volunteer_agreed_on or today
    else:
        match.person_agreed_on = match.person_agreed_on or today
    starting = match.volunteer_agreed_on is not None and match.person_agreed_on is not None
    if starting:
        gaps = selectors.befriender_gaps(match.volunteer, today)
        if gaps:
            raise BefriendingRefused(
                f"The match cannot start until {match.volunteer.name}'s checks are complete: "
                + " ".join(gaps),
                "side",
            )
        match.stage = Match.Stage.ACTIVE
        match.started_on = today
        Request.objects.filter(pk=match.request_id).update(status=Request.Status.MATCHED)
    match.save()
    who = "the befriender" if side == "volunteer" else "the person"
    record_audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=match,
        subject=match.request.person,
        summary=f"Befriending: {who} agreed" + ("; the match started" if starting else ""),
        request=request,
    )
    return match


@transaction.atomic
def end_match(
    *,
    actor: User,
    match: Match,
    reason: str,
    details: str = "",
    last_meeting_on: dt.date | None = None,
    feedback: str = "",
    new_befriender_wanted: bool = False,
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Match:
    """Either side or the coordinator ends a match, with a reason. A running match ends with a
    planned last meeting to say goodbye (within 8 weeks), unless it ends for a safeguarding concern.
    Saying no to a proposal is ending it too ("declined"). Nothing is deleted."""
    today = or_today(today)
    match = locked(match)
    side = access.side_of(actor, match)
    if not side:
        raise BefriendingRefused("Only the befriender, the person or a coordinator can do this")
    if match.stage == Match.Stage.ENDED:
        raise BefriendingRefused("This match has already ended", "reason")
    if match.stage == Match.Stage.PROPOSED:
        reason, last_meeting_on = Match.EndReason.DECLINED, None
    else:
        if reason not in Match.EndReason.values or reason == Match.EndReason.DECLINED:
            raise BefriendingRefused("Choose why the match is ending", "reason")
        if last_meeting_on is None and reason != Match.EndReason.SAFEGUARDING:
            raise BefriendingRefused(
                "Enter the date of the last meeting to say goodbye", "last_meeting_on"
            )
        if last_meeting_on is not None:
            assert match.started_on is not None
            if last_meeting_on < match.started_on:
                raise BefriendingRefused(
                    f"The last meeting must be on or after the match started ({format_date(match.started_on)})",
                    "last_meeting_on",
                )
            limit = today + dt.timedelta(days=LAST_MEETING_WITHIN_DAYS)
            if last_meeting_on > limit:
                raise BefriendingRefused(
                    f"Plan the last meeting within 8 weeks, by {format_date(limit)}",
                    "last_meeting_on",
                )
        if reason == Match.EndReason.SAFEGUARDING and last_meeting_on is None:
            last_meeting_on = today  # no contact after a safeguarding ending
    details = checked_text(
        details, "details", "more about why", required=reason == Match.EndReason.OTHER
    )
    feedback = checked_text(feedback, "feedback", "your feedback")
    match.stage = Match.Stage.ENDED
    match.ended_on = today
    match.ended_by = side
    match.end_reason = reason
    match.end_details = details
    match.last_meeting_on = last_meeting_on
    if side == "person":
        match.person_feedback = feedback
    elif side == "volunteer":
        match.volunteer_feedback = feedback
    elif feedback:
        match.end_details = (
            details + "\n\n" if details else ""
        ) + f"Coordinator's note: {feedback}"
    match.save()
    still_open = match.request.matches.exclude(stage=Match.Stage.ENDED).exists()
    if not still_open:
        wanted = new_befriender_wanted or match.end_reason == Match.EndReason.DECLINED
        Request.objects.filter(pk=match.request_id).update(
            status=Request.Status.WAITING if wanted else Request.Status.CLOSED,
            closed_on=None if wanted else today,
        )
    record_audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=match,
        subject=match.request.person,
        summary=f"Befriending: match ended by {match.get_ended_by_display().lower()} "
        f"({match.get_end_reason_display()})",
        request=request,
    )
    addresses = [
        getattr(u, "email", "")
        for u in (match.volunteer.user, match.request.person)
        if u is not None and u.pk != actor.pk
    ]
    notify(
        "A befriending match is ending",
        "A befriending match you are part of is ending. Sign in to see the planned last "
        f"meeting: {site_url(reverse('befriending:home'))}",
        [a for a in addresses if a] + coordinator_emails(),
        kind="matches",
    )
    return match


@transaction.atomic
def add_feedback(
    *, actor: User, match: Match, feedback: str, request: HttpRequest | None = None
) -> Match:
    """After a match has ended, the side that did not end it may add their feedback too."""
    match = locked(match)
    side = access.side_of(actor, match)
    if side not in ("volunteer", "person"):
        raise BefriendingRefused("Only the befriender or the person can add their feedback")
    if match.stage != Match.Stage.ENDED:
        raise BefriendingRefused("Feedback is added when the match ends", "feedback")
    text = checked_text(feedback, "feedback", "your feedback", required=True)
    if side == "person":
        match.person_feedback = text
    else:
        match.volunteer_feedback = text
    match.save()
    record_audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=match,
        subject=match.request.person,
        summary="Befriending: feedback added",
        request=request,
    )
    return match
