"""Reads for befriending: checks as the rules see them, the shortlist for a request, the
coordinator's lists, a person's own matches, a group's meeting details from the directory, and
befriending hours for the evidence pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet, Sum

from accounts.models import User
from befriending.models import (
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
from rules import safeguarding
from rules.befriending import checks as check_rules
from rules.befriending import matching

EXPIRING_DAYS = 30


def rule_checks(volunteer: Volunteer) -> list[safeguarding.Check]:
    return [safeguarding.Check(c.kind, c.checked_on, c.expires_on) for c in volunteer.checks.all()]


def befriender_gaps(volunteer: Volunteer, on: dt.date) -> list[str]:
    """Each check the volunteer lacks on ``on`` to befriend, in plain words."""
    return [g.reason for g in check_rules.befriender_gaps(rule_checks(volunteer), on)]


def peer_lead_gaps(volunteer: Volunteer, on: dt.date) -> list[str]:
    return [g.reason for g in check_rules.peer_lead_gaps(rule_checks(volunteer), on)]


def volunteer_of(user: Any) -> Volunteer | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Volunteer.objects.filter(user=user).first()


def open_matches(volunteer: Volunteer) -> QuerySet[Match]:
    return volunteer.matches.exclude(stage=Match.Stage.ENDED)


def as_rule_volunteer(volunteer: Volunteer, on: dt.date) -> matching.Volunteer:
    return matching.Volunteer(
        key=str(volunteer.pk),
        name=volunteer.name,
        interests=tuple(words(volunteer.interests)),
        languages=tuple(words(volunteer.languages)),
        times=frozenset(words(volunteer.times)),
        places=tuple(words(volunteer.places)),
        gender=volunteer.gender,
        check_gaps=tuple(befriender_gaps(volunteer, on)),
        befriending=open_matches(volunteer).count(),
        capacity=volunteer.capacity,
        active=volunteer.status == Volunteer.Status.ACTIVE,
    )


def as_wish(request: Request) -> matching.Wish:
    already = request.matches.exclude(stage=Match.Stage.ENDED).values_list(
        "volunteer_id", flat=True
    )
    return matching.Wish(
        interests=tuple(words(request.interests)),
        languages=tuple(words(request.languages)),
        times=frozenset(words(request.times)),
        place=request.place.strip(),
        gender_preference=request.gender_preference,
        already=frozenset(str(pk) for pk in already),
    )


def shortlist(request: Request, on: dt.date) -> matching.Shortlist:
    """Every volunteer, suggested with reasons or excluded with reasons (rules.befriending)."""
    volunteers = Volunteer.objects.prefetch_related("checks")
    return matching.shortlist(as_wish(request), [as_rule_volunteer(v, on) for v in volunteers])


def waiting_requests() -> QuerySet[Request]:
    """People waiting for a befriender with nobody suggested to them yet, oldest first (those with a
    suggestion waiting for answers are in :func:`proposed_matches`)."""
    return (
        Request.objects.filter(status=Request.Status.WAITING)
        .exclude(matches__stage=Match.Stage.PROPOSED)
        .order_by("received_on", "pk")
    )


def proposed_matches() -> QuerySet[Match]:
    return Match.objects.filter(stage=Match.Stage.PROPOSED).select_related("request", "volunteer")


def active_matches() -> QuerySet[Match]:
    return (
        Match.objects.filter(stage=Match.Stage.ACTIVE)
        .select_related("request", "volunteer")
        .prefetch_related("volunteer__checks")
    )


@dataclass(frozen=True)
class Paused:
    match: Match
    gaps: list[str]


def paused_matches(on: dt.date) -> list[Paused]:
    """Running matches whose befriender's checks have a gap on ``on``: no contact can be logged."""
    found = []
    for match in active_matches():
        gaps = befriender_gaps(match.volunteer, on)
        if gaps:
            found.append(Paused(match, gaps))
    return found


def unread_concerns() -> QuerySet[Contact]:
    return (
        Contact.objects.exclude(concern="")
        .filter(concern_read_on__isnull=True)
        .select_related("match__request", "match__volunteer")
        .order_by("on", "pk")
    )


@dataclass(frozen=True)
class Expiring:
    volunteer: Volunteer
    kind: str
    until: dt.date


def checks_expiring(on: dt.date, days: int = EXPIRING_DAYS) -> list[Expiring]:
    """DBS checks and training of active volunteers that run out within ``days`` of ``on`` (and
    have not been renewed), soonest first."""
    found = []
    busy = Volunteer.objects.filter(status=Volunteer.Status.ACTIVE).prefetch_related("checks")
    for volunteer in busy:
        recorded = rule_checks(volunteer)
        for kind in (check_rules.DBS, check_rules.TRAINING):
            until = safeguarding.valid_until(recorded, kind, on)
            if until is not None and on <= until <= on + dt.timedelta(days=days):
                found.append(Expiring(volunteer, Check.Kind(kind).label, until))
    return sorted(found, key=lambda e: (e.until, e.volunteer.name, e.volunteer.pk))


def matches_of(user: User) -> QuerySet[Match]:
    """Matches where ``user`` is the person or the befriender, newest first."""
    return (
        Match.objects.filter(Q(request__person=user) | Q(volunteer__user=user))
        .select_related("request", "volunteer")
        .order_by("-proposed_on", "-pk")
    )


def requests_of(user: User) -> QuerySet[Request]:
    return Request.objects.filter(person=user).order_by("-received_on", "-pk")


def volunteer_hours(start: dt.date, end: dt.date) -> int:
    """Minutes befrienders gave in contacts dated from ``start`` to ``end``, both days included."""
    total = Contact.objects.filter(on__gte=start, on__lte=end).aggregate(total=Sum("minutes"))
    return int(total["total"] or 0)


@dataclass(frozen=True)
class Meeting:
    """Where and when a group meets, as its directory listing says."""

    service_name: str
    service_id: str
    listed: bool
    times: list[str]
    places: list[str]


def _time(value: dt.time | None) -> str:
    if value is None:
        return ""
    if value.hour == 12 and value.minute == 0:
        return "midday"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


def meeting(group: PeerGroup) -> Meeting:
    """The group's meeting details from its directory service; ``listed`` is False (and the page
    says "Not known") when the service is not, or no longer, public."""
    service = directory_selectors.service_for_page(group.service_id)
    if service is None:
        return Meeting("Not known", group.service_id, False, [], [])
    times = []
    for s in service.schedules.all():
        text = ", ".join(s.day_names())
        if s.opens_at:
            text += f"{': ' if text else ''}{_time(s.opens_at)} to {_time(s.closes_at)}"
        if s.description:
            text += f"{' – ' if text else ''}{s.description}"
        if text:
            times.append(text)
    places = []
    for link in service.service_at_locations.all():
        location = link.location
        lines = [a.one_line() for a in location.addresses.all()]
        places.append(", ".join(part for part in [location.name, *lines] if part))
    return Meeting(service.name, str(service.pk), True, times, places)


def open_members(group: PeerGroup) -> QuerySet[Membership]:
    return group.memberships.filter(left_on__isnull=True).select_related("person")


def membership_of(user: Any, group: PeerGroup) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return group.memberships.filter(person=user, left_on__isnull=True).first()


def groups() -> QuerySet[PeerGroup]:
    return PeerGroup.objects.select_related("lead").prefetch_related("lead__checks")
