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

from budgets.models import LocalChargingFigure, NationalChargingFigure
from rules.charging import (
    AssessmentInput,
    ChargeResult,
    LocalOverride,
    NationalFigure,
    UnknownParameterError,
    assess,
    with_national_figures,
)
from rules.charging.parameters import ParameterSeries, load_parameter_file
from rules.charging.pension_age import age_bounds, reached_on

PENSION_AGE_SOURCE = "https://www.legislation.gov.uk/ukpga/2014/19/section/26"

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


def national_parameters() -> list[tuple[str, str]]:
    """(name, description) of every national figure (any may be entered from a circular)."""
    return sorted((name, series.description) for name, series in load_parameter_file().items())


def national_figures(on: dt.datetime | None = None) -> dict[str, list[NationalFigure]]:
    """National figures entered and confirmed by two people in the admin (confirmed by ``on``,
    default now): the calculator uses each from the moment it is confirmed."""
    from django.utils import timezone

    moment = on or timezone.now()
    result: dict[str, list[NationalFigure]] = {}
    for figure in NationalChargingFigure.objects.filter(
        confirmed_at__isnull=False, confirmed_at__lte=moment
    ).order_by("applies_from", "confirmed_at"):
        result.setdefault(figure.parameter, []).append(
            NationalFigure(
                Decimal(figure.value),
                figure.applies_from,
                f"{figure.year} circular, entered and confirmed by two people",
                (figure.source,),
            )
        )
    return result


def series_now() -> dict[str, ParameterSeries]:
    return with_national_figures(load_parameter_file(), national_figures())


def figures_document(area: str | None = None) -> dict[str, dict[str, list[dict[str, str]]]]:
    """The local and confirmed national figures in the CLI's file shape
    (``wellbeing-hub charges calc INPUT --local L --national N``)."""

    def rows(items: list[tuple[str, Decimal, dt.date, str]]) -> dict[str, list[dict[str, str]]]:
        out: dict[str, list[dict[str, str]]] = {}
        for name, value, applies_from, note in items:
            out.setdefault(name, []).append(
                {"value": str(value), "applies_from": applies_from.isoformat(), "note": note}
            )
        return out

    local = [
        (f.parameter, f.value, f.applies_from, f.note)
        for f in LocalChargingFigure.objects.filter(area=area or current_area())
    ]
    national = [
        (name, f.value, f.applies_from, f.note)
        for name, figures in national_figures().items()
        for f in figures
    ]
    return {"local": rows(local), "national": rows(national)}


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
    # When an "I'm not sure" answer changes the result: (label, result) for each answer.
    alternatives: list[tuple[str, ChargeResult]] = field(default_factory=list)
    # When an earlier year's figures were used: the charge if the expected rises happen.
    expected_charge: Decimal | None = None

    @property
    def provisional(self) -> bool:
        return self.result.provisional or self.rates_date != self.asked_for

    def to_dict(self) -> dict[str, Any]:
        data = self.result.to_dict()
        data["asked_for"] = self.asked_for.isoformat()
        data["rates_date"] = self.rates_date.isoformat()
        data["provisional"] = self.provisional
        data["notes"] = list(self.notes)
        data["alternatives"] = [
            {"if": label, "weekly_charge": str(result.weekly_charge)}
            for label, result in self.alternatives
        ]
        if self.expected_charge is not None:
            data["expected_charge"] = str(self.expected_charge)
        return data


def _known_before(name: str, on: dt.date) -> dt.date | None:
    """The last day before the unknown value of ``name`` in force on ``on``, if an earlier known
    value exists; None when nothing earlier is known (then there is nothing to fall back to)."""
    series = series_now().get(name)
    if series is None:
        return None
    current = series.in_force(on)
    if current is None or current.is_usable:
        return None
    earlier = [v for v in series.values if v.applies_from < current.applies_from and v.is_usable]
    if not earlier:
        return None
    return current.applies_from - dt.timedelta(days=1)


def _keep_latest(
    overrides: dict[str, list[LocalOverride]], day: dt.date
) -> dict[str, list[LocalOverride]]:
    """Where a council's own figure and an expected rise both apply on ``day``, the higher."""
    result: dict[str, list[LocalOverride]] = {}
    for name, rows in overrides.items():
        current = [row for row in rows if row.applies_from <= day]
        if current:
            best = max(current, key=lambda row: row.value)
            result[name] = [LocalOverride(best.value, day, best.note)]
    return result


def _year(day: dt.date) -> str:
    start = day.year if day >= dt.date(day.year, 4, 6) else day.year - 1
    return f"{start}/{str(start + 1)[-2:]}"


def calculate(data: dict[str, Any], on: dt.date, area: str | None = None) -> Outcome:
    """Assess ``data`` (the calculator's input shape, without a date) for ``on``.

    Pension Credit age is settled for ``on`` itself (never for an earlier year's figures): from a
    date of birth, or from the age when only one answer is possible. When it is still open ("I'm
    not sure" at 66 while State Pension age rises to 67) both answers are worked out and, if they
    differ, both are shown.

    Raises ``InputError`` for bad input and ``ChargingError`` when no lawful figure can be given.
    """
    data = dict(data)
    if data.get("reached_pension_credit_age") is None and data.get("date_of_birth"):
        born = dt.date.fromisoformat(str(data["date_of_birth"]))
        AssessmentInput.from_dict({**data, "date": on.isoformat()})  # names a bad date of birth
        data["reached_pension_credit_age"] = reached_on(born, on)
    bounds = age_bounds(on)
    if data.get("reached_pension_credit_age") is None and bounds is not None:
        try:
            age = int(str(data.get("age") or 0))
        except ValueError:
            age = -1  # AssessmentInput names the bad age below
        if not bounds[0] <= age < bounds[1]:
            data["reached_pension_credit_age"] = age >= bounds[1]
        else:
            yes = _calculate({**data, "reached_pension_credit_age": True}, on, area)
            no = _calculate({**data, "reached_pension_credit_age": False}, on, area)
            if yes.result.weekly_charge == no.result.weekly_charge:
                no.notes.append(
                    "Whether you have reached State Pension age makes no difference here."
                )
                return no
            no.notes.append(
                "State Pension age is rising from 66 to 67 for people born from 6 April 1960 "
                f"(Pensions Act 2014, section 26: {PENSION_AGE_SOURCE}), so at {age} it depends "
                "on your date of birth, and your answer changes the result. Give your date of "
                "birth to see which applies."
            )
            return Outcome(
                no.result,
                no.asked_for,
                no.rates_date,
                no.notes,
                [
                    ("If you have reached State Pension age", yes.result),
                    ("If you have not reached State Pension age", no.result),
                ],
                no.expected_charge,
            )
    return _calculate(data, on, area)


def _expected_overrides(
    day: dt.date, on: dt.date, overrides: dict[str, list[LocalOverride]]
) -> tuple[dict[str, list[LocalOverride]], list[str]]:
    """Overrides that apply each announced or expected rise (``expected_rise`` on the unknown
    rows in force on ``on``) to the figure in force on ``day``; and the sentences saying so."""
    extra = {name: list(rows) for name, rows in overrides.items()}
    said: list[str] = []
    for name, series in series_now().items():
        unknown = series.in_force(on)
        known = series.in_force(day)
        if (
            unknown is None
            or unknown.expected_rise is None
            or known is None
            or known.value is None
            or not series.overridable
        ):
            continue
        raised = (known.value * (1 + unknown.expected_rise) * 20).to_integral_value() / 20
        extra.setdefault(name, []).append(LocalOverride(raised, day, "expected rise"))
        said.append(f"{series.description.rstrip('.')} ({unknown.expected_rise:.0%})")
    return extra, said


def _calculate(data: dict[str, Any], on: dt.date, area: str | None = None) -> Outcome:
    overrides = local_overrides(area)
    national = national_figures()
    day = on
    notes: list[str] = []
    for _ in range(MAX_FALLBACKS + 1):
        person = AssessmentInput.from_dict({**data, "date": day.isoformat()})
        try:
            result = assess(person, overrides, national)
        except UnknownParameterError as error:
            earlier = _known_before(error.name, day)
            if earlier is None:
                raise
            day = earlier
            continue
        expected: Decimal | None = None
        if day != on:
            notes.append(
                f"The national figures for {_year(on)} have not been added to this calculator "
                f"yet, so it used the {_year(day)} figures (those in force on "
                f"{day.day} {day:%B %Y})."
            )
            raised, said = _expected_overrides(day, on, overrides)
            if said:
                try:
                    expected = assess(person, _keep_latest(raised, day), national).weekly_charge
                except Exception:
                    expected = None
            if expected is not None and expected != result.weekly_charge:
                gap = abs(result.weekly_charge - expected)
                notes.append(
                    f"These are expected to rise for {_year(on)}: {'; '.join(said)}. With "
                    f"that rise you would pay about £{expected:,.2f} a week instead of "
                    f"£{result.weekly_charge:,.2f}, a difference of about £{gap:,.2f} a week. "
                    "Other figures usually rise with prices, which changes the result by less."
                )
            elif said:
                notes.append(
                    f"The expected rise for {_year(on)} ({'; '.join(said)}) would not change "
                    "this result. Other figures usually rise with prices and may change it "
                    "slightly."
                )
            else:
                notes.append(
                    "The new year's figures usually rise with prices (a few per cent), so your "
                    "real charge may be slightly different."
                )
        return Outcome(result, on, day, notes, expected_charge=expected)
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
    elif cleaned.get("date_of_birth"):
        data["date_of_birth"] = cleaned["date_of_birth"].isoformat()
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
