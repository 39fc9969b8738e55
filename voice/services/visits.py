"""Pairing two of a quality check's experts for a visit."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from voice.models import CheckExpert, ExpertByExperience, QualityCheck, VisitPair
from voice.services._common import (
    VoiceRefused,
    _clean,
    _expert_name,
    _lock_check,
    _require_moderator,
)


@transaction.atomic
def record_visit_pair(
    *,
    lead: User,
    check: QualityCheck,
    first: int | str | None,
    second: int | str | None,
    visit_on: dt.date,
    place: str,
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> VisitPair:
    """Pair two of a check's experts for a visit on a date to a place or part of the service.

    Refuses a pair of one person with themselves, anyone who is not an expert on this check,
    and an expert whose training is not recorded on or before the visit date."""
    _require_moderator(lead)
    check = _lock_check(check)
    if check.state != QualityCheck.State.OPEN:
        raise VoiceRefused("The report is published: visits can no longer be paired", "first")
    places: list[CheckExpert] = []
    for field, wanted in (("first", first), ("second", second)):
        found = (
            check.experts.select_related("expert").filter(pk=int(str(wanted))).first()
            if str(wanted or "").isdigit()
            else None
        )
        if found is None:
            message = (
                "Select the first expert from the experts on this check"
                if field == "first"
                else "Select the second expert from the experts on this check"
            )
            raise VoiceRefused(message, field)
        places.append(found)
    one, other = places
    if one.pk == other.pk:
        raise VoiceRefused(
            f"Select two different experts: {_expert_name(one)} cannot be paired with themselves",
            "second",
        )
    place = _clean(place, "place", "the place or part of the service they visit", 200)
    for field, member in (("first", one), ("second", other)):
        if member.expert is None:
            raise VoiceRefused(
                f"{_expert_name(member)} can no longer visit: their account was erased", field
            )
        trained = ExpertByExperience.objects.filter(user=member.expert).first()
        if trained is None:
            raise VoiceRefused(
                f"{_expert_name(member)} has no training as an expert by experience recorded. "
                "Add their training to the register of experts first",
                field,
            )
        if trained.trained_on > visit_on:
            raise VoiceRefused(
                f"{_expert_name(member)} finished their training on "
                f"{trained.trained_on:%d/%m/%Y}, after this visit. Choose a visit date on or "
                "after their training, or another expert",
                "visit_on",
            )
    one, other = sorted((one, other), key=lambda p: p.pk)
    if VisitPair.objects.filter(
        quality_check=check, first=one, second=other, visit_on=visit_on, place=place
    ).exists():
        raise VoiceRefused(
            f"{one.label} and {other.label} are already paired to visit ‘{place}’ on "
            f"{visit_on:%d/%m/%Y}",
            "second",
        )
    pair = VisitPair.objects.create(
        quality_check=check,
        first=one,
        second=other,
        visit_on=visit_on,
        place=place,
        recorded_by=lead,
        recorded_at=now or timezone.now(),
    )
    for member in (one, other):
        record_audit(
            actor=lead,
            action=AuditEvent.Action.CREATE,
            target=pair,
            subject=member.expert,
            summary=(
                f"Voice: {one.label} and {other.label} paired to visit {place} on {visit_on} "
                f"(quality check {check.reference})"
            ),
            request=request,
        )
    return pair
