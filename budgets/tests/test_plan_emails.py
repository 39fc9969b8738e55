"""Support plan emails (issue 13): the brokers who can agree a plan hear it was sent for
agreement; the person hears it was agreed, or what must change; each email's links are full
addresses and its footer lets people stop that kind."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from pytest_django import DjangoCaptureOnCommitCallbacks

from accounts.models import NotificationPreference, User
from accounts.roles import Role
from budgets.models import CaseTeam, SupportPlan
from budgets.services.caseloads import assign_caseload
from budgets.services.plans import add_line, add_outcome, decide_plan, propose_plan, start_plan
from budgets.tests import helpers
from directory.tests import factories as f

pytestmark = pytest.mark.django_db


def _proposed(person: User, capture: DjangoCaptureOnCommitCallbacks) -> SupportPlan:
    helpers.budget_for(person)
    plan = start_plan(person=person, actor=person)
    outcome = add_outcome(plan=plan, actor=person, text="Out", wellbeing=["health"])
    add_line(
        outcome=outcome,
        actor=person,
        kind="other",
        description="Support",
        weekly_cost=Decimal("10.00"),
    )
    mail.outbox.clear()
    with capture(execute=True):
        propose_plan(plan=plan, actor=person)
    return plan


def test_the_brokers_who_can_agree_it_hear_a_plan_is_waiting(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    person = f.user(Role.PERSON, display_name="Pat")
    broker = f.user(Role.BROKER, email="bea@example.org")
    team_broker = f.user(Role.BROKER, email="tom@example.org")
    not_an_approver = f.user(Role.ADMINISTRATOR, email="ada@example.org")
    stranger = f.user(Role.BROKER, email="sid@example.org")  # not on Pat's caseload
    team = CaseTeam.objects.create(name="North")
    team.members.add(team_broker)
    helpers.assign(person, broker, not_an_approver)
    assign_caseload(person=person, team=team, actor=f.user(Role.COORDINATOR))
    plan = _proposed(person, django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == ["bea@example.org", "tom@example.org"]
    message = mail.outbox[0]
    assert message.subject == "A support plan to agree: Pat"
    assert settings.SITE_URL + reverse("budgets:plan-decide", args=[plan.pk]) in message.body
    assert stranger.email not in {m.to[0] for m in mail.outbox}


def test_the_person_hears_the_decision(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    person, broker = f.user(Role.PERSON), f.user(Role.BROKER)
    helpers.assign(person, broker)
    plan = _proposed(person, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decide_plan(
            plan=plan, actor=broker, decision="changes_requested", reason="Add the Tuesday club"
        )
    (message,) = mail.outbox
    assert message.to == [person.email]
    assert message.subject == "Your support plan: a change is needed"
    assert "Add the Tuesday club" in message.body
    assert "List-Unsubscribe" in message.extra_headers
    propose_plan(plan=plan, actor=person)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decide_plan(plan=plan, actor=broker, decision="approved")
    assert [m.subject for m in mail.outbox] == ["Your support plan is agreed"]


def test_a_person_who_turned_plan_emails_off_gets_none(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    person, broker = f.user(Role.PERSON), f.user(Role.BROKER)
    helpers.assign(person, broker)
    NotificationPreference.objects.create(user=person, kind="support_plan", email=False)
    NotificationPreference.objects.create(user=broker, kind="plans_to_agree", email=False)
    plan = _proposed(person, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        decide_plan(plan=plan, actor=broker, decision="approved")
    assert mail.outbox == []
