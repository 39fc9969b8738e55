"""What the person keeps: the Minimum Income Guarantee (reg 7) at home, the Personal Expenses
Allowance (reg 6) in a care home, plus Disability Related Expenditure and housing costs."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from rules.charging.errors import UnknownParameterError
from rules.charging.inputs import AssessmentInput
from rules.charging.money import ZERO, pounds
from rules.charging.parameters import ParametersInForce
from rules.charging.pension_age import age_bounds, reached_on
from rules.charging.result import BreakdownLine

MIG = "minimum_income_guarantee."


@dataclass
class Allowances:
    total: Decimal = ZERO
    lines: list[BreakdownLine] = field(default_factory=list)

    def add(self, amount: Decimal, text: str) -> None:
        self.total += amount
        self.lines.append(BreakdownLine("allowance", text, amount))


def reached_pension_credit_age(person: AssessmentInput, params: ParametersInForce) -> bool:
    """An explicit answer wins; otherwise compare the age with the qualifying age in force."""
    if person.reached_pension_credit_age is not None:
        return person.reached_pension_credit_age
    if person.date_of_birth is not None:
        return reached_on(person.date_of_birth, params.on)
    bounds = age_bounds(params.on)
    if bounds is not None and not bounds[0] <= person.age < bounds[1]:
        # Everyone under the lowest State Pension age has not reached it, and everyone at the
        # highest has; only ages in between depend on the date of birth.
        return person.age >= bounds[1]
    try:
        return Decimal(person.age) >= params.value("people.pension_credit_qualifying_age")
    except UnknownParameterError as error:
        raise UnknownParameterError(
            "people.pension_credit_qualifying_age",
            params.on.isoformat(),
            "Pension Credit age now depends on date of birth; "
            "give date_of_birth, or reached_pension_credit_age: true or false",
        ) from error


def minimum_income_guarantee(person: AssessmentInput, params: ParametersInForce) -> Allowances:
    """Base amount for the person + each child + premiums (reg 7(1))."""
    mig = Allowances()
    pension_age = reached_pension_credit_age(person, params)
    if person.couple:
        name = "couple_pension_credit_age_each" if pension_age else "couple_18_plus_each"
        who = "a member of a couple" + (" at Pension Credit age" if pension_age else "")
    elif pension_age:
        name, who = "single_pension_credit_age", "a single person at Pension Credit age"
    elif person.dependent_children > 0:
        name, who = "lone_parent_18_plus", "a lone parent"
    elif person.age < 25:
        name, who = "single_18_24", "a single person aged 18 to 24"
    else:
        name, who = "single_25_to_pension_credit_age", "a single person aged 25 or over"
    mig.add(
        params.value(MIG + name),
        f"Minimum Income Guarantee for {who}: {pounds(params.value(MIG + name))}.",
    )

    if person.dependent_children:
        each = params.value(MIG + "per_child")
        mig.add(
            each * person.dependent_children,
            f"Added for {person.dependent_children} child(ren) living with you: "
            f"{person.dependent_children} x {pounds(each)}.",
        )
    suffix = "couple_each" if person.couple else "single"
    premiums = (
        (person.disability_premium, f"disability_premium_{suffix}", "Disability premium"),
        (
            person.enhanced_disability_premium,
            f"enhanced_disability_premium_{suffix}",
            "Enhanced disability premium",
        ),
        (person.carer_premium, "carer_premium", "Carer premium"),
    )
    for applies, param, label in premiums:
        if applies:
            amount = params.value(MIG + param)
            mig.add(amount, f"{label}: {pounds(amount)}.")
    for count, rate in (
        (person.disabled_children_lower, "lower"),
        (person.disabled_children_higher, "higher"),
    ):
        if count:
            each = params.value(MIG + f"disabled_child_premium_{rate}")
            mig.add(
                each * count, f"Disabled child addition ({rate} rate): {count} x {pounds(each)}."
            )
    return mig


def home_allowances(
    person: AssessmentInput, params: ParametersInForce, disability_benefits_counted: bool
) -> Allowances:
    """MIG, then Disability Related Expenditure, then housing costs."""
    allowances = minimum_income_guarantee(person, params)
    dre = person.dre_claimed
    standard = params.value("local.dre_standard_allowance") if disability_benefits_counted else ZERO
    if standard > dre:
        allowances.add(
            standard,
            "Disability Related Expenditure: the council's standard allowance of "
            f"{pounds(standard)} (you can show us costs above this).",
        )
    elif dre > 0:
        allowances.add(dre, f"Disability Related Expenditure agreed with you: {pounds(dre)}.")
    if person.housing_costs > 0:
        allowances.add(
            person.housing_costs,
            "Housing costs (rent, mortgage, council tax and service charges, after Housing "
            f"Benefit and Council Tax Reduction): {pounds(person.housing_costs)}.",
        )
    return allowances


def care_home_allowances(person: AssessmentInput, params: ParametersInForce) -> Allowances:
    allowances = Allowances()
    pea = params.value("personal_expenses_allowance")
    allowances.add(pea, f"Personal Expenses Allowance you keep for yourself: {pounds(pea)}.")
    if person.care_home_stay == "temporary" and person.housing_costs > 0:
        allowances.add(
            person.housing_costs,
            "Costs of keeping your home while your stay is temporary: "
            f"{pounds(person.housing_costs)}.",
        )
    return allowances
