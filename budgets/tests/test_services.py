"""Services: each use case's rules, refusals and audit records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import AuditEvent, User
from accounts.roles import Role
from budgets.access import NotAllowed
from budgets.models import (
    IndicativeBudget,
    Invitation,
    LedgerPosting,
    LedgerTransaction,
    LocalChargingFigure,
    PlanDecision,
    PlanLine,
    SupportPlan,
)
from budgets.services._common import BudgetsError, _today
from budgets.services.accounts import account_balance_pence, post, reverse_transaction, to_rules
from budgets.services.assessment import (
    accept_invitation,
    add_contribution,
    calculate_budget,
    invite_account,
    invite_by_link,
    revoke_invitation,
    start_assessment,
)
from budgets.services.charging import save_local_figure
from budgets.services.plans import (
    add_line,
    add_outcome,
    decide_plan,
    plan_totals,
    propose_plan,
    reopen_plan,
    set_neighbourhood,
    start_plan,
)
from budgets.services.pools import create_pool, respond_to_pool, split_cost
from budgets.services.reviews import complete_review, months_later, open_review
from budgets.tests import helpers
from directory.tests import factories as f
from rules import ledger
from rules.ras import indicative_budget_for_version

db = pytest.mark.django_db


# --- assessment and budget -----------------------------------------------------------------------


@db
def test_budget_records_version_and_never_moves() -> None:
    person = f.user(Role.PERSON)
    budget = helpers.budget_for(person)
    assert budget.version_id.startswith("illustrative-ras-")
    again = indicative_budget_for_version(budget.version_id, budget.answers)
    assert again.weekly == budget.weekly
    # v1 and v2 price points differently; a budget computed under v1 keeps the v1 figure.
    v1 = indicative_budget_for_version("illustrative-ras-v1", budget.answers)
    assert v1.weekly == Decimal("88.00")  # 32 points x £2.75


@db
def test_budget_needs_every_question() -> None:
    person = f.user(Role.PERSON)
    assessment = start_assessment(person=person, actor=person)
    with pytest.raises(BudgetsError, match="Still to do"):
        calculate_budget(assessment=assessment, kind="person", actor=person)


@db
def test_practitioner_answers_are_kept_beside_the_persons_and_compared() -> None:
    from budgets import selectors

    person, broker = f.user(Role.PERSON), f.user(Role.BROKER)
    helpers.assign(person, broker)
    assessment = start_assessment(person=person, actor=person)
    helpers.complete_answers(assessment, person)
    different = dict(helpers.ANSWERS, personal_care="D")
    helpers.complete_answers(assessment, broker, kind="practitioner", answers=different)
    with pytest.raises(NotAllowed):
        helpers.complete_answers(assessment, person, kind="practitioner")
    found = selectors.differences(assessment)
    assert found is not None
    assert [d.question_id for d in found] == ["personal_care"]
    assert found[0].points_difference == 10
    assert assessment.answer_sets.count() == 2


@db
def test_invitation_link_is_single_use_and_expires() -> None:
    person, friend, other = (f.user(Role.PERSON) for _ in range(3))
    assessment = start_assessment(person=person, actor=person)
    invitation, token = invite_by_link(
        assessment=assessment, actor=person, name="Sam", relationship="friend"
    )
    assert invitation.token_hash != token  # only the hash is stored
    with pytest.raises(BudgetsError, match="own invitation"):
        accept_invitation(token=token, user=person)
    accept_invitation(token=token, user=friend)
    with pytest.raises(BudgetsError, match="already been used"):
        accept_invitation(token=token, user=other)
    _, late = invite_by_link(assessment=assessment, actor=person, name="Jo", relationship="family")
    Invitation.objects.filter(name="Jo").update(expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(BudgetsError, match="expired"):
        accept_invitation(token=late, user=other)
    add_contribution(assessment=assessment, author=friend, topic="about_me", text="Kind")
    revoke_invitation(invitation=invitation, actor=person)
    with pytest.raises(NotAllowed):
        add_contribution(assessment=assessment, author=friend, topic="about_me", text="x")


@db
def test_invite_existing_account_by_email() -> None:
    person = f.user(Role.PERSON)
    sister = f.user(Role.CARER, email="ana@example.org")
    assessment = start_assessment(person=person, actor=person)
    made = invite_account(
        assessment=assessment, actor=person, identifier="ANA@example.org", relationship="family"
    )
    assert made.invitee == sister
    with pytest.raises(BudgetsError):
        invite_account(
            assessment=assessment, actor=person, identifier="nobody", relationship="family"
        )


# --- plans ---------------------------------------------------------------------------------------


def _plan_with_cost(person: User, weekly: str) -> SupportPlan:
    helpers.budget_for(person)
    plan = start_plan(person=person, actor=person)
    outcome = add_outcome(plan=plan, actor=person, text="Out", wellbeing=["health"])
    add_line(
        outcome=outcome,
        actor=person,
        kind="other",
        description="Support",
        weekly_cost=Decimal(weekly),
    )
    return plan


@db
def test_over_budget_plan_needs_top_up_or_reason() -> None:
    person, broker = f.user(Role.PERSON), f.user(Role.BROKER)
    helpers.assign(person, broker)
    plan = _plan_with_cost(person, "500.00")
    with pytest.raises(BudgetsError, match="more than your budget"):
        propose_plan(plan=plan, actor=person)
    assert plan.budget is not None
    over = Decimal("500.00") - plan.budget.weekly
    with pytest.raises(BudgetsError):
        propose_plan(plan=plan, actor=person, top_up_weekly=over - Decimal("0.01"))
    propose_plan(plan=plan, actor=person, top_up_weekly=over)
    decide_plan(plan=plan, actor=broker, decision="approved")
    plan.refresh_from_db()
    assert plan.status == SupportPlan.Status.APPROVED


@db
def test_reason_instead_of_top_up() -> None:
    person = f.user(Role.PERSON)
    plan = _plan_with_cost(person, "500.00")
    propose_plan(plan=plan, actor=person, over_budget_reason="Night care is needed")
    assert SupportPlan.objects.get(pk=plan.pk).status == "proposed"


@db
def test_change_request_needs_a_reason_in_the_database_too() -> None:
    person, broker = f.user(Role.PERSON), f.user(Role.BROKER)
    helpers.assign(person, broker)
    plan = _plan_with_cost(person, "10.00")
    version = propose_plan(plan=plan, actor=person)
    with pytest.raises(BudgetsError, match="Explain"):
        decide_plan(plan=plan, actor=broker, decision="changes_requested", reason=" ")
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanDecision.objects.create(plan=plan, version=version, decision="changes_requested")


@db
def test_nobody_approves_their_own_plan_and_people_cannot_approve() -> None:
    broker = f.user(Role.BROKER)
    plan = _plan_with_cost(broker, "10.00")
    propose_plan(plan=plan, actor=broker)
    with pytest.raises(NotAllowed):
        decide_plan(plan=plan, actor=broker, decision="approved")
    with pytest.raises(NotAllowed):
        decide_plan(plan=plan, actor=f.user(Role.PERSON), decision="approved")
    commissioner = f.user(Role.COMMISSIONER)
    helpers.assign(broker, commissioner)
    decide_plan(plan=plan, actor=commissioner, decision="approved")


@db
def test_versions_are_kept_and_an_agreed_budget_is_marked() -> None:
    person, broker = f.user(Role.PERSON), f.user(Role.BROKER)
    plan = helpers.agreed_plan(person, broker)
    assert plan.budget_id is not None
    assert IndicativeBudget.objects.get(pk=plan.budget_id).agreed_at is not None
    reopen_plan(plan=plan, actor=person)
    with pytest.raises(BudgetsError, match="not waiting"):
        decide_plan(plan=plan, actor=broker, decision="approved")
    assert [v.event for v in plan.versions.all()] == ["proposed", "approved"]
    first = plan.versions.first()
    assert first is not None
    assert first.snapshot["outcomes"][0]["text"] == "Get out to the craft club"


@db
def test_plan_writes_are_audited() -> None:
    person = f.user(Role.PERSON)
    _plan_with_cost(person, "10.00")
    summaries = list(AuditEvent.objects.filter(subject=person).values_list("summary", flat=True))
    assert "Started a support plan" in summaries
    assert any(s.startswith("Added to the plan") for s in summaries)


@db
def test_service_line_cost_is_price_times_frequency() -> None:
    person = f.user(Role.PERSON)
    helpers.budget_for(person)
    plan = start_plan(person=person, actor=person)
    outcome = add_outcome(plan=plan, actor=person, text="x", wellbeing=["health"])
    line = add_line(
        outcome=outcome,
        actor=person,
        kind="service",
        description="",
        service=f.service(cost="4.50"),
        unit_cost=Decimal("4.50"),
        units_per_week=Decimal("0.5"),
    )
    assert line.weekly_cost == Decimal("2.25")
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanLine.objects.create(plan=plan, outcome=outcome, kind="service", description="x")


# --- pooling -------------------------------------------------------------------------------------


@given(
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999"), places=2),
    st.lists(st.integers(min_value=1, max_value=20), min_size=1, max_size=8),
)
def test_split_cost_adds_up_exactly(total: Decimal, shares: list[int]) -> None:
    parts = split_cost(total, shares)
    assert sum(parts) == total
    exact = [total * s / sum(shares) for s in shares]
    assert all(abs(p - e) < Decimal("0.01") for p, e in zip(parts, exact, strict=True))


@db
def test_pool_needs_consent_and_everyone_agreeing() -> None:
    hood = f.neighbourhood("Millbrook")
    broker = f.user(Role.BROKER)
    outcomes = []
    for _ in range(3):
        person = f.user(Role.PERSON)
        helpers.assign(person, broker)
        helpers.budget_for(person)
        plan = start_plan(person=person, actor=person)
        set_neighbourhood(plan=plan, actor=person, neighbourhood=hood)
        outcomes.append(
            add_outcome(
                plan=plan, actor=person, text="Swim", wellbeing=["health"], open_to_sharing=True
            )
        )
    from budgets import access, selectors

    assert len(selectors.pool_candidates(hood.pk, access.caseload_people(broker))["health"]) == 3
    outcomes[2].open_to_sharing = False
    outcomes[2].save()
    with pytest.raises(BudgetsError, match="agreed"):
        create_pool(
            actor=broker,
            name="Swim",
            neighbourhood=hood,
            service=None,
            weekly_cost=Decimal("100"),
            members=[(o, 1) for o in outcomes],
        )
    pool = create_pool(
        actor=broker,
        name="Swim",
        neighbourhood=hood,
        service=None,
        weekly_cost=Decimal("100"),
        members=[(outcomes[0], 2), (outcomes[1], 1)],
    )
    first, second = pool.members.order_by("id")
    assert (first.weekly_cost, second.weekly_cost) == (Decimal("66.67"), Decimal("33.33"))
    with pytest.raises(NotAllowed):
        respond_to_pool(member=first, actor=broker, agree=True)
    respond_to_pool(member=first, actor=outcomes[0].plan.person, agree=True)
    assert not PlanLine.objects.filter(kind="pool").exists()
    respond_to_pool(member=second, actor=outcomes[1].plan.person, agree=True)
    assert PlanLine.objects.filter(kind="pool").count() == 2


# --- charging ------------------------------------------------------------------------------------


@db
def test_local_figures_only_more_generous_and_passed_to_the_calculator() -> None:
    admin = f.user(Role.ADMINISTRATOR)
    with pytest.raises(BudgetsError, match="rejected"):
        save_local_figure(
            actor=admin,
            area="Test",
            parameter="capital.upper_limit",
            value=Decimal("20000"),
            year="2025/26",
            applies_from=dt.date(2025, 4, 6),
        )
    save_local_figure(
        actor=admin,
        area="Test",
        parameter="local.dre_standard_allowance",
        value=Decimal("25.00"),
        year="2025/26",
        applies_from=dt.date(2025, 4, 6),
    )
    assert LocalChargingFigure.objects.count() == 1
    from budgets import charging

    data = {
        "setting": "home",
        "age": 70,
        "couple": False,
        "weekly_cost_of_care": "300.00",
        "incomes": {"state_pension": "230.25", "attendance_allowance_higher": "110.40"},
    }
    plain = charging.calculate(data, dt.date(2025, 6, 2), area="Nowhere")
    local = charging.calculate(data, dt.date(2025, 6, 2), area="Test")
    assert local.result.weekly_charge == plain.result.weekly_charge - Decimal("25.00")


def test_calculator_falls_back_to_the_last_known_year_and_says_so() -> None:
    from budgets import charging

    data = {"setting": "home", "age": 70, "couple": False, "weekly_cost_of_care": "200.00"}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(charging, "local_overrides", lambda area=None: {})
        patch.setattr(charging, "national_figures", lambda on=None: {})
        outcome = charging.calculate(data, dt.date(2026, 11, 23))
    assert outcome.rates_date == dt.date(2026, 4, 5)
    assert outcome.provisional
    assert "2025/26" in outcome.notes[0]


# --- ledger --------------------------------------------------------------------------------------


@db
def test_account_opens_with_allocation_and_balances() -> None:
    account = helpers.open_account()
    council = plan_totals(account.plan).council_weekly * 4
    assert account_balance_pence(account) == int(council * 100)
    txns = [to_rules(t) for t in LedgerTransaction.objects.prefetch_related("postings")]
    assert ledger.check_ledger(txns) == []


@db
def test_payment_is_idempotent_and_cannot_overdraw() -> None:
    account = helpers.open_account()
    person = account.person
    kwargs: dict[str, Any] = {
        "account": account,
        "actor": person,
        "kind": "provider_payment",
        "payee": "Craft CIC",
        "amount": Decimal("10.00"),
        "effective": dt.date(2026, 4, 10),
        "key": "pay-1",
    }
    first = post(**kwargs)
    second = post(**kwargs)
    assert first.created and not second.created
    assert first.transaction.pk == second.transaction.pk
    with pytest.raises(BudgetsError, match="something different"):
        post(**{**kwargs, "amount": Decimal("11.00")})
    balance = account_balance_pence(account)
    with pytest.raises(BudgetsError, match="not enough money"):
        post(**{**kwargs, "key": "pay-2", "amount": Decimal(balance + 1) / 100})


@db
def test_person_cannot_allocate_and_managed_account_is_run_by_practitioners() -> None:
    account = helpers.open_account()
    with pytest.raises(NotAllowed):
        post(
            account=account,
            actor=account.person,
            kind="allocation",
            amount=Decimal("5"),
            effective=dt.date(2026, 4, 6),
            key="x",
        )
    with pytest.raises(NotAllowed):
        post(
            account=account,
            actor=f.user(Role.PERSON),
            kind="contribution",
            amount=Decimal("5"),
            effective=dt.date(2026, 4, 6),
            key="y",
        )


@db
def test_reversal_undoes_once_and_the_ledger_is_append_only() -> None:
    account = helpers.open_account()
    paid = post(
        account=account,
        actor=account.person,
        kind="provider_payment",
        payee="Craft",
        amount=Decimal("5.00"),
        effective=dt.date(2026, 4, 8),
        key="p",
    ).transaction
    before = account_balance_pence(account)
    reverse_transaction(
        account=account, actor=account.person, original_key="p", reason="Wrong", key="r1"
    )
    assert account_balance_pence(account) == before + 500
    again = reverse_transaction(
        account=account, actor=account.person, original_key="p", reason="Wrong", key="r1"
    )
    assert not again.created
    with pytest.raises(BudgetsError, match="already been reversed"):
        reverse_transaction(
            account=account, actor=account.person, original_key="p", reason="x", key="r2"
        )
    with pytest.raises(TypeError):
        paid.memo = "changed"
        paid.save()
    with pytest.raises(TypeError):
        LedgerPosting.objects.all().delete()
    with pytest.raises(TypeError):
        LedgerTransaction.objects.filter(pk=paid.pk).update(memo="x")


@db
def test_statement_csv_and_projection() -> None:
    from budgets import selectors

    account = helpers.open_account()
    post(
        account=account,
        actor=account.person,
        kind="provider_payment",
        payee="=cmd|x",
        amount=Decimal("10.00"),
        effective=dt.date(2026, 4, 8),
        key="p",
    )
    csv = selectors.statement_csv(account, dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    assert "'=cmd|x" in csv  # no spreadsheet formulas
    assert "closing balance" in csv
    projection = selectors.projection(account, dt.date(2026, 4, 8))
    assert projection.status in set(ledger.SpendStatus)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2027, 11, 30), 3, dt.date(2028, 2, 29)),
        (dt.date(2026, 8, 31), 6, dt.date(2027, 2, 28)),
        (dt.date(2026, 11, 23), 12, dt.date(2027, 11, 23)),
        (dt.date(2026, 12, 15), 3, dt.date(2027, 3, 15)),
    ],
)
def test_next_review_is_the_same_day_months_later_or_the_month_end(
    day: dt.date, months: int, expected: dt.date
) -> None:
    assert months_later(day, months) == expected


@db
def test_a_review_is_recorded_once_per_open_review_and_sets_the_next() -> None:
    person, broker = f.user(Role.PERSON), f.user(Role.BROKER)
    plan = helpers.agreed_plan(person, broker)
    first = open_review(plan)
    assert first is not None and first.due_on == _today() + dt.timedelta(weeks=8)
    with pytest.raises(BudgetsError) as bad:
        complete_review(plan=plan, actor=broker, result="working", notes="Fine", next_in_months=7)
    assert bad.value.field == "next_in_months"
    with pytest.raises(BudgetsError):
        complete_review(plan=plan, actor=broker, result="working", notes="  ", next_in_months=6)
    with pytest.raises(NotAllowed):
        complete_review(
            plan=plan, actor=f.user(Role.PERSON), result="working", notes="x", next_in_months=6
        )
    done = complete_review(
        plan=plan,
        actor=broker,
        result="change",
        notes="The craft club moved to Sundays.",
        took_part="The person and their broker",
        next_in_months=6,
    )
    done.refresh_from_db()
    assert (done.done_on, done.result, done.reviewed_by) == (_today(), "change", broker)
    following = open_review(plan)
    assert following is not None and following.pk != done.pk
    assert following.due_on == months_later(_today(), 6)
    event = AuditEvent.objects.filter(subject=person, summary__startswith="Reviewed").get()
    assert "Some of the support needs to change" in event.summary
    # a plan being changed is not reviewed until it is agreed again
    reopen_plan(plan=plan, actor=person)
    plan.refresh_from_db()
    assert open_review(plan) is None
    with pytest.raises(BudgetsError):
        complete_review(plan=plan, actor=broker, result="working", notes="x", next_in_months=6)
