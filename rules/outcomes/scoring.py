"""Scoring and reliable change, exact (``fractions.Fraction``; conversion-table values are the
table's own decimals).

    result = score(measure, {"optimistic": 3, ...})   # refuses a missing item: MissingAnswerError
    result.value("metric")                             # Fraction(77, 4) == 19.25
    difference = change(first, latest)                 # Change, with .direction for the headline value

A missing answer is never treated as zero and no pro-rating is done: ``score`` raises
MissingAnswerError naming every unanswered item. Answers must be whole numbers on the item's scale
(``bool`` is refused even though Python counts it as an int).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from rules.outcomes.errors import (
    AnswerProblem,
    ChangeError,
    InvalidAnswerError,
    MissingAnswerError,
    NotScorableError,
)
from rules.outcomes.measures import Band, Measure, ReliableChangeRule

Direction = Literal["improvement", "no_reliable_change", "deterioration"]


@dataclass(frozen=True)
class ScoreValue:
    """One reported value: a total, a converted metric, or (ONS4, SHS) one item on its own."""

    id: str
    label: str
    value: Fraction
    decimals: int
    higher_is_better: bool
    band: Band | None = None

    @property
    def display(self) -> Decimal:
        """The value rounded half-up to its published number of decimals, for showing people."""
        return to_decimal(self.value, self.decimals)


@dataclass(frozen=True)
class Score:
    measure_id: str
    measure_version: str
    answers: tuple[tuple[str, int], ...]
    """The answers scored, in questionnaire order."""
    values: tuple[ScoreValue, ...]
    headline: str | None
    """The id of the value charts and aggregates use (None: report each value, as ONS4)."""
    reliable_change: ReliableChangeRule | None

    def value(self, value_id: str) -> Fraction:
        return self.get(value_id).value

    def get(self, value_id: str) -> ScoreValue:
        for value in self.values:
            if value.id == value_id:
                return value
        raise KeyError(value_id)

    @property
    def headline_value(self) -> Fraction | None:
        return None if self.headline is None else self.value(self.headline)


def to_decimal(value: Fraction, decimals: int) -> Decimal:
    """Exact Fraction -> Decimal rounded half away from zero to ``decimals`` places (display only)."""
    scaled = abs(value) * 10**decimals
    whole, remainder = divmod(scaled.numerator, scaled.denominator)
    if 2 * remainder >= scaled.denominator:
        whole += 1
    result = Decimal(-whole if value < 0 else whole).scaleb(-decimals)
    return result.quantize(Decimal(1).scaleb(-decimals))


def check_answers(measure: Measure, answers: Mapping[str, object]) -> dict[str, int]:
    """The answers as whole numbers in questionnaire order, or an AnswerError naming every bad item."""
    problems: list[AnswerProblem] = []
    clean: dict[str, int] = {}
    known = set(measure.item_ids)
    for item in measure.items:
        raw = answers.get(item.id)
        if raw is None:
            problems.append(AnswerProblem(item.id, "missing", f"'{item.topic}' was not answered"))
            continue
        if isinstance(raw, bool) or not isinstance(raw, int):
            problems.append(
                AnswerProblem(
                    item.id, "not_a_whole_number", f"answer {raw!r} is not a whole number"
                )
            )
            continue
        if not item.scale.contains(raw):
            problems.append(
                AnswerProblem(
                    item.id,
                    "out_of_range",
                    f"answer {raw} is outside {item.scale.min}-{item.scale.max}",
                )
            )
            continue
        clean[item.id] = raw
    for item_id in answers:
        if item_id not in known:
            problems.append(
                AnswerProblem(str(item_id), "unknown_item", f"{measure.id} has no item {item_id!r}")
            )
    if problems:
        error = (
            MissingAnswerError if any(p.kind == "missing" for p in problems) else InvalidAnswerError
        )
        raise error(measure.id, tuple(problems))
    return clean


def score(measure: Measure, answers: Mapping[str, object]) -> Score:
    """Score one completed questionnaire exactly. Raises MissingAnswerError if any item is
    unanswered (None counts as unanswered), InvalidAnswerError for an answer off its scale or an
    unknown item, NotScorableError for a measure whose scoring is licensed and not shipped."""
    if not measure.scorable:
        raise NotScorableError(f"{measure.id}: {measure.scoring.rule}")
    clean = check_answers(measure, answers)
    scoring = measure.scoring
    values: list[ScoreValue] = []
    if scoring.kind == "items_separately":
        for item in measure.items:
            value = Fraction(clean[item.id])
            band = next((b for b in scoring.bands_for(item.id) if b.contains(value)), None)
            values.append(ScoreValue(item.id, item.topic, value, 0, item.higher_is_better, band))
    else:
        raw_spec = scoring.raw
        assert raw_spec is not None  # parse_measure guarantees a raw spec for sums
        total = Fraction(sum(clean.values()))
        values.append(ScoreValue(raw_spec.id, raw_spec.label, total, 0, scoring.higher_is_better))
        if scoring.kind == "sum_then_table":
            metric_spec = scoring.metric
            assert metric_spec is not None
            metric = Fraction(scoring.table()[int(total)])
            values.append(
                ScoreValue(
                    metric_spec.id,
                    metric_spec.label,
                    metric,
                    metric_spec.decimals,
                    scoring.higher_is_better,
                )
            )
    return Score(
        measure_id=measure.id,
        measure_version=measure.version,
        answers=tuple((item_id, clean[item_id]) for item_id in measure.item_ids),
        values=tuple(values),
        headline=measure.headline,
        reliable_change=measure.reliable_change,
    )


def classify(difference: Fraction, rule: ReliableChangeRule) -> Direction:
    """Reliable improvement / deterioration when the change in the better / worse direction is at
    least the rule's threshold; otherwise no reliable change."""
    better = difference if rule.higher_is_better else -difference
    if better >= rule.threshold:
        return "improvement"
    if -better >= rule.threshold:
        return "deterioration"
    return "no_reliable_change"


@dataclass(frozen=True)
class ValueChange:
    id: str
    before: Fraction
    after: Fraction
    higher_is_better: bool

    @property
    def difference(self) -> Fraction:
        """after - before (positive = the number went up, whichever direction is better)."""
        return self.after - self.before


@dataclass(frozen=True)
class Change:
    measure_id: str
    changes: tuple[ValueChange, ...]
    rule: ReliableChangeRule | None
    direction: Direction | None
    """Improvement / no reliable change / deterioration on the rule's value; None when the measure
    has no reliable-change threshold (ONS4, WEMWBS, SHS): show the difference, make no claim."""

    def get(self, value_id: str) -> ValueChange:
        for value in self.changes:
            if value.id == value_id:
                return value
        raise KeyError(value_id)

    @property
    def reliable_difference(self) -> Fraction | None:
        return None if self.rule is None else self.get(self.rule.on).difference


def change(before: Score, after: Score) -> Change:
    """Change from ``before`` to ``after`` (two scores of the same measure, same scoring)."""
    if before.measure_id != after.measure_id:
        raise ChangeError(f"Cannot compare {before.measure_id} with {after.measure_id}")
    if before.reliable_change != after.reliable_change or [v.id for v in before.values] != [
        v.id for v in after.values
    ]:
        raise ChangeError(
            f"{before.measure_id} versions {before.measure_version} and {after.measure_version} "
            "score differently; re-score both with one version"
        )
    changes = tuple(
        ValueChange(b.id, b.value, a.value, b.higher_is_better)
        for b, a in zip(before.values, after.values, strict=True)
    )
    rule = after.reliable_change
    direction = None
    if rule is not None:
        difference = next(c.difference for c in changes if c.id == rule.on)
        direction = classify(difference, rule)
    return Change(before.measure_id, changes, rule, direction)
