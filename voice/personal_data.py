"""What the voice app holds about a person: export all of it; erase all of it.

Every reference to an account here is in :data:`COVERED` (a test fails when a model gains one
that is not):

- feedback they gave while signed in: exported in full (their words, their name and email as
  given, its status, responses and changes); erased: the original words, name and email are
  removed and the link to the account cleared. A published story stays, because its text was
  written by a moderator with personal details removed; the clock and figures stay.
- feedback they entered for someone else (staff, phone or paper): exported as references only;
  the link stays (SET_NULL when the account is deleted).
- moderation decisions and changes they verified (moderators): exported; kept as the record of
  the decision.
- council teams they belong to: exported; membership removed.
- quality checks they were an expert on: exported in full (their own scores, notes, time and
  reward); erased: their notes are removed and the link to the account cleared. Their scores
  stay, unnamed ("Expert A"), because the published report was combined from them; their time
  stays in the figures of experts' hours, and time credits already issued stay in the time
  bank's ledger (erased there by the time bank).
- quality checks they planned, published or self-assessed for a provider: exported as
  references; kept as the record of who did it (SET_NULL when the account is deleted).
- co-production workshops they recorded: exported (subject and date); kept as the record.
- visits they were paired on (as an expert): exported (date, place, the other expert's label);
  the pairs stay on erasure, unnamed, because they point to the places on the check (whose link
  to the account is cleared). Pairs a moderator recorded: exported as a count, kept.
- the register of trained experts: their entry (where recruited, training, date) is exported and
  erased; entries a moderator registered are exported as references and kept.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from accounts.models import User
from voice.models import (
    Change,
    CheckExpert,
    CoproductionAssessment,
    ExpertByExperience,
    Feedback,
    ModerationDecision,
    QualityCheck,
    Team,
    VisitPair,
)

ERASED = "[erased on request]"

COVERED: dict[tuple[str, str], str] = {
    ("Feedback", "author"): "own feedback: exported, words/name/email erased, link cleared",
    ("Feedback", "entered_by"): "entered for someone: exported (references), kept",
    ("ModerationDecision", "moderator"): "moderation decisions: exported, kept",
    ("Change", "verified_by"): "changes verified: exported, kept",
    ("Team", "members"): "council team membership: exported, removed",
    ("CheckExpert", "expert"): "expert on a quality check: exported, notes erased, link cleared",
    ("QualityCheck", "lead"): "quality checks planned: exported (references), kept",
    ("QualityCheck", "published_by"): "quality check reports published: exported, kept",
    ("QualityCheck", "self_assessed_by"): "self-assessments given: exported, kept",
    ("CoproductionAssessment", "recorded_by"): "co-production workshops recorded: exported, kept",
    ("ExpertByExperience", "user"): "register of trained experts: exported, erased",
    ("ExpertByExperience", "registered_by"): "experts registered: exported (count), kept",
    ("VisitPair", "recorded_by"): "visit pairs recorded: exported (count), kept",
}


def _d(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _visits(place: CheckExpert) -> list[dict[str, Any]]:
    """The visits this expert was paired on: when, where and the other expert's label (not
    their name: that is the other person's data)."""
    pairs = VisitPair.objects.filter(Q(first=place) | Q(second=place)).select_related(
        "first", "second"
    )
    return [
        {
            "visit_on": _d(pair.visit_on),
            "place": pair.place,
            "paired_with": (pair.second if pair.first_id == place.pk else pair.first).label,
        }
        for pair in pairs.order_by("visit_on", "pk")
    ]


def export(person: User) -> dict[str, Any]:
    return {
        "feedback": [
            {
                "reference": f.reference,
                "kind": f.kind,
                "about": f.subject_name,
                "given_as": f.given_as,
                "your_words": f.text,
                "name_given": f.name,
                "email_given": f.email,
                "identity": f.identity,
                "received_at": _d(f.received_at),
                "moderation": f.moderation,
                "published_text": f.published_text,
                "acknowledgement": f.acknowledgement,
                "response": f.response,
                "changes": [
                    {"change": c.description, "state": c.state, "made_at": _d(c.made_at)}
                    for c in f.changes.all()
                ],
            }
            for f in Feedback.objects.filter(author=person).prefetch_related("changes")
        ],
        "feedback_entered_for_others": list(
            Feedback.objects.filter(entered_by=person).values_list("reference", flat=True)
        ),
        "moderation_decisions": [
            {"reference": d.feedback.reference, "decision": d.decision, "reason": d.reason}
            for d in ModerationDecision.objects.filter(moderator=person).select_related("feedback")
        ],
        "changes_verified": [
            {"reference": c.feedback.reference, "evidence": c.evidence}
            for c in Change.objects.filter(verified_by=person).select_related("feedback")
        ],
        "council_teams": [t.name for t in Team.objects.filter(members=person)],
        "quality_checks_as_expert": [
            {
                "reference": p.quality_check.reference,
                "about": p.quality_check.subject_name,
                "visit_date": _d(p.quality_check.visit_date),
                "shown_as": p.label,
                "reward": p.reward,
                "minutes": p.minutes,
                "your_scores": p.scores,
                "your_notes": p.notes,
                "sent_at": _d(p.submitted_at),
                "time_credits_key": p.credit_key or None,
                "visits": _visits(p),
            }
            for p in CheckExpert.objects.filter(expert=person).select_related(
                "quality_check", "quality_check__team"
            )
        ],
        "quality_checks_planned": list(
            QualityCheck.objects.filter(lead=person).values_list("reference", flat=True)
        ),
        "quality_checks_published": list(
            QualityCheck.objects.filter(published_by=person).values_list("reference", flat=True)
        ),
        "expert_register": [
            {
                "recruited_from": e.recruited_from,
                "training": e.training,
                "trained_on": _d(e.trained_on),
            }
            for e in ExpertByExperience.objects.filter(user=person)
        ],
        "experts_registered": ExpertByExperience.objects.filter(registered_by=person).count(),
        "visit_pairs_recorded": VisitPair.objects.filter(recorded_by=person).count(),
        "coproduction_workshops_recorded": [
            {"subject": a.subject, "held_on": _d(a.held_on)}
            for a in CoproductionAssessment.objects.filter(recorded_by=person)
        ],
        "quality_check_self_assessments": list(
            QualityCheck.objects.filter(self_assessed_by=person).values_list("reference", flat=True)
        ),
    }


def erase(person: User) -> None:
    Feedback.objects.filter(author=person).update(text=ERASED, name="", email="", author=None)
    CheckExpert.objects.filter(expert=person).update(notes="", expert=None)
    ExpertByExperience.objects.filter(user=person).delete()
    for team in Team.objects.filter(members=person):
        team.members.remove(person)
