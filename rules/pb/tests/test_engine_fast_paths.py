"""The engine's fast paths do their job on real elections: they decide, rather than hand every
decision to the slower exact path behind them (``rules.pb.mes_engine``, ``rules.pb.mes_batch``).

Each fast path of the MES engine is backed by a slower one that is always right: the exact walk
near the price (``Engine._exact``) by the plain exact method that sorts every supporter
(``Engine._exact_slow``), and the float checks of add1's shares (``mes_batch.same_rounds``,
``finish_run``) by exact reruns. So a fast path broken so that it gives up (a wrong sum, a band
too narrow, a margin in the wrong direction) changes no outcome, and the tests that compare
outcomes cannot see it; only the time does. These tests pin what the fast paths achieve on the
shared real elections: the exact walk never falls back for a project the screen found
affordable, and the float checks certify every share up to the first whose outcome changes and
then finish that share's run in floats. Measured on the unchanged engine before writing them
(the walk fell back 0 times in 4,900 evaluations over the 12 files, add1, cost and cardinal
utility; certification was complete on all 7 small files in both utilities).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest

from rules.pb import MESExplanation, equal_shares, mes_engine, read_pb
from rules.pb import mes as mes_module
from rules.pb.mes_engine import Engine

from .helpers import shared_pb_dir
from .test_mes_batch import _checked, _small_shared_files

# Shared files the engine decides in under a second (add1, both utilities).
QUICK_FILES = (
    "Canada_Stanford_Dataset_PB_Dieppe_2018_vote_approvals.pb",
    "Netherlands_Assen_2024.pb",
    "Poland_Czestochowa_2020_Polnoc.pb",
    "Poland_Wroclaw_2016_Rejon_nr_13_250.pb",
    "Switzerland_Zurich_D10.pb",
    "Switzerland_Zurich_S5R.pb",
    "US_Stanford_Dataset_PB_Rochester_NY_2019_vote_rankings.pb",
    "US_Stanford_Dataset_PB_Cambridge_2019_vote_approvals.pb",
)


@contextmanager
def counting_fallbacks() -> Iterator[Counter[str]]:
    """Counts each ``Engine._exact`` call on a project the screen found affordable, and each time
    one of them fell back to ``Engine._exact_slow``."""
    counts: Counter[str] = Counter()
    exact, slow = Engine._exact, Engine._exact_slow
    inside: list[bool] = []

    def spy_exact(self: Engine, sc: Any) -> Any:
        inside.append(sc.affordable is True)
        counts["affordable screens"] += sc.affordable is True
        try:
            return exact(self, sc)
        finally:
            inside.pop()

    def spy_slow(self: Engine, j: int) -> Any:
        if inside and inside[-1]:
            counts["fell back"] += 1
        return slow(self, j)

    with (
        mock.patch.object(Engine, "_exact", spy_exact),
        mock.patch.object(Engine, "_exact_slow", spy_slow),
    ):
        yield counts


@pytest.mark.parametrize("dense", [True, False], ids=["dense", "no-dense"])
def test_the_exact_walk_decides_every_affordable_project_itself(dense: bool) -> None:
    with counting_fallbacks() as counts:
        for name in QUICK_FILES:
            election = read_pb(shared_pb_dir() / name)
            for utility in ("cost", "cardinal"):
                if dense:
                    equal_shares(election, utility, "add1")
                else:
                    with (
                        mock.patch.object(mes_engine, "_DENSE_LIMIT", 0),
                        mock.patch.object(mes_module, "_BATCH_CELLS", 0),
                    ):
                        equal_shares(election, utility, "add1")
    assert counts["affordable screens"] > 300
    assert counts["fell back"] == 0


@pytest.mark.parametrize("utility", ["cost", "cardinal"])
def test_the_float_checks_certify_every_share_up_to_the_first_change(utility: str) -> None:
    """On each small shared file, the shares ``same_rounds`` certifies are exactly the shares,
    from the first, whose exact run buys the same projects in the same order; at the first that
    does not, ``finish_run`` completes the run in floats and gets the exact run's projects."""
    changed = 0
    for name in _small_shared_files():
        certified, same, finished = _checked(read_pb(shared_pb_dir() / name), utility, 40)
        leading = same.index(False) if False in same else len(same)
        assert certified == leading, name
        if leading < len(same):
            changed += 1
            assert finished is True, name
    assert changed >= 3


@contextmanager
def wide_margins(rel: float) -> Iterator[None]:
    """The engine with margins far wider than float error (``REL`` = rel, a value error of
    rel / 4 per unit of share): more decisions go to exact arithmetic, and the exact walk's band
    around the price holds supporters well below and above it, so the walk's every branch runs
    on real elections. The outcome cannot depend on the margins."""
    with (
        mock.patch.object(mes_engine, "REL", rel),
        mock.patch.object(mes_engine, "_VALUE_ERR", rel / 4),
    ):
        yield


def test_outcomes_and_explanations_do_not_depend_on_the_margins() -> None:
    """Measured before writing it: the same on all 8 files with ``REL`` 1/8, 1/32 and 1/256
    (here the 6 quickest, for the mutation runs' sake), and no fallback from the exact walk."""
    with counting_fallbacks() as counts:
        for name in QUICK_FILES[:2] + QUICK_FILES[3:7]:
            election = read_pb(shared_pb_dir() / name)
            for utility in ("cost", "cardinal"):
                shipped = equal_shares(election, utility, "add1")
                with wide_margins(2.0**-8):
                    wide = equal_shares(election, utility, "add1")
                assert wide.selected == shipped.selected, (name, utility)
                assert isinstance(wide.explanation, MESExplanation)
                assert isinstance(shipped.explanation, MESExplanation)
                assert wide.explanation.steps == shipped.explanation.steps, (name, utility)
                assert wide.explanation.groups == shipped.explanation.groups, (name, utility)
    # The walk's band is wide now, and it still decides every affordable project itself
    # (measured: 11,653 such evaluations, none falling back).
    assert counts["affordable screens"] > 5000
    assert counts["fell back"] == 0
