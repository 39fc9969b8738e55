"""Checking many ``add1`` shares at once: does MES buy the same projects at each of them?

``add1`` reruns MES with every share one unit larger until the outcome is exhaustive or
overspends, so it needs the outcome at every share ``b, b + 1, b + 2, …``, but the outcome
changes at only a few of them (on the Zurich files, 5 times in 102 steps). Given the rounds of an
exact run (the projects bought, in order), :func:`same_rounds` replays those rounds in floating
point at a batch of larger shares side by side (one numpy column per share) and checks at each
share, round by round, that

* the project bought is affordable, with a margin;
* every other remaining project ``q`` cannot beat it: at the winner's price ``T`` (an upper
  bound of its ``rho``), ``q``'s supporters raise less than ``q`` costs,
  ``sum_i m_i * min(value_i, T * u_i) < cost_q`` with a margin, so either ``q`` is unaffordable
  or its ``rho`` is above ``T`` (strictly: no tie-break needed);
* after the last round, no remaining project is affordable, with a margin.

A share that passes every check is certain to give exactly those rounds; the margins are the
engine's (:data:`rules.pb.mes_engine.REL`, ``1e-9`` relative, against float errors below
``1e-13``). Anything closer is not certified and the caller runs the exact engine there. The
check only ever skips shares, so the outcome of the one-unit-at-a-time procedure is unchanged.
It is used for profiles small enough for the engine's dense projects x groups matrix, where a
batch of 32 shares costs about as much as one exact rerun.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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


def same_rounds(engine: Engine, selected: list[int], shares: list[float]) -> int:
    """How many of the increasing ``shares``, counted from the first, certainly give a run that
    buys exactly ``selected`` in that order (free projects aside) and then nothing else."""
    dense = engine.dense
    assert dense is not None, "batch checks need the engine's dense matrix"
    rel = mes_engine.REL
    alive = len(shares)
    y = np.asarray(shares, dtype=np.float64)
    values = np.empty((engine.groups, alive))
    values[:] = y
    value_err = mes_engine._VALUE_ERR * (y + 1.0)
    # Projects still in the race keep their cost; the others get an infinite one, so every
    # check below runs over all projects at once and never picks them.
    cost_left = np.full(len(engine.cost_arr), np.inf)
    cost_left[engine.prep.candidates] = engine.cost_arr[engine.prep.candidates]
    cost_col, total_col = cost_left[:, None], engine.total_arr[:, None]
    count_col = engine.count_arr[:, None]
    for w in selected:
        cost_left[w] = np.inf
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
        denom: Array = total
        rho: Array = cost / total
        while count:
            denom = total - mu @ capped
            if not (denom > 0).all():
                return 0  # every voter pays all they have: too close to call
            rho = (cost - m @ (vs * capped)) / denom
            grown = ratios < rho
            more = np.count_nonzero(grown)
            if more == count:
                break
            capped, count = grown, more
        price = rho + slack / denom + rel * rho
        # Other projects: certainly unaffordable, or certainly dearer than the winner.
        money_q = dense @ values
        bar = cost_col * (1 - rel) - rel * money_q - count_col * value_err
        could = (money_q >= bar) & (price * total_col >= bar)
        rows = np.flatnonzero(could.any(axis=1))
        if len(rows):
            behind = _behind(engine, w)
            at_bound = None
            for q in rows.tolist():
                near = could[q]
                if behind[q]:
                    # Where nobody certainly pays all they have, the winner's rho is exactly its
                    # lower bound cost / total utility, which q's own lower bound beats. This
                    # settles the exact ties that approval ballots with cost utility make all
                    # the time (rho = 1 / supporters for both projects).
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
        cut = _leading(ok, alive)
        if cut == 0:
            return 0
        if cut < alive:
            alive, values, value_err = cut, values[:, :cut], value_err[:cut]
            vs, capped = vs[:, :cut], capped[:, :cut]
            rho = rho[:cut] if isinstance(rho, np.ndarray) else rho
        paid = vs - rho * u[:, None]
        paid[capped] = 0.0
        np.maximum(paid, 0.0, out=paid)
        values[sup] = paid
    money_q = dense @ values
    bar = cost_col * (1 - rel) - rel * money_q - count_col * value_err
    return _leading((money_q < bar).all(axis=0), alive)
