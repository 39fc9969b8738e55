"""Demo content for the time bank: ``seed_demo(users_by_role)`` is called by the demo command.

It makes a few approved, fictional members (people, a community group and a partner museum) with
offers, a request with suggestions, confirmed exchanges, time credits issued and spent, a weekly
rota with a gap, and one application waiting for the demo coordinator. The demo person and carer
(if given) become members too, so their sign-ins show a balance and a statement. Running it again
changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, time, timedelta
from functools import partial
from typing import Protocol, TypeVar

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from directory import selectors as directory_selectors
from timebank.models import Member
from timebank.services.credits import issue_credits, redeem_credits
from timebank.services.exchanges import propose_exchange
from timebank.services.members import apply_to_join, approve_member, record_check
from timebank.services.offers import create_offer, create_request
from timebank.services.rotas import assign_to_rota, create_rota

PREFIX = "demo-tb-"
# username suffix -> (name, kind, offers (title, category-name words), availability)
PEOPLE = [
    (
        "alf",
        "Alf Fenwick (demo)",
        Member.Kind.PERSON,
        [("Lifts in my car", "transport")],
        ["tue-am", "thu-am"],
    ),
    (
        "mo",
        "Mo Okafor (demo)",
        Member.Kind.PERSON,
        [("Gardening and odd jobs", "home")],
        ["sat-am", "sat-pm"],
    ),
    (
        "jo",
        "Jo Lindqvist (demo)",
        Member.Kind.PERSON,
        [("Shopping and a cup of tea", "social")],
        ["mon-pm", "wed-pm"],
    ),
    (
        "knit",
        "Millbrook Knit and Natter (demo group)",
        Member.Kind.GROUP,
        [("Knitting circle", "social")],
        ["wed-pm"],
    ),
    (
        "museum",
        "Eastmere Museum (demo partner)",
        Member.Kind.VENUE,
        [("Museum visits", "learning")],
        ["sat-am"],
    ),
]
APPLICANT = ("sam", "Sam Whitlow (demo applicant)")


class _Named(Protocol):
    @property
    def name(self) -> str: ...


_T = TypeVar("_T")
_N = TypeVar("_N", bound=_Named)


def _named(terms: Sequence[_N], words: str) -> _N | None:
    """The first of ``terms`` whose name contains ``words``, else the first (None if none)."""
    for term in terms:
        if words.lower() in term.name.lower():
            return term
    return terms[0] if terms else None


def _user(suffix: str, name: str) -> User:
    user, created = User.objects.get_or_create(
        username=f"{PREFIX}{suffix}",
        defaults={"display_name": name, "email": f"{PREFIX}{suffix}@example.org"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _nth(items: Sequence[_T], i: int) -> _T | None:
    """The ``i``-th of ``items``, counting round again past the end (None if there are none)."""
    return items[i % len(items)] if items else None


def _member(user: User, coordinator: User, apply: Callable[[], Member]) -> Member:
    """``user``'s member, applying (``apply``) and approved by ``coordinator`` if need be."""
    member = Member.objects.filter(user=user).first()
    if member is None:
        member = apply()
    if member.status == Member.Status.APPLIED:
        member = approve_member(coordinator=coordinator, member=member)
    return member


@transaction.atomic
def seed_demo(users_by_role: dict[str, User]) -> None:
    coordinator = users_by_role.get("coordinator") or users_by_role.get("administrator")
    if coordinator is None:
        raise ValueError("seed_demo needs the demo coordinator (role 'coordinator').")
    if Member.objects.filter(user__username=f"{PREFIX}alf").exists():
        return
    hoods = list(directory_selectors.neighbourhoods()[:4])
    categories = list(directory_selectors.categories())

    members: dict[str, Member] = {}
    for i, (suffix, name, kind, offers, availability) in enumerate(PEOPLE):
        user = _user(suffix, name)
        members[suffix] = _member(
            user,
            coordinator,
            partial(
                apply_to_join,
                user=user,
                kind=kind,
                name=name,
                neighbourhood=_nth(hoods, i),
                availability=availability,
            ),
        )
        for title, words in offers:
            create_offer(member=members[suffix], title=title, category=_named(categories, words))
    for i, role in enumerate(("person", "carer")):
        person = users_by_role.get(role)
        if person is not None:
            members[role] = _member(
                person,
                coordinator,
                partial(
                    apply_to_join,
                    user=person,
                    kind=Member.Kind.PERSON,
                    name=person.get_full_name(),
                    neighbourhood=_nth(hoods, i + 1),
                    availability=[],
                ),
            )
    record_check(
        coordinator=coordinator,
        member=members["alf"],
        kind="dbs_enhanced",
        checked_on=timezone.localdate() - timedelta(days=300),
        expires_on=timezone.localdate() + timedelta(days=20),
        notes="Demo check (expires soon, so the coordinator is reminded)",
    )
    receiver = members.get("person") or members["jo"]
    request = create_request(
        member=receiver,
        title="A lift to the hospital on Tuesdays",
        category=_named(categories, "transport"),
        details="Outpatient appointments at 10:00, back by lunchtime.",
        access_needs="Uses a folding wheelchair.",
        times=["tue-am"],
    )

    def when(days_ago: int, hour: int) -> datetime:
        day = timezone.localdate() - timedelta(days=days_ago)
        return timezone.make_aware(datetime.combine(day, time(hour)))

    exchanges = [
        ("alf", receiver, 120, 20, 10, "Lift to the hospital and back"),
        ("mo", members["jo"], 90, 15, 10, "Weeding the front garden"),
        ("jo", members["mo"], 60, 10, 14, "Shopping trip"),
        ("knit", receiver, 120, 8, 14, "Knit and natter afternoon"),
        ("mo", receiver, 60, 5, 11, "Putting up shelves"),
    ]
    for i, (giver, to, minutes, days_ago, hour, what) in enumerate(exchanges):
        propose_exchange(
            by=coordinator,
            giver=members[giver],
            receiver=to,
            minutes=minutes,
            start=when(days_ago, hour),
            idempotency_key=f"demo:{i}",
            description=what,
            req=request if giver == "alf" else None,
            confirm=True,
        )
    issue_credits(
        by=coordinator,
        organisation=members["knit"],
        member=members["mo"],
        minutes=120,
        reason="Helping to run the knitting circle",
        idempotency_key="demo:credits",
    )
    redeem_credits(
        by=coordinator,
        member=members["mo"],
        partner=members["museum"],
        minutes=60,
        activity="A museum visit",
        idempotency_key="demo:museum",
    )
    today = timezone.localdate()
    first = today + timedelta(days=(1 - today.weekday()) % 7 or 7)
    rota = create_rota(
        coordinator=coordinator,
        title="Tuesday lift to the hospital",
        weekday=1,
        start_time=time(9, 30),
        duration_minutes=150,
        first_date=first,
        end_date=first + timedelta(weeks=78),
        receiver=receiver,
        req=request,
    )
    assign_to_rota(
        coordinator=coordinator, rota=rota, member=members["alf"], starting=first, every_weeks=2
    )
    assign_to_rota(
        coordinator=coordinator,
        rota=rota,
        member=members["mo"],
        starting=first + timedelta(weeks=1),
        every_weeks=2,
        until=first + timedelta(weeks=9),
    )
    applicant = _user(*APPLICANT)
    if not Member.objects.filter(user=applicant).exists():
        apply_to_join(
            user=applicant,
            name=APPLICANT[1],
            neighbourhood=_nth(hoods, 2),
            about="I can cook and would enjoy helping at lunch clubs.",
            availability=["fri-am"],
        )
