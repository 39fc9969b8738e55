"""Scoring reproduces published figures; incomplete or out-of-range answers are refused."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from rules.outcomes import (
    InvalidAnswerError,
    MissingAnswerError,
    NotScorableError,
    score,
    to_decimal,
)
from rules.outcomes.tests.helpers import ASCOT, GBO, ONS4, SHS, SWEMWBS, WEMWBS, answers_for_raw

# Source for every SWEMWBS figure below: Stewart-Brown S, et al. (2009) Internal construct validity of
# the WEMWBS: a Rasch analysis ... Health and Quality of Life Outcomes 7:15, doi:10.1186/1477-7525-7-15
# (raw-to-metric conversion table), and University of Warwick 'WEMWBS - Guidance on scoring' (sum the
# seven items, then convert with the table).


def test_swemwbs_all_items_three_is_raw_21_metric_19_25() -> None:
    """Stewart-Brown et al. 2009 table: every item answered 3 -> raw 21 -> metric 19.25."""
    result = score(SWEMWBS, dict.fromkeys(SWEMWBS.item_ids, 3))
    assert result.value("raw") == 21
    assert result.value("metric") == Fraction("19.25")
    assert result.get("metric").display == Decimal("19.25")
    assert result.headline == "metric"


@pytest.mark.parametrize(
    ("raw", "metric"),
    [(23, "20.73"), (32, "29.31"), (7, "7.00"), (35, "35.00"), (8, "9.51"), (34, "32.55")],
)
def test_swemwbs_published_conversions(raw: int, metric: str) -> None:
    """Stewart-Brown et al. 2009 conversion table: raw 23 -> 20.73, raw 32 -> 29.31, and both ends."""
    result = score(SWEMWBS, answers_for_raw(SWEMWBS, raw))
    assert result.value("raw") == raw
    assert result.value("metric") == Fraction(metric)
    assert str(result.get("metric").display) == metric


def test_swemwbs_missing_item_is_refused_and_named() -> None:
    """No pro-rating rule is published (Warwick guidance): a missing item is never counted as 0."""
    answers: dict[str, object] = dict.fromkeys(SWEMWBS.item_ids, 3)
    del answers["relaxed"]
    answers["own_mind"] = None
    with pytest.raises(MissingAnswerError) as caught:
        score(SWEMWBS, answers)
    assert caught.value.missing == ("relaxed", "own_mind")
    assert "relaxed" in str(caught.value)


@pytest.mark.parametrize("bad", [0, 6, -1, True, 3.0, "3", Decimal(3)])
def test_swemwbs_answer_off_the_1_to_5_scale_is_refused_and_named(bad: object) -> None:
    answers: dict[str, object] = dict.fromkeys(SWEMWBS.item_ids, 3)
    answers["useful"] = bad
    with pytest.raises(InvalidAnswerError) as caught:
        score(SWEMWBS, answers)
    assert caught.value.item_ids == ("useful",)


def test_scale_boundaries_are_accepted() -> None:
    assert score(SWEMWBS, dict.fromkeys(SWEMWBS.item_ids, 1)).value("raw") == 7
    assert score(SWEMWBS, dict.fromkeys(SWEMWBS.item_ids, 5)).value("raw") == 35


def test_unknown_item_is_refused() -> None:
    answers: dict[str, object] = dict.fromkeys(SWEMWBS.item_ids, 3)
    answers["cheerful"] = 3
    with pytest.raises(InvalidAnswerError) as caught:
        score(SWEMWBS, answers)
    assert caught.value.problems[0].kind == "unknown_item"


def test_missing_and_invalid_together_report_every_item() -> None:
    answers: dict[str, object] = dict.fromkeys(SWEMWBS.item_ids, 3)
    del answers["optimistic"]
    answers["useful"] = 9
    with pytest.raises(MissingAnswerError) as caught:
        score(SWEMWBS, answers)
    assert caught.value.item_ids == ("optimistic", "useful")


def test_wemwbs_total_is_the_plain_sum_14_to_70() -> None:
    """Tennant et al. (2007) HQLO 5:63 and Warwick guidance: total = sum of 14 items scored 1-5."""
    assert score(WEMWBS, dict.fromkeys(WEMWBS.item_ids, 1)).value("total") == 14
    assert score(WEMWBS, dict.fromkeys(WEMWBS.item_ids, 5)).value("total") == 70
    assert score(WEMWBS, dict.fromkeys(WEMWBS.item_ids, 3)).value("total") == 42
    assert WEMWBS.reliable_change is None


# ONS thresholds. Source: ONS FOI response 'A set of annual UK SWB score distributions'
# (ons.gov.uk/aboutus/transparencyandgovernance/freedomofinformationfoi/asetofannualukswbscoredistributions):
# life satisfaction, worthwhile and happiness 0-4 low, 5-6 medium, 7-8 high, 9-10 very high; anxiety
# (grouped differently because higher anxiety is lower well-being) 0-1 very low, 2-3 low, 4-5 medium,
# 6-10 high.
POSITIVE = {
    0: "low",
    4: "low",
    5: "medium",
    6: "medium",
    7: "high",
    8: "high",
    9: "very_high",
    10: "very_high",
}
ANXIETY = {
    0: "very_low",
    1: "very_low",
    2: "low",
    3: "low",
    4: "medium",
    5: "medium",
    6: "high",
    10: "high",
}


@pytest.mark.parametrize("item_id", ["life_satisfaction", "worthwhile", "happiness"])
@pytest.mark.parametrize(("answer", "band"), sorted(POSITIVE.items()))
def test_ons4_positive_thresholds(item_id: str, answer: int, band: str) -> None:
    """ONS thresholds (FOI response above): 0-4 low, 5-6 medium, 7-8 high, 9-10 very high."""
    answers = dict.fromkeys(ONS4.item_ids, 5)
    answers[item_id] = answer
    result = score(ONS4, answers)
    found = result.get(item_id).band
    assert found is not None and found.id == band
    assert result.value(item_id) == answer


@pytest.mark.parametrize(("answer", "band"), sorted(ANXIETY.items()))
def test_ons4_anxiety_is_reversed(answer: int, band: str) -> None:
    """ONS thresholds (FOI response above): anxiety 0-1 very low, 2-3 low, 4-5 medium, 6-10 high."""
    answers = dict.fromkeys(ONS4.item_ids, 5)
    answers["anxiety"] = answer
    result = score(ONS4, answers)
    found = result.get("anxiety").band
    assert found is not None and found.id == band
    assert result.get("anxiety").higher_is_better is False


def test_ons4_has_no_composite_and_refuses_eleven() -> None:
    """ONS reports the four measures separately (personal well-being FAQ: no composite indicator)."""
    result = score(ONS4, dict.fromkeys(ONS4.item_ids, 7))
    assert result.headline is None
    assert [v.id for v in result.values] == [
        "life_satisfaction",
        "worthwhile",
        "happiness",
        "anxiety",
    ]
    with pytest.raises(InvalidAnswerError):
        score(ONS4, {**dict.fromkeys(ONS4.item_ids, 7), "happiness": 11})


def test_short_health_scale_items_reported_separately_higher_is_worse() -> None:
    """Hjortswang et al. (2006): four VAS items reported separately; higher scores in relapse."""
    result = score(SHS, dict.fromkeys(SHS.item_ids, 40))
    assert result.headline is None
    assert all(v.higher_is_better is False for v in result.values)
    with pytest.raises(InvalidAnswerError):
        score(SHS, {**dict.fromkeys(SHS.item_ids, 40), "disease_worry": 101})


def test_ascot_is_not_scored_without_the_licensed_weights() -> None:
    with pytest.raises(NotScorableError):
        score(ASCOT, dict.fromkeys(ASCOT.item_ids, 1))


def test_goal_rating_is_scored_0_to_10() -> None:
    assert score(GBO, {"progress": 0}).value("progress") == 0
    assert score(GBO, {"progress": 10}).value("progress") == 10
    with pytest.raises(InvalidAnswerError):
        score(GBO, {"progress": 11})
    with pytest.raises(MissingAnswerError):
        score(GBO, {})


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        ("19.25", 2, "19.25"),
        ("1/3", 2, "0.33"),
        ("2/3", 2, "0.67"),
        ("-1/8", 2, "-0.13"),
        ("1/200", 2, "0.01"),
        ("-1/1000", 2, "0.00"),
    ],
)
def test_to_decimal_rounds_half_away_from_zero(value: str, decimals: int, expected: str) -> None:
    assert str(to_decimal(Fraction(value), decimals)) == expected
