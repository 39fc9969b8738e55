"""Builders for time bank test data."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from directory.tests import factories as f
from timebank.models import Exchange, Member
from timebank.services.exchanges import confirm_exchange, propose_exchange
from timebank.services.members import apply_to_join, approve_member

_keys = itertools.count(1)


def coordinator() -> User:
    return f.user(Role.COORDINATOR)


def member(
    *, approved: bool = True, by: User | None = None, kind: str = Member.Kind.PERSON, **fields: Any
) -> Member:
    user = f.user(Role.PERSON)
    m = apply_to_join(user=user, kind=kind, name=fields.pop("name", ""), **fields)
    if approved:
        approve_member(coordinator=by or coordinator(), member=m)
    m.refresh_from_db()
    return m


def at(days: int = -1, hour: int = 10) -> datetime:
    """An aware local datetime ``days`` from today at ``hour``."""
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, datetime.min.time().replace(hour=hour)))


def _ended_by_now(start: datetime, minutes: int) -> datetime:
    """``start``, or earlier when help that long would still be going on now: help can only be
    confirmed once it has ended, and yesterday at 18:00 plus ten hours is still the future just
    after midnight."""
    return min(start, timezone.now() - timedelta(minutes=minutes, seconds=1))


def key() -> str:
    return f"test-{next(_keys)}"


def exchange(
    giver: Member,
    receiver: Member,
    minutes: int = 60,
    *,
    start: datetime | None = None,
    confirm: bool = True,
    by: User | None = None,
    **kw: Any,
) -> Exchange:
    """Proposed by the giver, then confirmed by the receiver (unless ``confirm`` is false)."""
    x = propose_exchange(
        by=by or giver.user,
        giver=giver,
        receiver=receiver,
        minutes=minutes,
        start=start or _ended_by_now(at(-1, 10 + next(_keys) % 10), minutes),
        idempotency_key=kw.pop("idempotency_key", key()),
        **kw,
    )
    if confirm:
        x = confirm_exchange(by=receiver.user, exchange=x)
    return x
