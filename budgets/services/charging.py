"""Charging: the person's financial assessment, and the local and national figures the
calculator uses (national figures are entered by one person and confirmed by another)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from accounts.services import record_audit
from budgets import access, charging
from budgets.models import (
    ZERO,
    FinancialAssessment,
    LocalChargingFigure,
    NationalChargingFigure,
    SupportPlan,
)
from budgets.services._common import (
    Action,
    BudgetsError,
    _today,
    check_money,
    pounds,
)
from rules.charging import ChargingError, parameters_in_force


@transaction.atomic
def save_financial_assessment(
    *,
    person: User,
    actor: User,
    inputs: dict[str, Any],
    plan: SupportPlan | None = None,
    request: HttpRequest | None = None,
) -> FinancialAssessment:
    """Run the charging calculator for the person and keep the result (attached to their plan)."""
    access.require(access.can_act_for(actor, person.pk))
    try:
        outcome = charging.calculate(inputs, _today())
    except ChargingError as error:
        raise BudgetsError(str(error)) from None
    fa = FinancialAssessment.objects.create(
        person=person,
        inputs=inputs,
        result=outcome.to_dict(),
        weekly_charge=outcome.result.weekly_charge,
        provisional=outcome.provisional,
        rates_date=outcome.rates_date,
        created_by=actor,
    )
    if plan is not None:
        access.require(plan.person_id == person.pk)
        plan.financial_assessment = fa
        plan.save(update_fields=["financial_assessment", "updated_at"])
    record_audit(
        actor=actor,
        action=Action.CREATE,
        target=fa,
        subject=person,
        summary=f"Financial assessment: {pounds(fa.weekly_charge)} a week"
        + (" (provisional)" if fa.provisional else ""),
        request=request,
    )
    return fa


def check_local_figure(parameter: str, value: Decimal, applies_from: dt.date) -> None:
    """Raise BudgetsError unless the calculator accepts this local figure on that date."""
    from rules.charging import LocalOverride

    try:
        parameters_in_force(applies_from, {parameter: LocalOverride(value, applies_from)})
    except ChargingError as error:
        raise BudgetsError(str(error), field="value") from None


@transaction.atomic
def save_local_figure(
    *,
    actor: User,
    area: str,
    parameter: str,
    value: Decimal,
    year: str,
    applies_from: dt.date,
    note: str = "",
    request: HttpRequest | None = None,
) -> LocalChargingFigure:
    access.require(
        access.can_enter_charging_figures(actor), "Only a coordinator or administrator can do this."
    )
    check_local_figure(parameter, value, applies_from)
    figure, _ = LocalChargingFigure.objects.update_or_create(
        area=area,
        parameter=parameter,
        applies_from=applies_from,
        defaults={"value": value, "year": year, "note": note, "entered_by": actor},
    )
    record_audit(
        actor=actor,
        action=Action.UPDATE,
        target=figure,
        summary=f"Local charging figure {parameter} = {value} from {applies_from}",
        request=request,
    )
    return figure


@transaction.atomic
def enter_national_figure(
    *,
    actor: User,
    parameter: str,
    value: Decimal,
    year: str,
    applies_from: dt.date,
    source: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> NationalChargingFigure:
    """One person types a new national figure from the circular. It is not used until a
    different person confirms it (:func:`confirm_national_figure`)."""
    access.require(
        access.can_enter_charging_figures(actor), "Only a coordinator or administrator can do this."
    )
    if parameter not in dict(charging.national_parameters()):
        raise BudgetsError("Choose a national charging figure from the list", field="parameter")
    value = check_money(
        value, field="value", label="Figure", minimum=ZERO, maximum=Decimal("1000000000")
    )
    figure = NationalChargingFigure.objects.create(
        parameter=parameter,
        value=value,
        year=year.strip()[:7],
        applies_from=applies_from,
        source=source.strip()[:500],
        note=note.strip()[:250],
        entered_by=actor,
    )
    record_audit(
        actor=actor,
        action=Action.CREATE,
        target=figure,
        summary=f"Entered national charging figure {parameter} = {value} from {applies_from} "
        "(waiting for a second person to confirm)",
        request=request,
    )
    return figure


@transaction.atomic
def confirm_national_figure(
    *, figure: NationalChargingFigure, actor: User, request: HttpRequest | None = None
) -> NationalChargingFigure:
    """A second person checks the figure against the circular and confirms it; from then on the
    calculator uses it. The person who entered it cannot confirm it."""
    access.require(
        access.can_enter_charging_figures(actor), "Only a coordinator or administrator can do this."
    )
    figure = NationalChargingFigure.objects.select_for_update().get(pk=figure.pk)
    if figure.confirmed_at is not None:
        return figure
    if figure.entered_by_id == actor.pk:
        raise BudgetsError(
            "A different person must confirm this figure: check it against the circular."
        )
    figure.confirmed_by, figure.confirmed_at = actor, timezone.now()
    figure.save(update_fields=["confirmed_by", "confirmed_at"])
    record_audit(
        actor=actor,
        action=Action.UPDATE,
        target=figure,
        summary=f"Confirmed national charging figure {figure.parameter} = {figure.value} from "
        f"{figure.applies_from} (entered by someone else; source {figure.source})",
        request=request,
    )
    return figure
