"""Published worked examples, recomputed with the parameters in force for each example's year.

Each test cites its source. Figures are copied from the published example; the expected charge is
the published one.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from rules.charging import LocalOverride
from rules.charging.capital import tariff_income
from rules.charging.tests.helpers import care_home, home, run, step_total


def test_devon_peter_working_age_2023_24() -> None:
    """Devon County Council, "Examples of common financial assessments" (2023/24 rates), Example 1:
    Peter, 37, ESA 225.45, PIP daily living enhanced 101.75 (counted), PIP mobility 26.90 (ignored),
    housing 17.27, DRE 28.08, MIG 171.75 (= 103.65 + disability premium 45.75 + enhanced 22.35).
    Published contribution 110.10 towards 454.00.
    https://www.devon.gov.uk/adult-social-care/factsheet/financial-assessment-for-community-services/examples-of-common-financial-assessments/
    """
    result = run(
        home(
            date="2023-06-05",
            age=37,
            weekly_cost_of_care="454.00",
            incomes={
                "esa": "225.45",
                "pip_daily_living_enhanced": "101.75",
                "pip_mobility": "26.90",
            },
            housing_costs="17.27",
            dre_claimed="28.08",
            disability_premium=True,
            enhanced_disability_premium=True,
        )
    )
    assert result.weekly_charge == Decimal("110.10")
    assert not result.provisional
    assert step_total(result, "income_disregarded") == Decimal("26.90")
    mig = sum(
        (p.value or Decimal(0) for p in result.parameters_used if p.name.startswith("minimum_")),
        Decimal(0),
    )
    assert mig == Decimal("171.75")


def test_knowsley_client_a_no_night_care_2024_25() -> None:
    """Knowsley Council, "Examples of financial assessments for care provided in your home or the
    community", Example 1 (2024/25): Client A, 22, Universal Credit 167.96, PIP daily living
    enhanced 108.55 with 'no night care element' 35.90 ignored (a Knowsley local disregard,
    passed here as a council override), PIP mobility enhanced 75.75 ignored, DRE 12.60, MIG 160.30
    (= 87.65 + 48.80 + 23.85). Published contribution 67.71 towards 391.95.
    https://knowsley.gov.uk/adult-social-care/paying-adult-social-care/examples-financial-assessments-care-provided-your-home
    """
    overrides = {
        "local.no_night_care_disregard": LocalOverride(Decimal("35.90"), dt.date(2024, 4, 1))
    }
    result = run(
        home(
            date="2024-06-03",
            age=22,
            weekly_cost_of_care="391.95",
            incomes={
                "universal_credit": "167.96",
                "pip_daily_living_enhanced": "108.55",
                "pip_mobility": "75.75",
            },
            dre_claimed="12.60",
            disability_premium=True,
            enhanced_disability_premium=True,
        ),
        overrides,
    )
    assert result.weekly_charge == Decimal("67.71")
    assert step_total(result, "income_disregarded") == Decimal("111.65")
    assert not result.provisional


def test_leeds_mary_pension_age_pays_nothing_2024_25() -> None:
    """Leeds City Council, "Examples: how much people pay" (care at home), Example 1: Mary, 85,
    State Pension 169.50 + Pension Credit 48.65 = 218.15; cost-of-living allowance 228.70 and
    telecare 9.30 ignored, so she pays nothing towards 287.50.
    https://leeds.gov.uk/adult-social-care/how-to-get-adult-social-care-and-support/help-to-pay-for-care/help-paying-for-care-and-support/examples-how-much-people-pay-for-care-and-support
    """
    result = run(
        home(
            date="2024-06-03",
            age=85,
            weekly_cost_of_care="287.50",
            incomes={"state_pension": "169.50", "pension_credit_guarantee": "48.65"},
            dre_claimed="9.30",
        )
    )
    assert result.weekly_charge == Decimal("0.00")
    assert step_total(result, "allowance") == Decimal("238.00")


def test_kingston_joan_pension_age_pays_nothing_2023_24() -> None:
    """Royal Borough of Kingston, "Examples of what people pay for care and support", Example 1:
    Joan, 85, State Pension 203.85 + Attendance Allowance higher 101.75 = 305.60; MIG 214.35,
    household bills 100, disability-related costs 5 = 319.35 kept, so she pays nothing
    (2023/24 MIG).
    https://kingston.gov.uk/paying-social-care/support-pay-care-home/3
    """
    result = run(
        home(
            date="2023-06-05",
            age=85,
            weekly_cost_of_care="180.10",
            incomes={"state_pension": "203.85", "attendance_allowance_higher": "101.75"},
            housing_costs="100.00",
            dre_claimed="5.00",
        )
    )
    assert result.weekly_charge == Decimal("0.00")
    assert step_total(result, "allowance") == Decimal("319.35")


def test_leeds_michael_care_home_2024_25() -> None:
    """Leeds City Council, "Examples: how much people pay for care homes", Example 1: Michael,
    permanent, savings under 14,250, State Pension 209.67 + private pension 25.81 = 235.48, less the
    Personal Expenses Allowance 30.15 = 205.33 a week towards fees of 694.
    https://leeds.gov.uk/adult-social-care/how-to-get-adult-social-care-and-support/help-to-pay-for-care/help-paying-for-care-homes/examples-how-much-people-pay-for-care-homes
    """
    result = run(
        care_home(
            weekly_cost_of_care="694.00",
            incomes={"state_pension": "209.67", "personal_pension": "25.81"},
            capital=[{"kind": "savings", "value": "9000.00"}],
        )
    )
    assert result.weekly_charge == Decimal("205.33")


def test_lambeth_jane_care_home_with_tariff_income_2024_25() -> None:
    """Lambeth Council, "Example of how your contribution is calculated" (care home): Jane, 71,
    savings 15,250 -> tariff income 4; pensions 130 + other benefits 40; total 174 less the Personal
    Expenses Allowance 30.15 = 143.85 a week.
    https://www.lambeth.gov.uk/adult-social-care-and-health/adults-and-older-people/paying-care/paying-care-care-home/example-how-your-contribution-calculated
    """
    result = run(
        care_home(
            age=71,
            incomes={"state_pension": "130.00", "other_counted": "40.00"},
            capital=[{"kind": "savings", "value": "15250.00"}],
        )
    )
    assert step_total(result, "tariff_income") == Decimal("4.00")
    assert result.weekly_charge == Decimal("143.85")


def test_tariff_income_published_examples() -> None:
    """Tariff income is 1 a week per 250 or part of 250 above 14,250 (reg 25):
    - Knowsley "General information about financial assessments": 15,000 -> 3
      https://www.knowsley.gov.uk/adult-social-care/paying-adult-social-care/general-information-about-financial-assessments
    - Devon "FAQs - paying for community care": 16,500 -> 9
      https://www.devon.gov.uk/adult-social-care/paying-for-care/how-do-i-pay-for-my-care/faqs-paying-for-community-care/
    - St Helens "Savings" (residential): 15,000 -> 3  https://sthelens.gov.uk/article/4431/Savings
    - Knowsley via RULES.md: 2,800.91 over the limit is 11.20 steps, rounded up to 12.
    """
    lower, step, per = Decimal("14250.00"), Decimal("250.00"), Decimal("1.00")
    assert tariff_income(Decimal("15000.00"), lower, step, per) == Decimal("3.00")
    assert tariff_income(Decimal("16500.00"), lower, step, per) == Decimal("9.00")
    assert tariff_income(Decimal("17050.91"), lower, step, per) == Decimal("12.00")
    assert tariff_income(Decimal("14250.00"), lower, step, per) == Decimal("0.00")
    assert tariff_income(Decimal("14250.01"), lower, step, per) == Decimal("1.00")
    assert tariff_income(Decimal("23250.00"), lower, step, per) == Decimal("36.00")


def test_reg7_as_made_is_income_support_plus_25_percent() -> None:
    """Charging Regs reg 7 as made (2014): single 25+ = 72.40 x 1.25 = 90.50, as RULES.md checks.
    https://legislation.gov.uk/uksi/2014/2672/regulation/7/made
    """
    assert (Decimal("72.40") * Decimal("1.25")).quantize(Decimal("0.01")) == Decimal("90.50")
