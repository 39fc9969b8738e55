"""People asking for a befriender, for themselves or referred by a coordinator."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.http import HttpRequest

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from befriending.models import (
    Request,
)
from befriending.services._common import (
    BefriendingRefused,
    checked_gender,
    checked_list,
    checked_text,
    checked_times,
    or_today,
    require_coordinator,
)


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
        require_coordinator(actor, "record a referral for someone else")
        referrer = checked_text(referrer, "referrer", "who referred them", required=True, limit=200)
    elif Request.objects.filter(person=person, status=Request.Status.WAITING).exists():
        raise BefriendingRefused(
            "You have already asked for a befriender: we will be in touch", "about"
        )
    item = Request.objects.create(
        person=person,
        name=checked_text(
            name or person.get_full_name(), "name", "their name", required=True, limit=200
        ),
        source=Request.Source.REFERRED if referred else Request.Source.SELF,
        referred_by=actor if referred else None,
        referrer=referrer if referred else "",
        about=checked_text(about, "about", "what they would like from a befriender", required=True),
        interests=checked_list(interests, "interests", "Interests", 500),
        languages=checked_list(languages, "languages", "Languages", 300),
        times=checked_times(times),
        place=checked_text(place, "place", "the area", limit=100),
        gender_preference=checked_gender(gender_preference, "gender_preference"),
        received_on=or_today(today),
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
