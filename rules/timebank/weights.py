"""Every number that decides how members are ranked for a request, in one place.

A suggestion's score is the weighted mean of four components, each from 0 to 1:

``score = (skill·S + distance·D + availability·A + reliability·R) / (S + D + A + R)``

* **Skill** (``skill``, 0.40): 1 for the requested category itself. An offer of a *narrower*
  category (a kind of what is asked for) scores ``narrower_per_level`` per level down (0.8, then
  0.64); an offer of a *broader* category (which includes what is asked for) scores
  ``broader_per_level`` per level up (0.6, then 0.36). A member's best-matching skill counts.
  Members with no related skill are not suggested.
* **Distance** (``distance``, 0.25): halves every ``distance_halving_km`` (2 km): 1 next door,
  0.5 at 2 km, 0.25 at 4 km. Unknown location scores ``unknown_distance`` (0.25, as if 4 km).
* **Availability** (``availability``, 0.20): the share of the requested weekly time the member
  has said they are free. A request with no times (any time suits) scores 1 for everyone.
* **Reliability** (``reliability``, 0.15): the mean of a Beta posterior. With ``c`` completed and
  ``u`` unsuccessful (cancelled or no-show) exchanges, ``(c + a) / (c + u + a + b)`` with a
  Beta(a=4, b=1) prior. A new member scores 0.8, the completion rate of a typical member, so they
  are neither buried below nor lifted above people with a record; after about five exchanges
  their own record dominates. 9 of 10 completed scores 13/15 = 0.87; 1 of 4 scores 5/9 = 0.56.

Skills weigh most because a match that cannot do the task is no match; distance next because
travel is the most common reason an exchange falls through; reliability least so that one bad
experience does not shut a member out. Ties are broken by member id, so ranking is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Weights:
    skill: float = 0.40
    distance: float = 0.25
    availability: float = 0.20
    reliability: float = 0.15

    narrower_per_level: float = 0.8
    broader_per_level: float = 0.6

    distance_halving_km: float = 2.0
    unknown_distance: float = 0.25

    prior_completed: float = 4.0
    prior_unsuccessful: float = 1.0

    def __post_init__(self) -> None:
        parts = (self.skill, self.distance, self.availability, self.reliability)
        if any(p < 0 for p in parts) or sum(parts) <= 0:
            raise ValueError("Weights must be zero or more and not all zero.")
        if self.distance_halving_km <= 0 or self.prior_completed <= 0:
            raise ValueError("The halving distance and the prior must be positive.")
        if self.prior_unsuccessful <= 0:
            raise ValueError("The prior must be positive.")

    @property
    def total(self) -> float:
        return self.skill + self.distance + self.availability + self.reliability


DEFAULT_WEIGHTS = Weights()
