"""Every limit tested exactly at the limit and a penny (or a year, or a week) either side.

Written to kill the mutants that survived the suite (issue 14, docs/mutation.md): each of these
tests fails when one comparison or one deduction in the rules is changed. The figures are the
2024/25 ones in rules/charging/data/england_parameters.yaml (the same as
../shared/data/charging/england_parameters.yaml and ../shared/data/charging/RULES.md).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rules.charging import AssessmentInput, LocalOverride, assess, parameters_in_force
from rules.charging.allowances import reached_pension_credit_age
from rules.charging.calculator import assess_dict
from rules.charging.capital import tariff_income
from rules.charging.errors import InputError, UnknownParameterError
from rules.charging.parameters import NationalFigure, national_figures_from_dict
from rules.charging.pension_age import age_bounds, extra_months, state_pension_date
from rules.charging.tests.helpers import care_home, home, run, step_total

D = Decimal
ESA = {"esa": "200.00"}  # at home, aged 40: 200.00 - MIG 110.60 = 89.40 before tariff income


def savings(value: str) -> list[dict[str, str]]:
    return [{"kind": "savings", "value": value}]


def over_upper_limit(result: object) -> bool:
    return any("more than the upper limit" in line.text for line in result.breakdown)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("capital", "charge", "tariff", "over"),
    [
        # Charging Regs reg 12 and Annex B para 3 (capital.upper_limit, £23,250): capital *above*
        # the upper limit means paying the full cost; capital equal to it is still assessed, with
        # tariff income of ceil((23,250 - 14,250) / 250) = 36 pounds a week (reg 25).
        ("23249.99", "125.40", "36.00", False),
        ("23250.00", "125.40", "36.00", False),
        ("23250.01", "300.00", "0", True),
    ],
)
def test_capital_at_the_upper_limit_is_not_over_it(
    capital: str, charge: str, tariff: str, over: bool
) -> None:
    result = run(home(capital=savings(capital), incomes=ESA))
    assert result.weekly_charge == D(charge)
    assert step_total(result, "tariff_income") == D(tariff)
    assert over_upper_limit(result) is over


@pytest.mark.parametrize(
    ("capital", "tariff"),
    [
        # Charging Regs reg 25 and Annex B (capital.lower_limit £14,250, capital.tariff_step £250,
        # capital.tariff_per_step £1): £1 a week for each £250, or part of £250, above the lower
        # limit; capital at the lower limit gives none.
        ("14249.99", "0.00"),
        ("14250.00", "0.00"),
        ("14250.01", "1.00"),
        ("14500.00", "1.00"),
        ("14500.01", "2.00"),
    ],
)
def test_tariff_income_at_the_lower_limit_and_each_step(capital: str, tariff: str) -> None:
    result = run(home(capital=savings(capital), incomes=ESA))
    assert step_total(result, "tariff_income") == D(tariff)
    assert result.weekly_charge == D("89.40") + D(tariff)
    assert tariff_income(D(capital), D("14250.00"), D("250.00"), D("1.00")) == D(tariff)


@pytest.mark.parametrize(
    ("other_capital", "weeks", "home_ignored", "charge"),
    [
        # Charging Regs Sched 2 and Annex B (capital.property_disregard_weeks, 12): the former
        # home of a permanent resident is ignored for the first 12 weeks, unless the person's
        # other capital is already above the upper limit (reg 12, £23,250). Other capital equal
        # to the limit keeps the disregard: state pension 200.00 - PEA 30.15 + tariff 36.00.
        ("23249.99", 11, True, "205.85"),
        ("23250.00", 11, True, "205.85"),
        ("23250.01", 11, False, "700.00"),
        ("23250.00", 12, False, "700.00"),
        ("0.00", 11, True, "169.85"),
        ("0.00", 12, False, "700.00"),
    ],
)
def test_twelve_week_property_disregard_at_the_upper_limit_and_the_twelfth_week(
    other_capital: str, weeks: int, home_ignored: bool, charge: str
) -> None:
    result = run(
        care_home(
            weeks_in_care_home=weeks,
            capital=savings(other_capital),
            property={"value": "150000.00"},
            incomes={"state_pension": "200.00"},
        )
    )
    ignored = any("12-week property disregard" in line.text for line in result.breakdown)
    assert ignored is home_ignored
    assert result.weekly_charge == D(charge)


def test_property_counts_its_value_less_ten_percent_for_the_costs_of_selling() -> None:
    # capital.sale_costs_deduction_rate 0.10 (Charging Regs capital valuation / Annex B; the same
    # 10% rule is printed for Pension Credit by DWP, ref dwp_pc10s_capital): 20,000 - 10% = 18,000.
    # 18,000 is above the lower limit: tariff income ceil(3,750 / 250) = 15.
    result = run(home(capital=[{"kind": "property", "value": "20000.00"}], incomes=ESA))
    counted = [line.amount for line in result.breakdown if line.text.startswith("Property:")]
    assert counted == [D("18000.00")]
    assert step_total(result, "tariff_income") == D("15.00")
    assert result.weekly_charge == D("104.40")


def test_property_deduction_comes_before_secured_debt_and_the_owners_share() -> None:
    # (100,000 - 10% - 5,000 secured) / 2 owners = 42,500 (reg 24 joint ownership, reg 23 debts).
    result = run(
        home(
            capital=[
                {"kind": "property", "value": "100000.00", "secured_debt": "5000.00", "owners": 2}
            ],
            incomes=ESA,
        )
    )
    counted = [line.amount for line in result.breakdown if line.text.startswith("Property:")]
    assert counted == [D("42500.00")]


def test_former_home_counted_after_twelve_weeks_less_ten_percent() -> None:
    result = run(care_home(weeks_in_care_home=12, property={"value": "20000.00"}))
    counted = [line.amount for line in result.breakdown if line.text.startswith("Your home:")]
    assert counted == [D("18000.00")]


@pytest.mark.parametrize(
    ("esa", "charge"),
    [
        # local.minimum_charge_threshold (local charging policy, Reading's £1.25): a contribution
        # *below* the threshold is not collected; one equal to it is. MIG at 25+: 110.60.
        ("111.84", "0.00"),
        ("111.85", "1.25"),
        ("111.86", "1.26"),
    ],
)
def test_a_charge_equal_to_the_minimum_charge_threshold_is_collected(esa: str, charge: str) -> None:
    overrides = {"local.minimum_charge_threshold": LocalOverride(D("1.25"), dt.date(2024, 4, 1))}
    result = run(home(incomes={"esa": esa}), overrides)
    assert result.weekly_charge == D(charge)
    waived = any(line.step == "minimum_charge" for line in result.breakdown)
    assert waived is (charge == "0.00")


@pytest.mark.parametrize(
    ("age", "guarantee", "charge"),
    [
        # Charging Regs reg 7(2)(a) and (b): single 18-24 (minimum_income_guarantee.single_18_24,
        # 87.65 in 2024/25) and single 25 or over (single_25_to_pension_credit_age, 110.60).
        (18, "87.65", "112.35"),
        (24, "87.65", "112.35"),
        (25, "110.60", "89.40"),
    ],
)
def test_age_25_gets_the_25_and_over_guarantee(age: int, guarantee: str, charge: str) -> None:
    result = run(home(age=age, incomes=ESA))
    assert result.weekly_charge == D(charge)
    assert any(
        "Minimum Income Guarantee" in line.text and line.amount == D(guarantee)
        for line in result.breakdown
    )


def test_home_counted_is_added_to_the_other_capital() -> None:
    # Charging Regs Sched 2 / Annex B: after the 12 weeks the former home counts *with* the
    # rest of the person's capital: 1,000 savings + (10,000 - 10%) = 10,000.
    result = run(
        care_home(
            weeks_in_care_home=12,
            capital=savings("1000.00"),
            property={"value": "10000.00"},
            incomes={"state_pension": "200.00"},
        )
    )
    total = [line.amount for line in result.breakdown if "capital counted in total" in line.text]
    assert total == [D("10000.00")]


@pytest.mark.parametrize(
    ("born", "months"),
    [
        # Pensions Act 2014 s.26 and Sched 12 (the table in rules/charging/pension_age.py): 66 for
        # those born before 6 April 1960, then a month more for each month of birth, 67 from
        # 6 March 1961.
        ("1960-04-05", 0),
        ("1960-04-06", 1),
        ("1960-05-05", 1),
        ("1960-05-06", 2),
        ("1961-03-05", 11),
        ("1961-03-06", 12),
        ("1961-04-06", 12),
        ("1977-04-05", 12),
    ],
)
def test_state_pension_age_months_at_each_band_edge(born: str, months: int) -> None:
    assert extra_months(dt.date.fromisoformat(born)) == months


def test_state_pension_age_after_1977_is_refused_with_the_reason() -> None:
    with pytest.raises(InputError) as error:
        state_pension_date(dt.date(1977, 4, 6))
    assert str(error.value).startswith(
        "State Pension age for people born after 5 April 1977 is not set by date of birth yet; "
        "answer whether they have reached Pension Credit age instead"
    )


def test_snapshot_shows_local_figures_with_the_national_status() -> None:
    local = LocalOverride(D("1.25"), dt.date(2024, 4, 1), note="Reading")
    snapshot = parameters_in_force(
        dt.date(2024, 6, 3), {"local.minimum_charge_threshold": local}
    ).snapshot()
    shown = snapshot["local.minimum_charge_threshold"]
    assert shown is not None
    assert (
        shown.name,
        shown.value,
        shown.status,
        shown.applies_from,
        shown.note,
        shown.source,
    ) == (
        "local.minimum_charge_threshold",
        D("1.25"),
        "verified",
        dt.date(2024, 4, 1),
        "Reading",
        "local",
    )
    national = snapshot["capital.upper_limit"]
    assert national is not None and national.source != "local"
    assert national.value == D("23250.00")


def test_national_figures_keep_their_note() -> None:
    figures = national_figures_from_dict(
        {
            "capital.upper_limit": [
                {"value": "23250.00", "applies_from": "2026-04-06", "note": "circular 2026/27"}
            ]
        }
    )
    assert figures == {
        "capital.upper_limit": [
            NationalFigure(D("23250.00"), dt.date(2026, 4, 6), "circular 2026/27")
        ]
    }


def test_assess_dict_takes_the_date_given_and_the_overrides() -> None:
    overrides = {"local.minimum_charge_threshold": LocalOverride(D("1.25"), dt.date(2024, 4, 1))}
    data = home(date="2023-06-05", incomes={"esa": "111.85"})
    on_date = assess_dict(data, overrides, on=dt.date(2024, 6, 3))
    assert on_date.assessment_date == dt.date(2024, 6, 3)
    assert on_date.weekly_charge == D("1.25")
    assert assess_dict(data).assessment_date == dt.date(2023, 6, 5)
    assert assess_dict(data).weekly_charge == D("8.20")  # 2023/24 guarantee 103.65


@pytest.mark.parametrize(
    ("on", "bounds"),
    [
        # Pensions Act 2014 s.26: State Pension age rises from 66 to 67 for people born from
        # 6 April 1960 to 5 March 1961, whose 66th birthdays start on 6 April 2026; everyone born
        # up to 5 April 1977 is 67 by 6 April 2044.
        ("2026-04-05", None),
        ("2026-04-06", (66, 67)),
        ("2044-04-05", (66, 67)),
        ("2044-04-06", None),
    ],
)
def test_state_pension_age_bounds_at_their_first_and_last_day(
    on: str, bounds: tuple[int, int] | None
) -> None:
    assert age_bounds(dt.date.fromisoformat(on)) == bounds


@pytest.mark.parametrize(("age", "reached"), [(65, False), (67, True), (68, True)])
def test_pension_credit_age_from_the_age_alone_while_it_is_rising(age: int, reached: bool) -> None:
    # In 2026/27 everyone aged 67 has reached State Pension age (and so Pension Credit age,
    # State Pension Credit Act 2002 s.1(6)) and no one aged 65 has.
    params = parameters_in_force(dt.date(2026, 6, 1))
    person = AssessmentInput.from_dict(home(date="2026-06-01", age=age))
    assert reached_pension_credit_age(person, params) is reached


def test_pension_credit_age_at_66_while_it_is_rising_needs_the_date_of_birth() -> None:
    params = parameters_in_force(dt.date(2026, 6, 1))
    person = AssessmentInput.from_dict(home(date="2026-06-01", age=66))
    with pytest.raises(UnknownParameterError) as error:
        reached_pension_credit_age(person, params)
    assert error.value.name == "people.pension_credit_qualifying_age"
    assert str(error.value) == (
        "Cannot calculate: parameter 'people.pension_credit_qualifying_age' is unknown for "
        "2026-06-01 (Pension Credit age now depends on date of birth; give date_of_birth, or "
        "reached_pension_credit_age: true or false). Add the verified figure to the parameter "
        "file before charging anyone on it."
    )


@pytest.mark.parametrize(
    ("age", "name", "who"),
    [
        # Charging Regs reg 7: each member of a couple has a guarantee (figures added as national
        # figures, as the DHSC circular would give them).
        (40, "minimum_income_guarantee.couple_18_plus_each", "a member of a couple"),
        (
            70,
            "minimum_income_guarantee.couple_pension_credit_age_each",
            "a member of a couple at Pension Credit age",
        ),
    ],
)
def test_couple_guarantee_names_the_couple(age: int, name: str, who: str) -> None:
    national = national_figures_from_dict(
        {name: [{"value": "90.00", "applies_from": "2024-04-01"}]}
    )
    person = AssessmentInput.from_dict(home(couple=True, age=age, incomes={"esa": "300.00"}))
    result = assess(person, national=national)
    assert next(line.text for line in result.breakdown if line.step == "allowance") == (
        f"Minimum Income Guarantee for {who}: £90.00."
    )
