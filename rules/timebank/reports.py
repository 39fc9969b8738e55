"""Reports over exchange records. Only completed exchanges count (time actually given).

Periods are inclusive dates and an exchange belongs to the day it started. Members are "active" in
a period if they gave or received time in a completed exchange in it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from rules.ledger.formatting import format_minutes
from rules.timebank.records import ExchangeRecord, ExchangeStatus, MemberId
from rules.timebank.taxonomy import Taxonomy

UNCATEGORISED = "Uncategorised"
UNKNOWN_NEIGHBOURHOOD = "Unknown"


def completed_in(
    records: Iterable[ExchangeRecord], start: date | None = None, end: date | None = None
) -> list[ExchangeRecord]:
    """Completed exchanges that started between ``start`` and ``end`` (inclusive; open if None)."""
    return [
        x
        for x in records
        if x.status is ExchangeStatus.COMPLETED
        and (start is None or x.day >= start)
        and (end is None or x.day <= end)
    ]


@dataclass(frozen=True, slots=True)
class MonthlyHours:
    month: date
    """The first day of the month."""
    minutes: int
    exchanges: int

    @property
    def hours(self) -> float:
        return self.minutes / 60

    def describe(self) -> str:
        return f"{self.month:%B %Y}: {format_minutes(self.minutes)}"


def _next_month(d: date) -> date:
    return (d.replace(day=1) + timedelta(days=32)).replace(day=1)


def hours_by_month(
    records: Iterable[ExchangeRecord], start: date | None = None, end: date | None = None
) -> list[MonthlyHours]:
    """Time exchanged per calendar month, with empty months in between shown as zero.

    The months run from ``start``'s (or the first exchange's) to ``end``'s (or the last's).
    """
    done = completed_in(records, start, end)
    minutes: defaultdict[date, int] = defaultdict(int)
    counts: defaultdict[date, int] = defaultdict(int)
    for x in done:
        month = x.day.replace(day=1)
        minutes[month] += x.minutes
        counts[month] += 1
    if not minutes and (start is None or end is None):
        return []
    first = (start or min(minutes)).replace(day=1)
    last = (end or max(minutes)).replace(day=1)
    result = []
    month = first
    while month <= last:
        result.append(MonthlyHours(month, minutes.get(month, 0), counts.get(month, 0)))
        month = _next_month(month)
    return result


def active_members(
    records: Iterable[ExchangeRecord], start: date | None = None, end: date | None = None
) -> frozenset[MemberId]:
    members: set[MemberId] = set()
    for x in completed_in(records, start, end):
        members.add(x.giver)
        members.add(x.receiver)
    return frozenset(members)


@dataclass(frozen=True, slots=True)
class Reciprocity:
    active: int
    gave_and_received: int
    gave_only: int
    received_only: int

    @property
    def share(self) -> float:
        """Share of active members who both gave and received (0.0 when nobody was active)."""
        return self.gave_and_received / self.active if self.active else 0.0

    def describe(self) -> str:
        return (
            f"{self.gave_and_received} of {self.active} active members both gave and received "
            f"time ({self.share:.0%})."
        )


def reciprocity(
    records: Iterable[ExchangeRecord], start: date | None = None, end: date | None = None
) -> Reciprocity:
    givers: set[MemberId] = set()
    receivers: set[MemberId] = set()
    for x in completed_in(records, start, end):
        givers.add(x.giver)
        receivers.add(x.receiver)
    both = givers & receivers
    return Reciprocity(
        len(givers | receivers), len(both), len(givers - receivers), len(receivers - givers)
    )


def _sorted_totals(totals: dict[str, int]) -> dict[str, int]:
    return dict(sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])))


def hours_by_category(
    records: Iterable[ExchangeRecord],
    start: date | None = None,
    end: date | None = None,
    *,
    taxonomy: Taxonomy | None = None,
) -> dict[str, int]:
    """Minutes per category, largest first (ties by name).

    With a ``taxonomy``, categories are rolled up to their top-level category and shown by label.
    """
    totals: defaultdict[str, int] = defaultdict(int)
    for x in completed_in(records, start, end):
        if x.category is None:
            name = UNCATEGORISED
        elif taxonomy is not None:
            name = taxonomy.label(taxonomy.top_level(x.category))
        else:
            name = x.category
        totals[name] += x.minutes
    return _sorted_totals(totals)


def hours_by_neighbourhood(
    records: Iterable[ExchangeRecord], start: date | None = None, end: date | None = None
) -> dict[str, int]:
    """Minutes per neighbourhood, largest first (ties by name)."""
    totals: defaultdict[str, int] = defaultdict(int)
    for x in completed_in(records, start, end):
        totals[x.neighbourhood or UNKNOWN_NEIGHBOURHOOD] += x.minutes
    return _sorted_totals(totals)


@dataclass(frozen=True, slots=True)
class CreditRecord:
    """One movement of organisation time credits: ``issued`` by ``organisation`` to a member
    (thanks for a contribution), or spent by a member at ``organisation`` (a partner)."""

    day: date
    organisation: str
    minutes: int
    issued: bool


@dataclass(frozen=True, slots=True)
class CreditTotals:
    """Organisation time credits in a period, in minutes."""

    issued: int
    spent: int
    issues: int
    """How many times credits were issued."""
    redemptions: int
    """How many times credits were spent."""
    by_organisation: tuple[tuple[str, int, int], ...]
    """(organisation, minutes it issued, minutes spent with it), by name."""

    @property
    def unspent(self) -> int:
        """Issued in the period and not spent in it (negative: more spent than issued)."""
        return self.issued - self.spent


def credit_totals(
    records: Iterable[CreditRecord], start: date | None = None, end: date | None = None
) -> CreditTotals:
    """Time credits issued and spent between ``start`` and ``end`` (inclusive; open if None)."""
    issued = spent = issues = redemptions = 0
    per: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in records:
        if r.minutes <= 0:
            raise ValueError(f"A time credit record has {r.minutes} minutes; it must be positive.")
        if (start is not None and r.day < start) or (end is not None and r.day > end):
            continue
        if r.issued:
            issued += r.minutes
            issues += 1
            per[r.organisation][0] += r.minutes
        else:
            spent += r.minutes
            redemptions += 1
            per[r.organisation][1] += r.minutes
    return CreditTotals(
        issued,
        spent,
        issues,
        redemptions,
        tuple((name, i, s) for name, (i, s) in sorted(per.items())),
    )
