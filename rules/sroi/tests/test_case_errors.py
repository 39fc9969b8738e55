"""Bad cases are refused with the field named and what to do, never calculated with a guess."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from rules.sroi import CaseError, case_from_dict

pytestmark = pytest.mark.pure
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "lunch_club.yaml"


def example() -> dict[str, Any]:
    data = yaml.safe_load(EXAMPLE.read_text())
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (
            lambda d: d["outcomes"][0].__setitem__("deadweight", 0.25),
            "outcomes[0].deadweight",
            "as text",
        ),
        (
            lambda d: d["outcomes"][0].__setitem__("deadweight", "101%"),
            "outcomes[0].deadweight",
            "0% to 100%",
        ),
        (
            lambda d: d["outcomes"][0].__setitem__("deadweight", "-1%"),
            "outcomes[0].deadweight",
            "0% to 100%",
        ),
        (
            lambda d: d["outcomes"][0].pop("deadweight_source"),
            "outcomes[0].deadweight_source",
            "where",
        ),
        (lambda d: d["outcomes"][0].pop("attribution"), "outcomes[0].attribution", "required"),
        (lambda d: d["outcomes"][0]["proxy"].pop("source"), "outcomes[0].proxy.source", "required"),
        (
            lambda d: d["outcomes"][0]["proxy"].__setitem__("value", "12.345"),
            "outcomes[0].proxy.value",
            "penny",
        ),
        (
            lambda d: d["outcomes"][1]["proxy"].__setitem__("price_year", 2019),
            "outcomes[1].proxy.price_year",
            "2019 is missing",
        ),
        (lambda d: d["outcomes"][1].__setitem__("id", "less-lonely"), "outcomes[1].id", "twice"),
        (
            lambda d: d["outcomes"][0].__setitem__("duration_years", 31),
            "outcomes[0].duration_years",
            "1 to 30",
        ),
        (lambda d: d["inputs"][1].pop("rate_source"), "inputs[1].rate_source", "required"),
        (
            lambda d: d["inputs"][0].__setitem__("amount", "1e30"),
            "inputs[0].amount",
            "check the figure",
        ),
        (lambda d: d["inputs"][0].__setitem__("sector", "army"), "inputs[0].sector", "one of"),
        (lambda d: d.__setitem__("discount_rate", "21%"), "discount_rate", "0% to 20%"),
        (lambda d: d.pop("discount_rate_source"), "discount_rate_source", "where"),
        (lambda d: d.__setitem__("outcomes", []), "outcomes", "at least one"),
        (lambda d: d["deflator"].pop("source"), "deflator.source", "required"),
    ],
)
def test_each_mistake_is_named(change: Any, path: str, words: str) -> None:
    data = copy.deepcopy(example())
    change(data)
    with pytest.raises(CaseError) as caught:
        case_from_dict(data)
    assert caught.value.path == path
    assert words in caught.value.message


def test_displacement_and_drop_off_default_to_none_and_say_so() -> None:
    data = example()
    case = case_from_dict(data)
    gp = case.outcome("fewer-gp-visits")
    assert gp.displacement.value == 0 and "assumed none" in gp.displacement.source
    assert gp.drop_off.value == 0 and "assumed none" in gp.drop_off.source


def test_command_prints_the_json_the_issue_names(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "rules.sroi.cli", "calc", str(EXAMPLE)],
        capture_output=True,
        text=True,
        check=True,
    )
    import json

    data = json.loads(out.stdout)
    assert (
        data["present_value"],
        data["net_present_value"],
        data["ratio"],
        data["payback_months"],
    ) == (
        "35540.97",
        "20540.97",
        "2.37",
        "7.1",
    )
    assert data["switching_values"] and data["sensitivity"] and data["conventions"]

    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nbase_year: 2026\n")
    failed = subprocess.run(
        [sys.executable, "-m", "rules.sroi.cli", "calc", str(bad)], capture_output=True, text=True
    )
    assert failed.returncode == 2
    assert "inputs" in failed.stderr


def test_counted_minutes_stay_exact() -> None:
    data = example()
    data["inputs"][1] = {
        "name": "Time-bank hours",
        "kind": "hours",
        "sector": "voluntary_sector",
        "minutes": 50,
        "rate": "12.00",
        "rate_source": "area rate",
        "note": "50 minutes in 1 exchange",
    }
    case = case_from_dict(data)
    # 50 minutes = 5/6 hour; x £12.00 = £10.00 exactly (0.8333 hours x 12 would be 9.9996)
    assert case.inputs[1].amount == 10
    assert case.inputs[1].note == "50 minutes in 1 exchange"
