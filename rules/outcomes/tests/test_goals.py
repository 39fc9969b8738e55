"""Goals scored 0-10 at each review: progress from the starting point, reliable change marked."""

from __future__ import annotations

import datetime as dt

import pytest

from rules.outcomes import GoalError, GoalRating, goal_progress
from rules.outcomes.tests.helpers import GBO, reliable_change

RULE = reliable_change(GBO)
D = dt.date


def test_progress_from_the_starting_point_with_reliable_change_marked() -> None:
    """GBO reliable change: 3+ points (Edbrooke-Childs et al. 2015, RCI 2.45)."""
    progress = goal_progress(
        [GoalRating(D(2026, 1, 5), 2), GoalRating(D(2026, 3, 2), 4), GoalRating(D(2026, 6, 1), 7)],
        RULE,
    )
    assert progress.from_start == 5
    assert [p.from_start for p in progress.points] == [0, 2, 5]
    assert [p.direction for p in progress.points] == [
        "no_reliable_change",
        "no_reliable_change",
        "improvement",
    ]
    assert progress.direction == "improvement"
    assert not progress.reached


def test_a_goal_can_go_backwards() -> None:
    progress = goal_progress([GoalRating(D(2026, 1, 5), 8), GoalRating(D(2026, 2, 5), 5)], RULE)
    assert progress.direction == "deterioration"


def test_only_a_starting_rating() -> None:
    progress = goal_progress([GoalRating(D(2026, 1, 5), 10)], RULE)
    assert progress.from_start == 0 and progress.reached


@pytest.mark.parametrize(
    "ratings",
    [
        [],
        [GoalRating(D(2026, 1, 5), 11)],
        [GoalRating(D(2026, 1, 5), -1)],
        [GoalRating(D(2026, 1, 5), True)],
        [GoalRating(D(2026, 1, 5), 3), GoalRating(D(2026, 1, 5), 4)],
        [GoalRating(D(2026, 2, 5), 3), GoalRating(D(2026, 1, 5), 4)],
    ],
)
def test_invalid_ratings_are_refused(ratings: list[GoalRating]) -> None:
    with pytest.raises(GoalError):
        goal_progress(ratings, RULE)
