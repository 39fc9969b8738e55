"""Answering measures: a completed questionnaire is scored exactly (a missing item is refused) and
kept with who answered it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from accounts.models import AuditEvent, User
from outcomes import access
from outcomes.measures import registry
from outcomes.models import (
    AnswerSet,
)
from outcomes.services._common import (
    OutcomesRefused,
    _audit,
    _check_date,
    profile_for,
)
from rules.outcomes import Score, score


@transaction.atomic
def record_answers(
    *,
    person: User,
    actor: User,
    measure_id: str,
    answers: dict[str, object],
    answered_on: dt.date,
    occasion: str = AnswerSet.Occasion.CHOSEN,
    answered_by: str | None = None,
    request: HttpRequest | None = None,
) -> tuple[AnswerSet, Score]:
    """Score and keep one completed questionnaire. ``rules.outcomes`` refuses a missing item
    (MissingAnswerError names each one); nothing is stored then.

    Someone recording for the person (a carer with permission, their broker) says who answered:
    the person, with them recording (``with_help``), or they themselves, in their own view
    (``proxy``), which is refused where the measure takes no proxy answers (ONS4) and never counts
    in aggregates."""
    access.require(access.can_open(actor, person.pk), "You cannot add to this person's record.")
    _check_date(answered_on, "answered_on")
    measure = registry().get(measure_id)
    answered_by = answered_by_for(actor, person, measure, answered_by)
    result = score(measure, answers)  # raises AnswerError before anything is written
    answer_set = AnswerSet.objects.create(
        person=person,
        measure_id=measure.id,
        measure_version=measure.version,
        answered_on=answered_on,
        occasion=occasion,
        answers=dict(result.answers),
        answered_by=answered_by,
        recorded_by=actor,
    )
    profile_for(person)
    how_answered: dict[str, str] = {
        AnswerSet.AnsweredBy.WITH_HELP: f" (their answers, recorded by {actor.get_full_name()})",
        AnswerSet.AnsweredBy.PROXY: f" (answered for them by {actor.get_full_name()})",
    }
    how = how_answered.get(answered_by, "")
    _audit(
        actor,
        AuditEvent.Action.CREATE,
        answer_set,
        person,
        f"Answered {measure.name}{how}",
        request,
    )
    return answer_set, result


def answered_by_for(actor: User, person: User, measure: Any, answered_by: str | None) -> str:
    """Who answered: the person when they record it themselves; otherwise the recorder must say."""
    if actor.pk == person.pk:
        return AnswerSet.AnsweredBy.PERSON
    if answered_by not in (AnswerSet.AnsweredBy.WITH_HELP, AnswerSet.AnsweredBy.PROXY):
        raise OutcomesRefused(
            f"Say whether {person.get_full_name()} is answering or you are answering for them",
            field="answered_by",
        )
    if answered_by == AnswerSet.AnsweredBy.PROXY and not measure.proxy_answers:
        raise OutcomesRefused(
            f"{measure.name} must be answered by {person.get_full_name()} themselves: you can "
            "record their answers, but not answer for them",
            field="answered_by",
        )
    return answered_by


def score_of(answer_set: AnswerSet) -> Score:
    """Re-score with the exact measure version the answers were given under."""
    return score(
        registry().get(answer_set.measure_id, answer_set.measure_version), answer_set.answers
    )
