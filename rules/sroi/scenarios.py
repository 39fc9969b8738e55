"""Portfolio scenarios: what the who-invests-by-who-gains matrix would be if a project ran at
another scale, or not at all.

Convention (stated on the page): scaling a project multiplies every input it has and every
outcome's quantity by the same factor. Every step of the SROI arithmetic is linear in the
quantity, so the project's present value and inputs are multiplied by the factor exactly and its
own ratio does not change; what changes is the portfolio: the mix of who invests, who gains, and
each sector's return per £1. A scale of 0 drops the project. Scales are exact decimals ("1.5",
"150%", "0"), read as fractions; nothing is rounded until shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from rules.sroi.calculate import Result
from rules.sroi.case import _exact
from rules.sroi.errors import CaseError
from rules.sroi.portfolio import Portfolio, portfolio

MAX_SCALE = Fraction(10)  # ten times a project's size is a new project, not a scenario
SCENARIO_CONVENTION = (
    "A scale multiplies every input of the project and every outcome's quantity by the same "
    "figure, so the project's present value and inputs change in proportion and its own ratio "
    "does not; 0 leaves the project out."
)


def parse_scale(raw: object, path: str = "scale") -> Fraction:
    """A scale from 0 to 10, given as "1.5" or "150%" (blank means 1: unchanged)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return Fraction(1)
    value = _exact(raw, path)
    if not 0 <= value <= MAX_SCALE:
        raise CaseError(path, "must be from 0 (leave the project out) to 10 (ten times its size)")
    return value


@dataclass(frozen=True)
class Scenario:
    base: Portfolio
    changed: Portfolio
    scales: tuple[Fraction, ...]

    def cell_change(self, investing: str, gaining: str) -> Fraction:
        key = (investing, gaining)
        return self.changed.cells.get(key, Fraction(0)) - self.base.cells.get(key, Fraction(0))

    @property
    def value_change(self) -> Fraction:
        return self.changed.total_value - self.base.total_value

    @property
    def invested_change(self) -> Fraction:
        return self.changed.total_invested - self.base.total_invested

    @property
    def investing(self) -> tuple[str, ...]:
        """Sectors in either matrix, so a sector the scenario removes still shows its change."""
        return tuple(sorted(set(self.base.investing) | set(self.changed.investing)))

    @property
    def gaining(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.base.gaining) | set(self.changed.gaining)))


def scenario(results: Sequence[Result], scales: Mapping[int, Fraction]) -> Scenario:
    """``scales`` maps a project's position in ``results`` to its scale; others stay at 1."""
    for index in scales:
        if not 0 <= index < len(results):
            raise CaseError(f"scales[{index}]", "there is no such project")
    chosen = tuple(scales.get(i, Fraction(1)) for i in range(len(results)))
    return Scenario(portfolio(list(results)), portfolio(list(results), chosen), chosen)
