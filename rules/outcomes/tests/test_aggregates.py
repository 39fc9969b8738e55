"""Aggregates that protect people: consent, statistics, and suppression that totals cannot undo."""

from __future__ import annotations

import itertools
from decimal import Decimal
from fractions import Fraction

import pytest

from rules.outcomes import (
    AggregateInputError,
    AggregateTable,
    OutcomeRecord,
    aggregate,
    mean_confidence_interval,
    score,
)
from rules.outcomes.aggregates import Key
from rules.outcomes.tests.helpers import GBO, SWEMWBS, answers_for_raw, reliable_change

RULE = reliable_change(SWEMWBS)


def _records(layout: dict[tuple[str, str], int], change: int = 3) -> list[OutcomeRecord]:
    records = []
    for (service, area), count in sorted(layout.items()):
        for n in range(count):
            records.append(
                OutcomeRecord(
                    f"{service}-{area}-{n}",
                    {"service": service, "neighbourhood": area},
                    Fraction(20),
                    Fraction(20 + change + (n % 3) - 1),
                    True,
                )
            )
    return records


# services x neighbourhoods; Befriending/North has 3 people (under 5)
LAYOUT = {
    ("Befriending", "North"): 3,
    ("Befriending", "South"): 6,
    ("Befriending", "East"): 8,
    ("Gardening", "North"): 5,
    ("Gardening", "South"): 7,
    ("Gardening", "East"): 9,
    ("Walking", "North"): 8,
    ("Walking", "South"): 9,
    ("Walking", "East"): 11,
}


def _published(table: AggregateTable) -> dict[Key, int]:
    return {key: cell.stats.measured for key, cell in table.cells.items() if cell.stats is not None}


def _possible_values(table: AggregateTable) -> dict[Key, set[int]]:
    """Brute force: every non-negative whole-number filling of the suppressed entries that agrees with
    every published number and every row/column/grand total; the values each hidden entry can take."""
    published = _published(table)
    hidden = sorted((k for k, c in table.cells.items() if c.stats is None), key=str)
    lines = table.lines()
    # no entry can exceed a published total of a sum it is part of (nor the grand total)
    bounds = [
        min(
            [published[total] for total, parts in lines if key in parts and total in published]
            + [published.get((None, None), sum(LAYOUT.values()))]
        )
        for key in hidden
    ]
    possible: dict[Key, set[int]] = {key: set() for key in hidden}
    for values in itertools.product(*(range(bound + 1) for bound in bounds)):
        filled = {**published, **dict(zip(hidden, values, strict=True))}
        if all(filled[total] == sum(filled[p] for p in parts) for total, parts in lines):
            for key, value in zip(hidden, values, strict=True):
                possible[key].add(value)
    return possible


def test_one_cell_under_5_is_suppressed_and_cannot_be_recovered_from_the_totals() -> None:
    table = aggregate(_records(LAYOUT), RULE, rows="service", columns="neighbourhood")
    small = table.cell("Befriending", "North")
    assert small.status == "suppressed_small" and small.stats is None
    hidden = [key for key, cell in table.cells.items() if cell.suppressed]
    # secondary suppression: the next smallest in its row (Befriending/South, 6) and column
    # (Gardening/North, 5), and the cell that closes the rectangle (Gardening/South, 7)
    assert sorted(hidden, key=str) == sorted(
        [
            ("Befriending", "North"),
            ("Befriending", "South"),
            ("Gardening", "North"),
            ("Gardening", "South"),
        ],
        key=str,
    )
    assert {table.cell(*key).status for key in hidden[1:]} | {small.status} == {
        "suppressed_small",
        "suppressed_secondary",
    }
    # every row and column line with a suppression keeps at least two unknowns ...
    for total, parts in table.lines():
        unknowns = [key for key in (total, *parts) if table.cells[key].suppressed]
        assert len(unknowns) in (0,) or len(unknowns) >= 2
    # ... and brute force over every filling consistent with the published totals shows more than one
    # value for every hidden cell: the 3 cannot be worked out.
    possible = _possible_values(table)
    assert 3 in possible[("Befriending", "North")]
    assert all(len(values) >= 2 for values in possible.values())
    # the totals themselves are published (all have 5 or more)
    assert table.cell("Befriending").stats is not None
    assert table.cell(None, "North").stats is not None
    assert table.total.stats is not None and table.total.stats.measured == sum(LAYOUT.values())


def test_without_secondary_suppression_the_total_would_give_it_away() -> None:
    """The reason for step 2: with only the small cell hidden, row total minus the rest recovers it."""
    table = aggregate(_records(LAYOUT), RULE, rows="service", columns="neighbourhood")
    row_total = table.cell("Befriending").stats
    assert row_total is not None
    # what a reader would compute if only the small cell were hidden:
    assert (
        row_total.measured - LAYOUT[("Befriending", "South")] - LAYOUT[("Befriending", "East")] == 3
    )
    # ... which is why South is hidden too
    assert table.cell("Befriending", "South").suppressed


def test_small_row_total_is_suppressed_with_a_partner_among_the_row_totals() -> None:
    layout = {
        ("A", "X"): 2,
        ("A", "Y"): 1,
        ("B", "X"): 7,
        ("B", "Y"): 8,
        ("C", "X"): 9,
        ("C", "Y"): 6,
    }
    table = aggregate(_records(layout), RULE, rows="service", columns="neighbourhood")
    assert table.cell("A").status == "suppressed_small"  # 3 people
    for total, parts in table.lines():
        hidden = [key for key in (total, *parts) if table.cells[key].suppressed]
        assert len(hidden) != 1


def test_one_way_table() -> None:
    records = [
        OutcomeRecord(f"p{n}", {"programme": name}, Fraction(5), Fraction(9), True)
        for n, name in enumerate(["Arts"] * 2 + ["Sport"] * 6 + ["Cooking"] * 9)
    ]
    table = aggregate(records, RULE, rows="programme")
    assert table.cell("Arts").status == "suppressed_small"
    assert table.cell("Sport").status == "suppressed_secondary"  # next smallest
    assert table.cell("Cooking").stats is not None
    assert table.total.stats is not None and table.total.stats.measured == 17


def test_only_people_who_opted_in_are_counted() -> None:
    records = _records({("A", "X"): 6})
    records += [
        OutcomeRecord(
            f"no-{n}", {"service": "A", "neighbourhood": "X"}, Fraction(30), Fraction(10), False
        )
        for n in range(4)
    ]
    table = aggregate(records, RULE, rows="service")
    stats = table.cell("A").stats
    assert stats is not None and stats.measured == 6 and stats.deteriorated == 0
    assert table.excluded_without_consent == 4


def test_statistics_of_a_cell() -> None:
    """Changes 1..5: mean 3, s = sqrt(2.5), se = 0.7071; t(0.975, 4) = 2.776 (NIST table) -> 3 +/- 1.963
    -> [1.03, 4.97] rounded outwards. Reliable improvement (3+): changes 3, 4, 5."""
    records = [
        OutcomeRecord(f"p{n}", {"service": "A"}, Fraction(20), Fraction(20 + n), True)
        for n in range(1, 6)
    ]
    stats = aggregate(records, RULE, rows="service").cell("A").stats
    assert stats is not None
    assert stats.measured == 5
    assert stats.mean_change == 3
    assert (stats.ci_low, stats.ci_high) == (Decimal("1.03"), Decimal("4.97"))
    assert (stats.improved, stats.deteriorated) == (3, 0)
    assert stats.share_improved == Fraction(3, 5)


def test_confidence_interval_of_identical_changes_is_a_point() -> None:
    assert mean_confidence_interval([Fraction(2)] * 6) == (
        Fraction(2),
        Decimal("2.00"),
        Decimal("2.00"),
    )
    assert mean_confidence_interval([Fraction(2)]) == (Fraction(2), None, None)


def test_records_from_scores_use_the_headline_value() -> None:
    before = score(SWEMWBS, answers_for_raw(SWEMWBS, 21))
    after = score(SWEMWBS, answers_for_raw(SWEMWBS, 25))
    record = OutcomeRecord.from_scores("p1", {"service": "A"}, before, after, True)
    assert (record.before, record.after) == (Fraction("19.25"), Fraction("22.35"))
    with pytest.raises(AggregateInputError):
        OutcomeRecord.from_scores("p1", {}, before, score(GBO, {"progress": 3}), True)


@pytest.mark.parametrize(
    "records",
    [
        [OutcomeRecord("p", {"service": "A"}, Fraction(1), Fraction(2), True)] * 2,
        [OutcomeRecord("p", {}, Fraction(1), Fraction(2), True)],
        [OutcomeRecord("p", {"service": "A"}, 1.5, Fraction(2), True)],  # type: ignore[arg-type]
    ],
)
def test_bad_records_are_refused(records: list[OutcomeRecord]) -> None:
    with pytest.raises(AggregateInputError):
        aggregate(records, RULE, rows="service")
