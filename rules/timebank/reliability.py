"""Past reliability: how often a member's exchanges went ahead, with a Beta prior for newcomers.

See :mod:`rules.timebank.weights` for the prior and why it was chosen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rules.timebank.records import UNSUCCESSFUL, ExchangeRecord, ExchangeStatus, MemberId
from rules.timebank.weights import DEFAULT_WEIGHTS, Weights


@dataclass(frozen=True, slots=True)
class Track:
    """A member's record as a helper: exchanges completed and exchanges that fell through."""

    completed: int = 0
    unsuccessful: int = 0

    def __post_init__(self) -> None:
        if self.completed < 0 or self.unsuccessful < 0:
            raise ValueError("Exchange counts cannot be negative.")

    @property
    def total(self) -> int:
        return self.completed + self.unsuccessful

    def score(self, weights: Weights = DEFAULT_WEIGHTS) -> float:
        """Posterior mean ``(c + a) / (c + u + a + b)``."""
        alpha, beta = weights.prior_completed, weights.prior_unsuccessful
        return (self.completed + alpha) / (self.total + alpha + beta)

    def describe(self) -> str:
        """``"Completed 9 of 10 exchanges"``; ``"New member: no exchanges yet"``."""
        if self.total == 0:
            return "New member: no exchanges yet"
        noun = "exchange" if self.total == 1 else "exchanges"
        return f"Completed {self.completed} of {self.total} {noun}"


def track_record(exchanges: Iterable[ExchangeRecord], member: MemberId) -> Track:
    """``member``'s record as the giver of help.

    A completed exchange counts for them. A cancellation or no-show counts against them unless
    ``at_fault`` names someone else (the other member cancelled). Proposed and booked exchanges
    that have not happened yet do not count.
    """
    completed = unsuccessful = 0
    for x in exchanges:
        if x.giver != member:
            continue
        if x.status is ExchangeStatus.COMPLETED:
            completed += 1
        elif x.status in UNSUCCESSFUL and (x.at_fault is None or x.at_fault == member):
            unsuccessful += 1
    return Track(completed, unsuccessful)
