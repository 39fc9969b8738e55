"""Builders for befriending tests: each makes one valid record through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from accounts.models import User
from accounts.roles import Role
from befriending.models import Match, Request, Volunteer
from befriending.services import befriender_requests, matches, volunteers
from directory.tests import factories as f

TODAY = dt.date(2026, 6, 15)
MADE = dt.date(2026, 1, 5)


def volunteer_account(item: Volunteer) -> User:
    """The volunteer's account (the link is cleared only when the volunteer is erased)."""
    assert item.user is not None, "an erased volunteer has no account"
    return item.user


def person_account(item: Request) -> User:
    """The account of the person asking (cleared only when they are erased)."""
    assert item.person is not None, "an erased person has no account"
    return item.person


def coordinator() -> User:
    return f.user(Role.COORDINATOR)


def volunteer(*, checked: bool = True, by: User | None = None, **fields: Any) -> Volunteer:
    user = fields.pop("user", None) or f.user(Role.PERSON)
    fields.setdefault("name", user.get_full_name())
    fields.setdefault("interests", ["gardening", "music"])
    fields.setdefault("languages", ["English"])
    fields.setdefault("places", ["Millbrook"])
    fields.setdefault("times", ["mon-am", "thu-pm"])
    item = volunteers.apply_to_volunteer(user=user, today=MADE, **fields)
    if checked:
        record_all_checks(item, by=by or coordinator())
    return item


def record_all_checks(item: Volunteer, *, by: User, on: dt.date = MADE, skip: str = "") -> None:
    checks = [
        ("dbs_enhanced", on + dt.timedelta(days=3 * 365)),
        ("reference", None),
        ("reference", None),
        ("training", on + dt.timedelta(days=365)),
    ]
    if skip:
        checks.remove(next(c for c in checks if c[0] == skip))
    for kind, expires in checks:
        volunteers.record_check(
            actor=by, volunteer=item, kind=kind, checked_on=on, expires_on=expires, today=on
        )


def request(person: User | None = None, **fields: Any) -> Request:
    person = person or f.user(Role.PERSON)
    fields.setdefault("about", "A weekly chat over a cup of tea")
    fields.setdefault("interests", ["Gardening"])
    fields.setdefault("languages", ["English"])
    fields.setdefault("place", "Millbrook")
    fields.setdefault("times", ["mon-am"])
    fields.setdefault("today", TODAY - dt.timedelta(days=10))
    return befriender_requests.ask_for_befriender(actor=person, **fields)


def running_match(*, by: User | None = None, on: dt.date = TODAY - dt.timedelta(days=7)) -> Match:
    by = by or coordinator()
    v = volunteer(by=by)
    r = request()
    m = matches.propose_match(actor=by, request_=r, volunteer=v, today=on)
    matches.agree(actor=volunteer_account(v), match=m, today=on)
    return matches.agree(actor=person_account(r), match=m, today=on)
