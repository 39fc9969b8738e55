"""Aggregates that protect people: outcomes by group with small numbers suppressed.

    table = aggregate(records, rule, rows="service", columns="neighbourhood")
    table.cell("Befriending", "North").stats      # None when the cell is suppressed

Each record is one person's before/after value for one measure (the app picks one episode per
person). Only records whose ``counts_in_aggregates`` is True are counted; the rest are dropped.

Per cell (and per row, column and grand total): the number measured, the mean change with a 95%
confidence interval (Student t), and how many / what share had a reliable improvement or
deterioration. Suppression (see docs/outcomes.md):

1. primary: any cell or total with 1 to ``minimum - 1`` people (default: fewer than 5) is suppressed;
2. secondary: every published sum (a row with its total, a column with its total, the row totals
   with the grand total, the column totals with the grand total) must hide either none or at least
   two of its entries, otherwise the hidden one is the total minus the others: the smallest other
   entry with people in it is suppressed too (a total only when no cell is left);
3. audit: the published numbers are solved as a linear system (exact fractions); any suppressed
   entry whose value is still determined (e.g. a cell joining two otherwise separate suppression
   patterns) gets one more, smallest, suppression that makes it undetermined;
4. repeat 2-3 until nothing changes.

A suppressed entry carries no statistics at all (``stats`` is None), so nothing can leak from it;
the same pattern protects every additive statistic (counts, sums of change, counts improving).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, localcontext
from fractions import Fraction
from typing import Literal

from rules.outcomes.errors import AggregateInputError
from rules.outcomes.measures import ReliableChangeRule
from rules.outcomes.scoring import Score, classify
from rules.outcomes.tdist import t_critical_975

MINIMUM_CELL = 5
Key = tuple[str | None, str | None]
"""(row, column); None is the total. A one-way table has column None throughout."""
Status = Literal["published", "suppressed_small", "suppressed_secondary"]
Line = tuple[Key, tuple[Key, ...]]
"""A published sum: (total entry, the entries that add up to it)."""


@dataclass(frozen=True)
class OutcomeRecord:
    """One person's paired values (e.g. SWEMWBS metric at the start and at review)."""

    person_ref: str
    """An opaque reference used only to refuse counting one person twice; never output."""
    groups: Mapping[str, str]
    before: Fraction
    after: Fraction
    counts_in_aggregates: bool
    """The person chose to let their answers count in aggregates."""

    @classmethod
    def from_scores(
        cls,
        person_ref: str,
        groups: Mapping[str, str],
        before: Score,
        after: Score,
        counts_in_aggregates: bool,
    ) -> OutcomeRecord:
        """Use the scores' headline value (SWEMWBS metric, a goal rating...)."""
        if before.measure_id != after.measure_id or before.headline is None:
            raise AggregateInputError(
                f"{person_ref}: scores must be of one measure that has a headline value"
            )
        return cls(
            person_ref,
            groups,
            before.value(before.headline),
            after.value(before.headline),
            counts_in_aggregates,
        )


@dataclass(frozen=True)
class CellStats:
    measured: int
    mean_change: Fraction | None
    """Exact mean of (after - before); None when nobody was measured."""
    ci_low: Decimal | None
    ci_high: Decimal | None
    """95% confidence interval (Student t, df = measured - 1), rounded outwards to 2 decimals;
    None with fewer than two people."""
    improved: int
    deteriorated: int

    @property
    def share_improved(self) -> Fraction | None:
        return Fraction(self.improved, self.measured) if self.measured else None

    @property
    def share_deteriorated(self) -> Fraction | None:
        return Fraction(self.deteriorated, self.measured) if self.measured else None


@dataclass(frozen=True)
class Cell:
    row: str | None
    column: str | None
    status: Status
    stats: CellStats | None
    """None whenever the cell is suppressed."""

    @property
    def suppressed(self) -> bool:
        return self.status != "published"


@dataclass(frozen=True)
class AggregateTable:
    row_key: str
    column_key: str | None
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: Mapping[Key, Cell]
    minimum: int
    threshold: Fraction
    excluded_without_consent: int

    def cell(self, row: str | None, column: str | None = None) -> Cell:
        return self.cells[(row, column)]

    @property
    def total(self) -> Cell:
        return self.cells[(None, None)]

    def lines(self) -> list[Line]:
        return table_lines(self.rows, self.columns if self.column_key else None)


# --- statistics ----------------------------------------------------------------------------------


def _to_fraction(value: object, where: str) -> Fraction:
    if isinstance(value, (bool, float)):
        raise AggregateInputError(
            f"{where}: {value!r} must be an exact number (int, Fraction or Decimal)"
        )
    if isinstance(value, (int, Fraction)):
        return Fraction(value)
    if isinstance(value, Decimal) and value.is_finite():
        return Fraction(value)
    raise AggregateInputError(f"{where}: {value!r} is not a number")


def mean_confidence_interval(
    values: Sequence[Fraction],
) -> tuple[Fraction, Decimal | None, Decimal | None]:
    """Exact mean and its 95% confidence interval (t distribution), ends rounded outwards to 2 d.p."""
    n = len(values)
    if n == 0:
        raise ValueError("no values")
    mean = sum(values, Fraction(0)) / n
    if n < 2:
        return mean, None, None
    variance = sum(((v - mean) ** 2 for v in values), Fraction(0)) / (n - 1)
    squared_error = variance / n
    with localcontext() as context:
        context.prec = 40
        standard_error = (
            Decimal(squared_error.numerator) / Decimal(squared_error.denominator)
        ).sqrt()
        half_width = t_critical_975(n - 1) * standard_error
        centre = Decimal(mean.numerator) / Decimal(mean.denominator)
        low = (centre - half_width).quantize(Decimal("0.01"), rounding=ROUND_FLOOR)
        high = (centre + half_width).quantize(Decimal("0.01"), rounding=ROUND_CEILING)
    return mean, low, high


def cell_stats(records: Sequence[OutcomeRecord], rule: ReliableChangeRule) -> CellStats:
    if not records:
        return CellStats(0, None, None, None, 0, 0)
    differences = [r.after - r.before for r in records]
    mean, low, high = mean_confidence_interval(differences)
    directions = [classify(d, rule) for d in differences]
    return CellStats(
        measured=len(records),
        mean_change=mean,
        ci_low=low,
        ci_high=high,
        improved=directions.count("improvement"),
        deteriorated=directions.count("deterioration"),
    )


# --- suppression ---------------------------------------------------------------------------------


def _order(key: Key) -> tuple[bool, str, bool, str]:
    row, column = key
    return (row is None, row or "", column is None, column or "")


def table_lines(rows: Sequence[str], columns: Sequence[str] | None) -> list[Line]:
    """The sums a published table lets a reader check (and so exploit)."""
    if columns is None:
        return [((None, None), tuple((row, None) for row in rows))]
    lines: list[Line] = []
    for row in rows:
        lines.append(((row, None), tuple((row, column) for column in columns)))
    for column in columns:
        lines.append(((None, column), tuple((row, column) for row in rows)))
    lines.append(((None, None), tuple((row, None) for row in rows)))
    lines.append(((None, None), tuple((None, column) for column in columns)))
    return lines


def determined_entries(
    suppressed: Iterable[Key], lines: Sequence[Line], counts: Mapping[Key, int]
) -> list[Key]:
    """Suppressed entries whose value a reader can work out exactly from the published entries and
    the sums in ``lines`` (Gauss-Jordan elimination over exact fractions)."""
    unknowns = sorted(set(suppressed), key=_order)
    if not unknowns:
        return []
    index = {key: i for i, key in enumerate(unknowns)}
    width = len(unknowns)
    matrix: list[list[Fraction]] = []
    for total, parts in lines:
        row = [Fraction(0)] * (width + 1)
        constant = Fraction(0)
        for key, coefficient in [(total, -1), *[(part, 1) for part in parts]]:
            if key in index:
                row[index[key]] += coefficient
            else:
                constant -= coefficient * counts[key]
        row[width] = constant
        if any(row[:width]):
            matrix.append(row)
    pivots: list[int] = []
    rank = 0
    for column in range(width):
        pivot = next((r for r in range(rank, len(matrix)) if matrix[r][column] != 0), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        lead = matrix[rank][column]
        matrix[rank] = [value / lead for value in matrix[rank]]
        for r in range(len(matrix)):
            if r != rank and matrix[r][column] != 0:
                factor = matrix[r][column]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[rank], strict=True)]
        pivots.append(column)
        rank += 1
    free = [c for c in range(width) if c not in pivots]
    found = []
    for r, column in enumerate(pivots):
        if all(matrix[r][f] == 0 for f in free):
            found.append(unknowns[column])
    return sorted(found, key=_order)


def _partner(
    members: Sequence[Key], total: Key, suppressed: set[Key], counts: Mapping[Key, int]
) -> Key:
    open_parts = [m for m in members if m not in suppressed and m != total]
    with_people = sorted(
        (m for m in open_parts if counts[m] > 0), key=lambda m: (counts[m], _order(m))
    )
    if with_people:
        return with_people[0]
    if total not in suppressed:
        return total
    return sorted(open_parts, key=_order)[0]


def protect(
    counts: Mapping[Key, int], lines: Sequence[Line], minimum: int = MINIMUM_CELL
) -> dict[Key, Status]:
    """Which entries to suppress (primary and secondary), iterated until stable."""
    primary = {key for key, n in counts.items() if 0 < n < minimum}
    suppressed = set(primary)
    while True:
        changed = False
        for total, parts in lines:
            members = (total, *parts)
            hidden = [m for m in members if m in suppressed]
            if len(hidden) == 1 and len(members) > 1:
                suppressed.add(_partner(members, total, suppressed, counts))
                changed = True
        if changed:
            continue
        exposed = determined_entries(suppressed, lines, counts)
        if not exposed:
            break
        target = exposed[0]
        candidates = sorted(
            (k for k in counts if k not in suppressed),
            key=lambda k: (counts[k] == 0, counts[k], _order(k)),
        )
        if not candidates:  # pragma: no cover - everything is already hidden
            break
        breaker = next(
            (
                c
                for c in candidates
                if target not in determined_entries(suppressed | {c}, lines, counts)
            ),
            candidates[0],
        )
        suppressed.add(breaker)
    return {
        key: (
            "suppressed_small"
            if key in primary
            else "suppressed_secondary"
            if key in suppressed
            else "published"
        )
        for key in counts
    }


# --- the table -----------------------------------------------------------------------------------


def aggregate(
    records: Iterable[OutcomeRecord],
    rule: ReliableChangeRule,
    rows: str,
    columns: str | None = None,
    minimum: int = MINIMUM_CELL,
) -> AggregateTable:
    """Outcomes by ``rows`` (and ``columns``) group key, with totals, suppressed as described above.
    Records without consent are dropped (their number is reported, nothing else)."""
    if minimum < 2:
        raise AggregateInputError("minimum: cells must need at least 2 people")
    kept: list[OutcomeRecord] = []
    seen: set[str] = set()
    excluded = 0
    for position, record in enumerate(records):
        where = f"records[{position}]"
        if record.person_ref in seen:
            raise AggregateInputError(
                f"{where}: a person appears twice; give one record per person per table"
            )
        seen.add(record.person_ref)
        for group_key in (rows, columns):
            if group_key is None:
                continue
            value = record.groups.get(group_key)
            if not isinstance(value, str) or not value:
                raise AggregateInputError(f"{where}.groups.{group_key}: missing")
        checked = OutcomeRecord(
            record.person_ref,
            record.groups,
            _to_fraction(record.before, f"{where}.before"),
            _to_fraction(record.after, f"{where}.after"),
            record.counts_in_aggregates,
        )
        if record.counts_in_aggregates is True:
            kept.append(checked)
        else:
            excluded += 1

    row_values = tuple(sorted({r.groups[rows] for r in kept}))
    column_values = tuple(sorted({r.groups[columns] for r in kept})) if columns else ()
    members: dict[Key, list[OutcomeRecord]] = {}

    def put(key: Key, record: OutcomeRecord) -> None:
        members.setdefault(key, []).append(record)

    keys: list[Key] = [(None, None)] + [(row, None) for row in row_values]
    if columns:
        keys += [(None, column) for column in column_values]
        keys += [(row, column) for row in row_values for column in column_values]
    for key in keys:
        members[key] = []
    for record in kept:
        row = record.groups[rows]
        put((None, None), record)
        put((row, None), record)
        if columns:
            column = record.groups[columns]
            put((None, column), record)
            put((row, column), record)

    counts = {key: len(found) for key, found in members.items()}
    lines = table_lines(row_values, column_values if columns else None)
    statuses = protect(counts, lines, minimum)
    cells = {
        key: Cell(
            key[0],
            key[1],
            statuses[key],
            cell_stats(members[key], rule) if statuses[key] == "published" else None,
        )
        for key in sorted(members, key=_order)
    }
    return AggregateTable(
        row_key=rows,
        column_key=columns,
        rows=row_values,
        columns=column_values,
        cells=cells,
        minimum=minimum,
        threshold=rule.threshold,
        excluded_without_consent=excluded,
    )
