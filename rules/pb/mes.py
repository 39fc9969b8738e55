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

Speed. Identical ballots are counted once with a multiplicity. A run is done by
:mod:`rules.pb.mes_engine`: candidates are screened in floating point with numpy and every
decision (each winner's rho, who pays in full, affordability) is then taken with exact rationals,
near-ties included. Projects are examined in increasing order of a lower bound on their ``rho``
(shares only go down) and a round stops as soon as no remaining project can beat the best one.

For ``add1`` every remaining share is tracked as an affine function of the starting share ``b``
(exact while the rounds keep the same structure). Each run therefore also proves an interval
``[b, b_hi)`` on which the same projects win, in the same order; the shares ``b + 1, b + 2, …``
inside that interval give the same outcome, so they are skipped without changing the result of
the one-unit-at-a-time procedure (a pure speed-up: the exact add1 stopping rule is kept).
Small profiles (at most 30,000 projects x groups) go further (:mod:`rules.pb.mes_batch`): the
outcome changes at only a few shares (on the Zurich files, 5 times in 102 steps), so after one
exact run the following shares are replayed side by side in floating point with the same
winners and certified round by round with margins; where a share buys something else, its run
is finished in floats from the first round that differs and certified the same way (or run
exactly if anything is too close to call). Only the first share and the stopping share are run
exactly (on the shared files: 2 exact runs instead of 19-50).
"""

from __future__ import annotations

import importlib
import math
import os
from dataclasses import dataclass
from fractions import Fraction
from itertools import chain
from typing import Any, cast

import numpy as np

from .greedy import greedy_fill
from .mes_batch import finish_run, same_rounds
from .mes_engine import Engine, _Run
from .model import Election, PBError
from .outcome import GroupShare, MESExplanation, MESStep, Outcome
from .profile import Profile, build_profile

COMPLETIONS = ("none", "add1", "add1-greedy")
_BATCH_VALUES = 10_000
"""Shares x groups checked at once by :func:`rules.pb.mes_batch.same_rounds` (a batch costs about
the same whatever its width until its arrays outgrow the caches; measured on the shared files)."""
_BATCH_CELLS = 30_000
"""Largest projects x groups for which add1 checks shares in batches (beyond it a batch costs
more than the exact reruns it saves: measured on the shared files)."""
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
    supporters: list[Any]
    """Per project, the groups that support it (numpy index arrays, in group order)."""
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


def _prepare(profile: Profile, q: type[Fraction] | None = None) -> _Prepared:
    q = q or RATIONAL
    n = len(profile.ids)
    groups = profile.groups
    mult = [group.size for group in groups]
    # Supporters of each project, in group order, from one flat array (fast for 200,000 groups).
    lengths = np.fromiter((len(g.projects) for g in groups), dtype=np.int64, count=len(groups))
    flat = np.fromiter(
        chain.from_iterable(g.projects for g in groups), dtype=np.int64, count=int(lengths.sum())
    )
    owner = np.repeat(np.arange(len(groups), dtype=np.int64), lengths)
    order = np.argsort(flat, kind="stable")
    edges = np.searchsorted(flat[order], np.arange(n + 1))
    owners = owner[order]
    supporters: list[Any] = [owners[edges[j] : edges[j + 1]] for j in range(n)]
    counts = np.bincount(
        flat, weights=np.repeat(np.asarray(mult, dtype=np.float64), lengths), minlength=n
    )
    count = [int(c) for c in counts]
    support_u: list[list[int] | None] = []
    u_values: list[list[Fraction]] = []
    if all(g.utilities is None for g in groups):  # each utility is the project's cost
        for j in range(n):
            support_u.append(None)
            u_values.append([q(profile.costs[j])] if len(supporters[j]) else [])
    else:
        utilities: list[list[Fraction]] = [[] for _ in range(n)]
        for group in groups:
            us = group.utilities
            for k, j in enumerate(group.projects):
                utilities[j].append(profile.costs[j] if us is None else us[k])
        for j in range(n):
            values = utilities[j]
            distinct_values = sorted(set(values))
            if len(distinct_values) <= 1:
                support_u.append(None)
                u_values.append([q(v) for v in distinct_values])
            else:
                position = {u: i for i, u in enumerate(distinct_values)}
                support_u.append([position[u] for u in values])
                u_values.append([q(u) for u in distinct_values])
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


def _run(prep: _Prepared, b0: Fraction, track: bool) -> _Run:
    """One MES run with every voter's share ``b0``; with ``track`` also compute ``hi``."""
    engine = Engine(prep, track)
    engine.start(b0)
    return engine.result(full=True)


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
        run = _Run(_ZERO, [], None)
        runs = 0
        increments = 0
    elif completion == "none":
        run = _run(prep, initial_share, track=False)
        runs, increments = 1, 0
    else:
        run, runs, increments = _add1(prep, initial_share)
    chosen = prep.free + run.selected
    spent = sum((costs[j] for j in chosen), _ZERO)
    exhaustive = _is_exhaustive(prep, chosen, _spent(prep, chosen))
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


def _spent(prep: _Prepared, chosen: list[int]) -> Fraction:
    """What the chosen projects cost, in the fast rational type (checked after every add1 run)."""
    return sum((prep.costs[j] for j in chosen), prep.q(0))


def _is_exhaustive(prep: _Prepared, chosen: list[int], spent: Fraction) -> bool:
    """No unchosen supported project fits in what ``spent`` (from :func:`_spent`) leaves."""
    taken = set(chosen)
    left = prep.q(prep.profile.budget) - spent
    return all(j in taken or prep.costs[j] > left for j in prep.candidates)


def _add1(prep: _Prepared, initial_share: Fraction) -> tuple[_Run, int, int]:
    """pabutools' ``voter_budget_increment=1``, skipping shares proven to give the same outcome."""
    if len(prep.costs) * len(prep.mult) <= _BATCH_CELLS:
        return _add1_in_batches(prep, initial_share)
    budget = prep.q(prep.profile.budget)
    k = 0
    runs = 0
    engine = Engine(prep, track=True)
    run = engine.start(initial_share)
    while True:
        runs += 1
        chosen = prep.free + run.selected
        spent = _spent(prep, chosen)
        if spent > budget:
            if k == 0:  # pragma: no cover - the first run never overspends
                raise AssertionError("MES overspent with equal shares")
            # add1 stops at the previous share (its outcome may have been proven for a smaller
            # share): one more run there gives the prices and remaining shares.
            runs += 1
            return _run(prep, initial_share + k - 1, track=False), runs, k - 1
        if _is_exhaustive(prep, chosen, spent):
            return engine.result(full=True), runs, k
        if run.hi is None:  # pragma: no cover - impossible: large shares buy every candidate
            raise AssertionError("add1 cannot make progress")
        k = max(k + 1, math.ceil(Fraction(run.hi) - initial_share))
        run = engine.resume(initial_share + k)


def _batch_width(groups: int) -> int:
    """Shares per batch: a power of two near ``_BATCH_VALUES / groups``, from 8 to 64."""
    return min(64, max(8, 1 << max(0, (_BATCH_VALUES // max(groups, 1)).bit_length() - 1)))


def _add1_in_batches(prep: _Prepared, initial_share: Fraction) -> tuple[_Run, int, int]:
    """add1 on a small profile: one exact run at the first share; the following shares are
    checked in batches in floating point (:func:`rules.pb.mes_batch.same_rounds`); where the
    projects bought change, the new run is finished in floats from the first round that differs
    (:func:`rules.pb.mes_batch.finish_run`), or exactly when that is too close to call. The
    stopping share is then run exactly (its prices and remaining shares explain the result)."""
    budget = prep.q(prep.profile.budget)
    engine = Engine(prep, track=False)
    run: _Run | None = engine.start(initial_share)
    assert run is not None
    bought, runs, k = run.selected, 1, 0
    batch = _batch_width(len(prep.mult))
    share = float(initial_share)
    while True:
        chosen = prep.free + bought
        spent = _spent(prep, chosen)
        if spent > budget:
            if k == 0:  # pragma: no cover - the first run never overspends
                raise AssertionError("MES overspent with equal shares")
            return _run(prep, initial_share + k - 1, track=False), runs + 1, k - 1
        if _is_exhaustive(prep, chosen, spent):
            if run is None:
                run = engine.start(initial_share + k)
                runs += 1
                if run.selected != bought:  # pragma: no cover - the float checks rule this out
                    raise AssertionError("a certified share gave another outcome exactly")
            return engine.result(full=True), runs, k
        checked = same_rounds(engine, bought, (share + k + 1 + np.arange(batch)).tolist())
        k += checked.same
        if checked.changed is None:  # every share of the batch buys the same
            continue
        k += 1  # the first share that buys something else (or is too close to call)
        r, values = checked.changed
        found = finish_run(engine, bought[:r], values, share + k)
        if found is None:
            run = engine.start(initial_share + k)
            runs += 1
            bought = run.selected
        else:
            run, bought = None, found


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
    ids = profile.ids
    shares = run.remaining_shares()
    for g, group in enumerate(profile.groups):
        remaining = shares[run.group_state[g]] if run.group_state else run.share
        groups.append(
            GroupShare(tuple(map(ids.__getitem__, group.projects)), group.voter_ids, remaining)
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
