"""Weekly availability: slots such as "Tuesdays 09:00-12:00" and how much two sets overlap.

Times are local wall-clock times (Europe/London for the hub); a slot lies within one day. An end of
``time(0)`` means midnight at the end of the day, so ``WeeklySlot(0, time(18), time(0))`` is
Monday 18:00-24:00. A slot across midnight is two slots (see :meth:`WeeklySlot.from_datetimes`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from rules.timebank.errors import InvalidSlot

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DAY_MINUTES = 24 * 60
DASH = "\u2013"
"""An en dash, as in "09:00\u201312:00" (GOV.UK style for ranges)."""


def _minute_of_day(t: time) -> int:
    return t.hour * 60 + t.minute


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@dataclass(frozen=True, slots=True)
class WeeklySlot:
    """A time range on one day of every week. ``weekday`` is 0 for Monday, as ``date.weekday()``."""

    weekday: int
    start: time
    end: time

    def __post_init__(self) -> None:
        if isinstance(self.weekday, bool) or self.weekday not in range(7):
            raise InvalidSlot(f"A weekday is 0 (Monday) to 6 (Sunday), not {self.weekday!r}.")
        if self.start.second or self.end.second or self.start.microsecond or self.end.microsecond:
            raise InvalidSlot("Slot times are in whole minutes.")
        if self.end_minute <= self.start_minute:
            raise InvalidSlot(
                f"A slot on {WEEKDAYS[self.weekday]} ends at {self.end:%H:%M}, "
                f"before it starts at {self.start:%H:%M}."
            )

    @property
    def start_minute(self) -> int:
        return _minute_of_day(self.start)

    @property
    def end_minute(self) -> int:
        return _minute_of_day(self.end) or DAY_MINUTES

    @property
    def minutes(self) -> int:
        return self.end_minute - self.start_minute

    def describe(self) -> str:
        """``"Tuesdays 09:00-12:00"`` (with an en dash)."""
        return (
            f"{WEEKDAYS[self.weekday]}s {_clock(self.start_minute)}{DASH}{_clock(self.end_minute)}"
        )

    @classmethod
    def from_datetimes(cls, start: datetime, end: datetime) -> tuple[WeeklySlot, ...]:
        """The weekly slots a one-off visit occupies, split at midnight (at most 7 days long)."""
        if end <= start:
            raise InvalidSlot(f"The time ends at {end:%H:%M}, before it starts at {start:%H:%M}.")
        if end - start > timedelta(days=7):
            raise InvalidSlot("A single visit cannot be longer than a week.")
        slots = []
        current = start
        while current < end:
            midnight = datetime.combine(current.date() + timedelta(days=1), time(0), current.tzinfo)
            stop = min(end, midnight)
            if stop > current:
                slots.append(
                    cls(
                        current.weekday(),
                        current.time().replace(second=0, microsecond=0),
                        stop.time().replace(second=0, microsecond=0),
                    )
                )
            current = stop
        return tuple(s for s in slots if s.minutes > 0)


Intervals = dict[int, list[tuple[int, int]]]
"""Per weekday, sorted, disjoint ``(start_minute, end_minute)`` intervals."""


def merge_slots(slots: Iterable[WeeklySlot]) -> Intervals:
    """Union of ``slots`` per weekday, with overlapping and touching ranges joined."""
    by_day: defaultdict[int, list[tuple[int, int]]] = defaultdict(list)
    for slot in slots:
        by_day[slot.weekday].append((slot.start_minute, slot.end_minute))
    merged: Intervals = {}
    for day, ranges in by_day.items():
        ranges.sort()
        out: list[tuple[int, int]] = []
        for start, end in ranges:
            if out and start <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], end))
            else:
                out.append((start, end))
        merged[day] = out
    return merged


def intersect(a: Intervals, b: Intervals) -> Intervals:
    """The times in both ``a`` and ``b``."""
    result: Intervals = {}
    for day in sorted(a.keys() & b.keys()):
        xs, ys = a[day], b[day]
        i = j = 0
        out = []
        while i < len(xs) and j < len(ys):
            start = max(xs[i][0], ys[j][0])
            end = min(xs[i][1], ys[j][1])
            if start < end:
                out.append((start, end))
            if xs[i][1] < ys[j][1]:
                i += 1
            else:
                j += 1
        if out:
            result[day] = out
    return result


def total_minutes(intervals: Intervals) -> int:
    return sum(end - start for ranges in intervals.values() for start, end in ranges)


def describe_intervals(intervals: Intervals) -> str:
    """``"Tuesdays 09:00-12:00 and Thursdays 14:00-16:00"`` in weekday order (en dashes)."""
    parts = [
        f"{WEEKDAYS[day]}s {_clock(start)}{DASH}{_clock(end)}"
        for day in sorted(intervals)
        for start, end in intervals[day]
    ]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


@dataclass(frozen=True, slots=True)
class AvailabilityMatch:
    overlap_minutes: int
    requested_minutes: int
    shared: Intervals

    @property
    def share(self) -> float:
        """The part of the requested time the member is free (0 to 1)."""
        if self.requested_minutes == 0:
            return 0.0
        return self.overlap_minutes / self.requested_minutes

    def describe(self) -> str:
        if not self.overlap_minutes:
            return "Not free at the times asked for"
        return f"Free on {describe_intervals(self.shared)}"


def match_availability(
    offered: Iterable[WeeklySlot], requested: Iterable[WeeklySlot]
) -> AvailabilityMatch:
    """How much of the ``requested`` weekly time the ``offered`` slots cover."""
    wanted = merge_slots(requested)
    shared = intersect(merge_slots(offered), wanted)
    return AvailabilityMatch(total_minutes(shared), total_minutes(wanted), shared)
