"""Reads for Shared Lives. :func:`placement_costs` is what the evidence pages use: each placement's
weekly cost beside the alternative's, with how many whole weeks it has run."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from rules.sharedlives.costs import costs_on, weeks_run
from sharedlives.models import Carer, Match, Referral


def placement_costs(today: dt.date | None = None) -> list[dict[str, Any]]:
    """Every placement that has started, oldest first, as
    ``{"placement_id", "weekly_cost", "alternative_weekly_cost", "weeks", "started_on", "ended_on"}``.

    Costs are ``Decimal`` pounds a week: the figures recorded on the placement, or where none were
    recorded the parameter file's figures in force on its first day. ``weeks`` counts whole weeks
    from its start to its end (or to ``today`` while it goes on). No names: safe for aggregates."""
    today = today or timezone.localdate()
    rows = []
    placed = Match.objects.filter(started_on__isnull=False).order_by("started_on", "pk")
    for match in placed:
        assert match.started_on is not None  # filtered above; for the type checker
        defaults = costs_on(match.started_on)
        weekly = match.weekly_cost if match.weekly_cost is not None else defaults.weekly_cost
        alternative = (
            match.alternative_weekly_cost
            if match.alternative_weekly_cost is not None
            else defaults.alternative_weekly_cost
        )
        rows.append(
            {
                "placement_id": match.pk,
                "weekly_cost": Decimal(weekly),
                "alternative_weekly_cost": Decimal(alternative),
                "weeks": weeks_run(match.started_on, match.ended_on or today),
                "started_on": match.started_on,
                "ended_on": match.ended_on,
            }
        )
    return rows


def carers() -> QuerySet[Carer]:
    return Carer.objects.prefetch_related("adults", "checks")


def open_referrals() -> QuerySet[Referral]:
    return Referral.objects.filter(status=Referral.Status.OPEN).select_related("person")


def referrals_of(person: Any) -> QuerySet[Referral]:
    return Referral.objects.filter(person=person).prefetch_related("matches__carer")


def matches_for_carer(carer: Carer) -> QuerySet[Match]:
    return carer.matches.select_related("referral__person").order_by("-proposed_on", "-pk")
