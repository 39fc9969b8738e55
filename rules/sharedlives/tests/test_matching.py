"""Hand-made cases: the exact shortlist order, every reason and every exclusion in plain words."""

from datetime import date, timedelta

from rules.sharedlives.approval import Adult, RecordedCheck
from rules.sharedlives.matching import (
    CarerFacts,
    Needs,
    easy_read,
    exclusions,
    shortlist,
    why_this_order,
)

DAY = date(2026, 12, 3)


def _checks(
    adult_ids: tuple[str, ...] = ("a",), dbs_expires: date = date(2028, 1, 1)
) -> tuple[RecordedCheck, ...]:
    return (
        *(
            RecordedCheck("dbs_enhanced", date(2025, 1, 1), dbs_expires, adult_id=a)
            for a in adult_ids
        ),
        RecordedCheck("reference", date(2025, 2, 1)),
        RecordedCheck("reference", date(2025, 2, 2)),
        RecordedCheck("home_safety", date(2026, 3, 1), date(2027, 3, 1)),
        RecordedCheck("panel", date(2026, 4, 1)),
    )


def carer(carer_id: str, name: str, **facts: object) -> CarerFacts:
    base: dict[str, object] = {
        "approved_on": date(2026, 4, 1),
        "adults": (Adult("a", "Ann"),),
        "checks": _checks(),
        "offers": frozenset({"long_term"}),
        "step_free": True,
        "pets": False,
        "smoking": False,
        "spare_places": 1,
        "neighbourhood": "Millbrook",
        "languages": ("English",),
        "interests": (),
    }
    base.update(facts)
    return CarerFacts(carer_id=carer_id, name=name, **base)  # type: ignore[arg-type]


NEEDS = Needs(
    offer="long_term",
    needs_step_free=True,
    needs_smoke_free=True,
    allergic_to_pets=True,
    languages=("English", "Polish"),
    interests=("Gardening", "Music", "Football"),
    neighbourhoods=("Millbrook",),
)


def test_the_shortlist_order_and_reasons_on_a_hand_made_case() -> None:
    carers = [
        carer(
            "1",
            "Birch household",
            languages=("English",),
            interests=("music",),
            neighbourhood="Eastmere",
        ),
        carer(
            "2", "Ash household", languages=("Polish", "English"), interests=("Gardening", "music")
        ),
        carer(
            "3",
            "Cedar household",
            languages=("French",),
            interests=("Gardening", "Music", "Football"),
        ),
        carer(
            "4",
            "alder household",
            languages=("English",),
            interests=("music",),
            neighbourhood="Eastmere",
        ),
        carer("5", "Damson household", languages=("English",), interests=()),
    ]
    result = shortlist(carers, NEEDS, DAY)

    assert [(c.position, c.name) for c in result.candidates] == [
        (1, "Ash household"),  # a language, the place, two interests
        (2, "Damson household"),  # a language, the place, no interests
        (3, "alder household"),  # a language, not the place, one interest; a before B ignoring case
        (4, "Birch household"),
        (5, "Cedar household"),  # three interests but no shared language: language comes first
    ]
    assert result.excluded == ()
    ash = result.candidates[0]
    assert ash.reasons == (
        "Speaks English and Polish, as the person does.",
        "Lives in Millbrook, where the person would like to live.",
        "Shares interests: Gardening and Music.",
        "The home is step-free, as needed.",
        "Nobody smokes in the home, as needed.",
        "No pets in the home, as needed.",
    )
    assert ash.to_talk_about == ()
    assert result.candidates[4].to_talk_about == (
        "Does not speak English or Polish, which the person speaks.",
    )
    assert result.candidates[4].reasons[:2] == (
        "Lives in Millbrook, where the person would like to live.",
        "Shares interests: Gardening, Music and Football.",
    )
    assert result.candidates[3].to_talk_about == ("Lives in Eastmere, not near Millbrook.",)
    assert result.candidates[1].to_talk_about == ("No shared interests on record.",)


def test_faith_orders_the_list_only_when_it_matters_to_the_person() -> None:
    carers = [
        carer("1", "Ash household", faith="", interests=("Music",)),
        carer("2", "Birch household", faith="Muslim"),
    ]
    plain = shortlist(carers, NEEDS, DAY)
    assert [c.name for c in plain.candidates] == ["Ash household", "Birch household"]
    assert all(c.shares_faith is None for c in plain.candidates)

    matters = Needs(**{**NEEDS.__dict__, "faith": "muslim", "faith_matters": True})
    result = shortlist(carers, matters, DAY)
    assert [c.name for c in result.candidates] == ["Birch household", "Ash household"]
    assert result.candidates[0].reasons[1] == (
        "Shares the person's faith (Muslim), which matters to them."
    )
    assert "Does not share the person's faith (muslim), which matters to them." in (
        result.candidates[1].to_talk_about
    )


def test_a_tie_on_every_question_and_name_is_broken_by_id() -> None:
    carers = [carer("b", "Same household"), carer("a", "Same household")]
    assert [c.carer_id for c in shortlist(carers, NEEDS, DAY).candidates] == ["a", "b"]


def test_every_hard_exclusion_is_named() -> None:
    everything_wrong = carer(
        "9",
        "Elm household",
        offers=frozenset({"short_breaks", "day_support"}),
        step_free=False,
        smoking=True,
        pets=True,
        spare_places=0,
    )
    assert exclusions(everything_wrong, NEEDS, DAY) == [
        "Does not offer long-term homes (offers day support and short breaks).",
        "The home is not step-free, and step-free access is needed.",
        "Someone smokes in the home, and a smoke-free home is needed.",
        "Pets live in the home, and the person is allergic to pets.",
        "No spare place.",
    ]


def test_not_known_home_facts_exclude_when_they_matter_and_not_otherwise() -> None:
    unknown = carer("9", "Elm household", step_free=None, smoking=None, pets=None)
    assert exclusions(unknown, NEEDS, DAY) == [
        "Not known if the home is step-free, and step-free access is needed.",
        "Not known if anyone smokes in the home, and a smoke-free home is needed.",
        "Not known if pets live in the home, and the person is allergic to pets.",
    ]
    relaxed = Needs(
        offer="long_term",
        needs_step_free=False,
        needs_smoke_free=False,
        allergic_to_pets=False,
        languages=("English",),
    )
    assert (
        exclusions(carer("8", "Oak", step_free=False, smoking=True, pets=True), relaxed, DAY) == []
    )


def test_approval_on_the_day_and_lapsed_checks_exclude() -> None:
    assert exclusions(carer("1", "A", approved_on=None), NEEDS, DAY) == [
        "Not approved as a Shared Lives carer yet."
    ]
    assert exclusions(carer("1", "A", approved_on=DAY + timedelta(days=1)), NEEDS, DAY) == [
        "Not approved until 4 December 2026."
    ]
    assert exclusions(carer("1", "A", approved_on=DAY), NEEDS, DAY) == []
    assert exclusions(carer("1", "A", withdrawn=True), NEEDS, DAY) == [
        "No longer a Shared Lives carer."
    ]
    lapsed = carer("1", "A", checks=_checks(dbs_expires=DAY - timedelta(days=1)))
    assert exclusions(lapsed, NEEDS, DAY) == [
        "Checks not in date on 3 December 2026: Enhanced DBS check for Ann: expired on 2 December 2026."
    ]
    assert exclusions(carer("1", "A", checks=_checks(dbs_expires=DAY)), NEEDS, DAY) == []


def test_a_second_adult_without_a_dbs_check_excludes_the_household() -> None:
    two = carer("1", "A", adults=(Adult("a", "Ann"), Adult("b", "Bo")))
    assert exclusions(two, NEEDS, DAY) == [
        "Checks not in date on 3 December 2026: Enhanced DBS check for Bo: none on record."
    ]


def test_excluded_carers_are_listed_with_reasons_and_not_shortlisted() -> None:
    result = shortlist([carer("1", "Full", spare_places=0), carer("2", "Free")], NEEDS, DAY)
    assert [c.name for c in result.candidates] == ["Free"]
    assert [(e.name, e.reasons) for e in result.excluded] == [("Full", ("No spare place.",))]


def test_easy_read_is_short_plain_sentences_without_ranking() -> None:
    ash = carer("2", "Ash household", languages=("Polish",), interests=("Gardening",))
    candidate = shortlist([ash], NEEDS, DAY).candidates[0]
    lines = easy_read(candidate, ash, NEEDS)
    assert lines == (
        "They live in Millbrook.",
        "You said you would like to live there.",
        "They speak Polish, like you.",
        "They can give you a home.",
        "Their home has no steps.",
        "Nobody smokes in their home.",
        "They have no pets.",
        "They like Gardening.",
        "You like this too.",
    )
    assert all(len(line.split()) <= 8 for line in lines)
    assert not any("score" in line.lower() or "rank" in line.lower() for line in lines)


def test_the_order_is_explained_and_leaves_the_choice_to_people() -> None:
    assert why_this_order()[-1].startswith("This order is a suggestion")
