"""Placements: the person moves in (or starts their breaks or days), at the weekly costs on the day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.http import HttpRequest

from accounts.models import AuditEvent, User
from rules.money import format_money
from rules.sharedlives.costs import costs_on
from sharedlives.models import Match, Referral
from sharedlives.services._common import (
    SharedLivesRefused,
    audit,
    require_worker,
    still_suitable,
)


def _money(value: Decimal | str | None, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation as error:
        raise SharedLivesRefused("Enter an amount in pounds, like 645.00", field) from error
    if amount < 0:
        raise SharedLivesRefused("The amount cannot be less than £0.00", field)
    return amount


@transaction.atomic
def start_placement(
    *,
    actor: User,
    match: Match,
    started_on: dt.date,
    weekly_cost: Decimal | str | None = None,
    alternative_weekly_cost: Decimal | str | None = None,
    request: HttpRequest | None = None,
) -> Match:
    """The person moves in or starts their breaks or days. The weekly costs are the area's, if
    entered, otherwise the parameter file's on the first day."""
    require_worker(actor)
    if match.stage != Match.Stage.INTRODUCED:
        raise SharedLivesRefused(
            "A placement starts after both sides agree and have been introduced", "started_on"
        )
    first = match.events.order_by("on").first()
    if first is not None and started_on < first.on:
        raise SharedLivesRefused("The placement cannot start before the introduction", "started_on")
    still_suitable(match, started_on, "started_on")
    defaults = costs_on(started_on)
    weekly = _money(weekly_cost, "weekly_cost")
    alternative = _money(alternative_weekly_cost, "alternative_weekly_cost")
    match.weekly_cost = defaults.weekly_cost if weekly is None else weekly
    match.alternative_weekly_cost = (
        defaults.alternative_weekly_cost if alternative is None else alternative
    )
    match.started_on = started_on
    match.stage = Match.Stage.PLACED
    match.save()
    Referral.objects.filter(pk=match.referral_id).update(status=Referral.Status.PLACED)
    audit(
        actor,
        AuditEvent.Action.UPDATE,
        match,
        match.referral.person,
        f"placement started at {format_money(match.weekly_cost)} a week",
        request,
    )
    return match
