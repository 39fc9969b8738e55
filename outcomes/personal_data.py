"""What the outcomes app holds about a person: export all of it; erase all of it.

Erasure deletes the person's answers, goals (with steps and ratings), follow-ups (with reports,
worklist entries and reminders), helpers and profile; permissions they hold to help others are
withdrawn (deleted). Aggregates are computed when asked, so nothing of theirs stays in a report."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from outcomes.models import AnswerSet, FollowUp, Goal, Helper, Profile


def _d(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def export(person: User) -> dict[str, Any]:
    profile = Profile.objects.filter(person=person).select_related("neighbourhood").first()
    data: dict[str, Any] = {}
    if profile is not None:
        data["profile"] = {
            "answers_count_in_reports": profile.counts_in_aggregates,
            "choice_made_at": _d(profile.consent_changed_at),
            "family_led": profile.family_led,
            "pen_holder": profile.pen_holder,
            "service": profile.service,
            "programme": profile.programme,
            "neighbourhood": profile.neighbourhood.name if profile.neighbourhood else None,
        }
    data["questionnaires"] = [
        {
            "measure": a.measure_id,
            "measure_version": a.measure_version,
            "answered_on": _d(a.answered_on),
            "occasion": a.occasion,
            "answers": a.answers,
            "recorded_by": a.recorded_by.username if a.recorded_by else None,
        }
        for a in AnswerSet.objects.filter(person=person).select_related("recorded_by")
    ]
    data["goals"] = [
        {
            "goal": g.text,
            "started_on": _d(g.started_on),
            "written_by": g.written_by,
            "steps": [
                {
                    "step": s.text,
                    "supporter": s.supporter,
                    "due_on": _d(s.due_on),
                    "done_on": _d(s.done_on),
                }
                for s in g.steps.all()
            ],
            "ratings": [
                {"on": _d(r.rated_on), "score": r.score, "note": r.note} for r in g.ratings.all()
            ],
        }
        for g in Goal.objects.filter(person=person).prefetch_related("steps", "ratings")
    ]
    data["helpers"] = [
        {
            "helper": h.helper.username,
            "granted_at": _d(h.granted_at),
            "withdrawn_at": _d(h.revoked_at),
        }
        for h in Helper.objects.filter(person=person).select_related("helper")
    ]
    data["helping"] = [
        {
            "person": h.person.username,
            "granted_at": _d(h.granted_at),
            "withdrawn_at": _d(h.revoked_at),
        }
        for h in Helper.objects.filter(helper=person).select_related("person")
    ]
    data["follow_up"] = [
        {
            "team": f.team.name,
            "measure": f.measure_id,
            "value": f.value_id,
            "threshold": str(f.threshold),
            "reminder_days": f.reminder_days,
            "started_on": _d(f.started_on),
            "ended_on": _d(f.ended_on),
            "reports": [
                {
                    "at": _d(r.reported_at),
                    "contact_me": r.contact_me,
                    "note": r.note,
                    "past_threshold": r.past_threshold,
                }
                for r in f.reports.all()
            ],
            "contacts": [
                {
                    "reason": w.reason,
                    "due_by": _d(w.due_by),
                    "done_at": _d(w.done_at),
                    "what_was_done": w.done_note,
                }
                for w in f.work_items.all()
            ],
            "reminders": [_d(r.sent_at) for r in f.reminders.all()],
        }
        for f in FollowUp.objects.filter(person=person).select_related("team")
    ]
    return data


def erase(person: User) -> None:
    FollowUp.objects.filter(person=person).delete()  # reports, worklist, reminders cascade
    AnswerSet.objects.filter(person=person).delete()
    Goal.objects.filter(person=person).delete()  # steps and ratings cascade
    Helper.objects.filter(person=person).delete()
    Helper.objects.filter(helper=person).delete()
    Profile.objects.filter(person=person).delete()
