"""Errors raised by rules.outcomes. Each names what is wrong so the app can point at the field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


class OutcomesError(Exception):
    """Base class for every rules.outcomes error."""


class MeasureFileError(OutcomesError):
    """A measure file is invalid. ``problems`` are (path, message) pairs, e.g. ``items[2].scale``."""

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        detail = "; ".join(f"{path}: {message}" for path, message in problems)
        super().__init__(f"Invalid measure file {source} - {detail}")
        self.source = source
        self.problems = problems

    @property
    def paths(self) -> list[str]:
        return [path for path, _ in self.problems]


class UnknownMeasureError(OutcomesError):
    """No measure (or no such version of it) is in the registry."""


class WordingOverlayError(OutcomesError):
    """An area's wording overlay does not fit the measure. ``problems`` are (item id, message) pairs."""

    def __init__(self, measure_id: str, problems: list[tuple[str, str]]) -> None:
        detail = "; ".join(f"{item}: {message}" for item, message in problems)
        super().__init__(f"Wording overlay for {measure_id} refused - {detail}")
        self.measure_id = measure_id
        self.problems = problems


ProblemKind = Literal["missing", "out_of_range", "not_a_whole_number", "unknown_item"]


@dataclass(frozen=True)
class AnswerProblem:
    """One thing wrong with one answer."""

    item_id: str
    kind: ProblemKind
    message: str


class AnswerError(OutcomesError):
    """The answers cannot be scored. ``problems`` lists every item at fault, in questionnaire order."""

    def __init__(self, measure_id: str, problems: tuple[AnswerProblem, ...]) -> None:
        detail = "; ".join(f"{p.item_id}: {p.message}" for p in problems)
        super().__init__(f"Cannot score {measure_id} - {detail}")
        self.measure_id = measure_id
        self.problems = problems

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(p.item_id for p in self.problems)


class MissingAnswerError(AnswerError):
    """At least one item was not answered. A missing answer is never treated as zero: no score."""

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(p.item_id for p in self.problems if p.kind == "missing")


class InvalidAnswerError(AnswerError):
    """Every item was answered, but at least one answer is outside its scale or is not a whole number
    (or an answer names an item the measure does not have)."""


class NotScorableError(OutcomesError):
    """The measure's scoring is licensed and not shipped (e.g. ASCOT weights), so no score is computed."""


class ChangeError(OutcomesError):
    """Two scores cannot be compared (different measures or different scoring rules)."""


class GoalError(OutcomesError):
    """Goal ratings are invalid (out of range, not in date order, none at all)."""


class AggregateInputError(OutcomesError):
    """Records for an aggregate are invalid (a group key missing, a person counted twice...)."""
