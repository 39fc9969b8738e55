"""The float checks of add1 shares (``rules.pb.mes_batch``): every share ``same_rounds`` certifies
buys, computed exactly, the same projects in the same order, and every run ``finish_run``
completes is the exact run; shares that differ are not certified."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules.pb import Ballot, Election, MESExplanation, Project, read_pb, tally
from rules.pb import mes as mes_module
from rules.pb.mes import _BATCH_CELLS, _prepare, _run
from rules.pb.mes_batch import finish_run, same_rounds
from rules.pb.mes_engine import Engine
from rules.pb.profile import build_profile

from .helpers import outcomes, shared_pb_dir
from .test_properties import elections

WINDOW = 40


def _checked(election: Election, utility: str, window: int) -> tuple[int, list[bool], bool | None]:
    """Shares certified after the first run; for each share of the window whether its exact run
    buys the same projects in the same order as the first; and whether the run finished in
    floats at the first share not certified is the exact one (None: not finished in floats)."""
    profile = build_profile(election, utility, "id")
    prep = _prepare(profile)
    b0 = profile.budget / profile.num_voters
    engine = Engine(prep, track=False)
    first = engine.start(b0).selected
    checked = same_rounds(engine, first, [float(b0 + i) for i in range(1, window + 1)])
    same = [_run(prep, b0 + i, track=False).selected == first for i in range(1, window + 1)]
    finished = None
    if checked.changed is not None:
        r, values = checked.changed
        at = checked.same + 1
        found = finish_run(engine, first[:r], values, float(b0 + at))
        if found is not None:
            finished = found == _run(prep, b0 + at, track=False).selected
    return checked.same, same, finished


def _small_shared_files() -> list[str]:
    names = []
    for name in outcomes()["files"]:
        profile = build_profile(read_pb(shared_pb_dir() / name), "cost", "id")
        if len(profile.ids) * len(profile.groups) <= _BATCH_CELLS:
            names.append(name)
    return names


def test_certified_shares_buy_the_same_projects_on_the_shared_files() -> None:
    certified_any, differing_any, finished_any = 0, 0, 0
    for name in _small_shared_files():
        certified, same, finished = _checked(read_pb(shared_pb_dir() / name), "cost", WINDOW)
        assert all(same[:certified]), name
        assert finished is not False, name
        certified_any += certified
        differing_any += not all(same)
        finished_any += bool(finished)
    # Not vacuous: some shares are certified, some files change outcome inside the window (a
    # check that certified everything would fail above), and some changed runs are finished.
    assert certified_any > 50
    assert differing_any >= 2
    assert finished_any >= 2


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(elections("approval", nonempty=True), elections("cumulative", nonempty=True)),
    st.sampled_from(["cost", "points"]),
)
def test_certified_shares_buy_the_same_projects_on_random_elections(
    election: Election, utility: str
) -> None:
    if election.budget == 0:
        return
    certified, same, finished = _checked(election, utility, 12)
    assert all(same[:certified])
    assert finished is not False


def test_exact_ties_between_untouched_projects_are_certified() -> None:
    """Two projects each approved by two voters, nobody paying all they have: both have rho
    exactly 1/2 at every share, decided by the tie-breaking order. Floats alone cannot tell the
    tie from a near-tie; the projects' exact lower bounds can."""
    projects = [Project("a", Fraction(40)), Project("b", Fraction(40)), Project("c", Fraction(30))]
    ballots = [
        Ballot("v1", ("a", "c")),
        Ballot("v2", ("a",)),
        Ballot("v3", ("b",)),
        Ballot("v4", ("b",)),
    ]
    election = Election(Fraction(100), projects, ballots, "approval")
    # At shares 26..35 everyone pays 20 for a or b; c (v1 alone, 30) stays out of reach.
    certified, same, _finished = _checked(election, "cost", 10)
    assert all(same)
    assert certified == 10


def test_add1_outcomes_do_not_depend_on_the_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same outcome, prices and remaining shares with the float checks switched off (exact
    runs with interval tracking only), with fewer exact runs with them on."""
    for name in ("Switzerland_Zurich_D10.pb", "Netherlands_Assen_2024.pb"):
        election = read_pb(shared_pb_dir() / name)
        batched = tally(election, "mes", "cost", "add1")
        monkeypatch.setattr(mes_module, "_BATCH_CELLS", 0)
        plain = tally(election, "mes", "cost", "add1")
        monkeypatch.undo()
        assert batched.selected == plain.selected
        assert isinstance(batched.explanation, MESExplanation)
        assert isinstance(plain.explanation, MESExplanation)
        assert batched.explanation.steps == plain.explanation.steps
        assert batched.explanation.groups == plain.explanation.groups
        assert batched.explanation.increments == plain.explanation.increments
        assert batched.explanation.runs < plain.explanation.runs


def test_batch_width_stays_between_8_and_64() -> None:
    from rules.pb.mes import _batch_width

    assert [_batch_width(g) for g in (1, 67, 169, 1094, 10_000, 30_000)] == [64, 64, 32, 8, 8, 8]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(elections("approval", nonempty=True), elections("cumulative", nonempty=True)),
    st.sampled_from(["cost", "cardinal"]),
    st.booleans(),
)
def test_add1_exact_path_same_outcome_as_the_batches_on_random_elections(
    election: Election, utility: str, dense: bool
) -> None:
    """add1's exact path (each run resumed from the first round that changes at the new share,
    ``Engine.resume``; with and without the dense matrix) buys the same projects at the same
    prices and leaves the same remaining shares as the batched path, after the same number of
    increments, on random small elections."""
    from unittest import mock

    from rules.pb import equal_shares, mes_engine

    batched = equal_shares(election, utility, "add1")
    dense_limit = mes_engine._DENSE_LIMIT if dense else 0
    with (
        mock.patch.object(mes_module, "_BATCH_CELLS", 0),
        mock.patch.object(mes_engine, "_DENSE_LIMIT", dense_limit),
    ):
        exact = equal_shares(election, utility, "add1")
    assert isinstance(batched.explanation, MESExplanation)
    assert isinstance(exact.explanation, MESExplanation)
    assert exact.selected == batched.selected
    assert exact.explanation.steps == batched.explanation.steps
    assert exact.explanation.groups == batched.explanation.groups
    assert exact.explanation.increments == batched.explanation.increments
