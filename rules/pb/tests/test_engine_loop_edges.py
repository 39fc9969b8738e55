"""The MES engine's set-up, rounds and summaries at their edges (``rules.pb.mes_engine.Engine``).

Issue 14's mutation run left survivors in ``Engine.__init__``, ``start``, ``result`` and the
round loop that no test reached: an election with no projects at all, a project with more
distinct utilities than the narrow (int8) payment paths can hold, and the summary a run returns
when its details are not asked for. Each test works its numbers out in its docstring.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from rules.pb import Ballot, Election, MESExplanation, Project, equal_shares
from rules.pb.mes import _prepare
from rules.pb.mes_engine import Engine
from rules.pb.profile import build_profile

from .test_greedy import election

pytestmark = pytest.mark.pure


@pytest.mark.parametrize("completion", ["none", "add1", "add1-greedy"])
def test_an_election_without_projects_buys_nothing(completion: str) -> None:
    """Two voters and no projects at all (budget 10): the engine is still built (the widest
    project is then of width 1 by default), nothing is bought, nothing is spent and each voter
    keeps their whole share of 10 / 2 = 5."""
    e = Election(Fraction(10), [], [Ballot("v1", (), None), Ballot("v2", (), None)], "approval")
    outcome = equal_shares(e, "cost", completion)
    assert outcome.selected == ()
    assert outcome.total_cost == 0
    x = outcome.explanation
    assert isinstance(x, MESExplanation)
    assert x.steps == ()
    assert [g.remaining for g in x.groups] == [Fraction(5)]
    assert x.increments == 0


def test_a_project_with_128_distinct_utilities() -> None:
    """Cumulative ballots, cardinal utility: 'a' (cost 8,256) gets i points from voter v_i, for
    i = 1 ... 128: 128 distinct utilities, so a payment path needs the wide (int32) type (the
    largest, 1 + the index 127 of the utility 128, does not fit in int8). One more voter, w,
    gives 'b' (cost 10) 1 point, as does v128. 129 voters share 129 x 129 = 16,641: 129 each.

    Round 1: 'a' costs 8,256 / (1 + ... + 128) = 8,256 / 8,256 = 1 per point, and every v_i can
    pay i (v128 pays 128 of 129); 'b' would cost 5 per point: 'a' first, nobody paying all.
    Round 2: v128 has 1 left and w 129. An equal split of 'b' (5 each) is more than v128 has:
    v128 pays all 1 and w pays 9: rho 9 (the exact sum over v128, who pays all, reads v128's
    payment path through 'a', index 127). Left: v_i 129 - i for i < 128, v128 0, w 120."""
    ballots = [Ballot(f"v{i}", ("a",), (Fraction(i),)) for i in range(1, 128)]
    ballots.append(Ballot("v128", ("a", "b"), (Fraction(128), Fraction(1))))
    ballots.append(Ballot("w", ("b",), (Fraction(1),)))
    projects = [Project("a", Fraction(8256)), Project("b", Fraction(10))]
    e = Election(Fraction(129 * 129), projects, ballots, "cumulative")
    outcome = equal_shares(e, "cardinal", "none")
    assert outcome.selected == ("a", "b")
    x = outcome.explanation
    assert isinstance(x, MESExplanation)
    assert [(s.project_id, s.rho, s.paid_all) for s in x.steps] == [
        ("a", Fraction(1), 0),
        ("b", Fraction(9), 1),
    ]
    remaining = {voter: g.remaining for g in x.groups for voter in g.voter_ids}
    assert remaining == {
        **{f"v{i}": Fraction(129 - i) for i in range(1, 128)},
        "v128": Fraction(0),
        "w": Fraction(120),
    }


def test_a_run_without_its_details_is_only_its_summary() -> None:
    """``Engine.result()`` (and what ``start`` returns) is the summary add1 needs after every
    run: the projects bought and the end of the proven interval; the prices, who paid all and
    every group's state only with ``full=True``. Budget 100, four voters (share 25): 'a' (40;
    everyone) costs 10 each, rho 1/4; then 'c' (20; v2, v3) 10 each, rho 1/2."""
    e = election({"a": 40, "c": 20}, [("a",), ("a",), ("a", "c"), ("a", "c")], 100)
    profile = build_profile(e, "cost", "id")
    engine = Engine(_prepare(profile), track=False)
    started = engine.start(Fraction(25))
    for run in (started, engine.result()):
        assert [profile.ids[j] for j in run.selected] == ["a", "c"]
        assert run.hi is None
        assert (run.rhos, run.paid_all, run.group_state) == ([], [], [])
        assert run.chain is None
        assert run.remaining_shares() == {}
    full = engine.result(full=True)
    assert (full.rhos, full.paid_all) == ([Fraction(1, 4), Fraction(1, 2)], [0, 0])
    values = full.remaining_shares()
    assert [values[t] for t in full.group_state] == [Fraction(15), Fraction(5)]
