"""Charging rules the other tests did not pin down, found by the mutation run (issue 14).

Each test names the rule and where it comes from. Figures marked "test figure" below are made up
to tell two parameters apart (the national figure for them is unknown in the parameter file);
they are never presented as the circular's.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rules.charging import (
    AssessmentInput,
    LocalOverride,
    NationalFigure,
    OverrideError,
    UnknownParameterError,
    assess,
    assess_dict,
)
from rules.charging.tests.helpers import care_home, home, run, step_total

D = Decimal
SAVINGS_20K = [{"kind": "savings", "value": "20000.00"}]


def lower_limit(value: str) -> dict[str, list[LocalOverride]]:
    return {"capital.lower_limit": [LocalOverride(D(value), dt.date(2024, 4, 1))]}


def test_local_lower_capital_limit_equal_to_the_upper_limit_is_allowed() -> None:
    """Charging Regs regs 12 and 25, Annex B para 3: a council may raise the lower capital limit
    for care at home (capital.lower_limit, overridable "home"); equal to the upper limit
    (£23,250) it simply leaves no tariff band, so it is accepted: £20,000 then gives no tariff
    income, where the national £14,250 would give £23 a week."""
    data = home(capital=SAVINGS_20K, incomes={"esa": "200.00"})
    national = run(data)
    raised = run(data, lower_limit("23250.00"))
    assert step_total(national, "tariff_income") == D("23.00")
    assert step_total(raised, "tariff_income") == D("0")
    assert raised.weekly_charge == national.weekly_charge - D("23.00")


def test_local_lower_capital_limit_a_penny_above_the_upper_limit_is_refused() -> None:
    """The same rule: a lower limit above the upper limit (here £23,250.01 against £23,250.00)
    makes no sense and is refused, naming the figure and both limits."""
    with pytest.raises(OverrideError) as error:
        run(home(capital=SAVINGS_20K, incomes={"esa": "200.00"}), lower_limit("23250.01"))
    assert error.value.name == "capital.lower_limit"
    assert str(error.value) == (
        "Local figure for 'capital.lower_limit' rejected: "
        "lower limit 23250.01 is above upper 23250.00"
    )


def test_assess_dict_applies_the_councils_local_figures() -> None:
    """``assess_dict`` (used by the app's forms) passes the council's local figures on: the same
    local lower limit as above removes the £23 tariff income."""
    data = home(capital=SAVINGS_20K, incomes={"esa": "200.00"})
    assert assess_dict(data).weekly_charge - assess_dict(
        data, lower_limit("23250.00")
    ).weekly_charge == D("23.00")


def test_couple_in_a_care_home_with_savings_credit_needs_the_couple_figure() -> None:
    """Charging Regs Sched 1 para 40: in a care home, savings credit is ignored up to a maximum
    that differs for a single person (savings_credit_disregard.single_max, £6.95 in 2024/25) and a
    member of a couple (savings_credit_disregard.couple_max, not known for 2024/25). A couple
    member is refused naming the couple figure, never assessed with the single one."""
    with pytest.raises(UnknownParameterError) as error:
        run(care_home(couple=True, incomes={"pension_credit_savings": "10.00"}))
    assert error.value.name == "savings_credit_disregard.couple_max"
    single = run(care_home(incomes={"pension_credit_savings": "10.00"}))
    assert step_total(single, "income_disregarded") == D("6.95")


def test_couple_premiums_are_the_couple_figures() -> None:
    """Charging Regs reg 7(6): a member of a couple gets the couple rates of the disability and
    enhanced disability premiums (…_couple_each), not the single rates of reg 7(5). The couple
    figures are unknown in the parameter file, so test figures are supplied for 2025/26."""
    start = dt.date(2025, 4, 6)
    figures = {
        "minimum_income_guarantee.couple_18_plus_each": [
            NationalFigure(D("100.00"), start, "test figure")
        ],
        "minimum_income_guarantee.disability_premium_couple_each": [
            NationalFigure(D("10.00"), start, "test figure")
        ],
        "minimum_income_guarantee.enhanced_disability_premium_couple_each": [
            NationalFigure(D("1.00"), start, "test figure")
        ],
    }
    person = AssessmentInput.from_dict(
        home(
            date="2025-06-02",
            couple=True,
            disability_premium=True,
            enhanced_disability_premium=True,
            incomes={"esa": "200.00"},
        )
    )
    result = assess(person, national=figures)
    # 100.00 + 10.00 + 1.00; the single premiums (49.65 and 24.25) would give 173.90.
    assert step_total(result, "allowance") == D("111.00")
    single = assess(
        AssessmentInput.from_dict(
            home(
                date="2025-06-02",
                disability_premium=True,
                enhanced_disability_premium=True,
                incomes={"esa": "200.00"},
            )
        )
    )
    assert "Disability premium: £49.65." in [line.text for line in single.breakdown]
