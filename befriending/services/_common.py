"""What every befriending service shares: the refusal people read, text and list checks, the
coordinator check, the coordinators' email addresses and a match locked for a change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from accounts.models import User
from befriending import access
from befriending.models import (
    GENDER_CHOICES,
    Match,
    words,
)
from rules.befriending.matching import TIMES
from wellbeing_hub.form_attempts import Refused

TEXT_MAX = 5000


class BefriendingRefused(Refused):
    """A change befriending's rules do not allow; ``field`` names the form field to show it on."""


def or_today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def checked_text(
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


def checked_list(values: Iterable[str], field: str, label: str, limit: int) -> str:
    text = ", ".join(words(", ".join(values)))
    if len(text) > limit:
        raise BefriendingRefused(f"{label} must be {limit} characters or fewer in all", field)
    return text


def checked_times(values: Iterable[str]) -> str:
    chosen = list(dict.fromkeys(values))
    if any(code not in TIMES for code in chosen):
        raise BefriendingRefused("Choose times from the list", "times")
    return ",".join(code for code in TIMES if code in chosen)


def checked_gender(value: str, field: str) -> str:
    if value not in dict(GENDER_CHOICES):
        raise BefriendingRefused("Choose from the list", field)
    return value


def require_coordinator(user: User, doing: str) -> None:
    if not access.is_coordinator(user):
        raise BefriendingRefused(f"Only a befriending coordinator can {doing}")


def coordinator_emails() -> list[str]:
    return sorted(
        set(
            User.objects.filter(
                groups__name__in=access.COORDINATING_ROLES, is_active=True
            ).values_list("email", flat=True)
        )
        - {""}
    )


def locked(match: Match) -> Match:
    return Match.objects.select_for_update().select_related("request", "volunteer").get(pk=match.pk)
