"""Reads: a person's measures and goals over time, the team's worklist, protected aggregates, and
:func:`changes_since` for the support-plan review."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from accounts.models import User
from outcomes.measures import registry
from outcomes.models import AnswerSet, AreaWording, FollowUp, Goal, Helper, Profile, WorkItem
from outcomes.services.answers import score_of
from rules.outcomes import (
    AggregateTable,
    Direction,
    GoalProgress,
    Measure,
    OutcomeRecord,
    Score,
    aggregate,
    change,
    goal_progress,
)
from rules.outcomes import GoalRating as RulesRating

if TYPE_CHECKING:
    from budgets.models import CaseTeam

GROUPS = {"service": "Service", "programme": "Programme", "neighbourhood": "Neighbourhood"}


def profile_of(person: User) -> Profile | None:
    return Profile.objects.filter(person=person).select_related("neighbourhood").first()


def helpers_of(person: User) -> QuerySet[Helper]:
    return Helper.objects.filter(person=person, revoked_at__isnull=True).select_related("helper")


def wordings_in_force() -> QuerySet[AreaWording]:
    return AreaWording.objects.filter(withdrawn_at__isnull=True).select_related("loaded_by")


def wording_history(limit: int = 50) -> QuerySet[AreaWording]:
    return AreaWording.objects.select_related("loaded_by", "withdrawn_by")[:limit]


def people_helped_by(user: User) -> list[User]:
    return [
        h.person
        for h in Helper.objects.filter(helper=user, revoked_at__isnull=True).select_related(
            "person"
        )
    ]


# --- measures over time --------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasurePoint:
    answer_set: AnswerSet
    score: Score
    on: dt.date
    value: Fraction | None
    """The headline value (None for a measure reported item by item)."""
    from_start: Fraction | None
    direction: Direction | None
    """Reliable change from the starting point (None when the measure has no threshold)."""


@dataclass(frozen=True)
class MeasureSeries:
    measure: Measure
    points: list[MeasurePoint]

    @property
    def start(self) -> MeasurePoint:
        return self.points[0]

    @property
    def latest(self) -> MeasurePoint:
        return self.points[-1]


def answer_sets(person: User, measure_id: str | None = None) -> QuerySet[AnswerSet]:
    found = AnswerSet.objects.filter(person=person).select_related("recorded_by")
    if measure_id:
        found = found.filter(measure_id=measure_id)
    return found.order_by("answered_on", "recorded_at", "id")


def series(person: User, measure_id: str) -> MeasureSeries | None:
    sets = list(answer_sets(person, measure_id))
    if not sets:
        return None
    measure = registry().get(measure_id)
    points: list[MeasurePoint] = []
    first: Score | None = None
    for answer_set in sets:
        result = score_of(answer_set)
        first = first or result
        value = result.headline_value
        from_start = None
        direction = None
        if value is not None and first.headline_value is not None:
            from_start = value - first.headline_value
            if (
                result.reliable_change is not None
                and first.reliable_change == result.reliable_change
            ):
                direction = change(first, result).direction
        points.append(
            MeasurePoint(answer_set, result, answer_set.answered_on, value, from_start, direction)
        )
    return MeasureSeries(measure, points)


def all_series(person: User) -> list[MeasureSeries]:
    ids = list(dict.fromkeys(answer_sets(person).values_list("measure_id", flat=True)))
    return [s for s in (series(person, measure_id) for measure_id in ids) if s is not None]


# --- goals ---------------------------------------------------------------------------------------


def goal_rule() -> Any:
    rule = registry().get("goal_based_outcomes").reliable_change
    assert rule is not None
    return rule


def goals_of(person: User) -> QuerySet[Goal]:
    return (
        Goal.objects.filter(person=person)
        .select_related("plan_outcome")
        .prefetch_related("steps", "ratings")
    )


def progress_of(goal: Goal) -> GoalProgress:
    ratings = [RulesRating(r.rated_on, r.score) for r in goal.ratings.all()]
    return goal_progress(ratings, goal_rule())


# --- changes since a date (for the support-plan review) -----------------------------------------


@dataclass(frozen=True)
class MeasureChange:
    measure_id: str
    measure_name: str
    before_on: dt.date
    after_on: dt.date
    values: list[tuple[str, Fraction, Fraction]]
    """(label, before, after) for each reported value (the headline, or each ONS4 item)."""
    direction: Direction | None


@dataclass(frozen=True)
class GoalChange:
    goal_id: int
    text: str
    before_on: dt.date
    before: int
    after_on: dt.date
    after: int
    from_start: int
    direction: Direction
    """Reliable change from the goal's starting point at the latest review."""
    plan_outcome: str = ""
    """The support-plan outcome the goal works towards, in the person's words, if they chose one."""


@dataclass(frozen=True)
class Changes:
    since: dt.date
    measures: list[MeasureChange] = field(default_factory=list)
    goals: list[GoalChange] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.measures or self.goals)


def changes_since(person: User, since_date: dt.date) -> Changes:
    """What changed since ``since_date`` (say, the last plan review): for each measure, the last
    answers on or before that date (or the first answers, if all came later) against the latest
    answers after it; for each goal, the last rating on or before the date against the latest
    after it, with reliable change from the goal's starting point. Nothing new: empty lists."""
    result = Changes(since=since_date)
    for item in all_series(person):
        later = [p for p in item.points if p.on > since_date]
        if not later:
            continue
        earlier = [p for p in item.points if p.on <= since_date]
        before = earlier[-1] if earlier else item.points[0]
        after = later[-1]
        if before.answer_set.pk == after.answer_set.pk:
            continue
        values = [
            (v.label, v.value, after.score.get(v.id).value)
            for v in before.score.values
            if item.measure.headline is None or v.id == item.measure.headline
        ]
        direction = None
        if (
            before.score.reliable_change is not None
            and before.score.reliable_change == after.score.reliable_change
        ):
            direction = change(before.score, after.score).direction
        result.measures.append(
            MeasureChange(
                item.measure.id, item.measure.name, before.on, after.on, values, direction
            )
        )
    for goal in goals_of(person):
        ratings = list(goal.ratings.all())
        rated_after = [r for r in ratings if r.rated_on > since_date]
        if not rated_after:
            continue
        rated_before = [r for r in ratings if r.rated_on <= since_date]
        first_rating = rated_before[-1] if rated_before else ratings[0]
        last_rating = rated_after[-1]
        if first_rating.pk == last_rating.pk:
            continue
        progress = progress_of(goal)
        result.goals.append(
            GoalChange(
                goal.pk,
                goal.text,
                first_rating.rated_on,
                first_rating.score,
                last_rating.rated_on,
                last_rating.score,
                progress.from_start,
                progress.direction,
                goal.plan_outcome.text if goal.plan_outcome else "",
            )
        )
    return result


# --- follow-up and the worklist ------------------------------------------------------------------


def follow_up_of(person: User) -> FollowUp | None:
    return (
        FollowUp.objects.filter(person=person, ended_on__isnull=True).select_related("team").first()
    )


def worklist(teams: list[CaseTeam]) -> QuerySet[WorkItem]:
    return (
        WorkItem.objects.filter(follow_up__team__in=teams, done_at__isnull=True)
        .select_related("follow_up__person", "follow_up__team", "report")
        .order_by("due_by", "id")
    )


# --- aggregates ----------------------------------------------------------------------------------


def aggregate_measures() -> list[Measure]:
    """Measures with a headline value and a reliable-change rule (SWEMWBS)."""
    found = registry()
    newest = [found.get(measure_id) for measure_id in found.ids()]
    return [m for m in newest if m.headline and m.reliable_change and m.scorable]


def _group_value(profile: Profile | None, key: str) -> str:
    if profile is None:
        return "Not recorded"
    if key == "neighbourhood":
        return profile.neighbourhood.name if profile.neighbourhood else "Not recorded"
    return getattr(profile, key) or "Not recorded"


def outcome_table(measure_id: str, rows: str, columns: str | None = None) -> AggregateTable:
    """Each person's first and latest answers to the measure (people with two or more), by group,
    counted only when they said yes; suppressed by ``rules.outcomes.aggregate``. No names leave
    this function: the person reference is only the row id, used to refuse doubles."""
    measure = registry().get(measure_id)
    assert measure.reliable_change is not None
    by_person: dict[int, list[AnswerSet]] = {}
    # Only the person's own answers count: a proxy's view of them is not their score.
    for answer_set in (
        AnswerSet.objects.filter(measure_id=measure_id)
        .exclude(answered_by=AnswerSet.AnsweredBy.PROXY)
        .order_by("answered_on", "recorded_at", "id")
    ):
        by_person.setdefault(answer_set.person_id, []).append(answer_set)
    profiles = {
        p.person_id: p
        for p in Profile.objects.filter(person_id__in=by_person).select_related("neighbourhood")
    }
    records = []
    for person_id, sets in by_person.items():
        if len(sets) < 2:
            continue
        profile = profiles.get(person_id)
        first, last = score_of(sets[0]), score_of(sets[-1])
        keys = [rows] + ([columns] if columns else [])
        records.append(
            OutcomeRecord.from_scores(
                str(person_id),
                {k: _group_value(profile, k) for k in keys},
                first,
                last,
                bool(profile and profile.counts_in_aggregates),
            )
        )
    return aggregate(records, measure.reliable_change, rows=rows, columns=columns)
