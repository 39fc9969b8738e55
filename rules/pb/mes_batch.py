"""Checking many ``add1`` shares at once, in floating point, with certified margins.

``add1`` reruns MES with every share one unit larger until the outcome is exhaustive or
overspends, so it needs the outcome at every share ``b, b + 1, b + 2, …``; but the outcome
changes at only a few of them (on the Zurich files, 5 times in 102 steps). Given the projects an
exact run bought, in order, :func:`same_rounds` replays those rounds at a batch of larger shares
side by side (one numpy column per share) and checks at each share, round by round, that

* the project bought is affordable, with a margin;
* every other remaining project ``q`` cannot beat it: at the winner's price ``T`` (an upper
  bound of its ``rho``) ``q``'s supporters raise less than ``q`` costs,
  ``sum_i m_i * min(value_i, T * u_i) < cost_q`` with a margin, so ``q`` is unaffordable or its
  ``rho`` is above ``T`` (strictly: no tie-break needed); or, for the exact ties of untouched
  projects, ``q``'s exact lower bound ``cost / total utility`` is larger than the winner's rho
  (or equal and later in the tie-breaking order);
* after the last round, no remaining project is affordable, with a margin.

A share that passes every check certainly gives exactly those rounds; the margins are the
engine's (:data:`rules.pb.mes_engine.REL`, ``1e-9`` relative, against float errors below
``1e-13``). At the first share that does not pass, :func:`finish_run` goes on from the round
that failed: each round takes the project with the smallest float rho and certifies it the same
way, so that share's outcome is known without exact arithmetic too; anything closer than the
margins returns ``None`` and the caller runs the exact engine. Used for profiles small enough
for the engine's dense projects x groups matrix, where a batch costs about half an exact run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from . import mes_engine

if TYPE_CHECKING:
    from .mes_engine import Engine

Array = Any


def _leading(ok: Array, alive: int) -> int:
    """The number of leading ``True`` values in ``ok`` (of length ``alive``)."""
    return alive if ok.all() else int(np.argmin(ok))


def _behind(engine: Engine, w: int) -> Array:
    """Projects whose rho can never beat ``w``'s lower bound ``cost / total utility``: their own
    bound is larger, or equal and later in the tie-breaking order (exact comparisons)."""
    found = engine.behind.get(w)
    if found is None:
        bound = engine.prep.initial_rho
        tie = engine.prep.profile.tie_order
        found = engine.behind[w] = np.asarray(
            [
                bound[q] > bound[w] or (bound[q] == bound[w] and tie[q] > tie[w])
                for q in range(len(bound))
            ]
        )
    return found


class _Round(NamedTuple):
    ok: Array
    """Per share: the round is certain."""
    rho: Array | float
    capped: Array
    vs: Array


def _check_round(
    engine: Engine, w: int, values: Array, cost_left: Array, value_err: Array
) -> _Round:
    """Round with winner ``w`` at every share (column of ``values``): which shares it is certain
    at (``w`` affordable, no other project in ``cost_left`` able to beat it), with ``w``'s price
    and who pays all they have."""
    rel = mes_engine.REL
    sup, m, u, mu = engine.sup[w], engine.sup_m[w], engine.sup_u[w], engine.sup_mu[w]
    cost, total = engine.cost_f[w], engine.total_f[w]
    vs = values[sup]
    money = m @ vs
    slack = rel * (cost + money) + engine.count_f[w] * value_err
    ok = money > cost + slack
    # rho by fixed-point iteration on who pays all they have (as Engine._screen, per share)
    ratios = vs / u[:, None]
    capped = ratios < cost / total
    count = np.count_nonzero(capped)
    denom: Array | float = total
    rho: Array | float = cost / total
    while count:
        denom = total - mu @ capped
        if not (denom > 0).all():  # every voter pays all they have: too close to call
            return _Round(np.zeros(values.shape[1], dtype=bool), rho, capped, vs)
        rho = (cost - m @ (vs * capped)) / denom
        grown = ratios < rho
        more = np.count_nonzero(grown)
        if more == count:
            break
        capped, count = grown, more
    price = rho + slack / denom + rel * rho
    # Other projects: certainly unaffordable, or certainly dearer than the winner.
    money_q, bar = _money_and_bar(engine, values, cost_left, value_err)
    could = (money_q >= bar) & (price * engine.total_arr[:, None] >= bar)
    rows = np.flatnonzero(could.any(axis=1))
    if len(rows):
        behind = _behind(engine, w)
        at_bound = None
        for q in rows.tolist():
            near = could[q]
            if behind[q]:
                # Where nobody certainly pays all they have, the winner's rho is exactly its
                # lower bound cost / total utility, which q's own lower bound beats. This
                # settles the exact ties that approval ballots with cost utility make all the
                # time (rho = 1 / supporters for both projects).
                if at_bound is None:
                    lowest = ratios.min(axis=0) * (1 - rel) - value_err / engine.u_min[w]
                    at_bound = ~capped.any(axis=0) & (lowest > price)
                near = near & ~at_bound
                if not near.any():
                    continue
            raised = engine.sup_m[q] @ np.minimum(
                values[engine.sup[q]], price * engine.sup_u[q][:, None]
            )
            ok &= ~near | (raised < bar[q])
    return _Round(ok, rho, capped, vs)


def _pay(engine: Engine, w: int, values: Array, found: _Round) -> None:
    """Each supporter of ``w`` pays the price, or all they have."""
    paid = found.vs - found.rho * engine.sup_u[w][:, None]
    paid[found.capped] = 0.0
    np.maximum(paid, 0.0, out=paid)
    values[engine.sup[w]] = paid


def _money_and_bar(
    engine: Engine, values: Array, cost_left: Array, value_err: Array
) -> tuple[Array, Array]:
    """What each project's supporters hold at every share, and the amount below which that is
    certainly less than its cost (the engine's margins and the float error of the values)."""
    money_q = engine.dense @ values
    rel = mes_engine.REL
    bar = cost_left[:, None] * (1 - rel) - rel * money_q - engine.count_arr[:, None] * value_err
    return money_q, bar


def _nothing_affordable(engine: Engine, values: Array, cost_left: Array, value_err: Array) -> Array:
    money_q, bar = _money_and_bar(engine, values, cost_left, value_err)
    return (money_q < bar).all(axis=0)


def _cost_left(engine: Engine, bought: list[int]) -> Array:
    """Costs of the projects still in the race; the others' are infinite, so every check runs
    over all projects at once and never picks them."""
    cost_left = np.full(len(engine.cost_arr), np.inf)
    cost_left[engine.prep.candidates] = engine.cost_arr[engine.prep.candidates]
    cost_left[bought] = np.inf
    return cost_left


class Checked(NamedTuple):
    same: int
    """How many of the shares, from the first, certainly buy the projects given."""
    changed: tuple[int, Array] | None
    """At the first share not certified: the round ``r`` that was not, and the remaining shares
    before it (the rounds before ``r`` are certain there), for :func:`finish_run`."""


def same_rounds(engine: Engine, selected: list[int], shares: list[float]) -> Checked:
    """Which of the increasing ``shares``, counted from the first, certainly give a run that
    buys exactly ``selected`` in that order (free projects aside) and then nothing else."""
    assert engine.dense is not None, "batch checks need the engine's dense matrix"
    alive = len(shares)
    y = np.asarray(shares, dtype=np.float64)
    values = np.empty((engine.groups, alive))
    values[:] = y
    value_err = mes_engine._VALUE_ERR * (y + 1.0)
    cost_left = _cost_left(engine, [])
    changed = None
    for r, w in enumerate(selected):
        cost_left[w] = np.inf
        found = _check_round(engine, w, values, cost_left, value_err)
        cut = _leading(found.ok, alive)
        if cut < alive:
            changed = (r, values[:, cut].copy())
            if cut == 0:
                return Checked(0, changed)
            alive, values, value_err = cut, values[:, :cut], value_err[:cut]
            rho = found.rho[:cut] if isinstance(found.rho, np.ndarray) else found.rho
            found = _Round(found.ok[:cut], rho, found.capped[:, :cut], found.vs[:, :cut])
        _pay(engine, w, values, found)
    done = _nothing_affordable(engine, values, cost_left, value_err)
    cut = _leading(done, alive)
    if cut < alive:
        return Checked(cut, (len(selected), values[:, cut].copy()))
    return Checked(alive, changed)


def finish_run(engine: Engine, bought: list[int], values: Array, share: float) -> list[int] | None:
    """The rest of a run at one share, in floats, from the remaining shares ``values`` after the
    rounds that bought ``bought``: each round buys the project with the smallest float rho and
    is certified as in :func:`same_rounds`. The projects bought in all, or ``None`` where
    anything is too close to call (the caller then runs the exact engine)."""
    column = values.reshape(-1, 1).copy()
    value_err = np.asarray([mes_engine._VALUE_ERR * (share + 1.0)])
    cost_left = _cost_left(engine, bought)
    out = list(bought)
    while True:
        if _nothing_affordable(engine, column, cost_left, value_err)[0]:
            return out
        w = _cheapest(engine, column[:, 0], cost_left)
        if w is None:
            return None
        cost_left[w] = np.inf
        found = _check_round(engine, w, column, cost_left, value_err)
        if not found.ok[0]:
            return None
        _pay(engine, w, column, found)
        out.append(w)


def _cheapest(engine: Engine, values: Array, cost_left: Array) -> int | None:
    """The affordable project with the smallest float rho (ties by the tie-breaking order);
    only a suggestion, which :func:`_check_round` then certifies."""
    money = engine.dense @ values
    best: tuple[float, int] | None = None
    tie = engine.prep.profile.tie_order
    for q in np.flatnonzero(money >= cost_left).tolist():
        vs = values[engine.sup[q]]
        ratios = vs / engine.sup_u[q]
        cost, total = engine.cost_f[q], engine.total_f[q]
        rho = cost / total
        capped = ratios < rho
        count = np.count_nonzero(capped)
        while count:
            denom = total - float(engine.sup_mu[q] @ capped)
            if denom <= 0:
                break
            rho = (cost - float(engine.sup_m[q] @ (vs * capped))) / denom
            capped = ratios < rho
            more = np.count_nonzero(capped)
            if more == count:
                break
            count = more
        if best is None or (rho, tie[q]) < (best[0], tie[best[1]]):
            best = (rho, q)
    return None if best is None else best[1]
