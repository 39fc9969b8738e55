"""Hypothesis properties: no score from an incomplete questionnaire, monotone conversions, and
suppression that no combination of published totals undoes."""

from __future__ import annotations

import itertools
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from rules.outcomes import (
    InvalidAnswerError,
    Measure,
    MissingAnswerError,
    OutcomeRecord,
    aggregate,
    score,
)
from rules.outcomes.aggregates import Key, Line
from rules.outcomes.tests.helpers import GBO, ONS4, SHS, SWEMWBS, WEMWBS, reliable_change

SCORABLE = [SWEMWBS, WEMWBS, ONS4, SHS, GBO]
RULE = reliable_change(SWEMWBS)


@st.composite
def complete_answers(draw: st.DrawFn, measure: Measure) -> dict[str, int]:
    return {item.id: draw(st.integers(item.scale.min, item.scale.max)) for item in measure.items}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SCORABLE), st.data())
def test_no_score_is_produced_with_a_missing_item(measure: Measure, data: st.DataObject) -> None:
    answers: dict[str, object] = dict(data.draw(complete_answers(measure)))
    missing = data.draw(st.sets(st.sampled_from(measure.item_ids), min_size=1))
    for item_id in missing:
        if data.draw(st.booleans()):
            del answers[item_id]
        else:
            answers[item_id] = None
    try:
        score(measure, answers)
    except MissingAnswerError as error:
        assert set(error.missing) == missing
    else:
        raise AssertionError("a score was produced with a missing item")


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(SCORABLE), st.data())
def test_no_score_is_produced_with_an_answer_off_the_scale(
    measure: Measure, data: st.DataObject
) -> None:
    answers: dict[str, object] = dict(data.draw(complete_answers(measure)))
    item = data.draw(st.sampled_from(measure.items))
    answers[item.id] = data.draw(
        st.one_of(
            st.integers(max_value=item.scale.min - 1), st.integers(min_value=item.scale.max + 1)
        )
    )
    try:
        score(measure, answers)
    except InvalidAnswerError as error:
        assert error.item_ids == (item.id,)
    else:
        raise AssertionError("a score was produced with an answer off the scale")


def test_swemwbs_conversion_is_strictly_increasing_over_the_whole_table() -> None:
    table = SWEMWBS.scoring.table()
    values = [table[raw] for raw in range(7, 36)]
    assert all(later > earlier for earlier, later in itertools.pairwise(values))


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_answering_higher_never_lowers_the_swemwbs_metric(data: st.DataObject) -> None:
    lower = data.draw(complete_answers(SWEMWBS))
    higher = {item_id: data.draw(st.integers(value, 5)) for item_id, value in lower.items()}
    low, high = score(SWEMWBS, lower), score(SWEMWBS, higher)
    assert low.value("metric") <= high.value("metric")
    assert (low.value("metric") < high.value("metric")) == (low.value("raw") < high.value("raw"))


# --- suppression -----------------------------------------------------------------------------------


def _rank(rows: list[list[Fraction]]) -> int:
    """Rank by plain row reduction (an implementation independent of rules.outcomes.aggregates)."""
    matrix = [row[:] for row in rows if any(row)]
    rank = 0
    columns = len(matrix[0]) if matrix else 0
    for column in range(columns):
        pivot = next((r for r in range(rank, len(matrix)) if matrix[r][column]), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        for r in range(rank + 1, len(matrix)):
            factor = matrix[r][column] / matrix[rank][column]
            matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[rank], strict=True)]
        rank += 1
    return rank


def _recoverable(hidden: list[Key], lines: list[Line]) -> list[Key]:
    """A hidden entry is recoverable from the published sums exactly when dropping its column from the
    system of sums (restricted to hidden entries) lowers the rank: then every solution fixes it."""

    def system(keys: list[Key]) -> list[list[Fraction]]:
        rows = []
        for total, parts in lines:
            coefficients = {key: Fraction(0) for key in keys}
            if total in coefficients:
                coefficients[total] -= 1
            for part in parts:
                if part in coefficients:
                    coefficients[part] += 1
            rows.append([coefficients[key] for key in keys])
        return rows

    full = _rank(system(hidden))
    return [key for key in hidden if _rank(system([k for k in hidden if k != key])) < full]


tables = st.tuples(st.integers(1, 4), st.integers(1, 4)).flatmap(
    lambda shape: st.lists(
        st.lists(
            st.sampled_from([0, 1, 2, 3, 4, 5, 6, 7, 9, 12, 20]),
            min_size=shape[1],
            max_size=shape[1],
        ),
        min_size=shape[0],
        max_size=shape[0],
    )
)


@settings(max_examples=250, deadline=None)
@given(tables, st.booleans())
def test_suppression_is_never_undone_by_totals(counts: list[list[int]], two_way: bool) -> None:
    records = []
    for r, row in enumerate(counts):
        for c, count in enumerate(row):
            for n in range(count):
                records.append(
                    OutcomeRecord(
                        f"{r}-{c}-{n}",
                        {"row": f"r{r}", "col": f"c{c}"},
                        Fraction(10),
                        Fraction(10 + n % 7 - 3),
                        True,
                    )
                )
    table = aggregate(records, RULE, rows="row", columns="col" if two_way else None)
    lines = table.lines()
    hidden = [key for key, cell in table.cells.items() if cell.suppressed]
    for _key, cell in table.cells.items():
        if cell.suppressed:
            assert cell.stats is None  # nothing of a suppressed cell is carried
        else:
            assert cell.stats is not None
            assert (
                cell.stats.measured == 0 or cell.stats.measured >= 5
            )  # every small count is hidden
    for total, parts in lines:
        unknowns = [key for key in (total, *parts) if key in hidden]
        assert len(unknowns) != 1, f"{unknowns} recoverable from {total}"
    assert _recoverable(hidden, lines) == []
