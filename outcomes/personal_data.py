"""What the outcomes app holds about a person: export all of it; erase all of it.

Every reference to an account in this app is listed in :data:`COVERED` (a test fails when a model
gains one that is not), with what export and erasure do with it:

- the person's own record (profile, answers, goals with steps and ratings, follow-ups with reports,
  worklist entries and reminders, helpers): exported in full, erased (deleted);
- what they did on someone else's record (as a carer, a family member holding the pen, a broker
  or a team member): exported as what, when and for whom (not the other person's answers), and
  their name is taken out of the free text of that record (``written_by``, ``pen_holder``); the
  account references stay, pointing at the anonymised account, so the other record keeps its
  history;
- the licensed wording they loaded for the area: exported; the record stays (it is the area's
  licence record) against the anonymised account.

Aggregates are computed when asked, so nothing of theirs stays in a report."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from outcomes.models import (
    AnswerSet,
    AreaWording,
    FollowUp,
    Goal,
    GoalRating,
    Helper,
    Profile,
    WorkItem,
)

ERASED = "[erased on request]"

# (model, field) for every foreign key to an account in this app, and how it is handled.
COVERED: dict[tuple[str, str], str] = {
    ("Profile", "person"): "own record: exported, deleted",
    ("Profile", "pen_holder_account"): "pen holder for someone: exported, name removed",
    ("Helper", "person"): "own helpers: exported, deleted",
    ("Helper", "helper"): "helping someone: exported, deleted",
    ("AnswerSet", "person"): "own answers: exported, deleted",
    ("AnswerSet", "recorded_by"): "recorded for someone: exported (no answers), kept",
    ("Goal", "person"): "own goals: exported, deleted",
    ("Goal", "recorded_by"): "written for someone: exported, name removed",
    ("GoalRating", "recorded_by"): "reviewed for someone: exported (no score), kept",
    ("FollowUp", "person"): "own follow-up: exported, deleted",
    ("FollowUp", "started_by"): "put someone on follow-up: exported, kept",
    ("WorkItem", "done_by"): "contacted someone from a worklist: exported, kept",
    ("AreaWording", "loaded_by"): "loaded licensed wording: exported, kept",
    ("AreaWording", "withdrawn_by"): "withdrew licensed wording: exported, kept",
}


def _d(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _username(user: User | None) -> str | None:
    return user.username if user is not None else None


def export(person: User) -> dict[str, Any]:
    profile = (
        Profile.objects.filter(person=person)
        .select_related("neighbourhood", "pen_holder_account")
        .first()
    )
    data: dict[str, Any] = {}
    if profile is not None:
        data["profile"] = {
            "answers_count_in_reports": profile.counts_in_aggregates,
            "choice_made_at": _d(profile.consent_changed_at),
            "family_led": profile.family_led,
            "pen_holder": profile.pen_holder,
            "pen_holder_account": _username(profile.pen_holder_account),
            "service": profile.service,
            "programme": profile.programme,
            "neighbourhood": profile.neighbourhood.name if profile.neighbourhood else None,
            "created_at": _d(profile.created_at),
        }
    data["questionnaires"] = [
        {
            "measure": a.measure_id,
            "measure_version": a.measure_version,
            "answered_on": _d(a.answered_on),
            "occasion": a.occasion,
            "answered_by": a.answered_by,
            "answers": a.answers,
            "recorded_by": _username(a.recorded_by),
            "recorded_at": _d(a.recorded_at),
        }
        for a in AnswerSet.objects.filter(person=person).select_related("recorded_by")
    ]
    data["goals"] = [
        {
            "goal": g.text,
            "started_on": _d(g.started_on),
            "closed_on": _d(g.closed_on),
            "written_by": g.written_by,
            "recorded_by": _username(g.recorded_by),
            "works_towards_plan_outcome": g.plan_outcome.text if g.plan_outcome else None,
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
                {
                    "on": _d(r.rated_on),
                    "score": r.score,
                    "note": r.note,
                    "recorded_by": _username(r.recorded_by),
                }
                for r in g.ratings.select_related("recorded_by")
            ],
        }
        for g in Goal.objects.filter(person=person)
        .select_related("recorded_by", "plan_outcome")
        .prefetch_related("steps")
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
            "response_days": f.response_days,
            "started_by": _username(f.started_by),
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
                    "done_by": _username(w.done_by),
                    "what_was_done": w.done_note,
                }
                for w in f.work_items.select_related("done_by")
            ],
            "reminders": [_d(r.sent_at) for r in f.reminders.all()],
        }
        for f in FollowUp.objects.filter(person=person).select_related("team", "started_by")
    ]
    data["for_other_people"] = _for_others(person)
    data["licensed_wording"] = [
        {
            "measure": w.measure_id,
            "measure_version": w.measure_version,
            "licence_reference": w.licence_reference,
            "loaded_at": _d(w.loaded_at) if w.loaded_by_id == person.pk else None,
            "withdrawn_at": _d(w.withdrawn_at) if w.withdrawn_by_id == person.pk else None,
        }
        for w in AreaWording.objects.filter(loaded_by=person)
        | AreaWording.objects.filter(withdrawn_by=person)
    ]
    return data


def _for_others(person: User) -> dict[str, Any]:
    """What this person did on other people's records: what, when and for whom."""
    return {
        "questionnaires_recorded": [
            {
                "for": a.person.username,
                "measure": a.measure_id,
                "answered_on": _d(a.answered_on),
                "answered_by": a.answered_by,
            }
            for a in AnswerSet.objects.filter(recorded_by=person)
            .exclude(person=person)
            .select_related("person")
        ],
        "goals_written": [
            {"for": g.person.username, "goal": g.text, "started_on": _d(g.started_on)}
            for g in Goal.objects.filter(recorded_by=person)
            .exclude(person=person)
            .select_related("person")
        ],
        "goal_reviews": [
            {"for": r.goal.person.username, "on": _d(r.rated_on)}
            for r in GoalRating.objects.filter(recorded_by=person)
            .exclude(goal__person=person)
            .select_related("goal__person")
        ],
        "holds_the_pen_for": [
            p.person.username
            for p in Profile.objects.filter(pen_holder_account=person).select_related("person")
        ],
        "follow_ups_started": [
            {"for": f.person.username, "started_on": _d(f.started_on)}
            for f in FollowUp.objects.filter(started_by=person)
            .exclude(person=person)
            .select_related("person")
        ],
        "worklist_contacts": [
            {"for": w.follow_up.person.username, "done_at": _d(w.done_at)}
            for w in WorkItem.objects.filter(done_by=person).select_related("follow_up__person")
        ],
    }


def erase(person: User) -> None:
    FollowUp.objects.filter(person=person).delete()  # reports, worklist, reminders cascade
    AnswerSet.objects.filter(person=person).delete()
    Goal.objects.filter(person=person).delete()  # steps and ratings cascade
    Helper.objects.filter(person=person).delete()
    Helper.objects.filter(helper=person).delete()
    Profile.objects.filter(person=person).delete()
    # Their name in other people's records: the pen they held, the goals they wrote.
    name = person.get_full_name().strip()
    for profile in Profile.objects.filter(pen_holder_account=person):
        for goal in Goal.objects.filter(person_id=profile.person_id, written_by=profile.pen_holder):
            goal.written_by = ERASED
            goal.save(update_fields=["written_by"])
        profile.pen_holder = ERASED
        profile.pen_holder_account = None
        profile.save(update_fields=["pen_holder", "pen_holder_account"])
    for goal in Goal.objects.filter(recorded_by=person).exclude(written_by=""):
        if name and name in goal.written_by:
            goal.written_by = ERASED
            goal.save(update_fields=["written_by"])
