"""Caseloads and break glass: who a practitioner works with, and opening a record outside
the caseload for a stated reason."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from accounts.services import record_audit
from budgets import access
from budgets.models import (
    BreakGlassAccess,
    CaseAssignment,
    CaseTeam,
)
from budgets.services._common import (
    Action,
    BudgetsError,
)


@transaction.atomic
def assign_caseload(
    *,
    actor: User,
    person: User,
    practitioner: User | None = None,
    team: CaseTeam | None = None,
    request: HttpRequest | None = None,
) -> CaseAssignment:
    """Put a person on a practitioner's caseload, or a team's. Coordinators and administrators
    only; assigning again changes nothing."""
    access.require(
        access.can_assign_caseloads(actor),
        "Only a coordinator or an administrator can assign caseloads.",
    )
    if (practitioner is None) == (team is None):
        raise BudgetsError("Choose a practitioner or a team", field="practitioner")
    if practitioner is not None:
        if not access.is_practitioner(practitioner):
            raise BudgetsError(
                "That account is not a broker, commissioner or administrator",
                field="practitioner",
            )
        if practitioner.pk == person.pk:
            raise BudgetsError("Nobody can be on their own caseload", field="practitioner")
    assignment, created = CaseAssignment.objects.get_or_create(
        person=person,
        practitioner=practitioner,
        team=team,
        defaults={"assigned_by": actor},
    )
    if created:
        holder = practitioner.get_full_name() if practitioner else f"the team {team}"
        record_audit(
            actor=actor,
            action=Action.CREATE,
            target=assignment,
            subject=person,
            summary=f"Put {person.get_full_name()} on the caseload of {holder}",
            request=request,
        )
    return assignment


@transaction.atomic
def unassign_caseload(
    *, actor: User, assignment: CaseAssignment, request: HttpRequest | None = None
) -> None:
    access.require(
        access.can_assign_caseloads(actor),
        "Only a coordinator or an administrator can change caseloads.",
    )
    holder = (
        assignment.practitioner.get_full_name()
        if assignment.practitioner
        else f"the team {assignment.team}"
    )
    person = assignment.person
    pk = assignment.pk
    assignment.delete()
    record_audit(
        actor=actor,
        action=Action.DELETE,
        object_type="budgets.caseassignment",
        object_id=str(pk),
        subject=person,
        summary=f"Took {person.get_full_name()} off the caseload of {holder}",
        request=request,
    )


BREAK_GLASS_REASON_MIN = 10
BREAK_GLASS_REASON_MAX = 200


@transaction.atomic
def break_glass(
    *, actor: User, person: User, reason: str, request: HttpRequest | None = None
) -> BreakGlassAccess:
    """A practitioner opens the records of someone outside their caseload, for a stated reason,
    for ``access.BREAK_GLASS_HOURS`` hours. The audit trail says "break glass" and the reason."""
    access.require(access.is_practitioner(actor), "Only practitioners can break glass.")
    if person.pk == actor.pk:
        raise BudgetsError("These are your own records: you can open them already.")
    reason = " ".join(reason.split())
    if len(reason) < BREAK_GLASS_REASON_MIN:
        raise BudgetsError(
            f"Say why you need to open this person's records, in at least "
            f"{BREAK_GLASS_REASON_MIN} characters",
            field="reason",
        )
    if len(reason) > BREAK_GLASS_REASON_MAX:
        raise BudgetsError(
            f"Keep the reason to {BREAK_GLASS_REASON_MAX} characters or fewer", field="reason"
        )
    grant = BreakGlassAccess.objects.create(
        practitioner=actor,
        person=person,
        reason=reason,
        expires_at=timezone.now() + dt.timedelta(hours=access.BREAK_GLASS_HOURS),
    )
    record_audit(
        actor=actor,
        action=Action.VIEW,
        target=grant,
        subject=person,
        summary=f"Break glass: opened records outside the caseload for "
        f"{access.BREAK_GLASS_HOURS} hours. Reason: {reason}",
        request=request,
    )
    return grant
