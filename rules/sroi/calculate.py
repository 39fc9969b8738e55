"""The SROI arithmetic, in exact fractions, with each convention stated where it is applied.

Conventions (the same words are printed on every report, ``CONVENTIONS``):

1. Impact of an outcome in its first year = quantity x financial proxy (uprated to the base year)
   x (1 - deadweight) x (1 - displacement) x (1 - attribution). The three reductions multiply;
   they are not added.
2. Drop-off applies from the outcome's second year: each year's value is the previous year's
   x (1 - drop-off).
3. Year ``t`` (1 = the first year of the activity) is discounted by (1 + r)^t when
   ``discount_first_year`` is true (as the SROI impact-map spreadsheet's NPV function does), or
   by (1 + r)^(t - 1) when false (the Green Book's convention that year 0 is undiscounted).
4. Present value = the sum of every outcome's discounted yearly values. Net present value =
   present value - total inputs. SROI ratio = present value / total inputs.
5. Payback period in months = total inputs / (impact in year 1 / 12), the SROI Guide's formula,
   undiscounted; none if nothing happens in year 1.
6. A proxy priced in another year is uprated by deflator index(base year) / index(price year).
7. Every figure is exact until it is shown: money is then rounded to the penny (half up), ratios
   to two decimal places and months to one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from rules.sroi.case import Case, Outcome

CONVENTIONS = (
    "Impact = quantity x proxy x (1 - deadweight) x (1 - displacement) x (1 - attribution).",
    "Drop-off reduces each year's value from the second year on.",
    "Year 1 is discounted by one full year (as the SROI impact map's NPV does) unless the case "
    "says discount_first_year: false, when year 1 is not discounted (Green Book year 0).",
    "Present value is the sum of discounted yearly values; net present value subtracts the "
    "inputs; the ratio divides present value by the inputs.",
    "Payback period in months = inputs / (year-1 impact / 12), undiscounted (SROI Guide, 2012).",
    "Proxies priced in another year are uprated with the deflator series the area loaded.",
    "Figures are exact until shown: money to the penny (half up), ratios to 2 places.",
)


@dataclass(frozen=True)
class OutcomeYear:
    year: int
    value: Fraction
    discount_factor: Fraction
    present_value: Fraction


@dataclass(frozen=True)
class OutcomeResult:
    outcome: Outcome
    uprate_factor: Fraction
    proxy_in_base_year: Fraction
    gross_value: Fraction
    first_year_impact: Fraction
    years: tuple[OutcomeYear, ...]
    present_value: Fraction


@dataclass(frozen=True)
class Result:
    case: Case
    total_inputs: Fraction
    present_value: Fraction
    net_present_value: Fraction
    ratio: Fraction | None
    net_ratio: Fraction | None
    year_one_impact: Fraction
    payback_months: Fraction | None
    outcomes: tuple[OutcomeResult, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: money as strings of pounds and pence, never floats."""
        return {
            "name": self.case.name,
            "base_year": self.case.base_year,
            "discount_rate": percent(self.case.discount_rate.value),
            "discount_rate_source": self.case.discount_rate.source,
            "total_inputs": money(self.total_inputs),
            "present_value": money(self.present_value),
            "net_present_value": money(self.net_present_value),
            "ratio": ratio(self.ratio),
            "net_ratio": ratio(self.net_ratio),
            "year_one_impact": money(self.year_one_impact),
            "payback_months": months(self.payback_months),
            "inputs": [
                {
                    "id": item.id,
                    "name": item.name,
                    "kind": item.kind,
                    "sector": item.sector,
                    "amount": money(item.amount),
                    "hours": None if item.hours is None else plain(item.hours),
                    "rate": None if item.rate is None else money(item.rate),
                    "source": item.source,
                    "note": item.note,
                }
                for item in self.case.inputs
            ],
            "outcomes": [_outcome_dict(row) for row in self.outcomes],
            "conventions": list(CONVENTIONS),
        }


def _outcome_dict(row: OutcomeResult) -> dict[str, Any]:
    o = row.outcome
    return {
        "id": o.id,
        "name": o.name,
        "stakeholder": o.stakeholder,
        "indicator": o.indicator,
        "quantity": {"value": plain(o.quantity.value), "source": o.quantity.source},
        "proxy": {
            "description": o.proxy.description,
            "value": money(o.proxy.value),
            "price_year": o.proxy.price_year,
            "value_in_base_year": money(row.proxy_in_base_year),
            "source": o.proxy.source,
        },
        "deadweight": {"value": percent(o.deadweight.value), "source": o.deadweight.source},
        "displacement": {"value": percent(o.displacement.value), "source": o.displacement.source},
        "attribution": {"value": percent(o.attribution.value), "source": o.attribution.source},
        "drop_off": {"value": percent(o.drop_off.value), "source": o.drop_off.source},
        "duration_years": o.duration_years,
        "start_year": o.start_year,
        "benefits_sector": o.benefits_sector,
        "saving_kind": o.saving_kind,
        "first_year_impact": money(row.first_year_impact),
        "years": [
            {
                "year": y.year,
                "value": money(y.value),
                "discount_factor": str(_round(y.discount_factor, "0.000001")),
                "present_value": money(y.present_value),
            }
            for y in row.years
        ],
        "present_value": money(row.present_value),
    }


def _round(value: Fraction, places: str) -> Decimal:
    quantum = Decimal(places)
    # Exact: numerator / denominator carried at enough precision for the quantum, then rounded.
    scaled = value / Fraction(quantum)
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    if rest * 2 >= scaled.denominator:  # half up (away from zero for positives)
        whole += 1
    return (Decimal(whole) * quantum).quantize(quantum, rounding=ROUND_HALF_UP)


def _signed_round(value: Fraction, places: str) -> Decimal:
    if value < 0:
        return -_round(-value, places)
    return _round(value, places)


def money(value: Fraction) -> str:
    return str(_signed_round(value, "0.01"))


def ratio(value: Fraction | None) -> str | None:
    return None if value is None else str(_signed_round(value, "0.01"))


def months(value: Fraction | None) -> str | None:
    return None if value is None else str(_signed_round(value, "0.1"))


def percent(value: Fraction) -> str:
    """0.035 -> "3.5%" (as exact as the figure given, up to 4 decimal places)."""
    text = format(_signed_round(value * 100, "0.0001").normalize(), "f")
    return f"{text}%"


def plain(value: Fraction) -> str:
    return format(_signed_round(value, "0.0001").normalize(), "f")


def uprate_factor(case: Case, price_year: int) -> Fraction:
    if price_year == case.base_year:
        return Fraction(1)
    return case.deflator[case.base_year] / case.deflator[price_year]


def discount_factor(rate: Fraction, year: int, discount_first_year: bool) -> Fraction:
    periods = year if discount_first_year else year - 1
    return 1 / (1 + rate) ** periods


def outcome_result(case: Case, outcome: Outcome) -> OutcomeResult:
    factor = uprate_factor(case, outcome.proxy.price_year)
    proxy = outcome.proxy.value * factor
    gross = outcome.quantity.value * proxy
    impact = (
        gross
        * (1 - outcome.deadweight.value)
        * (1 - outcome.displacement.value)
        * (1 - outcome.attribution.value)
    )
    years = []
    value = impact
    for k in range(outcome.duration_years):
        if k:
            value = value * (1 - outcome.drop_off.value)
        year = outcome.start_year + k
        df = discount_factor(case.discount_rate.value, year, case.discount_first_year)
        years.append(OutcomeYear(year, value, df, value * df))
    return OutcomeResult(
        outcome=outcome,
        uprate_factor=factor,
        proxy_in_base_year=proxy,
        gross_value=gross,
        first_year_impact=impact,
        years=tuple(years),
        present_value=sum((y.present_value for y in years), Fraction(0)),
    )


def calculate(case: Case) -> Result:
    rows = tuple(outcome_result(case, outcome) for outcome in case.outcomes)
    inputs = sum((item.amount for item in case.inputs), Fraction(0))
    pv = sum((row.present_value for row in rows), Fraction(0))
    year_one = sum((y.value for row in rows for y in row.years if y.year == 1), Fraction(0))
    return Result(
        case=case,
        total_inputs=inputs,
        present_value=pv,
        net_present_value=pv - inputs,
        ratio=pv / inputs if inputs else None,
        net_ratio=(pv - inputs) / inputs if inputs else None,
        year_one_impact=year_one,
        payback_months=inputs / (year_one / 12) if year_one else None,
        outcomes=rows,
    )
