"""One run of the Method of Equal Shares: float screening, exact decisions.

A run at share ``b`` buys, round after round, the project with the smallest ``rho`` (ties by the
tie-breaking order), where ``rho`` solves ``sum_i m_i * min(value_i, rho * u_i) = cost`` over the
project's supporters (``value_i`` their remaining share, ``m_i`` how many identical voters).

Speed without giving up exactness. Every quantity that decides the outcome is exact (rationals):
each bought project's ``rho``, who pays in full, and every remaining share. To find the winner of a
round cheaply, each candidate is first *screened* in floating point with numpy (who pays all they
have is found by fixed-point iteration, which gives the price). Each float carries an error bound; the
float results only rule projects out (a project whose rho is certainly above the best is not the
winner) and suggest where the exact computation should look. The winner, and any project whose
float rho is within the error bound of the best, is then evaluated with exact rationals, and the
float suggestion is checked item by item near the price; if a check fails the project is evaluated
again by the plain exact method (sorting all its supporters exactly). Floats are computed from
exact values with a few hundred roundings at most, so their relative errors are below ``1e-12``;
the screening margin :data:`REL` is ``1e-9``. Tests run the engine with a huge margin, which sends
every decision through the exact path, and check the outcomes do not change.

Remaining shares are *states*: voters who paid for the same projects at the same prices share a
state. State 0 is the untouched share ``b``, state 1 is an empty share; every other state was made
from a parent state by one payment ``u * rho`` in full. A state's value is affine in the share,
``a + s * b``, and is computed exactly on demand from its chain of payments (memoised); exact sums
over many states use per-purchase payment counts instead, so a round costs a few exact operations
per purchase so far plus one per supporter near the price.

Tracking (for the ``add1`` completion): each bought project's ``rho`` is affine in ``b`` while the
same voters pay in full, so a run also proves an interval ``[b, hi)`` of shares with the same
rounds; ``hi`` is computed in floats and rounded *down* (a smaller ``hi`` only costs another run),
with exact arithmetic whenever a float bound is too close to call. The rounds of a run can be
resumed at a larger share from the first round whose interval the new share leaves; once a round's
interval ends before ``b + 1`` (add1's smallest step) later rounds are not tracked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .mes import _Prepared

REL = 1e-9
"""Relative margin of the float screening; anything closer is decided with exact rationals."""
_VALUE_ERR = 1e-11
"""Margin on a float remaining share, relative to the share ``b`` (actual errors are ~1e-13)."""

_INF = math.inf
_DENSE_LIMIT = 400_000
"""Largest projects x groups for which :meth:`Engine._drop_unaffordable` is used."""
Array = Any  # numpy arrays (numpy's own typing is not part of the strict type check)


def _exact_bound(b0: Fraction, v0: Fraction, slope: Fraction, strict: bool) -> Fraction | None:
    """Largest ``b_hi`` with ``v0 + slope * (b - b0)`` > 0 (or >= 0) for all b in (b0, b_hi)."""
    if v0 > 0:
        return None if slope >= 0 else b0 + v0 / -slope
    if v0 == 0 and (slope > 0 or (slope == 0 and not strict)):
        return None
    return b0


def _float_bound(b0: float, v_lo: float, s_lo: float) -> float:
    """A lower bound on :func:`_exact_bound` from a lower bound on ``v0`` (> 0) and on ``slope``."""
    if s_lo >= 0:
        return _INF
    return b0 + v_lo / -s_lo


@dataclass
class _Screen:
    """A project's float evaluation: one item per supporting group, in ``sup[j]`` order."""

    project: int
    states: Array
    ratios: Array
    """Remaining share / utility of each item (the price per unit of utility it can pay)."""
    capped: Array | None
    """Float estimate of who pays all they have (ratio below rho)."""
    rho: float
    err: float
    denom: float
    """Float sum of ``m * u`` over the items that pay the price."""
    money: float
    affordable: bool | None
    """False: certainly unaffordable; None: too close to call in floats."""


@dataclass
class _Exact:
    project: int
    rho: Fraction
    rho_b: Fraction
    capped: Array
    """Exactly who pays all they have: remaining share < u * rho."""
    states: Array


@dataclass
class _Round:
    project: int
    """The project bought (-1: none was affordable; the run ended)."""
    rho: Fraction
    paid_all: int
    hi: float | None
    """End of the interval of shares on which this round is the same (rounded down)."""
    old_states: Array | None
    remaining: frozenset[int]
    low: list[float]
    low_b: list[float]
    n_states: int
    share: Fraction


@dataclass
class _Run:
    """A run's outcome; the details (prices, group states) only when asked for (``full``)."""

    share: Fraction
    selected: list[int]
    hi: float | None
    rhos: list[Fraction] = field(default_factory=list)
    paid_all: list[int] = field(default_factory=list)
    group_state: list[int] = field(default_factory=list)
    chain: _Chain | None = None

    def remaining_shares(self) -> dict[int, Fraction]:
        """Exact remaining share of each state some group is in at the end of the run."""
        if self.chain is None:
            return {}
        return self.chain.values(set(self.group_state), self.share)


class _Chain:
    """States as chains of payments; exact ``(a, s)`` (value ``a + s * b``) computed on demand."""

    def __init__(
        self,
        parent: Array,
        buy: Array,
        ui: Array,
        buys: list[tuple[int, Fraction, Fraction]],
        u_values: list[list[Fraction]],
        q: type[Fraction],
    ) -> None:
        self.parent, self.buy, self.ui, self.buys, self.u_values = parent, buy, ui, buys, u_values
        self.q = q
        self.memo: list[tuple[Fraction, Fraction] | None] = [(q(0), q(1)), (q(0), q(0))]

    def affine(self, t: int) -> tuple[Fraction, Fraction]:
        memo = self.memo
        if len(memo) <= t:
            memo.extend([None] * (t + 1 - len(memo)))
        found = memo[t]
        if found is not None:
            return found
        chain = []
        x = t
        while True:
            got = memo[x]
            if got is not None:
                break
            chain.append(x)
            x = int(self.parent[x])
        a, s = got
        for y in reversed(chain):
            project, rho_a, rho_b = self.buys[int(self.buy[y])]
            u = self.u_values[project][int(self.ui[y])]
            a = a - u * rho_a
            s = s - u * rho_b
            memo[y] = (a, s)
        return a, s

    def values(self, states: set[int], share: Fraction) -> dict[int, Fraction]:
        b = self.q(share)
        out = {}
        for t in sorted(states):
            a, s = self.affine(t)
            v = a + s * b
            out[t] = Fraction(int(v.numerator), int(v.denominator))
        return out


class Engine:
    """MES runs for one profile; with ``track``, a run can resume at a larger share."""

    def __init__(self, prep: _Prepared, track: bool) -> None:
        self.prep = prep
        self.track = track
        self.tracking = track
        """Tracking this round. A tracked run stops tracking after the first round whose interval
        ends before ``share + 1`` (add1 never asks for a smaller step): the next rerun restarts
        there or earlier, so later rounds' intervals and undo data would never be used."""
        self.break_at: int | None = None
        self.gs_at_break: Array | None = None
        q = self.q = prep.q
        profile = prep.profile
        mult = np.asarray(prep.mult, dtype=np.float64)
        n = len(profile.ids)
        self.sup = [np.asarray(s, dtype=np.int64) for s in prep.supporters]
        self.sup_m = [mult[s] for s in self.sup]
        self.width = [
            len(prep.u_values[j]) if prep.support_u[j] is not None else 1 for j in range(n)
        ]
        self.sup_ui = [
            np.asarray(prep.support_u[j], dtype=np.int64)
            if prep.support_u[j] is not None
            else np.zeros(len(prep.supporters[j]), dtype=np.int64)
            for j in range(n)
        ]
        self.u_f = [np.asarray([float(u) for u in prep.u_values[j]]) for j in range(n)]
        self.sup_u = [
            self.u_f[j][self.sup_ui[j]] if n_sup else self.u_f[j]
            for j, n_sup in enumerate(len(x) for x in prep.supporters)
        ]
        self.sup_mu = [self.sup_m[j] * self.sup_u[j] for j in range(n)]
        self.inv_u = [1.0 / self.u_f[j][0] if len(self.u_f[j]) else 0.0 for j in range(n)]
        # Small profiles: a dense projects x groups matrix of multiplicities finds every project
        # the supporters can no longer afford in one product per round (instead of one screen
        # each, which is most of the work in the last round of every run).
        self.dense: Array | None = None
        if n * len(prep.mult) <= _DENSE_LIMIT:
            self.dense = np.zeros((n, len(prep.mult)))
            for j in range(n):
                self.dense[j, self.sup[j]] = self.sup_m[j]
            self.cost_arr = np.asarray([float(c) for c in prep.costs])
            self.count_arr = np.asarray([float(c) for c in prep.count])
        self.u_min = [float(min(prep.u_values[j])) if prep.u_values[j] else 1.0 for j in range(n)]
        self.cost_f = [float(c) for c in prep.costs]
        self.count_f = [float(c) for c in prep.count]
        self.total_f = [float(t) for t in prep.total]
        self.total_arr = np.asarray(self.total_f)
        self.behind: dict[int, Array] = {}
        """Per project, which projects can never beat its lower bound (``rules.pb.mes_batch``)."""
        self.initial_low = [float(r) * (1 - 4 * REL) for r in prep.initial_rho]
        self.groups = len(prep.mult)
        self.max_buys = len(prep.candidates) + 1
        self.wmax = max(self.width, default=1) + 1
        self.path_type = np.int8 if self.wmax < 127 else np.int32
        self.rho_now: list[Fraction] = []
        """Each buy's rho at the current share (``rho_a + rho_b * b``)."""
        self.zero = q(0)
        self.rounds: list[_Round] = []
        self.buys: list[tuple[int, Fraction, Fraction]] = []
        self.share: Fraction = Fraction(0)
        self.b0: Fraction = self.zero
        self.b_f = 0.0
        self._alloc(1024)

    # --- state storage ---------------------------------------------------------------------------

    def _alloc(self, capacity: int) -> None:
        self.parent = np.zeros(capacity, dtype=np.int64)
        self.buy = np.zeros(capacity, dtype=np.int64)
        self.ui = np.zeros(capacity, dtype=np.int64)
        self.a_f = np.zeros(capacity)
        self.s_f = np.zeros(capacity)
        self.value_f = np.zeros(capacity)
        self.s_f[0] = 1.0
        # path[t, r]: 1 + the utility index state t paid with in buy r (0: did not pay in r).
        self.path = np.zeros((capacity, self.max_buys), dtype=self.path_type)
        self.n_states = 2
        self.chain = _Chain(self.parent, self.buy, self.ui, self.buys, self.prep.u_values, self.q)
        self.vcache: dict[int, Fraction] = {}

    def _grow(self, need: int) -> None:
        capacity = len(self.parent)
        if need <= capacity:
            return
        while capacity < need:
            capacity *= 2
        for name in ("parent", "buy", "ui", "a_f", "s_f", "value_f", "path"):
            old = getattr(self, name)
            new = np.zeros((capacity, *old.shape[1:]), dtype=old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)
        self.chain.parent, self.chain.buy, self.chain.ui = self.parent, self.buy, self.ui

    def _value(self, t: int) -> Fraction:
        got = self.vcache.get(t)
        if got is None:
            a, s = self.chain.affine(t)
            got = self.vcache[t] = a + s * self.b0
        return got

    def _slope(self, t: int) -> Fraction:
        return self.chain.affine(t)[1]

    # --- runs ------------------------------------------------------------------------------------

    def start(self, b0: Fraction) -> _Run:
        self.share = b0
        self.b0 = self.q(b0)
        self.b_f = float(b0)
        self.next_up = math.nextafter(float(b0 + 1), _INF)
        self.rounds = []
        del self.buys[:], self.rho_now[:]
        self.n_states = 2
        del self.chain.memo[2:]
        self.vcache = {}
        self.value_f[0] = self.b_f
        self.value_f[1] = 0.0
        self.gs = np.zeros(self.groups, dtype=np.int64)
        self.tracking, self.break_at = self.track, None
        remaining = set(self.prep.candidates)
        low = list(self.initial_low)
        low_b = [0.0] * len(low)
        self._loop(remaining, low, low_b)
        return self.result()

    def resume(self, b1: Fraction) -> _Run:
        """Rerun at share ``b1`` > the current one, reusing the rounds still valid at ``b1``."""
        assert self.track and b1 > self.share
        b1_up = math.nextafter(float(b1), _INF)  # his are rounded down: compare generously
        start = next(
            (t for t, r in enumerate(self.rounds) if r.hi is not None and r.hi <= b1_up), None
        )
        if start is None:  # every round is still valid: same outcome
            start = len(self.rounds) - 1
        last = len(self.rounds) - 1
        if self.break_at is not None:  # rounds after the break kept no undo data
            assert start <= self.break_at and self.gs_at_break is not None
            self.gs[:] = self.gs_at_break
            last = self.break_at
        for r in reversed(self.rounds[start : last + 1]):
            if r.project >= 0:
                assert r.old_states is not None
                self.gs[self.sup[r.project]] = r.old_states
        self.tracking, self.break_at = True, None
        first = self.rounds[start]
        del self.rounds[start:]
        kept_buys = sum(1 for r in self.rounds if r.project >= 0)
        del self.buys[kept_buys:]
        n = self.n_states = first.n_states
        del self.chain.memo[n:]
        delta = float(b1 - first.share)
        self.share = b1
        self.b0 = self.q(b1)
        self.b_f = float(b1)
        self.next_up = math.nextafter(float(b1 + 1), _INF)
        self.vcache = {}
        self.rho_now = [rho_a + rho_b * self.b0 for _p, rho_a, rho_b in self.buys]
        self.value_f[:n] = self.a_f[:n] + self.s_f[:n] * self.b_f
        low = [
            v + s * delta - REL * (abs(v) + abs(s * delta))
            for v, s in zip(first.low, first.low_b, strict=True)
        ]
        self._loop(set(first.remaining), low, list(first.low_b))
        return self.result()

    def result(self, full: bool = False) -> _Run:
        """The current run; ``full`` adds each buy's price and every group's final state."""
        bought = [r for r in self.rounds if r.project >= 0]
        his = [r.hi for r in self.rounds if r.hi is not None]
        run = _Run(self.share, [r.project for r in bought], min(his) if his else None)
        if full:
            n = self.n_states
            # Each buy's rho at the current share: a round kept by ``resume`` from a smaller
            # share stored its rho there, and rho moves with the share (``rho_now``).
            run.rhos = [Fraction(int(r.numerator), int(r.denominator)) for r in self.rho_now]
            run.paid_all = [r.paid_all for r in bought]
            run.group_state = self.gs.tolist()
            run.chain = _Chain(
                self.parent[:n].copy(),
                self.buy[:n].copy(),
                self.ui[:n].copy(),
                list(self.buys),
                self.prep.u_values,
                self.q,
            )
        return run

    # --- screening and exact evaluation ----------------------------------------------------------

    def _screen(self, j: int) -> _Screen:
        """Float rho of project j by fixed-point iteration on who pays all they have.

        Start from nobody capped (rho = cost / total utility); whoever's ratio is below rho pays
        all they have, which raises rho; repeat until nobody else drops below. Each step only
        adds voters, so it ends at the true rho, usually in two or three steps (no sorting).
        """
        st = self.gs[self.sup[j]]
        values = self.value_f[st]
        mults = self.sup_m[j]
        mu = self.sup_mu[j]
        ratios = values * self.inv_u[j] if self.width[j] == 1 else values / self.sup_u[j]
        mv = mults * values
        money = float(mv.sum())
        cost, total = self.cost_f[j], self.total_f[j]
        slack = REL * (cost + money) + _VALUE_ERR * self.count_f[j] * (self.b_f + 1.0)
        if money < cost - slack:
            return _Screen(j, st, ratios, None, _INF, 0.0, 0.0, money, False)
        if money <= cost + slack:
            return _Screen(j, st, ratios, None, _INF, 0.0, 0.0, money, None)
        rho = cost / total
        denom = total
        capped = ratios < rho
        count = int(np.count_nonzero(capped))
        while count:
            denom = total - float(mu[capped].sum())
            if denom <= 0:
                return _Screen(j, st, ratios, None, _INF, 0.0, 0.0, money, None)
            rho = (cost - float(mv[capped].sum())) / denom
            grown = ratios < rho
            more = int(np.count_nonzero(grown))
            if more == count:
                break
            capped, count = grown, more
        return _Screen(j, st, ratios, capped, rho, slack / denom + REL * rho, denom, money, True)

    def _exact(self, sc: _Screen) -> _Exact | None:
        """Exact rho (and its slope in b) of a screened project; None if it is unaffordable.

        Items whose float ratio is clearly below the float rho pay all they have, items clearly
        above pay the price; those in between are walked exactly in float order. The result is
        accepted only if the exact rho lies within the float error bound (so the clear items are
        on the right side); otherwise the plain exact method decides.
        """
        if sc.affordable is not True:
            return self._exact_slow(sc.project)
        j = sc.project
        prep = self.prep
        uvals = prep.u_values[j]
        cost = prep.costs[j]
        zero = self.zero
        st, ratios = sc.states, sc.ratios
        mults, uis = self.sup_m[j], self.sup_ui[j]
        tol = REL * (self.b_f + 1.0) / self.u_min[j]
        low, high = sc.rho - sc.err - tol, sc.rho + sc.err + tol
        below = ratios < low
        contrib, cslope = self._exact_sums(st[below], mults[below])
        counts = np.bincount(uis[below], weights=mults[below], minlength=len(uvals))
        denom = prep.total[j] - sum((int(c) * uvals[i] for i, c in enumerate(counts) if c), zero)
        band = np.flatnonzero(~below & (ratios <= high))
        band = band[np.argsort(ratios[band], kind="stable")]
        capped = below.copy()
        value, slope = self._value, self._slope
        walked = 0
        for k in band.tolist():
            s = int(st[k])
            u = uvals[int(uis[k])]
            v = value(s) if s != 1 else zero
            if (cost - contrib) * u <= v * denom:
                break
            m = int(mults[k])
            contrib += m * v
            denom -= m * u
            if self.tracking and s != 1:
                cslope += m * slope(s)
            capped[k] = True
            walked += 1
        if denom <= 0:
            return self._exact_slow(j)
        rho = (cost - contrib) / denom
        rf = float(rho)
        if not (sc.rho - sc.err <= rf <= sc.rho + sc.err):
            return self._exact_slow(j)
        for k in band[walked + 1 :].tolist():
            s = int(st[k])
            v = value(s) if s != 1 else zero
            if v < uvals[int(uis[k])] * rho:  # pays all it has after all: order was off
                return self._exact_slow(j)
        rho_b = -cslope / denom if self.tracking else zero
        return _Exact(j, rho, rho_b, capped, st)

    def _exact_sums(self, states: Array, mults: Array) -> tuple[Fraction, Fraction]:
        """Exact ``sum m * value`` and ``sum m * slope`` over states, from the payments made.

        A state's value is ``b`` minus what it paid in each buy (``u * rho``), so the sums need
        only, per buy and utility, how many of these voters paid: one count per buy, not one
        exact operation per state.
        """
        keep = states != 1
        states, mults = states[keep], mults[keep]
        voters = int(mults.sum())
        contrib, slope = voters * self.b0, self.q(voters)
        rounds = len(self.buys)
        if not rounds or not voters:
            return contrib, slope
        width = self.wmax
        keys = self.path[states, :rounds] + (np.arange(rounds) * width)
        counts = np.bincount(
            keys.ravel(), weights=np.repeat(mults, rounds), minlength=rounds * width
        ).reshape(rounds, width)
        counts[:, 0] = 0
        u_values = self.prep.u_values
        buys = self.buys
        paid: dict[int, Fraction] = {}
        rows, cols = np.nonzero(counts)
        for r, w, c in zip(rows.tolist(), cols.tolist(), counts[rows, cols].tolist(), strict=True):
            u = u_values[buys[r][0]][w - 1]
            paid[r] = paid[r] + int(c) * u if r in paid else int(c) * u
        for r, amount in paid.items():
            contrib -= amount * self.rho_now[r]
            if self.tracking:
                slope -= amount * buys[r][2]
        return contrib, slope

    def _exact_slow(self, j: int) -> _Exact | None:
        """The plain exact method: every supporter state's exact value, sorted exactly."""
        prep = self.prep
        uvals = prep.u_values[j]
        width = self.width[j]
        st = self.gs[self.sup[j]]
        uis = self.sup_ui[j]
        keys = st * width + uis
        counts = np.bincount(keys, weights=self.sup_m[j])
        zero = self.zero
        items = []
        for key in np.flatnonzero(counts).tolist():
            s, ui = divmod(key, width)
            v = self._value(s) if s != 1 else zero
            items.append((v / uvals[ui], s, ui, int(counts[key])))
        items.sort(key=lambda it: it[0])
        cost = prep.costs[j]
        contrib, cslope = zero, zero
        denom = prep.total[j]
        rho: Fraction | None = None
        for ratio, s, ui, m in items:
            u = uvals[ui]
            v = ratio * u
            if (cost - contrib) * u <= v * denom:
                rho = (cost - contrib) / denom
                break
            contrib += m * v
            denom -= m * u
            if self.tracking and s != 1:
                cslope += m * self._slope(s)
        if rho is None:
            return None
        capped_keys = np.asarray(
            [s * width + ui for ratio, s, ui, _m in items if ratio < rho], dtype=np.int64
        )
        capped = np.isin(keys, capped_keys)
        rho_b = -cslope / denom if self.tracking else zero
        return _Exact(j, rho, rho_b, capped, st)

    # --- the rounds --------------------------------------------------------------------------------

    def _loop(self, remaining: set[int], low: list[float], low_b: list[float]) -> None:
        tie_order = self.prep.profile.tie_order
        while True:
            track = self.tracking
            snapshot = (
                (frozenset(remaining), list(low), list(low_b), self.n_states, self.share)
                if track
                else (frozenset(), [], [], 0, self.share)
            )
            hi_f = _INF
            hi_exact: list[Fraction | None] = []
            upper = _INF  # an upper bound on the smallest rho of this round
            screens: list[_Screen] = []
            exact_now: dict[int, _Exact] = {}
            unaffordable: list[_Screen] = []
            broke = self._dense_broke(remaining) if self.dense is not None else None
            examined_broke: list[int] = []
            for j in sorted(remaining, key=low.__getitem__):
                if low[j] > upper:
                    break
                if broke is not None and j in broke:  # certainly unaffordable (dense check)
                    remaining.discard(j)
                    examined_broke.append(j)
                    continue
                sc = self._screen(j)
                if sc.affordable is None:  # too close to call in floats: exact
                    ex = self._exact(sc)
                    if ex is None:
                        sc.affordable = False
                    else:
                        exact_now[j] = ex
                        sc.rho, sc.err, sc.affordable = float(ex.rho), REL * float(ex.rho), True
                if sc.affordable is False:
                    remaining.discard(j)
                    unaffordable.append(sc)
                    continue
                screens.append(sc)
                low[j] = sc.rho - sc.err
                if track:
                    ex = exact_now.get(j)
                    if ex is not None:
                        slope, err = float(ex.rho_b), 0.0
                    else:
                        capped, spread = self._capped_slope(sc)
                        slope, err = -capped / sc.denom, spread / sc.denom
                    low_b[j] = slope - REL * (abs(slope) + err) - 1e-300
                upper = min(upper, sc.rho + sc.err)
            if track:
                for sc in unaffordable:
                    hi_f = self._bound_unaffordable(sc, hi_f, hi_exact)
                if examined_broke and broke is not None:
                    hi_f = self._bound_broke(examined_broke, broke, hi_f)
            if not screens:
                self._close(snapshot, hi_f, hi_exact)
                return
            exacts = []
            for sc in screens:
                if sc.rho - sc.err <= upper:
                    ex = exact_now.get(sc.project) or self._exact(sc)
                    if ex is None:  # pragma: no cover - the screening margins rule this out
                        raise AssertionError("float screening disagreed with exact arithmetic")
                    exacts.append(ex)
            win = min(exacts, key=lambda e: (e.rho, tie_order[e.project]))
            rho_a = win.rho - win.rho_b * self.b0
            if track:
                hi_f = self._bound_winner(win, hi_f, hi_exact)
                exact_low = {e.project: e for e in exacts}
                hi_f = self._bound_others(win, remaining, low, low_b, exact_low, hi_f, hi_exact)
            for e in exacts:
                low[e.project] = float(e.rho) * (1 - 4 * REL)
            old = self._buy(win, rho_a, win.rho_b)
            remaining.discard(win.project)
            paid_all = int(self.sup_m[win.project][win.capped].sum())
            hi = self._hi(hi_f, hi_exact) if track else None
            self.rounds.append(_Round(win.project, win.rho, paid_all, hi, old, *snapshot))
            if hi is not None and hi <= self.next_up:
                self.tracking, self.break_at = False, len(self.rounds) - 1
                self.gs_at_break = self.gs.copy()

    def _dense_broke(self, remaining: set[int]) -> dict[int, float]:
        """Projects whose supporters certainly cannot pay, with their money (dense profiles).

        One matrix product per round instead of one screen per project: the last round of every
        add1 rerun otherwise screens each remaining project only to find it unaffordable.
        """
        assert self.dense is not None
        idx = np.fromiter(remaining, dtype=np.int64, count=len(remaining))
        money = self.dense[idx] @ self.value_f[self.gs]
        cost = self.cost_arr[idx]
        slack = REL * (cost + money) + _VALUE_ERR * self.count_arr[idx] * (self.b_f + 1.0)
        out = np.flatnonzero(money < cost - slack)
        return dict(zip(idx[out].tolist(), money[out].tolist(), strict=True))

    def _bound_broke(self, projects: list[int], broke: dict[int, float], hi_f: float) -> float:
        """Unaffordable while ``cost - money(b)`` > 0 (money from :meth:`_dense_broke`)."""
        assert self.dense is not None
        idx = np.asarray(projects, dtype=np.int64)
        rows = self.dense[idx]
        slopes = self.s_f[self.gs]
        money = np.asarray([broke[j] for j in projects])
        cost = self.cost_arr[idx]
        slack = REL * (cost + money) + _VALUE_ERR * self.count_arr[idx] * (self.b_f + 1.0)
        s_lo = -(rows @ slopes) - REL * (rows @ np.abs(slopes) + 1.0)
        neg = s_lo < 0
        if not neg.any():
            return hi_f
        v_lo = (cost - money - slack)[neg]
        return min(hi_f, float(np.min(self.b_f + v_lo / -s_lo[neg])))

    def _capped_slope(self, sc: _Screen) -> tuple[float, float]:
        """Float ``sum m * s`` over the items that pay all they have, and ``sum m * |s|``."""
        capped = sc.capped
        if capped is None:
            return 0.0, 0.0
        ms = self.sup_m[sc.project][capped] * self.s_f[sc.states[capped]]
        return float(ms.sum()), float(np.abs(ms).sum())

    def _close(
        self,
        snapshot: tuple[frozenset[int], list[float], list[float], int, Fraction],
        hi_f: float,
        hi_exact: list[Fraction | None],
    ) -> None:
        hi = self._hi(hi_f, hi_exact) if self.tracking else None
        self.rounds.append(_Round(-1, self.zero, 0, hi, None, *snapshot))

    def _hi(self, hi_f: float, hi_exact: list[Fraction | None]) -> float | None:
        """The round's interval end as a float rounded down (``None``: no end)."""
        candidates = [math.nextafter(float(h), -_INF) for h in hi_exact if h is not None]
        if hi_f < _INF:
            candidates.append(max(hi_f - REL * (abs(hi_f) + self.b_f + 1.0), self.b_f))
        return min(candidates) if candidates else None

    # --- interval bounds (tracking) ----------------------------------------------------------------

    def _bound_unaffordable(
        self, sc: _Screen, hi_f: float, hi_exact: list[Fraction | None]
    ) -> float:
        """Unaffordable while ``cost - money(b)`` > 0."""
        j = sc.project
        cost = self.cost_f[j]
        v = cost - sc.money
        mults = self.sup_m[j]
        ms = mults * self.s_f[sc.states]
        slope = -float(ms.sum())
        err_v = REL * (cost + sc.money) + _VALUE_ERR * self.count_f[j] * (self.b_f + 1.0)
        err_s = REL * (float(np.abs(ms).sum()) + 1.0)
        if v - err_v > 0:
            return min(hi_f, _float_bound(self.b_f, v - err_v, slope - err_s))
        money, mslope = self._exact_sums(sc.states, mults)
        hi_exact.append(_exact_bound(self.b0, self.prep.costs[j] - money, -mslope, True))
        return hi_f

    def _bound_winner(self, win: _Exact, hi_f: float, hi_exact: list[Fraction | None]) -> float:
        """Each supporter keeps paying in full (or keeps paying the price) on the interval."""
        j = win.project
        uvals = self.prep.u_values[j]
        uis = self.sup_ui[j]
        u = self.sup_u[j]
        rf, rbf = float(win.rho), float(win.rho_b)
        values = self.value_f[win.states]
        slopes = self.s_f[win.states]
        sign = np.where(win.capped, -1.0, 1.0)
        v0 = sign * (values - u * rf)
        sl = sign * (slopes - u * rbf)
        err_v = REL * (u * abs(rf)) + (REL + _VALUE_ERR) * (self.b_f + 1.0)
        err_s = REL * (np.abs(slopes) + u * abs(rbf) + 1.0)
        clear = v0 - err_v > 0
        if np.any(clear):
            s_lo = (sl - err_s)[clear]
            neg = s_lo < 0
            if np.any(neg):
                hi_f = min(hi_f, float(np.min(self.b_f + (v0 - err_v)[clear][neg] / -s_lo[neg])))
        if np.any(v0 + err_v < 0):
            hi_f = min(hi_f, self.b_f)
        close = np.flatnonzero(np.abs(v0) <= err_v)
        for k in close.tolist():
            s = int(win.states[k])
            ui = int(uis[k])
            value = self._value(s) if s != 1 else self.zero
            slope = self._slope(s) if s != 1 else self.zero
            uu = uvals[ui]
            ev0 = value - uu * win.rho
            esl = slope - uu * win.rho_b
            if win.capped[k]:
                hi_exact.append(_exact_bound(self.b0, -ev0, -esl, True))
            else:
                hi_exact.append(_exact_bound(self.b0, ev0, esl, False))
        return hi_f

    def _bound_others(
        self,
        win: _Exact,
        remaining: set[int],
        low: list[float],
        low_b: list[float],
        exact_low: dict[int, _Exact],
        hi_f: float,
        hi_exact: list[Fraction | None],
    ) -> float:
        """No other project's rho (a lower bound, affine in b) reaches the winner's."""
        p = win.project
        tie_order = self.prep.profile.tie_order
        rf = float(win.rho)
        rho_up = rf + REL * abs(rf) + 1e-300
        rbf = float(win.rho_b)
        for q in remaining:
            if q == p:
                continue
            strict = tie_order[q] < tie_order[p]
            ex = exact_low.get(q)
            if ex is not None:
                hi_exact.append(
                    _exact_bound(self.b0, ex.rho - win.rho, ex.rho_b - win.rho_b, strict)
                )
                continue
            v_lo = low[q] - rho_up
            if v_lo > 0:
                s_lo = low_b[q] - rbf - REL * (abs(rbf) + abs(low_b[q]) + 1e-300)
                hi_f = min(hi_f, _float_bound(self.b_f, v_lo, s_lo))
            else:
                hi_f = min(hi_f, self.b_f)
        return hi_f

    # --- buying --------------------------------------------------------------------------------------

    def _buy(self, win: _Exact, rho_a: Fraction, rho_b: Fraction) -> Array | None:
        """Moves the winner's supporters to their new states; returns their old ones (tracking)."""
        p = win.project
        width = self.width[p]
        buy_index = len(self.buys)
        self.buys.append((p, rho_a, rho_b))
        self.rho_now.append(win.rho)
        ra_f, rb_f = float(rho_a), float(rho_b)
        capped = win.capped
        keys_all = win.states * width + self.sup_ui[p] if width > 1 else win.states
        new_keys = np.unique(keys_all[~capped])
        new_parent = new_keys // width
        new_ui = new_keys % width
        count = len(new_keys)
        n = self.n_states
        self._grow(n + count)
        u = self.u_f[p][new_ui]
        self.parent[n : n + count] = new_parent
        self.buy[n : n + count] = buy_index
        self.ui[n : n + count] = new_ui
        self.path[n : n + count] = self.path[new_parent]
        self.path[n : n + count, buy_index] = new_ui + 1
        a = self.a_f[new_parent] - u * ra_f
        s = self.s_f[new_parent] - u * rb_f
        self.a_f[n : n + count] = a
        self.s_f[n : n + count] = s
        self.value_f[n : n + count] = a + s * self.b_f
        self.n_states = n + count
        sup = self.sup[p]
        old = self.gs[sup]
        new = np.full(len(sup), 1, dtype=np.int64)
        uncapped = ~capped
        new[uncapped] = n + np.searchsorted(new_keys, keys_all[uncapped])
        self.gs[sup] = new
        return old if self.tracking else None
