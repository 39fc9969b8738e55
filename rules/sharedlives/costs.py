"""The weekly cost of a Shared Lives placement beside the alternative's, read from the dated, sourced
parameter file ``data/costs.yaml`` (values are strings there, so money never passes through a float),
and how many weeks a placement has run."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "costs.yaml"
PENNY = Decimal("0.01")


class CostFileError(ValueError):
    """The parameter file is not in the shape this module reads."""


@dataclass(frozen=True)
class DatedValue:
    applies_from: date
    value: Decimal
    status: str
    refs: tuple[str, ...]


@dataclass(frozen=True)
class WeeklyCosts:
    """The figures in force on a day, with where they come from."""

    weekly_cost: Decimal
    alternative_weekly_cost: Decimal
    alternative: str
    applies_from: date
    refs: tuple[str, ...]

    @property
    def weekly_difference(self) -> Decimal:
        """How much less (positive) or more (negative) a week Shared Lives costs."""
        return self.alternative_weekly_cost - self.weekly_cost


def _rows(name: str, node: Any) -> tuple[DatedValue, ...]:
    if not isinstance(node, dict) or not isinstance(node.get("values"), list):
        raise CostFileError(f"{name}: needs a list of values")
    rows = []
    for i, row in enumerate(node["values"]):
        where = f"{name}.values[{i}]"
        raw_value = row.get("value") if isinstance(row, dict) else None
        raw_from = row.get("from") if isinstance(row, dict) else None
        if not isinstance(raw_value, str) or not isinstance(raw_from, str):
            raise CostFileError(f"{where}: 'from' and 'value' must be quoted strings")
        try:
            value = Decimal(raw_value).quantize(PENNY)
            applies_from = date.fromisoformat(raw_from)
        except (InvalidOperation, ValueError) as error:
            raise CostFileError(f"{where}: {error}") from error
        if value < 0:
            raise CostFileError(f"{where}: a cost cannot be negative")
        rows.append(
            DatedValue(
                applies_from=applies_from,
                value=value,
                status=str(row.get("status", "")),
                refs=tuple(str(ref) for ref in row.get("refs", [])),
            )
        )
    return tuple(sorted(rows, key=lambda r: r.applies_from))


@functools.cache
def load(path: Path = DEFAULT_FILE) -> tuple[dict[str, tuple[DatedValue, ...]], str]:
    """The file's series by name, and the name of the alternative."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    parameters = document.get("parameters") if isinstance(document, dict) else None
    if not isinstance(parameters, dict):
        raise CostFileError(f"{path}: needs a 'parameters' mapping")
    series = {
        name: _rows(name, parameters.get(name))
        for name in ("weekly_cost", "alternative_weekly_cost")
    }
    alternative = str(parameters["alternative_weekly_cost"].get("alternative", "The alternative"))
    return series, alternative


def _in_force(rows: tuple[DatedValue, ...], day: date, name: str) -> DatedValue:
    found = [row for row in rows if row.applies_from <= day]
    if not found:
        raise CostFileError(f"No {name} in force on {day.isoformat()}")
    return found[-1]


def costs_on(day: date, path: Path = DEFAULT_FILE) -> WeeklyCosts:
    """The weekly costs in force on ``day`` (the latest row that had started by then)."""
    series, alternative = load(path)
    own = _in_force(series["weekly_cost"], day, "weekly cost")
    other = _in_force(series["alternative_weekly_cost"], day, "alternative weekly cost")
    return WeeklyCosts(
        weekly_cost=own.value,
        alternative_weekly_cost=other.value,
        alternative=alternative,
        applies_from=max(own.applies_from, other.applies_from),
        refs=tuple(dict.fromkeys(own.refs + other.refs)),
    )


def weeks_run(started_on: date, until: date) -> int:
    """Whole weeks a placement has run from ``started_on`` to ``until`` (its end, or today).

    Only completed weeks count (6 days is 0 weeks, 7 days is 1), so figures built on them never
    claim more than happened; a placement that has not started by ``until`` has run 0 weeks.
    """
    days = (until - started_on).days
    return max(0, days // 7)
