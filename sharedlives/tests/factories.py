"""Test helpers: an approved carer household with every check in date, and a complete referral."""

from __future__ import annotations

import datetime as dt
from typing import Any

from accounts.models import User
from accounts.roles import Role
from directory.tests import factories as f
from sharedlives.models import Carer, Referral
from sharedlives.services import carers, referrals

DAY = dt.date(2026, 12, 3)


def worker() -> User:
    return f.user(Role.SHARED_LIVES_WORKER)


def record_all_checks(actor: User, carer: Carer, day: dt.date = DAY) -> None:
    start = day - dt.timedelta(days=60)
    for adult in carer.adults.all():
        carers.record_check(
            actor=actor,
            carer=carer,
            kind="dbs_enhanced",
            adult=adult,
            checked_on=start,
            expires_on=start + dt.timedelta(days=3 * 365),
            today=day,
        )
    for n in range(2):
        carers.record_check(
            actor=actor,
            carer=carer,
            kind="reference",
            checked_on=start + dt.timedelta(days=n),
            today=day,
        )
    carers.record_check(
        actor=actor,
        carer=carer,
        kind="home_safety",
        checked_on=start,
        expires_on=start + dt.timedelta(days=365),
        today=day,
    )
    carers.record_check(actor=actor, carer=carer, kind="panel", checked_on=start, today=day)


def carer(
    actor: User, name: str = "The Ash household", approve: bool = True, **facts: Any
) -> Carer:
    base: dict[str, Any] = {
        "neighbourhood": "Millbrook",
        "languages": "English",
        "interests": "Gardening, Music",
        "step_free": True,
        "pets": False,
        "smoking": False,
        "offers_long_term": True,
        "places": 1,
    }
    base.update(facts)
    household = carers.add_carer(
        actor=actor,
        user=f.user(Role.CARER, display_name=f"{name} (carer)"),
        name=name,
        adults=["Ann Ash"],
        today=DAY - dt.timedelta(days=90),
        **base,
    )
    if approve:
        record_all_checks(actor, household)
        carers.approve_carer(actor=actor, carer=household, on=DAY - dt.timedelta(days=30))
    return household


def referral(actor: User, person: User | None = None, **answers: Any) -> Referral:
    base: dict[str, Any] = {
        "offer": "long_term",
        "about": "Likes a quiet house and Sunday dinners.",
        "needs_step_free": True,
        "needs_smoke_free": True,
        "allergic_to_pets": True,
        "languages": "English",
        "interests": "Gardening",
        "neighbourhoods": "Millbrook",
    }
    base.update(answers)
    return referrals.make_referral(
        actor=actor,
        person=person or f.user(Role.PERSON, display_name="Pat Example"),
        today=DAY - dt.timedelta(days=10),
        **base,
    )
