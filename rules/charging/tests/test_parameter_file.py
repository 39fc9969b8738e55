"""Reading the parameter file: every refusal, word for word, and a fresh (uncached) parse.

``load_parameter_file`` is cached, so the suite's other tests read the file once; these call the
parser directly, so a change to it is seen in every test run (issue 14, docs/mutation.md).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from rules.charging.parameters import (
    DEFAULT_PARAMETER_FILE,
    ParameterFileError,
    _parse_series,
    load_parameter_file,
)

ROW = {"from": "2024-04-01", "value": "1.00", "status": "verified"}


def test_a_fresh_parse_of_the_shipped_file_equals_the_cached_one() -> None:
    fresh = load_parameter_file.__wrapped__(DEFAULT_PARAMETER_FILE)
    assert fresh == load_parameter_file()
    upper = fresh["capital.upper_limit"]
    assert upper.legal_basis == "Charging Regs reg 12; Annex B para 3"
    assert upper.description.startswith("Capital above this")
    assert upper.overridable == frozenset({"home"})
    first = upper.values[0]
    assert (first.value, first.status, first.applies_from) == (
        Decimal("23250.00"),
        "verified",
        dt.date(2010, 4, 1),
    )
    assert first.refs == ("circular_2024_25", "gloucestershire_capital_2025_26", "annex_b_copy")
    assert first.note == "tax years 2010/11-2025/26"
    assert fresh["local.minimum_charge_threshold"].overridable == frozenset({"home", "care_home"})
    assert fresh["personal_expenses_allowance"].overridable == frozenset({"care_home"})
    assert fresh["capital.tariff_step"].overridable == frozenset()
    rise = fresh["minimum_income_guarantee.single_18_24"].values[-1]
    assert (rise.value, rise.status, rise.expected_rise) == (None, "unknown", Decimal("0.07"))


def test_values_are_sorted_by_date_and_missing_texts_are_empty() -> None:
    later = {"from": "2025-04-01", "value": "2.00", "status": "estimate", "ref": ["a", "b"]}
    series = _parse_series("x", {"values": [later, ROW]})
    assert [v.applies_from for v in series.values] == [dt.date(2024, 4, 1), dt.date(2025, 4, 1)]
    assert series.values[0].refs == ()
    assert series.values[0].note == ""
    assert series.values[1].refs == ("a", "b")
    assert (series.description, series.legal_basis, series.overridable) == ("", "", frozenset())
    assert series.in_force(dt.date(2024, 3, 31)) is None
    assert series.in_force(dt.date(2024, 4, 1)) == series.values[0]
    assert series.in_force(dt.date(2025, 3, 31)) == series.values[0]
    assert series.in_force(dt.date(2025, 4, 1)) == series.values[1]


@pytest.mark.parametrize(
    ("node", "message"),
    [
        ([], "parameters.x: needs a 'values' list"),
        ({"values": {}}, "parameters.x: needs a 'values' list"),
        ({"values": [], "overridable": "all"}, "parameters.x.overridable: 'all'"),
        ({"values": ["a"]}, "parameters.x.values[0]: not a mapping"),
        ({"values": [ROW, {**ROW, "status": "guess"}]}, "parameters.x.values[1].status: 'guess'"),
        (
            {"values": [{**ROW, "from": "soon"}]},
            "parameters.x.values[0].from: missing or not a date",
        ),
        (
            {"values": [{"value": "1", "status": "verified"}]},
            "parameters.x.values[0].from: missing or not a date",
        ),
        (
            {"values": [{**ROW, "value": 1.5}]},
            "parameters.x.values[0].value: write money as a string, not a float",
        ),
        ({"values": [{**ROW, "value": "lots"}]}, "parameters.x.values[0].value: 'lots'"),
        (
            {"values": [{**ROW, "value": None}]},
            "parameters.x.values[0]: a null value needs status unknown, and only it",
        ),
        (
            {"values": [{**ROW, "status": "unknown"}]},
            "parameters.x.values[0]: a null value needs status unknown, and only it",
        ),
        (
            {"values": [{**ROW, "value": None, "status": "unknown", "expected_rise": "x"}]},
            "parameters.x.values[0].expected_rise: 'x'",
        ),
        (
            {"values": [{**ROW, "expected_rise": "0.07"}]},
            "parameters.x.values[0].expected_rise: only on unknown rows, as a string",
        ),
        (
            {"values": [{**ROW, "value": None, "status": "unknown", "expected_rise": 0.07}]},
            "parameters.x.values[0].expected_rise: only on unknown rows, as a string",
        ),
    ],
)
def test_a_malformed_series_is_refused_with_its_place(node: object, message: str) -> None:
    with pytest.raises(ParameterFileError) as error:
        _parse_series("x", node)
    assert str(error.value) == message


def test_a_file_without_parameters_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("sources: {}\n", encoding="utf-8")
    with pytest.raises(ParameterFileError, match="needs a 'parameters' mapping"):
        load_parameter_file.__wrapped__(path)
