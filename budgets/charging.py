"""Glue between the web forms and the Care Act charging calculator (``rules.charging``).

Two things the calculator leaves to its caller:

- **Local figures.** An administrator enters an area's more generous figures in the admin
  (:class:`budgets.models.LocalChargingFigure`); :func:`local_overrides` passes them as dated
  overrides, and the calculator refuses any that are less generous than the national figure.
- **Which year's national figures.** The calculator refuses a date whose figures are not loaded
  yet (for example after 6 April 2026 until someone adds the 2026/27 circular). A public "How much
  might I pay?" page that simply stopped working every April would help nobody, so
  :func:`calculate` falls back to the last day whose figures *are* known and says so: the result is
  then labelled provisional, with the reason in plain words. Everything else the calculator refuses
  (couples at home, whose guarantee is unknown) is shown as the calculator's own explanation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings

from budgets.models import LocalChargingFigure
from rules.charging import (
    AssessmentInput,
    ChargeResult,
    LocalOverride,
    UnknownParameterError,
    assess,
)
from rules.charging.parameters import load_parameter_file

MAX_FALLBACKS = 3


def current_area() -> str:
    return str(settings.AREA_NAME)


def overridable_parameters() -> list[tuple[str, str]]:
    """(name, description) of every figure a council may set locally."""
    return sorted(
        (name, series.description)
        for name, series in load_parameter_file().items()
        if series.overridable
    )


def local_overrides(area: str | None = None) -> dict[str, list[LocalOverride]]:
    """The area's local figures as the calculator takes them: name -> dated history."""
    result: dict[str, list[LocalOverride]] = {}
    for figure in LocalChargingFigure.objects.filter(area=area or current_area()):
        result.setdefault(figure.parameter, []).append(
            LocalOverride(Decimal(figure.value), figure.applies_from, figure.note)
        )
    return result


@dataclass(frozen=True)
class Outcome:
    result: ChargeResult
    asked_for: dt.date
    rates_date: dt.date
    notes: list[str] = field(default_factory=list)

    @property
    def provisional(self) -> bool:
        return self.result.provisional or self.rates_date != self.asked_for

    def to_dict(self) -> dict[str, Any]:
        data = self.result.to_dict()
        data["asked_for"] = self.asked_for.isoformat()
        data["rates_date"] = self.rates_date.isoformat()
        data["provisional"] = self.provisional
        data["notes"] = list(self.notes)
        return data


def _known_before(name: str, on: dt.date) -> dt.date | None:
    """The last day before the unknown value of ``name`` in force on ``on``, if an earlier known
    value exists; None when nothing earlier is known (then there is nothing to fall back to)."""
    series = load_parameter_file().get(name)
    if series is None:
        return None
    current = series.in_force(on)
    if current is None or current.is_usable:
        return None
    earlier = [v for v in series.values if v.applies_from < current.applies_from and v.is_usable]
    if not earlier:
        return None
    return current.applies_from - dt.timedelta(days=1)


def _year(day: dt.date) -> str:
    start = day.year if day >= dt.date(day.year, 4, 6) else day.year - 1
    return f"{start}/{str(start + 1)[-2:]}"


def calculate(data: dict[str, Any], on: dt.date, area: str | None = None) -> Outcome:
    """Assess ``data`` (the calculator's input shape, without a date) for ``on``.

    Raises ``InputError`` for bad input and ``ChargingError`` when no lawful figure can be given.
    """
    overrides = local_overrides(area)
    day = on
    notes: list[str] = []
    for _ in range(MAX_FALLBACKS + 1):
        person = AssessmentInput.from_dict({**data, "date": day.isoformat()})
        try:
            result = assess(person, overrides)
        except UnknownParameterError as error:
            earlier = _known_before(error.name, day)
            if earlier is None:
                raise
            day = earlier
            continue
        if day != on:
            notes.append(
                f"The national figures for {_year(on)} have not been added to this calculator "
                f"yet, so it used the {_year(day)} figures (those in force on "
                f"{day.day} {day:%B %Y}). Your real charge may be a little different."
            )
        return Outcome(result, on, day, notes)
    raise UnknownParameterError("(several)", on.isoformat(), "no year with every figure known")


INCOME_FIELDS: list[tuple[str, str, str]] = [
    # (calculator income type, label, hint)
    ("state_pension", "State Pension", ""),
    ("pension_credit_guarantee", "Pension Credit (guarantee credit)", ""),
    ("occupational_pension", "Pension from a job (occupational pension)", ""),
    ("universal_credit", "Universal Credit", "The standard allowance and any elements, each week."),
    ("esa", "Employment and Support Allowance (ESA)", ""),
    ("pip_daily_living_standard", "PIP daily living part, standard rate", ""),
    ("pip_daily_living_enhanced", "PIP daily living part, enhanced rate", ""),
    ("pip_mobility", "PIP mobility part", "This is never counted, but tell us for completeness."),
    ("attendance_allowance_lower", "Attendance Allowance, lower rate", ""),
    ("attendance_allowance_higher", "Attendance Allowance, higher rate", ""),
    ("dla_care_middle", "DLA care part, middle rate", ""),
    ("dla_care_highest", "DLA care part, highest rate", ""),
    ("carers_allowance", "Carer's Allowance", ""),
    ("earnings", "Wages from a job", "Earnings are never counted."),
    ("other_counted", "Any other income", ""),
]


def inputs_from_form(cleaned: dict[str, Any]) -> dict[str, Any]:
    """The calculator's input dict from ``CalculatorForm.cleaned_data`` (money as strings)."""
    incomes = {
        name: str(cleaned[f"income_{name}"])
        for name, _, _ in INCOME_FIELDS
        if cleaned.get(f"income_{name}")
    }
    data: dict[str, Any] = {
        "setting": cleaned["setting"],
        "age": cleaned["age"],
        "couple": cleaned["couple"] == "yes",
        "weekly_cost_of_care": str(cleaned["weekly_cost_of_care"]),
        "incomes": incomes,
    }
    if cleaned.get("pension_age") in ("yes", "no"):
        data["reached_pension_credit_age"] = cleaned["pension_age"] == "yes"
    if cleaned.get("savings"):
        data["capital"] = [
            {"kind": "savings", "value": str(cleaned["savings"]), "description": "Savings"}
        ]
    if cleaned["setting"] == "care_home":
        data["care_home_stay"] = cleaned.get("care_home_stay") or "permanent"
        data["weeks_in_care_home"] = cleaned.get("weeks_in_care_home") or 13
        if cleaned.get("home_value"):
            data["property"] = {
                "value": str(cleaned["home_value"]),
                "occupied_by_qualifying_relative": cleaned.get("relative_at_home") == "yes",
            }
    if cleaned.get("housing_costs"):
        data["housing_costs"] = str(cleaned["housing_costs"])
    if cleaned.get("disability_costs"):
        data["dre_claimed"] = str(cleaned["disability_costs"])
    return data
