"""Social prescribing reports by referring practice, community service or link worker, with small
numbers suppressed by the outcomes rules (:func:`rules.outcomes.protect`: fewer than 5 hidden,
plus whatever else must be hidden so a hidden number cannot be worked out from the total). One
suppression rule for the whole product; this module only counts.

Three figures per group, each protected as its own table (a group and the total):
- referrals (or onward referrals, for services);
- how many reached the goal (connected for practices and link workers, attended for services);
- people with ONS4 answers at both ends who let their answers count in aggregates, and for them
  the exact mean change of each ONS4 item (anxiety: a fall is an improvement; the sign is kept as
  measured, the item's direction is the reader's key).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from rules.outcomes.aggregates import MINIMUM_CELL, Key, Status, protect, table_lines

ONS4_ITEMS = ("life_satisfaction", "worthwhile", "happiness", "anxiety")


@dataclass(frozen=True)
class ReportRow:
    """One referral (or one onward referral) in a report."""

    group: str
    reached: bool
    before: Mapping[str, int] | None = None
    after: Mapping[str, int] | None = None
    counts_in_aggregates: bool = False


@dataclass(frozen=True)
class Figure:
    """A count, or None when suppressed (``status`` says why)."""

    value: int | None
    status: Status

    @property
    def suppressed(self) -> bool:
        return self.status != "published"


@dataclass(frozen=True)
class ReportLine:
    group: str | None  # None: all groups
    referrals: Figure
    reached: Figure
    paired: Figure
    mean_change: tuple[tuple[str, Fraction], ...] | None  # None when ``paired`` is hidden or 0


def _protected(counts: Mapping[str, int], minimum: int) -> dict[str | None, Figure]:
    groups = sorted(counts)
    keyed: dict[Key, int] = {(g, None): counts[g] for g in groups}
    keyed[(None, None)] = sum(counts.values())
    statuses = protect(keyed, table_lines(groups, None), minimum)
    return {
        key[0]: Figure(None if statuses[key] != "published" else n, statuses[key])
        for key, n in keyed.items()
    }


def report(
    rows: Iterable[ReportRow], minimum: int = MINIMUM_CELL, items: Sequence[str] = ONS4_ITEMS
) -> list[ReportLine]:
    """One line per group (sorted by name), then the total."""
    found = list(rows)
    groups = sorted({r.group for r in found})
    paired_rows = [
        (r.group, r.before, r.after)
        for r in found
        if r.before is not None and r.after is not None and r.counts_in_aggregates is True
    ]
    referrals = _protected({g: sum(1 for r in found if r.group == g) for g in groups}, minimum)
    reached = _protected(
        {g: sum(1 for r in found if r.group == g and r.reached) for g in groups}, minimum
    )
    paired = _protected({g: sum(1 for row in paired_rows if row[0] == g) for g in groups}, minimum)
    lines = []
    for group in [*groups, None]:
        members = [(b, a) for g, b, a in paired_rows if group is None or g == group]
        figure = paired[group]
        change = None
        if not figure.suppressed and members:
            change = tuple(
                (
                    item,
                    Fraction(sum(a[item] - b[item] for b, a in members), len(members)),
                )
                for item in items
            )
        lines.append(ReportLine(group, referrals[group], reached[group], figure, change))
    return lines
