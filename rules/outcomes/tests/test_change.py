"""Reliable change on SWEMWBS and goal scores; difference-only change where no threshold exists."""

from __future__ import annotations

from fractions import Fraction

import pytest

from rules.outcomes import ChangeError, ReliableChangeRule, change, classify, score
from rules.outcomes.tests.helpers import GBO, ONS4, SHS, SWEMWBS, answers_for_raw

# Source for the SWEMWBS threshold: NHS England / NHS Digital MHSDS outcome reporting counts a change
# of 3 or more points in the "Short Warwick-Edinburgh Mental Well-being Scale score" as reliable
# ("from Shah et al. (2018)"): NHSDigital/mental-health-monthly-statistics,
# Mental_Health_Monthly_Statistics/menh_bbrb/schemas/05_create_cyp_outcomes_tables.py, commit
# cb5975618b54538bad95c060cd4979db0b0e31bc. We apply it to the metric score (Shah et al. 2018, HQLO
# 16:239); see reliable_change.source in swemwbs-2026.1.yaml.


def _swemwbs(raw: int) -> object:
    return score(SWEMWBS, answers_for_raw(SWEMWBS, raw))


def test_swemwbs_rule_is_3_points_on_the_metric_score() -> None:
    rule = SWEMWBS.reliable_change
    assert rule is not None
    assert (rule.on, rule.threshold, rule.comparison) == ("metric", Fraction(3), "at_least")


@pytest.mark.parametrize(
    ("before", "after", "difference", "direction"),
    [
        (21, 23, "1.48", "no_reliable_change"),  # 19.25 -> 20.73
        (21, 25, "3.10", "improvement"),  # 19.25 -> 22.35
        (23, 26, "2.48", "no_reliable_change"),  # 20.73 -> 23.21
        (32, 28, "-4.28", "deterioration"),  # 29.31 -> 25.03
        (28, 30, "2.00", "no_reliable_change"),
    ],
)
def test_swemwbs_reliable_change_uses_the_metric_not_the_raw_score(
    before: int, after: int, difference: str, direction: str
) -> None:
    """MHSDS (NHS England): reliable change = 3+ points on the metric score. Raw 21 -> 25 is a raw
    change of 4 but a metric change of 3.10; raw 23 -> 26 is 3 raw points but 2.48 metric points."""
    result = change(
        score(SWEMWBS, answers_for_raw(SWEMWBS, before)),
        score(SWEMWBS, answers_for_raw(SWEMWBS, after)),
    )
    assert result.reliable_difference == Fraction(difference)
    assert result.direction == direction


def test_threshold_boundary_is_inclusive() -> None:
    rule = ReliableChangeRule("metric", Fraction(3), True, "at_least", "test")
    assert classify(Fraction(3), rule) == "improvement"
    assert classify(Fraction(-3), rule) == "deterioration"
    assert classify(Fraction("2.99"), rule) == "no_reliable_change"
    assert classify(Fraction("-2.99"), rule) == "no_reliable_change"
    worse_when_higher = ReliableChangeRule("x", Fraction(3), False, "at_least", "test")
    assert classify(Fraction(-3), worse_when_higher) == "improvement"


@pytest.mark.parametrize(
    ("before", "after", "direction"),
    [
        (4, 7, "improvement"),
        (4, 6, "no_reliable_change"),
        (7, 4, "deterioration"),
        (0, 10, "improvement"),
        (5, 3, "no_reliable_change"),
    ],
)
def test_goal_based_outcomes_reliable_change_is_3_points(
    before: int, after: int, direction: str
) -> None:
    """Edbrooke-Childs et al. (2015) Child Adolesc Ment Health 20(3):142-148: GBO reliable change
    index 2.45, so a whole-number change of 3 or more on the 0-10 scale is reliable. NHS England's
    community mental health PROMs use the same: nhsengland/MHSDS "CMH PROMs Dashboard" (commit
    cacd7e2a17a3405191620a79e49028c3b07fd67b) sets RCI_Threshold = 3 for GBO, improvement when the
    change is positive and at least 3 in size."""
    result = change(score(GBO, {"progress": before}), score(GBO, {"progress": after}))
    assert result.direction == direction


def test_measures_without_a_threshold_give_differences_and_no_claim() -> None:
    before = score(ONS4, {"life_satisfaction": 3, "worthwhile": 5, "happiness": 4, "anxiety": 8})
    after = score(ONS4, {"life_satisfaction": 7, "worthwhile": 5, "happiness": 6, "anxiety": 2})
    result = change(before, after)
    assert result.direction is None and result.rule is None
    assert result.get("life_satisfaction").difference == 4
    assert result.get("anxiety").difference == -6
    assert result.get("anxiety").higher_is_better is False


def test_different_measures_cannot_be_compared() -> None:
    with pytest.raises(ChangeError):
        change(score(GBO, {"progress": 3}), score(SHS, dict.fromkeys(SHS.item_ids, 3)))
