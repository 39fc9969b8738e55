"""What participation holds about a person, for export and erasure requests.

Never a ballot: the export says which rounds a person voted in and how (online or on paper), not
what they chose. After voting closes nothing links them to their choices; while it is open the
link is a keyed hash that this export does not follow either.
"""

from __future__ import annotations

from typing import Any

from accounts.models import User
from accounts.services import register_personal_data
from participation.models import (
    Comment,
    PanelMember,
    PanelPoolEntry,
    PanelVolunteer,
    Project,
    VoterParticipation,
    VoterRegistration,
)


def export(person: User) -> dict[str, Any]:
    volunteer = PanelVolunteer.objects.filter(user=person).select_related("neighbourhood").first()
    return {
        "voter_registrations": [
            {
                "round": r.round.title,
                "neighbourhood": r.neighbourhood.name,
                "date_of_birth": r.date_of_birth.isoformat() if r.date_of_birth else None,
                "age_group": r.get_age_band_display() if r.age_band else None,
                "status": r.get_status_display(),
            }
            for r in VoterRegistration.objects.filter(user=person).select_related(
                "round", "neighbourhood"
            )
        ],
        "voted_in": [
            {
                "round": p.round.title,
                "how": p.get_channel_display(),
                "on": p.recorded_on.isoformat(),
            }
            for p in VoterParticipation.objects.filter(user=person).select_related("round")
        ],
        "ideas": [
            {"round": p.round.title, "title": p.title, "what": p.what, "pitch": p.pitch}
            for p in Project.objects.filter(proposed_by=person).select_related("round")
        ],
        "comments": [
            {"project": c.project.title, "text": c.text, "at": c.created_at.isoformat()}
            for c in Comment.objects.filter(author=person).select_related("project")
        ],
        "peoples_panel_pool": {
            "neighbourhood": volunteer.neighbourhood.name,
            "age_group": volunteer.get_age_band_display(),
        }
        if volunteer
        else None,
        "panels": [
            {"panel": m.panel.title, "your_ranking": _ranking_names(m)}
            for m in PanelMember.objects.filter(user=person).select_related("panel")
        ],
        "panel_pool_entries": [
            {"panel": e.panel.title, "entry_number_in_published_pool": e.entry}
            for e in PanelPoolEntry.objects.filter(user=person).select_related("panel")
        ],
    }


def _ranking_names(member: PanelMember) -> list[str] | None:
    if not member.ranking:
        return None
    names = dict(member.panel.items.values_list("pk", "name"))
    return [names.get(pk, "?") for pk in member.ranking]


def erase(person: User) -> None:
    # Turnout stays right: the participation row keeps its neighbourhood but loses the person.
    VoterParticipation.objects.filter(user=person).update(user=None)
    VoterRegistration.objects.filter(user=person).delete()
    Comment.objects.filter(author=person).update(text="[erased on request]", author=None)
    Project.objects.filter(proposed_by=person).update(proposed_by=None)
    PanelVolunteer.objects.filter(user=person).delete()
    PanelMember.objects.filter(user=person).update(user=None)
    PanelPoolEntry.objects.filter(user=person).update(user=None)


def register() -> None:
    register_personal_data("participation", exporter=export, eraser=erase)
