"""Issue 19: Pension Credit age from a date of birth (rising to 67), national figures newer than
the parameter file (from the admin or a file), and the CLI taking the same figures as the web."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from rules.charging import (
    AssessmentInput,
    InputError,
    NationalFigure,
    OverrideError,
    UnknownParameterError,
    assess,
    state_pension_date,
)
from rules.charging.cli import main
from rules.charging.parameters import load_parameter_file
from rules.charging.tests.helpers import home

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
D = dt.date.fromisoformat


@pytest.mark.parametrize(
    ("born", "reaches"),
    [
        ("1954-10-06", "2020-10-06"),  # 66
        ("1960-04-05", "2026-04-05"),  # last day of 66
        ("1960-04-06", "2026-05-06"),  # 66 and 1 month
        ("1960-05-05", "2026-06-05"),
        ("1960-05-06", "2026-07-06"),  # 66 and 2 months
        ("1961-03-05", "2028-02-05"),  # 66 and 11 months
        ("1961-03-06", "2028-03-06"),  # 67
        ("1977-04-05", "2044-04-05"),
    ],
)
def test_state_pension_age_by_date_of_birth(born: str, reaches: str) -> None:
    assert state_pension_date(D(born)) == D(reaches)


def test_births_after_april_1977_are_refused_by_name() -> None:
    with pytest.raises(InputError) as caught:
        state_pension_date(D("1977-04-06"))
    assert caught.value.fields == ["date_of_birth"]


def _pension_age_used(born: str, on: str) -> bool:
    person = AssessmentInput.from_dict(
        home(date=on, age=66, date_of_birth=born, incomes={"state_pension": "230.25"})
    )
    national = _all_2026_figures()
    result = assess(person, national=national)
    return any("Pension Credit age" in line.text for line in result.breakdown)


def _all_2026_figures() -> dict[str, list[NationalFigure]]:
    """Every 2026/27 unknown row filled with its 2025/26 value (a stand-in for the circular)."""
    figures: dict[str, list[NationalFigure]] = {}
    for name, series in load_parameter_file().items():
        if name == "people.pension_credit_qualifying_age":
            continue
        current = series.in_force(D("2026-04-06"))
        if current is not None and not current.is_usable and current.applies_from.year == 2026:
            earlier = [v for v in series.values if v.is_usable]
            if earlier:
                figures[name] = [NationalFigure(earlier[-1].value, current.applies_from)]  # type: ignore[arg-type]
    return figures


def test_a_66_year_old_born_in_may_1960_has_not_reached_pension_credit_age_in_june_2026() -> None:
    assert _pension_age_used("1960-05-05", "2026-06-05")
    assert not _pension_age_used("1960-05-05", "2026-06-04")


def test_without_a_date_of_birth_2026_still_needs_an_answer() -> None:
    person = AssessmentInput.from_dict(home(date="2026-06-01", age=66))
    with pytest.raises(UnknownParameterError, match="date_of_birth"):
        assess(person, national=_all_2026_figures())


def test_bad_dates_of_birth_are_named() -> None:
    for bad in ("yesterday", "2027-01-01"):
        with pytest.raises(InputError) as caught:
            AssessmentInput.from_dict(home(date="2026-06-01", date_of_birth=bad))
        assert "date_of_birth" in caught.value.fields


def test_national_figures_fill_the_unknown_year() -> None:
    person = AssessmentInput.from_dict(home(date="2026-06-01", age=40))
    with pytest.raises(UnknownParameterError):
        assess(person)
    result = assess(person, national=_all_2026_figures())
    assert result.weekly_charge >= 0
    with pytest.raises(OverrideError):
        assess(person, national={"no.such": [NationalFigure(Decimal(1), D("2026-04-06"))]})


def test_the_parameter_file_states_the_expected_rise() -> None:
    series = load_parameter_file()["minimum_income_guarantee.single_25_to_pension_credit_age"]
    assert series.in_force(D("2026-06-01")).expected_rise == Decimal("0.07")  # type: ignore[union-attr]


def test_cli_takes_local_and_national_figure_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = str(EXAMPLES / "home_working_age.yaml")
    assert main(["calc", example, "--date", "2026-06-01"]) == 3
    capsys.readouterr()
    national = tmp_path / "national.yaml"
    national.write_text(
        "\n".join(
            f'{name}: [{{value: "{rows[0].value}", applies_from: "2026-04-06"}}]'
            for name, rows in _all_2026_figures().items()
        ),
        encoding="utf-8",
    )
    assert main(["calc", example, "--date", "2026-06-01", "--national", str(national)]) == 0
    plain = json.loads(capsys.readouterr().out)
    local = tmp_path / "local.json"
    local.write_text(
        json.dumps(
            {"local.dre_standard_allowance": {"value": "10.00", "applies_from": "2026-04-06"}}
        ),
        encoding="utf-8",
    )
    args = ["calc", example, "--date", "2026-06-01", "--national", str(national)]
    assert main([*args, "--local", str(local)]) == 0
    with_local = json.loads(capsys.readouterr().out)
    assert Decimal(with_local["weekly_charge"]) <= Decimal(plain["weekly_charge"])
    bad = tmp_path / "bad.yaml"
    bad.write_text("- just a list\n", encoding="utf-8")
    assert main([*args, "--local", str(bad)]) == 2
    assert "mapping" in capsys.readouterr().err
    assert main([*args, "--local", str(tmp_path / "missing.yaml")]) == 2
    assert "cannot read" in capsys.readouterr().err
    worse = tmp_path / "worse.yaml"
    worse.write_text('capital.upper_limit: {value: "1", applies_from: "2026-04-06"}\n')
    assert main([*args, "--local", str(worse)]) == 3
    assert "less generous" in capsys.readouterr().err


def test_cli_takes_one_figures_file_as_the_admin_downloads_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = str(EXAMPLES / "home_working_age.yaml")
    lines = [
        "local:",
        '  local.dre_standard_allowance: {value: "10.00", applies_from: "2026-04-06"}',
    ]
    lines.append("national:")
    lines += [
        f'  {name}: [{{value: "{rows[0].value}", applies_from: "2026-04-06"}}]'
        for name, rows in _all_2026_figures().items()
    ]
    both = tmp_path / "figures.yaml"
    both.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["calc", example, "--date", "2026-06-01", "--figures", str(both)]) == 0
    assert json.loads(capsys.readouterr().out)["weekly_charge"]
    odd = tmp_path / "odd.yaml"
    odd.write_text("locals: {}\n", encoding="utf-8")
    assert main(["calc", example, "--figures", str(odd)]) == 2
    assert "unknown sections" in capsys.readouterr().err
