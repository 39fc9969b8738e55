"""What may be logged on a befriending match, and the hours befrienders gave.

A contact (a visit, a call, a letter) is logged against a running match. It is refused, with the
field to fix and how, when it is dated in the future, before the match started, after the planned
last meeting of a match that is ending, or on a day the befriender's safeguarding checks do not
cover. The last is the **pause**: when a check lapses during a match, the match is not ended (an
abrupt ending harms the person), but no contact on a day after the lapse can be logged until the
coordinator records a new check; the coordinator sees the paused match on their worklist.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from rules.ledger.formatting import format_date

MAX_MINUTES = 12 * 60
"""The longest contact that can be logged at once: 12 hours."""


@dataclass(frozen=True)
class Refusal:
    field: str
    message: str


def contact_refusal(
    *,
    on: date,
    minutes: int,
    today: date,
    started_on: date | None,
    last_meeting_on: date | None,
    check_gaps: Iterable[str],
) -> Refusal | None:
    """Why a contact on ``on`` lasting ``minutes`` cannot be logged, or ``None`` if it can."""
    if on > today:
        return Refusal("on", "The date of the contact must be today or in the past")
    if started_on is None:
        return Refusal("on", "The match has not started: both sides must agree first")
    if on < started_on:
        return Refusal(
            "on",
            f"The date of the contact must be on or after the match started ({format_date(started_on)})",
        )
    if last_meeting_on is not None and on > last_meeting_on:
        return Refusal(
            "on",
            f"The match ended with the last meeting on {format_date(last_meeting_on)}: "
            "the date of the contact must be on or before it",
        )
    if not 1 <= minutes <= MAX_MINUTES:
        return Refusal("minutes", f"Minutes must be between 1 and {MAX_MINUTES}")
    gaps = list(check_gaps)
    if gaps:
        return Refusal(
            "on",
            f"Contacts are paused: the befriender's checks do not cover {format_date(on)} ("
            + " ".join(gaps)
            + ") Ask the coordinator to record a new check",
        )
    return None


def minutes_between(contacts: Iterable[tuple[date, int]], start: date, end: date) -> int:
    """Total minutes of contacts dated from ``start`` to ``end``, both days included."""
    return sum(minutes for on, minutes in contacts if start <= on <= end)
