"""Shared test helpers: where the shared pabulib data lives, and pabutools as a live oracle."""

from __future__ import annotations

import io
import json
import os
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

from rules.pb import Election, write_pb

REPO_ROOT = Path(__file__).resolve().parents[3]


def shared_pb_dir() -> Path:
    shared = os.environ.get("WELLBEING_SHARED")
    base = Path(shared) if shared else REPO_ROOT.parent / "shared"
    return base / "data" / "pb"


@cache
def outcomes() -> dict[str, Any]:
    with open(shared_pb_dir() / "pabutools_outcomes.json", encoding="utf-8") as stream:
        data: dict[str, Any] = json.load(stream)
    return data


def _import_pabutools_safely() -> None:
    """pabutools 1.2.3 imports ``PULP_CBC_CMD``, ``LpStatusOptimal``, gone in PuLP 4; used by ILP
    rules this code never calls, so a placeholder lets pabutools import with any PuLP."""
    import pulp

    for name in ("PULP_CBC_CMD", "LpStatusOptimal"):
        if not hasattr(pulp, name):
            setattr(pulp, name, None)


# pabutools outcome name -> (rule, utility, completion) in this engine
VARIANTS = {
    "greedy_cost_sat": ("greedy", "cost", "none"),
    "greedy_rank_points": ("greedy", "points", "none"),
    "greedy_points": ("greedy", "points", "none"),
    "greedy_points_per_cost": ("greedy", "cardinal", "none"),
    "mes_cost_sat": ("mes", "cost", "none"),
    "mes_points": ("mes", "cardinal", "none"),
    "mes_cost_sat_add1": ("mes", "cost", "add1"),
    "mes_cost_sat_add1_then_greedy": ("mes", "cost", "add1-greedy"),
}


def pabutools_run(
    election: Election, rule: str, utility: str, completion: str, tie_break: str = "id"
) -> list[str]:
    """Run pabutools 1.2.3 on ``election`` (via our writer and its parser); selected ids."""
    _import_pabutools_safely()
    from pabutools.election import (
        Additive_Cardinal_Sat,
        AdditiveSatisfaction,
        Cardinality_Sat,
        Cost_Sat,
    )
    from pabutools.election.pabulib import parse_pabulib_from_string
    from pabutools.rules import (
        completion_by_rule_combination,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
    )
    from pabutools.tiebreaking import TieBreakingRule, lexico_tie_breaking

    buffer = io.StringIO()
    write_pb(election, buffer)
    instance, profile = parse_pabulib_from_string(buffer.getvalue())
    ordinal = election.vote_type == "ordinal"

    def points_times_cost(inst: Any, prof: Any, ballot: Any, project: Any, pre: Any) -> Any:
        if ordinal:
            if project not in ballot:
                return 0
            return (len(ballot) - ballot.index(project)) * project.cost
        if hasattr(ballot, "get"):
            return ballot.get(project, 0) * project.cost
        return int(project in ballot) * project.cost

    class PointsTimesCostSat(AdditiveSatisfaction):  # type: ignore[misc]
        def __init__(self, instance: Any, profile: Any, ballot: Any) -> None:
            AdditiveSatisfaction.__init__(self, instance, profile, ballot, points_times_cost)

    sat = {"cost": Cost_Sat, "points": PointsTimesCostSat, "cardinal": Additive_Cardinal_Sat}[
        utility
    ]
    if utility == "cardinal" and election.vote_type in ("approval", "choose-1"):
        sat = Cardinality_Sat  # pabutools' 1-per-approved-project satisfaction
    if tie_break == "id":
        tie = lexico_tie_breaking
    else:
        votes = {
            p.project_id: sum(p.project_id in b.projects for b in election.ballots)
            for p in election.projects.values()
        }
        tie = TieBreakingRule(lambda i, pr, p: (p.cost, -votes[p.name], p.name))
    if rule == "greedy":
        result = greedy_utilitarian_welfare(instance, profile, sat_class=sat, tie_breaking=tie)
    elif completion == "none":
        result = method_of_equal_shares(instance, profile, sat_class=sat, tie_breaking=tie)
    elif completion == "add1":
        result = method_of_equal_shares(
            instance, profile, sat_class=sat, tie_breaking=tie, voter_budget_increment=1
        )
    else:
        result = completion_by_rule_combination(
            instance,
            profile,
            [method_of_equal_shares, greedy_utilitarian_welfare],
            [
                {"sat_class": sat, "voter_budget_increment": 1, "tie_breaking": tie},
                {"sat_class": sat, "tie_breaking": tie},
            ],
        )
    return sorted(p.name for p in result)


def as_fraction(text: str) -> Fraction:
    return Fraction(text)
