"""Sensitivity analysis: each assumption varied on its own, and the value of each assumption at which
the SROI ratio would be exactly 1 (its switching value).

Switching values of assumptions the present value is linear in (quantity, proxy value, and the
three reductions, which enter as 1 - x) are solved exactly. Drop-off and the discount rate enter
through powers, so those are found by bisection to a millionth (0.0001 percentage points), which is
finer than the figures are shown.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from rules.sroi.calculate import calculate
from rules.sroi.case import MAX_YEARS, Case, Outcome, Sourced

SHARES = ("deadweight", "displacement", "attribution", "drop_off")
OUTCOME_ASSUMPTIONS = ("quantity", "proxy_value", *SHARES, "duration_years")
STEP_SHARE = Fraction(10, 100)  # +/- 10 percentage points
STEP_SCALE = Fraction(20, 100)  # +/- 20% of quantity or proxy value
STEP_RATE = Fraction(15, 1000)  # +/- 1.5 percentage points of the discount rate


@dataclass(frozen=True)
class Variation:
    outcome_id: str | None  # None: the whole case (discount rate)
    assumption: str
    base: Fraction
    varied: Fraction
    ratio: Fraction | None


@dataclass(frozen=True)
class SwitchingValue:
    outcome_id: str | None
    assumption: str
    base: Fraction
    value: Fraction | None  # None: no value in the allowed range makes the ratio 1
    note: str


def with_assumption(case: Case, outcome_id: str | None, assumption: str, value: Fraction) -> Case:
    """The same case with one assumption changed (sources kept: it is a what-if, not a new fact)."""
    if outcome_id is None:
        if assumption != "discount_rate":
            raise KeyError(assumption)
        return dataclasses.replace(case, discount_rate=Sourced(value, case.discount_rate.source))
    outcomes = []
    for outcome in case.outcomes:
        if outcome.id == outcome_id:
            outcome = _with(outcome, assumption, value)
        outcomes.append(outcome)
    return dataclasses.replace(case, outcomes=tuple(outcomes))


def _with(outcome: Outcome, assumption: str, value: Fraction) -> Outcome:
    if assumption == "proxy_value":
        return dataclasses.replace(outcome, proxy=dataclasses.replace(outcome.proxy, value=value))
    if assumption == "duration_years":
        return dataclasses.replace(outcome, duration_years=int(value))
    if assumption == "quantity":
        return dataclasses.replace(outcome, quantity=Sourced(value, outcome.quantity.source))
    if assumption == "deadweight":
        return dataclasses.replace(outcome, deadweight=Sourced(value, outcome.deadweight.source))
    if assumption == "displacement":
        return dataclasses.replace(
            outcome, displacement=Sourced(value, outcome.displacement.source)
        )
    if assumption == "attribution":
        return dataclasses.replace(outcome, attribution=Sourced(value, outcome.attribution.source))
    if assumption == "drop_off":
        return dataclasses.replace(outcome, drop_off=Sourced(value, outcome.drop_off.source))
    raise KeyError(assumption)


def current(case: Case, outcome_id: str | None, assumption: str) -> Fraction:
    if outcome_id is None:
        return case.discount_rate.value
    outcome = case.outcome(outcome_id)
    if assumption == "proxy_value":
        return outcome.proxy.value
    if assumption == "duration_years":
        return Fraction(outcome.duration_years)
    value: Sourced = getattr(outcome, assumption)
    return value.value


def _alternatives(assumption: str, base: Fraction) -> list[Fraction]:
    if assumption in SHARES:
        candidates = [base - STEP_SHARE, base + STEP_SHARE]
        return sorted({min(max(c, Fraction(0)), Fraction(1)) for c in candidates} - {base})
    if assumption in ("quantity", "proxy_value"):
        return sorted({base * (1 - STEP_SCALE), base * (1 + STEP_SCALE)} - {base})
    if assumption == "duration_years":
        return sorted(
            {min(max(base + d, Fraction(1)), Fraction(MAX_YEARS)) for d in (-1, 1)} - {base}
        )
    if assumption == "discount_rate":
        return sorted({max(base - STEP_RATE, Fraction(0)), base + STEP_RATE} - {base})
    raise KeyError(assumption)


def targets(case: Case) -> list[tuple[str | None, str]]:
    pairs: list[tuple[str | None, str]] = [
        (outcome.id, assumption) for outcome in case.outcomes for assumption in OUTCOME_ASSUMPTIONS
    ]
    pairs.append((None, "discount_rate"))
    return pairs


def variations(case: Case) -> list[Variation]:
    rows = []
    for outcome_id, assumption in targets(case):
        base = current(case, outcome_id, assumption)
        for varied in _alternatives(assumption, base):
            result = calculate(with_assumption(case, outcome_id, assumption, varied))
            rows.append(Variation(outcome_id, assumption, base, varied, result.ratio))
    return rows


def _pv(case: Case, outcome_id: str | None, assumption: str, value: Fraction) -> Fraction:
    return calculate(with_assumption(case, outcome_id, assumption, value)).present_value


def _bisect(f: Callable[[Fraction], Fraction], low: Fraction, high: Fraction) -> Fraction | None:
    """The x in [low, high] (to a millionth) where the decreasing function f crosses 0."""
    if f(low) < 0 or f(high) > 0:
        return None
    scale = 1_000_000
    lo, hi = int(low * scale), int(high * scale)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if f(Fraction(mid, scale)) >= 0:
            lo = mid
        else:
            hi = mid
    # the nearer of the two millionths
    return Fraction(lo if abs(f(Fraction(lo, scale))) <= abs(f(Fraction(hi, scale))) else hi, scale)


def switching_value(case: Case, outcome_id: str | None, assumption: str) -> SwitchingValue:
    base = current(case, outcome_id, assumption)
    inputs = calculate(case).total_inputs
    if not inputs:
        return SwitchingValue(outcome_id, assumption, base, None, "no inputs: no ratio")
    if assumption in ("quantity", "proxy_value"):
        # PV = others + slope x value, with slope the PV at value 1 less the PV at value 0.
        at0 = _pv(case, outcome_id, assumption, Fraction(0))
        slope = _pv(case, outcome_id, assumption, Fraction(1)) - at0
        if not slope:
            return SwitchingValue(outcome_id, assumption, base, None, "this outcome adds nothing")
        value = (inputs - at0) / slope
        if value < 0:
            return SwitchingValue(
                outcome_id, assumption, base, None, "the ratio stays above 1 even at zero"
            )
        return SwitchingValue(outcome_id, assumption, base, value, "")
    if assumption in ("deadweight", "displacement", "attribution"):
        # PV = at1 + (at0 - at1) x (1 - x): linear in x.
        at0 = _pv(case, outcome_id, assumption, Fraction(0))
        at1 = _pv(case, outcome_id, assumption, Fraction(1))
        if at0 == at1:
            return SwitchingValue(outcome_id, assumption, base, None, "this outcome adds nothing")
        value = 1 - (inputs - at1) / (at0 - at1)
        if value > 1:
            return SwitchingValue(
                outcome_id, assumption, base, None, "the ratio stays above 1 even at 100%"
            )
        if value < 0:
            return SwitchingValue(
                outcome_id, assumption, base, None, "the ratio stays below 1 even at 0%"
            )
        return SwitchingValue(outcome_id, assumption, base, value, "")
    if assumption in ("drop_off", "discount_rate"):
        high = Fraction(1) if assumption == "drop_off" else Fraction(1, 5)
        found = _bisect(lambda x: _pv(case, outcome_id, assumption, x) - inputs, Fraction(0), high)
        if found is None:
            limit = "100%" if assumption == "drop_off" else "20%"
            side = _pv(case, outcome_id, assumption, high) - inputs > 0
            note = (
                f"the ratio stays above 1 even at {limit}"
                if side
                else "the ratio stays below 1 even at 0%"
            )
            return SwitchingValue(outcome_id, assumption, base, None, note)
        return SwitchingValue(outcome_id, assumption, base, found, "found to a millionth")
    if assumption == "duration_years":
        for years in range(1, MAX_YEARS + 1):
            if _pv(case, outcome_id, assumption, Fraction(years)) >= inputs:
                return SwitchingValue(
                    outcome_id,
                    assumption,
                    base,
                    Fraction(years),
                    "fewest whole years for 1 or more",
                )
        return SwitchingValue(
            outcome_id, assumption, base, None, f"the ratio stays below 1 even at {MAX_YEARS} years"
        )
    raise KeyError(assumption)


def switching_values(case: Case) -> list[SwitchingValue]:
    return [switching_value(case, outcome_id, a) for outcome_id, a in targets(case)]
