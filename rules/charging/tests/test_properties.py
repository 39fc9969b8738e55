"""Hypothesis properties of the charging rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.charging import UnknownParameterError
from rules.charging.tests.helpers import run, step_total

D = Decimal
pennies = st.integers(min_value=0, max_value=60_000).map(lambda p: D(p).scaleb(-2))
capital_pennies = st.integers(min_value=0, max_value=4_000_000).map(lambda p: D(p).scaleb(-2))
# Dates in the loaded years (2023/24 to 2025/26).
dates = st.dates(min_value=dt.date(2023, 4, 6), max_value=dt.date(2026, 4, 5))
COUNTED = ["state_pension", "esa", "universal_credit", "occupational_pension", "other_counted"]


@st.composite
def home_inputs(draw: st.DrawFn) -> dict[str, Any]:
    incomes = draw(
        st.dictionaries(st.sampled_from([*COUNTED, "earnings", "pip_mobility"]), pennies)
    )
    if draw(st.booleans()):
        incomes[
            draw(st.sampled_from(["pip_daily_living_enhanced", "attendance_allowance_lower"]))
        ] = draw(pennies)
    return {
        "setting": "home",
        "date": draw(dates),
        "age": draw(st.integers(min_value=18, max_value=100)),
        "couple": False,
        "weekly_cost_of_care": str(draw(pennies)),
        "incomes": {k: str(v) for k, v in incomes.items()},
        "capital": [{"kind": "savings", "value": str(draw(capital_pennies))}],
        "dre_claimed": str(draw(pennies)),
        "housing_costs": str(draw(pennies)),
        "disability_premium": draw(st.booleans()),
        "enhanced_disability_premium": draw(st.booleans()),
    }


@st.composite
def care_home_inputs(draw: st.DrawFn) -> dict[str, Any]:
    incomes = draw(st.dictionaries(st.sampled_from([*COUNTED, "pip_mobility"]), pennies))
    return {
        "setting": "care_home",
        "date": draw(st.dates(min_value=dt.date(2023, 4, 6), max_value=dt.date(2025, 4, 5))),
        "age": draw(st.integers(min_value=18, max_value=100)),
        "couple": False,
        "weekly_cost_of_care": str(draw(pennies)),
        "care_home_stay": draw(st.sampled_from(["permanent", "temporary"])),
        "weeks_in_care_home": draw(st.integers(min_value=0, max_value=200)),
        "incomes": {k: str(v) for k, v in incomes.items()},
        "capital": [{"kind": "savings", "value": str(draw(capital_pennies))}],
    }


any_inputs = st.one_of(home_inputs(), care_home_inputs())


@settings(max_examples=200, deadline=None)
@given(any_inputs)
def test_charge_never_exceeds_cost_of_care_and_is_in_pence(data: dict[str, Any]) -> None:
    result = run(data)
    assert D(0) <= result.weekly_charge <= D(data["weekly_cost_of_care"])
    assert result.weekly_charge == result.weekly_charge.quantize(D("0.01"))


@settings(max_examples=200, deadline=None)
@given(any_inputs, capital_pennies)
def test_more_capital_never_lowers_the_charge(data: dict[str, Any], extra: Decimal) -> None:
    more = {**data, "capital": [*data["capital"], {"kind": "savings", "value": str(extra)}]}
    assert run(more).weekly_charge >= run(data).weekly_charge


@settings(max_examples=200, deadline=None)
@given(home_inputs())
def test_minimum_income_guarantee_is_protected_at_home(data: dict[str, Any]) -> None:
    result = run(data)
    if not any(line.step == "tariff_income" for line in result.breakdown):
        return  # above the upper limit: full cost from capital, no guarantee applies
    assessable = step_total(result, "income_counted") + step_total(result, "tariff_income")
    kept = step_total(result, "allowance")  # MIG + DRE + housing
    # The charge never takes the person below what they keep (or, if they have less, charges 0).
    assert assessable - result.weekly_charge >= min(kept, assessable)


@settings(max_examples=200, deadline=None)
@given(care_home_inputs())
def test_personal_expenses_allowance_is_protected_in_a_care_home(data: dict[str, Any]) -> None:
    result = run(data)
    if not any(line.step == "tariff_income" for line in result.breakdown):
        return
    pea = next(p.value for p in result.parameters_used if p.name == "personal_expenses_allowance")
    assert pea is not None
    assessable = step_total(result, "income_counted") + step_total(result, "tariff_income")
    assert assessable - result.weekly_charge >= min(pea, assessable)


@settings(max_examples=50, deadline=None)
@given(home_inputs(), st.dates(min_value=dt.date(2026, 4, 6), max_value=dt.date(2030, 1, 1)))
def test_unknown_values_are_refused(data: dict[str, Any], late: dt.date) -> None:
    with pytest.raises(UnknownParameterError):
        run({**data, "date": late})
    with pytest.raises(UnknownParameterError, match="couple"):
        run({**data, "couple": True, "capital": []})


@settings(max_examples=100, deadline=None)
@given(home_inputs(), st.dates(min_value=dt.date(2025, 4, 6), max_value=dt.date(2026, 4, 5)))
def test_estimate_makes_result_provisional(data: dict[str, Any], on: dt.date) -> None:
    pension_age = {**data, "date": on, "age": 70, "capital": []}
    result = run(pension_age)
    assert result.provisional
    assert "minimum_income_guarantee.single_pension_credit_age" in result.provisional_values
    working_age = {**data, "date": on, "age": 40, "capital": []}
    assert not run(working_age).provisional
