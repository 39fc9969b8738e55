"""Invariants of the shortlist on generated carers: every carer is either excluded or shortlisted,
never both; a carer a hard rule rules out never appears; the order does not depend on the order the
carers were given in; positions count 1, 2, 3…; the order follows the stated questions."""

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from rules.sharedlives.approval import Adult, RecordedCheck
from rules.sharedlives.matching import CarerFacts, Needs, shortlist

DAY = date(2026, 12, 3)
WORDS = st.sampled_from(["English", "Polish", "Urdu", "Gardening", "Music", "Football", "Cooking"])
PLACES = st.sampled_from(["Millbrook", "Eastmere", "Northgate", ""])
OFFERS = st.frozensets(st.sampled_from(["long_term", "short_breaks", "day_support"]))
MAYBE = st.sampled_from([True, False, None])
DAYS = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))


@st.composite
def carers(draw: st.DrawFn, carer_id: str) -> CarerFacts:
    checks = [
        RecordedCheck("dbs_enhanced", date(2025, 1, 1), draw(DAYS), adult_id="a"),
        RecordedCheck("reference", date(2025, 1, 1)),
        RecordedCheck("home_safety", date(2025, 1, 1), draw(DAYS)),
        RecordedCheck("panel", date(2025, 1, 1)),
    ]
    if draw(st.booleans()):
        checks.append(RecordedCheck("reference", date(2025, 1, 2)))
    return CarerFacts(
        carer_id=carer_id,
        name=draw(st.sampled_from(["Ash", "ash", "Birch", "Cedar", "Damson"])),
        approved_on=draw(st.none() | DAYS),
        withdrawn=draw(st.booleans()),
        adults=(Adult("a", "Ann"),),
        checks=tuple(checks),
        offers=draw(OFFERS),
        step_free=draw(MAYBE),
        pets=draw(MAYBE),
        smoking=draw(MAYBE),
        spare_places=draw(st.integers(0, 2)),
        neighbourhood=draw(PLACES),
        faith=draw(st.sampled_from(["", "Muslim", "Christian"])),
        languages=tuple(draw(st.lists(WORDS, max_size=3))),
        interests=tuple(draw(st.lists(WORDS, max_size=4))),
    )


NEEDS = st.builds(
    Needs,
    offer=st.sampled_from(["long_term", "short_breaks", "day_support"]),
    needs_step_free=st.booleans(),
    needs_smoke_free=st.booleans(),
    allergic_to_pets=st.booleans(),
    languages=st.lists(WORDS, min_size=1, max_size=2).map(tuple),
    interests=st.lists(WORDS, max_size=3).map(tuple),
    neighbourhoods=st.lists(PLACES, max_size=2).map(tuple),
    faith=st.sampled_from(["", "Muslim", "Christian"]),
    faith_matters=st.booleans(),
)


@st.composite
def pools(draw: st.DrawFn) -> list[CarerFacts]:
    size = draw(st.integers(0, 8))
    return [draw(carers(str(i))) for i in range(size)]


def _hard_rule_breaks(c: CarerFacts, n: Needs) -> bool:
    return (
        c.withdrawn
        or c.approved_on is None
        or c.approved_on > DAY
        or n.offer not in c.offers
        or (n.needs_step_free and c.step_free is not True)
        or (n.needs_smoke_free and c.smoking is not False)
        or (n.allergic_to_pets and c.pets is not False)
        or c.spare_places <= 0
        or not any(ch.kind == "reference" and ch.checked_on == date(2025, 1, 2) for ch in c.checks)
        or any(ch.expires_on is not None and ch.expires_on < DAY for ch in c.checks)
    )


@settings(max_examples=300, deadline=None)
@given(pool=pools(), needs=NEEDS)
def test_excluded_carers_never_appear_and_everyone_is_accounted_for(
    pool: list[CarerFacts], needs: Needs
) -> None:
    result = shortlist(pool, needs, DAY)
    listed = [c.carer_id for c in result.candidates]
    excluded = [e.carer_id for e in result.excluded]
    assert sorted(listed + excluded) == sorted(c.carer_id for c in pool)
    assert not set(listed) & set(excluded)
    for c in pool:
        assert (c.carer_id in excluded) == _hard_rule_breaks(c, needs)
    assert all(e.reasons for e in result.excluded)
    assert [c.position for c in result.candidates] == list(range(1, len(listed) + 1))


@settings(max_examples=200, deadline=None)
@given(pool=pools(), needs=NEEDS, data=st.data())
def test_the_order_does_not_depend_on_input_order(
    pool: list[CarerFacts], needs: Needs, data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(pool))
    assert shortlist(shuffled, needs, DAY) == shortlist(pool, needs, DAY)


@settings(max_examples=200, deadline=None)
@given(pool=pools(), needs=NEEDS)
def test_the_order_follows_the_stated_questions_then_name(
    pool: list[CarerFacts], needs: Needs
) -> None:
    keys = [
        (c.order_key, c.name.casefold(), c.carer_id) for c in shortlist(pool, needs, DAY).candidates
    ]
    assert keys == sorted(keys)
