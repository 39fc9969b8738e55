"""The MES engine (``rules.pb.mes_engine``, ``rules.pb.mes_batch``) against a plain reference.

Issue 14's mutation run of the engine left survivors in its fast paths: the float screening and
its margins, the exact walk near the price, the intervals of shares a tracked run proves and the
resumed runs of add1's exact path. Each fast path falls back on a slower exact one, so most of
these changes could only be seen where the two disagree. Here a reference written the plain way
(every supporter's exact remaining share, sorted exactly, with Python's ``Fraction``; add1 one
unit at a time) decides every random election, and the engine must give the same projects, the
same rho and number of supporters paying all they have at every step, and every group's same
remaining share: run as shipped, with every decision sent through exact arithmetic (a huge
screening margin), with the plain exact method only, without the dense matrix, and on add1's
exact path that resumes runs at larger shares.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from typing import TypeVar
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules.pb import Ballot, Election, MESExplanation, Project, equal_shares, mes_engine
from rules.pb import mes as mes_module
from rules.pb.mes import _prepare
from rules.pb.mes_engine import Engine
from rules.pb.profile import Profile, build_profile

from .test_properties import elections

T = TypeVar("T")


@dataclass
class RefRun:
    """A reference MES run: projects bought (indices), each step's rho and number of voters
    paying all they have, and each group's remaining share."""

    selected: list[int]
    rhos: list[Fraction]
    paid_all: list[int]
    remaining: list[Fraction]


def _utilities(profile: Profile) -> list[dict[int, Fraction]]:
    """Each group's utility for each project it supports (the cost when not given)."""
    out = []
    for group in profile.groups:
        us = group.utilities
        out.append(
            {
                j: profile.costs[j] if us is None else Fraction(us[k])
                for k, j in enumerate(group.projects)
            }
        )
    return out


def _candidates(profile: Profile) -> list[int]:
    return [
        j for j in range(len(profile.ids)) if profile.total_utility[j] > 0 and profile.costs[j] > 0
    ]


def _free(profile: Profile) -> list[int]:
    free = [
        j for j in range(len(profile.ids)) if profile.total_utility[j] > 0 and profile.costs[j] == 0
    ]
    return sorted(free, key=lambda j: profile.tie_order[j])


def reference_run(profile: Profile, share: Fraction) -> RefRun:
    """MES at ``share`` the plain way: each round, every remaining project's rho from its
    supporters sorted by remaining share per unit of utility; the smallest wins (ties by the
    tie-breaking order); a supporter pays ``rho x utility``, or all they have if that is less."""
    utilities = _utilities(profile)
    sizes = [group.size for group in profile.groups]
    value = [Fraction(share)] * len(profile.groups)
    remaining = set(_candidates(profile))
    run = RefRun([], [], [], value)
    while True:
        best: tuple[Fraction, int, int] | None = None
        for j in remaining:
            cost = profile.costs[j]
            items = sorted(
                (value[g] / us[j], g, us[j]) for g, us in enumerate(utilities) if j in us
            )
            if sum(sizes[g] * value[g] for _r, g, _u in items) < cost:
                continue
            contrib = Fraction(0)
            denom = sum((sizes[g] * u for _r, g, u in items), Fraction(0))
            for ratio, g, u in items:
                if cost - contrib <= ratio * denom:
                    break
                contrib += sizes[g] * value[g]
                denom -= sizes[g] * u
            rho = (cost - contrib) / denom
            key = (rho, profile.tie_order[j], j)
            if best is None or key < best:
                best = key
        if best is None:
            return run
        rho, _tie, j = best
        remaining.discard(j)
        paid_all = 0
        for g, us in enumerate(utilities):
            if j in us:
                if value[g] < rho * us[j]:
                    paid_all += sizes[g]
                    value[g] = Fraction(0)
                else:
                    value[g] -= rho * us[j]
        run.selected.append(j)
        run.rhos.append(rho)
        run.paid_all.append(paid_all)


def reference_add1(profile: Profile) -> tuple[RefRun, int]:
    """pabutools' ``voter_budget_increment=1``: raise every share by one until the outcome is
    exhaustive (stop there) or overspends (stop one before); the run and the increments."""
    n = profile.num_voters
    b0 = profile.budget / n
    free = _free(profile)
    k = 0
    while True:
        run = reference_run(profile, b0 + k)
        chosen = free + run.selected
        spent = sum((profile.costs[j] for j in chosen), Fraction(0))
        if spent > profile.budget:
            assert k > 0
            return reference_run(profile, b0 + k - 1), k - 1
        left = profile.budget - spent
        if all(j in chosen or profile.costs[j] > left for j in _candidates(profile)):
            return run, k
        k += 1


def _same_as_reference(explanation: MESExplanation, profile: Profile, ref: RefRun) -> None:
    ids = profile.ids
    assert [s.project_id for s in explanation.steps] == [ids[j] for j in ref.selected]
    assert [s.rho for s in explanation.steps] == ref.rhos
    assert [s.paid_all for s in explanation.steps] == ref.paid_all
    assert [g.remaining for g in explanation.groups] == ref.remaining


MODES = ["shipped", "all-exact", "plain-exact", "no-dense"]


@contextmanager
def engine_mode(mode: str) -> Iterator[None]:
    """The engine as shipped, or with one of its fast paths switched off: ``all-exact`` (a huge
    screening margin: no float result is trusted), ``plain-exact`` (every exact rho by sorting
    all supporters: ``Engine._exact_slow``), ``no-dense`` (no projects x groups matrix, as for
    profiles over 400,000 cells)."""
    if mode == "shipped":
        yield
    elif mode == "all-exact":
        with mock.patch.object(mes_engine, "REL", 1e3):
            yield
    elif mode == "plain-exact":
        with mock.patch.object(Engine, "_exact", lambda self, sc: self._exact_slow(sc.project)):
            yield
    else:
        assert mode == "no-dense"
        with mock.patch.object(mes_engine, "_DENSE_LIMIT", 0):
            yield


ELECTIONS = st.one_of(elections("approval", nonempty=True), elections("cumulative", nonempty=True))
UTILITIES = st.sampled_from(["cost", "cardinal", "points"])
TIE_BREAKS = st.sampled_from(["id", "cost-votes"])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ELECTIONS, UTILITIES, TIE_BREAKS)
def test_one_run_is_the_reference_run_in_every_mode(
    election: Election, utility: str, tie_break: str
) -> None:
    """MES without completion: the same projects, rhos, supporters paying all they have and
    remaining shares as the reference, whichever fast paths the engine uses."""
    profile = build_profile(election, utility, tie_break)
    ref = reference_run(profile, profile.budget / profile.num_voters)
    for mode in MODES:
        with engine_mode(mode):
            outcome = equal_shares(election, utility, "none", tie_break)
        assert isinstance(outcome.explanation, MESExplanation)
        _same_as_reference(outcome.explanation, profile, ref)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ELECTIONS, UTILITIES, st.booleans())
def test_add1_is_the_reference_add1_on_every_path(
    election: Election, utility: str, exact_path: bool
) -> None:
    """add1 (batched float checks for small profiles; resumed exact runs, ``_BATCH_CELLS`` = 0,
    for large ones): the share it stops at, the increments and the stopping run are the
    reference's, in every mode of the engine."""
    if election.budget == 0:
        return
    profile = build_profile(election, utility, "id")
    ref, increments = reference_add1(profile)
    for mode in MODES:
        # The batches need the dense matrix (their limit is far below the matrix's).
        cells = 0 if exact_path or mode == "no-dense" else mes_module._BATCH_CELLS
        with engine_mode(mode), mock.patch.object(mes_module, "_BATCH_CELLS", cells):
            outcome = equal_shares(election, utility, "add1")
        x = outcome.explanation
        assert isinstance(x, MESExplanation)
        assert (x.increments, mode) == (increments, mode)
        _same_as_reference(x, profile, ref)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ELECTIONS,
    UTILITIES,
    st.lists(st.fractions(min_value=Fraction(1), max_value=Fraction(30)), max_size=6),
    st.sampled_from(["shipped", "all-exact", "no-dense"]),
)
def test_resumed_runs_are_the_reference_runs(
    election: Election, utility: str, steps: list[Fraction], mode: str
) -> None:
    """A tracked run resumed at ever larger shares (``Engine.resume``, add1's exact path, here
    also by steps that are not whole units, but never less than one unit, as add1 never takes a
    smaller one) gives at each share the reference run at that share, and the interval it
    proves (``hi``: every share in ``[b, hi)`` buys the same projects in the same order, and the
    same supporters pay all they have) holds, at its end (``hi`` is rounded down) and inside."""
    profile = build_profile(election, utility, "id")
    prep = _prepare(profile)
    share = profile.budget / profile.num_voters
    with engine_mode(mode):
        engine = Engine(prep, track=True)
        run = engine.start(share)
        for step in [*steps, None]:
            full = engine.result(full=True)
            ref = reference_run(profile, share)
            assert full.selected == ref.selected
            assert full.rhos == ref.rhos
            assert full.paid_all == ref.paid_all
            values = full.remaining_shares()
            assert [values[t] for t in full.group_state] == ref.remaining
            # A run stops tracking after a round whose interval ends before share + 1 (add1's
            # smallest step), so its ``hi`` covers the whole run only when it is past share + 1.
            if run.hi is not None and run.hi > share + 1:
                for inside in (Fraction(run.hi), (Fraction(run.hi) + share) / 2):
                    same = reference_run(profile, inside)
                    assert (same.selected, same.paid_all) == (ref.selected, ref.paid_all)
            if step is None:
                break
            share += step
            run = engine.resume(share)


@pytest.mark.parametrize("mode", MODES)
def test_a_run_at_shares_inside_its_proven_interval_buys_the_same(mode: str) -> None:
    """Hand-checked tracked run: budget 100, 'a' (40) and 'b' (39) approved by v0, v1; 'c' (20)
    by v2, v3; 'a' also by v2, v3. At a share of 20 'a' costs 10 each (rho 1/4); v0 and v1 have
    10 left for 'b' (39): unaffordable until their share reaches 29.5; v2, v3 have 10 left each,
    'c' costs 10 each (rho 1/2). So shares in [20, 29.5) buy 'a', 'c'. At 29.5 'b' costs v0
    and v1 19.5 each, all they have: rho 1/2, tied with 'c' and first in the tie-breaking order:
    'a', 'b', 'c'. The proven interval ends just below 29.5 (rounded down by the float margin;
    with every decision exact it is not proven at all)."""
    from .test_greedy import election

    e = election(
        {"a": 40, "b": 39, "c": 20},
        [("a", "b"), ("a", "b"), ("a", "c"), ("a", "c")],
        80,
    )
    profile = build_profile(e, "cost", "id")
    with engine_mode(mode):
        engine = Engine(_prepare(profile), track=True)
        run = engine.start(Fraction(20))
        assert [profile.ids[j] for j in run.selected] == ["a", "c"]
        assert run.hi is not None
        assert _interval_end_is(run.hi, 29.5, mode), run.hi
        assert [r.hi is None for r in engine.rounds] == [True, False, True]
        assert [profile.ids[j] for j in engine.resume(Fraction(59, 2) - 1).selected] == ["a", "c"]
        resumed = engine.resume(Fraction(59, 2))
        assert [profile.ids[j] for j in resumed.selected] == ["a", "b", "c"]
        assert engine.result(full=True).rhos == [Fraction(1, 4), Fraction(1, 2), Fraction(1, 2)]


@pytest.mark.parametrize("mode", MODES)
def test_a_supporter_paying_exactly_all_they_have_left_has_not_paid_all(mode: str) -> None:
    """Hand-worked: budget 90, three voters with shares of 30. 'x' (30; a, c) and 'y' (30; a, b)
    both start at rho 1/2; 'x' wins the tie (id order): a and c pay 15 each. For 'y' a has 15
    left and b 30: an equal split is 15 each, exactly what a has left. a pays it all, but its
    remaining share is not *less* than the price, so nobody paid all they had (``paid_all`` 0)
    and rho stays 1/2. (The engine's exact walk near the price stops at equality.)"""
    from .test_greedy import election

    e = election({"x": 30, "y": 30}, [("x", "y"), ("y",), ("x",)], 90)
    with engine_mode(mode):
        outcome = equal_shares(e, "cost", "none")
    x = outcome.explanation
    assert isinstance(x, MESExplanation)
    assert [(s.project_id, s.rho, s.price, s.paid_all) for s in x.steps] == [
        ("x", Fraction(1, 2), Fraction(15), 0),
        ("y", Fraction(1, 2), Fraction(15), 0),
    ]
    assert [g.remaining for g in x.groups] == [Fraction(0), Fraction(15), Fraction(15)]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("completion", ["none", "add1"])
def test_one_supporter_pays_all_and_the_next_exactly_what_they_have(
    mode: str, completion: str
) -> None:
    """Hand-worked: nine voters with shares of 20 (budget 180). 'p' (56; a, d, e, f) and 'q'
    (32; b, g, h, i) cost 1/4 per unit of utility: 14 and 8 each, 'p' first by id. Then 'y'
    (30; a, b, c): a has 6, b 12, c 20. An equal split (10) is more than a has: a pays all 6,
    b and c pay 12 each, rho = (30 - 6) / 60 = 2/5. b pays exactly what is left (12), so only
    a paid all they had. add1 stops at once: 118 spent, nothing else to buy (exhaustive)."""
    from .test_greedy import election

    e = election(
        {"p": 56, "q": 32, "y": 30},
        [("p", "y"), ("q", "y"), ("y",), *_times(("p",), 3), *_times(("q",), 3)],
        180,
    )
    with engine_mode(mode):
        outcome = equal_shares(e, "cost", completion)
    x = outcome.explanation
    assert isinstance(x, MESExplanation)
    assert [(s.project_id, s.rho, s.paid_all) for s in x.steps] == [
        ("p", Fraction(1, 4), 0),
        ("q", Fraction(1, 4), 0),
        ("y", Fraction(2, 5), 1),
    ]
    assert [g.remaining for g in x.groups] == [
        Fraction(0),
        Fraction(0),
        Fraction(8),
        Fraction(6),
        Fraction(12),
    ]
    assert x.increments == 0


def _times(ballot: tuple[T, ...], n: int) -> list[tuple[T, ...]]:
    """``n`` identical ballots (or points)."""
    return [ballot] * n


def _tracked(election: Election, utility: str, share: Fraction) -> tuple[Profile, Engine]:
    profile = build_profile(election, utility, "id")
    engine = Engine(_prepare(profile), track=True)
    engine.start(share)
    return profile, engine


def _interval_end_is(hi: float | None, end: float, mode: str) -> bool:
    """A proven interval's end: with every decision exact (``all-exact``) the exact end rounded
    down to the float below it; in floating point a little lower (the bound's error margin, a
    relative 1e-9 or so, must be there and must stay small)."""
    if hi is None:
        return False
    if mode == "all-exact":
        return hi == math.nextafter(end, -math.inf)
    return end - 1e-6 < hi < end - 1e-8


@pytest.mark.parametrize("mode", MODES)
def test_interval_ends_where_a_supporter_who_paid_all_can_pay_the_price(mode: str) -> None:
    """Hand-worked tracked run (``Engine._bound_winner``): eight voters with shares of 12 (budget
    96). 'x' (50; a and four c voters) costs 1/5 per unit: 10 each. 'y' (30; a and three b
    voters): a has 2 left and pays it all; the b voters pay (30 - 2) / 3 each, rho = 28/90 =
    14/45. a keeps paying all they have while b - 10 < 30 x rho(b) = (40 - b) / 3, i.e. for
    shares below 17.5. At 17.5 a has 7.5, exactly an equal split (rho 1/4): nobody pays all."""
    from .test_greedy import election

    e = election(
        {"x": 50, "y": 30}, _times(("x", "y"), 1) + _times(("y",), 3) + _times(("x",), 4), 96
    )
    with engine_mode(mode):
        profile, engine = _tracked(e, "cost", Fraction(12))
        run = engine.result(full=True)
        assert [profile.ids[j] for j in run.selected] == ["x", "y"]
        assert (run.rhos, run.paid_all) == ([Fraction(1, 5), Fraction(14, 45)], [0, 1])
        assert _interval_end_is(run.hi, 17.5, mode), run.hi
        assert _interval_end_is(engine.rounds[1].hi, 17.5, mode)
        engine.resume(Fraction(33, 2))
        run = engine.result(full=True)
        assert (run.rhos, run.paid_all) == ([Fraction(1, 5), Fraction(47, 180)], [0, 1])
        engine.resume(Fraction(35, 2))
        run = engine.result(full=True)
        assert (run.rhos, run.paid_all) == ([Fraction(1, 5), Fraction(1, 4)], [0, 0])
        assert [run.remaining_shares()[t] for t in run.group_state] == [
            Fraction(0),
            Fraction(10),
            Fraction(15, 2),
        ]


@pytest.mark.parametrize("mode", MODES)
def test_interval_ends_where_another_project_catches_up_with_the_winner(mode: str) -> None:
    """Hand-worked tracked run (``Engine._bound_others``), cumulative ballots and cardinal
    utility: six voters with shares of 20 (budget 120). 'w' (32) has four voters giving it 1
    point: rho 8. 'q' (30): a gives it 5 points, b 1 point. An equal rho would ask a for 25: a
    pays all 20 and b pays 10, rho 10 (falling as the share b grows: 30 - b, while a pays all,
    i.e. below 25). So 'w' is bought first while 30 - b > 8, i.e. below 22; at 22 the two tie
    at rho 8 and 'q' wins the tie (id order)."""
    from .test_greedy import election

    votes = _times(("w",), 4) + _times(("q",), 2)
    points = _times((1,), 4) + _times((5,), 1) + _times((1,), 1)
    e = election({"q": 30, "w": 32}, votes, 120, "cumulative", points)
    with engine_mode(mode):
        profile, engine = _tracked(e, "cardinal", Fraction(20))
        run = engine.result(full=True)
        assert [profile.ids[j] for j in run.selected] == ["w", "q"]
        assert (run.rhos, run.paid_all) == ([Fraction(8), Fraction(10)], [0, 1])
        assert _interval_end_is(run.hi, 22.0, mode), run.hi
        assert _interval_end_is(engine.rounds[0].hi, 22.0, mode)
        assert _interval_end_is(engine.rounds[1].hi, 25.0, mode)
        assert engine.rounds[2].hi is None
        assert [profile.ids[j] for j in engine.resume(Fraction(21)).selected] == ["w", "q"]
        run = engine.resume(Fraction(22))
        assert [profile.ids[j] for j in run.selected] == ["q", "w"]
        full = engine.result(full=True)
        assert (full.rhos, full.paid_all) == ([Fraction(8), Fraction(8)], [1, 0])


@pytest.mark.parametrize("mode", MODES)
def test_exactly_enough_left_with_one_point_per_project(mode: str) -> None:
    """Hand-worked, approval ballots counted one point per project (cardinal utility): 19
    voters with shares of 0.7 (budget 13.3). 'p' (3; a and nine b voters) costs 3/10 each,
    'y' (4; a and nine c voters) 4/10 each: 'p' first. a then has 0.7 - 0.3 = 0.4 left, exactly
    its part of 'y': it pays all it has but not *less* than the price, so nobody paid all they
    had. (The engine's float screening must not count a as paying all: 0.7 - 0.3 is a little
    under 0.4 in floating point, well inside the margin that sends it to the exact walk.)"""
    ballots = [Ballot("a", ("p", "y"), None)]
    ballots += [Ballot(f"b{i}", ("p",), None) for i in range(9)]
    ballots += [Ballot(f"c{i}", ("y",), None) for i in range(9)]
    projects = [Project("p", Fraction(3)), Project("y", Fraction(4))]
    e = Election(Fraction(133, 10), projects, ballots, "approval")
    with engine_mode(mode):
        outcome = equal_shares(e, "cardinal", "none")
    x = outcome.explanation
    assert isinstance(x, MESExplanation)
    assert [(s.project_id, s.rho, s.paid_all) for s in x.steps] == [
        ("p", Fraction(3, 10), 0),
        ("y", Fraction(2, 5), 0),
    ]
    assert [g.remaining for g in x.groups] == [Fraction(0), Fraction(2, 5), Fraction(3, 10)]


@pytest.mark.parametrize("mode", MODES)
def test_interval_ends_where_a_later_project_catches_up_with_the_winner(mode: str) -> None:
    """The election of the test above with the projects renamed so that the winner comes first
    in the tie-breaking order ('a' for 'w', 'b' for 'q'): every other remaining project bounds
    the interval, whichever order they are looked at in. At 22 the two tie at rho 8 and 'a'
    keeps winning; above 22 'b' is bought first (at 23: a pays all 23, v5 pays 7, rho 7)."""
    from .test_greedy import election

    votes = _times(("a",), 4) + _times(("b",), 2)
    points = _times((1,), 4) + _times((5,), 1) + _times((1,), 1)
    e = election({"a": 32, "b": 30}, votes, 120, "cumulative", points)
    with engine_mode(mode):
        profile, engine = _tracked(e, "cardinal", Fraction(20))
        run = engine.result(full=True)
        assert [profile.ids[j] for j in run.selected] == ["a", "b"]
        assert _interval_end_is(run.hi, 22.0, mode), run.hi
        assert [profile.ids[j] for j in engine.resume(Fraction(22)).selected] == ["a", "b"]
        run = engine.resume(Fraction(23))
        assert [profile.ids[j] for j in run.selected] == ["b", "a"]
        assert engine.result(full=True).rhos == [Fraction(7), Fraction(8)]


@pytest.mark.parametrize("mode", MODES)
def test_a_run_resumed_from_a_later_round_lowers_its_bounds_on_rho(mode: str) -> None:
    """The catching-up election with a first round before it: 'f' (24; four voters giving it
    1 point) costs 6 each and is bought first at a share of 20; 'q' (rho 10, falling by 1 for
    each unit of share, since a pays all they have) is screened in that round. Resumed at 22
    from the second round, the engine's lower bound on 'q''s rho must fall with the share
    (from 10 to 8) or 'q' would not be looked at before 'w': 'q' wins the tie at 8."""
    from .test_greedy import election

    votes = _times(("f",), 4) + _times(("w",), 4) + _times(("q",), 2)
    points = _times((1,), 8) + _times((5,), 1) + _times((1,), 1)
    e = election({"f": 24, "q": 30, "w": 32}, votes, 200, "cumulative", points)
    with engine_mode(mode):
        profile, engine = _tracked(e, "cardinal", Fraction(20))
        assert [profile.ids[j] for j in engine.result().selected] == ["f", "w", "q"]
        assert _interval_end_is(engine.rounds[1].hi, 22.0, mode)
        run = engine.resume(Fraction(22))
        assert [profile.ids[j] for j in run.selected] == ["f", "q", "w"]
        assert engine.result(full=True).rhos == [Fraction(6), Fraction(8), Fraction(8)]


@pytest.mark.parametrize("mode", MODES)
def test_two_supporters_left_with_exactly_their_part(mode: str) -> None:
    """Hand-worked, one point per approved project (cardinal utility): five voters with shares
    of 30 (budget 150). 'p1' (30; a, c) and 'p2' (30; d, e) cost 15 each; 'y' (45; a, b, d)
    also 15 each, bought last (tie-breaking order). a and d then have exactly 15 left: both pay
    it all without paying *less* than the price, so nobody paid all they had."""
    from .test_greedy import election

    e = election(
        {"p1": 30, "p2": 30, "y": 45},
        [("p1", "y"), ("y",), ("p1",), ("p2", "y"), ("p2",)],
        150,
    )
    with engine_mode(mode):
        outcome = equal_shares(e, "cardinal", "none")
    x = outcome.explanation
    assert isinstance(x, MESExplanation)
    assert [(s.project_id, s.rho, s.paid_all) for s in x.steps] == [
        ("p1", Fraction(15), 0),
        ("p2", Fraction(15), 0),
        ("y", Fraction(15), 0),
    ]
    assert [g.remaining for g in x.groups] == [0, 15, 15, 0, 15]


@pytest.mark.parametrize("mode", MODES)
def test_two_projects_catch_up_with_a_winner_whose_rho_falls(mode: str) -> None:
    """Hand-worked tracked run (``Engine._bound_others``), cumulative ballots, cardinal utility,
    seven voters with shares of b = 16. 'w' (40): two voters give it 1 point and d gives it 4;
    d's ratio b / 4 is below rho, so d pays all and rho_w = (40 - b) / 2 = 12, falling by 1/2
    per unit of share. 'q' (30): a gives 5 points (pays all), e 1: rho_q = 30 - b = 14. 'r'
    (29): f gives 5 (pays all), g 1: rho_r = 29 - b = 13. Each falls faster than w's: 'r'
    catches up at 29 - b = (40 - b) / 2, b = 18, and 'q' at b = 20; both tie by id before 'w'.
    So the first round's interval ends at 18 (not 20: both projects' bounds count, and the
    winner's own slope counts)."""
    from .test_greedy import election

    votes = _times(("w",), 3) + _times(("q",), 2) + _times(("r",), 2)
    points = [*_times((1,), 2), (4,), (5,), (1,), (5,), (1,)]
    e = election({"q": 30, "r": 29, "w": 40}, votes, 112, "cumulative", points)
    with engine_mode(mode):
        profile, engine = _tracked(e, "cardinal", Fraction(16))
        run = engine.result(full=True)
        assert [profile.ids[j] for j in run.selected] == ["w", "r", "q"]
        assert (run.rhos, run.paid_all) == ([Fraction(12), Fraction(13), Fraction(14)], [1, 1, 1])
        assert _interval_end_is(engine.rounds[0].hi, 18.0, mode), engine.rounds[0].hi
        assert [profile.ids[j] for j in engine.resume(Fraction(17)).selected] == ["w", "r", "q"]
        run = engine.resume(Fraction(18))
        assert [profile.ids[j] for j in run.selected] == ["r", "w", "q"]
        full = engine.result(full=True)
        assert full.rhos == [Fraction(11), Fraction(11), Fraction(12)]


@pytest.mark.parametrize("mode", MODES)
def test_two_supporters_pay_all_and_the_interval_follows_both(mode: str) -> None:
    """Hand-worked tracked run, cumulative ballots, cardinal utility, four voters with shares of
    b = 12 for 'w' (40): two give it 1 point, d1 gives 4 and d2 gives 5 (ratios 3 and 2.4).
    Both d voters pay all they have: rho = (40 - 2b) / 2 = 20 - b = 8, falling by 1 a unit (the
    two shares that grow with b, summed). d1 keeps paying all while b / 4 < 20 - b, i.e. below
    16; d2 below 16 2/3: the interval ends at 16."""
    from .test_greedy import election

    e = election({"w": 40}, _times(("w",), 4), 48, "cumulative", [(1,), (1,), (4,), (5,)])
    with engine_mode(mode):
        profile, engine = _tracked(e, "cardinal", Fraction(12))
        run = engine.result(full=True)
        assert [profile.ids[j] for j in run.selected] == ["w"]
        assert (run.rhos, run.paid_all) == ([Fraction(8)], [2])
        assert _interval_end_is(engine.rounds[0].hi, 16.0, mode), engine.rounds[0].hi
