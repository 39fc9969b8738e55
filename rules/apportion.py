"""Largest-remainder apportionment: share a whole number of units (pence, panel seats) out in
proportion to whole-number weights so the parts add up exactly.

Each part gets ``floor(units x weight / total weight)``; the units left over go one each to the
largest fractional remainders, ties broken by ``tie_break`` (by default the earlier position).
Used for splitting a pooled budget's cost between members (budgets) and seats on a People's Panel
between strata (participation): one rule, each caller choosing only its tie-break.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any


def largest_remainder(
    weights: Sequence[int], units: int, *, tie_break: Callable[[int], Any] | None = None
) -> list[int]:
    """``units`` shared by ``weights`` (whole numbers, not all zero); the parts sum to ``units``.

    ``tie_break(i)`` orders positions whose remainders are equal (smaller first); the default is
    the position itself. Refuses negative units or weights.
    """
    if units < 0:
        raise ValueError("units must not be negative")
    if any(weight < 0 for weight in weights):
        raise ValueError("weights must not be negative")
    whole = sum(weights)
    if whole == 0:
        raise ValueError("at least one weight must be above zero")
    exact = [units * weight for weight in weights]
    parts = [value // whole for value in exact]
    left = units - sum(parts)
    rank = tie_break or (lambda i: i)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] % whole), rank(i)))
    for index in order[:left]:
        parts[index] += 1
    return parts
