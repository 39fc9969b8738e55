"""Pooling: a broker puts people in touch to buy a service together; each member agrees their
share, and the pool can be re-split or cancelled."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from accounts.services import record_audit
from budgets import access
from budgets.models import (
    ZERO,
    PlanLine,
    PlanOutcome,
    Pool,
    PoolMember,
    SupportPlan,
)
from budgets.services._common import (
    MAX_WEEKLY_COST,
    Action,
    BudgetsError,
    check_money,
    pounds,
)
from budgets.services.plans import _lock_plan, plan_totals
from rules.apportion import largest_remainder
from rules.money import to_pence
from wellbeing_hub.notifications import notify


def split_cost(total: Decimal, shares: list[int]) -> list[Decimal]:
    """Split ``total`` by ``shares`` in whole pence so the parts add up exactly (largest remainder,
    ties to the earlier member)."""
    if not shares or any(share <= 0 for share in shares):
        raise BudgetsError("Every share must be a whole number above zero", field="shares")
    parts = largest_remainder(shares, to_pence(total))
    return [Decimal(part) / 100 for part in parts]


@transaction.atomic
def create_pool(
    *,
    actor: User,
    name: str,
    neighbourhood: Any,
    service: Any,
    weekly_cost: Decimal,
    members: list[tuple[PlanOutcome, int]],
    description: str = "",
    over_budget_reason: str = "",
    request: HttpRequest | None = None,
) -> Pool:
    """A broker puts people in touch (each has agreed to it) to buy a service together. A share
    that would take someone's plan over its budget needs ``over_budget_reason``."""
    access.require(access.is_practitioner(actor), "Only a broker can set up a pool.")
    access.require(
        all(access.on_caseload(actor, outcome.plan.person_id) for outcome, _ in members),
        "You can only put people on your caseload in touch with each other.",
    )
    if len(members) < 2:
        raise BudgetsError("A pool needs at least two people", field="members")
    people = {outcome.plan.person_id for outcome, _ in members}
    if len(people) != len(members):
        raise BudgetsError("Choose one outcome per person", field="members")
    for outcome, _ in members:
        if not outcome.open_to_sharing:
            raise BudgetsError("Everyone in a pool must have agreed to be put in touch")
        if outcome.plan.neighbourhood_id != neighbourhood.pk:
            raise BudgetsError("Everyone in a pool must live in the same neighbourhood")
    weekly_cost = check_money(
        weekly_cost,
        field="weekly_cost",
        label="Weekly cost of the service",
        minimum=Decimal("0.01"),
        maximum=MAX_WEEKLY_COST,
    )
    pool = Pool.objects.create(
        name=name.strip()[:150] or "Shared support",
        neighbourhood=neighbourhood,
        service=service,
        description=description.strip(),
        weekly_cost=weekly_cost,
        created_by=actor,
    )
    parts = split_cost(weekly_cost, [share for _, share in members])
    overs = _check_over_budget([outcome.plan for outcome, _ in members], parts, over_budget_reason)
    why = _one_line(over_budget_reason)
    for (outcome, share), part, over in zip(members, parts, overs, strict=True):
        PoolMember.objects.create(
            pool=pool,
            outcome=outcome,
            share=share,
            weekly_cost=part,
            over_budget_by=over,
            over_budget_reason=why if over else "",
        )
        record_audit(
            actor=actor,
            action=Action.CREATE,
            target=pool,
            subject=outcome.plan.person,
            summary=f"Suggested joining the pool '{pool.name}' at {pounds(part)} a week"
            + (f"; {pounds(over)} a week over budget because: {why}" if over else ""),
            request=request,
        )
    _tell_pool(
        pool,
        [m.outcome.plan.person for m in pool.members.select_related("outcome__plan__person")],
        f"A shared support pool was suggested to you: {pool.name}",
        "Your broker suggested sharing a service with people near you. See your share and "
        "agree or say no on your support plan home page.",
    )
    return pool


def _one_line(text: str) -> str:
    return " ".join(text.split())[:500]


def _check_over_budget(
    plans: list[SupportPlan], parts: list[Decimal], reason: str
) -> list[Decimal]:
    """How far each share takes its plan over budget (0 when it stays within). Any share that
    does needs a reason, or the split is refused naming the amount."""
    overs = []
    for plan, part in zip(plans, parts, strict=True):
        totals = plan_totals(plan)
        if totals.budget_weekly is None:
            overs.append(ZERO)
            continue
        after = max(ZERO, totals.paid_weekly + part - totals.budget_weekly)
        overs.append(after if after > totals.over_by else ZERO)
    worst = max(overs, default=ZERO)
    if worst > 0 and not _one_line(reason):
        raise BudgetsError(
            f"These shares would take someone {pounds(worst)} a week over their budget. "
            "Change the shares, or say why that is all right",
            field="over_budget_reason",
        )
    return overs


def _tell_pool(pool: Pool, people: list[User], subject: str, body: str) -> None:
    recipients = [person.email for person in people if person.email]
    if pool.created_by is not None and pool.created_by.email:
        recipients.append(pool.created_by.email)
    notify(subject, body, sorted(set(recipients)), kind="support_pools")


def _may_manage_pool(actor: User, pool: Pool, members: list[PoolMember]) -> None:
    access.require(
        access.is_practitioner(actor)
        and all(access.reaches(actor, m.outcome.plan.person_id) for m in members),
        "Only a broker who has every member on their caseload can change this pool.",
    )


@transaction.atomic
def resplit_pool(
    *,
    pool: Pool,
    actor: User,
    shares: dict[int, int],
    weekly_cost: Decimal | None = None,
    over_budget_reason: str = "",
    request: HttpRequest | None = None,
) -> Pool:
    """The broker offers a new split (``shares``: member id -> share; 0 leaves someone out). Every
    earlier answer is for the old split, so everyone is asked again."""
    pool = Pool.objects.select_for_update().get(pk=pool.pk)
    members = list(pool.members.select_related("outcome__plan__person").order_by("id"))
    _may_manage_pool(actor, pool, members)
    if pool.status not in (Pool.Status.FORMING, Pool.Status.DECLINED):
        raise BudgetsError("This pool can no longer be changed.")
    if any(share < 0 or share > 100 for share in shares.values()):
        raise BudgetsError("A share must be a whole number from 0 to 100", field="shares")
    staying = [m for m in members if shares.get(m.pk, 0) > 0]
    if len(staying) < 2:
        raise BudgetsError("A pool needs at least two people", field="shares")
    cost = check_money(
        pool.weekly_cost if weekly_cost is None else weekly_cost,
        field="weekly_cost",
        label="Weekly cost of the service",
        minimum=Decimal("0.01"),
        maximum=MAX_WEEKLY_COST,
    )
    parts = split_cost(cost, [shares[m.pk] for m in staying])
    overs = _check_over_budget([m.outcome.plan for m in staying], parts, over_budget_reason)
    why = _one_line(over_budget_reason)
    leaving = [m for m in members if m not in staying]
    for member in leaving:
        record_audit(
            actor=actor,
            action=Action.UPDATE,
            target=pool,
            subject=member.outcome.plan.person,
            summary=f"Left out of the new split of the pool '{pool.name}'",
            request=request,
        )
        member.delete()
    for member, part, over in zip(staying, parts, overs, strict=True):
        member.share = shares[member.pk]
        member.weekly_cost = part
        member.agreed_at = member.declined_at = None
        member.over_budget_by = over
        member.over_budget_reason = why if over else ""
        member.save()
        record_audit(
            actor=actor,
            action=Action.UPDATE,
            target=pool,
            subject=member.outcome.plan.person,
            summary=f"Re-split the pool '{pool.name}': {pounds(part)} a week"
            + (f"; {pounds(over)} a week over budget because: {why}" if over else ""),
            request=request,
        )
    pool.weekly_cost = cost
    pool.status = Pool.Status.FORMING
    pool.split += 1
    pool.save(update_fields=["weekly_cost", "status", "split"])
    _tell_pool(
        pool,
        [m.outcome.plan.person for m in members],
        f"New shares suggested for the pool {pool.name}",
        "The broker has suggested new shares. Everyone is asked again: see your share and agree "
        "or say no on the pool's page.",
    )
    return pool


@transaction.atomic
def cancel_pool(*, pool: Pool, actor: User, request: HttpRequest | None = None) -> Pool:
    """The broker calls the pool off before everyone has agreed; every member is told."""
    pool = Pool.objects.select_for_update().get(pk=pool.pk)
    members = list(pool.members.select_related("outcome__plan__person"))
    _may_manage_pool(actor, pool, members)
    if pool.status not in (Pool.Status.FORMING, Pool.Status.DECLINED):
        raise BudgetsError("Only a pool that is not agreed yet can be cancelled.")
    pool.status = Pool.Status.CANCELLED
    pool.save(update_fields=["status"])
    for member in members:
        record_audit(
            actor=actor,
            action=Action.UPDATE,
            target=pool,
            subject=member.outcome.plan.person,
            summary=f"Cancelled the pool '{pool.name}'",
            request=request,
        )
    _tell_pool(
        pool,
        [m.outcome.plan.person for m in members],
        f"The pool {pool.name} has been cancelled",
        "The broker has cancelled this shared support pool. Nothing in your plan changes.",
    )
    return pool


@transaction.atomic
def respond_to_pool(
    *, member: PoolMember, actor: User, agree: bool, request: HttpRequest | None = None
) -> Pool:
    """A member agrees their share (or says no). When everyone agrees, each plan gets a pooled
    line at its share of the cost (a plan that was agreed goes back to draft to be agreed again)."""
    pool = Pool.objects.select_for_update().get(pk=member.pool_id)
    member = PoolMember.objects.select_related("outcome__plan").get(pk=member.pk)
    access.require(member.outcome.plan.person_id == actor.pk, "Only the person can answer.")
    if pool.status == Pool.Status.AGREED:
        raise BudgetsError("Everyone has already agreed this pool.")
    if pool.status != Pool.Status.FORMING:
        raise BudgetsError(
            "This split is no longer on offer: wait for the broker to suggest new shares."
        )
    if agree:
        member.agreed_at, member.declined_at = timezone.now(), None
    else:
        member.declined_at, member.agreed_at = timezone.now(), None
    member.save(update_fields=["agreed_at", "declined_at"])
    record_audit(
        actor=actor,
        action=Action.UPDATE,
        target=pool,
        subject=actor,
        summary=f"{'Agreed' if agree else 'Said no to'} their share of the pool '{pool.name}'",
        request=request,
    )
    members = list(pool.members.select_related("outcome__plan__person"))
    if not agree:
        # This split is superseded: nobody's earlier "yes" stands for it any more.
        pool.members.exclude(pk=member.pk).update(agreed_at=None)
        pool.status = Pool.Status.DECLINED
        pool.save(update_fields=["status"])
        _tell_pool(
            pool,
            [m.outcome.plan.person for m in members],
            f"Someone said no to the pool {pool.name}",
            "One person said no to their share, so this split will not go ahead. The broker "
            "will suggest new shares or cancel the pool; you will be asked again.",
        )
        return pool
    if all(m.agreed_at for m in members):
        pool.status = Pool.Status.AGREED
        pool.save(update_fields=["status"])
        for m in members:
            plan = _lock_plan(m.outcome.plan)
            if not plan.editable:
                plan.status = SupportPlan.Status.DRAFT
                plan.save()
            PlanLine.objects.create(
                plan=plan,
                outcome=m.outcome,
                kind=PlanLine.Kind.POOL,
                description=f"{pool.name} (shared with {len(members) - 1} others)",
                service=pool.service,
                pool_member=m,
                who=pool.service.organization.name if pool.service else pool.name,
                weekly_cost=m.weekly_cost,
            )
    return pool
