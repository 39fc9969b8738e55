"""The Method of Equal Shares on small hand-checked elections."""

from __future__ import annotations

from fractions import Fraction

import pytest

from rules.pb import MESExplanation, PBError, equal_shares, render, tally

from .test_greedy import election

SMALL = {"a": 40, "b": 50, "c": 30, "d": 20}
SMALL_VOTES = [("a", "b", "d"), ("a", "b"), ("a", "c"), ("a", "c")]


def test_equal_shares_by_hand() -> None:
    # 4 voters, share 25 each. Round 1: 'a' (40, 4 supporters) at 10 each is the cheapest per
    # supporter. Then v0 and v1 have 15 each: 'b' (50) and 'd' (20, v0 only) are out of reach;
    # 'c' (30) is bought by v2 and v3 at 15 each. 'd' would still fit in the 30 left.
    e = election(SMALL, SMALL_VOTES, 100)
    outcome = equal_shares(e, completion="none")
    assert outcome.selected == ("a", "c")
    assert isinstance(outcome.explanation, MESExplanation)
    steps = outcome.explanation.steps
    assert [(s.project_id, s.price) for s in steps] == [("a", Fraction(10)), ("c", Fraction(15))]
    assert steps[0].rho == Fraction(1, 4)  # price 10 = rho x cost 40
    left = {g.projects: g.remaining for g in outcome.explanation.groups}
    assert left == {("a", "b", "d"): 15, ("a", "b"): 15, ("a", "c"): 0}
    assert not outcome.explanation.exhaustive


def test_add1_until_exhaustive() -> None:
    # With shares 25 + k, v0 can pay for 'd' alone once 15 + k >= 20: at k = 5 the outcome
    # {a, c, d} costs 90 and 'b' (50) no longer fits: exhaustive, add1 stops there.
    outcome = equal_shares(election(SMALL, SMALL_VOTES, 100), completion="add1")
    assert outcome.selected == ("a", "c", "d")
    explanation = outcome.explanation
    assert isinstance(explanation, MESExplanation)
    assert (explanation.increments, explanation.share) == (5, Fraction(30))
    assert explanation.exhaustive


OVER = {"a": 40, "b": 39, "c": 20, "e": 30}
OVER_VOTES = [("a", "b"), ("a", "b"), ("a", "c"), ("a", "c"), ("e",)]


def test_add1_stops_before_overspending() -> None:
    # Share 20 + k. {a, c} costs 60 and 'b' (39) fits in the 40 left, so add1 goes on; at k = 10
    # 'b' and 'e' both become affordable and the outcome {a, b, c, e} costs 129 > 100: add1 returns
    # the previous outcome (k = 9).
    e = election(OVER, OVER_VOTES, 100)
    assert equal_shares(e, completion="none").selected == ("a", "c")
    outcome = equal_shares(e, completion="add1")
    assert outcome.selected == ("a", "c")
    explanation = outcome.explanation
    assert isinstance(explanation, MESExplanation)
    assert (explanation.increments, explanation.share) == (9, Fraction(29))
    assert explanation.runs < 10  # shares that cannot change the outcome were skipped
    filled = equal_shares(e, completion="add1-greedy")
    assert filled.selected == ("a", "c", "b")
    assert filled.total_cost == 99


def test_add1_reaches_an_exhaustive_outcome() -> None:
    e = election({"a": 30, "b": 30, "c": 50}, [("a",), ("a",), ("b", "c"), ("c",)], 100)
    none = equal_shares(e, completion="none")
    assert set(none.selected) == {"a", "c"}
    add1 = equal_shares(e, completion="add1")
    assert add1.selected == none.selected  # b (30) does not fit into the 20 left: exhaustive
    assert add1.explanation.increments == 0  # type: ignore[union-attr]


def test_add1_greedy_fills_the_leftover() -> None:
    e = election({"a": 50, "b": 45, "c": 10}, [("a",), ("a",), ("b",), ("c",)], 100)
    # Shares of 25: only c (10) is affordable by its one supporter; a needs 50 from two.
    mes = equal_shares(e, completion="none")
    assert set(mes.selected) == {"a", "c"}
    filled = equal_shares(e, completion="add1-greedy")
    assert filled.total_cost <= 100
    assert set(mes.selected) <= set(filled.selected)
    assert filled.explanation.greedy_fill is not None  # type: ignore[union-attr]


def test_free_and_unsupported_projects() -> None:
    e = election({"a": 0, "b": 10, "z": 5}, [("a", "b"), ("b",)], 20)
    outcome = equal_shares(e, utility="cardinal", completion="none")
    assert outcome.selected == ("a", "b")  # free 'a' first, unsupported 'z' never
    cost = equal_shares(e, utility="cost", completion="none")
    assert cost.selected == ("b",)  # with cost utilities a free project gives no utility


def test_tie_breaks() -> None:
    # Both projects cost each of the 2 voters half of the project: a tie at rho = 1/2.
    e = election({"9": 10, "10": 20}, [("9", "10"), ("9", "10")], 20)
    assert equal_shares(e, completion="none").selected == ("10",)  # '10' < '9' as strings
    assert equal_shares(e, completion="none", tie_break="cost-votes").selected == ("9",)


def test_explanation_lines_and_bad_requests() -> None:
    e = election(OVER, OVER_VOTES, 100)
    lines = render(tally(e, "mes", completion="add1"))
    assert any("raised 9 times" in line for line in lines)
    assert any("Project a (cost 40) was bought" in line for line in lines)
    with pytest.raises(PBError, match="unknown completion"):
        tally(e, "mes", completion="add2")
    with pytest.raises(PBError, match="unknown utility"):
        tally(e, "mes", utility="joy")


def test_no_voters() -> None:
    e = election({"a": 40}, [], 100)
    assert equal_shares(e).selected == ()
