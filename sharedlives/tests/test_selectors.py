"""placement_costs: the shape the evidence pages read, with the parameter file's default figures,
the placement's own figures when an area recorded them, and whole weeks to the end or to today."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from accounts.roles import Role
from directory.tests import factories as f
from sharedlives import selectors
from sharedlives.models import Carer, Match, Referral

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 3)


def _match(**fields: Any) -> Match:
    carer = Carer.objects.create(
        user=f.user(Role.PERSON), name="The Ash household", created_on=TODAY
    )
    referral = Referral.objects.create(person=f.user(Role.PERSON), received_on=dt.date(2026, 1, 1))
    agreed = dt.date(2026, 1, 2)
    return Match.objects.create(
        referral=referral,
        carer=carer,
        proposed_on=agreed,
        person_agreed_on=agreed,
        carer_agreed_on=agreed,
        **fields,
    )


def test_placement_costs_lists_started_placements_with_their_costs_and_weeks() -> None:
    going = _match(stage="placed", started_on=dt.date(2026, 11, 19))  # 14 days before today
    ended = _match(
        stage="ended",
        started_on=dt.date(2026, 1, 5),
        ended_on=dt.date(2026, 1, 25),  # 20 days: 2 whole weeks
        weekly_cost=Decimal("700.00"),
        alternative_weekly_cost=Decimal("1200.00"),
    )
    _match(stage="agreed")  # not started: not a placement

    rows = selectors.placement_costs(TODAY)

    assert rows == [
        {
            "placement_id": ended.pk,
            "weekly_cost": Decimal("700.00"),
            "alternative_weekly_cost": Decimal("1200.00"),
            "weeks": 2,
            "started_on": dt.date(2026, 1, 5),
            "ended_on": dt.date(2026, 1, 25),
        },
        {
            "placement_id": going.pk,
            "weekly_cost": Decimal("645.00"),
            "alternative_weekly_cost": Decimal("995.00"),
            "weeks": 2,
            "started_on": dt.date(2026, 11, 19),
            "ended_on": None,
        },
    ]
    assert all(isinstance(r["weekly_cost"], Decimal) for r in rows)


def test_a_placement_a_day_short_of_a_week_counts_no_weeks() -> None:
    _match(stage="placed", started_on=TODAY - dt.timedelta(days=6))
    assert selectors.placement_costs(TODAY)[0]["weeks"] == 0
