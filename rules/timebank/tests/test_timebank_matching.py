"""Matching: geography, taxonomy, availability, reliability and the ranking itself."""

from __future__ import annotations

import math
from datetime import date, datetime, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.timebank import (
    DEFAULT_WEIGHTS,
    ExchangeRecord,
    ExchangeStatus,
    ExclusionCode,
    HelpRequest,
    InvalidSlot,
    Member,
    Point,
    Relation,
    TaxonomyError,
    TimebankError,
    Track,
    WeeklySlot,
    Weights,
    haversine_km,
    match_availability,
    suggest_members,
    track_record,
)
from rules.timebank.geo import describe_distance
from rules.timebank.taxonomy import Taxonomy

TAX = Taxonomy(
    {
        "getting-about": None,
        "lifts": "getting-about",
        "hospital-lifts": "lifts",
        "shopping": "getting-about",
        "gardening": None,
    },
    {
        "getting-about": "Getting about",
        "lifts": "Lifts and transport",
        "hospital-lifts": "Hospital lifts",
        "shopping": "Shopping",
        "gardening": "Gardening",
    },
)
HOME = Point(53.4808, -2.2426)  # Manchester
TUE = 1


def test_haversine_known_distances() -> None:
    london, paris = Point(51.5074, -0.1278), Point(48.8566, 2.3522)
    assert haversine_km(london, paris) == pytest.approx(343.6, abs=0.5)
    assert haversine_km(london, london) == 0
    # One degree of latitude is about 111.2 km.
    assert haversine_km(Point(0, 0), Point(1, 0)) == pytest.approx(111.19, abs=0.01)
    assert haversine_km(Point(0, 0), Point(0, 180)) == pytest.approx(math.pi * 6371.0088)
    with pytest.raises(TimebankError):
        Point(91, 0)


def test_describe_distance() -> None:
    assert describe_distance(0.05) == "Less than 100 m away"
    assert describe_distance(1.23) == "1.2 km away"
    assert describe_distance(12.6) == "13 km away"


def test_taxonomy_relations() -> None:
    assert TAX.relation("lifts", "lifts").relation is Relation.SAME  # type: ignore[union-attr]
    broader = TAX.relation("getting-about", "hospital-lifts")
    assert broader is not None and broader.relation is Relation.BROADER and broader.levels == 2
    narrower = TAX.relation("hospital-lifts", "lifts")
    assert narrower is not None and narrower.relation is Relation.NARROWER and narrower.levels == 1
    assert TAX.relation("shopping", "lifts") is None  # siblings do not count
    assert TAX.relation("unknown", "lifts") is None
    assert TAX.ancestors("hospital-lifts") == ("lifts", "getting-about")
    assert TAX.top_level("hospital-lifts") == "getting-about"
    assert TAX.describe(broader) == "Offers 'Getting about', which includes 'Hospital lifts'"
    assert TAX.describe(narrower) == "Offers 'Hospital lifts', a kind of 'Lifts and transport'"
    with pytest.raises(TaxonomyError, match="its own ancestor"):
        Taxonomy({"a": "b", "b": "a"})


def test_weekly_slots() -> None:
    slot = WeeklySlot(TUE, time(9), time(12))
    assert slot.minutes == 180
    assert slot.describe() == "Tuesdays 09:00\u201312:00"
    assert WeeklySlot(0, time(18), time(0)).minutes == 360
    with pytest.raises(InvalidSlot, match="ends at 09:00, before it starts at 10:00"):
        WeeklySlot(TUE, time(10), time(9))
    with pytest.raises(InvalidSlot):
        WeeklySlot(7, time(9), time(10))
    split = WeeklySlot.from_datetimes(datetime(2025, 3, 2, 22), datetime(2025, 3, 3, 1, 30))
    assert split == (WeeklySlot(6, time(22), time(0)), WeeklySlot(0, time(0), time(1, 30)))


def test_availability_overlap_merges_slots() -> None:
    offered = [
        WeeklySlot(TUE, time(8), time(10)),
        WeeklySlot(TUE, time(9), time(11)),  # overlaps the first: counted once
        WeeklySlot(3, time(14), time(16)),
    ]
    wanted = [WeeklySlot(TUE, time(9), time(12)), WeeklySlot(3, time(13), time(17))]
    result = match_availability(offered, wanted)
    assert result.requested_minutes == 180 + 240
    assert result.overlap_minutes == 120 + 120
    assert result.share == pytest.approx(240 / 420)
    assert result.describe() == "Free on Tuesdays 09:00\u201311:00 and Thursdays 14:00\u201316:00"
    assert match_availability([], wanted).describe() == "Not free at the times asked for"


def test_reliability_prior() -> None:
    assert Track().score() == pytest.approx(0.8)
    assert Track(9, 1).score() == pytest.approx(13 / 15)
    assert Track(1, 3).score() == pytest.approx(5 / 9)
    assert Track().describe() == "New member: no exchanges yet"
    assert Track(9, 1).describe() == "Completed 9 of 10 exchanges"
    assert Track(1, 0).describe() == "Completed 1 of 1 exchange"


def test_track_record_counts_fault() -> None:
    start = datetime(2025, 1, 1, 10)

    def x(
        i: int, status: ExchangeStatus, giver: int = 1, at_fault: int | None = None
    ) -> ExchangeRecord:
        return ExchangeRecord(i, giver, 99, start, 60, status, at_fault=at_fault)

    records = [
        x(1, ExchangeStatus.COMPLETED),
        x(2, ExchangeStatus.COMPLETED),
        x(3, ExchangeStatus.NO_SHOW),
        x(4, ExchangeStatus.CANCELLED, at_fault=99),  # the other member cancelled
        x(5, ExchangeStatus.CANCELLED, at_fault=1),
        x(6, ExchangeStatus.CONFIRMED),  # not happened yet
        x(7, ExchangeStatus.COMPLETED, giver=2),
    ]
    assert track_record(records, 1) == Track(2, 2)


def member(
    mid: int,
    name: str,
    skills: set[str],
    location: Point | None = HOME,
    **kwargs: object,
) -> Member:
    return Member(mid, name, frozenset(skills), location, **kwargs)  # type: ignore[arg-type]


def test_hand_computed_score_and_reasons() -> None:
    request = HelpRequest(
        "lifts", date(2025, 3, 4), location=HOME, times=(WeeklySlot(TUE, time(9), time(12)),)
    )
    sam = member(1, "Sam", {"lifts"}, availability=(WeeklySlot(TUE, time(9), time(12)),))
    result = suggest_members(request, [sam], TAX)
    (s,) = result.suggestions
    # 0.40 x 1 + 0.25 x 1 + 0.20 x 1 + 0.15 x 0.8 = 0.97
    assert s.score == pytest.approx(0.97)
    assert s.reasons == (
        "Offers 'Lifts and transport'",
        "Less than 100 m away",
        "Free on Tuesdays 09:00\u201312:00",
        "New member: no exchanges yet",
    )


def test_ranking_example() -> None:
    request = HelpRequest(
        "lifts",
        date(2025, 3, 4),
        neighbourhood="centre",
        times=(WeeklySlot(TUE, time(9), time(12)),),
        requester=5,
    )
    centroids = {"centre": HOME, "north": Point(53.4916, -2.2426)}  # north is 1.2 km away
    free = (WeeklySlot(TUE, time(9), time(12)),)
    members = [
        member(
            1, "Sam", {"lifts"}, None, neighbourhood="north", availability=free, track=Track(9, 1)
        ),
        member(2, "Jo", {"getting-about"}, availability=free),
        member(3, "Ann", {"hospital-lifts"}, None),
        member(4, "Bo", {"gardening"}),
        member(5, "Requester", {"lifts"}),
        member(6, "Cy", {"lifts"}, active=False),
    ]
    result = suggest_members(request, members, TAX, centroids=centroids)
    assert [s.name for s in result.suggestions] == ["Sam", "Jo", "Ann"]
    sam, jo, ann = result.suggestions
    assert sam.reasons == (
        "Offers 'Lifts and transport'",
        "1.2 km away",
        "Free on Tuesdays 09:00\u201312:00",
        "Completed 9 of 10 exchanges",
    )
    assert sam.distance_km == pytest.approx(1.2, abs=0.01)
    # Jo: broader skill 0.6, here (1.0), free (1.0), new (0.8)
    assert jo.score == pytest.approx(0.4 * 0.6 + 0.25 + 0.2 + 0.15 * 0.8)
    # Ann: narrower 0.8, unknown distance 0.25, not free 0, new 0.8
    assert ann.components.distance == DEFAULT_WEIGHTS.unknown_distance
    assert ann.score == pytest.approx(0.4 * 0.8 + 0.25 * 0.25 + 0 + 0.15 * 0.8)
    assert ann.reasons[1:3] == ("Distance not known", "Not free at the times asked for")
    codes = {e.member_id: e.code for e in result.excluded}
    assert codes == {
        4: ExclusionCode.NO_MATCHING_SKILL,
        5: ExclusionCode.REQUESTER,
        6: ExclusionCode.INACTIVE,
    }
    assert result.exclusion_for(4).reason == (  # type: ignore[union-attr]
        "Does not offer 'Lifts and transport' or a related category."
    )
    assert [
        s.name
        for s in suggest_members(request, members, TAX, centroids=centroids, limit=1).suggestions
    ] == ["Sam"]


def test_safeguarding_exclusion() -> None:
    request = HelpRequest("lifts", date(2025, 3, 4), location=HOME, needs_safeguarding_check=True)
    members = [
        member(1, "Valid", {"lifts"}, safeguarding_valid_until=date(2025, 3, 4)),  # last valid day
        member(2, "Expired", {"lifts"}, safeguarding_valid_until=date(2025, 3, 3)),
        member(3, "None", {"lifts"}),
    ]
    result = suggest_members(request, members, TAX)
    assert [s.name for s in result.suggestions] == ["Valid"]
    assert result.exclusion_for(2).reason == (  # type: ignore[union-attr]
        "Safeguarding check is valid only until 3 March 2025; 'Lifts and transport' on "
        "4 March 2025 needs a valid one."
    )
    assert result.exclusion_for(3).code is ExclusionCode.NO_SAFEGUARDING_CHECK  # type: ignore[union-attr]
    assert result.exclusion_for(3).reason == (  # type: ignore[union-attr]
        "No safeguarding check on record; 'Lifts and transport' needs one."
    )
    relaxed = suggest_members(HelpRequest("lifts", date(2025, 3, 4), location=HOME), members, TAX)
    assert len(relaxed.suggestions) == 3


def test_distance_limit_and_any_time() -> None:
    request = HelpRequest("lifts", date(2025, 3, 4), location=HOME, max_distance_km=1)
    far = member(1, "Far", {"lifts"}, Point(53.4916, -2.2426))
    near = member(2, "Near", {"lifts"})
    result = suggest_members(request, [far, near], TAX)
    assert [s.name for s in result.suggestions] == ["Near"]
    assert result.suggestions[0].reasons[2] == "Any time suits"
    assert result.exclusion_for(1).reason == "1.2 km away, beyond the 1 km limit."  # type: ignore[union-attr]


def test_duplicate_members_refused() -> None:
    with pytest.raises(TimebankError, match="listed twice"):
        suggest_members(HelpRequest("lifts", date(2025, 1, 1)), [member(1, "a", set())] * 2)


def test_weights_validated() -> None:
    with pytest.raises(ValueError):
        Weights(skill=0, distance=0, availability=0, reliability=0)
    with pytest.raises(ValueError):
        Weights(skill=-1)


CATEGORIES = ["getting-about", "lifts", "hospital-lifts", "shopping", "gardening"]
slots = st.builds(
    lambda day, start, length: WeeklySlot(day, time(start), time(min(start + length, 23))),
    st.integers(0, 6),
    st.integers(6, 20),
    st.integers(1, 3),
)
members_strategy = st.lists(
    st.builds(
        Member,
        id=st.integers(0, 10_000),
        name=st.sampled_from(["Ann", "Bo", "Cy"]),
        skills=st.frozensets(st.sampled_from(CATEGORIES), max_size=3),
        location=st.one_of(
            st.none(),
            st.builds(Point, st.floats(53.3, 53.6), st.floats(-2.4, -2.1)),
        ),
        availability=st.lists(slots, max_size=4).map(tuple),
        track=st.builds(Track, st.integers(0, 30), st.integers(0, 30)),
        safeguarding_valid_until=st.one_of(st.none(), st.dates(date(2024, 1, 1), date(2026, 1, 1))),
        active=st.booleans(),
    ),
    max_size=25,
    unique_by=lambda m: m.id,
)


@given(
    members_strategy,
    st.sampled_from(CATEGORIES),
    st.lists(slots, max_size=3).map(tuple),
    st.booleans(),
    st.randoms(use_true_random=False),
)
@settings(max_examples=150, deadline=None)
def test_ranking_is_deterministic_and_order_independent(
    members: list[Member], category: str, times: tuple[WeeklySlot, ...], dbs: bool, rnd: object
) -> None:
    request = HelpRequest(
        category, date(2025, 3, 4), location=HOME, times=times, needs_safeguarding_check=dbs
    )
    first = suggest_members(request, members, TAX)
    shuffled = list(members)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    second = suggest_members(request, shuffled, TAX)
    assert first == second
    assert suggest_members(request, members, TAX) == first
    scores = [s.score for s in first.suggestions]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)
    # Every member is either suggested or excluded with a reason, never both.
    suggested = {s.member_id for s in first.suggestions}
    excluded = {e.member_id for e in first.excluded}
    assert suggested.isdisjoint(excluded)
    assert suggested | excluded == {m.id for m in members}
    if dbs:
        by_id = {m.id: m for m in members}
        for s in first.suggestions:
            until = by_id[s.member_id].safeguarding_valid_until
            assert until is not None and until >= request.on
