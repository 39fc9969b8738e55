from hypothesis import given
from hypothesis import strategies as st

from rules.apportion import largest_remainder


def test_worked_example_with_remainders() -> None:
    # 100 pence by 1:1:1 -> 33.33 each; one penny left goes to the earliest.
    assert largest_remainder([1, 1, 1], 100) == [34, 33, 33]
    # 10 seats by 5:3:2 of 10 -> exact.
    assert largest_remainder([5, 3, 2], 10) == [5, 3, 2]
    # 7 by 3:3:1 -> 3, 3, 1 exactly.
    assert largest_remainder([3, 3, 1], 7) == [3, 3, 1]
    # 5 by 2:2:3 -> quotas 1.43, 1.43, 2.14 -> floors 1,1,2, one left to a 0.43 (the earlier).
    assert largest_remainder([2, 2, 3], 5) == [2, 1, 2]


def test_tie_break_chooses_among_equal_remainders() -> None:
    assert largest_remainder([1, 1, 1], 100, tie_break=lambda i: -i) == [33, 33, 34]


def test_the_largest_remainder_wins_over_the_tie_break() -> None:
    # 10 by 1:2 -> 3.33 and 6.67: the 0.67 remainder gets the unit whatever the tie-break says.
    assert largest_remainder([1, 2], 10, tie_break=lambda i: -i) == [3, 7]
    assert largest_remainder([1, 2], 10) == [3, 7]


def test_refusals() -> None:
    import pytest

    for weights, units in [([1], -1), ([-1, 2], 3), ([0, 0], 3)]:
        with pytest.raises(ValueError):
            largest_remainder(weights, units)


@given(
    st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=8).filter(any),
    st.integers(min_value=0, max_value=10**6),
)
def test_parts_add_up_and_each_is_within_one_of_its_quota(weights: list[int], units: int) -> None:
    parts = largest_remainder(weights, units)
    assert sum(parts) == units
    whole = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert units * weight // whole <= part <= units * weight // whole + 1
        if weight == 0:
            assert part == 0
