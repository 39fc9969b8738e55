"""Property-based checks on random small elections (hypothesis), and pabutools as a live oracle."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules.pb import Ballot, Election, MESExplanation, Project, tally

from .helpers import pabutools_run


@st.composite
def elections(draw: st.DrawFn, vote_type: str = "approval", nonempty: bool = False) -> Election:
    n_projects = draw(st.integers(1, 6))
    costs = draw(st.lists(st.integers(0, 60), min_size=n_projects, max_size=n_projects))
    projects = [Project(str(j + 1), Fraction(c)) for j, c in enumerate(costs)]
    n_voters = draw(st.integers(1 if nonempty else 0, 8))
    ballots = []
    for i in range(n_voters):
        chosen = draw(
            st.lists(
                st.sampled_from([p.project_id for p in projects]),
                unique=True,
                min_size=1 if nonempty else 0,
                max_size=n_projects,
            )
        )
        points = None
        if vote_type == "cumulative":
            points = tuple(Fraction(draw(st.integers(1, 5))) for _ in chosen)
        ballots.append(Ballot(f"v{i}", tuple(chosen), points))
    budget = draw(st.integers(0, 150))
    return Election(budget, projects, ballots, vote_type)


RULES = [
    ("greedy", "none"),
    ("greedy-no-skip", "none"),
    ("mes", "none"),
    ("mes", "add1"),
    ("mes", "add1-greedy"),
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    elections(),
    st.sampled_from(["cost", "cardinal", "points"]),
    st.sampled_from(["id", "cost-votes"]),
)
def test_outcomes_respect_the_budget_and_rule_properties(
    election: Election, utility: str, tie_break: str
) -> None:
    costs = {pid: p.cost for pid, p in election.projects.items()}
    for rule, completion in RULES:
        outcome = tally(election, rule, utility, completion, tie_break)
        assert len(set(outcome.selected)) == len(outcome.selected)
        assert outcome.total_cost == sum((costs[p] for p in outcome.selected), Fraction(0))
        assert outcome.total_cost <= election.budget
        leftover = election.budget - outcome.total_cost
        if rule == "greedy" or completion == "add1-greedy":  # exhaustive: nothing else fits
            assert all(costs[p] > leftover for p in costs if p not in outcome.selected)
        if rule == "mes":
            explanation = outcome.explanation
            assert isinstance(explanation, MESExplanation)
            share = explanation.share
            paid = Fraction(0)
            for group in explanation.groups:  # nobody pays more than their share
                assert 0 <= group.remaining <= share
                paid += (share - group.remaining) * len(group.voter_ids)
            bought = [s.project_id for s in explanation.steps]
            assert paid == sum((costs[p] for p in bought), Fraction(0))
            if completion == "none":
                assert explanation.share == explanation.initial_share


@settings(max_examples=60, deadline=None)
@given(elections("cumulative"))
def test_cumulative_outcomes_respect_the_budget(election: Election) -> None:
    for utility in ("cost", "points", "cardinal"):
        for rule, completion in RULES:
            assert tally(election, rule, utility, completion).total_cost <= election.budget


@pytest.mark.oracle
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    elections(),
    st.sampled_from([("greedy", "none"), ("mes", "none"), ("mes", "add1"), ("mes", "add1-greedy")]),
)
def test_same_as_pabutools_on_random_elections(
    election: Election, variant: tuple[str, str]
) -> None:
    pytest.importorskip("pabutools")
    rule, completion = variant
    if not election.ballots:
        return  # pabutools cannot divide the budget among zero voters
    ours = tally(election, rule, "cost", completion)
    assert sorted(ours.selected) == pabutools_run(election, rule, "cost", completion)


@pytest.mark.oracle
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# pabutools' parser cannot read an empty cumulative ballot (it splits "" into one project)
@given(elections("cumulative", nonempty=True))
def test_same_as_pabutools_on_random_cumulative_elections(election: Election) -> None:
    pytest.importorskip("pabutools")
    for rule, utility in (("greedy", "points"), ("greedy", "cardinal"), ("mes", "cardinal")):
        ours = tally(election, rule, utility, "none")
        assert sorted(ours.selected) == pabutools_run(election, rule, utility, "none"), rule
