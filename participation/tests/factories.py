"""Builders for participation tests: a round at any phase, projects on the ballot, voters."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from accounts.models import User
from accounts.roles import Role
from directory.models import Neighbourhood
from directory.tests import factories as f
from participation.models import Phase, Project, Round
from participation.services.costing import assess_idea
from participation.services.proposals import propose_idea
from participation.services.registration import register_voter
from participation.services.rounds import advance_round, create_round

_n = itertools.count(1)

DATES = {
    "ideas_open": date(2026, 1, 5),
    "ideas_close": date(2026, 2, 1),
    "pitches_open": date(2026, 3, 1),
    "voting_open": date(2026, 4, 1),
    "voting_close": date(2026, 4, 30),
}


def staff(role: str = Role.COMMISSIONER) -> User:
    return f.user(role)


def hood(name: str | None = None) -> Neighbourhood:
    return f.neighbourhood(name or f"Hood {next(_n)}")


def round_(by: User | None = None, **fields: Any) -> Round:
    fields.setdefault("title", f"Test round {next(_n)}")
    fields.setdefault("description", "Money for the neighbourhood.")
    fields.setdefault("pot", Decimal("10000.00"))
    fields.setdefault("dates", DATES)
    return create_round(by=by or staff(), **fields)


def idea(round_obj: Round, by: User | None = None, **fields: Any) -> Project:
    fields.setdefault("title", f"Idea {next(_n)}")
    fields.setdefault("what", "Something good.")
    fields.setdefault("who_benefits", "Everyone nearby.")
    return propose_idea(round_=round_obj, by=by or f.user(), **fields)


def cost(project: Project, by: User, amount: str) -> Project:
    value = Decimal(amount)
    return assess_idea(
        project=project,
        by=by,
        take_forward=True,
        cost=value,
        lines=[("Everything", value)],
    )


def advance_to(round_obj: Round, phase: str, by: User) -> Round:
    while round_obj.phase != phase:
        round_obj = advance_round(round_=round_obj, by=by)
    return round_obj


def voting_round(
    costs: tuple[str, ...] = ("4000", "3000", "5000"), **fields: Any
) -> tuple[Round, list[Project], User]:
    """A round in the voting phase with one project per cost, and the staff member who ran it."""
    by = staff()
    r = round_(by, **fields)
    ideas = [idea(r, title=f"Project {chr(65 + i)}") for i in range(len(costs))]
    r = advance_to(r, Phase.FEASIBILITY, by)
    projects = [cost(p, by, c) for p, c in zip(ideas, costs, strict=True)]
    r = advance_to(r, Phase.VOTING, by)
    return r, projects, by


def voter(round_obj: Round, neighbourhood: Neighbourhood | None = None, **fields: Any) -> User:
    person = f.user(**fields)
    register_voter(
        round_=round_obj,
        user=person,
        neighbourhood=neighbourhood or Neighbourhood.objects.first() or hood(),
        age_band="35-49",
    )
    return person
