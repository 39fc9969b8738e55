"""Issue 19, pools: a decline notifies everyone and leaves "Agreeing shares"; the broker re-splits
or cancels; shares that push someone over budget need a reason; accounts pay their pool line."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from accounts.models import AuditEvent, User
from accounts.roles import Role
from budgets.access import NotAllowed
from budgets.models import BudgetAccount, LedgerTransaction, PlanLine, PlanOutcome, Pool
from budgets.services._common import BudgetsError
from budgets.services.accounts import open_account
from budgets.services.plans import plan_totals
from budgets.services.pools import cancel_pool, create_pool, resplit_pool, respond_to_pool
from budgets.tests import helpers
from directory.tests import factories as f

pytestmark = pytest.mark.django_db


def _pool_of_two(
    weekly: str = "20.00", with_accounts: bool = False
) -> tuple[User, Pool, list[PlanOutcome]]:
    hood = f.neighbourhood("Millbrook")
    broker = f.user(Role.BROKER)
    outcomes = []
    for _ in range(2):
        person = f.user(Role.PERSON)
        plan = helpers.agreed_plan(person, broker)
        if with_accounts:
            open_account(
                plan=plan,
                actor=broker,
                kind=BudgetAccount.Kind.DIRECT_PAYMENT,
                period_start=dt.date(2026, 4, 6),
            )
        plan.neighbourhood = hood
        plan.save()
        outcome = plan.outcomes.first()
        assert outcome is not None
        outcome.open_to_sharing = True
        outcome.save()
        outcomes.append(outcome)
    pool = create_pool(
        actor=broker,
        name="Swim",
        neighbourhood=hood,
        service=None,
        weekly_cost=Decimal(weekly),
        members=[(o, 1) for o in outcomes],
    )
    return broker, pool, outcomes


def test_a_decline_notifies_everyone_and_leaves_agreeing_shares(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    broker, pool, outcomes = _pool_of_two()
    first, second = pool.members.order_by("id")
    respond_to_pool(member=first, actor=outcomes[0].plan.person, agree=True)
    with django_capture_on_commit_callbacks(execute=True):
        respond_to_pool(member=second, actor=outcomes[1].plan.person, agree=False)
    pool.refresh_from_db()
    assert pool.status == Pool.Status.DECLINED
    assert pool.get_status_display() != "Agreeing shares"
    sent = {address for message in mail.outbox for address in message.to}
    assert {broker.email, outcomes[0].plan.person.email, outcomes[1].plan.person.email} <= sent
    first.refresh_from_db()
    assert first.agreed_at is None  # that split is superseded
    with pytest.raises(BudgetsError):
        respond_to_pool(member=first, actor=outcomes[0].plan.person, agree=True)


def test_the_person_who_agreed_no_longer_sees_you_agreed(client: Client) -> None:
    _broker, pool, outcomes = _pool_of_two()
    first, second = pool.members.order_by("id")
    respond_to_pool(member=first, actor=outcomes[0].plan.person, agree=True)
    respond_to_pool(member=second, actor=outcomes[1].plan.person, agree=False)
    client.force_login(outcomes[0].plan.person)
    body = client.get(reverse("budgets:pool", args=[pool.pk])).content.decode()
    assert ">Agreed<" not in body
    assert "I agree to my share" not in body
    assert "re-split or cancel" in body


def test_the_broker_resplits_then_everyone_agrees_and_pays(client: Client) -> None:
    broker, pool, outcomes = _pool_of_two(with_accounts=True)
    first, second = pool.members.order_by("id")
    respond_to_pool(member=second, actor=outcomes[1].plan.person, agree=False)
    with pytest.raises(NotAllowed):
        resplit_pool(pool=pool, actor=outcomes[0].plan.person, shares={first.pk: 3, second.pk: 1})
    client.force_login(broker)
    url = reverse("budgets:pool", args=[pool.pk])
    response = client.post(
        url,
        {
            "action": "resplit",
            "weekly_cost": "20.00",
            f"share_{first.pk}": "3",
            f"share_{second.pk}": "1",
            "over_budget_reason": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    pool.refresh_from_db()
    assert pool.status == Pool.Status.FORMING
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.weekly_cost, second.weekly_cost) == (Decimal("15.00"), Decimal("5.00"))
    respond_to_pool(member=first, actor=outcomes[0].plan.person, agree=True)
    respond_to_pool(member=second, actor=outcomes[1].plan.person, agree=True)
    pool.refresh_from_db()
    assert pool.status == Pool.Status.AGREED
    for outcome, member in ((outcomes[0], first), (outcomes[1], second)):
        person = outcome.plan.person
        account = BudgetAccount.objects.get(person=person)
        client.force_login(person)
        page = client.get(reverse("budgets:account", args=[account.pk])).content.decode()
        assert f"pool-line-{PlanLine.objects.get(pool_member=member).pk}" in page
        assert "Pay this week&#x27;s share" in page or "Pay this week's share" in page
        line = PlanLine.objects.get(pool_member=member)
        paid = client.post(
            reverse("budgets:account", args=[account.pk]),
            {
                "kind": "provider_payment",
                "payee": "Swim",
                "amount": str(member.weekly_cost),
                "effective": timezone.localdate().isoformat(),
                "memo": "Share of the pool 'Swim'",
                "key": f"pool-{line.pk}",
            },
        )
        assert paid.status_code == 302
        assert LedgerTransaction.objects.filter(account=account, payee="Swim").exists()


def test_the_broker_cancels_and_everyone_hears(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    broker, pool, outcomes = _pool_of_two()
    second = pool.members.order_by("id").last()
    assert second is not None
    respond_to_pool(member=second, actor=outcomes[1].plan.person, agree=False)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_pool(pool=pool, actor=broker)
    pool.refresh_from_db()
    assert pool.status == Pool.Status.CANCELLED
    assert any("cancelled" in m.subject.lower() for m in mail.outbox)
    assert not PlanLine.objects.filter(kind="pool").exists()


def test_shares_over_budget_need_a_reason_which_is_shown(client: Client) -> None:
    # Each agreed plan spends £40 of its budget; a share that takes a plan past its budget
    # needs a reason; a share that leaves a penny to spare does not.
    broker, pool, outcomes = _pool_of_two()
    plan = outcomes[0].plan
    totals = plan_totals(plan)
    assert totals.budget_weekly is not None
    room = totals.budget_weekly - totals.paid_weekly
    first, second = pool.members.order_by("id")
    with pytest.raises(BudgetsError, match="over") as caught:
        resplit_pool(
            pool=pool,
            actor=broker,
            shares={first.pk: 1, second.pk: 1},
            weekly_cost=(room + Decimal("0.01")) * 2,
        )
    assert caught.value.field == "over_budget_reason"
    resplit_pool(pool=pool, actor=broker, shares={first.pk: 1, second.pk: 1}, weekly_cost=room * 2)
    resplit_pool(
        pool=pool,
        actor=broker,
        shares={first.pk: 1, second.pk: 1},
        weekly_cost=(room + Decimal("0.01")) * 2,
        over_budget_reason="Top-up agreed with the family",
    )
    first.refresh_from_db()
    assert first.over_budget_reason == "Top-up agreed with the family"
    assert AuditEvent.objects.filter(summary__contains="Top-up agreed with the family").exists()
    client.force_login(outcomes[0].plan.person)
    body = client.get(reverse("budgets:pool", args=[pool.pk])).content.decode()
    assert "Top-up agreed with the family" in body
