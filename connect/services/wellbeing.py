"""Wellbeing (ONS4) at the first conversation and at closing, kept by the outcomes app."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import HttpRequest

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from connect.models import Referral, WellbeingCheck
from connect.permissions import may_record_wellbeing_with_help
from connect.services._common import ONS4, ConnectError


def wellbeing_stage_open(referral: Referral, stage: str) -> str | None:
    """Why this stage's ONS4 cannot be recorded now, or None."""
    done = {w.stage for w in referral.wellbeing.all()}
    if stage not in WellbeingCheck.Stage.values:
        return "Choose the first conversation or closing"
    if stage in done:
        return "The answers for this stage are already recorded"
    if referral.status == Referral.Status.DECLINED:
        return "This referral was declined"
    if (
        stage == WellbeingCheck.Stage.CLOSING
        and WellbeingCheck.Stage.FIRST_CONVERSATION not in done
    ):
        return "Answer the first conversation questions first"
    return None


@transaction.atomic
def record_wellbeing(
    *,
    actor: User,
    referral: Referral,
    stage: str,
    answers: dict[str, object],
    answered_on: dt.date,
    request: HttpRequest | None = None,
) -> WellbeingCheck:
    """The person's own ONS4 answers at the first conversation or at closing, scored and kept by
    the outcomes app. ONS4 is only ever answered by the person themselves, but most people answer
    it in conversation with their link worker: the link worker holding the person's open referral
    may record the answers, kept as given "with help" (``AnsweredBy.WITH_HELP``, recorded by the
    worker). Anyone else is refused, and so is the worker once the referral is closed or declined."""
    from outcomes import services as outcomes

    if actor.pk == referral.person_id:
        answered_by = None  # the outcomes app marks it the person's own
    elif may_record_wellbeing_with_help(actor, referral):
        answered_by = "with_help"
    else:
        raise ConnectError(
            "stage",
            "Only the person, or the link worker holding their open referral, can record "
            "their wellbeing answers",
        )
    problem = wellbeing_stage_open(referral, stage)
    if problem:
        raise ConnectError("stage", problem)
    if answered_on < referral.received_on:
        raise ConnectError(
            "answered_on", "The date must be on or after the day the referral was received"
        )
    answer_set, _score = outcomes.record_answers(
        person=referral.person,
        actor=actor,
        measure_id=ONS4,
        answers=answers,
        answered_on=answered_on,
        occasion="start" if stage == WellbeingCheck.Stage.FIRST_CONVERSATION else "chosen",
        answered_by=answered_by,
        request=request,
    )
    check = WellbeingCheck.objects.create(
        referral=referral, stage=stage, answer_set_id=answer_set.pk, answered_on=answered_on
    )
    helped = f", answered with help from {actor.get_full_name()}" if answered_by else ""
    record_audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=check,
        subject=referral.person,
        summary=f"Wellbeing (ONS4) recorded {check.get_stage_display().lower()}{helped}",
        request=request,
    )
    return check
