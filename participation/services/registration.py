"""Registering to vote: who is eligible (where they live and how old they are), registering, and
staff deciding registrations that need checking."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from participation.models import (
    AgeBand,
    Phase,
    Round,
    VoterParticipation,
    VoterRegistration,
)
from participation.permissions import may_decide_registration
from participation.services._common import (
    ParticipationError,
    _require_staff,
    eligible_neighbourhoods,
)

if TYPE_CHECKING:
    # Only a type: the neighbourhoods themselves are read through directory.selectors.
    from directory.models import Neighbourhood

# --- voter registration ----------------------------------------------------------------------------

AGE_BAND_LIMITS: dict[str, tuple[int, int | None]] = {
    AgeBand.B11: (11, 15),
    AgeBand.B16: (16, 17),
    AgeBand.B18: (18, 24),
    AgeBand.B25: (25, 34),
    AgeBand.B35: (35, 49),
    AgeBand.B50: (50, 64),
    AgeBand.B65: (65, 79),
    AgeBand.B80: (80, None),
}


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def age_band_for(age: int) -> str:
    for band, (low, high) in AGE_BAND_LIMITS.items():
        if age >= low and (high is None or age <= high):
            return band
    return ""


def check_eligibility(
    round_: Round,
    neighbourhood: Neighbourhood,
    date_of_birth: date | None,
    age_band: str,
    today: date | None = None,
) -> None:
    if neighbourhood not in eligible_neighbourhoods(round_):
        raise ParticipationError(
            f"People living in {neighbourhood} cannot vote in this round.", "neighbourhood"
        )
    on = max(round_.voting_open, today or timezone.localdate())
    if date_of_birth is not None:
        if date_of_birth > (today or timezone.localdate()):
            raise ParticipationError("The date of birth must be in the past.", "date_of_birth")
        if age_on(date_of_birth, on) < round_.min_age:
            raise ParticipationError(
                f"You need to be {round_.min_age} or over to vote in this round.", "date_of_birth"
            )
        return
    if not age_band:
        raise ParticipationError("Give your date of birth or your age group.", "age_band")
    low, high = AGE_BAND_LIMITS[age_band]
    if high is not None and high < round_.min_age:
        raise ParticipationError(
            f"You need to be {round_.min_age} or over to vote in this round.", "age_band"
        )
    if low < round_.min_age:
        raise ParticipationError(
            f"The age group {AgeBand(age_band).label} includes people under {round_.min_age}: "
            "give your date of birth instead.",
            "date_of_birth",
        )


@transaction.atomic
def register_voter(
    *,
    round_: Round,
    user: User,
    neighbourhood: Neighbourhood,
    date_of_birth: date | None = None,
    age_band: str = "",
    approved_by: User | None = None,
    request: HttpRequest | None = None,
) -> VoterRegistration:
    """Register to vote. Self-declared rounds approve at once; others wait for staff."""
    round_ = Round.objects.get(pk=round_.pk)
    if round_.phase in (Phase.COUNTING, Phase.RESULTS):
        raise ParticipationError("Voting has closed for this round.")
    check_eligibility(round_, neighbourhood, date_of_birth, age_band)
    existing = VoterRegistration.objects.filter(round=round_, user=user).first()
    if existing and VoterParticipation.objects.filter(round=round_, user=user).exists():
        raise ParticipationError("You have already voted, so your registration cannot change.")
    approved = round_.registration_rule == "self-declared" or approved_by is not None
    registration = existing or VoterRegistration(round=round_, user=user)
    registration.neighbourhood = neighbourhood
    registration.date_of_birth = date_of_birth
    registration.age_band = "" if date_of_birth else age_band
    registration.status = (
        VoterRegistration.Status.APPROVED if approved else VoterRegistration.Status.PENDING
    )
    registration.decided_by = approved_by
    registration.save()
    record_audit(
        actor=approved_by or user,
        action=AuditEvent.Action.CREATE if existing is None else AuditEvent.Action.UPDATE,
        target=registration,
        subject=user,
        summary=f"Registered to vote in {round_.title} ({registration.get_status_display()})",
        request=request,
    )
    return registration


@transaction.atomic
def decide_registration(
    *, registration: VoterRegistration, by: User, approve: bool, request: HttpRequest | None = None
) -> VoterRegistration:
    _require_staff(by)
    registration = VoterRegistration.objects.select_for_update().get(pk=registration.pk)
    if not may_decide_registration(by, registration):
        raise ParticipationError("Someone else must decide on your own registration.")
    registration.status = (
        VoterRegistration.Status.APPROVED if approve else VoterRegistration.Status.REFUSED
    )
    registration.decided_by = by
    registration.save(update_fields=["status", "decided_by"])
    record_audit(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        target=registration,
        subject=registration.user,
        summary=f"Voter registration {registration.get_status_display().lower()}",
        request=request,
    )
    return registration
