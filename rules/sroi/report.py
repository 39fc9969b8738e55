"""One SROI report as JSON-ready data: the result, the sensitivity table and the switching values."""

from __future__ import annotations

from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from rules.sroi.calculate import calculate, money, percent, ratio
from rules.sroi.case import Case, case_from_dict
from rules.sroi.errors import CaseError
from rules.sroi.sensitivity import switching_values, variations

DATA = Path(__file__).resolve().parent / "data"
MAX_CASE_BYTES = 1_000_000


def _shown(assumption: str, value: Fraction | None) -> str | None:
    if value is None:
        return None
    if assumption in ("deadweight", "displacement", "attribution", "drop_off", "discount_rate"):
        return percent(value)
    if assumption == "proxy_value":
        return money(value)
    return (
        format(value.numerator / value.denominator, "g") if value.denominator != 1 else str(value)
    )


def report(case: Case) -> dict[str, Any]:
    result = calculate(case)
    data = result.to_dict()
    data["sensitivity"] = [
        {
            "outcome": row.outcome_id,
            "assumption": row.assumption,
            "base": _shown(row.assumption, row.base),
            "varied": _shown(row.assumption, row.varied),
            "ratio": ratio(row.ratio),
        }
        for row in variations(case)
    ]
    data["switching_values"] = [
        {
            "outcome": row.outcome_id,
            "assumption": row.assumption,
            "base": _shown(row.assumption, row.base),
            "ratio_is_1_at": _shown(row.assumption, row.value),
            "note": row.note,
        }
        for row in switching_values(case)
    ]
    return data


def load_case(path: Path) -> Case:
    """Read a case file (YAML or JSON). Numbers must be quoted; floats are refused."""
    if path.stat().st_size > MAX_CASE_BYTES:
        raise CaseError("case", "the file is larger than 1 MB")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise CaseError("case", f"cannot read the file: {error}") from None
    return case_from_dict(data)


@cache
def reference_figures() -> dict[str, Any]:
    """The Open Government Licence figures shipped with the calculator, with their sources."""
    loaded = yaml.safe_load((DATA / "green_book.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded
