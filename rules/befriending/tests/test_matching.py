import random
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from rules.befriending.matching import TIMES, Volunteer, Wish, exclusions, shortlist

WISH = Wish(
    interests=("Gardening", "Music", "Football"),
    languages=("English", "Polish"),
    times=frozenset({"mon-am", "thu-pm"}),
    place="Millbrook",
)
ANNA = Volunteer(
    "a",
    "Anna",
    interests=("music", "gardening"),
    languages=("English",),
    times=frozenset({"mon-am"}),
    places=("Millbrook",),
    gender="woman",
)
BEN = Volunteer(
    "b",
    "Ben",
    interests=("football", "music", "gardening"),
    languages=("Polish", "English"),
    times=frozenset({"mon-am", "thu-pm"}),
    places=("Eastmere",),
    gender="man",
)
CAL = Volunteer(
    "c", "Cal", interests=("chess",), times=frozenset({"thu-pm"}), places=("millbrook",)
)


def test_place_comes_before_interests_then_times_then_load_then_name() -> None:
    result = shortlist(WISH, [BEN, CAL, ANNA])
    assert [s.name for s in result.suggested] == ["Anna", "Cal", "Ben"]
    anna = result.suggested[0]
    assert anna.reasons == (
        "Can meet in Millbrook, the person's area.",
        "Shares 2 interests: Gardening, Music.",
        "Free at the same times: Monday morning.",
        "Speaks English.",
        "Befriends nobody yet.",
    )
    assert result.suggested[1].not_known == ("Which languages they share.",)
    assert result.excluded == ()


def test_ties_fall_to_load_then_name_then_key() -> None:
    twin = replace(ANNA, key="z", name="anna")
    busy = replace(ANNA, key="y", name="Aaron", befriending=1, capacity=2)
    names = [(s.name, s.key) for s in shortlist(WISH, [twin, busy, ANNA]).suggested]
    assert names == [("Anna", "a"), ("anna", "z"), ("Aaron", "y")]


def test_every_hard_exclusion_is_listed_in_plain_words() -> None:
    wish = replace(WISH, gender_preference="woman", already=frozenset({"b"}))
    ben = replace(
        BEN,
        languages=("French",),
        times=frozenset({"sun-eve"}),
        check_gaps=("Second reference: none on record.",),
        befriending=1,
        active=False,
    )
    assert exclusions(wish, ben) == [
        "No longer volunteering.",
        "Checks not complete: Second reference: none on record.",
        "Already befriends 1 person, as many as they offered (1).",
        "The person asked for a befriender who is a woman; they are a man.",
        "Speaks none of the person's languages (English, Polish).",
        "Never free at the same time (the person: Monday morning, Thursday afternoon).",
        "Already proposed for, or befriending, this person.",
    ]


def test_a_gender_preference_excludes_someone_who_has_not_said() -> None:
    wish = replace(WISH, gender_preference="woman")
    assert exclusions(wish, CAL) == [
        "The person asked for a befriender who is a woman; they have not said their gender."
    ]
    assert exclusions(wish, ANNA) == []
    assert "Is a woman, as the person asked." in shortlist(wish, [ANNA]).suggested[0].reasons


def test_capacity_boundary() -> None:
    assert exclusions(WISH, replace(ANNA, befriending=1, capacity=2)) == []
    assert exclusions(WISH, replace(ANNA, befriending=2, capacity=2)) != []


def test_unknowns_do_not_exclude_but_are_said() -> None:
    blank = Volunteer("d", "Dee")
    assert exclusions(WISH, blank) == []
    assert shortlist(WISH, [blank]).suggested[0].not_known == (
        "Where the volunteer can meet.",
        "When the volunteer is free.",
        "Which languages they share.",
    )
    assert shortlist(Wish(), [blank]).suggested[0].not_known[0] == (
        "Where the person would like to meet."
    )


volunteers = st.builds(
    Volunteer,
    key=st.text(alphabet="abcdef", min_size=1, max_size=3),
    name=st.sampled_from(["Ann", "ann", "Bo", "Cy"]),
    interests=st.lists(st.sampled_from(["music", "Music", "walks", "chess"]), max_size=3).map(
        tuple
    ),
    languages=st.lists(st.sampled_from(["English", "Polish", "Urdu"]), max_size=2).map(tuple),
    times=st.frozensets(st.sampled_from(sorted(TIMES)[:6]), max_size=3),
    places=st.lists(st.sampled_from(["Millbrook", "Eastmere"]), max_size=2).map(tuple),
    gender=st.sampled_from(["", "woman", "man"]),
    check_gaps=st.lists(st.just("Enhanced DBS check: none on record."), max_size=1).map(tuple),
    befriending=st.integers(0, 2),
    capacity=st.integers(1, 2),
    active=st.booleans(),
)


@given(st.lists(volunteers, max_size=8, unique_by=lambda v: v.key), st.randoms())
def test_order_does_not_depend_on_input_order_and_everyone_is_placed_once(
    vs: list[Volunteer], rnd: random.Random
) -> None:
    wish = replace(WISH, gender_preference="woman")
    first = shortlist(wish, vs)
    shuffled = vs[:]
    rnd.shuffle(shuffled)
    assert shortlist(wish, shuffled) == first
    keys = [s.key for s in first.suggested] + [e.key for e in first.excluded]
    assert sorted(keys) == sorted(v.key for v in vs)
    by_key = {v.key: v for v in vs}
    for s in first.suggested:
        v = by_key[s.key]
        assert v.active and not v.check_gaps and v.befriending < v.capacity and v.gender == "woman"
    assert all(e.reasons for e in first.excluded)
