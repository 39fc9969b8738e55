"""What every Shared Lives service shares: the refusal people read, the scheme worker check, the
audit record, text checks, and whether a household can still be matched with a person on a day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from accounts.services import record_audit
from rules.sharedlives import matching
from sharedlives import access, selectors
from sharedlives.models import Match
from wellbeing_hub.form_attempts import Refused

TEXT_MAX = 2000


class SharedLivesRefused(Refused):
    """A change the rules do not allow. ``field`` is the form field to show it on; ``problems``
    lists each reason when there are several (every missing check, every exclusion)."""


def local_today() -> dt.date:
    return timezone.localdate()


def require_worker(actor: User) -> None:
    if not access.is_scheme_worker(actor):
        raise SharedLivesRefused("Only a Shared Lives scheme worker can do this", None)


def audit(
    actor: User | None,
    action: str,
    target: Any,
    subject: User | None,
    summary: str,
    request: HttpRequest | None,
) -> None:
    record_audit(
        actor=actor,
        action=action,
        target=target,
        subject=subject,
        summary=f"Shared Lives: {summary}"[:300],
        request=request,
    )


def checked_text(value: str, field: str, label: str, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise SharedLivesRefused(f"Enter {label}", field)
    if len(value) > TEXT_MAX:
        raise SharedLivesRefused(
            f"{label[0].upper()}{label[1:]} must be {TEXT_MAX} characters or fewer", field
        )
    return value


def still_suitable(match: Match, day: dt.date, field: str) -> None:
    """Refuse, naming each reason, when the household could not be matched with this person on
    ``day`` (approval or a check lapsed since the match was proposed, the home or the referral
    changed, or the last place was taken)."""
    needs = selectors.needs_of(match.referral)
    if needs is None:
        raise SharedLivesRefused(
            "Complete the referral first", field, selectors.referral_missing(match.referral)
        )
    reasons = matching.exclusions(selectors.carer_facts(match.carer), needs, day)
    if reasons:
        raise SharedLivesRefused(
            f"{match.carer.name} cannot be matched with this person on that day", field, reasons
        )
