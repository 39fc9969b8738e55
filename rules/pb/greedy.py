"""The utilitarian greedy rule (as Polish and many other cities count), with or without skipping.

Projects are ordered by total utility per unit of cost, highest first (pabutools
``greedy_utilitarian_welfare``): with the ``cost`` utility that is the number of supporters, with
``points`` the total points, with ``cardinal`` the points (or supporters) per unit of cost. A
supported project that costs nothing comes first; a project with no support comes last but is
still funded if it fits, as in pabutools. Ties follow the tie-breaking order. ``skip=True`` passes
over a project that no longer fits and goes on; ``skip=False`` (pabulib's ``greedy-no-skip``)
stops at the first project that does not fit.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

from .model import UTILITIES, Election, PBError
from .outcome import GreedyExplanation, GreedyStep, Outcome
from .profile import project_totals, tie_ranks


def _ordered(election: Election, utility: str, tie_break: str) -> list[tuple[str, Fraction | None]]:
    if utility not in UTILITIES:
        raise PBError(f"unknown utility {utility!r} (choose one of {', '.join(UTILITIES)})")
    ids = list(election.projects)
    totals = project_totals(election, utility)
    ranks = tie_ranks(election, tie_break)

    def density(j: int) -> Fraction | None:
        cost = election.projects[ids[j]].cost
        if totals[j] > 0:
            return totals[j] / cost if cost > 0 else None
        return Fraction(0)

    scored = [(j, density(j)) for j in range(len(ids))]
    scored.sort(key=lambda item: (item[1] is not None, -(item[1] or 0), ranks[item[0]]))
    return [(ids[j], score) for j, score in scored]


def _walk(
    election: Election,
    utility: str,
    tie_break: str,
    skip: bool,
    already: Iterable[str] = (),
) -> GreedyExplanation:
    taken = set(already)
    remaining = election.budget - sum((election.projects[p].cost for p in taken), Fraction(0))
    steps: list[GreedyStep] = []
    stopped = False
    for pid, score in _ordered(election, utility, tie_break):
        if pid in taken:
            continue
        cost = election.projects[pid].cost
        if stopped:
            decision = "not reached"
        elif cost <= remaining:
            remaining -= cost
            decision = "selected"
        elif skip:
            decision = "skipped"
        else:
            decision = "stopped"
            stopped = True
        steps.append(GreedyStep(pid, cost, score, decision, remaining))
    start = election.budget - sum((election.projects[p].cost for p in taken), Fraction(0))
    return GreedyExplanation(utility, skip, start, tuple(steps))


def greedy_fill(
    election: Election, utility: str, tie_break: str, already: Iterable[str]
) -> GreedyExplanation:
    """Greedy (with skipping) over the projects not in ``already``, with the money they leave."""
    return _walk(election, utility, tie_break, True, already)


def greedy(
    election: Election,
    utility: str = "cost",
    tie_break: str = "id",
    skip: bool = True,
) -> Outcome:
    """Utilitarian greedy; ``skip=False`` is greedy-no-skip (stop at the first misfit)."""
    explanation = _walk(election, utility, tie_break, skip)
    selected = tuple(s.project_id for s in explanation.steps if s.decision == "selected")
    total = sum((election.projects[p].cost for p in selected), Fraction(0))
    return Outcome(
        rule="greedy" if skip else "greedy-no-skip",
        utility=utility,
        completion="none",
        tie_break=tie_break,
        selected=selected,
        total_cost=total,
        budget=election.budget,
        explanation=explanation,
    )
