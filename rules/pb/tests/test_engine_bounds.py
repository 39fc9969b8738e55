"""The intervals of shares on which an exact MES run stays the same (``rules.pb.mes_engine``).

add1 raises every voter's share one unit at a time. The engine tracks each remaining share as
an affine function ``v0 + slope x (b - b0)`` of the starting share ``b`` and proves the interval
``[b0, b_hi)`` on which every such quantity keeps its sign, so the shares inside it are skipped.
A bound too large would skip a share that buys something else; too small only costs runs. These
tests pin the two bound functions at every edge of their definition.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from rules.pb.mes_engine import _exact_bound, _float_bound

F = Fraction
B0 = F(10)


@pytest.mark.parametrize(
    ("v0", "slope", "strict", "expected"),
    [
        # Positive now and falling: positive until v0 + slope x (b - b0) reaches 0.
        (F(3), F(-2), True, F(23, 2)),
        (F(1, 2), F(-1, 4), True, F(12)),
        (F(3), F(-2), False, F(23, 2)),
        # Positive now and not falling: positive for every larger share (no bound).
        (F(3), F(0), True, None),
        (F(3), F(1, 2), True, None),
        # Zero now: rising stays positive (no bound); flat is >= 0 for ever but never > 0.
        (F(0), F(1, 2), True, None),
        (F(0), F(0), False, None),
        (F(0), F(0), True, B0),
        # Zero now and falling, or negative now: no interval at all (the bound is b0 itself).
        (F(0), F(-1), True, B0),
        (F(0), F(-1), False, B0),
        (F(-1), F(1), True, B0),
        (F(-1), F(1), False, B0),
        (F(-1), F(0), False, B0),
    ],
)
def test_exact_bound_is_the_largest_share_keeping_the_sign(
    v0: Fraction, slope: Fraction, strict: bool, expected: Fraction | None
) -> None:
    """``_exact_bound(b0, v0, slope, strict)``: the largest ``b_hi`` with ``v0 + slope x (b -
    b0) > 0`` (``>= 0`` when not ``strict``) for every ``b`` in ``(b0, b_hi)``; ``None`` when no
    share bounds it."""
    assert _exact_bound(B0, v0, slope, strict) == expected


def test_exact_bound_holds_inside_and_fails_just_after() -> None:
    """The bound found is exact: at a share just inside it the value is still positive, at the
    bound it is 0."""
    v0, slope = F(7, 3), F(-5, 2)
    hi = _exact_bound(B0, v0, slope, True)
    assert hi is not None
    assert v0 + slope * (hi - F(1, 10**9) - B0) > 0
    assert v0 + slope * (hi - B0) == 0


@pytest.mark.parametrize(
    ("v_lo", "s_lo", "expected"),
    [
        (3.0, -2.0, 11.5),
        (3.0, 0.0, math.inf),
        (3.0, 0.5, math.inf),
    ],
)
def test_float_bound_is_unbounded_unless_the_value_can_fall(
    v_lo: float, s_lo: float, expected: float
) -> None:
    """``_float_bound(b0, v_lo, s_lo)``: from lower bounds on a positive value and on its slope,
    a share up to which the value certainly stays positive (infinite when it cannot fall)."""
    assert _float_bound(10.0, v_lo, s_lo) == expected
