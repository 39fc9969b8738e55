"""Builders for budgets tests: a complete assessment, a budget, an agreed plan, an open account."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from accounts.models import User
from accounts.roles import Role
from budgets.models import (
    Assessment,
    BudgetAccount,
    CaseAssignment,
    IndicativeBudget,
    SupportPlan,
)
from budgets.services import accounts as budget_accounts
from budgets.services.assessment import (
    calculate_budget,
    save_about_me,
    save_domain,
    start_assessment,
)
from budgets.services.plans import add_line, add_outcome, decide_plan, propose_plan, start_plan
from directory.tests import factories as f
from rules.ras import load_version

# Answers for illustrative-ras-v1 (C on personal care, B elsewhere): 14+3+3+2+2+3+3+2 = 32 points.
ANSWERS = {
    "personal_care": "C",
    "eating_and_drinking": "B",
    "home_and_mobility": "B",
    "relationships_and_community": "B",
    "work_learning_volunteering": "B",
    "caring_for_others": "B",
    "staying_safe": "B",
    "decisions_and_control": "B",
}


def assign(person: User, *practitioners: User) -> None:
    """Put ``person`` on each practitioner's caseload (practitioners open only their caseload)."""
    for practitioner in practitioners:
        CaseAssignment.objects.get_or_create(person=person, practitioner=practitioner)


def complete_answers(
    assessment: Assessment, actor: User, kind: str = "person", answers: dict[str, str] | None = None
) -> None:
    config = load_version(assessment.version_id)
    for domain in config.domains:
        save_domain(
            assessment=assessment,
            kind=kind,
            actor=actor,
            domain_id=domain.id,
            answer=(answers or ANSWERS)[domain.id],
            informal_support=None,
            free_text={"in_my_own_words": f"My words about {domain.id}"},
        )
    save_about_me(
        assessment=assessment,
        kind=kind,
        actor=actor,
        carer="ok",
        free_text={"what_i_can_offer": "I bake", "who_supports_me": "My sister"},
    )


def budget_for(person: User) -> IndicativeBudget:
    assessment = start_assessment(person=person, actor=person)
    complete_answers(assessment, person)
    return calculate_budget(assessment=assessment, kind="person", actor=person)


def agreed_plan(person: User, broker: User, weekly: str = "40.00") -> SupportPlan:
    assign(person, broker)
    budget_for(person)
    plan = start_plan(person=person, actor=person)
    outcome = add_outcome(
        plan=plan, actor=person, text="Get out to the craft club", wellbeing=["participation"]
    )
    service = f.service(name="Craft club", cost="10.00", days="SA")
    add_line(
        outcome=outcome,
        actor=person,
        kind="service",
        description="",
        service=service,
        unit_cost=Decimal(weekly) / 4,
        units_per_week=Decimal(4),
    )
    propose_plan(plan=plan, actor=person)
    decide_plan(plan=plan, actor=broker, decision="approved")
    plan.refresh_from_db()
    return plan


def open_account(person: User | None = None, broker: User | None = None) -> BudgetAccount:
    person = person or f.user(Role.PERSON)
    broker = broker or f.user(Role.BROKER)
    plan = agreed_plan(person, broker)
    return budget_accounts.open_account(
        plan=plan,
        actor=broker,
        kind=BudgetAccount.Kind.DIRECT_PAYMENT,
        period_start=dt.date(2026, 4, 6),
    )
