"""Recurring arrangements: a weekly commitment covered by a rota of members.

A :class:`WeeklyCommitment` ("Tuesdays 10:00 for 90 minutes, from 7 January for 52 weeks") has
occurrences, one a week, except ``skip_dates`` (bank holidays, closures). Each
:class:`RotaAssignment` says which occurrences a member covers: specific ``dates``, or a repeating
pattern (``every_weeks=2`` is every other week) from ``starting`` to ``until``, except the
member's ``away`` dates.

Precedence: an assignment by specific date is a swap or a one-off. On a date that any member is
assigned to specifically, only the specifically assigned members cover it; patterns cover every
other date. An occurrence nobody covers is a gap.

Reminders are due ``days_before`` each occurrence: one per covering member, and one for the
coordinator for each gap. Times are local wall-clock times. Working out 18 months of weekly slots
with a dozen assignments takes well under a millisecond: the work is linear in occurrences times
assignments.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from rules.ledger.formatting import format_date
from rules.timebank.availability import WEEKDAYS
from rules.timebank.errors import InvalidRota
from rules.timebank.records import MemberId

MAX_OCCURRENCES = 5000
"""About a century of weekly slots: a guard against a missing end date, not a practical limit."""


@dataclass(frozen=True, slots=True)
class Occurrence:
    day: date
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class WeeklyCommitment:
    """Every week on ``weekday`` (0 = Monday) at ``start`` for ``duration_minutes``.

    Occurrences run from the first such weekday on or after ``first_date`` until ``end_date``
    (inclusive) or for ``weeks`` weeks; give exactly one of the two.
    """

    weekday: int
    start: time
    duration_minutes: int
    first_date: date
    end_date: date | None = None
    weeks: int | None = None
    skip_dates: frozenset[date] = frozenset()
    title: str = "the weekly commitment"

    def __post_init__(self) -> None:
        if isinstance(self.weekday, bool) or self.weekday not in range(7):
            raise InvalidRota(f"A weekday is 0 (Monday) to 6 (Sunday), not {self.weekday!r}.")
        if self.duration_minutes <= 0:
            raise InvalidRota("A commitment must last at least a minute.")
        if (self.end_date is None) == (self.weeks is None):
            raise InvalidRota("Give either an end date or a number of weeks, not both or neither.")
        if self.weeks is not None and self.weeks < 0:
            raise InvalidRota(f"The number of weeks cannot be negative ({self.weeks}).")
        if self.end_date is not None and self.end_date < self.first_date:
            raise InvalidRota(
                f"The commitment ends on {format_date(self.end_date)}, before it starts on "
                f"{format_date(self.first_date)}."
            )

    @property
    def first_occurrence(self) -> date:
        return self.first_date + timedelta(days=(self.weekday - self.first_date.weekday()) % 7)

    def dates(self) -> list[date]:
        """Every occurrence date, in order, without skipped dates."""
        first = self.first_occurrence
        if self.weeks is not None:
            count = self.weeks
        else:
            assert self.end_date is not None
            count = 0 if self.end_date < first else (self.end_date - first).days // 7 + 1
        if count > MAX_OCCURRENCES:
            raise InvalidRota(
                f"{count} weekly occurrences is more than the {MAX_OCCURRENCES} limit."
            )
        week = timedelta(days=7)
        return [d for d in (first + i * week for i in range(count)) if d not in self.skip_dates]

    def occurrences(self) -> list[Occurrence]:
        length = timedelta(minutes=self.duration_minutes)
        result = []
        for day in self.dates():
            start = datetime.combine(day, self.start)
            result.append(Occurrence(day, start, start + length))
        return result

    def describe(self) -> str:
        return f"{WEEKDAYS[self.weekday]}s at {self.start:%H:%M}"


@dataclass(frozen=True, slots=True)
class RotaAssignment:
    """Which occurrences ``member_id`` covers: specific ``dates`` and/or a pattern.

    ``every_weeks=1`` is every week, ``2`` every other week, counted from ``starting`` (which must
    be one of the commitment's weekdays; default: the first occurrence) until ``until``.
    """

    member_id: MemberId
    dates: frozenset[date] = frozenset()
    every_weeks: int | None = None
    starting: date | None = None
    until: date | None = None
    away: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if self.every_weeks is not None and self.every_weeks < 1:
            raise InvalidRota(f"'Every {self.every_weeks} weeks' is not a pattern.")
        if self.every_weeks is None and (self.starting or self.until):
            raise InvalidRota("A start or end date needs a repeating pattern (every_weeks).")


@dataclass(frozen=True, slots=True)
class Slot:
    """One occurrence and who covers it (empty: a gap)."""

    occurrence: Occurrence
    members: tuple[MemberId, ...]

    @property
    def day(self) -> date:
        return self.occurrence.day

    @property
    def is_gap(self) -> bool:
        return not self.members


@dataclass(frozen=True, slots=True)
class RotaPlan:
    commitment: WeeklyCommitment
    slots: tuple[Slot, ...]

    @property
    def covered(self) -> tuple[Slot, ...]:
        return tuple(s for s in self.slots if not s.is_gap)

    @property
    def gaps(self) -> tuple[Slot, ...]:
        return tuple(s for s in self.slots if s.is_gap)

    def covering(self, member_id: MemberId) -> tuple[Slot, ...]:
        return tuple(s for s in self.slots if member_id in s.members)

    @property
    def coverage(self) -> float:
        """Share of occurrences covered (1.0 when there are none)."""
        return len(self.covered) / len(self.slots) if self.slots else 1.0


def plan_rota(commitment: WeeklyCommitment, assignments: Iterable[RotaAssignment]) -> RotaPlan:
    """Who covers each occurrence of ``commitment`` (see the module for precedence)."""
    occurrences = commitment.occurrences()
    by_date: dict[date, list[MemberId]] = {}
    patterns: list[tuple[RotaAssignment, date, int]] = []
    for a in assignments:
        for day in sorted(a.dates):
            if day.weekday() != commitment.weekday:
                raise InvalidRota(
                    f"Member {a.member_id!r} is down for {format_date(day)}, a "
                    f"{WEEKDAYS[day.weekday()]}, but {commitment.title} is on "
                    f"{WEEKDAYS[commitment.weekday]}s."
                )
            if day not in a.away:
                listed = by_date.setdefault(day, [])
                if a.member_id not in listed:
                    listed.append(a.member_id)
        if a.every_weeks is not None:
            anchor = a.starting or commitment.first_occurrence
            if anchor.weekday() != commitment.weekday:
                raise InvalidRota(
                    f"Member {a.member_id!r}'s pattern starts on {format_date(anchor)}, a "
                    f"{WEEKDAYS[anchor.weekday()]}, but {commitment.title} is on "
                    f"{WEEKDAYS[commitment.weekday]}s."
                )
            patterns.append((a, anchor, 7 * a.every_weeks))
    slots = []
    for occ in occurrences:
        explicit = by_date.get(occ.day)
        if explicit:
            members = tuple(explicit)
        else:
            found: list[MemberId] = []
            for a, anchor, period in patterns:
                if (
                    occ.day >= anchor
                    and (occ.day - anchor).days % period == 0
                    and (a.until is None or occ.day <= a.until)
                    and occ.day not in a.away
                    and a.member_id not in found
                ):
                    found.append(a.member_id)
            members = tuple(found)
        slots.append(Slot(occ, members))
    return RotaPlan(commitment, tuple(slots))


class ReminderKind(StrEnum):
    MEMBER = "member"
    """To a member who covers the occurrence."""
    GAP = "gap"
    """To the coordinator: nobody covers the occurrence."""


@dataclass(frozen=True, slots=True)
class Reminder:
    send_on: date
    kind: ReminderKind
    member_id: MemberId | None
    slot: Slot
    message: str


def reminders(plan: RotaPlan, days_before: Sequence[int] = (2,)) -> list[Reminder]:
    """Every reminder of ``plan``, ordered by send date, then occurrence, then member."""
    offsets = sorted(set(days_before), reverse=True)
    if any(d < 0 for d in offsets):
        raise InvalidRota("Reminders are sent before a slot, so days_before cannot be negative.")
    title = plan.commitment.title
    out = []
    for slot in plan.slots:
        day = f"{WEEKDAYS[slot.day.weekday()]} {format_date(slot.day)}"
        when = f"{day} at {slot.occurrence.start:%H:%M}"
        for offset in offsets:
            send_on = slot.day - timedelta(days=offset)
            if slot.is_gap:
                out.append(
                    Reminder(
                        send_on,
                        ReminderKind.GAP,
                        None,
                        slot,
                        f"Nobody is covering {title} on {when}.",
                    )
                )
            for member in slot.members:
                out.append(
                    Reminder(
                        send_on,
                        ReminderKind.MEMBER,
                        member,
                        slot,
                        f"Reminder: you are down for {title} on {when}.",
                    )
                )
    out.sort(key=lambda r: (r.send_on, r.slot.day, r.kind != ReminderKind.GAP, str(r.member_id)))
    return out


def reminders_due(
    plan: RotaPlan,
    today: date,
    days_before: Sequence[int] = (2,),
    *,
    since: date | None = None,
) -> list[Reminder]:
    """Reminders to send on ``today``; with ``since`` (the last run), also any missed after it.

    Reminders for occurrences that have already happened are never due.
    """
    earliest = today if since is None else since + timedelta(days=1)
    return [
        r
        for r in reminders(plan, days_before)
        if earliest <= r.send_on <= today and r.slot.day >= today
    ]
