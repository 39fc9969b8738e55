"""A portfolio of projects: who invests and who gains, across sectors.

Convention (stated on the page): a project's present value for each gaining sector is shared among
its investing sectors in proportion to what each put in. So a cell of the who-invests-by-who-gains
matrix reads "of the value gained by this sector, the share attributable to that sector's money".
The matrix's total equals the portfolio's present value exactly, and each row's total divided by
that sector's investment is its return per £1 (exact fractions until shown).

Scenarios (``rules.sroi.scenarios``) give each project a scale: every input and every outcome's
present value of that project is multiplied by it (0 leaves the project out).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from rules.sroi.calculate import Result


@dataclass(frozen=True)
class Portfolio:
    investing: tuple[str, ...]
    gaining: tuple[str, ...]
    cells: dict[tuple[str, str], Fraction]
    invested: dict[str, Fraction]
    gained: dict[str, Fraction]
    by_kind: dict[str, Fraction]  # cashable / non_cashable / levered present value
    total_invested: Fraction
    total_value: Fraction

    def row_total(self, sector: str) -> Fraction:
        return sum((v for (row, _), v in self.cells.items() if row == sector), Fraction(0))

    def per_pound(self, sector: str) -> Fraction | None:
        spent = self.invested.get(sector, Fraction(0))
        return self.row_total(sector) / spent if spent else None


def portfolio(results: list[Result], scales: Sequence[Fraction] | None = None) -> Portfolio:
    """The matrix of ``results``; with ``scales`` (one per result, in order) each project's inputs
    and present values are multiplied by its scale first, and a project scaled by 0 is left out."""
    if scales is not None and len(scales) != len(results):
        raise ValueError("give one scale for each project")
    cells: dict[tuple[str, str], Fraction] = defaultdict(Fraction)
    invested: dict[str, Fraction] = defaultdict(Fraction)
    gained: dict[str, Fraction] = defaultdict(Fraction)
    by_kind: dict[str, Fraction] = defaultdict(Fraction)
    unfunded = "not funded"
    for index, result in enumerate(results):
        scale = Fraction(1) if scales is None else scales[index]
        if scale == 0:
            continue
        shares: dict[str, Fraction] = defaultdict(Fraction)
        for item in result.case.inputs:
            shares[item.sector] += item.amount * scale
            invested[item.sector] += item.amount * scale
        total = sum(shares.values(), Fraction(0))
        for row in result.outcomes:
            sector = row.outcome.benefits_sector
            value = row.present_value * scale
            gained[sector] += value
            by_kind[row.outcome.saving_kind] += value
            if not total:
                cells[(unfunded, sector)] += value
                continue
            for investor, amount in shares.items():
                cells[(investor, sector)] += value * amount / total
    investing = tuple(sorted({row for row, _ in cells} | set(invested)))
    gaining = tuple(sorted({col for _, col in cells}))
    return Portfolio(
        investing=investing,
        gaining=gaining,
        cells=dict(cells),
        invested=dict(invested),
        gained=dict(gained),
        by_kind=dict(by_kind),
        total_invested=sum(invested.values(), Fraction(0)),
        total_value=sum(gained.values(), Fraction(0)),
    )
