"""The weekly charge: income + tariff income - what the person keeps, capped at the cost of care."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from rules.charging.allowances import Allowances, care_home_allowances, home_allowances
from rules.charging.capital import CapitalAssessment, assess_capital
from rules.charging.income import IncomeAssessment, assess_income
from rules.charging.inputs import AssessmentInput, FreeService
from rules.charging.money import ZERO, pounds, round_for_person_down
from rules.charging.overrides import Overrides
from rules.charging.parameters import NationalFigures, ParametersInForce, parameters_in_force
from rules.charging.result import BreakdownLine, ChargeResult

FREE_SERVICE_TEXT = {
    FreeService.REABLEMENT: "reablement or intermediate care for up to 6 weeks",
    FreeService.EQUIPMENT: "community equipment and minor adaptations up to £1,000",
    FreeService.S117_AFTERCARE: "after-care under section 117 of the Mental Health Act",
    FreeService.CJD: "care for a person with Creutzfeldt-Jakob disease",
}


def assess(
    person: AssessmentInput,
    overrides: Overrides | None = None,
    national: NationalFigures | None = None,
) -> ChargeResult:
    """Financial assessment under the Care Act 2014 for one person on ``person.date``.

    Raises UnknownParameterError if a figure it needs is unknown on that date, OverrideError for a
    local figure that is not allowed, InputError for bad input (from AssessmentInput.from_dict).
    """
    params = parameters_in_force(person.date, overrides, setting=person.setting, national=national)
    lines: list[BreakdownLine] = []
    if person.free_service is not None:
        lines.append(
            BreakdownLine(
                "weekly_charge",
                f"This care is free by law ({FREE_SERVICE_TEXT[person.free_service]}), "
                "so there is no charge.",
                ZERO,
            )
        )
        return _result(person, params, ZERO, lines)
    income = assess_income(person, params)
    lines += income.lines
    capital = assess_capital(person, params)
    lines += capital.lines
    cost = person.weekly_cost_of_care

    if capital.above_upper_limit:
        charge = cost
        lines.append(
            BreakdownLine(
                "weekly_charge",
                f"You pay the full weekly cost of your care: {pounds(cost)}.",
                charge,
            )
        )
        return _result(person, params, charge, lines)

    if person.setting == "home":
        allowances = home_allowances(person, params, income.disability_benefits_counted)
        kept = "the Minimum Income Guarantee and the costs above"
    else:
        allowances = care_home_allowances(person, params)
        kept = "the allowance above"
    lines += allowances.lines
    charge = _charge(person, params, income, capital, allowances, kept, lines)
    return _result(person, params, charge, lines)


def _charge(
    person: AssessmentInput,
    params: ParametersInForce,
    income: IncomeAssessment,
    capital: CapitalAssessment,
    allowances: Allowances,
    kept: str,
    lines: list[BreakdownLine],
) -> Decimal:
    assessable = income.counted + capital.tariff_income
    above = assessable - allowances.total
    contribution = max(ZERO, above)
    if above > 0:
        text = (
            f"Income counted plus tariff income is {pounds(assessable)}. After you keep "
            f"{pounds(allowances.total)} for {kept}, {pounds(above)} is left: "
            "this is the most you can be asked to pay."
        )
    else:
        text = (
            f"Income counted plus tariff income is {pounds(assessable)}, which is not more than "
            f"the {pounds(allowances.total)} you keep for {kept}, so you pay nothing."
        )
    lines.append(BreakdownLine("amount_above_guarantee", text, contribution))

    threshold = params.value("local.minimum_charge_threshold")
    if 0 < contribution < threshold:
        lines.append(
            BreakdownLine(
                "minimum_charge",
                f"The council does not collect contributions under {pounds(threshold)} a week.",
                ZERO,
            )
        )
        contribution = ZERO

    cost = person.weekly_cost_of_care
    if contribution > cost:
        lines.append(
            BreakdownLine(
                "cap_at_cost_of_care",
                f"You never pay more than your care costs, which is {pounds(cost)} a week.",
                cost,
            )
        )
    charge = round_for_person_down(min(contribution, cost))
    lines.append(BreakdownLine("weekly_charge", f"Your weekly charge: {pounds(charge)}.", charge))
    return charge


def _result(
    person: AssessmentInput,
    params: ParametersInForce,
    charge: Decimal,
    lines: list[BreakdownLine],
) -> ChargeResult:
    provisional = params.provisional_values
    if provisional:
        lines.append(
            BreakdownLine(
                "note",
                "PROVISIONAL: this figure uses values not yet checked against the official "
                f"tables ({', '.join(provisional)}). It may change when they are checked.",
            )
        )
    return ChargeResult(
        setting=person.setting,
        assessment_date=person.date,
        weekly_charge=charge,
        provisional=bool(provisional),
        provisional_values=tuple(provisional),
        breakdown=tuple(lines),
        parameters_used=tuple(params.used[name] for name in sorted(params.used)),
    )


def assess_dict(
    data: Mapping[str, object],
    overrides: Overrides | None = None,
    on: dt.date | None = None,
) -> ChargeResult:
    """Convenience: validate a plain dict (``on`` replaces or supplies its date) and assess it."""
    merged = dict(data)
    if on is not None:
        merged["date"] = on
    return assess(AssessmentInput.from_dict(merged), overrides)
