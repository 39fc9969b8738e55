"""Hypothesis properties of the indicative budget."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from rules.ras import Answers, RasConfig, indicative_budget, load_version, parse_config
from rules.ras.tests.helpers import v1_document

V1 = load_version("illustrative-ras-v1")


def _banded() -> RasConfig:
    document = v1_document()
    document["meta"]["calibration"]["method"] = "bands"
    document["banding"]["enabled"] = True
    return parse_config(document)


CONFIGS = [V1, _banded()]


@st.composite
def answer_sets(draw: st.DrawFn, config: RasConfig = V1) -> Answers:
    scored = {d.id: draw(st.sampled_from([a.code for a in d.answers])) for d in config.domains}
    informal_codes = [o.code for o in config.informal_support.answers]
    informal = {
        domain_id: draw(st.sampled_from(informal_codes))
        for domain_id in config.informal_support.applies_to_domains
        if draw(st.booleans())
    }
    carer = draw(st.one_of(st.none(), st.sampled_from([o.code for o in config.carer.answers])))
    return Answers(scored=scored, informal_support=informal, carer=carer)


def _more_need(config: RasConfig, answers: Answers, data: st.DataObject) -> Answers:
    """Raise one domain's answer to a higher-points option."""
    domain = data.draw(st.sampled_from(config.domains))
    current = domain.option(answers.scored[domain.id])
    assert current is not None
    higher = [a.code for a in domain.answers if a.points >= current.points]
    return Answers(
        scored={**answers.scored, domain.id: data.draw(st.sampled_from(higher))},
        informal_support=answers.informal_support,
        carer=answers.carer,
    )


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CONFIGS), st.data())
def test_budget_is_within_floor_and_ceiling(config: RasConfig, data: st.DataObject) -> None:
    result = indicative_budget(config, data.draw(answer_sets(config)))
    pricing = config.pricing
    if result.below_minimum:
        assert result.weekly == 0
    else:
        assert pricing.floor_weekly <= result.weekly <= pricing.ceiling_weekly
    assert result.weekly == result.weekly.quantize(Decimal("0.01"))
    assert result.annual == (result.weekly * pricing.weeks_per_year).quantize(Decimal("0.01"))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CONFIGS), st.data())
def test_budget_is_monotone_in_points(config: RasConfig, data: st.DataObject) -> None:
    answers = data.draw(answer_sets(config))
    more = _more_need(config, answers, data)
    before, after = indicative_budget(config, answers), indicative_budget(config, more)
    assert after.total_points >= before.total_points
    assert after.weekly >= before.weekly


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_less_informal_support_never_lowers_the_budget(data: st.DataObject) -> None:
    answers = data.draw(answer_sets())
    domain_id = data.draw(st.sampled_from(V1.informal_support.applies_to_domains))
    without = Answers(
        scored=answers.scored,
        informal_support={**answers.informal_support, domain_id: "none"},
        carer=answers.carer,
    )
    assert indicative_budget(V1, without).weekly >= indicative_budget(V1, answers).weekly


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_carer_modifier_behaves_as_configured(data: st.DataObject) -> None:
    answers = data.draw(answer_sets())
    code = data.draw(st.sampled_from([o.code for o in V1.carer.answers]))
    option = V1.carer.option(code)
    assert option is not None
    base = Answers(answers.scored, answers.informal_support, None)
    with_carer = Answers(answers.scored, answers.informal_support, code)
    one, two = indicative_budget(V1, base), indicative_budget(V1, with_carer)
    # The configured points are added...
    assert two.carer_add_points == option.add_points
    # ...and every deflated domain counts at least the configured share of its points.
    for before, after in zip(one.domains, two.domains, strict=True):
        if after.domain_id in V1.informal_support.applies_to_domains:
            cap = option.deflator_cap or Decimal(0)
            assert after.factor == max(before.factor, cap)
    expected_min = one.total_points + option.add_points
    assert two.total_points >= expected_min
    assert two.weekly >= one.weekly
    if option.deflator_cap is None:
        assert two.total_points == expected_min
