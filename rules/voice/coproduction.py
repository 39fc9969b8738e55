"""Co-production self-assessment: the four kinds, the ladder of co-production, the Priority
Matrix, and the change between one workshop and the next. Pure Python.

Sources (dated 2026-12-03):

- **Four kinds** (co-commissioning, co-design, co-delivery, co-assessment): Governance
  International's "Co-Production Star", as set out in the seed document
  ``shared/seeds/002_…`` and ``shared/docs/product.md``.
- **Ladder of co-production**: Think Local Act Personal's "Ladder of co-production" (2015, with
  the National Co-production Advisory Group), seven rungs from coercion to co-production. Only
  the rung names are used; the one-line descriptions are this project's own words. The rung
  names were taken from memory of TLAP's published ladder: check them against TLAP's page
  before relying on them.
- **Priority Matrix**: Governance International's Co-production Priority Matrix (seed 002, step
  2 "Focus it!"): grade each activity by impact and effort. The seed names two quadrants,
  "quick wins" (high impact, low effort) and "hard slogs" (low impact, high effort, to be
  avoided); the other two names ("needs a business case", "nice to have") are ours, following
  the seed's advice that high-impact, high-effort work needs a business case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

KINDS: tuple[tuple[str, str, str], ...] = (
    ("co_commissioning", "Co-commissioning", "People decide what is funded and prioritised"),
    ("co_design", "Co-design", "People shape services, information and plans"),
    ("co_delivery", "Co-delivery", "People deliver support: peer support, time banks"),
    ("co_assessment", "Co-assessment", "People judge services: ratings, expert checks"),
)
KIND_KEYS: tuple[str, ...] = tuple(k for k, _, _ in KINDS)

LADDER: tuple[tuple[str, str], ...] = (
    ("Coercion", "People attend, but decisions are already made"),
    ("Educating", "People are told about services so they use them"),
    ("Informing", "People are told what is decided and why"),
    ("Consultation", "People are asked their views; others decide"),
    ("Engagement", "People have more say, but not equal power"),
    ("Co-design", "People help design, but not deliver or decide"),
    ("Co-production", "An equal relationship from start to finish"),
)
RUNGS = len(LADDER)

LEVELS = ("high", "low")
QUADRANTS: dict[tuple[str, str], str] = {
    ("high", "low"): "Quick win: start here",
    ("high", "high"): "Needs a business case",
    ("low", "low"): "Nice to have",
    ("low", "high"): "Hard slog: avoid",
}


class CoproductionError(ValueError):
    pass


def rung_name(rung: int) -> str:
    if isinstance(rung, bool) or not isinstance(rung, int) or not 1 <= rung <= RUNGS:
        raise CoproductionError(f"a rung is from 1 to {RUNGS}")
    return LADDER[rung - 1][0]


def priority(impact: str, effort: str) -> str:
    """The Priority Matrix quadrant for an activity's impact and effort ("high" or "low")."""
    if impact not in LEVELS or effort not in LEVELS:
        raise CoproductionError("impact and effort are 'high' or 'low'")
    return QUADRANTS[(impact, effort)]


@dataclass(frozen=True)
class KindChange:
    kind: str
    label: str
    rung: int
    rung_name: str
    previous: int | None
    change: int | None

    @property
    def described(self) -> str:
        if self.change is None:
            return "First assessment"
        if self.change == 0:
            return "No change"
        steps = abs(self.change)
        way = "Up" if self.change > 0 else "Down"
        return f"{way} {steps} rung{'s' if steps != 1 else ''}"


def changes(
    history: Sequence[tuple[dt.date, Mapping[str, int]]],
) -> list[tuple[dt.date, list[KindChange]]]:
    """Each assessment (date, rung per kind) with each kind's change since the assessment
    before it, oldest first. A kind an assessment left out has no rung and breaks no chain:
    its next change is measured from the last assessment that rated it."""
    ordered = sorted(history, key=lambda item: item[0])
    last: dict[str, int] = {}
    out: list[tuple[dt.date, list[KindChange]]] = []
    for day, rungs in ordered:
        row = []
        for key, label, _ in KINDS:
            if key not in rungs:
                continue
            rung = rungs[key]
            name = rung_name(rung)
            previous = last.get(key)
            row.append(
                KindChange(
                    key,
                    label,
                    rung,
                    name,
                    previous,
                    None if previous is None else rung - previous,
                )
            )
            last[key] = rung
        out.append((day, row))
    return out
