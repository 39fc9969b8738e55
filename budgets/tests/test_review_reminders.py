"""Plan review due (issue 13, notifications): the daily budgets_review_reminders command emails
the person and their broker once when an agreed plan's review is due within 14 days: at 14 days
it sends, at 15 it does not, and a second run (the same day or the next) sends nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from pytest_django import DjangoCaptureOnCommitCallbacks

from accounts.roles import Role
from budgets.models import PlanReview, SupportPlan
from budgets.tests import helpers
from directory.tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 3)
NOON = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def plan() -> SupportPlan:
    person = f.user(Role.PERSON, display_name="Pat", email="pat@example.org")
    broker = f.user(Role.BROKER, email="bea@example.org")
    f.user(Role.BROKER, email="sid@example.org")  # not on Pat's caseload
    return helpers.agreed_plan(person, broker)


def _due_in(plan: SupportPlan, days: int) -> PlanReview:
    review = PlanReview.objects.get(plan=plan, done_on__isnull=True)
    review.due_on = TODAY + dt.timedelta(days=days)
    review.save()
    return review


def _run(
    capture: DjangoCaptureOnCommitCallbacks, when: dt.datetime = NOON
) -> list[mail.EmailMessage]:
    mail.outbox.clear()
    with time_machine.travel(when, tick=False), capture(execute=True):
        call_command("budgets_review_reminders", stdout=StringIO())
    return list(mail.outbox)


def test_due_in_14_days_the_person_and_broker_are_emailed_once(
    plan: SupportPlan, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    review = _due_in(plan, 14)
    sent = _run(django_capture_on_commit_callbacks)
    by_address = {m.to[0]: m for m in sent}
    assert sorted(by_address) == ["bea@example.org", "pat@example.org"]
    mine = by_address["pat@example.org"]
    assert mine.subject == "Your support plan review is due on 17 December 2026"
    assert f"{settings.SITE_URL}/" in mine.body and f"/plan/{plan.pk}/" in mine.body
    assert "emails about support plan reviews that are due" in mine.body
    broker = by_address["bea@example.org"]
    assert broker.subject == "A support plan review is due on 17 December 2026: Pat"
    assert f"/plan/{plan.pk}/review/" in broker.body
    review.refresh_from_db()
    assert review.reminded_for == review.due_on
    # Re-running the same day, or the next, sends nothing.
    assert _run(django_capture_on_commit_callbacks) == []
    assert _run(django_capture_on_commit_callbacks, NOON + dt.timedelta(days=1)) == []


def test_due_in_15_days_nothing_is_sent_until_the_next_day(
    plan: SupportPlan, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    _due_in(plan, 15)
    assert _run(django_capture_on_commit_callbacks) == []
    next_day = _run(django_capture_on_commit_callbacks, NOON + dt.timedelta(days=1))
    assert len(next_day) == 2


def test_a_review_moved_to_a_new_date_is_reminded_again_and_a_done_one_never(
    plan: SupportPlan, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    review = _due_in(plan, 10)
    assert len(_run(django_capture_on_commit_callbacks)) == 2
    review.due_on = TODAY + dt.timedelta(days=12)
    review.save()
    assert len(_run(django_capture_on_commit_callbacks)) == 2
    review.due_on = TODAY + dt.timedelta(days=5)
    review.done_on = TODAY
    review.save()
    assert _run(django_capture_on_commit_callbacks) == []
