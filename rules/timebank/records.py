"""The plain records the time bank rules work on, filled by the Django app from its models."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from rules.timebank.errors import InvalidSlot

MemberId = int | str
"""A member's primary key (or any unique, sortable-as-text id)."""


class ExchangeStatus(StrEnum):
    PROPOSED = "proposed"
    """Asked for, not yet agreed by both members."""
    CONFIRMED = "confirmed"
    """Agreed and booked; blocks the time for both members."""
    COMPLETED = "completed"
    """Took place and the time was recorded; counts in reports and reliability."""
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


BOOKED = frozenset({ExchangeStatus.CONFIRMED, ExchangeStatus.COMPLETED})
"""Statuses that hold a member's time (used by the overlap check)."""
UNSUCCESSFUL = frozenset({ExchangeStatus.CANCELLED, ExchangeStatus.NO_SHOW})


@dataclass(frozen=True, slots=True)
class ExchangeRecord:
    """One exchange: ``giver`` spends ``minutes`` helping ``receiver`` from ``start``.

    ``neighbourhood`` is where the help was given (the app uses the receiver's neighbourhood);
    ``at_fault`` is who cancelled late or did not turn up, when known.
    """

    id: MemberId
    giver: MemberId
    receiver: MemberId
    start: datetime
    minutes: int
    status: ExchangeStatus
    category: str | None = None
    neighbourhood: str | None = None
    at_fault: MemberId | None = None

    def __post_init__(self) -> None:
        if isinstance(self.minutes, bool) or not isinstance(self.minutes, int) or self.minutes <= 0:
            raise InvalidSlot(f"An exchange lasts a whole number of minutes, not {self.minutes!r}.")

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.minutes)

    @property
    def day(self) -> date:
        return self.start.date()

    def involves(self, member: MemberId) -> bool:
        return member in (self.giver, self.receiver)
