"""Input validation and the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rules.charging import AssessmentInput, InputError
from rules.charging.cli import main
from rules.charging.tests.helpers import home

EXAMPLES = Path(__file__).parent.parent / "examples"


def test_unknown_and_missing_fields_are_named() -> None:
    data = home(colour="blue")
    del data["age"]
    with pytest.raises(InputError) as error:
        AssessmentInput.from_dict(data)
    assert error.value.fields == ["colour", "age"]
    assert "colour: unknown field" in str(error.value)
    assert "age: missing" in str(error.value)


def test_nested_errors_carry_their_path() -> None:
    data = home(
        incomes={"lottery": "5.00", "esa": 12.5},
        capital=[{"kind": "gold", "value": "1.00", "colour": "x"}],
        property={"worth": "1"},
    )
    with pytest.raises(InputError) as error:
        AssessmentInput.from_dict(data)
    assert set(error.value.fields) == {
        "incomes.lottery",
        "incomes.esa",
        "capital[0].colour",
        "capital[0].kind",
        "property.worth",
        "property.value",
    }


def test_money_rules() -> None:
    for bad in ("12.345", "-1", "abc", 1.5, True):
        with pytest.raises(InputError):
            AssessmentInput.from_dict(home(weekly_cost_of_care=bad))
    assert str(AssessmentInput.from_dict(home(weekly_cost_of_care=300)).weekly_cost_of_care) == (
        "300.00"
    )


def test_care_home_needs_stay_and_weeks_and_adults_only() -> None:
    with pytest.raises(InputError) as error:
        AssessmentInput.from_dict(home(setting="care_home", age=17))
    assert set(error.value.fields) == {"age", "care_home_stay", "weeks_in_care_home"}


def test_date_from_default_or_error() -> None:
    data = home()
    del data["date"]
    with pytest.raises(InputError, match="date"):
        AssessmentInput.from_dict(data)
    import datetime as dt

    parsed = AssessmentInput.from_dict(data, default_date=dt.date(2024, 5, 1))
    assert parsed.date == dt.date(2024, 5, 1)


def test_cli_examples_print_json(capsys: pytest.CaptureFixture[str]) -> None:
    for example in sorted(EXAMPLES.glob("*.yaml")):
        assert main(["calc", str(example)]) == 0
        output = json.loads(capsys.readouterr().out)
        assert set(output) >= {"weekly_charge", "provisional", "breakdown"}
        assert isinstance(output["weekly_charge"], str)
        assert all(isinstance(line["text"], str) for line in output["breakdown"])


def test_cli_home_example_figure(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calc", str(EXAMPLES / "home_working_age.yaml")]) == 0
    output = json.loads(capsys.readouterr().out)
    # Counted 186.84 + 110.40 = 297.24; capital 15,250 + half of 2,000 = 16,250, which is 2,000
    # over the lower limit -> tariff 8; kept 112.50 + 49.65 + 24.25 + 28.08 + 17.27 = 231.75.
    # 297.24 + 8 - 231.75 = 73.49
    assert output["weekly_charge"] == "73.49"
    assert output["provisional"] is False


def test_cli_date_option_and_refusal(capsys: pytest.CaptureFixture[str]) -> None:
    example = str(EXAMPLES / "care_home_permanent.yaml")
    assert main(["calc", example, "--date", "2026-05-01"]) == 3
    assert "is unknown for 2026-05-01" in capsys.readouterr().err


def test_cli_names_bad_fields(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("setting: home\nage: 40\nshoe_size: 9\n", encoding="utf-8")
    assert main(["calc", str(bad), "--date", "2024-06-01"]) == 2
    err = capsys.readouterr().err
    assert "shoe_size" in err and "couple" in err and "weekly_cost_of_care" in err
    assert main(["calc", str(tmp_path / "missing.yaml")]) == 2
    with pytest.raises(SystemExit):
        main(["calc", str(bad), "--date", "yesterday"])
