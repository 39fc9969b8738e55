import datetime as dt

import pytest

from rules.voice import DEFAULT_CLOCKS, Clock, add_working_days, bank_holidays, working_days_between
from rules.voice.clock import is_working_day

D = dt.date


def test_three_working_days_from_a_monday_is_thursday() -> None:
    assert add_working_days(D(2026, 11, 30), 3) == D(2026, 12, 3)


def test_weekend_is_skipped() -> None:
    # Thursday + 3 working days: Fri, Mon, Tue
    assert add_working_days(D(2026, 12, 3), 3) == D(2026, 12, 8)


def test_arriving_on_saturday_counts_from_monday() -> None:
    assert add_working_days(D(2026, 12, 5), 1) == D(2026, 12, 7)
    assert add_working_days(D(2026, 12, 5), 3) == D(2026, 12, 9)


def test_christmas_and_boxing_day_substitute_are_skipped() -> None:
    # 2026: Christmas Friday 25th, Boxing Day Saturday 26th, substitute Monday 28th
    assert D(2026, 12, 28) in bank_holidays([2026])
    assert add_working_days(D(2026, 12, 24), 1) == D(2026, 12, 29)
    assert add_working_days(D(2026, 12, 23), 3) == D(2026, 12, 30)


def test_easter_good_friday_and_monday_are_skipped() -> None:
    # 2027: Good Friday 26 March, Easter Monday 29 March
    assert add_working_days(D(2027, 3, 25), 1) == D(2027, 3, 30)


def test_across_the_new_year() -> None:
    # 31 Dec 2026 Thursday; 1 Jan 2027 Friday is a holiday; Mon 4 Jan
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)


def test_zero_days_is_the_same_day() -> None:
    assert add_working_days(D(2026, 12, 5), 0) == D(2026, 12, 5)


def test_negative_days_refused() -> None:
    with pytest.raises(ValueError):
        add_working_days(D(2026, 12, 5), -1)
    with pytest.raises(ValueError):
        Clock(acknowledge=-1, respond=1)


@pytest.mark.parametrize("days", [0, 1, 3, 10, 20, 45])
@pytest.mark.parametrize("start", [D(2026, 12, 18), D(2027, 3, 24), D(2026, 12, 5), D(2027, 5, 28)])
def test_between_inverts_add(start: dt.date, days: int) -> None:
    assert working_days_between(start, add_working_days(start, days)) == days


def test_between_is_zero_when_not_later() -> None:
    assert working_days_between(D(2026, 12, 4), D(2026, 12, 1)) == 0


def test_explicit_holiday_list() -> None:
    assert not is_working_day(D(2026, 12, 2), {D(2026, 12, 2)})
    assert add_working_days(D(2026, 12, 1), 1, {D(2026, 12, 2)}) == D(2026, 12, 3)


def test_defaults_follow_the_regulations() -> None:
    assert DEFAULT_CLOCKS["complaint"].acknowledge == 3
    assert DEFAULT_CLOCKS["complaint"].respond == 10
    assert set(DEFAULT_CLOCKS) == {"complaint", "concern", "compliment", "idea"}
