"""The whole result, word for word, for cases that between them reach every branch of the rules.

The breakdown is what a person reads to check their charge, so a changed sentence or amount is
a change to the rules' output. These cases pin every line of it (and the parameters used) to
golden_breakdowns.json, which kills the mutants that change only the wording of a line (issue
14, docs/mutation.md). After a deliberate change, regenerate the file with
``WELLBEING_REGENERATE_GOLDEN=1 pytest rules/charging/tests/test_golden_breakdowns.py`` and
read the diff before committing it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from rules.charging import LocalOverride
from rules.charging.overrides import Overrides
from rules.charging.tests.helpers import care_home, home, run

GOLDEN = Path(__file__).parent / "golden_breakdowns.json"
APRIL_2024 = dt.date(2024, 4, 1)
LOCAL: Overrides = {
    "local.minimum_charge_threshold": LocalOverride(Decimal("1.25"), APRIL_2024),
    "local.no_night_care_disregard": LocalOverride(Decimal("35.90"), APRIL_2024),
    "local.dre_standard_allowance": LocalOverride(Decimal("10.85"), APRIL_2024),
}

CASES: dict[str, tuple[dict[str, Any], Overrides | None]] = {
    "home_working_age": (home(incomes={"esa": "200.00"}), None),
    "home_aged_24": (home(age=24, incomes={"esa": "200.00"}), None),
    "home_pension_age": (
        home(age=80, incomes={"state_pension": "221.20", "occupational_pension": "50.00"}),
        None,
    ),
    "home_pension_age_by_birth_date": (
        home(age=66, date_of_birth="1958-01-01", incomes={"state_pension": "221.20"}),
        None,
    ),
    "home_nothing_to_pay": (home(incomes={"esa": "90.00"}), None),
    "home_capital_tariff_and_joint": (
        home(
            incomes={"esa": "200.00", "carers_allowance": "81.90", "earnings": "40.00"},
            capital=[
                {"kind": "savings", "value": "15000.00", "description": "bank account"},
                {"kind": "investment", "value": "4000.00", "owners": 2},
                {"kind": "property", "value": "2000.00", "secured_debt": "100.00"},
            ],
        ),
        None,
    ),
    "home_over_upper_limit": (
        home(incomes={"esa": "200.00"}, capital=[{"kind": "savings", "value": "23250.01"}]),
        None,
    ),
    "home_lives_in_own_home": (
        home(incomes={"esa": "200.00"}, property={"value": "250000.00"}),
        None,
    ),
    "home_benefits_housing_children_premiums": (
        home(
            incomes={
                "esa": "150.00",
                "attendance_allowance_higher": "108.55",
                "dla_mobility": "28.70",
                "pip_daily_living_standard": "72.65",
                "universal_credit": "50.00",
            },
            housing_costs="25.50",
            dre_claimed="5.00",
            dependent_children=1,
            disabled_children_lower=1,
            disability_premium=True,
            enhanced_disability_premium=True,
            carer_premium=True,
        ),
        LOCAL,
    ),
    "home_night_care_arranged": (
        home(
            incomes={"esa": "150.00", "attendance_allowance_higher": "108.55"},
            night_care_arranged=True,
        ),
        LOCAL,
    ),
    "home_minimum_charge_waived": (home(incomes={"esa": "111.84"}), LOCAL),
    "home_capped_at_cost": (
        home(weekly_cost_of_care="50.00", incomes={"occupational_pension": "500.00"}),
        None,
    ),
    "home_free_reablement": (home(free_service="reablement"), None),
    "home_provisional_2025": (
        home(date="2025-06-02", age=80, incomes={"state_pension": "300.00"}),
        None,
    ),
    "care_home_permanent": (
        care_home(
            incomes={
                "state_pension": "221.20",
                "pension_credit_savings": "10.00",
                "attendance_allowance_higher": "108.55",
                "occupational_pension": "100.00",
            },
            half_pension_to_spouse_at_home=True,
            capital=[{"kind": "savings", "value": "16000.00"}],
        ),
        None,
    ),
    "care_home_first_weeks": (
        care_home(
            weeks_in_care_home=2,
            incomes={"state_pension": "221.20", "attendance_allowance_lower": "72.65"},
            property={"value": "150000.00"},
        ),
        None,
    ),
    "care_home_home_counted": (
        care_home(
            weeks_in_care_home=12,
            incomes={"state_pension": "221.20"},
            property={"value": "150000.00", "secured_debt": "20000.00", "owners": 2},
        ),
        None,
    ),
    "care_home_relative_at_home": (
        care_home(
            incomes={"state_pension": "221.20"},
            property={"value": "150000.00", "occupied_by_qualifying_relative": True},
        ),
        None,
    ),
    "care_home_temporary": (
        care_home(
            care_home_stay="temporary",
            incomes={"state_pension": "221.20"},
            property={"value": "150000.00"},
            housing_costs="30.00",
        ),
        None,
    ),
    "care_home_temporary_no_housing_costs": (
        care_home(care_home_stay="temporary", incomes={"state_pension": "221.20"}),
        None,
    ),
    "care_home_temporary_one_pound_housing": (
        care_home(
            care_home_stay="temporary", incomes={"state_pension": "221.20"}, housing_costs="1.00"
        ),
        None,
    ),
    "care_home_permanent_housing_costs_not_kept": (
        care_home(incomes={"state_pension": "221.20"}, housing_costs="30.00"),
        None,
    ),
    "home_one_pound_dre_and_housing": (
        home(incomes={"esa": "200.00"}, dre_claimed="1.00", housing_costs="1.00"),
        None,
    ),
    "home_savings_with_a_loan_and_two_disabled_children": (
        home(
            incomes={"esa": "400.00"},
            capital=[{"kind": "savings", "value": "20000.00", "secured_debt": "1000.00"}],
            dependent_children=2,
            disabled_children_higher=2,
        ),
        None,
    ),
    "home_exactly_the_guarantee": (home(incomes={"esa": "110.60"}), None),
    "home_fifty_pence_above_the_guarantee": (home(incomes={"esa": "111.10"}), None),
    "home_charge_equal_to_the_cost": (
        home(weekly_cost_of_care="89.40", incomes={"esa": "200.00"}),
        None,
    ),
    "home_night_care_not_arranged_no_local_disregard": (
        home(incomes={"esa": "150.00", "attendance_allowance_higher": "108.55"}),
        None,
    ),
    "home_night_care_not_arranged_one_pound_disregard": (
        home(incomes={"esa": "150.00", "attendance_allowance_higher": "108.55"}),
        {"local.no_night_care_disregard": LocalOverride(Decimal("1.00"), APRIL_2024)},
    ),
    "home_two_provisional_values_and_a_shared_seven_pence": (
        home(
            incomes={"esa": "200.00"},
            dependent_children=1,
            capital=[
                {"kind": "property", "value": "1000.00"},
                {"kind": "savings", "value": "0.07", "owners": 2},
            ],
        ),
        None,
    ),
    "care_home_two_disregarded_incomes": (
        care_home(
            incomes={
                "state_pension": "221.20",
                "dla_mobility": "28.70",
                "earnings": "10.00",
            }
        ),
        None,
    ),
    "care_home_couple": (
        care_home(couple=True, joint_incomes={"occupational_pension": "300.00"}),
        None,
    ),
}


def results() -> dict[str, object]:
    return {name: run(data, overrides).to_dict() for name, (data, overrides) in CASES.items()}


def test_every_line_of_every_case_is_unchanged() -> None:
    actual = json.loads(json.dumps(results()))
    if os.environ.get("WELLBEING_REGENERATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(actual, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        pytest.skip("golden file regenerated: read the diff")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert sorted(actual) == sorted(expected)
    for name in expected:
        assert actual[name] == expected[name], name
