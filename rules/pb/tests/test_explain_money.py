from fractions import Fraction

from rules.pb.explain import money


def test_whole_amounts_are_shown_without_decimals() -> None:
    assert money(Fraction(1234567)) == "1,234,567"


def test_fractional_amounts_round_exactly_to_two_places_halves_away_from_zero() -> None:
    # 2.675 is 2.67499... as a binary float; exact rounding gives 2.68.
    assert money(Fraction(2675, 1000)) == "2.68"
    assert money(Fraction(1, 3)) == "0.33"
    assert money(Fraction(2, 3)) == "0.67"
    assert money(Fraction(5, 1000)) == "0.01"
    assert money(Fraction(4999, 1000000)) == "0.00"
