"""What Shared Lives holds about a person, for "download my data" and erasure.

Every reference to an account here is in :data:`COVERED` (a test fails when a model gains one
that is not):

- a person's referrals, with their matches, introductions, visits, trial stays and placements:
  exported in full; erased by deleting them (matches and their events go with them, so the
  placement also leaves the cost figures for the evidence pages).
- a carer household (the carer's account): exported in full (household, home, checks, matches
  with the first name of the person only); erased by removing the household's details, its
  adults and their checks, and marking it no longer caring. Its matches stay, because they are
  also the other person's record; they show the household as erased.
- referrals on a scheme worker's caseload, households they approved, checks and events they
  recorded: exported as dates and kinds; on erasure the link to the worker is cleared and the
  record stays.
"""

from __future__ import annotations

from typing import Any

from accounts.models import User
from sharedlives.models import Carer, CarerCheck, Match, MatchEvent, Referral

ERASED = "Erased household"

COVERED: dict[tuple[str, str], str] = {
    ("Referral", "person"): "own referrals: exported, deleted with their matches",
    ("Referral", "worker"): "caseload: exported (dates), link cleared",
    ("Carer", "user"): "carer household: exported, details, adults and checks erased",
    ("Carer", "approved_by"): "approvals given: exported (dates), link cleared",
    ("CarerCheck", "recorded_by"): "checks recorded: exported (kinds, dates), link cleared",
    ("MatchEvent", "recorded_by"): "events recorded: exported (kinds, dates), link cleared",
}


def _d(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _yes_no(value: bool | None) -> str:
    return {True: "Yes", False: "No", None: "Not known"}[value]


def _events(match: Match) -> list[dict[str, Any]]:
    return [
        {"what": e.get_kind_display(), "on": _d(e.on), "until": _d(e.until), "note": e.note}
        for e in match.events.all()
    ]


def _match_for_person(match: Match) -> dict[str, Any]:
    return {
        "carer_household": match.carer.name,
        "stage": match.get_stage_display(),
        "proposed_on": _d(match.proposed_on),
        "you_agreed_on": _d(match.person_agreed_on),
        "carer_agreed_on": _d(match.carer_agreed_on),
        "started_on": _d(match.started_on),
        "ended_on": _d(match.ended_on),
        "ended_by": match.get_ended_by_display() if match.ended_by else None,
        "end_reason": match.end_reason,
        "new_match_asked_for": match.new_match_wanted,
        "events": _events(match),
    }


def _referral(r: Referral) -> dict[str, Any]:
    return {
        "received_on": _d(r.received_on),
        "status": r.get_status_display(),
        "support_wanted": r.get_offer_display() if r.offer else None,
        "about_you": r.about,
        "needs_step_free": _yes_no(r.needs_step_free),
        "needs_smoke_free": _yes_no(r.needs_smoke_free),
        "allergic_to_pets": _yes_no(r.allergic_to_pets),
        "places_you_would_like_to_live_near": r.neighbourhoods,
        "faith": r.faith,
        "sharing_faith_matters": r.faith_matters,
        "languages": r.languages,
        "interests": r.interests,
        "closed_on": _d(r.closed_on),
        "close_reason": r.close_reason,
        "matches": [_match_for_person(m) for m in r.matches.select_related("carer")],
    }


def _household(c: Carer) -> dict[str, Any]:
    return {
        "name": c.name,
        "who_lives_there": c.household,
        "adults": [a.name for a in c.adults.all()],
        "neighbourhood": c.neighbourhood,
        "skills": c.skills,
        "interests": c.interests,
        "faith": c.faith,
        "languages": c.languages,
        "step_free": _yes_no(c.step_free),
        "pets": _yes_no(c.pets),
        "smoking": _yes_no(c.smoking),
        "offers": c.offer_labels,
        "places": c.places,
        "status": c.get_status_display(),
        "approved_on": _d(c.approved_on),
        "checks": [
            {
                "check": ch.get_kind_display(),
                "for": ch.adult.name if ch.adult else None,
                "checked_on": _d(ch.checked_on),
                "expires_on": _d(ch.expires_on),
                "note": ch.note,
            }
            for ch in c.checks.select_related("adult")
        ],
        "matches": [
            {
                "person": m.referral.person.first_name or "Not known",
                "stage": m.get_stage_display(),
                "proposed_on": _d(m.proposed_on),
                "you_agreed_on": _d(m.carer_agreed_on),
                "started_on": _d(m.started_on),
                "ended_on": _d(m.ended_on),
                "events": _events(m),
            }
            for m in c.matches.select_related("referral__person")
        ],
    }


def export(person: User) -> dict[str, Any]:
    household = Carer.objects.filter(user=person).first()
    return {
        "referrals": [_referral(r) for r in Referral.objects.filter(person=person)],
        "carer_household": _household(household) if household else None,
        "caseload": [
            {"received_on": _d(r.received_on), "status": r.get_status_display()}
            for r in Referral.objects.filter(worker=person).exclude(person=person)
        ],
        "households_approved": [
            _d(c.approved_on) for c in Carer.objects.filter(approved_by=person)
        ],
        "checks_recorded": [
            {"check": c.get_kind_display(), "checked_on": _d(c.checked_on)}
            for c in CarerCheck.objects.filter(recorded_by=person)
        ],
        "events_recorded": [
            {"what": e.get_kind_display(), "on": _d(e.on)}
            for e in MatchEvent.objects.filter(recorded_by=person)
        ],
    }


def erase(person: User) -> None:
    Referral.objects.filter(person=person).delete()  # matches and events cascade
    household = Carer.objects.filter(user=person).first()
    if household is not None:
        household.adults.all().delete()
        household.checks.all().delete()
        household.name = f"{ERASED} {household.pk}"
        for field in ("household", "neighbourhood", "skills", "interests", "faith", "languages"):
            setattr(household, field, "")
        household.step_free = household.pets = household.smoking = None
        household.status = Carer.Status.WITHDRAWN
        household.save()
    Referral.objects.filter(worker=person).update(worker=None)
    Carer.objects.filter(approved_by=person).update(approved_by=None)
    CarerCheck.objects.filter(recorded_by=person).update(recorded_by=None)
    MatchEvent.objects.filter(recorded_by=person).update(recorded_by=None)
