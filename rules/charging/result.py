"""The result of an assessment: the weekly charge and every step, in plain English."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from rules.charging.money import as_string
from rules.charging.parameters import ParameterValue

Step = Literal[
    "income_counted",
    "income_disregarded",
    "capital",
    "tariff_income",
    "allowance",
    "amount_above_guarantee",
    "cap_at_cost_of_care",
    "minimum_charge",
    "weekly_charge",
    "note",
]


@dataclass(frozen=True)
class BreakdownLine:
    """One line of the working; ``amount`` is weekly pounds unless the text says otherwise."""

    step: Step
    text: str
    amount: Decimal | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {
            "step": self.step,
            "text": self.text,
            "amount": None if self.amount is None else as_string(self.amount),
        }


@dataclass(frozen=True)
class ChargeResult:
    setting: str
    assessment_date: dt.date
    weekly_charge: Decimal
    provisional: bool
    provisional_values: tuple[str, ...]
    breakdown: tuple[BreakdownLine, ...]
    parameters_used: tuple[ParameterValue, ...]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: money as strings such as "123.45"."""
        return {
            "setting": self.setting,
            "assessment_date": self.assessment_date.isoformat(),
            "weekly_charge": as_string(self.weekly_charge),
            "provisional": self.provisional,
            "provisional_values": list(self.provisional_values),
            "breakdown": [line.to_dict() for line in self.breakdown],
            "parameters_used": [
                {
                    "name": used.name,
                    "value": None if used.value is None else f"{used.value:f}",
                    "status": used.status,
                    "source": used.source,
                    "applies_from": used.applies_from.isoformat(),
                    "refs": list(used.refs),
                }
                for used in self.parameters_used
            ],
        }
