"""Support plans: outcomes and how each is met, proposing a plan and agreeing it (or asking
for a change), and asking the time bank for a plan's hours."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from accounts.services import record_audit
from budgets import access, notices
from budgets.models import (
    ZERO,
    Assessment,
    FinancialAssessment,
    IndicativeBudget,
    Need,
    PlanDecision,
    PlanLine,
    PlanOutcome,
    PlanReview,
    PlanVersion,
    SupportPlan,
)
from budgets.services._common import (
    MAX_TIMES_A_WEEK,
    MAX_WEEKLY_COST,
    Action,
    BudgetsError,
    _today,
    check_money,
    pounds,
)
from budgets.wellbeing import WellbeingDomain
from timebank.selectors import confirmed_minutes
from timebank.services import request_for_plan

FIRST_REVIEW_WEEKS = 8


@dataclass(frozen=True)
class PlanTotals:
    paid_weekly: Decimal
    unpaid_minutes: int
    budget_weekly: Decimal | None
    contribution_weekly: Decimal
    top_up_weekly: Decimal

    @property
    def council_weekly(self) -> Decimal:
        """What the council pays into the budget each week: the budget less the person's share."""
        if self.budget_weekly is None:
            return ZERO
        return max(ZERO, self.budget_weekly - self.contribution_weekly)

    @property
    def over_by(self) -> Decimal:
        if self.budget_weekly is None:
            return ZERO
        return max(ZERO, self.paid_weekly - self.budget_weekly)

    @property
    def left_weekly(self) -> Decimal:
        if self.budget_weekly is None:
            return ZERO
        return max(ZERO, self.budget_weekly - self.paid_weekly)

    @property
    def over_budget(self) -> bool:
        return self.over_by > 0

    @property
    def covered_by_top_up(self) -> bool:
        return self.top_up_weekly >= self.over_by


def plan_totals(plan: SupportPlan) -> PlanTotals:
    lines = list(plan.lines.all())
    fa = plan.financial_assessment
    contribution = ZERO
    if fa is not None and plan.budget is not None:
        # A person never pays more than the budget itself.
        contribution = min(Decimal(fa.weekly_charge), Decimal(plan.budget.weekly))
    return PlanTotals(
        paid_weekly=sum((Decimal(line.weekly_cost) for line in lines), ZERO),
        unpaid_minutes=sum(line.minutes_per_week for line in lines if not line.paid),
        budget_weekly=None if plan.budget is None else Decimal(plan.budget.weekly),
        contribution_weekly=contribution,
        top_up_weekly=Decimal(plan.top_up_weekly),
    )


def _lock_plan(plan: SupportPlan) -> SupportPlan:
    return SupportPlan.objects.select_for_update().get(pk=plan.pk)


def _require_editable(plan: SupportPlan, actor: User) -> None:
    access.require(access.can_edit_plan(actor, plan))
    if not plan.editable:
        raise BudgetsError(
            "This plan is waiting for agreement or has been agreed. Choose 'Change my plan' first."
        )


@transaction.atomic
def start_plan(*, person: User, actor: User, request: HttpRequest | None = None) -> SupportPlan:
    """The person's plan, using their latest assessment and indicative budget."""
    access.require(access.can_act_for(actor, person.pk))
    plan = SupportPlan.objects.filter(person=person).first()
    if plan is not None:
        return plan
    assessment = Assessment.objects.filter(person=person).first()
    budget = IndicativeBudget.objects.filter(assessment=assessment).first() if assessment else None
    fa = FinancialAssessment.objects.filter(person=person).first()
    plan = SupportPlan.objects.create(
        person=person, assessment=assessment, budget=budget, financial_assessment=fa
    )
    record_audit(
        actor=actor,
        action=Action.CREATE,
        target=plan,
        subject=person,
        summary="Started a support plan",
        request=request,
    )
    return plan


@transaction.atomic
def use_budget(
    *,
    plan: SupportPlan,
    budget: IndicativeBudget,
    actor: User,
    request: HttpRequest | None = None,
) -> SupportPlan:
    plan = _lock_plan(plan)
    _require_editable(plan, actor)
    if budget.assessment.person_id != plan.person_id:
        raise BudgetsError("That budget belongs to someone else.")
    plan.budget = budget
    plan.save(update_fields=["budget", "updated_at"])
    record_audit(
        actor=actor,
        action=Action.UPDATE,
        target=plan,
        subject=plan.person,
        summary=f"Plan uses the indicative budget of {pounds(budget.weekly)} a week",
        request=request,
    )
    return plan


@transaction.atomic
def set_neighbourhood(
    *, plan: SupportPlan, actor: User, neighbourhood: Any, request: HttpRequest | None = None
) -> None:
    access.require(access.can_edit_plan(actor, plan))
    plan.neighbourhood = neighbourhood
    plan.save(update_fields=["neighbourhood", "updated_at"])
    record_audit(
        actor=actor,
        action=Action.UPDATE,
        target=plan,
        subject=plan.person,
        summary="Set the neighbourhood for the plan",
        request=request,
    )


@transaction.atomic
def add_outcome(
    *,
    plan: SupportPlan,
    actor: User,
    text: str,
    wellbeing: list[str],
    open_to_sharing: bool = False,
    request: HttpRequest | None = None,
) -> PlanOutcome:
    plan = _lock_plan(plan)
    _require_editable(plan, actor)
    text = text.strip()
    if not text:
        raise BudgetsError("Write what you want to achieve, in your own words", field="text")
    unknown = set(wellbeing) - set(WellbeingDomain.values)
    if not wellbeing or unknown:
        raise BudgetsError("Choose at least one part of your wellbeing", field="wellbeing")
    outcome = PlanOutcome.objects.create(
        plan=plan,
        text=text[:2000],
        wellbeing=list(wellbeing),
        open_to_sharing=open_to_sharing,
        position=plan.outcomes.count() + 1,
    )
    record_audit(
        actor=actor,
        action=Action.CREATE,
        target=outcome,
        subject=plan.person,
        summary="Added an outcome to the support plan",
        request=request,
    )
    return outcome


@transaction.atomic
def remove_outcome(
    *, outcome: PlanOutcome, actor: User, request: HttpRequest | None = None
) -> None:
    plan = _lock_plan(outcome.plan)
    _require_editable(plan, actor)
    outcome.delete()
    record_audit(
        actor=actor,
        action=Action.DELETE,
        object_type="budgets.planoutcome",
        object_id=str(outcome.pk),
        subject=plan.person,
        summary="Removed an outcome from the support plan",
        request=request,
    )


@transaction.atomic
def add_line(
    *,
    outcome: PlanOutcome,
    actor: User,
    kind: str,
    description: str,
    service: Any = None,
    who: str = "",
    schedule: str = "",
    unit_cost: Decimal | None = None,
    units_per_week: Decimal | None = None,
    weekly_cost: Decimal | None = None,
    minutes_per_week: int = 0,
    need: str = "",
    request: HttpRequest | None = None,
) -> PlanLine:
    """How an outcome will be met. A directory service's weekly cost is its price times how many
    a week; time bank hours and unpaid help cost nothing and count in minutes. A line of kind
    "could not find this" says what was looked for and its ``need``; it costs nothing and is
    counted (without names) on the gap-in-the-market page."""
    plan = _lock_plan(outcome.plan)
    _require_editable(plan, actor)
    if kind not in PlanLine.Kind.values or kind == PlanLine.Kind.POOL:
        raise BudgetsError("Choose how this will be met", field="kind")
    if kind == PlanLine.Kind.SERVICE:
        if service is None:
            raise BudgetsError("Choose a service from the directory", field="service")
        if unit_cost is None or units_per_week is None:
            raise BudgetsError("Say how many times a week", field="units_per_week")
        unit_cost = check_money(
            unit_cost, field="unit_cost", label="Price each time", maximum=MAX_WEEKLY_COST
        )
        if (
            not isinstance(units_per_week, Decimal)
            or not units_per_week.is_finite()
            or not Decimal("0.01") <= units_per_week <= MAX_TIMES_A_WEEK
            or units_per_week != units_per_week.quantize(Decimal("0.01"))
        ):
            raise BudgetsError(
                "How many times a week must be a number from 0.01 to 100", field="units_per_week"
            )
        weekly_cost = (unit_cost * units_per_week).quantize(Decimal("0.01"), ROUND_HALF_UP)
        if weekly_cost > MAX_WEEKLY_COST:
            raise BudgetsError(
                f"This would cost {pounds(weekly_cost)} a week. One line of a plan can cost at "
                f"most {pounds(MAX_WEEKLY_COST)} a week: check the price and how many times a week",
                field="unit_cost",
            )
        description = description or service.name
        who = who or service.organization.name
    elif kind == PlanLine.Kind.TIME_BANK:
        if minutes_per_week <= 0:
            raise BudgetsError("Say how many hours a week", field="hours")
        weekly_cost = ZERO
    elif kind in (PlanLine.Kind.FAMILY,):
        weekly_cost = ZERO
    elif kind == PlanLine.Kind.NOT_FOUND:
        if need not in Need.values:
            raise BudgetsError("Choose what kind of support you looked for", field="need")
        if not description.strip():
            raise BudgetsError("Say what you looked for and could not find", field="description")
        weekly_cost, minutes_per_week, service = ZERO, 0, None
    if kind != PlanLine.Kind.NOT_FOUND:
        need = ""
    weekly_cost = check_money(
        weekly_cost or ZERO, field="weekly_cost", label="Cost each week", maximum=MAX_WEEKLY_COST
    )
    if not isinstance(minutes_per_week, int) or not 0 <= minutes_per_week <= 168 * 60:
        raise BudgetsError("Hours each week must be from 0 to 168", field="hours")
    if not description.strip():
        raise BudgetsError("Describe the support", field="description")
    line = PlanLine.objects.create(
        plan=plan,
        outcome=outcome,
        kind=kind,
        description=description.strip()[:250],
        service=service,
        who=who.strip()[:200],
        schedule=schedule.strip()[:200],
        unit_cost=unit_cost,
        units_per_week=units_per_week,
        weekly_cost=weekly_cost,
        minutes_per_week=minutes_per_week,
        need=need,
    )
    record_audit(
        actor=actor,
        action=Action.CREATE,
        target=line,
        subject=plan.person,
        summary=f"Added to the plan: {line.description[:80]} ({line.get_kind_display()})",
        request=request,
    )
    return line


@transaction.atomic
def remove_line(*, line: PlanLine, actor: User, request: HttpRequest | None = None) -> None:
    plan = _lock_plan(line.plan)
    _require_editable(plan, actor)
    if line.kind == PlanLine.Kind.POOL:
        raise BudgetsError("A pooled service is changed with the others in the pool.")
    line.delete()
    record_audit(
        actor=actor,
        action=Action.DELETE,
        object_type="budgets.planline",
        object_id=str(line.pk),
        subject=plan.person,
        summary=f"Removed from the plan: {line.description[:80]}",
        request=request,
    )


def plan_snapshot(plan: SupportPlan) -> dict[str, Any]:
    """Everything a version shows, as plain data: outcomes, lines, money and the budget used."""
    totals = plan_totals(plan)
    budget = plan.budget
    return {
        "status": plan.status,
        "budget": None
        if budget is None
        else {
            "id": budget.pk,
            "version_id": budget.version_id,
            "weekly": str(budget.weekly),
            "annual": str(budget.annual),
        },
        "contribution_weekly": str(totals.contribution_weekly),
        "financial_assessment_id": plan.financial_assessment_id,
        "paid_weekly": str(totals.paid_weekly),
        "unpaid_minutes_weekly": totals.unpaid_minutes,
        "top_up_weekly": str(plan.top_up_weekly),
        "over_budget_reason": plan.over_budget_reason,
        "outcomes": [
            {
                "text": outcome.text,
                "wellbeing": list(outcome.wellbeing),
                "lines": [
                    {
                        "kind": line.kind,
                        "description": line.description,
                        "service_id": line.service_id,
                        "who": line.who,
                        "schedule": line.schedule,
                        "weekly_cost": str(line.weekly_cost),
                        "minutes_per_week": line.minutes_per_week,
                        "need": line.need,
                    }
                    for line in outcome.lines.all()
                ],
            }
            for outcome in plan.outcomes.all()
        ],
    }


def _new_version(plan: SupportPlan, actor: User, event: str) -> PlanVersion:
    last = plan.versions.order_by("-number").first()
    return PlanVersion.objects.create(
        plan=plan,
        number=(last.number + 1) if last else 1,
        event=event,
        snapshot=plan_snapshot(plan),
        created_by=actor,
    )


def _check_within_budget(plan: SupportPlan, totals: PlanTotals) -> None:
    if totals.over_budget and not totals.covered_by_top_up and not plan.over_budget_reason.strip():
        raise BudgetsError(
            f"Your plan costs {pounds(totals.paid_weekly)} a week, which is "
            f"{pounds(totals.over_by)} more than your budget. Record who will pay the difference "
            "(a top-up), or explain why the plan needs more.",
            field="top_up_weekly",
        )


@transaction.atomic
def propose_plan(
    *,
    plan: SupportPlan,
    actor: User,
    top_up_weekly: Decimal = ZERO,
    over_budget_reason: str = "",
    request: HttpRequest | None = None,
) -> PlanVersion:
    """The person (or someone helping them) proposes the plan for agreement."""
    plan = _lock_plan(plan)
    _require_editable(plan, actor)
    if plan.budget is None:
        raise BudgetsError("Work out your indicative budget before you propose your plan.")
    outcomes = list(plan.outcomes.prefetch_related("lines"))
    if not outcomes:
        raise BudgetsError("Add at least one outcome: what you want to achieve.")
    empty = [o.text[:60] for o in outcomes if not o.lines.all()]
    if empty:
        raise BudgetsError("Say how each outcome will be met. Still to do: " + "; ".join(empty))
    top_up_weekly = check_money(
        top_up_weekly, field="top_up_weekly", label="Top-up each week", maximum=MAX_WEEKLY_COST
    )
    plan.top_up_weekly = top_up_weekly
    plan.over_budget_reason = over_budget_reason.strip()
    _check_within_budget(plan, plan_totals(plan))
    plan.status = SupportPlan.Status.PROPOSED
    plan.save()
    version = _new_version(plan, actor, "proposed")
    record_audit(
        actor=actor,
        action=Action.UPDATE,
        target=plan,
        subject=plan.person,
        summary=f"Proposed the support plan (version {version.number})",
        request=request,
    )
    notices.plan_proposed(plan, actor)
    return version


@transaction.atomic
def decide_plan(
    *,
    plan: SupportPlan,
    actor: User,
    decision: str,
    reason: str = "",
    request: HttpRequest | None = None,
) -> PlanDecision:
    """An approver agrees the proposed plan or asks for a change with a reason the person sees.
    Nothing is refused silently: there is no "reject" without a written reason."""
    plan = _lock_plan(plan)
    access.require(
        access.can_decide_plan(actor, plan),
        "Only a broker, support planner or commissioner can agree a plan, and not their own.",
    )
    if plan.status != SupportPlan.Status.PROPOSED:
        raise BudgetsError("This plan is not waiting for agreement.")
    reason = reason.strip()
    version = plan.versions.order_by("-number").first()
    assert version is not None  # a proposed plan always has a version
    if decision == PlanDecision.Decision.CHANGES_REQUESTED:
        if not reason:
            raise BudgetsError("Explain what needs to change and why", field="reason")
        plan.status = SupportPlan.Status.CHANGES_REQUESTED
        plan.save()
        summary = "Asked for a change to the support plan"
    elif decision == PlanDecision.Decision.APPROVED:
        _check_within_budget(plan, plan_totals(plan))
        plan.status = SupportPlan.Status.APPROVED
        plan.approved_at = timezone.now()
        plan.save()
        assert plan.budget is not None
        if plan.budget.agreed_at is None:
            IndicativeBudget.objects.filter(pk=plan.budget.pk).update(agreed_at=timezone.now())
        PlanReview.objects.get_or_create(
            plan=plan,
            done_on=None,
            defaults={"due_on": _today() + dt.timedelta(weeks=FIRST_REVIEW_WEEKS)},
        )
        _request_time_bank_hours(plan, actor)
        _new_version(plan, actor, "approved")
        summary = "Agreed the support plan"
    else:
        raise BudgetsError("Choose agree or ask for a change", field="decision")
    made = PlanDecision.objects.create(
        plan=plan, version=version, decision=decision, reason=reason, decided_by=actor
    )
    notices.plan_decided(plan, made)
    record_audit(
        actor=actor,
        action=Action.UPDATE,
        target=plan,
        subject=plan.person,
        summary=summary,
        request=request,
    )
    return made


def _request_time_bank_hours(plan: SupportPlan, actor: User) -> None:
    """Once a plan is agreed, ask the time bank for its hours (``timebank.services``)."""
    for line in plan.lines.filter(kind=PlanLine.Kind.TIME_BANK, timebank_reference=""):
        made = request_for_plan(
            person=plan.person,
            category=None,
            minutes_per_week=line.minutes_per_week,
            title=line.description[:200],
            details=f"From a support plan. Outcome: {line.outcome.text[:500]}",
            by=actor,
        )
        PlanLine.objects.filter(pk=line.pk).update(timebank_reference=str(made.pk))


def time_bank_minutes_received(person: User, since: dt.date | None = None) -> int:
    """Confirmed time bank minutes the person received since ``since`` (all time if None)."""
    return confirmed_minutes(person, start=since)


@transaction.atomic
def reopen_plan(*, plan: SupportPlan, actor: User, request: HttpRequest | None = None) -> None:
    """Change an agreed or proposed plan: it becomes a draft again; every version stays."""
    plan = _lock_plan(plan)
    access.require(access.can_edit_plan(actor, plan))
    if plan.editable:
        return
    plan.status = SupportPlan.Status.DRAFT
    plan.save()
    record_audit(
        actor=actor,
        action=Action.UPDATE,
        target=plan,
        subject=plan.person,
        summary="Started changing the support plan",
        request=request,
    )
