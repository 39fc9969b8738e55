"""Reviews of agreed support plans: recording the review and setting the next one."""

from __future__ import annotations

import calendar
import datetime as dt

from django.db import transaction
from django.http import HttpRequest

from accounts.models import User
from accounts.services import record_audit
from budgets import access
from budgets.models import (
    PlanReview,
    SupportPlan,
)
from budgets.services._common import (
    Action,
    BudgetsError,
    _today,
)
from budgets.services.plans import _lock_plan

# Months to the next review a reviewer may choose: the Care Act statutory guidance (13.32) expects
# a review at least every 12 months.
NEXT_REVIEW_MONTHS = (3, 6, 12)


def months_later(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the last day of that month when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def open_review(plan: SupportPlan) -> PlanReview | None:
    """The review of an agreed plan that is waiting to be recorded, if any."""
    if plan.status != SupportPlan.Status.APPROVED:
        return None
    return plan.reviews.filter(done_on__isnull=True).order_by("due_on").first()


@transaction.atomic
def complete_review(
    *,
    plan: SupportPlan,
    actor: User,
    result: str,
    notes: str,
    next_in_months: int,
    took_part: str = "",
    request: HttpRequest | None = None,
) -> PlanReview:
    """Record the plan's open review and set the next one."""
    plan = _lock_plan(plan)
    access.require(access.can_review_plan(actor, plan))
    review = open_review(plan)
    if review is None:
        raise BudgetsError("This plan has no review waiting: it was recorded already")
    if result not in PlanReview.Result.values:
        raise BudgetsError("Choose how the plan is working", field="result")
    if not notes.strip():
        raise BudgetsError("Write what the review found", field="notes")
    if next_in_months not in NEXT_REVIEW_MONTHS:
        raise BudgetsError("Choose when the next review should be", field="next_in_months")
    review.done_on = _today()
    review.result = result
    review.notes = notes.strip()[:5000]
    review.took_part = took_part.strip()[:300]
    review.reviewed_by = actor
    review.save()
    following = PlanReview.objects.create(
        plan=plan, due_on=months_later(review.done_on, next_in_months)
    )
    record_audit(
        actor=actor,
        action=Action.UPDATE,
        target=review,
        subject=plan.person,
        summary=f"Reviewed the support plan ({PlanReview.Result(result).label}); next review "
        f"due {following.due_on:%d %B %Y}",
        request=request,
    )
    return review
