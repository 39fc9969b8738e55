"""Combining experts' scores: hand-worked cases, the agreement bands at their edges, and
properties over random scores."""

import random
from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.voice.quality import (
    NOT_ENOUGH,
    QualityError,
    agreement_label,
    combine,
    describe_gap,
    format_score,
    rwg,
    sample_variance,
    uniform_variance,
)
from rules.voice.quality_parameters import DOMAIN_KEYS, MIN_EXPERTS, SCALE_MAX, SCALE_MIN

pytestmark = pytest.mark.pure

ONE = ("workforce",)


def test_uniform_variance_of_five_points_is_two() -> None:
    # (5² - 1) / 12 = 24 / 12
    assert uniform_variance(5) == 2


@pytest.mark.parametrize(
    ("scores", "variance", "expected"),
    [
        ((4, 4, 4), F(0), F(1)),  # all the same
        ((3, 3, 4), F(1, 3), F(5, 6)),  # mean 10/3; squares 1/9+1/9+4/9 = 2/3; /2 = 1/3
        ((3, 4, 5), F(1), F(1, 2)),  # squares 1+0+1 = 2; /2 = 1; 1 - 1/2
        ((3, 3, 5), F(4, 3), F(1, 3)),  # mean 11/3; 4/9+4/9+16/9 = 24/9; /2 = 4/3
        ((1, 3, 5), F(4), F(0)),  # 1 - 4/2 = -1, reported as 0
        ((3, 3, 3, 4), F(1, 4), F(7, 8)),  # mean 13/4; 3*(1/16) + 9/16 = 3/4; /3 = 1/4
    ],
)
def test_rwg_hand_worked(scores: tuple[int, ...], variance: F, expected: F) -> None:
    assert sample_variance(scores) == variance
    assert rwg(scores) == expected


@pytest.mark.parametrize(
    ("value", "label"),
    [
        (F(0), "Lack of agreement"),
        (F(3, 10), "Lack of agreement"),
        (F(3, 10) + F(1, 1000), "Weak agreement"),
        (F(1, 2), "Weak agreement"),
        (F(1, 2) + F(1, 1000), "Moderate agreement"),
        (F(7, 10), "Moderate agreement"),
        (F(7, 10) + F(1, 1000), "Strong agreement"),
        (F(9, 10), "Strong agreement"),
        (F(9, 10) + F(1, 1000), "Very strong agreement"),
        (F(1), "Very strong agreement"),
    ],
)
def test_agreement_bands_at_their_edges(value: F, label: str) -> None:
    assert agreement_label(value) == label


def test_three_experts_hand_worked_with_gap() -> None:
    experts = [
        {"workforce": 4, "information": 2},
        {"workforce": 4, "information": 3},
        {"workforce": 3, "information": 4},
    ]
    result = combine(("workforce", "information"), experts, {"workforce": 5, "information": 2})
    workforce, information = result.domains
    assert workforce.combined == F(11, 3) and workforce.spread == 1
    assert workforce.agreement == F(5, 6) and workforce.agreement_label == "Strong agreement"
    assert workforce.gap == F(4, 3)  # 5 - 11/3
    assert information.combined == 3 and information.agreement == F(1, 2)
    assert information.gap == -1
    assert result.overall == F(10, 3)  # (11/3 + 3) / 2
    assert result.overall_gap == F(1, 6)  # (4/3 - 1) / 2
    assert result.gap_domains == 2
    assert format_score(workforce.combined) == "3.7"
    assert describe_gap(workforce.gap) == "1.3 higher than the experts"
    assert describe_gap(information.gap) == "1.0 lower than the experts"


def test_fewer_than_three_scores_is_not_known_not_a_number() -> None:
    experts: list[dict[str, int | None]] = [{"workforce": 4}, {"workforce": 5}, {"workforce": None}]
    (domain,) = combine(ONE, experts, {"workforce": 5}).domains
    assert MIN_EXPERTS == 3
    assert domain.combined is None and domain.agreement is None
    assert domain.agreement_label == NOT_ENOUGH and domain.gap is None
    assert domain.not_seen == 1 and domain.scores == (4, 5) and domain.spread == 1
    # One more score (the minimum) combines
    (domain,) = combine(ONE, [*experts[:2], {"workforce": 3}]).domains
    assert domain.combined == 4


def test_no_self_assessment_gives_no_gap() -> None:
    result = combine(ONE, [{"workforce": 2}] * 3)
    assert result.domains[0].gap is None and result.overall_gap is None
    assert describe_gap(None) == "Not known" and format_score(None) == "Not known"


@pytest.mark.parametrize("bad", [0, 6, -1, True, 2.5])
def test_scores_outside_the_scale_are_refused(bad: object) -> None:
    with pytest.raises(QualityError):
        combine(ONE, [{"workforce": bad}] * 3)  # type: ignore[dict-item]
    with pytest.raises(QualityError):
        combine(ONE, [{"workforce": 3}] * 3, {"workforce": bad})  # type: ignore[dict-item]


def test_edges_of_the_scale_are_accepted() -> None:
    assert combine(ONE, [{"workforce": SCALE_MIN}] * 3).overall == 1
    assert combine(ONE, [{"workforce": SCALE_MAX}] * 3).overall == 5


def test_unknown_domain_is_refused() -> None:
    with pytest.raises(QualityError):
        combine(ONE, [{"cleanliness": 3}] * 3)


@pytest.mark.parametrize(
    ("value", "text"),
    [(F(1, 20), "0.1"), (F(1, 20) - F(1, 10**6), "0.0"), (F(-1, 20), "-0.1"), (F(7, 2), "3.5")],
)
def test_format_score_rounds_halves_away_from_zero(value: F, text: str) -> None:
    assert format_score(value) == text


scores = st.integers(min_value=SCALE_MIN, max_value=SCALE_MAX)


@given(st.lists(scores, min_size=3, max_size=8))
def test_combined_lies_between_lowest_and_highest_and_agreement_in_0_1(values: list[int]) -> None:
    (domain,) = combine(ONE, [{"workforce": v} for v in values]).domains
    assert domain.combined is not None and domain.agreement is not None
    assert min(values) <= domain.combined <= max(values)
    assert 0 <= domain.agreement <= 1
    assert (domain.agreement == 1) == (len(set(values)) == 1)


@given(st.lists(scores, min_size=3, max_size=8), st.randoms())
def test_order_of_experts_does_not_matter(values: list[int], rnd: random.Random) -> None:
    shuffled = list(values)
    rnd.shuffle(shuffled)
    a = combine(ONE, [{"workforce": v} for v in values])
    b = combine(ONE, [{"workforce": v} for v in shuffled])
    assert a.domains[0].combined == b.domains[0].combined
    assert a.domains[0].agreement == b.domains[0].agreement


@given(st.lists(scores, min_size=3, max_size=6), scores)
def test_gap_plus_combined_is_the_self_score(values: list[int], own: int) -> None:
    (domain,) = combine(ONE, [{"workforce": v} for v in values], {"workforce": own}).domains
    assert domain.gap is not None and domain.combined is not None
    assert domain.gap + domain.combined == own


@given(st.lists(st.fixed_dictionaries({k: st.none() | scores for k in DOMAIN_KEYS}), max_size=6))
def test_overall_is_the_mean_of_the_domains_that_combine(experts: list[dict]) -> None:  # type: ignore[type-arg]
    result = combine(DOMAIN_KEYS, experts)
    combined = [d.combined for d in result.domains if d.combined is not None]
    for d in result.domains:
        assert (d.combined is None) == (len(d.scores) < MIN_EXPERTS)
        assert len(d.scores) + d.not_seen == len(experts)
    if combined:
        assert result.overall == sum(combined) / len(combined)
    else:
        assert result.overall is None
