"""Goals in the person's own words, rated 0-10 for progress at each review (Goal-Based Outcomes).

    progress = goal_progress(ratings, rule=registry.get("goal_based_outcomes").reliable_change)

Progress is always measured from the first rating (the starting point); each review is marked with
its change from the start and whether that change is reliable (3 points or more by default, see
``rules/outcomes/data/goal_based_outcomes-*.yaml``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from rules.outcomes.errors import GoalError
from rules.outcomes.measures import ReliableChangeRule
from rules.outcomes.scoring import Direction, classify

GOAL_MIN = 0
GOAL_MAX = 10


@dataclass(frozen=True)
class GoalRating:
    on: dt.date
    score: int


@dataclass(frozen=True)
class GoalPoint:
    on: dt.date
    score: int
    from_start: int
    """score - starting score."""
    direction: Direction
    """Reliable change from the starting point at this review."""


@dataclass(frozen=True)
class GoalProgress:
    start: GoalRating
    latest: GoalRating
    points: tuple[GoalPoint, ...]
    threshold: Fraction

    @property
    def from_start(self) -> int:
        return self.latest.score - self.start.score

    @property
    def direction(self) -> Direction:
        return self.points[-1].direction

    @property
    def reached(self) -> bool:
        """The person rated the goal 10 (fully reached) at the latest review."""
        return self.latest.score == GOAL_MAX


def check_rating(score: object, field: str = "score") -> int:
    if isinstance(score, bool) or not isinstance(score, int):
        raise GoalError(f"{field}: {score!r} is not a whole number from {GOAL_MIN} to {GOAL_MAX}")
    if not GOAL_MIN <= score <= GOAL_MAX:
        raise GoalError(f"{field}: {score} is outside {GOAL_MIN}-{GOAL_MAX}")
    return score


def goal_progress(ratings: Sequence[GoalRating], rule: ReliableChangeRule) -> GoalProgress:
    """Progress of one goal from its first rating. Ratings must be whole numbers 0-10 in strictly
    increasing date order (one rating per review day); at least one is needed."""
    if not ratings:
        raise GoalError("ratings: a goal needs at least its starting rating")
    for index, rating in enumerate(ratings):
        check_rating(rating.score, f"ratings[{index}].score")
        if index and rating.on <= ratings[index - 1].on:
            raise GoalError(
                f"ratings[{index}].on: {rating.on.isoformat()} is not after the previous review "
                f"({ratings[index - 1].on.isoformat()})"
            )
    start = ratings[0]
    points = tuple(
        GoalPoint(
            on=rating.on,
            score=rating.score,
            from_start=rating.score - start.score,
            direction=classify(Fraction(rating.score - start.score), rule),
        )
        for rating in ratings
    )
    return GoalProgress(start=start, latest=ratings[-1], points=points, threshold=rule.threshold)
