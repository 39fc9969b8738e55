"""Outcomes equal pabutools 1.2.3's: recorded ones for every shared file, live ones on small files."""

from __future__ import annotations

from fractions import Fraction

import pytest

from rules.pb import Election, read_pb, tally

from .helpers import VARIANTS, outcomes, pabutools_run, shared_pb_dir

# Variants that take more than a few seconds here (see docs/benchmarks.md): marked slow.
SLOW = {
    ("Poland_Warszawa_2021_Mokotow.pb", "mes_cost_sat_add1"),
    ("Poland_Warszawa_2021_Mokotow.pb", "mes_cost_sat_add1_then_greedy"),
}

CASES = [
    pytest.param(
        name,
        entry["rule"],
        id=f"{name[:-3]}-{entry['rule']}",
        marks=[pytest.mark.slow] if (name, entry["rule"]) in SLOW else [],
    )
    for name, info in outcomes()["files"].items()
    for entry in info["outcomes"]
]

_cache: dict[str, Election] = {}


@pytest.fixture(scope="module")
def elections() -> dict[str, Election]:
    """Each shared file parsed once for the whole module."""
    return _cache


def _election(cache: dict[str, Election], name: str) -> Election:
    if name not in cache:
        cache[name] = read_pb(shared_pb_dir() / name)
    return cache[name]


@pytest.mark.parametrize(("name", "variant"), CASES)
def test_recorded_outcome(elections: dict[str, Election], name: str, variant: str) -> None:
    info = outcomes()["files"][name]
    entry = next(e for e in info["outcomes"] if e["rule"] == variant)
    election = _election(elections, name)
    rule, utility, completion = VARIANTS[variant]
    outcome = tally(election, rule, utility, completion)
    assert outcome.total_cost <= election.budget
    if "selected" not in entry:  # pabutools did not finish on this file: nothing recorded
        assert entry.get("timed_out") or entry.get("skipped")
        return
    assert sorted(outcome.selected) == sorted(entry["selected"])
    assert outcome.total_cost == Fraction(entry["total_cost"])


def test_every_file_and_variant_is_known() -> None:
    names = {p.name for p in shared_pb_dir().glob("*.pb")}
    assert names == set(outcomes()["files"])
    for info in outcomes()["files"].values():
        assert {e["rule"] for e in info["outcomes"]} <= set(VARIANTS)


def test_greedy_no_skip_matches_official_wroclaw(elections: dict[str, Election]) -> None:
    name = "Poland_Wroclaw_2016_Rejon_nr_13_250.pb"
    election = _election(elections, name)
    outcome = tally(election, "greedy-no-skip", "cost")
    assert sorted(outcome.selected) == sorted(outcomes()["files"][name]["official_selected"])
    decisions = [step.decision for step in outcome.explanation.steps]  # type: ignore[union-attr]
    assert decisions.count("stopped") == 1
    assert set(decisions[decisions.index("stopped") + 1 :]) == {"not reached"}


SMALL = [
    "Netherlands_Assen_2024.pb",
    "Canada_Stanford_Dataset_PB_Dieppe_2018_vote_approvals.pb",
    "Switzerland_Zurich_D10.pb",
    "Switzerland_Zurich_S5R.pb",
]
LIVE = [
    ("greedy", "cost", "none"),
    ("mes", "cost", "none"),
    ("mes", "cost", "add1"),
    ("mes", "cost", "add1-greedy"),
    ("greedy", "points", "none"),
    ("greedy", "cardinal", "none"),
    ("mes", "cardinal", "none"),
    ("mes", "points", "none"),
]


@pytest.mark.oracle
@pytest.mark.parametrize("name", SMALL)
@pytest.mark.parametrize(("rule", "utility", "completion"), LIVE)
def test_live_pabutools(
    elections: dict[str, Election], name: str, rule: str, utility: str, completion: str
) -> None:
    pytest.importorskip("pabutools")
    election = _election(elections, name)
    if utility == "cardinal" and election.vote_type == "ordinal":
        pytest.skip("pabutools has no cardinal satisfaction for ordinal ballots")
    ours = tally(election, rule, utility, completion)
    assert sorted(ours.selected) == pabutools_run(election, rule, utility, completion)


@pytest.mark.oracle
@pytest.mark.parametrize("rule", ["greedy", "mes"])
def test_live_pabutools_cost_votes_tie_break(elections: dict[str, Election], rule: str) -> None:
    pytest.importorskip("pabutools")
    election = _election(elections, "Netherlands_Assen_2024.pb")
    ours = tally(election, rule, "cost", "add1", tie_break="cost-votes")
    expected = pabutools_run(election, rule, "cost", "add1", tie_break="cost-votes")
    assert sorted(ours.selected) == expected


@pytest.mark.parametrize("name", ["Netherlands_Assen_2024.pb", "Switzerland_Zurich_D10.pb"])
def test_pure_python_fractions_give_the_same_outcomes(
    elections: dict[str, Election], name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without gmpy2 the engine uses fractions.Fraction: same recorded outcomes."""
    import rules.pb.mes

    monkeypatch.setattr(rules.pb.mes, "RATIONAL", Fraction)
    election = _election(elections, name)
    for entry in outcomes()["files"][name]["outcomes"]:
        rule, utility, completion = VARIANTS[entry["rule"]]
        outcome = tally(election, rule, utility, completion)
        assert sorted(outcome.selected) == sorted(entry["selected"])


@pytest.mark.parametrize(
    "name",
    [
        "Canada_Stanford_Dataset_PB_Dieppe_2018_vote_approvals.pb",
        "Switzerland_Zurich_S5R.pb",
        "US_Stanford_Dataset_PB_Rochester_NY_2019_vote_rankings.pb",
    ],
)
def test_every_decision_taken_exactly_gives_the_same_outcomes(
    elections: dict[str, Election], name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a huge screening margin no float result is trusted: every round, affordability and
    interval bound goes through the exact path (and its fallbacks). Same recorded outcomes."""
    import rules.pb.mes_engine

    monkeypatch.setattr(rules.pb.mes_engine, "REL", 1e3)
    election = _election(elections, name)
    for entry in outcomes()["files"][name]["outcomes"]:
        rule, utility, completion = VARIANTS[entry["rule"]]
        if rule != "mes":
            continue
        outcome = tally(election, rule, utility, completion)
        assert sorted(outcome.selected) == sorted(entry["selected"]), entry["rule"]


def test_plain_exact_method_gives_the_same_outcomes(
    elections: dict[str, Election], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fallback (every supporter state sorted exactly) on its own: same recorded outcomes."""
    from rules.pb.mes_engine import Engine

    monkeypatch.setattr(Engine, "_exact", lambda self, sc: self._exact_slow(sc.project))
    name = "Switzerland_Zurich_D10.pb"
    election = _election(elections, name)
    for entry in outcomes()["files"][name]["outcomes"]:
        rule, utility, completion = VARIANTS[entry["rule"]]
        if rule == "mes":
            outcome = tally(election, rule, utility, completion)
            assert sorted(outcome.selected) == sorted(entry["selected"]), entry["rule"]
