"""Goals in the person's own words: set with steps and a starting score, steps added and done,
reviewed 0-10."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from accounts.models import AuditEvent, User
from budgets import selectors as budget_selectors
from outcomes import access
from outcomes.models import (
    Goal,
    GoalRating,
    GoalStep,
)
from outcomes.services._common import (
    OutcomesRefused,
    _audit,
    _check_date,
    _on_behalf,
    profile_for,
    today,
)
from outcomes.services.record import (
    pen_holder_writing,
)


@transaction.atomic
def set_goal(
    *,
    person: User,
    actor: User,
    text: str,
    started_on: dt.date,
    starting_score: int,
    steps: list[dict[str, Any]],
    written_by: str = "",
    plan_outcome_id: int | None = None,
    request: HttpRequest | None = None,
) -> Goal:
    access.require(access.can_open(actor, person.pk), "You cannot add to this person's record.")
    plan_outcome = None
    if plan_outcome_id is not None:
        plan_outcome = next(
            (o for o in budget_selectors.plan_outcomes_of(person) if o.pk == plan_outcome_id), None
        )
        if plan_outcome is None:
            raise OutcomesRefused(
                "Choose one of the outcomes in this person's support plan, or none",
                field="plan_outcome",
            )
    if not text.strip():
        raise OutcomesRefused("Enter your goal, in your own words", field="text")
    _check_date(started_on, "started_on")
    if not 0 <= starting_score <= 10:
        raise OutcomesRefused("Score the goal from 0 to 10", field="starting_score")
    profile = profile_for(person)
    if not written_by and profile.family_led:
        written_by = pen_holder_writing(profile, actor)
    goal = Goal.objects.create(
        person=person,
        text=text.strip(),
        started_on=started_on,
        written_by=written_by.strip(),
        recorded_by=actor,
        plan_outcome=plan_outcome,
    )
    for position, step in enumerate(steps, start=1):
        GoalStep.objects.create(goal=goal, position=position, **step)
    GoalRating.objects.create(
        goal=goal,
        rated_on=started_on,
        score=starting_score,
        note="Starting point",
        recorded_by=actor,
    )
    _audit(
        actor,
        AuditEvent.Action.CREATE,
        goal,
        person,
        f"Set a goal with {len(steps)} steps{_on_behalf(actor, person)}",
        request,
    )
    return goal


@transaction.atomic
def add_step(
    *,
    goal: Goal,
    actor: User,
    text: str,
    supporter: str = "",
    due_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> GoalStep:
    access.require(access.can_open(actor, goal.person_id), "You cannot change this goal.")
    position = (
        goal.steps.order_by("-position").values_list("position", flat=True).first() or 0
    ) + 1
    step = GoalStep.objects.create(
        goal=goal, position=position, text=text.strip(), supporter=supporter.strip(), due_on=due_on
    )
    _audit(actor, AuditEvent.Action.UPDATE, goal, goal.person, "Added a step to a goal", request)
    return step


@transaction.atomic
def mark_step_done(*, step: GoalStep, actor: User, request: HttpRequest | None = None) -> GoalStep:
    access.require(access.can_open(actor, step.goal.person_id), "You cannot change this goal.")
    step.done_on = None if step.done_on else today()
    step.save(update_fields=["done_on"])
    _audit(
        actor,
        AuditEvent.Action.UPDATE,
        step.goal,
        step.goal.person,
        f"Step {step.position} {'done' if step.done_on else 'not done yet'}",
        request,
    )
    return step


@transaction.atomic
def review_goal(
    *,
    goal: Goal,
    actor: User,
    rated_on: dt.date,
    score_value: int,
    note: str = "",
    request: HttpRequest | None = None,
) -> GoalRating:
    """A review: the goal scored 0-10, after every earlier rating (one a day)."""
    access.require(access.can_open(actor, goal.person_id), "You cannot review this goal.")
    Goal.objects.select_for_update().filter(pk=goal.pk).first()
    _check_date(rated_on, "rated_on")
    last = goal.ratings.order_by("-rated_on").first()
    if last is not None and rated_on <= last.rated_on:
        raise OutcomesRefused(
            f"The review date must be after the last review ({last.rated_on:%-d %B %Y})",
            field="rated_on",
        )
    if not 0 <= score_value <= 10:
        raise OutcomesRefused("Score the goal from 0 to 10", field="score")
    rating = GoalRating.objects.create(
        goal=goal, rated_on=rated_on, score=score_value, note=note.strip(), recorded_by=actor
    )
    _audit(
        actor,
        AuditEvent.Action.UPDATE,
        goal,
        goal.person,
        f"Reviewed a goal: {score_value} out of 10{_on_behalf(actor, goal.person)}",
        request,
    )
    return rating
