"""The Method of Equal Shares (MES), exact, with the ``add1`` completion.

Definitions follow pabutools 1.2.3 (``method_of_equal_shares``) and equalshares.net:

* every voter gets an equal share ``b`` of the budget (``budget / number of voters``);
* a project ``p`` with cost ``c`` is *affordable at* ``rho`` if its supporters can pay
  ``sum(min(remaining_i, rho * u_i(p))) = c``; each round buys the project with the smallest such
  ``rho`` (ties by the tie-breaking order) and charges each supporter ``min(remaining_i, rho *
  u_i(p))``; the rule stops when no project is affordable;
* projects with no supporter are never bought; supported projects that cost nothing are bought
  first (pabutools does the same);
* ``add1``: if the outcome is not exhaustive (some unbought project with a supporter still fits in
  the budget), rerun with every share raised by one currency unit, until the outcome is exhaustive
  (return it) or overspends the budget (return the previous outcome).

Speed. Identical ballots are counted once with a multiplicity. Voters' remaining shares are
interned as *states* (voters who paid for the same things keep the same state), so evaluating a
project costs one dictionary update per supporting group plus exact arithmetic per distinct state.
Projects are examined in increasing order of their previous ``rho`` (a lower bound, since shares
only go down) and the round stops as soon as no remaining project can beat the best one.

For ``add1`` every remaining share is tracked as an affine function of the starting share ``b``
(exact while the rounds keep the same structure). Each run therefore also proves an interval
``[b, b_hi)`` on which the same projects win, in the same order; the shares ``b + 1, b + 2, …``
inside that interval give the same outcome, so they are skipped without changing the result of
the one-unit-at-a-time procedure (a pure speed-up: the exact add1 stopping rule is kept).
"""

from __future__ import annotations

import importlib
import math
import os
from dataclasses import dataclass
from fractions import Fraction
from typing import cast

from .greedy import greedy_fill
from .model import Election, PBError
from .outcome import GroupShare, MESExplanation, MESStep, Outcome
from .profile import Profile, build_profile

COMPLETIONS = ("none", "add1", "add1-greedy")
_ZERO = Fraction(0)


def _rational_type() -> type[Fraction]:
    """``gmpy2.mpq`` when installed (same exact rationals, about 8x faster), else ``Fraction``.

    Set ``WELLBEING_PB_PURE=1`` to force ``fractions.Fraction``. Results are always returned as
    ``Fraction``.
    """
    if os.environ.get("WELLBEING_PB_PURE"):
        return Fraction
    try:
        module = importlib.import_module("gmpy2")
    except ImportError:
        return Fraction
    return cast(type[Fraction], module.mpq)


RATIONAL = _rational_type()


def _fraction(value: Fraction) -> Fraction:
    return Fraction(int(value.numerator), int(value.denominator))


@dataclass
class _Prepared:
    profile: Profile
    mult: list[int]
    supporters: list[list[int]]
    support_u: list[list[int] | None]
    """Per project and supporter, the index of the utility value (``None``: all supporters equal)."""
    u_values: list[list[Fraction]]
    candidates: list[int]
    free: list[int]
    initial_rho: list[Fraction]
    costs: list[Fraction]
    total: list[Fraction]
    count: list[int]
    """Per project, the number of voters with a positive utility for it."""
    q: type[Fraction]
    """The exact rational type used inside runs (see :data:`RATIONAL`)."""


@dataclass
class _Run:
    share: Fraction
    selected: list[int]
    rhos: list[Fraction]
    paid_all: list[int]
    hi: Fraction | None
    group_state: list[int]
    state_value: list[Fraction]


def _prepare(profile: Profile, q: type[Fraction] | None = None) -> _Prepared:
    q = q or RATIONAL
    n = len(profile.ids)
    supporters: list[list[int]] = [[] for _ in range(n)]
    utilities: list[list[Fraction]] = [[] for _ in range(n)]
    mult = [group.size for group in profile.groups]
    for g, group in enumerate(profile.groups):
        for j, u in group.items:
            supporters[j].append(g)
            utilities[j].append(u)
    support_u: list[list[int] | None] = []
    u_values: list[list[Fraction]] = []
    for j in range(n):
        values = utilities[j]
        same = not values or all(u is values[0] for u in values) or len(set(values)) == 1
        if not values:
            distinct = []
        elif same:
            distinct = [q(values[0])]
        else:
            distinct = [q(u) for u in sorted(set(values))]
        u_values.append(distinct)
        if same:
            support_u.append(None)
        else:
            position = {u: i for i, u in enumerate(sorted(set(utilities[j])))}
            support_u.append([position[u] for u in utilities[j]])
    candidates, free = [], []
    costs = [q(c) for c in profile.costs]
    totals = [q(t) for t in profile.total_utility]
    initial_rho = [q(0)] * n
    for j in range(n):
        if totals[j] > 0:
            if costs[j] > 0:
                candidates.append(j)
                initial_rho[j] = costs[j] / totals[j]
            else:
                free.append(j)
    free.sort(key=lambda j: profile.tie_order[j])
    count = [sum(mult[g] for g in supporters[j]) for j in range(n)]
    return _Prepared(
        profile,
        mult,
        supporters,
        support_u,
        u_values,
        candidates,
        free,
        initial_rho,
        costs,
        totals,
        count,
        q,
    )


def _bound(b0: Fraction, v0: Fraction, slope: Fraction, strict: bool) -> Fraction | None:
    """Largest ``b_hi`` with ``v0 + slope * (b - b0)`` > 0 (or >= 0) for all b in (b0, b_hi)."""
    if v0 > 0:
        return None if slope >= 0 else b0 + v0 / -slope
    if v0 == 0 and (slope > 0 or (slope == 0 and not strict)):
        return None
    return b0


@dataclass
class _Round:
    """One round of a run: the project bought (-1: none was affordable, the run ended)."""

    project: int
    rho: Fraction
    paid_all: int
    hi: Fraction | None
    old_states: list[int]
    remaining: frozenset[int]
    low: dict[int, Fraction]
    low_b: dict[int, Fraction]
    n_states: int
    share: Fraction
    """The share at which this round was computed (``low`` holds values at that share)."""


class _Engine:
    """MES runs for one profile; with ``track``, a run can resume at a larger share.

    Round ``t`` of a run at share ``b`` is valid (same project bought, same voters paying in
    full) for every share in ``[b, rounds[t].hi)`` provided the earlier rounds are; a rerun at a
    larger share therefore restarts from the first round whose interval it leaves.
    """

    def __init__(self, prep: _Prepared, track: bool) -> None:
        self.prep = prep
        self.track = track
        self.b0 = _ZERO
        self.share = _ZERO
        self.value: list[Fraction] = []
        self.s_a: list[Fraction] = []
        self.s_b: list[Fraction] = []
        self.group_state: list[int] = []
        self.rounds: list[_Round] = []

    def start(self, b0: Fraction) -> _Run:
        # State 0: untouched share (= b); state 1: nothing left. Values are affine: a + s * b.
        self.share = b0
        q = self.prep.q
        b0 = self.b0 = q(b0)
        zero = q(0)
        self.value = [b0, zero]
        self.s_a = [zero, zero]
        self.s_b = [q(1), zero]
        self.group_state = [0] * len(self.prep.mult)
        self.rounds = []
        remaining = set(self.prep.candidates)
        low = {j: self.prep.initial_rho[j] for j in remaining}
        self._loop(remaining, low, dict.fromkeys(remaining, zero))
        return self.result()

    def resume(self, b1: Fraction) -> _Run:
        """Rerun at share ``b1`` > the current one, reusing the rounds still valid at ``b1``."""
        self.share = b1
        b1 = self.prep.q(b1)
        assert self.track and b1 > self.b0
        start = next(
            (t for t, r in enumerate(self.rounds) if r.hi is not None and r.hi <= b1), None
        )
        if start is None:  # every round is still valid: same outcome
            start = len(self.rounds) - 1
        group_state = self.group_state
        supporters = self.prep.supporters
        for r in reversed(self.rounds[start:]):
            if r.project >= 0:
                for g, old in zip(supporters[r.project], r.old_states, strict=True):
                    group_state[g] = old
        first = self.rounds[start]
        del self.rounds[start:]
        del self.value[first.n_states :], self.s_a[first.n_states :], self.s_b[first.n_states :]
        self.value = [a + s * b1 for a, s in zip(self.s_a, self.s_b, strict=True)]
        delta = b1 - first.share
        self.b0 = b1
        low = {j: v + first.low_b[j] * delta for j, v in first.low.items()}
        self._loop(set(first.remaining), low, dict(first.low_b))
        return self.result()

    def result(self) -> _Run:
        bought = [r for r in self.rounds if r.project >= 0]
        his = [r.hi for r in self.rounds if r.hi is not None]
        return _Run(
            self.share,
            [r.project for r in bought],
            [r.rho for r in bought],
            [r.paid_all for r in bought],
            _fraction(min(his)) if his else None,
            list(self.group_state),
            list(self.value),
        )

    def _loop(
        self, remaining: set[int], low: dict[int, Fraction], low_b: dict[int, Fraction]
    ) -> None:
        prep, track, b0 = self.prep, self.track, self.b0
        profile = prep.profile
        costs, tie_order, total, count = prep.costs, profile.tie_order, prep.total, prep.count
        zero = prep.q(0)
        mult, supporters, support_u, u_values = (
            prep.mult,
            prep.supporters,
            prep.support_u,
            prep.u_values,
        )
        value, s_a, s_b, group_state = self.value, self.s_a, self.s_b, self.group_state
        hi: Fraction | None = None

        def tighten(candidate: Fraction | None) -> None:
            nonlocal hi
            if candidate is not None and (hi is None or candidate < hi):
                hi = candidate

        while True:
            hi = None
            if track:
                snapshot = (frozenset(remaining), dict(low), dict(low_b), len(value), b0)
            best: Fraction | None = None
            tied: list[int] = []
            evaluated: dict[int, tuple[list[tuple[int, int, int]], int, Fraction]] = {}
            for j in sorted(remaining, key=low.__getitem__):
                if best is not None and low[j] > best:
                    break
                buckets: dict[int, int] = {}
                get = buckets.get
                sup_u = support_u[j]
                if sup_u is None:
                    for g in supporters[j]:
                        s = group_state[g]
                        buckets[s] = get(s, 0) + mult[g]
                    width = 1
                else:
                    width = len(u_values[j])
                    for g, ui in zip(supporters[j], sup_u, strict=True):
                        key = group_state[g] * width + ui
                        buckets[key] = get(key, 0) + mult[g]
                uvals = u_values[j]
                cost = costs[j]
                contrib = zero
                stop = -1
                if width == 1:  # every supporter has the same utility: compare money directly
                    items = [
                        (s, 0, m) for s, m in sorted(buckets.items(), key=lambda it: value[it[0]])
                    ]
                    left = count[j]
                    for idx, (s, _ui, m) in enumerate(items):
                        r = value[s]
                        if cost - contrib <= r * left:
                            stop = idx
                            break
                        contrib += m * r
                        left -= m
                    denom = uvals[0] * left
                else:
                    items = sorted(
                        ((key // width, key % width, m) for key, m in buckets.items()),
                        key=lambda it: value[it[0]] / uvals[it[1]],
                    )
                    denom = total[j]
                    for idx, (s, ui, m) in enumerate(items):
                        u = uvals[ui]
                        if (cost - contrib) * u <= value[s] * denom:
                            stop = idx
                            break
                        contrib += m * value[s]
                        denom -= m * u
                if stop < 0:  # the supporters' remaining shares cannot pay for it
                    remaining.discard(j)
                    if track:
                        slope = sum((m * s_b[s] for s, _ui, m in items), zero)
                        tighten(_bound(b0, cost - contrib, -slope, True))
                    continue
                rho = (cost - contrib) / denom
                low[j] = rho
                if track:
                    capped_slope = sum((m * s_b[s] for s, _ui, m in items[:stop] if s != 1), zero)
                    low_b[j] = -capped_slope / denom
                evaluated[j] = (items, stop, rho)
                if best is None or rho < best:
                    best, tied = rho, [j]
                elif rho == best:
                    tied.append(j)
            if best is None:
                if track:
                    self.rounds.append(_Round(-1, zero, 0, hi, [], *snapshot))
                else:
                    self.rounds.append(_Round(-1, zero, 0, None, [], frozenset(), {}, {}, 0, b0))
                return
            p = min(tied, key=tie_order.__getitem__)
            items, stop, rho = evaluated[p]
            uvals = u_values[p]
            rho_b = low_b[p]
            if track:
                rho_a = rho - rho_b * b0
                for idx, (s, ui, _m) in enumerate(items):
                    u = uvals[ui]
                    v0 = value[s] - u * rho
                    slope = s_b[s] - u * rho_b
                    if idx < stop:
                        tighten(_bound(b0, -v0, -slope, True))
                    else:
                        tighten(_bound(b0, v0, slope, False))
                for q in remaining:
                    if q != p:
                        strict = tie_order[q] < tie_order[p]
                        tighten(_bound(b0, low[q] - rho, low_b[q] - rho_b, strict))
            width = len(uvals) if support_u[p] is not None else 1
            transition: dict[int, int] = {}
            capped = 0
            for idx, (s, ui, m) in enumerate(items):
                key = s * width + ui
                if idx < stop:
                    transition[key] = 1
                    capped += m
                else:
                    u = uvals[ui]
                    transition[key] = len(value)
                    value.append(value[s] - u * rho)
                    if track:
                        s_a.append(s_a[s] - u * rho_a)
                        s_b.append(s_b[s] - u * rho_b)
                    else:
                        s_a.append(zero)
                        s_b.append(zero)
            sup_u = support_u[p]
            old_states = [group_state[g] for g in supporters[p]] if track else []
            if sup_u is None:
                for g in supporters[p]:
                    group_state[g] = transition[group_state[g]]
            else:
                for g, ui in zip(supporters[p], sup_u, strict=True):
                    group_state[g] = transition[group_state[g] * width + ui]
            remaining.discard(p)
            if track:
                self.rounds.append(_Round(p, rho, capped, hi, old_states, *snapshot))
            else:
                self.rounds.append(_Round(p, rho, capped, None, [], frozenset(), {}, {}, 0, b0))


def _run(prep: _Prepared, b0: Fraction, track: bool) -> _Run:
    """One MES run with every voter's share ``b0``; with ``track`` also compute ``hi``."""
    return _Engine(prep, track).start(b0)


def equal_shares(
    election: Election,
    utility: str = "cost",
    completion: str = "add1",
    tie_break: str = "id",
) -> Outcome:
    """Method of Equal Shares; ``completion`` is ``none``, ``add1`` or ``add1-greedy``.

    ``add1-greedy`` fills what ``add1`` leaves with the utilitarian greedy rule (same utility).
    """
    if completion not in COMPLETIONS:
        raise PBError(f"unknown completion {completion!r} (choose one of {', '.join(COMPLETIONS)})")
    profile = build_profile(election, utility, tie_break)
    prep = _prepare(profile)
    costs = profile.costs
    budget = profile.budget
    n = profile.num_voters
    initial_share = budget / n if n else _ZERO
    if n == 0:
        run = _Run(_ZERO, [], [], [], None, [], [_ZERO, _ZERO])
        runs = 0
        increments = 0
    elif completion == "none":
        run = _run(prep, initial_share, track=False)
        runs, increments = 1, 0
    else:
        run, runs, increments = _add1(prep, initial_share)
    chosen = prep.free + run.selected
    spent = sum((costs[j] for j in chosen), _ZERO)
    exhaustive = _is_exhaustive(prep, chosen, spent)
    explanation = _explain(
        prep, run, utility, completion, initial_share, increments, runs, exhaustive
    )
    selected = [profile.ids[j] for j in chosen]
    if completion == "add1-greedy":
        fill = greedy_fill(election, utility, tie_break, selected)
        selected += [step.project_id for step in fill.steps if step.decision == "selected"]
        spent = sum((election.projects[pid].cost for pid in selected), _ZERO)
        explanation = _with_fill(explanation, fill)
    return Outcome(
        rule="mes",
        utility=utility,
        completion=completion,
        tie_break=tie_break,
        selected=tuple(selected),
        total_cost=spent,
        budget=budget,
        explanation=explanation,
    )


def _with_fill(explanation: MESExplanation, fill: object) -> MESExplanation:
    from dataclasses import replace

    from .outcome import GreedyExplanation

    assert isinstance(fill, GreedyExplanation)
    return replace(explanation, greedy_fill=fill)


def _is_exhaustive(prep: _Prepared, chosen: list[int], spent: Fraction) -> bool:
    taken = set(chosen)
    budget = prep.profile.budget
    costs = prep.profile.costs
    return all(j in taken or costs[j] + spent > budget for j in prep.candidates)


def _add1(prep: _Prepared, initial_share: Fraction) -> tuple[_Run, int, int]:
    """pabutools' ``voter_budget_increment=1``, skipping shares proven to give the same outcome."""
    costs = prep.profile.costs
    budget = prep.profile.budget
    free_cost = sum((costs[j] for j in prep.free), _ZERO)
    k = 0
    runs = 0
    previous: _Run | None = None
    engine = _Engine(prep, track=True)
    run = engine.start(initial_share)
    while True:
        runs += 1
        spent = free_cost + sum((costs[j] for j in run.selected), _ZERO)
        if spent > budget:
            if previous is None:  # pragma: no cover - the first run never overspends
                raise AssertionError("MES overspent with equal shares")
            if previous.share != initial_share + k - 1:
                # Same outcome as ``previous``; recompute it at the share add1 stopped at.
                previous = _run(prep, initial_share + k - 1, track=False)
                runs += 1
            return previous, runs, k - 1
        if _is_exhaustive(prep, prep.free + run.selected, spent):
            return run, runs, k
        if run.hi is None:  # pragma: no cover - impossible: large shares buy every candidate
            raise AssertionError("add1 cannot make progress")
        previous = run
        k = max(k + 1, math.ceil(run.hi - initial_share))
        run = engine.resume(initial_share + k)


def _explain(
    prep: _Prepared,
    run: _Run,
    utility: str,
    completion: str,
    initial_share: Fraction,
    increments: int,
    runs: int,
    exhaustive: bool,
) -> MESExplanation:
    profile = prep.profile
    steps = []
    for j, rho, paid_all in zip(run.selected, run.rhos, run.paid_all, strict=True):
        uvals = prep.u_values[j]
        price = _fraction(rho * uvals[0]) if len(uvals) == 1 else None
        voters = prep.count[j]
        steps.append(
            MESStep(profile.ids[j], profile.costs[j], _fraction(rho), price, voters, paid_all)
        )
    groups = []
    converted: dict[int, Fraction] = {}
    for g, group in enumerate(profile.groups):
        if run.group_state:
            state = run.group_state[g]
            if state not in converted:
                converted[state] = _fraction(run.state_value[state])
            remaining = converted[state]
        else:
            remaining = run.share
        groups.append(
            GroupShare(tuple(profile.ids[j] for j, _u in group.items), group.voter_ids, remaining)
        )
    return MESExplanation(
        utility=utility,
        completion=completion,
        initial_share=initial_share,
        share=run.share,
        increments=increments,
        runs=runs,
        free_projects=tuple(profile.ids[j] for j in prep.free),
        steps=tuple(steps),
        groups=tuple(groups),
        exhaustive=exhaustive,
    )
