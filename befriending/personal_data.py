"""What befriending holds about a person: export all of it; on erasure, remove the personal parts
and keep the dated shell.

Every reference to an account here is in :data:`COVERED` (a test fails when a model gains one
that is not):

- their requests for a befriender: exported in full; erased: their name and words removed and the
  link cleared. Matches on the request stay as dates, the end reason and minutes, so the service
  can still count what it did and a safeguarding history is not silently rewritten; the notes,
  concerns and feedback in them are removed.
- referrals they recorded for someone else (coordinators): exported as dates; the link cleared.
- their volunteer record: exported with its checks, matches (the other person's name is not
  exported, only dates) and the contacts they logged; erased: their name and words removed and
  the link cleared; the checks' dates stay (the record that the checks were made).
- peer group memberships: exported; removed.
- checks recorded, proposals, contacts logged and concerns read by them as staff: not personal to
  them beyond the audit trail; the links are cleared on erasure.
"""

from __future__ import annotations

from typing import Any

from accounts.models import User
from befriending.models import Check, Contact, Match, Membership, Request, Volunteer

ERASED = "[erased on request]"

COVERED: dict[tuple[str, str], str] = {
    ("Volunteer", "user"): "their volunteer record: exported, words erased, link cleared",
    ("Request", "person"): "their requests: exported, words erased, link cleared",
    ("Request", "referred_by"): "referrals recorded for others: exported as dates, link cleared",
    ("Check", "recorded_by"): "checks recorded as staff: link cleared",
    ("Match", "proposed_by"): "matches proposed as staff: link cleared",
    ("Contact", "logged_by"): "contacts logged: exported with the volunteer record, link cleared",
    ("Contact", "concern_read_by"): "concerns read as staff: link cleared",
    ("Membership", "person"): "peer group memberships: exported, removed",
}


def _d(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _match(m: Match, side: str) -> dict[str, Any]:
    found: dict[str, Any] = {
        "stage": m.get_stage_display(),
        "proposed_on": _d(m.proposed_on),
        "you_agreed_on": _d(m.person_agreed_on if side == "person" else m.volunteer_agreed_on),
        "started_on": _d(m.started_on),
        "ended_on": _d(m.ended_on),
        "ended_by": m.get_ended_by_display() if m.ended_by else None,
        "end_reason": m.get_end_reason_display() if m.end_reason else None,
        "last_meeting_on": _d(m.last_meeting_on),
        "your_feedback": m.person_feedback if side == "person" else m.volunteer_feedback,
        "contacts": [
            {"on": _d(c.on), "how": c.get_how_display(), "minutes": c.minutes, "notes": c.notes}
            for c in m.contacts.all()
        ],
    }
    if side == "person":
        found["befriender"] = m.volunteer.name
    return found


def export(person: User) -> dict[str, Any]:
    volunteer = Volunteer.objects.filter(user=person).prefetch_related("checks").first()
    return {
        "requests": [
            {
                "received_on": _d(r.received_on),
                "source": r.get_source_display(),
                "referrer": r.referrer,
                "about": r.about,
                "interests": r.interests,
                "languages": r.languages,
                "times": r.times,
                "place": r.place,
                "gender_preference": r.get_gender_preference_display(),
                "status": r.get_status_display(),
                "matches": [_match(m, "person") for m in r.matches.select_related("volunteer")],
            }
            for r in Request.objects.filter(person=person)
        ],
        "referrals_recorded": [
            _d(r.received_on)
            for r in Request.objects.filter(referred_by=person).exclude(person=person)
        ],
        "volunteer": None
        if volunteer is None
        else {
            "name": volunteer.name,
            "about": volunteer.about,
            "interests": volunteer.interests,
            "languages": volunteer.languages,
            "times": volunteer.times,
            "places": volunteer.places,
            "gender": volunteer.get_gender_display(),
            "capacity": volunteer.capacity,
            "status": volunteer.get_status_display(),
            "applied_on": _d(volunteer.applied_on),
            "checks": [
                {
                    "kind": c.get_kind_display(),
                    "checked_on": _d(c.checked_on),
                    "expires_on": _d(c.expires_on),
                    "note": c.note,
                }
                for c in volunteer.checks.all()
            ],
            "matches": [_match(m, "volunteer") for m in volunteer.matches.all()],
        },
        "peer_groups": [
            {"group": m.group.name, "joined_on": _d(m.joined_on), "left_on": _d(m.left_on)}
            for m in Membership.objects.filter(person=person).select_related("group")
        ],
    }


def erase(person: User) -> None:
    for r in Request.objects.filter(person=person):
        Contact.objects.filter(match__request=r).update(notes="", concern="")
        Match.objects.filter(request=r).update(
            person_feedback="", volunteer_feedback="", end_details=""
        )
    Request.objects.filter(person=person).update(
        person=None,
        name=ERASED,
        about="",
        interests="",
        languages="",
        times="",
        place="",
        referrer="",
    )
    Request.objects.filter(referred_by=person).update(referred_by=None)
    Volunteer.objects.filter(user=person).update(
        user=None, name=ERASED, about="", interests="", languages="", times="", places="", gender=""
    )
    Check.objects.filter(recorded_by=person).update(recorded_by=None)
    Match.objects.filter(proposed_by=person).update(proposed_by=None)
    Contact.objects.filter(logged_by=person).update(logged_by=None)
    Contact.objects.filter(concern_read_by=person).update(concern_read_by=None)
    Membership.objects.filter(person=person).delete()
