"""Every number in the input is bounded: a value outside its range is refused with
``InputRangeError`` naming the field and the range, never a ``decimal`` traceback."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from rules.charging import AssessmentInput, InputError, InputRangeError, assess
from rules.charging.cli import main
from rules.charging.limits import (
    MAX_AGE,
    MAX_CAPITAL,
    MAX_CHILDREN,
    MAX_OWNERS,
    MAX_WEEKLY,
    MAX_WEEKS_IN_CARE_HOME,
)
from rules.charging.tests.helpers import care_home, home

pytestmark = pytest.mark.pure

HUGE = ["1e26", "100000000000000000000000000", "1E+999999", "9" * 5000]


@pytest.mark.parametrize("raw", HUGE)
def test_huge_amounts_are_out_of_range_not_a_traceback(raw: str) -> None:
    with pytest.raises(InputRangeError) as error:
        AssessmentInput.from_dict(home(weekly_cost_of_care=raw))
    assert error.value.fields == ["weekly_cost_of_care"]
    assert "weekly_cost_of_care: must be from £0.00 to £1,000,000.00" in str(error.value)


def test_every_amount_is_bounded_at_its_maximum_with_pence() -> None:
    at_max = AssessmentInput.from_dict(
        home(
            weekly_cost_of_care=str(MAX_WEEKLY),
            incomes={"state_pension": str(MAX_WEEKLY)},
            housing_costs=str(MAX_WEEKLY),
            dre_claimed=str(MAX_WEEKLY),
            capital=[{"kind": "savings", "value": str(MAX_CAPITAL), "secured_debt": "0"}],
        )
    )
    assert assess(at_max).weekly_charge <= MAX_WEEKLY
    data = home(
        weekly_cost_of_care=str(MAX_WEEKLY + 1),
        incomes={"state_pension": str(MAX_WEEKLY + 1)},
        joint_incomes={"esa": "1e30"},
        couple=True,
        housing_costs=str(MAX_WEEKLY + 1),
        dre_claimed="1e27",
        capital=[
            {"kind": "savings", "value": str(MAX_CAPITAL + 1), "secured_debt": "1e40"},
        ],
        property={"value": str(MAX_CAPITAL + Decimal("0.01")), "secured_debt": "1e30"},
    )
    with pytest.raises(InputRangeError) as error:
        AssessmentInput.from_dict(data)
    assert set(error.value.fields) == {
        "weekly_cost_of_care",
        "incomes.state_pension",
        "joint_incomes.esa",
        "housing_costs",
        "dre_claimed",
        "capital[0].value",
        "capital[0].secured_debt",
        "property.value",
        "property.secured_debt",
    }
    assert "£1,000,000,000.00" in str(error.value)


@pytest.mark.parametrize(
    ("field", "maximum", "make"),
    [
        ("dependent_children", MAX_CHILDREN, home),
        ("disabled_children_lower", MAX_CHILDREN, home),
        ("disabled_children_higher", MAX_CHILDREN, home),
        ("age", MAX_AGE, home),
        ("weeks_in_care_home", MAX_WEEKS_IN_CARE_HOME, care_home),
    ],
)
def test_counts_have_a_maximum(field: str, maximum: int, make) -> None:  # type: ignore[no-untyped-def]
    extra = {"dependent_children": maximum} if field.startswith("disabled") else {}
    AssessmentInput.from_dict(make(**extra, **{field: maximum}))  # the maximum is allowed
    for bad in (maximum + 1, 10**30, 10**5000):
        with pytest.raises(InputRangeError) as error:
            assess(AssessmentInput.from_dict(make(**extra, **{field: bad})))
        assert field in error.value.fields
        assert f"to {maximum}" in str(error.value)


def test_owners_have_a_maximum() -> None:
    with pytest.raises(InputRangeError) as error:
        AssessmentInput.from_dict(
            home(
                capital=[{"kind": "savings", "value": "100", "owners": MAX_OWNERS + 1}],
                property={"value": "100", "owners": 10**30},
            )
        )
    assert error.value.fields == ["capital[0].owners", "property.owners"]


def test_range_error_is_an_input_error_and_other_problems_are_not_range_errors() -> None:
    assert issubclass(InputRangeError, InputError)
    with pytest.raises(InputError) as error:
        AssessmentInput.from_dict(home(weekly_cost_of_care="abc"))
    assert not isinstance(error.value, InputRangeError)


def test_cli_reports_huge_numbers_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "huge.yaml"
    bad.write_text(
        "setting: home\nage: 70\ncouple: no\nweekly_cost_of_care: 1e26\n"
        f"dependent_children: {'9' * 5000}\ndate: 2025-06-01\n",
        encoding="utf-8",
    )
    assert main(["calc", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "weekly_cost_of_care: must be from £0.00 to £1,000,000.00" in err
    assert "dependent_children" in err
    assert "fields: " in err
