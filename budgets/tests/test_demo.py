from __future__ import annotations

import pytest

from accounts.models import User
from accounts.roles import Role
from budgets import access
from budgets.demo import seed_demo
from budgets.models import BudgetAccount, LedgerTransaction, PlanLine, SupportPlan
from budgets.selectors import pool_candidates
from directory.tests import factories as f

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_an_agreed_plan_with_an_account_and_is_idempotent() -> None:
    hood = f.neighbourhood("Millbrook")
    f.service(name="Saturday Makers: craft and chat", cost="6.00", days="SA", at=hood)
    users: dict[str, User] = {
        role: f.user(role) for role in (Role.PERSON, Role.CARER, Role.BROKER, Role.ADMINISTRATOR)
    }
    seed_demo(users)
    plan = SupportPlan.objects.get(person=users[Role.PERSON])
    assert plan.status == "approved"
    assert plan.decisions.filter(decision="changes_requested").exists()
    assert PlanLine.objects.filter(plan=plan, kind="service", service__isnull=False).exists()
    assert PlanLine.objects.filter(plan=plan, kind="time_bank").exists()
    assert plan.assessment is not None
    assert plan.assessment.contributions.filter(author=users[Role.CARER]).exists()
    account = BudgetAccount.objects.get(plan=plan)
    assert LedgerTransaction.objects.filter(account=account, kind="provider_payment").exists()
    broker = users[Role.BROKER]
    assert len(pool_candidates(hood.pk, access.caseload_people(broker))["relationships"]) == 3
    seed_demo(users)
    assert SupportPlan.objects.filter(person=users[Role.PERSON]).count() == 1
