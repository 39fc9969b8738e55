"""Funding limits (the pot never goes below £0; the per-award cap) and the report's suppression,
which is the outcomes rule's: a group of 4 is hidden, a group of 5 is shown, and a second group is
hidden when the total would give the first away."""

from __future__ import annotations

from fractions import Fraction

import pytest

from rules.connect.funding import credits_problem, grant_problem
from rules.connect.reports import ReportRow, report

pytestmark = pytest.mark.pure


def test_grant_fits_the_pot_exactly_and_not_a_penny_more() -> None:
    assert grant_problem(amount_pence=5000, max_award_pence=0, remaining_pence=5000) is None
    assert "£50.00 left" in str(
        grant_problem(amount_pence=5001, max_award_pence=0, remaining_pence=5000)
    )
    assert grant_problem(amount_pence=0, max_award_pence=0, remaining_pence=5000) == (
        "Enter an amount more than £0"
    )


def test_grant_cap_is_inclusive() -> None:
    assert grant_problem(amount_pence=10000, max_award_pence=10000, remaining_pence=99999) is None
    assert "at most £100.00" in str(
        grant_problem(amount_pence=10001, max_award_pence=10000, remaining_pence=99999)
    )


def test_time_credit_cap_is_inclusive() -> None:
    assert credits_problem(minutes=600, max_award_minutes=600) is None
    assert "at most 10 hours" in str(credits_problem(minutes=601, max_award_minutes=600))
    assert credits_problem(minutes=0, max_award_minutes=600) is not None


ONS_BEFORE = {"life_satisfaction": 3, "worthwhile": 4, "happiness": 2, "anxiety": 8}


def _rows(group: str, n: int, paired: int = 0, reached: int = 0) -> list[ReportRow]:
    rows = []
    for i in range(n):
        after = {"life_satisfaction": 6, "worthwhile": 5, "happiness": 5, "anxiety": 5 + i % 2}
        rows.append(
            ReportRow(
                group=group,
                reached=i < reached,
                before=ONS_BEFORE if i < paired else None,
                after=after if i < paired else None,
                counts_in_aggregates=True,
            )
        )
    return rows


def test_five_is_shown_four_is_hidden_and_the_total_cannot_give_it_away() -> None:
    lines = {
        line.group: line
        for line in report(_rows("Hill Street", 5, paired=5, reached=5) + _rows("Oak Lane", 4))
    }
    assert lines["Hill Street"].referrals.value is None  # secondary: total minus it is Oak Lane
    assert lines["Oak Lane"].referrals.status == "suppressed_small"
    assert lines["Hill Street"].referrals.status == "suppressed_secondary"
    assert lines[None].referrals.value == 9


def test_published_groups_carry_exact_mean_change() -> None:
    lines = {
        line.group: line
        for line in report(_rows("Hill Street", 6, paired=5, reached=6) + _rows("Oak Lane", 5))
    }
    hill = lines["Hill Street"]
    assert hill.referrals.value == 6 and hill.reached.value == 6 and hill.paired.value == 5
    change = dict(hill.mean_change or ())
    assert change["life_satisfaction"] == 3
    # Anxiety after: 5, 6, 5, 6, 5 against 8: mean change -13/5.
    assert change["anxiety"] == Fraction(-13, 5)
    # Oak Lane has nobody paired: 0 is shown, with no mean.
    assert lines["Oak Lane"].paired.value == 0 and lines["Oak Lane"].mean_change is None


def test_answers_that_do_not_count_in_aggregates_are_left_out() -> None:
    rows = [
        ReportRow("Hill Street", True, ONS_BEFORE, ONS_BEFORE, counts_in_aggregates=False)
        for _ in range(6)
    ]
    hill, _total = report(rows)
    assert hill.referrals.value == 6 and hill.paired.value == 0 and hill.mean_change is None
