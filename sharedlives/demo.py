"""Demo content for Shared Lives: ``seed_demo(users_by_role)`` is called by the demo command.

Everything here is made up, and says so: households named "(demo)", accounts ``demo-sl-…`` with
``example.org`` addresses and no password. It makes:

- four approved carer households with their checks (one of them the demo carer's own, so that
  sign-in shows the carer's page), one whose home safety check has lapsed (so the shortlist shows a
  lapsed check as a reason), and one still being assessed with checks missing;
- a complete referral for the demo person, with a match proposed and waiting for both answers (so
  the person's easy-read page has something to say yes or no to) and the rest of the shortlist;
- a referral with answers missing;
- a placement that started 20 weeks ago (so the evidence pages have a cost to show) and one that
  ended after a trial stay, with the person asking for a new match.

Running it again changes nothing. Neighbourhood names come from the demo area when it has them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from directory import selectors as directory_selectors
from sharedlives.models import Carer
from sharedlives.services import carers, introductions, matches, placements, referrals

PREFIX = "demo-sl-"

# key -> (household name, adults, facts); {0}, {1}… are neighbourhood names
HOUSEHOLDS: list[tuple[str, str, list[str], dict[str, Any]]] = [
    (
        "hazel",
        "The Hazelwood household (demo)",
        ["Rita Hazelwood (demo)", "Dev Hazelwood (demo)"],
        {
            "neighbourhood": "{0}",
            "household": "Rita and Dev, and their grown-up son who visits at weekends.",
            "skills": "Cooking, Budgeting",
            "interests": "Gardening, Music, Football",
            "languages": "English, Punjabi",
            "faith": "Sikh",
            "step_free": True,
            "pets": False,
            "smoking": False,
            "offers_long_term": True,
            "offers_short_breaks": True,
            "places": 2,
        },
    ),
    (
        "okoro",
        "The Okoro household (demo)",
        ["Grace Okoro (demo)"],
        {
            "neighbourhood": "{1}",
            "household": "Grace lives alone with her cat.",
            "skills": "Nursing, Baking",
            "interests": "Baking, Church choir, Music",
            "languages": "English, Yoruba",
            "faith": "Christian",
            "step_free": True,
            "pets": True,
            "smoking": False,
            "offers_long_term": True,
            "places": 1,
        },
    ),
    (
        "lind",
        "The Lindgren household (demo)",
        ["Per Lindgren (demo)", "Ola Lindgren (demo)"],
        {
            "neighbourhood": "{0}",
            "household": "Per and Ola, and two teenagers.",
            "skills": "Driving, Woodwork",
            "interests": "Walking, Football, Board games",
            "languages": "English, Swedish",
            "step_free": False,
            "pets": False,
            "smoking": False,
            "offers_long_term": True,
            "offers_day_support": True,
            "places": 1,
        },
    ),
    (
        "moss",
        "The Moss household (demo)",
        ["June Moss (demo)"],
        {
            "neighbourhood": "{2}",
            "household": "June, retired.",
            "skills": "Sewing",
            "interests": "Gardening, Knitting",
            "languages": "English",
            "step_free": True,
            "pets": False,
            "smoking": False,
            "offers_long_term": True,
            "offers_short_breaks": True,
            "places": 1,
        },
    ),
]
APPLICANT = (
    "fern",
    "The Fernley household (demo applicant)",
    ["Sam Fernley (demo)"],
    {
        "neighbourhood": "{1}",
        "interests": "Music",
        "languages": "English",
        "offers_short_breaks": True,
    },
)


def _account(suffix: str, name: str, role: str = Role.PERSON) -> User:
    user, created = User.objects.get_or_create(
        username=f"{PREFIX}{suffix}",
        defaults={
            "display_name": name,
            "first_name": name.split()[0],
            "email": f"{PREFIX}{suffix}@example.org",
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _facts(facts: dict[str, Any], hoods: list[str]) -> dict[str, Any]:
    return {k: v.format(*hoods) if isinstance(v, str) else v for k, v in facts.items()}


def _checks(worker: User, carer: Carer, start: dt.date, today: dt.date) -> None:
    """Every check a household needs, made from ``start``; the home safety check is renewed a
    year later, as schemes do each year."""
    for adult in carer.adults.all():
        carers.record_check(
            actor=worker,
            carer=carer,
            kind="dbs_enhanced",
            adult=adult,
            checked_on=start,
            expires_on=start + dt.timedelta(days=3 * 365),
            note="Demo: not a real certificate",
            today=today,
        )
    carers.record_check(actor=worker, carer=carer, kind="reference", checked_on=start, today=today)
    carers.record_check(
        actor=worker,
        carer=carer,
        kind="reference",
        checked_on=start + dt.timedelta(days=3),
        today=today,
    )
    for year in (0, 1):
        made = start + dt.timedelta(days=365 * year)
        if made <= today:
            carers.record_check(
                actor=worker,
                carer=carer,
                kind="home_safety",
                checked_on=made,
                expires_on=made + dt.timedelta(days=365),
                today=today,
            )
    carers.record_check(
        actor=worker,
        carer=carer,
        kind="panel",
        checked_on=start + dt.timedelta(days=14),
        today=today,
    )


@transaction.atomic
def seed_demo(users_by_role: dict[str, User]) -> None:
    worker = users_by_role.get(Role.SHARED_LIVES_WORKER)
    if worker is None:
        raise ValueError(
            "seed_demo needs the demo Shared Lives worker (role 'shared_lives_worker')."
        )
    if Carer.objects.filter(user__username=f"{PREFIX}hazel").exists():
        return
    today = timezone.localdate()
    hoods = [n.name for n in directory_selectors.neighbourhoods()[:3]]
    hoods += ["Millbrook (demo)", "Eastmere (demo)", "Northgate (demo)"][len(hoods) :]
    start = today - dt.timedelta(days=400)

    households: dict[str, Carer] = {}
    for key, name, adults, facts in HOUSEHOLDS:
        households[key] = carers.add_carer(
            actor=worker,
            user=_account(key, name.replace("The ", "").replace(" household", "")),
            name=name,
            adults=adults,
            today=start,
            **_facts(facts, hoods),
        )
        _checks(worker, households[key], start, today)
        carers.approve_carer(actor=worker, carer=households[key], on=start + dt.timedelta(days=20))
    # The Moss household's renewed home safety check ran out 5 days ago (made-up history).
    households["moss"].checks.filter(kind="home_safety").update(
        expires_on=today - dt.timedelta(days=5)
    )

    demo_carer = users_by_role.get(Role.CARER)
    if demo_carer is not None and not Carer.objects.filter(user=demo_carer).exists():
        own = carers.add_carer(
            actor=worker,
            user=demo_carer,
            name="The Sample household (demo)",
            adults=["Chris Sample (demo)"],
            today=start,
            **_facts(
                {
                    "neighbourhood": "{2}",
                    "interests": "Gardening, Cooking",
                    "languages": "English",
                    "step_free": True,
                    "pets": False,
                    "smoking": False,
                    "offers_long_term": True,
                    "offers_short_breaks": True,
                    "places": 1,
                },
                hoods,
            ),
        )
        _checks(worker, own, start, today)
        carers.approve_carer(actor=worker, carer=own, on=start + dt.timedelta(days=20))
        households["own"] = own

    key, name, adults, facts = APPLICANT
    applicant = carers.add_carer(
        actor=worker,
        user=_account(key, name),
        name=name,
        adults=adults,
        today=today - dt.timedelta(days=12),
        **_facts(facts, hoods),
    )
    carers.record_check(
        actor=worker,
        carer=applicant,
        kind="reference",
        checked_on=today - dt.timedelta(days=5),
        today=today,
    )

    # The demo person: complete, with a match waiting for both answers.
    person = users_by_role.get(Role.PERSON) or _account("pat", "Pat Demo (demo person)")
    referral = referrals.make_referral(
        actor=worker,
        person=person,
        today=today - dt.timedelta(days=9),
        offer="long_term",
        about="Made-up demo referral. Wants a calm home with a garden; likes routine and Sunday dinners.",
        needs_step_free=True,
        needs_smoke_free=True,
        allergic_to_pets=True,
        languages="English",
        interests="Gardening, Music",
        neighbourhoods=hoods[0],
    )
    target = households.get("own") or households["hazel"]
    matches.propose_match(
        actor=worker, referral=referral, carer=target, on=today - dt.timedelta(days=2)
    )

    # A referral with answers missing.
    referrals.make_referral(
        actor=worker,
        person=_account("robin", "Robin Example (demo)"),
        today=today - dt.timedelta(days=3),
        offer="day_support",
        about="Made-up demo referral: looking for day support two days a week.",
    )

    # A placement that started 20 weeks ago, after an introduction, a visit and a trial stay.
    placed_person = _account("alex", "Alex Example (demo)")
    began = today - dt.timedelta(weeks=20)
    placed_ref = referrals.make_referral(
        actor=worker,
        person=placed_person,
        today=began - dt.timedelta(days=60),
        offer="long_term",
        about="Made-up demo referral: moving on from supported living.",
        needs_step_free=False,
        needs_smoke_free=True,
        allergic_to_pets=False,
        languages="English, Yoruba",
        interests="Music, Baking",
        neighbourhoods=hoods[1],
        faith="Christian",
        faith_matters=True,
    )
    match = matches.propose_match(
        actor=worker,
        referral=placed_ref,
        carer=households["okoro"],
        on=began - dt.timedelta(days=45),
    )
    matches.answer(
        actor=worker, match=match, side="person", agree=True, on=began - dt.timedelta(days=44)
    )
    matches.answer(
        actor=worker, match=match, side="carer", agree=True, on=began - dt.timedelta(days=43)
    )
    introductions.record_event(
        actor=worker, match=match, kind="introduction", on=began - dt.timedelta(days=40)
    )
    introductions.record_event(
        actor=worker, match=match, kind="visit", on=began - dt.timedelta(days=30)
    )
    introductions.record_event(
        actor=worker,
        match=match,
        kind="trial_stay",
        on=began - dt.timedelta(days=14),
        until=began - dt.timedelta(days=12),
    )
    placements.start_placement(actor=worker, match=match, started_on=began)

    # A match that ended after a trial stay; the person asked for a new match.
    sky = _account("sky", "Sky Example (demo)")
    sky_ref = referrals.make_referral(
        actor=worker,
        person=sky,
        today=today - dt.timedelta(days=70),
        offer="long_term",
        about="Made-up demo referral: wants to live near their sister.",
        needs_step_free=False,
        needs_smoke_free=False,
        allergic_to_pets=False,
        languages="English",
        interests="Football, Board games",
        neighbourhoods=hoods[0],
    )
    ended = matches.propose_match(
        actor=worker, referral=sky_ref, carer=households["lind"], on=today - dt.timedelta(days=60)
    )
    matches.answer(
        actor=worker, match=ended, side="person", agree=True, on=today - dt.timedelta(days=58)
    )
    matches.answer(
        actor=worker, match=ended, side="carer", agree=True, on=today - dt.timedelta(days=57)
    )
    introductions.record_event(
        actor=worker, match=ended, kind="introduction", on=today - dt.timedelta(days=50)
    )
    introductions.record_event(
        actor=worker,
        match=ended,
        kind="trial_stay",
        on=today - dt.timedelta(days=30),
        until=today - dt.timedelta(days=28),
    )
    matches.end_match(
        actor=sky,
        match=ended,
        side="person",
        reason="The house was too busy for me.",
        new_match_wanted=True,
        on=today - dt.timedelta(days=25),
    )
