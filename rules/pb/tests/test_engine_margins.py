"""The float certification's margins, pinned at their edges (``rules.pb.mes_engine._screen``,
``rules.pb.mes_batch``).

The engine trusts a float decision only when it clears a margin: ``REL`` (relative, 1e-9 as
shipped) of the amounts compared, plus ``_VALUE_ERR`` per supporter for the float error of each
remaining share. Shipped, those margins are far below anything an election's numbers show, so a
margin made smaller or a comparison moved onto its edge changes no outcome a test can see
(issue 14's mutation run left most of the engine's survivors there). Here the margins are made
large binary fractions (``REL`` = 1/2, ``_VALUE_ERR`` = 1/4 or 1/8), so every term is exact in
floating point and each rule can be tested exactly at its edge and one step either side. Each
test works its numbers out in its docstring.

All the elections use approval ballots with cardinal utility (each supporter's utility 1), so a
project's ``rho`` is the price each supporter pays, unless points are given.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from fractions import Fraction
from typing import Any
from unittest import mock

import numpy as np
import pytest

from rules.pb import mes_batch, mes_engine
from rules.pb.mes import _prepare
from rules.pb.mes_engine import Engine
from rules.pb.profile import Profile, build_profile

from .test_greedy import election

pytestmark = pytest.mark.pure


@contextmanager
def margins(rel: float, value_err: float = 0.0) -> Iterator[None]:
    with (
        mock.patch.object(mes_engine, "REL", rel),
        mock.patch.object(mes_engine, "_VALUE_ERR", value_err),
    ):
        yield


def _engine(
    costs: Mapping[str, int | Fraction],
    votes: Sequence[tuple[str, ...]],
    points: list[tuple[int, ...]] | None = None,
) -> tuple[Profile, Engine]:
    vote_type = "approval" if points is None else "cumulative"
    profile = build_profile(election(costs, list(votes), 1, vote_type, points), "cardinal", "id")
    return profile, Engine(_prepare(profile), track=False)


def _untouched(engine: Engine, share: Fraction) -> None:
    """The engine at ``share`` before any round (every supporter holds the whole share)."""
    with mock.patch.object(Engine, "_loop", lambda self, *args: None):
        engine.start(share)


# --- Engine._screen -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cost", "affordable"),
    [(Fraction(52), None), (Fraction(207, 4), True), (Fraction(209, 4), None)],
)
def test_screen_calls_a_project_affordable_only_past_its_margin(
    cost: Fraction, affordable: bool | None
) -> None:
    """Four voters with shares of 15 (money 60) for one project. With ``REL`` = 1/16 and
    ``_VALUE_ERR`` = 1/64 the screen's slack is ``(cost + 60) / 16 + 4 x (15 + 1) / 64`` =
    ``(cost + 60) / 16 + 1``. At cost 52 that is 8, so 60 is exactly cost + slack: not
    certainly affordable (None); at 52.25 it is over. At 51.75 the slack is 7.984375 and
    cost + slack = 59.734375 < 60: affordable, rho = cost / 4, its error the slack over the
    denominator plus ``REL`` of rho."""
    with margins(2.0**-4, 2.0**-6):
        _profile, engine = _engine({"p": cost}, [("p",)] * 4)
        _untouched(engine, Fraction(15))
        sc = engine._screen(0)
    assert sc.affordable is affordable
    assert sc.money == 60.0
    if affordable:
        assert sc.rho == float(cost) / 4
        slack = (float(cost) + 60) / 16 + 1
        assert sc.err == slack / 4 + float(cost) / 4 / 16
        assert sc.denom == 4.0
    else:
        assert sc.rho == float("inf") and sc.capped is None


@pytest.mark.parametrize(("cost", "affordable"), [(Fraction(68), None), (Fraction(273, 4), False)])
def test_screen_calls_a_project_unaffordable_only_past_its_margin(
    cost: Fraction, affordable: bool | None
) -> None:
    """Two voters with shares of 30 (money 60), ``REL`` = 1/16, no value error: slack is
    ``(cost + 60) / 16``. At cost 68 that is 8 and 60 = cost - slack exactly: too close to call
    (None); at 68.25 the slack is 8.015625 and 60 < 60.234375: certainly unaffordable."""
    with margins(2.0**-4, 0.0):
        _profile, engine = _engine({"p": cost}, [("p",)] * 2)
        _untouched(engine, Fraction(30))
        sc = engine._screen(0)
    assert sc.affordable is affordable
    assert sc.rho == float("inf") and sc.capped is None


def test_screen_iterates_who_pays_all_they_have() -> None:
    """Points 1, 2 and 4 from three voters with shares of 8 (money 24) for a project costing 23
    (total utility 7). Ratios share / points: 8, 4 and 2; rho starts at 23/7. The voter at 2 is
    below it and pays all 8: rho = (23 - 8) / 3 = 5; now the voter at 4 is below too: rho =
    (23 - 16) / 1 = 7, and the voter at 8 is not below 7: done. Price 7, denominator 1. At cost
    28 the money (24) is short: certainly unaffordable."""
    points: list[tuple[int, ...]] = [(1,), (2,), (4,)]
    with margins(0.0, 0.0):
        _profile, engine = _engine({"p": 23}, [("p",)] * 3, points)
        _untouched(engine, Fraction(8))
        sc = engine._screen(0)
        _profile, short = _engine({"p": 28}, [("p",)] * 3, points)
        _untouched(short, Fraction(8))
        assert short._screen(0).affordable is False
    assert sc.affordable is True
    assert (sc.rho, sc.denom, sc.err) == (7.0, 1.0, 0.0)
    assert sc.capped is not None
    assert sc.ratios.tolist() == [8.0, 4.0, 2.0]
    assert sc.capped.tolist() == [False, True, True]


# --- mes_batch ------------------------------------------------------------------------------
#
# One engine for the batch checks: 'w' (index 0) has a voter of its own (group 0) and two who
# also approve 'x' (group 1, size 2); 'x' (index 1) also has a voter of its own (group 2).


def _batch_engine(cost_w: int = 9, cost_x: int = 6) -> tuple[Profile, Engine]:
    profile, engine = _engine({"w": cost_w, "x": cost_x}, [("w",), ("w", "x"), ("w", "x"), ("x",)])
    assert [g.projects for g in profile.groups] == [(0,), (0, 1), (1,)]
    assert engine.dense is not None
    return profile, engine


def _columns(*shares: tuple[float, float, float]) -> np.ndarray:
    """Remaining shares per group (rows) for each scenario (columns)."""
    return np.asarray(shares, dtype=np.float64).T.copy()


def _check(
    engine: Engine, w: int, values: np.ndarray, value_err: np.ndarray, rel: float = 0.0
) -> Any:
    """``mes_batch._check_round`` for winner ``w``, every other candidate still in the race."""
    cost_left = mes_batch._cost_left(engine, [])
    cost_left[w] = np.inf
    with margins(rel):
        return mes_batch._check_round(engine, w, values, cost_left, value_err)


def test_money_and_bar_are_each_projects_money_and_its_margin() -> None:
    """``bar = cost (1 - REL) - REL x money - voters x value error``. With ``REL`` = 1/2 and a
    value error of 1/4: 'w' (cost 9, 3 voters, money 2 + 2 x 3 = 8): 4.5 - 4 - 0.75 = -0.25;
    'x' (cost 6, 3 voters, money 2 x 3 + 5 = 11): 3 - 5.5 - 0.75 = -3.25."""
    _profile, engine = _batch_engine()
    values = _columns((2.0, 3.0, 5.0))
    cost_left = mes_batch._cost_left(engine, [])
    with margins(0.5):
        money, bar = mes_batch._money_and_bar(engine, values, cost_left, np.asarray([0.25]))
    assert money[:, 0].tolist() == [8.0, 11.0]
    assert bar[:, 0].tolist() == [-0.25, -3.25]


def test_nothing_affordable_only_when_every_project_is_under_its_bar() -> None:
    """No margin: 'x' (cost 6) with money 2 x 2 + 1 = 5 is under its bar (6) and 'w' (cost 9)
    with money 1 + 4 = 5 too: nothing affordable. 'x' with exactly 6 (2 x 2.5 + 1) is not
    certainly unaffordable; with 'x' bought (its cost infinite) nothing is affordable again."""
    _profile, engine = _batch_engine()
    values = _columns((1.0, 2.0, 1.0), (1.0, 2.5, 1.0))
    with margins(0.0):
        none_left = mes_batch._nothing_affordable(
            engine, values, mes_batch._cost_left(engine, []), np.zeros(2)
        )
        x_bought = mes_batch._nothing_affordable(
            engine, values, mes_batch._cost_left(engine, [1]), np.zeros(2)
        )
    assert none_left.tolist() == [True, False]
    assert x_bought.tolist() == [True, True]


def test_cost_left_is_infinite_for_projects_out_of_the_race() -> None:
    _profile, engine = _engine({"a": 3, "b": 0, "c": 5, "d": 7}, [("a", "b", "c", "d")])
    # 'b' is free: not a candidate; 'c' is bought.
    assert mes_batch._cost_left(engine, [2]).tolist() == [3.0, float("inf"), float("inf"), 7.0]


def test_check_round_certifies_the_winner_only_past_its_affordability_margin() -> None:
    """'w' costs 9 with 3 voters; ``REL`` = 1/2, value error 1/4 per voter: slack =
    ``(9 + money) / 2 + 3/4``, so 'w' is certain only when money > 9 + (9 + money) / 2 + 3/4,
    i.e. money > 28.5. Group 0 holds g, group 1 (2 voters) 10 each: money g + 20. At g = 8.5
    (money 28.5) not certain; at g = 8.75 certain ('x' costs 1,000 here: out of reach)."""
    _profile, engine = _batch_engine(cost_x=1000)
    values = _columns((8.5, 10.0, 0.0), (8.75, 10.0, 0.0))
    found = _check(engine, 0, values, np.full(2, 0.25), rel=0.5)
    assert found.ok.tolist() == [False, True]
    assert np.broadcast_to(found.rho, 2).tolist() == [3.0, 3.0]


def test_check_round_finds_who_pays_all_per_share() -> None:
    """No margins. 'w' costs 9 (rho 3 when nobody is short). Scenario 1: group 1 holds 2.75
    each (ratio below 3): they pay all 5.5 and rho = (9 - 5.5) / 1 = 3.5 (group 0 holds 10).
    Scenario 2: everyone holds 10: rho 3, nobody pays all."""
    _profile, engine = _batch_engine(cost_x=1000)
    values = _columns((10.0, 2.75, 0.0), (10.0, 10.0, 0.0))
    found = _check(engine, 0, values, np.zeros(2))
    assert found.ok.tolist() == [True, True]
    assert np.asarray(found.rho).tolist() == [3.5, 3.0]
    assert found.capped.tolist() == [[False, False], [True, False]]
    remaining = values.copy()
    mes_batch._pay(engine, 0, remaining, found)
    assert remaining.tolist() == [[6.5, 7.0], [0.0, 7.0], [0.0, 0.0]]


def test_check_round_gives_up_on_every_share_when_one_has_everybody_paying_all() -> None:
    """No margins; 'w' costs 9. Scenario 1: group 0 holds 1, group 1 (2 voters) 4.5 each:
    money 10; ratios 1 and 4.5 against rho 3: group 0 pays all, rho (9 - 1) / 2 = 4, and group 1
    (4.5 > 4) pays 4: certain on its own. Scenario 2: group 1 holds 3.9 each (money 8.8, short):
    group 0 pays all, rho 4, then group 1 (3.9 < 4) too: the denominator reaches 0, which no
    share can be certified with, so the batch certifies neither (the caller then checks the
    shares one by one)."""
    _profile, engine = _batch_engine(cost_x=1000)
    both = _check(engine, 0, _columns((1.0, 4.5, 0.0), (1.0, 3.9, 0.0)), np.zeros(2))
    alone = _check(engine, 0, _columns((1.0, 4.5, 0.0)), np.zeros(1))
    assert both.ok.tolist() == [False, False]
    assert alone.ok.tolist() == [True]
    assert np.asarray(alone.rho).tolist() == [4.0]


def test_check_round_another_project_that_ties_the_winner_is_not_certain() -> None:
    """No margins. 'w' (9; groups 0 and 1) has rho 3 when its voters hold 10. 'x' (7; group 1,
    2 voters, and group 2) raises at w's price 2 x min(v1, 3) + min(v2, 3). v2 = 1: 'x' raises
    7, its cost: it ties 'w', not certain. v2 = 0.5: it raises 6.5 < 7: certain. Group 0 at 1
    (v2 = 0.5): 'w' has rho (9 - 1) / 2 = 4 and 'x' raises 2 x 4 + 0.5 = 8.5 >= 7: not certain.
    ('x' is not behind 'w': its own lower bound 7/3 is below 3.)"""
    _profile, engine = _batch_engine(cost_x=7)
    values = _columns((10.0, 10.0, 1.0), (10.0, 10.0, 0.5), (1.0, 10.0, 0.5))
    found = _check(engine, 0, values, np.zeros(3))
    assert found.ok.tolist() == [False, True, False]


def test_check_round_settles_a_project_behind_the_winner_at_its_lower_bound() -> None:
    """'w' and 'x' both cost 9 with 3 voters: lower bounds 3 and 3, 'x' later in the tie order,
    so 'x' can never beat 'w' when w's rho is its lower bound, i.e. when none of w's voters
    is short. Value error 1/2 per voter, no ``REL``: w's price is 3 + 1.5 / 3 = 3.5 and a voter
    certainly holds enough when their share less 1/2 is above it. Group 0 at 4.25 (3.75 >
    3.5): settled, certain. Group 0 at 4 (3.5, not above): 'x' is checked by what it raises at
    3.5: 2 x 3.5 + 3.5 = 10.5, over its bar 9 - 1.5: not certain."""
    _profile, engine = _batch_engine(cost_x=9)
    values = _columns((4.25, 10.0, 10.0), (4.0, 10.0, 10.0))
    found = _check(engine, 0, values, np.full(2, 0.5))
    assert found.ok.tolist() == [True, False]
    assert mes_batch._behind(engine, 0).tolist() == [False, True]
    assert mes_batch._behind(engine, 1).tolist() == [False, False]


def test_check_round_margin_on_what_another_project_raises() -> None:
    """``REL`` = 1/2, no value error. 'w' (9): group 0 holds 10 and group 1 (2 voters) 10:
    money 30, slack (9 + 30) / 2 = 19.5, 30 > 28.5: affordable; rho 3, price = 3 + 19.5 / 3 +
    1.5 = 11. 'x' (cost c) with group 2 holding v2: bar = c / 2 - (20 + v2) / 2. At the price 11
    'x' raises 2 x 10 + min(v2, 11). For c = 62, v2 = 0: bar 21, money 20 < 21: out (certain).
    For c = 60, v2 = 0: bar 20, money 20 >= 20 and 11 x 3 >= 20: 'x' could; it raises 20,
    not under 20: not certain. For c = 61, v2 = 0: bar 20.5 > 20: out: certain."""
    results = []
    for cost_x in (62, 60, 61):
        _profile, engine = _batch_engine(cost_x=cost_x)
        found = _check(engine, 0, _columns((10.0, 10.0, 0.0)), np.zeros(1), rel=0.5)
        results.append(bool(found.ok[0]))
    assert results == [True, False, True]


def test_pay_takes_the_price_or_everything_and_never_leaves_a_debt() -> None:
    """Group 0 holds 10 and pays rho 3: 7 left. Group 1 is capped: 0. A float share a hair
    under the price (2.9999 against 3, not marked capped: float error) is left at 0, not at a
    negative amount."""
    _profile, engine = _batch_engine(cost_x=1000)
    values = _columns((10.0, 2.9999, 0.0))
    vs = values[engine.sup[0]]
    found = mes_batch._Round(np.asarray([True]), 3.0, np.asarray([[False], [False]]), vs)
    mes_batch._pay(engine, 0, values, found)
    assert values[:, 0].tolist() == [7.0, 0.0, 0.0]
    values = _columns((10.0, 5.0, 0.0))
    vs = values[engine.sup[0]]
    capped = mes_batch._Round(np.asarray([True]), 3.0, np.asarray([[True], [False]]), vs)
    mes_batch._pay(engine, 0, values, capped)
    assert values[:, 0].tolist() == [0.0, 2.0, 0.0]


def _cheapest(
    cost_x: int | Fraction, values: tuple[float, float, float], w_left: bool
) -> int | None:
    _profile, engine = _engine({"w": 9, "x": cost_x}, [("w",), ("w", "x"), ("w", "x"), ("x",)])
    cost_left = mes_batch._cost_left(engine, [] if w_left else [0])
    return mes_batch._cheapest(engine, np.asarray(values), cost_left)


def test_cheapest_is_the_affordable_project_with_the_smallest_rho() -> None:
    """'w' (9; groups 0 and 1) and 'x' (groups 1 and 2), every group holding 10: w's rho is 3;
    'x' at 6 has rho 2 and is cheapest; at 9 both have rho 3 and the tie goes to 'w' (id order).
    With group 2 holding 0, 'x' at 9 (money 20) has group 2 paying all: rho 9 / 2 = 4.5: 'w'.
    With 'w' bought, 'x' costing exactly its money (20) is still affordable (rho 20 / 2 = 10);
    at 20.5 it is not, and nothing is."""
    assert _cheapest(6, (10.0, 10.0, 10.0), True) == 1
    assert _cheapest(9, (10.0, 10.0, 10.0), True) == 0
    assert _cheapest(9, (10.0, 10.0, 0.0), True) == 0
    assert _cheapest(20, (10.0, 10.0, 0.0), False) == 1
    assert _cheapest(Fraction(41, 2), (10.0, 10.0, 0.0), False) is None


def test_leading_counts_the_certain_shares_from_the_first() -> None:
    assert mes_batch._leading(np.asarray([True, True, False, True]), 4) == 2
    assert mes_batch._leading(np.asarray([True, True, True]), 3) == 3
    assert mes_batch._leading(np.asarray([False, True]), 2) == 0


# --- the margins of whole batches and runs ----------------------------------------------------


def _one_project(cost: int) -> Engine:
    """One project with two identical voters (one group of two), cardinal utility."""
    _profile, engine = _engine({"w": cost}, [("w",), ("w",)])
    return engine


def test_same_rounds_counts_each_shares_value_error() -> None:
    """'w' costs 4 with two voters, each holding the share y. No ``REL``, a value error of 1/2 per
    unit of share: the slack is ``2 x 1/2 x (y + 1)`` = y + 1, so 'w' is certain only when
    2y > 4 + y + 1, i.e. y > 5. Share 5 is not certified; 5.25 is."""
    engine = _one_project(4)
    with margins(0.0, 0.5):
        assert mes_batch.same_rounds(engine, [0], [5.0]).same == 0
        assert mes_batch.same_rounds(engine, [0], [5.25]).same == 1
        assert mes_batch.same_rounds(engine, [0], [5.25, 6.0]).same == 2


def test_finish_run_counts_the_shares_value_error() -> None:
    """The same edge for a run finished in floats at one share: at 5 too close to call (None,
    the exact engine decides), at 5.25 it buys 'w'."""
    engine = _one_project(4)
    with margins(0.0, 0.5):
        assert mes_batch.finish_run(engine, [], np.asarray([5.0]), 5.0) is None
        assert mes_batch.finish_run(engine, [], np.asarray([5.25]), 5.25) == [0]


def test_same_rounds_stops_at_the_first_share_a_round_is_not_certain_at() -> None:
    """The election of ``test_engine_mutation_edges.test_two_projects_catch_up_with_a_winner_
    whose_rho_falls``: 'w' first (rho (40 - b) / 2), then 'r' (29 - b), then 'q' (30 - b), up to
    the share 18, where 'r' ties 'w' and wins. Shares 16 and 17 are certified, 18 is not; the
    first round is the one that changed, with the remaining shares (everyone's share) before it."""
    votes = [("w",)] * 3 + [("q",)] * 2 + [("r",)] * 2
    points: list[tuple[int, ...]] = [(1,), (1,), (4,), (5,), (1,), (5,), (1,)]
    profile, engine = _engine({"q": 30, "r": 29, "w": 40}, votes, points)
    first = engine.start(Fraction(16)).selected
    assert [profile.ids[j] for j in first] == ["w", "r", "q"]
    checked = mes_batch.same_rounds(engine, first, [16.0, 17.0, 18.0])
    assert checked.same == 2
    assert checked.changed is not None
    assert checked.changed[0] == 0
    assert checked.changed[1].tolist() == [18.0] * len(profile.groups)
    assert mes_batch.same_rounds(engine, first, [17.0, 18.0]).same == 1
    assert mes_batch.same_rounds(engine, first, [18.0]).same == 0


def test_an_unaffordable_projects_interval_counts_both_margins() -> None:
    """``Engine._bound_broke``: one voter with share b = 2 for a project costing 20 is short by
    18, and stays short while ``cost - money(b) - slack > 0``. With ``REL`` = 1/2 and a value
    error of 1/4: slack = (20 + 2) / 2 + 1/4 x 1 x (2 + 1) = 11.75, so 6.25 certainly short;
    the money grows with slope 1, taken as 1 + 1/2 x (1 + 1) = 2 with its margin: the project
    stays unaffordable at least until 2 + 6.25 / 2 = 5.125."""
    _profile, engine = _engine({"p": 20}, [("p",)])
    _untouched(engine, Fraction(2))
    with margins(0.5, 0.25):
        assert engine._dense_broke({0}) == {0: 2.0}
        assert engine._bound_broke([0], {0: 2.0}, float("inf")) == 5.125
        assert engine._bound_broke([0], {0: 2.0}, 4.0) == 4.0
    # Two voters (money 4, slope 2) for a project costing 40: slack = 44 / 2 + 1/4 x 2 x 3 =
    # 23.5, short by 12.5 for certain; slope with margin 2 + 1/2 x 3 = 3.5: until 2 + 25/7.
    _profile, engine = _engine({"p": 40}, [("p",), ("p",)])
    _untouched(engine, Fraction(2))
    with margins(0.5, 0.25):
        assert engine._bound_broke([0], {0: 4.0}, float("inf")) == pytest.approx(39 / 7, 1e-12)


def test_dense_broke_lists_only_projects_certainly_short() -> None:
    """``Engine._dense_broke``: one voter holding 2; ``REL`` = 1/2, value error 1/4: slack =
    (cost + 2) / 2 + 3/4. Short for certain when 2 < cost - slack, i.e. cost / 2 > 3.75,
    cost > 7.5: cost 7.5 is not listed, 7.75 is."""
    for cost, listed in ((Fraction(15, 2), False), (Fraction(31, 4), True)):
        _profile, engine = _engine({"p": cost}, [("p",)])
        _untouched(engine, Fraction(2))
        with margins(0.5, 0.25):
            assert (0 in engine._dense_broke({0})) is listed, cost
    # Two voters holding 2 each (money 4): slack (cost + 4) / 2 + 1/4 x 2 x 3; short for certain
    # when 4 < cost / 2 - 3.5, i.e. cost > 15.
    for cost, listed in ((Fraction(15), False), (Fraction(61, 4), True)):
        _profile, engine = _engine({"p": cost}, [("p",), ("p",)])
        _untouched(engine, Fraction(2))
        with margins(0.5, 0.25):
            assert (0 in engine._dense_broke({0})) is listed, cost


def test_check_round_a_project_tying_the_winner_and_first_in_the_tie_order_wins() -> None:
    """No margins. 'a' and 'w' both cost 9 and have three voters holding 10 each: both rho 3,
    and 'a' comes first in the tie-breaking order, so 'w' is not certain: at w's price 'a'
    raises exactly its cost (``price x total utility`` equals the bar: 'a' could tie)."""
    _profile, engine = _engine({"a": 9, "w": 9}, [("w",), ("a", "w"), ("a", "w"), ("a",)])
    found = _check(engine, 1, _columns((10.0, 10.0, 10.0)), np.zeros(1))
    assert found.ok.tolist() == [False]


def test_check_round_checks_every_project_after_one_settled_behind() -> None:
    """No margins. 'w' (9) at rho 3; 'x' (9, later in the tie order, same lower bound 3) is
    settled as behind (nobody short); 'z' (6, lower bound 2) can beat 'w': at price 3 it
    raises 2 x 3 + 3 = 9 >= 6. Settling 'x' must not end the check: not certain."""
    _profile, engine = _engine(
        {"w": 9, "x": 9, "z": 6}, [("w",), ("w", "x", "z"), ("w", "x", "z"), ("x", "z")]
    )
    found = _check(engine, 0, _columns((10.0, 10.0, 10.0)), np.zeros(1))
    assert mes_batch._behind(engine, 0).tolist() == [False, True, False]
    assert found.ok.tolist() == [False]


def test_check_round_behind_a_winner_with_two_points_per_voter() -> None:
    """Cumulative ballots, 2 points each, cardinal utility: 'w' (18; groups 0 and 1) and 'x'
    (18; groups 1 and 2) both have lower bound 18 / 6 = 3, 'x' later in the tie order. Value
    error 1/2 per voter: slack 1.5, price 3 + 1.5 / 6 = 3.25. A voter certainly holds enough when
    share / 2 - (1/2) / 2 > 3.25, i.e. share > 7: group 0 at 8 settles 'x' (certain), at 7 it
    does not and 'x' raises 2 x 6.5 + 6.5 = 19.5 at that price, over its bar 16.5."""
    votes = [("w",), ("w", "x"), ("w", "x"), ("x",)]
    points: list[tuple[int, ...]] = [(2,), (2, 2), (2, 2), (2,)]
    _profile, engine = _engine({"w": 18, "x": 18}, votes, points)
    found = _check(engine, 0, _columns((8.0, 10.0, 10.0), (7.0, 10.0, 10.0)), np.full(2, 0.5))
    assert found.ok.tolist() == [True, False]


# --- the intervals a tracked run proves ---------------------------------------------------------


def _at_share(share: int, cost: int = 20, voters: int = 1) -> Engine:
    """An engine at ``share`` before any round: ``voters`` voters of one project, each holding
    the share (state 0: value b, slope 1 in b)."""
    _profile, engine = _engine({"p": cost}, [("p",)] * voters)
    _untouched(engine, Fraction(share))
    return engine


def _winner(engine: Engine, rho: Fraction, rho_b: Fraction, capped: bool) -> mes_engine._Exact:
    states = np.zeros(len(engine.sup[0]), dtype=np.int64)
    return mes_engine._Exact(0, rho, rho_b, np.full(len(states), capped), states)


def test_hi_rounds_the_float_end_down_by_its_margin_and_takes_the_smallest() -> None:
    """``Engine._hi`` with ``REL`` = 1/2 at share 2: a float end 10 becomes 10 - (10 + 2 + 1) / 2
    = 3.5; an end of 4 would become 0.5, below the share, so the share itself; an exact end of 3
    is the float below 3; no end at all is None."""
    engine = _at_share(2)
    with margins(0.5):
        assert engine._hi(10.0, []) == 3.5
        assert engine._hi(4.0, [None]) == 2.0
        assert engine._hi(10.0, [Fraction(3), None]) == math.nextafter(3.0, -math.inf)
        assert engine._hi(float("inf"), [None]) is None


def test_an_unaffordable_projects_float_interval_counts_every_margin() -> None:
    """``Engine._bound_unaffordable`` (the screen's money, no dense matrix): one voter with share
    2 for a project costing 20, ``REL`` = 1/2, value error 1/4: short by 18 less 11 + 3/4, the
    money's slope 1 taken as 1 + 1/2 x (1 + 1) = 2: unaffordable until 2 + 6.25 / 2 = 5.125.
    Two voters for 40 (money 4, slope 2): 36 less 22 + 1.5, slope 2 + 1.5: until 2 + 12.5/3.5."""
    with margins(0.5, 0.25):
        engine = _at_share(2)
        hi_exact: list[Fraction | None] = []
        assert engine._bound_unaffordable(engine._screen(0), float("inf"), hi_exact) == 5.125
        assert engine._bound_unaffordable(engine._screen(0), 5.0, hi_exact) == 5.0
        two = _at_share(2, cost=40, voters=2)
        assert two._bound_unaffordable(two._screen(0), float("inf"), hi_exact) == pytest.approx(
            2 + 12.5 / 3.5, rel=1e-12
        )
        assert hi_exact == []


def test_an_unaffordable_project_close_to_its_cost_gets_an_exact_end() -> None:
    """One voter with share 2 for a project costing 3: within the margins (``REL`` = 1/2), so
    the end is exact: short by 1, the money growing by 1 per unit of share: 3."""
    engine = _at_share(2, cost=3)
    hi_exact: list[Fraction | None] = []
    with margins(0.5, 0.25):
        assert engine._bound_unaffordable(engine._screen(0), 7.0, hi_exact) == 7.0
    assert hi_exact == [Fraction(3)]


def test_the_winners_float_interval_counts_every_margin() -> None:
    """``Engine._bound_winner``, one voter holding b = 8 who pays the price (not capped): rho 2,
    growing by 3 per unit of share. ``REL`` = 1/4, value error 1/4: what is left after paying,
    8 - 2 = 6, less its margin 1/4 x 2 + 1/2 x 9 = 5, is 1; it falls by 3 - 1 = 2 a unit,
    taken as 2 + 1/4 x (1 + 3 + 1) = 3.25: the voter pays the price until 8 + 1 / 3.25."""
    engine = _at_share(8)
    hi_exact: list[Fraction | None] = []
    with margins(0.25, 0.25):
        win = _winner(engine, Fraction(2), Fraction(3), capped=False)
        assert engine._bound_winner(win, float("inf"), hi_exact) == pytest.approx(
            8 + 1 / 3.25, rel=1e-12
        )
    assert hi_exact == []


def test_the_winners_float_interval_for_a_voter_who_pays_all() -> None:
    """A capped voter (pays all): holds 8 against a price of 10 (rho 10, not moving). Margins
    1/64: the shortfall 2 less 10/64 + 2/64 x 9 = 0.4375; it falls by 1 a unit (the share grows),
    taken as 1 + 2/64: the voter keeps paying all until 8 + 1.5625 / 1.03125."""
    engine = _at_share(8)
    hi_exact: list[Fraction | None] = []
    with margins(2.0**-6, 2.0**-6):
        win = _winner(engine, Fraction(10), Fraction(0), capped=True)
        assert engine._bound_winner(win, float("inf"), hi_exact) == pytest.approx(
            8 + 1.5625 / 1.03125, rel=1e-12
        )
    assert hi_exact == []


def test_the_winners_interval_is_exact_within_the_margin() -> None:
    """Share 6, rho 2 growing by 3: left after paying 4, exactly its margin 1/4 x 2 + 1/2 x 7
    = 4 with ``REL`` = value error = 1/4: too close for floats, so the end is exact: 4 - 2 per
    unit, 6 + 2 = 8. A voter left with exactly the price (share 8, rho 8 growing by 1): nothing
    left, and nothing more a unit later: no end (None); growing by 2: the voter would be short
    at once, so the interval ends at the share itself. Left with a little (rho 7.9 at share 8,
    growing by 2): 8 + 0.1."""
    with margins(0.25, 0.25):
        engine = _at_share(6)
        hi_exact: list[Fraction | None] = []
        engine._bound_winner(_winner(engine, Fraction(2), Fraction(3), False), 99.0, hi_exact)
        assert hi_exact == [Fraction(8)]
        engine = _at_share(8)
        hi_exact = []
        for rho, rho_b in ((Fraction(8), Fraction(1)), (Fraction(8), Fraction(2))):
            engine._bound_winner(_winner(engine, rho, rho_b, False), 99.0, hi_exact)
        engine._bound_winner(_winner(engine, Fraction(79, 10), Fraction(2), False), 99.0, hi_exact)
        assert hi_exact == [None, Fraction(8), Fraction(81, 10)]


def test_another_projects_float_bound_counts_the_winners_margin() -> None:
    """``Engine._bound_others`` at share 8, winner's rho 2 (not moving), ``REL`` = 1/4: the
    winner's rho is taken as at most 2 + 1/2 = 2.5. Another project whose rho is at least 3,
    falling by 1 a unit (taken as 1 + 1/4): it stays above until 8 + 0.5 / 1.25 = 8.4. One whose
    lower bound is only 2.25 could already beat it: the interval ends at the share itself."""
    _profile, engine = _engine({"p": 20, "q": 20}, [("p", "q")])
    _untouched(engine, Fraction(8))
    win = _winner(engine, Fraction(2), Fraction(0), capped=False)
    with margins(0.25):
        hi_exact: list[Fraction | None] = []
        hi = engine._bound_others(win, {0, 1}, [2.0, 3.0], [0.0, -1.0], {}, 99.0, hi_exact)
        assert hi == pytest.approx(8.4, rel=1e-12)
        hi = engine._bound_others(win, {0, 1}, [2.0, 2.25], [0.0, -1.0], {}, 99.0, hi_exact)
        assert hi == 8.0
        assert hi_exact == []
