"""Capital: what counts, the property disregards, joint shares and tariff income (reg 25)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from rules.charging.errors import OverrideError
from rules.charging.inputs import AssessmentInput, CapitalItem, CapitalKind, Property
from rules.charging.money import ZERO, pounds, round_for_person_down
from rules.charging.parameters import ParametersInForce
from rules.charging.result import BreakdownLine


@dataclass
class CapitalAssessment:
    total: Decimal = ZERO
    tariff_income: Decimal = ZERO
    above_upper_limit: bool = False
    upper_limit: Decimal = ZERO
    lines: list[BreakdownLine] = field(default_factory=list)


def _owners_text(owners: int) -> str:
    return "" if owners == 1 else f", your equal share as one of {owners} owners"


def _property_share(
    params: ParametersInForce, value: Decimal, debt: Decimal, owners: int
) -> Decimal:
    """Market value less sale costs and secured debts, then split equally between owners."""
    rate = params.value("capital.sale_costs_deduction_rate")
    net = max(ZERO, value * (1 - rate) - debt)
    return round_for_person_down(net / owners)


def _sale_costs_text(params: ParametersInForce) -> str:
    rate = params.value("capital.sale_costs_deduction_rate")
    return f"{(rate * 100).normalize():f}%"


def _item_share(params: ParametersInForce, item: CapitalItem) -> Decimal:
    if item.kind is CapitalKind.PROPERTY:
        return _property_share(params, item.value, item.secured_debt, item.owners)
    return round_for_person_down(max(ZERO, item.value - item.secured_debt) / item.owners)


def tariff_income(capital: Decimal, lower: Decimal, step: Decimal, per_step: Decimal) -> Decimal:
    """£1 a week for each £250, or part of £250, above the lower limit (a ceiling division)."""
    if capital <= lower:
        return ZERO
    steps = ((capital - lower) / step).to_integral_value(rounding=ROUND_CEILING)
    return (steps * per_step).quantize(Decimal("0.01"))


def assess_capital(person: AssessmentInput, params: ParametersInForce) -> CapitalAssessment:
    result = CapitalAssessment()
    upper = params.value("capital.upper_limit")
    lower = params.value("capital.lower_limit")
    if lower > upper:
        raise OverrideError("capital.lower_limit", f"lower limit {lower} is above upper {upper}")
    result.upper_limit = upper

    for item in person.capital:
        share = _item_share(params, item)
        name = item.description or item.kind.value.replace("_", " ")
        extra = (
            f" after {_sale_costs_text(params)} for the costs of selling"
            " and any loans secured on it"
            if item.kind is CapitalKind.PROPERTY
            else ""
        )
        result.total += share
        result.lines.append(
            BreakdownLine(
                "capital",
                f"{name.capitalize()}: {pounds(share)} counted{extra}{_owners_text(item.owners)}.",
                share,
            )
        )
    if person.property is not None:
        _add_home(person, person.property, params, result)

    result.lines.append(
        BreakdownLine(
            "capital", f"Your capital counted in total: {pounds(result.total)}.", result.total
        )
    )
    if result.total > upper:
        result.above_upper_limit = True
        result.lines.append(
            BreakdownLine(
                "capital",
                f"This is more than the upper limit of {pounds(upper)}, so you pay the full cost "
                "of your care for now. Tell us when your capital falls to that limit.",
                upper,
            )
        )
        return result

    step = params.value("capital.tariff_step")
    per_step = params.value("capital.tariff_per_step")
    result.tariff_income = tariff_income(result.total, lower, step, per_step)
    if result.tariff_income > 0:
        text = (
            f"Tariff income: your capital is {pounds(result.total - lower)} above the lower limit "
            f"of {pounds(lower)}. We count {pounds(per_step)} a week for every {pounds(step)} "
            f"or part of {pounds(step)}: {pounds(result.tariff_income)} a week."
        )
    else:
        text = (
            f"Tariff income: none, because your capital is not more than the lower limit "
            f"of {pounds(lower)}."
        )
    result.lines.append(BreakdownLine("tariff_income", text, result.tariff_income))
    return result


def _add_home(
    person: AssessmentInput, home: Property, params: ParametersInForce, result: CapitalAssessment
) -> None:
    """Apply the main-home disregards (Sched 2; Annex B)."""
    reason = ""
    if person.setting == "home":
        reason = "the home you live in is ignored while you get care at home"
    elif person.care_home_stay == "temporary":
        reason = "your home is ignored while your stay in the care home is temporary"
    elif home.occupied_by_qualifying_relative:
        reason = (
            "your home is ignored because a partner, a relative aged 60 or over or "
            "incapacitated, or a child under 18 still lives there"
        )
    else:
        weeks = params.value("capital.property_disregard_weeks")
        other_capital = result.total
        if Decimal(person.weeks_in_care_home or 0) < weeks and other_capital <= result.upper_limit:
            reason = (
                f"your home is ignored for the first {weeks} weeks of a permanent stay "
                "(the 12-week property disregard)"
            )
    if reason:
        result.lines.append(
            BreakdownLine("capital", f"Your home ({pounds(home.value)}): {reason}.", ZERO)
        )
        return
    share = _property_share(params, home.value, home.secured_debt, home.owners)
    result.total += share
    result.lines.append(
        BreakdownLine(
            "capital",
            f"Your home: {pounds(share)} counted (value {pounds(home.value)}, less "
            f"{_sale_costs_text(params)} for the "
            f"costs of selling and any loans secured on it{_owners_text(home.owners)}).",
            share,
        )
    )
