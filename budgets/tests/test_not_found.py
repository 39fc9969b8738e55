"""A plan line can record support the person looked for and could not find (issue 18's gap in the
market): the person can say it themselves, it costs nothing, and the evidence app counts it by need
and neighbourhood without names or the words the person wrote."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent, User
from accounts.roles import Role
from budgets import selectors
from budgets.models import PlanLine, PlanOutcome
from budgets.services._common import BudgetsError
from budgets.services.plans import (
    add_line,
    add_outcome,
    plan_snapshot,
    set_neighbourhood,
    start_plan,
)
from directory.models import Neighbourhood
from directory.tests import factories as f

pytestmark = pytest.mark.django_db


def _outcome(person: User, neighbourhood: Neighbourhood | None = None) -> PlanOutcome:
    plan = start_plan(person=person, actor=person)
    if neighbourhood is not None:
        set_neighbourhood(plan=plan, actor=person, neighbourhood=neighbourhood)
    return add_outcome(
        plan=plan, actor=person, text="See people at lunchtime", wellbeing=["participation"]
    )


def test_the_person_records_what_they_could_not_find(client: Client) -> None:
    person = f.user(Role.PERSON)
    outcome = _outcome(person, f.neighbourhood("Eastfield"))
    client.force_login(person)
    url = reverse("budgets:support-not-found", args=[outcome.plan_id, outcome.pk])
    assert (
        "could not find it"
        in client.get(
            reverse("budgets:support-choose", args=[outcome.plan_id, outcome.pk])
        ).content.decode()
    )
    page = client.post(url, {"need": "meals", "description": "A lunch club near the bus stop"})
    assert page.status_code == 302
    line = PlanLine.objects.get()
    assert (line.kind, line.need, line.weekly_cost, line.minutes_per_week) == (
        "not_found",
        "meals",
        0,
        0,
    )
    assert AuditEvent.objects.filter(subject_id=person.pk, summary__contains="lunch club").exists()
    plan_page = client.get(reverse("budgets:plan", args=[outcome.plan_id])).content.decode()
    assert "Could not find this" in plan_page
    # In "download my data" through the plan's snapshot.
    assert plan_snapshot(outcome.plan)["outcomes"][0]["lines"][0]["need"] == "meals"


def test_the_form_names_what_is_missing(client: Client) -> None:
    person = f.user(Role.PERSON)
    outcome = _outcome(person)
    client.force_login(person)
    page = client.post(reverse("budgets:support-not-found", args=[outcome.plan_id, outcome.pk]), {})
    body = page.content.decode()
    assert page.status_code == 400
    assert "<title>Error:" in body
    assert "Choose what kind of support you looked for" in body
    assert "Say what you looked for and could not find" in body
    assert not PlanLine.objects.exists()


def test_the_service_refuses_an_unknown_need_and_drops_any_cost() -> None:
    person = f.user(Role.PERSON)
    outcome = _outcome(person)
    with pytest.raises(BudgetsError) as refused:
        add_line(outcome=outcome, actor=person, kind="not_found", description="x", need="unicorns")
    assert refused.value.field == "need"
    line = add_line(
        outcome=outcome,
        actor=person,
        kind="not_found",
        description="Swimming with help",
        need="health",
        weekly_cost=Decimal("25.00"),
        minutes_per_week=60,
    )
    assert (line.weekly_cost, line.minutes_per_week) == (0, 0)
    # Other kinds never carry a need.
    other = add_line(
        outcome=outcome, actor=person, kind="family", description="My sister", need="meals"
    )
    assert other.need == ""


def test_the_database_refuses_a_not_found_line_without_a_need() -> None:
    person = f.user(Role.PERSON)
    outcome = _outcome(person)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanLine.objects.create(
            plan=outcome.plan, outcome=outcome, kind="not_found", description="x", need=""
        )


def test_unmet_needs_counts_each_plan_once_per_need() -> None:
    east = f.neighbourhood("Eastfield")
    first, second = f.user(Role.PERSON), f.user(Role.PERSON)
    one = _outcome(first, east)
    for text in ("Lunch club", "Meals on wheels"):  # the same need twice on one plan: once
        add_line(outcome=one, actor=first, kind="not_found", description=text, need="meals")
    add_line(
        outcome=one, actor=first, kind="not_found", description="Bus buddy", need="getting_out"
    )
    two = _outcome(second)  # no neighbourhood on this plan
    add_line(outcome=two, actor=second, kind="not_found", description="Lunch", need="meals")
    add_line(outcome=two, actor=second, kind="family", description="Sister")
    found = sorted((n.need, n.neighbourhood) for n in selectors.unmet_needs())
    assert found == [
        ("Getting out and about", "Eastfield"),
        ("Meals and food", ""),
        ("Meals and food", "Eastfield"),
    ]
