"""t critical values against the published table."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from rules.outcomes import t_critical_975

# NIST/SEMATECH e-Handbook of Statistical Methods, section 1.3.6.7.2 'Critical values of the Student's
# t distribution', column 0.975 (two-sided 95%), printed to 3 decimals.
NIST = {
    1: "12.706",
    2: "4.303",
    3: "3.182",
    4: "2.776",
    5: "2.571",
    6: "2.447",
    7: "2.365",
    8: "2.306",
    9: "2.262",
    10: "2.228",
    15: "2.131",
    20: "2.086",
    25: "2.060",
    29: "2.045",
    30: "2.042",
    40: "2.021",
    50: "2.009",
    60: "2.000",
    100: "1.984",
}


@pytest.mark.parametrize(("df", "expected"), sorted(NIST.items()))
def test_matches_the_nist_table(df: int, expected: str) -> None:
    assert t_critical_975(df).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP) == Decimal(
        expected
    )


def test_large_df_tends_to_the_normal_1_960_and_is_continuous_at_1000() -> None:
    """NIST table row 'infinity': 1.960."""
    assert Decimal("1.959964") <= t_critical_975(10**7) <= Decimal("1.959965")
    assert abs(t_critical_975(1000) - t_critical_975(1001)) < Decimal("0.00001")
    values = [t_critical_975(df) for df in range(1, 200)]
    assert values == sorted(values, reverse=True)


@pytest.mark.parametrize("df", [0, -1, True])
def test_refuses_bad_df(df: int) -> None:
    with pytest.raises(ValueError):
        t_critical_975(df)
