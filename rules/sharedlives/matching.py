"""Matching a person with Shared Lives carers: who cannot be considered and why, and a shortlist in
an explained order for the scheme worker to choose from.

There is no match score. Each carer is either **excluded**, with every reason in plain words, or
**on the shortlist** with the reasons they might suit and the things to talk about. The shortlist is
ordered by four questions asked in turn, each a plain yes/no or a count the worker can check, then
by name; the worker and the person decide, and may pick anyone on it.

Hard exclusions (each listed, not just the first):

1. not approved as a carer on the day (never approved, approved later, or no longer a carer);
2. a check the household needs is missing or has lapsed on the day (:mod:`rules.sharedlives.approval`);
3. does not offer the kind of support wanted (long-term home, short breaks, day support);
4. step-free access needed, and the home is not step-free (or nobody knows);
5. a smoke-free home needed, and someone smokes there (or nobody knows);
6. allergic to pets, and pets live there (or nobody knows);
7. no spare place.

Order of the shortlist (first question first; "yes" before "no", more before fewer):

1. Do they speak a language the person speaks?
2. If sharing their faith matters to the person: do they share it? (Otherwise nobody is ordered
   by faith.)
3. Do they live in a place the person asked to live near?
4. How many interests do they share?
5. Tie-break: household name A to Z (ignoring case), then the carer's id, so the same carers in
   any input order give the same list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from rules.ledger.formatting import format_date
from rules.sharedlives.approval import Adult, RecordedCheck, approval_gaps

OFFER_NAMES = {
    "long_term": "long-term homes",
    "short_breaks": "short breaks",
    "day_support": "day support",
}
EASY_OFFER = {
    "long_term": "a home",
    "short_breaks": "short breaks",
    "day_support": "support in the day",
}


def _folded(items: Iterable[str]) -> dict[str, str]:
    """Case-insensitive set of words, keeping the first spelling for display."""
    found: dict[str, str] = {}
    for item in items:
        text = item.strip()
        if text and text.casefold() not in found:
            found[text.casefold()] = text
    return found


def _and(items: list[str], word: str = "and") -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


@dataclass(frozen=True)
class CarerFacts:
    carer_id: str
    name: str
    approved_on: date | None
    withdrawn: bool = False
    adults: tuple[Adult, ...] = ()
    checks: tuple[RecordedCheck, ...] = ()
    offers: frozenset[str] = frozenset()
    step_free: bool | None = None
    pets: bool | None = None
    smoking: bool | None = None
    spare_places: int = 0
    neighbourhood: str = ""
    faith: str = ""
    languages: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()


@dataclass(frozen=True)
class Needs:
    """A complete referral (see :mod:`rules.sharedlives.referrals`): every yes/no answered."""

    offer: str
    needs_step_free: bool
    needs_smoke_free: bool
    allergic_to_pets: bool
    languages: tuple[str, ...]
    interests: tuple[str, ...] = ()
    neighbourhoods: tuple[str, ...] = ()
    faith: str = ""
    faith_matters: bool = False


@dataclass(frozen=True)
class Excluded:
    carer_id: str
    name: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Candidate:
    carer_id: str
    name: str
    position: int
    reasons: tuple[str, ...]
    to_talk_about: tuple[str, ...]
    shared_languages: tuple[str, ...] = ()
    shared_interests: tuple[str, ...] = ()
    shares_faith: bool | None = None  # None: faith does not matter to the person
    in_chosen_place: bool = False

    @property
    def order_key(self) -> tuple[int, int, int, int]:
        """The four ordering questions as numbers (smaller first)."""
        return (
            0 if self.shared_languages else 1,
            1 if self.shares_faith is False else 0,
            0 if self.in_chosen_place else 1,
            -len(self.shared_interests),
        )


@dataclass(frozen=True)
class Shortlist:
    day: date
    candidates: tuple[Candidate, ...] = ()
    excluded: tuple[Excluded, ...] = field(default=())


def exclusions(carer: CarerFacts, needs: Needs, on: date) -> list[str]:
    """Every reason this carer cannot be considered for this person on ``on``; empty if none."""
    found: list[str] = []
    if carer.withdrawn:
        found.append("No longer a Shared Lives carer.")
    elif carer.approved_on is None:
        found.append("Not approved as a Shared Lives carer yet.")
    elif carer.approved_on > on:
        found.append(f"Not approved until {format_date(carer.approved_on)}.")
    if not carer.withdrawn and carer.approved_on is not None:
        for gap in approval_gaps(carer.adults, carer.checks, on):
            found.append(f"Checks not in date on {format_date(on)}: {gap.reason}")
    if needs.offer not in carer.offers:
        offered = [OFFER_NAMES[o] for o in sorted(carer.offers) if o in OFFER_NAMES]
        wanted = OFFER_NAMES.get(needs.offer, needs.offer)
        found.append(
            f"Does not offer {wanted}"
            + (f" (offers {_and(offered)})." if offered else " (offers nothing yet).")
        )
    if needs.needs_step_free:
        if carer.step_free is False:
            found.append("The home is not step-free, and step-free access is needed.")
        elif carer.step_free is None:
            found.append("Not known if the home is step-free, and step-free access is needed.")
    if needs.needs_smoke_free:
        if carer.smoking is True:
            found.append("Someone smokes in the home, and a smoke-free home is needed.")
        elif carer.smoking is None:
            found.append("Not known if anyone smokes in the home, and a smoke-free home is needed.")
    if needs.allergic_to_pets:
        if carer.pets is True:
            found.append("Pets live in the home, and the person is allergic to pets.")
        elif carer.pets is None:
            found.append("Not known if pets live in the home, and the person is allergic to pets.")
    if carer.spare_places <= 0:
        found.append("No spare place.")
    return found


def describe(carer: CarerFacts, needs: Needs) -> Candidate:
    """The reasons and things to talk about for one carer who is not excluded (position 0)."""
    reasons: list[str] = []
    talk: list[str] = []
    theirs = _folded(carer.languages)
    shared_languages = [v for k, v in _folded(needs.languages).items() if k in theirs]
    if shared_languages:
        reasons.append(f"Speaks {_and(shared_languages)}, as the person does.")
    else:
        talk.append(
            f"Does not speak {_and(list(_folded(needs.languages).values()), 'or')}, "
            "which the person speaks."
        )
    shares_faith: bool | None = None
    if needs.faith_matters:
        shares_faith = bool(carer.faith.strip()) and (
            carer.faith.strip().casefold() == needs.faith.strip().casefold()
        )
        if shares_faith:
            reasons.append(
                f"Shares the person's faith ({carer.faith.strip()}), which matters to them."
            )
        else:
            talk.append(
                f"Does not share the person's faith ({needs.faith.strip()}), which matters to them."
            )
    places = _folded(needs.neighbourhoods)
    here = carer.neighbourhood.strip()
    in_place = bool(here) and here.casefold() in places
    if in_place:
        reasons.append(f"Lives in {here}, where the person would like to live.")
    elif places:
        where = f"Lives in {here}" if here else "Not known where they live"
        talk.append(f"{where}, not near {_and(list(places.values()), 'or')}.")
    theirs_interests = _folded(carer.interests)
    shared_interests = [v for k, v in _folded(needs.interests).items() if k in theirs_interests]
    if shared_interests:
        reasons.append(f"Shares interests: {_and(shared_interests)}.")
    else:
        talk.append("No shared interests on record.")
    if needs.needs_step_free:
        reasons.append("The home is step-free, as needed.")
    if needs.needs_smoke_free:
        reasons.append("Nobody smokes in the home, as needed.")
    if needs.allergic_to_pets:
        reasons.append("No pets in the home, as needed.")
    return Candidate(
        carer_id=carer.carer_id,
        name=carer.name,
        position=0,
        reasons=tuple(reasons),
        to_talk_about=tuple(talk),
        shared_languages=tuple(shared_languages),
        shared_interests=tuple(shared_interests),
        shares_faith=shares_faith,
        in_chosen_place=in_place,
    )


def shortlist(carers: Iterable[CarerFacts], needs: Needs, on: date) -> Shortlist:
    """Every carer either excluded (with reasons) or on the shortlist in the order above."""
    candidates: list[Candidate] = []
    excluded: list[Excluded] = []
    for carer in carers:
        reasons = exclusions(carer, needs, on)
        if reasons:
            excluded.append(Excluded(carer.carer_id, carer.name, tuple(reasons)))
        else:
            candidates.append(describe(carer, needs))
    candidates.sort(key=lambda c: (c.order_key, c.name.casefold(), c.carer_id))
    excluded.sort(key=lambda e: (e.name.casefold(), e.carer_id))
    numbered = tuple(
        Candidate(
            carer_id=c.carer_id,
            name=c.name,
            position=i,
            reasons=c.reasons,
            to_talk_about=c.to_talk_about,
            shared_languages=c.shared_languages,
            shared_interests=c.shared_interests,
            shares_faith=c.shares_faith,
            in_chosen_place=c.in_chosen_place,
        )
        for i, c in enumerate(candidates, start=1)
    )
    return Shortlist(day=on, candidates=numbered, excluded=tuple(excluded))


def why_this_order() -> tuple[str, ...]:
    """The ordering questions in plain words, for the page beside the shortlist."""
    return (
        "Carers who speak a language the person speaks come first.",
        "If sharing their faith matters to the person, carers who share it come next.",
        "Then carers who live where the person would like to live.",
        "Then carers who share more of the person's interests.",
        "Carers alike in all of these are listed by name, A to Z.",
        "This order is a suggestion. You and the person choose; anyone on the list can be asked.",
    )


def easy_read(candidate: Candidate, carer: CarerFacts, needs: Needs) -> tuple[str, ...]:
    """Short sentences for the person about one carer on their shortlist. No ranking words."""
    lines: list[str] = []
    if carer.neighbourhood.strip():
        lines.append(f"They live in {carer.neighbourhood.strip()}.")
        if candidate.in_chosen_place:
            lines.append("You said you would like to live there.")
    if candidate.shared_languages:
        lines.append(f"They speak {_and(list(candidate.shared_languages))}, like you.")
    if needs.offer in EASY_OFFER:
        lines.append(f"They can give you {EASY_OFFER[needs.offer]}.")
    if carer.step_free:
        lines.append("Their home has no steps.")
    if carer.smoking is False:
        lines.append("Nobody smokes in their home.")
    if carer.pets is True:
        lines.append("They have pets.")
    elif carer.pets is False:
        lines.append("They have no pets.")
    if candidate.shares_faith:
        lines.append(f"Their faith is {carer.faith.strip()}, like yours.")
    if candidate.shared_interests:
        lines.append(f"They like {_and(list(candidate.shared_interests))}.")
        lines.append(
            "You like this too." if len(candidate.shared_interests) == 1 else "You like these too."
        )
    return tuple(lines)
