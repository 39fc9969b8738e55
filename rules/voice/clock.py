"""Working-day arithmetic for feedback deadlines.

A working day is Monday to Friday and not a bank holiday in England and Wales (the ``holidays``
library's "GB" calendar, subdivision "ENG", which has the same bank holidays as Wales). The day
feedback arrives is day 0: "acknowledge within 3 working days" of a Monday is the Thursday, as in
the 2009 complaints regulations ("not later than 3 working days after the day on which it
receives the complaint"). Feedback that arrives on a weekend or a bank holiday counts from the
next working day's start, so its day 1 is the working day after that.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache

import holidays


@dataclass(frozen=True)
class Clock:
    """Working days to acknowledge and to respond in full. The response is counted from the
    acknowledgement deadline (the complaint handling code counts it from the acknowledgement)."""

    acknowledge: int
    respond: int

    def __post_init__(self) -> None:
        if self.acknowledge < 0 or self.respond < 0:
            raise ValueError("working days cannot be negative")


@lru_cache(maxsize=64)
def _holidays_for(years: tuple[int, ...]) -> frozenset[dt.date]:
    calendar = holidays.country_holidays("GB", subdiv="ENG", years=list(years))
    return frozenset(calendar.keys())


def bank_holidays(years: Iterable[int]) -> frozenset[dt.date]:
    """Bank holidays in England and Wales in ``years`` (substitute days included)."""
    return _holidays_for(tuple(sorted(set(years))))


def is_working_day(day: dt.date, holidays_: Collection[dt.date] | None = None) -> bool:
    if day.weekday() >= 5:
        return False
    found = bank_holidays([day.year]) if holidays_ is None else holidays_
    return day not in found


def add_working_days(
    start: dt.date, days: int, holidays_: Collection[dt.date] | None = None
) -> dt.date:
    """The date ``days`` working days after ``start`` (``start`` itself is day 0)."""
    if days < 0:
        raise ValueError("days cannot be negative")
    day = start
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day, holidays_):
            counted += 1
    return day


def working_days_between(
    start: dt.date, end: dt.date, holidays_: Collection[dt.date] | None = None
) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not later).
    ``working_days_between(d, add_working_days(d, n)) == n``."""
    if end <= start:
        return 0
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day, holidays_):
            count += 1
    return count
