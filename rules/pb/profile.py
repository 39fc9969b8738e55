"""Ballots aggregated for counting: identical ballots become one group with a multiplicity.

Voters with the same utilities are interchangeable in every rule here, so counting a group once
with its multiplicity gives exactly the same outcome as counting each voter (and is much faster).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from itertools import chain
from typing import NamedTuple

from .model import TIE_BREAKS, UTILITIES, Election, PBError, ballot_utilities


class Group(NamedTuple):
    """Voters whose ballots give the same utilities.

    ``projects`` are project indices (increasing) with a positive utility; ``utilities`` are
    those utilities, or ``None`` when each is the project's cost (the ``cost`` utility on
    approval ballots, kept implicit so 200,000 ballots do not build millions of pairs).
    """

    projects: tuple[int, ...]
    utilities: tuple[Fraction, ...] | None
    voter_ids: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.voter_ids)


@dataclass(frozen=True)
class Profile:
    """Projects (by index), aggregated ballot groups and per-project totals."""

    ids: tuple[str, ...]
    costs: tuple[Fraction, ...]
    budget: Fraction
    num_voters: int
    groups: tuple[Group, ...]
    total_utility: tuple[Fraction, ...]
    supporters: tuple[int, ...]
    tie_order: tuple[int, ...]
    """``tie_order[j]`` is project j's rank in the tie-breaking order (lower wins)."""


def support_counts(election: Election, ids: tuple[str, ...]) -> list[int]:
    """How many ballots list each project."""
    counter = Counter(chain.from_iterable(ballot.projects for ballot in election.ballots))
    return [counter[pid] for pid in ids]


def project_totals(election: Election, utility: str) -> list[Fraction]:
    """Total utility of each project (in ``election.projects`` order), without grouping ballots."""
    ids = tuple(election.projects)
    if utility == "cost":
        return [
            election.projects[pid].cost * n
            for pid, n in zip(ids, support_counts(election, ids), strict=True)
        ]
    totals = dict.fromkeys(ids, Fraction(0))
    for ballot in election.ballots:
        for pid, u in ballot_utilities(election, ballot, utility):
            totals[pid] += u
    return [totals[pid] for pid in ids]


def tie_ranks(election: Election, tie_break: str, supporters: list[int] | None = None) -> list[int]:
    """Each project's rank in the tie-breaking order (lower wins), in ``election.projects`` order."""
    ids = tuple(election.projects)
    if tie_break == "id":
        order = sorted(range(len(ids)), key=lambda j: ids[j])
    elif tie_break == "cost-votes":  # cheaper first, then more supporters, then id
        votes = supporters if supporters is not None else support_counts(election, ids)
        costs = [election.projects[pid].cost for pid in ids]
        order = sorted(range(len(ids)), key=lambda j: (costs[j], -votes[j], ids[j]))
    else:
        raise PBError(f"unknown tie-break {tie_break!r} (choose one of {', '.join(TIE_BREAKS)})")
    rank = [0] * len(ids)
    for position, j in enumerate(order):
        rank[j] = position
    return rank


def build_profile(election: Election, utility: str = "cost", tie_break: str = "id") -> Profile:
    if utility not in UTILITIES:
        raise PBError(f"unknown utility {utility!r} (choose one of {', '.join(UTILITIES)})")
    if tie_break not in TIE_BREAKS:
        raise PBError(f"unknown tie-break {tie_break!r} (choose one of {', '.join(TIE_BREAKS)})")
    ids = tuple(election.projects)
    index = {pid: j for j, pid in enumerate(ids)}
    costs = tuple(election.projects[pid].cost for pid in ids)
    supporters = support_counts(election, ids)
    groups: list[Group] = []
    if utility == "cost":
        # Fast path: with the cost utility every project on a ballot (approved, ranked or given
        # points) is worth its cost, so the group key is the set of projects on the ballot.
        # Free projects carry no utility, so they are left out of the key.
        free = {index[pid] for pid, p in election.projects.items() if p.cost == 0}
        by_index: dict[tuple[int, ...], list[str]] = {}
        get = by_index.get
        position = index.__getitem__
        for ballot in election.ballots:
            key = tuple(sorted(map(position, ballot.projects)))
            if free:
                key = tuple(j for j in key if j not in free)
            listed = get(key)
            if listed is None:
                by_index[key] = [ballot.voter_id]
            else:
                listed.append(ballot.voter_id)
        groups = [Group(key, None, tuple(voters)) for key, voters in by_index.items()]
        total = [costs[j] * supporters[j] for j in range(len(ids))]  # free projects: 0 either way
    else:
        by_key: dict[tuple[tuple[int, Fraction], ...], list[str]] = {}
        for ballot in election.ballots:
            items = tuple(
                sorted((index[p], u) for p, u in ballot_utilities(election, ballot, utility))
            )
            by_key.setdefault(items, []).append(ballot.voter_id)
        weighted: list[dict[Fraction, int]] = [{} for _ in ids]
        for items, voters in by_key.items():
            groups.append(
                Group(tuple(j for j, _u in items), tuple(u for _j, u in items), tuple(voters))
            )
            for j, u in items:
                weighted[j][u] = weighted[j].get(u, 0) + len(voters)
        total = [sum((u * m for u, m in w.items()), Fraction(0)) for w in weighted]
    rank = tie_ranks(election, tie_break, supporters)
    return Profile(
        ids=ids,
        costs=costs,
        budget=election.budget,
        num_voters=len(election.ballots),
        groups=tuple(groups),
        total_utility=tuple(total),
        supporters=tuple(supporters),
        tie_order=tuple(rank),
    )
