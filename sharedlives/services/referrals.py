"""Referrals of people who need a Shared Lives placement: made, completed, closed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from accounts.models import AuditEvent, User
from sharedlives.models import Match, Offer, Referral
from sharedlives.services._common import (
    SharedLivesRefused,
    audit,
    checked_text,
    local_today,
    require_worker,
)

REFERRAL_FIELDS = (
    "offer",
    "about",
    "needs_step_free",
    "needs_smoke_free",
    "allergic_to_pets",
    "neighbourhoods",
    "faith",
    "faith_matters",
    "languages",
    "interests",
)


def _apply_referral_answers(referral: Referral, answers: dict[str, Any]) -> None:
    unknown = set(answers) - set(REFERRAL_FIELDS)
    if unknown:
        raise TypeError(f"Not referral answers: {sorted(unknown)}")
    for key, value in answers.items():
        if isinstance(value, str):
            value = checked_text(value, key, key.replace("_", " "))
        setattr(referral, key, value)
    if referral.offer and referral.offer not in Offer.values:
        raise SharedLivesRefused("Choose a long-term home, short breaks or day support", "offer")


@transaction.atomic
def make_referral(
    *,
    actor: User,
    person: User,
    today: dt.date | None = None,
    request: HttpRequest | None = None,
    **answers: Any,
) -> Referral:
    """Record a person who needs a placement. Answers may be incomplete: matching waits for them."""
    require_worker(actor)
    referral = Referral(person=person, worker=actor, received_on=today or local_today())
    _apply_referral_answers(referral, answers)
    referral.save()
    audit(actor, AuditEvent.Action.CREATE, referral, person, "referral made", request)
    return referral


@transaction.atomic
def update_referral(
    *, actor: User, referral: Referral, request: HttpRequest | None = None, **answers: Any
) -> Referral:
    require_worker(actor)
    _apply_referral_answers(referral, answers)
    referral.save()
    audit(
        actor,
        AuditEvent.Action.UPDATE,
        referral,
        referral.person,
        "referral details changed",
        request,
    )
    return referral


@transaction.atomic
def close_referral(
    *,
    actor: User,
    referral: Referral,
    reason: str,
    on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    require_worker(actor)
    reason = checked_text(reason, "reason", "why the referral is closing", required=True)
    if referral.matches.exclude(stage=Match.Stage.ENDED).exists():
        raise SharedLivesRefused("End the referral's open matches first", "reason")
    referral.status = Referral.Status.CLOSED
    referral.closed_on = on or local_today()
    referral.close_reason = reason
    referral.save()
    audit(actor, AuditEvent.Action.UPDATE, referral, referral.person, "referral closed", request)
    return referral
