"""Writes for befriending and peer support. Each is transactional and audited; a refusal raises
:class:`BefriendingRefused` naming the field, for the view to show as a GOV.UK error.

The safeguarding rule is asked again at every step where a befriender meets someone: a proposal,
the agreement that starts a match, and every contact logged (:mod:`rules.befriending`). When a
check lapses during a match, the match is not ended: it shows on the coordinator's worklist as
paused, and no contact after the lapse can be logged until a new check is recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.roles import Role
from accounts.services import record_audit
from befriending import access, selectors
from befriending.models import (
    GENDER_CHOICES,
    Check,
    Contact,
    Match,
    Membership,
    PeerGroup,
    Request,
    Volunteer,
    words,
)
from directory import selectors as directory_selectors
from rules.befriending.contacts import contact_refusal
from rules.befriending.matching import TIMES, exclusions
from rules.ledger.formatting import format_date
from wellbeing_hub.form_attempts import Refused
from wellbeing_hub.notifications import notify, site_url

TEXT_MAX = 5000
LAST_MEETING_WITHIN_DAYS = 56
"""A planned last meeting is at most 8 weeks ahead: long enough to say goodbye well, not so long
that the ending is put off."""


class BefriendingRefused(Refused):
    """A change befriending's rules do not allow; ``field`` names the form field to show it on."""


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _text(
    value: str, field: str, label: str, *, required: bool = False, limit: int = TEXT_MAX
) -> str:
    value = (value or "").strip()
    if required and not value:
        raise BefriendingRefused(f"Enter {label}", field)
    if len(value) > limit:
        raise BefriendingRefused(
            f"{label[0].upper()}{label[1:]} must be {limit} characters or fewer", field
        )
    return value


def _list(values: Iterable[str], field: str, label: str, limit: int) -> str:
    text = ", ".join(words(", ".join(values)))
    if len(text) > limit:
        raise BefriendingRefused(f"{label} must be {limit} characters or fewer in all", field)
    return text


def _times(values: Iterable[str]) -> str:
    chosen = list(dict.fromkeys(values))
    if any(code not in TIMES for code in chosen):
        raise BefriendingRefused("Choose times from the list", "times")
    return ",".join(code for code in TIMES if code in chosen)


def _gender(value: str, field: str) -> str:
    if value not in dict(GENDER_CHOICES):
        raise BefriendingRefused("Choose from the list", field)
    return value


def _require_coordinator(user: User, doing: str) -> None:
    if not access.is_coordinator(user):
        raise BefriendingRefused(f"Only a befriending coordinator can {doing}")


def _coordinator_emails() -> list[str]:
    return sorted(
        set(
            User.objects.filter(
                groups__name__in=[Role.COORDINATOR, Role.ADMINISTRATOR], is_active=True
            ).values_list("email", flat=True)
        )
        - {""}
    )


# --- volunteers and their checks ------------------------------------------------------------


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
        name=_text(name, "name", "your name", required=True, limit=200),
        about=_text(about, "about", "something about you"),
        interests=_list(interests, "interests", "Interests", 500),
        languages=_list(languages, "languages", "Languages", 300),
        times=_times(times),
        places=_list(places, "places", "Areas", 300),
        gender=_gender(gender, "gender"),
        capacity=capacity,
        applied_on=_today(today),
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
        _coordinator_emails(),
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
    _require_coordinator(actor, "record safeguarding checks")
    if kind not in Check.Kind.values:
        raise BefriendingRefused("Choose the kind of check", "kind")
    if checked_on > _today(today):
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
        note=_text(note, "note", "the note", limit=300),
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
    volunteer.stopped_on = _today(today)
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


# --- people asking for a befriender -----------------------------------------------------------


@transaction.atomic
def ask_for_befriender(
    *,
    actor: User,
    person: User | None = None,
    name: str = "",
    referrer: str = "",
    about: str = "",
    interests: Iterable[str] = (),
    languages: Iterable[str] = (),
    times: Iterable[str] = (),
    place: str = "",
    gender_preference: str = "",
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Request:
    """A person asks for themselves (``person`` is the actor), or a coordinator records a referral
    (``referrer`` says who referred them)."""
    person = person or actor
    referred = person.pk != actor.pk
    if referred:
        _require_coordinator(actor, "record a referral for someone else")
        referrer = _text(referrer, "referrer", "who referred them", required=True, limit=200)
    elif Request.objects.filter(person=person, status=Request.Status.WAITING).exists():
        raise BefriendingRefused(
            "You have already asked for a befriender: we will be in touch", "about"
        )
    item = Request.objects.create(
        person=person,
        name=_text(name or person.get_full_name(), "name", "their name", required=True, limit=200),
        source=Request.Source.REFERRED if referred else Request.Source.SELF,
        referred_by=actor if referred else None,
        referrer=referrer if referred else "",
        about=_text(about, "about", "what they would like from a befriender", required=True),
        interests=_list(interests, "interests", "Interests", 500),
        languages=_list(languages, "languages", "Languages", 300),
        times=_times(times),
        place=_text(place, "place", "the area", limit=100),
        gender_preference=_gender(gender_preference, "gender_preference"),
        received_on=_today(today),
    )
    record_audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=item,
        subject=person,
        summary="Befriending: asked for a befriender" + (" (referred)" if referred else ""),
        request=request,
    )
    return item


# --- matches ------------------------------------------------------------------------------


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
    _require_coordinator(actor, "propose a match")
    today = _today(today)
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


def _locked(match: Match) -> Match:
    return Match.objects.select_for_update().select_related("request", "volunteer").get(pk=match.pk)


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
    today = _today(today)
    match = _locked(match)
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
    today = _today(today)
    match = _locked(match)
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
    details = _text(details, "details", "more about why", required=reason == Match.EndReason.OTHER)
    feedback = _text(feedback, "feedback", "your feedback")
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
        [a for a in addresses if a] + _coordinator_emails(),
        kind="matches",
    )
    return match


@transaction.atomic
def add_feedback(
    *, actor: User, match: Match, feedback: str, request: HttpRequest | None = None
) -> Match:
    """After a match has ended, the side that did not end it may add their feedback too."""
    match = _locked(match)
    side = access.side_of(actor, match)
    if side not in ("volunteer", "person"):
        raise BefriendingRefused("Only the befriender or the person can add their feedback")
    if match.stage != Match.Stage.ENDED:
        raise BefriendingRefused("Feedback is added when the match ends", "feedback")
    text = _text(feedback, "feedback", "your feedback", required=True)
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


# --- contacts -----------------------------------------------------------------------------


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
    today = _today(today)
    match = _locked(match)
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
        notes=_text(notes, "notes", "the notes"),
        concern=_text(concern, "concern", "the concern"),
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
            _coordinator_emails(),
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
    _require_coordinator(actor, "mark a concern as read")
    if not contact.concern:
        raise BefriendingRefused("This contact has no concern")
    contact.concern_read_on = contact.concern_read_on or _today(today)
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


# --- peer support groups ------------------------------------------------------------------


def _check_lead(volunteer: Volunteer | None, today: dt.date) -> None:
    if volunteer is None:
        return
    if volunteer.status != Volunteer.Status.ACTIVE:
        raise BefriendingRefused(f"{volunteer.name} is no longer volunteering", "lead")
    gaps = selectors.peer_lead_gaps(volunteer, today)
    if gaps:
        raise BefriendingRefused(
            f"{volunteer.name} cannot lead a group until their checks are complete: "
            + " ".join(gaps),
            "lead",
        )


@transaction.atomic
def create_group(
    *,
    actor: User,
    name: str,
    service_id: str,
    about: str = "",
    lead: Volunteer | None = None,
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> PeerGroup:
    """A peer support group linked to a public directory service (where and when it meets)."""
    _require_coordinator(actor, "set up peer groups")
    today = _today(today)
    service_id = (service_id or "").strip()
    if not service_id or directory_selectors.service_for_page(service_id) is None:
        raise BefriendingRefused("Choose a service that is listed in the directory", "service_id")
    _check_lead(lead, today)
    group = PeerGroup.objects.create(
        name=_text(name, "name", "the group's name", required=True, limit=200),
        service_id=service_id,
        about=_text(about, "about", "what the group is about"),
        lead=lead,
        created_on=today,
    )
    record_audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=group,
        summary=f"Befriending: peer group {group.name} set up",
        request=request,
    )
    return group


@transaction.atomic
def set_lead(
    *,
    actor: User,
    group: PeerGroup,
    lead: Volunteer | None,
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> PeerGroup:
    _require_coordinator(actor, "choose a group's peer lead")
    _check_lead(lead, _today(today))
    group.lead = lead
    group.save(update_fields=["lead"])
    record_audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=group,
        subject=lead.user if lead else None,
        summary=f"Befriending: peer lead of {group.name} "
        + (f"is {lead.name}" if lead else "removed"),
        request=request,
    )
    return group


@transaction.atomic
def join_group(
    *,
    person: User,
    group: PeerGroup,
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Membership:
    if selectors.membership_of(person, group) is not None:
        raise BefriendingRefused("You are already a member of this group")
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                group=group, person=person, joined_on=_today(today)
            )
    except IntegrityError as err:
        raise BefriendingRefused("You are already a member of this group") from err
    record_audit(
        actor=person,
        action=AuditEvent.Action.CREATE,
        target=membership,
        subject=person,
        summary=f"Befriending: joined {group.name}",
        request=request,
    )
    return membership


@transaction.atomic
def leave_group(
    *,
    person: User,
    group: PeerGroup,
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Membership:
    membership = selectors.membership_of(person, group)
    if membership is None:
        raise BefriendingRefused("You are not a member of this group")
    membership.left_on = _today(today)
    membership.save(update_fields=["left_on"])
    record_audit(
        actor=person,
        action=AuditEvent.Action.UPDATE,
        target=membership,
        subject=person,
        summary=f"Befriending: left {group.name}",
        request=request,
    )
    return membership
