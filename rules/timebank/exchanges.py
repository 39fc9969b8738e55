"""Refuse an exchange that would double-book a member.

Times are half-open ranges: an exchange ending at 11:00 and one starting at 11:00 do not overlap.
Only booked exchanges (confirmed or completed) hold a member's time; proposed, cancelled and
no-show exchanges do not. A member is busy in an exchange whether giving or receiving.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from rules.ledger.formatting import format_date
from rules.timebank.availability import WEEKDAYS
from rules.timebank.errors import InvalidSlot, SlotOverlap
from rules.timebank.records import BOOKED, ExchangeRecord, MemberId


@dataclass(frozen=True, slots=True)
class ExchangeSlot:
    member_id: MemberId
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise InvalidSlot(
                f"The exchange ends at {self.end:%H:%M}, before it starts at {self.start:%H:%M}."
            )


def find_overlaps(
    slot: ExchangeSlot,
    existing: Iterable[ExchangeRecord],
    *,
    ignore_id: MemberId | None = None,
) -> list[ExchangeRecord]:
    """Booked exchanges of ``slot.member_id`` that overlap ``slot``, earliest first.

    ``ignore_id`` leaves out the exchange being rescheduled.
    """
    clashes = [
        x
        for x in existing
        if x.status in BOOKED
        and x.involves(slot.member_id)
        and x.id != ignore_id
        and x.start < slot.end
        and slot.start < x.end
    ]
    clashes.sort(key=lambda x: (x.start, str(x.id)))
    return clashes


def _when(start: datetime, end: datetime) -> str:
    day = f"{WEEKDAYS[start.weekday()]} {format_date(start.date())}"
    if start.date() == end.date():
        return f"on {day} from {start:%H:%M} to {end:%H:%M}"
    until = f"{WEEKDAYS[end.weekday()]} {format_date(end.date())}"
    return f"from {day} {start:%H:%M} to {until} {end:%H:%M}"


def check_no_overlap(
    slot: ExchangeSlot,
    existing: Iterable[ExchangeRecord],
    *,
    name: str | None = None,
    ignore_id: MemberId | None = None,
) -> None:
    """Raise :class:`SlotOverlap` if ``slot`` clashes with a booked exchange of the same member.

    "Sam already has a confirmed exchange on Tuesday 4 March 2025 from 10:00 to 11:00."
    """
    clashes = find_overlaps(slot, existing, ignore_id=ignore_id)
    if not clashes:
        return
    who = name or f"Member {slot.member_id}"
    first = clashes[0]
    more = f" (and {len(clashes) - 1} more)" if len(clashes) > 1 else ""
    raise SlotOverlap(
        f"{who} already has a confirmed exchange {_when(first.start, first.end)}{more}, "
        "which overlaps this one.",
        clashes=tuple(clashes),
    )
