"""State Pension age (= Pension Credit qualifying age) from a date of birth.

Pension Credit age is State Pension age (State Pension Credit Act 2002, s.1(6)). State Pension
age is 66 for people born 6 October 1954 to 5 April 1960; it rises by a month for each month of
birth from 6 April 1960 to 5 March 1961 (66 years and 1 month ... 66 years and 11 months), and is
67 for people born 6 March 1961 to 5 April 1977 (Pensions Act 2014, s.26, amending the table in
Pensions Act 1995, Sch. 4, Part 1: https://www.legislation.gov.uk/ukpga/2014/19/section/26; the
same table is behind GOV.UK's "Check your State Pension age", https://www.gov.uk/state-pension-age).
The first people to reach the new ages do so from May 2026, which is why a bare age in years no
longer answers the question from 6 April 2026.

People born after 5 April 1977 are not covered (the later rise to 68 is not legislated by date);
people born before 6 October 1954 reached State Pension age by 5 October 2020, so for any date
from then on they have reached it.
"""

from __future__ import annotations

import calendar
import datetime as dt

from rules.charging.errors import InputError

FIRST_COVERED = dt.date(1954, 10, 6)
LAST_COVERED = dt.date(1977, 4, 5)
ALL_EARLIER_REACHED_BY = dt.date(2020, 10, 5)


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def extra_months(born: dt.date) -> int:
    """Months above 66 for this date of birth (0 to 12)."""
    if born < dt.date(1960, 4, 6):
        return 0
    if born >= dt.date(1961, 3, 6):
        return 12
    # 6 April 1960 - 5 May 1960 -> 1 month; each later "6th to 5th" band adds one.
    months_since = (born.year - 1960) * 12 + (born.month - 4)
    if born.day < 6:
        months_since -= 1
    return months_since + 1


def state_pension_date(born: dt.date) -> dt.date:
    """The day the person reaches State Pension age (and so Pension Credit age)."""
    if born > LAST_COVERED:
        raise InputError(
            "State Pension age for people born after 5 April 1977 is not set by date of birth "
            "yet; answer whether they have reached Pension Credit age instead",
            ["date_of_birth"],
        )
    if born < FIRST_COVERED:
        return ALL_EARLIER_REACHED_BY
    return _add_months(_add_months(born, 66 * 12), extra_months(born))


def reached_on(born: dt.date, on: dt.date) -> bool:
    return on >= state_pension_date(born)


def age_bounds(on: dt.date) -> tuple[int, int] | None:
    """(lowest, highest) State Pension age in whole years anyone can have on ``on``, while it is
    rising from 66 to 67 (people born 6 April 1960 to 5 March 1961); None outside that time.
    Someone younger than the lowest has not reached it; someone at the highest has (up to the
    first birthdays after 5 April 1977's 67th, in 2044)."""
    if dt.date(2026, 4, 6) <= on < dt.date(2044, 4, 6):
        return (66, 67)
    return None
