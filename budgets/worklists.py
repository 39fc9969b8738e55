"""What needs doing in self-directed support, for staff home pages (issue 13). Read-only.

- :func:`broker_tasks`: plans waiting for the practitioner's agreement and plan reviews due (and
  overdue), only for people on their caseload, each linking to the page where it is done.
- :func:`commissioner_figures`: area-wide counts and totals, never a person's record."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Max, Sum
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.worklist import Figure, Item, Task
from budgets import access
from budgets.models import BudgetAccount, PlanReview, SupportPlan
from rules.money import format_money

REVIEW_WINDOW_DAYS = 28
"""Reviews due within this many days (and every overdue one) are on the broker's list."""

LISTED = 10
"""Items listed one by one under each task; the link shows the rest."""
REVIEWS_LISTED = 50
"""Reviews have no list page of their own yet, so more of them are listed here."""


def _day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment else None


def plans_to_agree(user: User) -> Task:
    """Plans sent for agreement by people on ``user``'s caseload (never their own), oldest
    first, with the day each was sent."""
    waiting = (
        SupportPlan.objects.filter(
            status=SupportPlan.Status.PROPOSED, person__in=access.caseload_people(user)
        )
        .exclude(person=user)
        .select_related("person")
        .annotate(sent_at=Max("versions__created_at"))
        .order_by("sent_at", "id")
    )
    count = waiting.count()
    oldest = waiting.first()
    items = tuple(
        Item(
            label=f"{plan.person.get_full_name()}'s support plan",
            url=reverse("budgets:plan-decide", args=[plan.pk]),
            when=_day(plan.sent_at),
            when_label="Sent",
        )
        for plan in waiting[:LISTED]
    )
    return Task(
        label="Plans to agree",
        count=count,
        url=reverse("budgets:home"),
        when=_day(oldest.sent_at) if oldest else None,
        when_label="Oldest sent",
        hint="Agree each plan or ask for changes, with reasons the person can see.",
        items=items,
    )


def reviews_due(user: User, today: dt.date | None = None) -> Task:
    """Reviews of agreed plans on ``user``'s caseload that are overdue or due within
    :data:`REVIEW_WINDOW_DAYS` days, soonest first (one per plan: the next one waiting)."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=REVIEW_WINDOW_DAYS)
    reviews = (
        PlanReview.objects.filter(
            done_on__isnull=True,
            due_on__lte=horizon,
            plan__status=SupportPlan.Status.APPROVED,
            plan__person__in=access.caseload_people(user),
        )
        .exclude(plan__person=user)
        .select_related("plan__person")
        .order_by("due_on", "id")
    )
    first_per_plan: list[PlanReview] = []
    seen: set[int] = set()
    for review in reviews:
        if review.plan_id not in seen:
            seen.add(review.plan_id)
            first_per_plan.append(review)
    overdue = sum(1 for review in first_per_plan if review.due_on < today)
    items = tuple(
        Item(
            label=f"Review {review.plan.person.get_full_name()}'s support plan",
            url=reverse("budgets:plan-review", args=[review.plan_id]),
            when=review.due_on,
            when_label="Due",
            overdue=review.due_on < today,
        )
        for review in first_per_plan[:REVIEWS_LISTED]
    )
    return Task(
        label="Reviews due",
        count=len(first_per_plan),
        url=items[0].url if len(items) == 1 else reverse("budgets:home"),
        when=first_per_plan[0].due_on if first_per_plan else None,
        when_label="Next due",
        overdue=overdue,
        hint=f"Overdue, or due in the next {REVIEW_WINDOW_DAYS} days.",
        items=items,
    )


def broker_tasks(user: User, today: dt.date | None = None) -> tuple[Task, ...]:
    return (plans_to_agree(user), reviews_due(user, today))


def _pounds(amount: Decimal | None) -> str:
    return format_money(amount or Decimal(0))


def commissioner_figures(today: dt.date | None = None) -> tuple[Figure, ...]:
    """Support plans across the area as counts and totals: how many at each stage, what agreed
    plans' budgets add up to, reviews overdue, accounts open. No names, no records."""
    today = today or timezone.localdate()
    by_status = dict(
        SupportPlan.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    agreed_weekly = SupportPlan.objects.filter(status=SupportPlan.Status.APPROVED).aggregate(
        total=Sum("budget__weekly")
    )["total"]
    open_reviews = PlanReview.objects.filter(
        done_on__isnull=True, plan__status=SupportPlan.Status.APPROVED
    )
    overdue = open_reviews.filter(due_on__lt=today).values("plan").distinct().count()
    due_soon = (
        open_reviews.filter(
            due_on__gte=today, due_on__lte=today + dt.timedelta(days=REVIEW_WINDOW_DAYS)
        )
        .values("plan")
        .distinct()
        .count()
    )
    return (
        Figure("Support plans", str(sum(by_status.values()))),
        *(
            Figure(f"Plans: {label.lower()}", str(by_status.get(value, 0)))
            for value, label in SupportPlan.Status.choices
        ),
        Figure("Indicative budgets of agreed plans", f"{_pounds(agreed_weekly)} a week"),
        Figure("Plan reviews overdue", str(overdue)),
        Figure(f"Plan reviews due in the next {REVIEW_WINDOW_DAYS} days", str(due_soon)),
        Figure(
            "Budget accounts running",
            str(BudgetAccount.objects.filter(period_end__gte=today).count()),
        ),
    )
