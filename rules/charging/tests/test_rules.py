"""Rules that the worked examples do not reach: statuses, overrides, property, couples."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rules.charging import (
    LocalOverride,
    OverrideError,
    UnknownParameterError,
    parameters_in_force,
)
from rules.charging.overrides import overrides_from_dict
from rules.charging.tests.helpers import care_home, home, run, step_total

D = Decimal


def test_parameters_in_force_pick_the_value_for_the_date() -> None:
    pea = "personal_expenses_allowance"
    assert parameters_in_force(dt.date(2024, 3, 31)).value(pea) == D("28.25")
    assert parameters_in_force(dt.date(2024, 4, 1)).value(pea) == D("30.15")
    assert parameters_in_force(dt.date(2025, 4, 6)).value(pea) == D("30.65")
    snapshot = parameters_in_force(dt.date(2025, 5, 1)).snapshot()
    estimate = snapshot["minimum_income_guarantee.single_pension_credit_age"]
    assert estimate is not None and estimate.status == "estimate"


def test_couple_at_home_is_refused_because_couple_rates_are_unknown() -> None:
    with pytest.raises(UnknownParameterError) as error:
        run(home(couple=True, age=70))
    assert error.value.name == "minimum_income_guarantee.couple_pension_credit_age_each"
    assert "minimum_income_guarantee.couple_pension_credit_age_each" in str(error.value)


def test_dates_after_the_loaded_years_are_refused() -> None:
    with pytest.raises(UnknownParameterError, match=r"capital\.upper_limit"):
        run(home(date="2026-11-23"))


def test_dates_before_the_first_value_are_refused() -> None:
    with pytest.raises(UnknownParameterError, match="no value before 2023-04-06"):
        run(home(date="2022-06-01"))


def test_unknown_value_only_refused_when_needed() -> None:
    # 2025/26 savings-credit disregard is unknown: a care-home resident without savings credit is
    # still assessed; one with savings credit is refused.
    run(care_home(date="2025-06-02", incomes={"state_pension": "230.25"}))
    with pytest.raises(UnknownParameterError, match=r"savings_credit_disregard\.single_max"):
        run(care_home(date="2025-06-02", incomes={"pension_credit_savings": "5.00"}))


def test_estimate_makes_the_result_provisional_and_names_the_value() -> None:
    result = run(home(date="2025-06-02", age=80, incomes={"state_pension": "300.00"}))
    assert result.provisional
    assert result.provisional_values == ("minimum_income_guarantee.single_pension_credit_age",)
    assert result.breakdown[-1].step == "note"
    assert "PROVISIONAL" in result.breakdown[-1].text
    assert result.to_dict()["provisional"] is True


def test_verified_values_only_is_not_provisional() -> None:
    result = run(home(date="2025-06-02", age=40, incomes={"esa": "200.00"}))
    assert not result.provisional
    assert result.weekly_charge == D("87.50")  # 200.00 - 112.50


def test_lone_parent_uses_estimated_base_plus_children() -> None:
    result = run(home(age=30, dependent_children=2, incomes={"universal_credit": "400.00"}))
    assert result.provisional_values == ("minimum_income_guarantee.lone_parent_18_plus",)
    # 2024/25: 110.60 (estimate) + 2 x 101.25
    assert step_total(result, "allowance") == D("313.10")
    assert result.weekly_charge == D("86.90")


def test_pension_credit_age_from_age_or_explicit_answer() -> None:
    at_66 = run(home(age=66, incomes={"state_pension": "300.00"}))
    assert step_total(at_66, "allowance") == D("228.70")
    explicit = run(home(age=66, reached_pension_credit_age=False, incomes={"esa": "300.00"}))
    assert step_total(explicit, "allowance") == D("110.60")


def test_overrides_more_generous_apply_from_their_date() -> None:
    overrides = {
        "minimum_income_guarantee.single_25_to_pension_credit_age": [
            LocalOverride(D("120.00"), dt.date(2024, 4, 1)),
            LocalOverride(D("130.00"), dt.date(2024, 10, 1)),
        ]
    }
    data = home(incomes={"esa": "200.00"})
    assert run(data, overrides).weekly_charge == D("80.00")
    assert run({**data, "date": "2024-11-01"}, overrides).weekly_charge == D("70.00")
    assert run({**data, "date": "2024-04-01"}, overrides).weekly_charge == D("80.00")
    assert run({**data, "date": "2024-03-01"}, overrides).weekly_charge == D("96.35")
    used = run(data, overrides).parameters_used
    assert any(p.source == "local" for p in used)


def test_less_generous_override_is_rejected() -> None:
    overrides = {"personal_expenses_allowance": LocalOverride(D("25.00"), dt.date(2024, 4, 1))}
    with pytest.raises(OverrideError, match="less generous"):
        run(care_home(), overrides)


def test_override_for_unknown_or_national_only_parameter_is_rejected() -> None:
    with pytest.raises(OverrideError, match="no parameter"):
        parameters_in_force(
            dt.date(2024, 6, 1), {"mig": LocalOverride(D("1"), dt.date(2024, 1, 1))}
        )
    with pytest.raises(OverrideError, match="set nationally"):
        parameters_in_force(
            dt.date(2024, 6, 1),
            {"capital.tariff_step": LocalOverride(D("500.00"), dt.date(2024, 1, 1))},
        )


def test_override_cannot_fill_an_unknown_national_value() -> None:
    overrides = {
        "minimum_income_guarantee.couple_18_plus_each": LocalOverride(D("200"), dt.date(2024, 4, 1))
    }
    with pytest.raises(UnknownParameterError, match="cannot be checked"):
        run(home(couple=True), overrides)


def test_override_over_an_estimate_stays_provisional() -> None:
    overrides = {
        "minimum_income_guarantee.single_pension_credit_age": LocalOverride(
            D("240.00"), dt.date(2025, 4, 6)
        )
    }
    result = run(home(date="2025-06-02", age=80, incomes={"state_pension": "300.00"}), overrides)
    assert result.weekly_charge == D("60.00")
    assert result.provisional


def test_higher_local_capital_limit_applies_at_home_not_in_care_home() -> None:
    overrides = {"capital.upper_limit": LocalOverride(D("30000.00"), dt.date(2024, 4, 1))}
    savings = [{"kind": "savings", "value": "25000.00"}]
    at_home = run(home(capital=savings, incomes={"esa": "200.00"}), overrides)
    assert at_home.weekly_charge < D("300.00")
    assert step_total(at_home, "tariff_income") == D("43.00")
    in_home = run(care_home(capital=savings, incomes={"state_pension": "200.00"}), overrides)
    assert in_home.weekly_charge == D("700.00")


def test_overrides_from_plain_data() -> None:
    overrides = overrides_from_dict(
        {"local.minimum_charge_threshold": {"value": "1.25", "applies_from": "2024-04-01"}}
    )
    result = run(home(incomes={"esa": "111.60"}), overrides)  # 1.00 above the guarantee
    assert result.weekly_charge == D("0.00")
    assert any(line.step == "minimum_charge" for line in result.breakdown)


def test_standard_dre_only_where_disability_benefits_are_counted() -> None:
    overrides = {"local.dre_standard_allowance": LocalOverride(D("10.85"), dt.date(2024, 4, 1))}
    with_benefit = run(
        home(incomes={"esa": "200.00", "pip_daily_living_standard": "72.65"}), overrides
    )
    without = run(home(incomes={"esa": "272.65"}), overrides)
    assert without.weekly_charge - with_benefit.weekly_charge == D("10.85")
    claimed_more = run(
        home(incomes={"esa": "200.00", "pip_daily_living_standard": "72.65"}, dre_claimed="20.00"),
        overrides,
    )
    assert with_benefit.weekly_charge - claimed_more.weekly_charge == D("9.15")


def test_charge_is_capped_at_cost_of_care() -> None:
    result = run(home(weekly_cost_of_care="50.00", incomes={"occupational_pension": "500.00"}))
    assert result.weekly_charge == D("50.00")
    assert any(line.step == "cap_at_cost_of_care" for line in result.breakdown)


def test_capital_above_upper_limit_pays_full_cost_and_main_home_ignored_at_home() -> None:
    result = run(home(capital=[{"kind": "savings", "value": "23250.01"}]))
    assert result.weekly_charge == D("300.00")
    with_house = run(home(property={"value": "400000.00"}, incomes={"esa": "200.00"}))
    assert with_house.weekly_charge == D("89.40")


def test_joint_capital_and_joint_income_are_split_equally() -> None:
    result = run(
        home(
            couple=False,
            capital=[{"kind": "savings", "value": "30000.00", "owners": 2}],
            incomes={"esa": "200.00"},
        )
    )
    assert step_total(result, "tariff_income") == D("3.00")  # 15,000 share
    with pytest.raises(UnknownParameterError):  # couples at home need the unknown couple MIG
        run(home(couple=True, joint_incomes={"esa": "201.01"}))
    in_care_home = run(care_home(couple=True, joint_incomes={"state_pension": "201.01"}))
    assert step_total(in_care_home, "income_counted") == D("100.50")  # half, rounded down


def test_twelve_week_property_disregard_then_home_counts() -> None:
    house = {"value": "200000.00", "secured_debt": "20000.00"}
    early = run(care_home(weeks_in_care_home=11, property=house, incomes={"state_pension": "230"}))
    assert early.weekly_charge == D("199.85")
    later = run(care_home(weeks_in_care_home=12, property=house, incomes={"state_pension": "230"}))
    assert later.weekly_charge == D("700.00")
    assert step_total(later, "capital") >= D("160000.00")  # 200,000 - 10% - 20,000
    assert later.provisional_values == ("capital.sale_costs_deduction_rate",)
    relative = run(
        care_home(
            weeks_in_care_home=30,
            property={**house, "occupied_by_qualifying_relative": True},
            incomes={"state_pension": "230"},
        )
    )
    assert relative.weekly_charge == D("199.85")
    temporary = run(
        care_home(
            care_home_stay="temporary",
            weeks_in_care_home=2,
            property=house,
            housing_costs="25.00",
            incomes={"state_pension": "230"},
        )
    )
    assert temporary.weekly_charge == D("174.85")


def test_twelve_week_disregard_needs_other_capital_under_the_upper_limit() -> None:
    result = run(
        care_home(
            weeks_in_care_home=2,
            property={"value": "100000.00"},
            capital=[{"kind": "savings", "value": "24000.00"}],
        )
    )
    assert result.weekly_charge == D("700.00")


def test_care_home_income_rules() -> None:
    half_pension = run(
        care_home(
            couple=True,
            half_pension_to_spouse_at_home=True,
            incomes={"state_pension": "200.00", "occupational_pension": "100.01"},
        )
    )
    assert step_total(half_pension, "income_disregarded") == D("50.01")  # rounded for the person
    aa_early = run(
        care_home(weeks_in_care_home=2, incomes={"attendance_allowance_higher": "108.55"})
    )
    aa_late = run(
        care_home(weeks_in_care_home=4, incomes={"attendance_allowance_higher": "108.55"})
    )
    assert aa_early.weekly_charge == D("78.40")
    assert aa_late.weekly_charge == D("0.00")
    savings_credit = run(
        care_home(incomes={"state_pension": "200", "pension_credit_savings": "10"})
    )
    assert step_total(savings_credit, "income_disregarded") == D("6.95")


def test_breakdown_is_ordered_and_readable() -> None:
    result = run(home(incomes={"esa": "200.00", "earnings": "50.00"}))
    steps = [line.step for line in result.breakdown]
    order = [
        "income_counted",
        "income_disregarded",
        "capital",
        "tariff_income",
        "allowance",
        "amount_above_guarantee",
        "weekly_charge",
    ]
    assert [s for s in order if s in steps] == order
    assert steps.index("income_counted") < steps.index("tariff_income") < steps.index("allowance")
    assert all(line.text and line.text[0].isupper() for line in result.breakdown)
    assert "£" in result.breakdown[-1].text


def test_free_services_cost_nothing_without_any_parameters() -> None:
    result = run(home(date="2030-01-01", free_service="s117_aftercare"))
    assert result.weekly_charge == D("0.00")
    assert "section 117" in result.breakdown[0].text
