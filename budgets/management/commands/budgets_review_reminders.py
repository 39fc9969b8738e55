"""Daily: email the person and the brokers who can agree their plan when an agreed plan's review
is due within REMINDER_DAYS days (issue 13, notifications; kind "plan_review_due").

Each review is reminded once for its due date: the date is recorded on the review in the same
transaction as the email is queued, so running the command again (the same day, the next day, or
after a failure part-way) sends nothing twice. A review moved to another date is reminded again.
A review already overdue when first seen (a plan agreed with an early review) is reminded too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date

from budgets.models import PlanReview, SupportPlan
from budgets.notices import approvers_for
from wellbeing_hub.notifications import notify, site_url

# How far ahead a review's due date is announced (decided 3 December 2026, issue 13): two weeks
# gives the person time to think about how the plan is going and the broker time to book it.
REMINDER_DAYS = 14


def due_for_reminder(today: dt.date) -> list[int]:
    """The open reviews of agreed plans due by ``today + REMINDER_DAYS`` not yet reminded for
    their due date."""
    horizon = today + dt.timedelta(days=REMINDER_DAYS)
    return list(
        PlanReview.objects.filter(
            done_on__isnull=True,
            due_on__lte=horizon,
            plan__status=SupportPlan.Status.APPROVED,
        )
        .exclude(reminded_for=F("due_on"))
        .order_by("due_on", "pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def remind(review_id: int) -> bool:
    """Queue the emails for one review and record it; False if another run got there first."""
    review = (
        PlanReview.objects.select_for_update()
        .select_related("plan__person")
        .filter(pk=review_id, done_on__isnull=True)
        .first()
    )
    if review is None or review.reminded_for == review.due_on:
        return False
    person = review.plan.person
    when = format_date(review.due_on, "j F Y")
    if person.is_active and person.email:
        notify(
            f"Your support plan review is due on {when}",
            f"Your support plan is due to be reviewed on {when}. The review is a chance to say "
            "how your support is going and whether anything needs to change. Your broker will "
            "get in touch to arrange it.\n\n"
            f"See your plan: {site_url(reverse('budgets:plan', args=[review.plan_id]))}",
            [person.email],
            kind="plan_review_due",
        )
    name = person.get_full_name() or "Someone"
    notify(
        f"A support plan review is due on {when}: {name}",
        f"{name}'s support plan is due to be reviewed on {when}.\n\n"
        f"Record the review: {site_url(reverse('budgets:plan-review', args=[review.plan_id]))}",
        approvers_for(person),
        kind="plan_review_due",
    )
    review.reminded_for = review.due_on
    review.save(update_fields=["reminded_for"])
    return True


class Command(BaseCommand):
    help = (
        f"Email the person and their broker once when an agreed plan's review is due within "
        f"{REMINDER_DAYS} days."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        sent = sum(remind(review_id) for review_id in due_for_reminder(today))
        self.stdout.write(f"Support plan reviews reminded: {sent}")
