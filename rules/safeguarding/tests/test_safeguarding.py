from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from rules.safeguarding import Check, Gap, all_clear, gaps, valid_until

DAY = date(2026, 6, 15)
LABELS = {"dbs_enhanced": "Enhanced DBS check", "reference": "Reference"}


def test_a_check_covers_the_day_it_was_made_and_its_expiry_day_but_not_either_side() -> None:
    check = Check("dbs_enhanced", checked_on=DAY, expires_on=DAY + timedelta(days=30))
    assert check.covers(DAY)
    assert check.covers(DAY + timedelta(days=30))
    assert not check.covers(DAY - timedelta(days=1))
    assert not check.covers(DAY + timedelta(days=31))


def test_a_check_without_expiry_lasts() -> None:
    assert Check("reference", checked_on=DAY).covers(date(2099, 1, 1))


def test_valid_until_takes_the_latest_expiry_of_checks_made_by_the_day() -> None:
    checks = [
        Check("dbs_enhanced", date(2024, 1, 1), date(2026, 12, 31)),
        Check("dbs_enhanced", date(2025, 1, 1), date(2027, 12, 31)),
        Check("dbs_enhanced", date(2026, 7, 1), date(2029, 7, 1)),  # made after the day: ignored
        Check("reference", date(2020, 1, 1)),
    ]
    assert valid_until(checks, "dbs_enhanced", DAY) == date(2027, 12, 31)
    assert valid_until(checks, "reference", DAY) == date.max
    assert valid_until(checks, "dbs_basic", DAY) is None


def test_gaps_name_what_is_missing_and_what_expired_in_the_order_required() -> None:
    checks = [Check("dbs_enhanced", date(2023, 1, 1), date(2026, 6, 14))]
    assert gaps(checks, ["reference", "dbs_enhanced"], DAY, labels=LABELS) == [
        Gap("reference", "Reference: none on record."),
        Gap("dbs_enhanced", "Enhanced DBS check: expired on 14 June 2026."),
    ]
    assert not all_clear(checks, ["dbs_enhanced"], DAY)
    assert all_clear(checks, ["dbs_enhanced"], DAY - timedelta(days=1))


def test_a_repeated_requirement_is_reported_once() -> None:
    assert len(gaps([], ["reference", "reference"], DAY)) == 1


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b"]),
            st.integers(min_value=-50, max_value=50),
            st.one_of(st.none(), st.integers(min_value=1, max_value=80)),
        ),
        max_size=6,
    ),
    st.integers(min_value=-60, max_value=60),
)
def test_all_clear_exactly_when_some_check_of_each_kind_covers_the_day(
    raw: list[tuple[str, int, int | None]], offset: int
) -> None:
    checks = [
        Check(
            kind,
            DAY + timedelta(days=start),
            None if length is None else DAY + timedelta(days=start + length),
        )
        for kind, start, length in raw
    ]
    on = DAY + timedelta(days=offset)
    expected = all(any(c.kind == k and c.covers(on) for c in checks) for k in ["a", "b"])
    assert all_clear(checks, ["a", "b"], on) == expected
