"""Matching a person who asked for a befriender with volunteers: who cannot befriend them and why,
and everyone else in an explained order for the coordinator to choose from.

There is no match score (an automated score steered workers in the US Family-Match tool and was
dropped): each volunteer is either **excluded**, with every reason in plain words, or **suggested**
with the reasons they might suit and what nobody has recorded yet. The coordinator decides, and the
person and the volunteer both agree before anything starts.

Hard exclusions (every one that applies is listed):

1. no longer volunteering;
2. a safeguarding check is missing or has lapsed on the day (each gap named, from
   :func:`rules.befriending.checks.befriender_gaps`);
3. already befriending as many people as they offered to;
4. the person asked for a befriender of a gender, and the volunteer is not (or has not said);
5. both have said which languages they speak, and they share none;
6. both have said when they are free, and no time is the same;
7. already proposed for, or befriending, this person.

Order of the suggestions (each question in turn; "yes" before "no", more before fewer):

1. Can they meet in the person's area?
2. How many interests do they share?
3. How many of the same times are they free?
4. How many people do they already befriend? (fewer first, to share the work)
5. Tie-break: name A to Z ignoring case, then the volunteer's key, so the same volunteers in any
   input order give the same list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

DAYS = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
PARTS = {"am": "morning", "pm": "afternoon", "eve": "evening"}
TIMES: dict[str, str] = {
    f"{d}-{p}": f"{day} {part}" for d, day in DAYS.items() for p, part in PARTS.items()
}
"""Times of the week people say they are free, as codes ("mon-am") and words ("Monday morning")."""

GENDERS = {"woman": "a woman", "man": "a man", "non_binary": "non-binary"}
"""How the person's preference and the volunteer's own description are written in reasons."""


@dataclass(frozen=True)
class Volunteer:
    key: str
    name: str
    interests: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    times: frozenset[str] = frozenset()
    places: tuple[str, ...] = ()
    """Areas where they can meet people; empty when not recorded."""
    gender: str = ""
    """A key of :data:`GENDERS`, or "" when they have not said."""
    check_gaps: tuple[str, ...] = ()
    """Each missing or lapsed check on the day, in plain words."""
    befriending: int = 0
    """How many people they befriend now (matches proposed or running)."""
    capacity: int = 1
    active: bool = True


@dataclass(frozen=True)
class Wish:
    """What the person asked for."""

    interests: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    times: frozenset[str] = frozenset()
    place: str = ""
    gender_preference: str = ""
    """A key of :data:`GENDERS`, or "" for no preference (only asked if the person wants to say)."""
    already: frozenset[str] = frozenset()
    """Keys of volunteers already proposed for, or befriending, this person."""


@dataclass(frozen=True)
class Suggestion:
    key: str
    name: str
    reasons: tuple[str, ...]
    not_known: tuple[str, ...]


@dataclass(frozen=True)
class Exclusion:
    key: str
    name: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Shortlist:
    suggested: tuple[Suggestion, ...]
    excluded: tuple[Exclusion, ...]


def _fold(items: Iterable[str]) -> dict[str, str]:
    """Case-insensitive lookup keeping the first spelling: {"music": "Music"}."""
    found: dict[str, str] = {}
    for item in items:
        text = item.strip()
        if text and text.casefold() not in found:
            found[text.casefold()] = text
    return found


def _shared(theirs: Iterable[str], wanted: Iterable[str]) -> list[str]:
    """Items of ``wanted`` also in ``theirs`` (ignoring case), in ``wanted``'s order and spelling."""
    mine = _fold(theirs)
    return [text for key, text in _fold(wanted).items() if key in mine]


def _time_words(codes: Iterable[str]) -> str:
    order = list(TIMES)
    known = sorted((c for c in codes if c in TIMES), key=order.index)
    return ", ".join(TIMES[c] for c in known)


def _people(n: int) -> str:
    return "1 person" if n == 1 else f"{n} people"


def exclusions(wish: Wish, volunteer: Volunteer) -> list[str]:
    """Every reason ``volunteer`` cannot befriend the person, in plain words (empty: they can)."""
    reasons: list[str] = []
    if not volunteer.active:
        reasons.append("No longer volunteering.")
    if volunteer.check_gaps:
        reasons.append("Checks not complete: " + " ".join(volunteer.check_gaps))
    if volunteer.befriending >= volunteer.capacity:
        reasons.append(
            f"Already befriends {_people(volunteer.befriending)}, "
            f"as many as they offered ({volunteer.capacity})."
        )
    wanted = wish.gender_preference
    if wanted and volunteer.gender != wanted:
        said = (
            f"they are {GENDERS[volunteer.gender]}"
            if volunteer.gender in GENDERS
            else "they have not said their gender"
        )
        reasons.append(
            f"The person asked for a befriender who is {GENDERS.get(wanted, wanted)}; {said}."
        )
    if wish.languages and volunteer.languages and not _shared(volunteer.languages, wish.languages):
        reasons.append(
            "Speaks none of the person's languages ("
            + ", ".join(_fold(wish.languages).values())
            + ")."
        )
    if wish.times and volunteer.times and not (wish.times & volunteer.times):
        reasons.append(f"Never free at the same time (the person: {_time_words(wish.times)}).")
    if volunteer.key in wish.already:
        reasons.append("Already proposed for, or befriending, this person.")
    return reasons


def _explain(wish: Wish, volunteer: Volunteer) -> tuple[tuple[int, int, int, int], Suggestion]:
    reasons: list[str] = []
    not_known: list[str] = []
    in_place = bool(wish.place) and wish.place.casefold() in _fold(volunteer.places)
    if in_place:
        reasons.append(f"Can meet in {wish.place}, the person's area.")
    elif not wish.place:
        not_known.append("Where the person would like to meet.")
    elif not volunteer.places:
        not_known.append("Where the volunteer can meet.")
    interests = _shared(volunteer.interests, wish.interests)
    if interests:
        reasons.append(
            f"Shares {len(interests)} interest{'s' if len(interests) > 1 else ''}: "
            + ", ".join(interests)
            + "."
        )
    times = wish.times & volunteer.times
    if times:
        reasons.append(f"Free at the same times: {_time_words(times)}.")
    elif not wish.times:
        not_known.append("When the person is free.")
    elif not volunteer.times:
        not_known.append("When the volunteer is free.")
    languages = _shared(volunteer.languages, wish.languages)
    if languages:
        reasons.append("Speaks " + ", ".join(languages) + ".")
    elif not (wish.languages and volunteer.languages):
        not_known.append("Which languages they share.")
    if wish.gender_preference:
        reasons.append(
            f"Is {GENDERS.get(wish.gender_preference, wish.gender_preference)}, as the person asked."
        )
    reasons.append(
        "Befriends nobody yet."
        if volunteer.befriending == 0
        else f"Already befriends {_people(volunteer.befriending)} (offered {volunteer.capacity})."
    )
    order = (0 if in_place else 1, -len(interests), -len(times), volunteer.befriending)
    return order, Suggestion(volunteer.key, volunteer.name, tuple(reasons), tuple(not_known))


def shortlist(wish: Wish, volunteers: Iterable[Volunteer]) -> Shortlist:
    """Everyone, either suggested (in the documented order) or excluded (A to Z), with reasons."""
    suggested: list[tuple[tuple[int, int, int, int, str, str], Suggestion]] = []
    excluded: list[Exclusion] = []
    for volunteer in volunteers:
        reasons = exclusions(wish, volunteer)
        if reasons:
            excluded.append(Exclusion(volunteer.key, volunteer.name, tuple(reasons)))
            continue
        order, suggestion = _explain(wish, volunteer)
        suggested.append(((*order, volunteer.name.casefold(), volunteer.key), suggestion))
    suggested.sort(key=lambda pair: pair[0])
    excluded.sort(key=lambda e: (e.name.casefold(), e.key))
    return Shortlist(tuple(s for _, s in suggested), tuple(excluded))
