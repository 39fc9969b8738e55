"""Checking and costing ideas: staff take an idea forward with a cost breakdown that adds up, or
give a public reason for not going on."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.http import HttpRequest

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from participation.models import (
    CostLine,
    Phase,
    Project,
    Round,
)
from participation.services._common import (
    ParticipationError,
    _money,
    _pence,
    _require_staff,
)


def parse_cost_lines(text: str) -> list[tuple[str, Decimal]]:
    """Lines like ``Hall hire: 400.00`` (or ``Hall hire, £400``), one per line."""
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        match = re.fullmatch(r"\s*(.+?)\s*[:,]\s*£?\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*", raw)
        if not match:
            raise ParticipationError(
                f"Line {number} of the cost breakdown should look like 'Hall hire: 400.00'.",
                "cost_lines",
            )
        amount = _pence(match.group(2).replace(",", ""), f"Line {number}'s amount", "cost_lines")
        if amount <= 0:
            raise ParticipationError(f"Line {number}'s amount must be more than £0.", "cost_lines")
        lines.append((match.group(1), amount))
    return lines


@transaction.atomic
def assess_idea(
    *,
    project: Project,
    by: User,
    take_forward: bool,
    reason: str = "",
    cost: Decimal | None = None,
    lines: Sequence[tuple[str, Decimal]] = (),
    request: HttpRequest | None = None,
) -> Project:
    """Staff decide on an idea: cost it with a breakdown, or give a public reason for not going on."""
    _require_staff(by)
    round_ = Round.objects.select_for_update().get(pk=project.round_id)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if round_.phase not in (Phase.FEASIBILITY, Phase.PITCHES):
        raise ParticipationError(
            "Ideas are checked and costed after ideas close and before voting opens."
        )
    if take_forward:
        if cost is None:
            raise ParticipationError("Enter the project's cost.", "cost")
        cost = _pence(cost, "The cost", "cost")
        if cost <= 0:
            raise ParticipationError("The cost must be more than £0.", "cost")
        if not lines:
            raise ParticipationError("Add the cost breakdown, one line per item.", "cost_lines")
        total = sum((amount for _, amount in lines), Decimal("0.00"))
        if total != cost:
            raise ParticipationError(
                f"The cost breakdown adds up to {_money(total)} but the project cost is "
                f"{_money(cost)}.",
                "cost_lines",
            )
        budget = (
            round_.district_pots.get(neighbourhood_id=project.district_id).amount
            if project.district_id
            else round_.pot
        )
        if cost > budget:
            raise ParticipationError(
                f"The project costs {_money(cost)}, more than the whole pot of {_money(budget)}.",
                "cost",
            )
        project.status = Project.Status.ON_BALLOT
        project.cost = cost
        project.public_reason = reason.strip()
    else:
        if not reason.strip():
            raise ParticipationError(
                "Give the reason the idea is not taken forward: it is shown to everyone.", "reason"
            )
        project.status = Project.Status.NOT_TAKEN_FORWARD
        project.cost = None
        project.public_reason = reason.strip()
    project.decided_by = by
    project.save()
    project.cost_lines.all().delete()
    if take_forward:
        CostLine.objects.bulk_create(
            CostLine(project=project, description=description, amount=amount)
            for description, amount in lines
        )
    record_audit(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        target=project,
        summary=f"{project.title}: {project.get_status_display()}",
        request=request,
    )
    return project
