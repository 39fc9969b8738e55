"""Care Act 2014 charging calculator for England (rules as code, no Django).

Public API:
    assess(inputs, overrides=None) -> ChargeResult
    AssessmentInput.from_dict(data) -> AssessmentInput
    parameters_in_force(on, overrides=None) -> ParametersInForce
    LocalOverride(value, applies_from)
"""

from rules.charging.calculator import assess, assess_dict
from rules.charging.errors import (
    ChargingError,
    InputError,
    InputRangeError,
    OverrideError,
    UnknownParameterError,
)
from rules.charging.inputs import AssessmentInput, CapitalItem, IncomeItem, Property
from rules.charging.overrides import LocalOverride, Overrides
from rules.charging.parameters import (
    NationalFigure,
    ParametersInForce,
    ParameterValue,
    parameters_in_force,
    with_national_figures,
)
from rules.charging.pension_age import state_pension_date
from rules.charging.result import BreakdownLine, ChargeResult

__all__ = [
    "AssessmentInput",
    "BreakdownLine",
    "CapitalItem",
    "ChargeResult",
    "ChargingError",
    "IncomeItem",
    "InputError",
    "InputRangeError",
    "LocalOverride",
    "NationalFigure",
    "OverrideError",
    "Overrides",
    "ParameterValue",
    "ParametersInForce",
    "Property",
    "UnknownParameterError",
    "assess",
    "assess_dict",
    "parameters_in_force",
    "state_pension_date",
    "with_national_figures",
]
