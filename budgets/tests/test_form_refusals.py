"""A service's refusal shown on the form that asked for the change (GOV.UK error pattern): the
service's own sentence beside the field it names, or above the form when it names none; the page
shown again with status 400 (as every budgets form with errors); nothing written."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.roles import Role
from budgets.models import (
    BreakGlassAccess,
    CaseAssignment,
    Invitation,
    PlanDecision,
    PlanLine,
    SupportPlan,
)
from budgets.services._common import MAX_WEEKLY_COST, pounds
from budgets.services.assessment import start_assessment
from budgets.services.plans import add_outcome, start_plan
from budgets.tests import helpers
from directory.tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_caseload_with_someone_who_is_not_a_practitioner_is_refused_beside_that_field(
    client: Client,
) -> None:
    coordinator, person, neighbour = f.user(Role.COORDINATOR), f.user(), f.user()
    client.force_login(coordinator)
    page = client.post(
        reverse("budgets:caseloads"),
        {"person": person.username, "practitioner": neighbour.username},
    )
    assert page.status_code == 400
    assert page.context["form"].errors == {
        "practitioner": ["That account is not a broker, commissioner or administrator"]
    }
    assert "That account is not a broker, commissioner or administrator" in page.content.decode()
    assert not CaseAssignment.objects.exists()


def test_a_break_glass_reason_that_is_mostly_spaces_is_refused_beside_the_reason(
    client: Client,
) -> None:
    broker, person = f.user(Role.BROKER), f.user(Role.PERSON)
    client.force_login(broker)
    # Long enough for the form (11 characters), but 3 once the service folds the spaces.
    page = client.post(
        reverse("budgets:break-glass"), {"person": person.pk, "reason": "a" + " " * 9 + "b"}
    )
    assert page.status_code == 400
    assert page.context["form"].errors == {
        "reason": ["Say why you need to open this person's records, in at least 10 characters"]
    }
    assert not BreakGlassAccess.objects.exists()
    assert not AuditEvent.objects.filter(summary__startswith="Break glass").exists()


def test_breaking_glass_on_your_own_records_is_refused_above_the_form(client: Client) -> None:
    broker = f.user(Role.BROKER)
    client.force_login(broker)
    page = client.post(
        reverse("budgets:break-glass"), {"person": broker.pk, "reason": "A good reason here"}
    )
    assert page.status_code == 400
    assert page.context["form"].errors == {
        "__all__": ["These are your own records: you can open them already."]
    }
    assert "These are your own records: you can open them already." in page.content.decode()
    assert not BreakGlassAccess.objects.exists()


def test_proposing_a_plan_before_the_budget_is_worked_out_is_refused_above_the_form(
    client: Client,
) -> None:
    person = f.user(Role.PERSON)
    plan = start_plan(person=person, actor=person)
    client.force_login(person)
    page = client.post(reverse("budgets:plan-propose", args=[plan.pk]), {})
    assert page.status_code == 400
    assert page.context["form"].errors == {
        "__all__": ["Work out your indicative budget before you propose your plan."]
    }
    assert "Work out your indicative budget before you propose your plan." in (
        page.content.decode()
    )
    plan.refresh_from_db()
    assert plan.status == SupportPlan.Status.DRAFT
    assert not plan.versions.exists()


def test_inviting_yourself_to_add_to_your_assessment_is_refused_beside_the_name(
    client: Client,
) -> None:
    person = f.user(Role.PERSON)
    assessment = start_assessment(person=person, actor=person)
    client.force_login(person)
    page = client.post(
        reverse("budgets:invite", args=[assessment.pk]),
        {
            "method": "account",
            "identifier": person.username,
            "relationship": Invitation.Relationship.values[0],
        },
    )
    assert page.status_code == 400
    assert page.context["account_form"].errors == {"identifier": ["You cannot invite yourself"]}
    assert "You cannot invite yourself" in page.content.decode()
    assert not Invitation.objects.exists()


def test_deciding_a_plan_that_is_already_agreed_is_refused_above_the_form(client: Client) -> None:
    person, broker = f.user(Role.PERSON), f.user(Role.BROKER)
    plan = helpers.agreed_plan(person, broker)
    decisions = PlanDecision.objects.count()
    client.force_login(broker)
    page = client.post(
        reverse("budgets:plan-decide", args=[plan.pk]),
        {"decision": "changes_requested", "reason": "Please add how you will get home."},
    )
    assert page.status_code == 400
    assert page.context["form"].errors == {"__all__": ["This plan is not waiting for agreement."]}
    plan.refresh_from_db()
    assert plan.status == SupportPlan.Status.APPROVED
    assert PlanDecision.objects.count() == decisions


def test_a_service_line_costing_more_than_a_line_may_is_refused_beside_the_price(
    client: Client,
) -> None:
    person = f.user(Role.PERSON)
    plan = start_plan(person=person, actor=person)
    outcome = add_outcome(
        plan=plan, actor=person, text="Get out to the craft club", wellbeing=["participation"]
    )
    service = f.service(name="Craft club", cost="10.00", days="SA")
    client.force_login(person)
    # Each figure is within the form's limits; the week (5,000 x 100) is not.
    page = client.post(
        reverse("budgets:support-service", args=[plan.pk, outcome.pk, service.pk]),
        {"unit_cost": "5000", "units_per_week": "100", "schedule": "Saturday"},
    )
    assert page.status_code == 400
    message = (
        f"This would cost {pounds(Decimal('500000'))} a week. One line of a plan can cost at "
        f"most {pounds(MAX_WEEKLY_COST)} a week: check the price and how many times a week"
    )
    assert page.context["form"].errors == {"unit_cost": [message]}
    assert not PlanLine.objects.exists()
