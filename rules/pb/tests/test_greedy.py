"""The utilitarian greedy rule on small hand-checked elections."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from rules.pb import Ballot, Election, GreedyExplanation, Project, greedy, render, tally


def election(
    costs: Mapping[str, int | Fraction],
    votes: list[tuple[str, ...]],
    budget: int,
    vote_type: str = "approval",
    points: list[tuple[int, ...]] | None = None,
) -> Election:
    projects = [Project(pid, Fraction(cost)) for pid, cost in costs.items()]
    ballots = [
        Ballot(f"v{i}", vote, None if points is None else tuple(Fraction(p) for p in points[i]))
        for i, vote in enumerate(votes)
    ]
    return Election(budget, projects, ballots, vote_type)


def test_skips_what_does_not_fit_and_goes_on() -> None:
    e = election({"a": 60, "b": 50, "c": 30}, [("a",), ("a", "b"), ("a", "b", "c")], 100)
    outcome = greedy(e)
    assert outcome.selected == ("a", "c")
    assert outcome.total_cost == 90
    assert isinstance(outcome.explanation, GreedyExplanation)
    steps = outcome.explanation.steps
    assert [(s.project_id, s.decision, s.remaining_after) for s in steps] == [
        ("a", "selected", Fraction(40)),
        ("b", "skipped", Fraction(40)),
        ("c", "selected", Fraction(10)),
    ]


def test_no_skip_stops_at_first_misfit() -> None:
    e = election({"a": 60, "b": 50, "c": 30}, [("a",), ("a", "b"), ("a", "b", "c")], 100)
    outcome = tally(e, "greedy-no-skip")
    assert outcome.selected == ("a",)
    decisions = [s.decision for s in outcome.explanation.steps]  # type: ignore[union-attr]
    assert decisions == ["selected", "stopped", "not reached"]
    assert any("counting stopped" in line for line in render(outcome))


def test_ties_broken_by_id_as_string_or_cost_votes() -> None:
    e = election({"9": 10, "10": 20, "x": 5}, [("9", "10", "x"), ("9", "10")], 20)
    assert greedy(e).selected == ("10",)  # '10' < '9' as strings
    assert greedy(e, tie_break="cost-votes").selected == ("9", "x")


def test_utilities_change_the_order() -> None:
    votes = [("a", "b"), ("a", "b"), ("b",)]
    pts = [(5, 5), (5, 5), (5,)]
    e = election({"a": 10, "b": 90}, votes, 95, "cumulative", pts)
    assert greedy(e, "cost").selected == ("b",)  # 3 supporters against 2
    assert greedy(e, "points").selected == ("b",)  # 15 points against 10
    assert greedy(e, "cardinal").selected == ("a",)  # 1 point per unit of cost against 1/6
    ordinal = election({"a": 10, "b": 90}, [("a", "b"), ("a", "b"), ("b",)], 95, "ordinal")
    assert greedy(ordinal, "points").selected == ("a",)  # a: 2+2=4 rank points, b: 1+1+1=3


def test_unsupported_projects_are_funded_last_if_they_fit() -> None:
    e = election({"a": 50, "b": 20}, [("a",)], 100)
    outcome = greedy(e)
    assert outcome.selected == ("a", "b")
    assert isinstance(outcome.explanation, GreedyExplanation)
    assert outcome.explanation.steps[1].score == 0
