"""What every outcomes service shares: the refusal people read, today's date, the audit record, the
person's profile and the date check."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from accounts.services import record_audit
from outcomes.models import (
    Profile,
)
from wellbeing_hub.form_attempts import Refused


class OutcomesRefused(Refused):
    """A write refused for a reason the person can fix; ``field`` names the form field (views
    show it there with ``wellbeing_hub.form_attempts.attempt``)."""


def today() -> dt.date:
    return timezone.localdate()


def _audit(
    actor: User, action: str, target: Any, person: User, summary: str, request: HttpRequest | None
) -> None:
    record_audit(
        actor=actor, action=action, target=target, subject=person, summary=summary, request=request
    )


def _on_behalf(actor: User, person: User) -> str:
    return "" if actor.pk == person.pk else f" (by {actor.get_full_name()} for them)"


def profile_for(person: User) -> Profile:
    profile, _ = Profile.objects.get_or_create(person=person)
    return profile


def _check_date(value: dt.date, field: str, earliest: dt.date | None = None) -> None:
    if value > today():
        raise OutcomesRefused("The date must be today or in the past", field=field)
    if earliest is not None and value < earliest:
        raise OutcomesRefused(f"The date must be on or after {earliest:%-d %B %Y}", field=field)
