"""Figures fed from other parts of the platform, so nobody types them twice. Each feed returns
what it counted and says how, in words the report keeps beside the figure.

- Shared Lives placements (``sharedlives.selectors.placement_costs``): the weekly cost beside the
  alternative's, as a saving per week and the weeks placements ran.
- People supported by social prescribing (``connect.selectors.people_supported``).
- Experts by experience's hours on quality checks (``voice.selectors.expert_hours``), counted in
  co-production hours (``evidence.selectors.coproduction``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from connect import selectors as connect_selectors
from rules.money import format_money
from rules.outcomes.aggregates import MINIMUM_CELL
from sharedlives import selectors as sharedlives_selectors
from voice import selectors as voice_selectors

SHARED_LIVES_PREFIX = "shared-lives:"
PEOPLE_SUPPORTED = "people-supported"
SUPPORTED_DAYS = 365  # people supported over the last year


@dataclass(frozen=True)
class SharedLivesSaving:
    """Placements that share one weekly cost and one alternative cost."""

    weekly_cost: Decimal
    alternative_weekly_cost: Decimal
    placements: int
    weeks: int

    @property
    def saving_per_week(self) -> Decimal:
        return self.alternative_weekly_cost - self.weekly_cost

    @property
    def saving(self) -> Decimal:
        return self.saving_per_week * self.weeks

    @property
    def key(self) -> str:
        return f"{SHARED_LIVES_PREFIX}{self.weekly_cost}:{self.alternative_weekly_cost}"

    def counted(self, today: dt.date) -> str:
        return (
            f"Counted by Shared Lives on {today:%-d %B %Y}: {self.placements} placement"
            f"{'' if self.placements == 1 else 's'} at {format_money(self.weekly_cost)} a week "
            f"against {format_money(self.alternative_weekly_cost)} a week for the alternative, "
            f"{self.weeks} whole week{'' if self.weeks == 1 else 's'} in all from each "
            "placement's start to its end (or to today while it goes on). Costs are those "
            "recorded on each placement, or the dated parameter file's in force on its first day."
        )


def shared_lives_savings(today: dt.date | None = None) -> list[SharedLivesSaving]:
    """Placements grouped by their weekly cost and the alternative's (most weeks first); groups
    that have not yet run a whole week are left out. Only a group whose alternative costs more
    is offered as a saving."""
    grouped: dict[tuple[Decimal, Decimal], list[int]] = defaultdict(list)
    for row in sharedlives_selectors.placement_costs(today):
        key = (Decimal(row["weekly_cost"]), Decimal(row["alternative_weekly_cost"]))
        grouped[key].append(int(row["weeks"]))
    found = [
        SharedLivesSaving(cost, alternative, len(weeks), sum(weeks))
        for (cost, alternative), weeks in grouped.items()
        if sum(weeks) > 0
    ]
    return sorted(found, key=lambda s: (-s.weeks, s.weekly_cost, s.alternative_weekly_cost))


def shared_lives_prefill(key: str, base_year: int, today: dt.date) -> dict[str, str] | None:
    """The outcome form's figures for one group of placements (``key`` from the link), or None
    when no such group has a saving."""
    for group in shared_lives_savings(today):
        if group.key == key and group.saving_per_week > 0:
            return {
                "name": "Shared Lives in place of the alternative",
                "stakeholder": "Council adult social care",
                "indicator": "Weeks people lived with Shared Lives carers instead of the "
                "alternative",
                "quantity": str(group.weeks),
                "quantity_source": group.counted(today),
                "proxy_description": (
                    f"Saving per week: {format_money(group.alternative_weekly_cost)} for the "
                    f"alternative less {format_money(group.weekly_cost)} for Shared Lives"
                ),
                "proxy_value": str(group.saving_per_week),
                "proxy_price_year": str(base_year),
                "proxy_source": "Weekly costs recorded by Shared Lives on the platform, taken "
                f"as {base_year} prices",
                "benefits_sector": "adult_social_care",
                "saving_kind": "cashable",
                "duration_years": "1",
            }
    return None


@dataclass(frozen=True)
class PeopleSupported:
    start: dt.date
    end: dt.date
    count: int

    @property
    def usable(self) -> bool:
        return self.count >= MINIMUM_CELL

    def counted(self) -> str:
        return (
            f"Counted by social prescribing on {self.end:%-d %B %Y}: {self.count} different "
            f"people a link worker supported from {self.start:%-d %B %Y} to {self.end:%-d %B %Y}"
            " (their referral reached a first conversation and was not closed or declined "
            "before the start)."
        )


def people_supported(today: dt.date) -> PeopleSupported:
    start = today - dt.timedelta(days=SUPPORTED_DAYS - 1)
    return PeopleSupported(start, today, connect_selectors.people_supported(start, today))


def people_supported_prefill(today: dt.date) -> dict[str, str] | None:
    found = people_supported(today)
    if not found.usable:
        return None
    return {
        "stakeholder": "People supported by social prescribing",
        "quantity": str(found.count),
        "quantity_source": found.counted(),
    }


@dataclass(frozen=True)
class ExpertHours:
    month: dt.date  # the first of the month
    organisation: str
    minutes: int


EXPERT_HOURS_COUNTED = (
    "Experts by experience: the minutes of each expert who sent scores on a quality check whose "
    "report is published, by the organisation checked and the month of the visit (from the "
    "quality checks people's voice records). Open checks are not counted."
)


def expert_hours(start: dt.date, end: dt.date) -> list[ExpertHours]:
    found = []
    for row in voice_selectors.expert_hours(start, end):
        year, month = str(row["month"]).split("-")
        found.append(
            ExpertHours(
                dt.date(int(year), int(month), 1),
                str(row["organisation"]),
                int(str(row["minutes"])),
            )
        )
    return found
