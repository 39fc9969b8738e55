"""Outcomes of a count and the structured explanation that comes with them."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

from .model import project_sort_key


@dataclass(frozen=True)
class GreedyStep:
    """One project as the greedy rule considered it, in order.

    ``score`` is the ordering value: total utility per unit of cost (``None`` = infinite, a free
    project with support). ``decision`` is ``selected``, ``skipped`` (did not fit, the rule went
    on), ``stopped`` (did not fit and greedy-no-skip stopped) or ``not reached``.
    """

    project_id: str
    cost: Fraction
    score: Fraction | None
    decision: str
    remaining_after: Fraction


@dataclass(frozen=True)
class GreedyExplanation:
    utility: str
    skip: bool
    starting_budget: Fraction
    steps: tuple[GreedyStep, ...]


@dataclass(frozen=True)
class MESStep:
    """A project bought by the Method of Equal Shares.

    Each supporter pays ``min(their remaining share, rho x their utility)``. With cost utilities
    every supporter's utility is the cost, so ``price`` = rho x cost is the amount in money each
    supporter pays if they can (``price`` is ``None`` when utilities differ between supporters).
    ``paid_all`` counts supporters who could not pay the full price and paid all they had left.
    """

    project_id: str
    cost: Fraction
    rho: Fraction
    price: Fraction | None
    supporters: int
    paid_all: int


class GroupShare(NamedTuple):
    """Voters with identical ballots and what is left of each one's share after the count.

    A named tuple rather than a dataclass: a count of 200,000 ballots makes one per distinct
    ballot, and tuples are several times cheaper to create.
    """

    projects: tuple[str, ...]
    voter_ids: tuple[str, ...]
    remaining: Fraction


@dataclass(frozen=True)
class MESExplanation:
    utility: str
    completion: str
    initial_share: Fraction
    """The budget divided by the number of voters."""
    share: Fraction
    """Each voter's share in the run whose outcome is used (raised by ``add1``)."""
    increments: int
    """How many times ``add1`` raised the share by one currency unit."""
    runs: int
    """How many exact MES runs were computed (``add1`` skips shares proven to buy the same projects)."""
    free_projects: tuple[str, ...]
    steps: tuple[MESStep, ...]
    groups: tuple[GroupShare, ...]
    exhaustive: bool
    greedy_fill: GreedyExplanation | None = None


@dataclass(frozen=True)
class Outcome:
    rule: str
    utility: str
    completion: str
    tie_break: str
    selected: tuple[str, ...]
    """Winning project ids in the order the rule picked them."""
    total_cost: Fraction
    budget: Fraction
    explanation: GreedyExplanation | MESExplanation

    @property
    def selected_sorted(self) -> list[str]:
        """Winning ids, numerically when all digits, otherwise as strings."""
        return sorted(self.selected, key=project_sort_key)

    @property
    def leftover(self) -> Fraction:
        return self.budget - self.total_cost
