"""The bridge between a round's rows and the counting engine ``rules.pb`` (no Django imports).

Money crosses exactly: pounds as :class:`decimal.Decimal` become :class:`fractions.Fraction` for the
engine and come back as ``Decimal`` (the engine never rounds, and every project cost and pot is in
pence, so winners' totals are exact pence).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from rules.money import format_money
from rules.pb import (
    Ballot,
    Election,
    GreedyExplanation,
    MESExplanation,
    Outcome,
    Project,
    read_pb,
    render,
    tally,
    write_pb,
)


@dataclass(frozen=True)
class CountProject:
    project_id: str
    name: str
    cost: Decimal


@dataclass(frozen=True)
class CountSettings:
    vote_type: str  # "approval" or "cumulative"
    rule: str  # "greedy" or "mes"
    completion: str  # for mes: "add1", "add1-greedy" or "none"
    max_choices: int | None = None
    max_points: int | None = None

    @property
    def utility(self) -> str:
        # Cost utilities for approval ballots (pabutools' Cost_Sat, as equalshares.net counts);
        # points x cost for points ballots, the same idea with a voter's points as weights.
        return "cost" if self.vote_type == "approval" else "points"

    @property
    def engine_completion(self) -> str:
        return self.completion if self.rule == "mes" else "none"

    @property
    def pabulib_rule(self) -> str:
        if self.rule == "greedy":
            return "greedy"
        return "equalshares" if self.completion == "none" else f"equalshares/{self.completion}"


def to_fraction(amount: Decimal) -> Fraction:
    return Fraction(amount)


def to_pounds(value: Fraction) -> Decimal:
    """A Fraction of pounds back to Decimal; exact for whole pence, else to 1/100 000 000 of a penny."""
    if (value * 100).denominator == 1:
        return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"))
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.0000000001"))


def build_election(
    *,
    budget: Decimal,
    projects: Sequence[CountProject],
    ballots: Sequence[Sequence[tuple[str, int]]],
    settings: CountSettings,
    meta: Mapping[str, str],
) -> Election:
    """An engine election; ballots are lists of (project id, points) and get voter ids 1, 2, 3…"""
    engine_projects = [Project(p.project_id, to_fraction(p.cost), p.name) for p in projects]
    engine_ballots = []
    for number, choices in enumerate(ballots, start=1):
        ids = tuple(pid for pid, _ in choices)
        points = (
            tuple(Fraction(points) for _, points in choices)
            if settings.vote_type == "cumulative"
            else None
        )
        engine_ballots.append(Ballot(str(number), ids, points))
    full_meta = dict(meta)
    full_meta["rule"] = settings.pabulib_rule
    if settings.vote_type == "approval" and settings.max_choices:
        full_meta["max_length"] = str(settings.max_choices)
    if settings.vote_type == "cumulative":
        full_meta["max_sum_points"] = str(settings.max_points or 0)
    return Election(
        to_fraction(budget), engine_projects, engine_ballots, settings.vote_type, full_meta
    )


def count(election: Election, settings: CountSettings) -> Outcome:
    return tally(
        election,
        rule=settings.rule,
        utility=settings.utility,
        completion=settings.engine_completion,
        tie_break="id",
    )


def pb_text(election: Election) -> str:
    stream = io.StringIO()
    write_pb(election, stream)
    return stream.getvalue()


def recount(text: str, settings: CountSettings) -> Outcome:
    """Read a published ``.pb`` file and count it again (the check anyone can make)."""
    return count(read_pb(io.StringIO(text)), settings)


def _money(value: Fraction) -> str:
    return format_money(value)


def explain(outcome: Outcome, names: Mapping[str, str]) -> dict[str, Any]:
    """The engine's explanation as plain data for the results page (amounts as text, to pence)."""
    explanation = outcome.explanation
    data: dict[str, Any] = {
        "rule": outcome.rule,
        "completion": outcome.completion,
        "utility": outcome.utility,
        "budget": _money(outcome.budget),
        "spent": _money(outcome.total_cost),
        "left_over": _money(outcome.leftover),
        "engine_lines": render(outcome),
    }
    if isinstance(explanation, GreedyExplanation):
        data["greedy_steps"] = _greedy_steps(explanation, names)
    elif isinstance(explanation, MESExplanation):
        data["initial_share"] = _money(explanation.initial_share)
        data["share"] = _money(explanation.share)
        data["increments"] = explanation.increments
        data["mes_steps"] = [
            {
                "project": names.get(step.project_id, step.project_id),
                "cost": _money(step.cost),
                "supporters": step.supporters,
                "price": _money(step.price) if step.price is not None else None,
                "paid_all": step.paid_all,
            }
            for step in explanation.steps
        ]
        left: dict[str, int] = {}
        for group in explanation.groups:
            key = _money(group.remaining)
            left[key] = left.get(key, 0) + len(group.voter_ids)
        data["shares_left"] = sorted(
            ({"amount": amount, "voters": voters} for amount, voters in left.items()),
            key=lambda row: -row["voters"],
        )
        if explanation.greedy_fill is not None:
            data["greedy_steps"] = _greedy_steps(explanation.greedy_fill, names)
    return data


def _greedy_steps(explanation: GreedyExplanation, names: Mapping[str, str]) -> list[dict[str, Any]]:
    words = {
        "selected": "Funded",
        "skipped": "Skipped: not enough money left",
        "stopped": "Did not fit: counting stopped",
        "not reached": "Not reached",
    }
    return [
        {
            "project": names.get(step.project_id, step.project_id),
            "cost": _money(step.cost),
            "decision": words.get(step.decision, step.decision),
            "funded": step.decision == "selected",
            "remaining_after": _money(step.remaining_after),
        }
        for step in explanation.steps
    ]
