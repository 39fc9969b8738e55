"""Carer households: assessment (details, adults, dated checks), approval and withdrawal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from accounts.models import AuditEvent, User
from sharedlives import selectors
from sharedlives.models import Carer, CarerCheck, HouseholdAdult, Match
from sharedlives.services._common import (
    SharedLivesRefused,
    audit,
    checked_text,
    local_today,
    require_worker,
)

CARER_FIELDS = (
    "name",
    "household",
    "neighbourhood",
    "skills",
    "interests",
    "faith",
    "languages",
    "step_free",
    "pets",
    "smoking",
    "offers_long_term",
    "offers_short_breaks",
    "offers_day_support",
    "places",
)


@transaction.atomic
def add_carer(
    *,
    actor: User,
    user: User,
    name: str,
    adults: Sequence[str] = (),
    today: dt.date | None = None,
    request: HttpRequest | None = None,
    **facts: Any,
) -> Carer:
    """Start assessing a carer household; ``adults`` are the names of the adults who live there."""
    require_worker(actor)
    if Carer.objects.filter(user=user).exists():
        raise SharedLivesRefused("This account already belongs to a carer household", "user")
    carer = Carer(user=user, name=checked_text(name, "name", "the household's name", required=True))
    carer.created_on = today or local_today()
    _apply_carer_facts(carer, facts)
    carer.save()
    for adult in adults:
        if adult.strip():
            HouseholdAdult.objects.create(carer=carer, name=adult.strip()[:200])
    audit(
        actor,
        AuditEvent.Action.CREATE,
        carer,
        user,
        "carer household added for assessment",
        request,
    )
    return carer


def _apply_carer_facts(carer: Carer, facts: dict[str, Any]) -> None:
    unknown = set(facts) - set(CARER_FIELDS)
    if unknown:
        raise TypeError(f"Not carer facts: {sorted(unknown)}")
    for key, value in facts.items():
        if isinstance(value, str):
            value = checked_text(value, key, key.replace("_", " "))
        setattr(carer, key, value)
    if carer.places is None or int(carer.places) < 1:
        raise SharedLivesRefused(
            "Enter how many people the household can support, 1 or more", "places"
        )


@transaction.atomic
def update_carer(
    *, actor: User, carer: Carer, request: HttpRequest | None = None, **facts: Any
) -> Carer:
    require_worker(actor)
    if "name" in facts:
        facts["name"] = checked_text(facts["name"], "name", "the household's name", required=True)
    _apply_carer_facts(carer, facts)
    carer.save()
    audit(
        actor,
        AuditEvent.Action.UPDATE,
        carer,
        carer.user,
        "carer household details changed",
        request,
    )
    return carer


@transaction.atomic
def add_adult(
    *, actor: User, carer: Carer, name: str, request: HttpRequest | None = None
) -> HouseholdAdult:
    require_worker(actor)
    adult = HouseholdAdult.objects.create(
        carer=carer, name=checked_text(name, "name", "the adult's name", required=True)[:200]
    )
    audit(
        actor, AuditEvent.Action.UPDATE, carer, carer.user, "adult added to the household", request
    )
    return adult


@transaction.atomic
def record_check(
    *,
    actor: User,
    carer: Carer,
    kind: str,
    checked_on: dt.date,
    expires_on: dt.date | None = None,
    adult: HouseholdAdult | None = None,
    note: str = "",
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> CarerCheck:
    require_worker(actor)
    if kind not in CarerCheck.Kind.values:
        raise SharedLivesRefused("Choose which check this is", "kind")
    if checked_on > (today or local_today()):
        raise SharedLivesRefused("The date of the check cannot be in the future", "checked_on")
    if expires_on is not None and expires_on < checked_on:
        raise SharedLivesRefused(
            "The expiry date must be on or after the date of the check", "expires_on"
        )
    if kind == CarerCheck.Kind.DBS_ENHANCED:
        if adult is None or adult.carer_id != carer.pk:
            raise SharedLivesRefused(
                "Choose the adult in this household the DBS check is for", "adult"
            )
        if expires_on is None:
            raise SharedLivesRefused("Enter when the DBS check must be renewed", "expires_on")
    elif adult is not None:
        adult = None  # only a DBS check is about one adult
    if kind == CarerCheck.Kind.HOME_SAFETY and expires_on is None:
        raise SharedLivesRefused("Enter when the home safety check is due again", "expires_on")
    check = CarerCheck.objects.create(
        carer=carer,
        kind=kind,
        adult=adult,
        checked_on=checked_on,
        expires_on=expires_on,
        note=checked_text(note, "note", "the note")[:300],
        recorded_by=actor,
    )
    who = f" for {adult.name}" if adult else ""
    audit(
        actor,
        AuditEvent.Action.UPDATE,
        carer,
        carer.user,
        f"{check.get_kind_display()}{who} recorded",
        request,
    )
    return check


@transaction.atomic
def approve_carer(
    *, actor: User, carer: Carer, on: dt.date | None = None, request: HttpRequest | None = None
) -> Carer:
    """Approve the household from ``on``; refused, naming each gap, while any check is missing or
    out of date on that day."""
    require_worker(actor)
    day = on or local_today()
    if carer.status == Carer.Status.APPROVED:
        raise SharedLivesRefused("This household is already approved", None)
    problems = [gap.reason for gap in selectors.approval_gaps(carer, day)]
    if problems:
        raise SharedLivesRefused(
            "The household cannot be approved until every check is in date", "checks", problems
        )
    carer.status = Carer.Status.APPROVED
    carer.approved_on = day
    carer.approved_by = actor
    carer.save()
    audit(actor, AuditEvent.Action.UPDATE, carer, carer.user, "carer household approved", request)
    return carer


@transaction.atomic
def withdraw_carer(
    *, actor: User, carer: Carer, reason: str, request: HttpRequest | None = None
) -> Carer:
    require_worker(actor)
    reason = checked_text(reason, "reason", "why the household is no longer caring", required=True)
    if carer.matches.filter(stage=Match.Stage.PLACED).exists():
        raise SharedLivesRefused("End the household's placements first", "reason")
    carer.status = Carer.Status.WITHDRAWN
    carer.save()
    audit(
        actor,
        AuditEvent.Action.UPDATE,
        carer,
        carer.user,
        f"no longer a carer. Reason: {reason}",
        request,
    )
    return carer
