import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.voice.coproduction import (
    KIND_KEYS,
    RUNGS,
    CoproductionError,
    changes,
    priority,
    rung_name,
)

pytestmark = pytest.mark.pure
D = dt.date


def test_priority_matrix_quadrants() -> None:
    assert priority("high", "low") == "Quick win: start here"
    assert priority("low", "high") == "Hard slog: avoid"
    assert priority("high", "high") == "Needs a business case"
    assert priority("low", "low") == "Nice to have"
    with pytest.raises(CoproductionError):
        priority("medium", "low")


@pytest.mark.parametrize(("rung", "name"), [(1, "Coercion"), (7, "Co-production")])
def test_ladder_ends(rung: int, name: str) -> None:
    assert rung_name(rung) == name


@pytest.mark.parametrize("rung", [0, 8, True])
def test_rungs_outside_the_ladder_are_refused(rung: int) -> None:
    with pytest.raises(CoproductionError):
        rung_name(rung)


def test_change_over_time_hand_worked() -> None:
    history = [
        (D(2026, 6, 1), {"co_delivery": 4, "co_assessment": 2}),
        (D(2025, 12, 1), {"co_delivery": 3, "co_assessment": 2, "co_design": 5}),
        (D(2026, 12, 1), {"co_delivery": 4, "co_design": 4}),
    ]
    (first, a), (second, b), (third, c) = changes(history)
    assert second == D(2026, 6, 1) and third == D(2026, 12, 1)
    assert first == D(2025, 12, 1)
    assert [x.described for x in a] == ["First assessment"] * 3
    assert {x.kind: x.described for x in b} == {
        "co_delivery": "Up 1 rung",
        "co_assessment": "No change",
    }
    # co-design was not rated in June: December is compared with the last rating (5)
    assert {x.kind: x.described for x in c} == {
        "co_design": "Down 1 rung",
        "co_delivery": "No change",
    }


@given(st.lists(st.lists(st.integers(1, RUNGS), min_size=4, max_size=4), min_size=1, max_size=6))
def test_changes_add_up_to_the_difference_between_first_and_last(rungs: list[list[int]]) -> None:
    history = [
        (D(2026, 1, 1) + dt.timedelta(days=n), dict(zip(KIND_KEYS, r, strict=True)))
        for n, r in enumerate(rungs)
    ]
    result = changes(history)
    for i, key in enumerate(KIND_KEYS):
        total = sum(x.change or 0 for _, row in result for x in row if x.kind == key)
        assert total == rungs[-1][i] - rungs[0][i]
