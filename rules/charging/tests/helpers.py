"""Small builders shared by the charging tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rules.charging import AssessmentInput, ChargeResult, assess
from rules.charging.overrides import Overrides


def home(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "setting": "home",
        "date": "2024-06-03",
        "age": 40,
        "couple": False,
        "weekly_cost_of_care": "300.00",
    }
    base.update(fields)
    return base


def care_home(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "setting": "care_home",
        "date": "2024-06-03",
        "age": 85,
        "couple": False,
        "weekly_cost_of_care": "700.00",
        "care_home_stay": "permanent",
        "weeks_in_care_home": 20,
    }
    base.update(fields)
    return base


def run(data: dict[str, Any], overrides: Overrides | None = None) -> ChargeResult:
    return assess(AssessmentInput.from_dict(data), overrides)


def step_total(result: ChargeResult, step: str) -> Decimal:
    return sum(
        (line.amount for line in result.breakdown if line.step == step and line.amount is not None),
        Decimal("0"),
    )
