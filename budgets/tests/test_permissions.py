"""Issue 14: budgets' role checks are named predicates (``budgets.access``) used by views and
services alike. This runs every role (and a superuser) against every budgets service that changes
data: who may, who is refused with :class:`budgets.access.NotAllowed`, and that a refusal writes
nothing.

Every actor below holds one role and has the people in the world the test builds on their
caseload (written directly, as a record, whatever the role), so what they may do comes from their
role alone. Practitioners (brokers and support planners, commissioners, administrators, and
superusers, who hold the administrator role) act for a person they reach; only brokers and
commissioners agree plans, open budget accounts and record or correct the council's money;
coordinators and administrators assign caseloads and enter charging figures. What only the person
may do (invite others, answer a pool) is refused to every actor.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from decimal import Decimal
from functools import cached_property
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.roles import Role
from budgets import access
from budgets import services as budgets_services
from budgets.models import (
    Assessment,
    BudgetAccount,
    CaseAssignment,
    IndicativeBudget,
    Invitation,
    LedgerTransaction,
    NationalChargingFigure,
    PlanLine,
    PlanOutcome,
    Pool,
    SupportPlan,
)
from budgets.services.accounts import open_account, post, reverse_transaction
from budgets.services.assessment import (
    add_contribution,
    calculate_budget,
    invite_account,
    invite_by_link,
    revoke_invitation,
    save_about_me,
    save_domain,
    start_assessment,
)
from budgets.services.caseloads import assign_caseload, break_glass, unassign_caseload
from budgets.services.charging import (
    confirm_national_figure,
    enter_national_figure,
    save_financial_assessment,
    save_local_figure,
)
from budgets.services.plans import (
    add_line,
    add_outcome,
    decide_plan,
    plan_totals,
    propose_plan,
    remove_line,
    remove_outcome,
    reopen_plan,
    set_neighbourhood,
    start_plan,
    use_budget,
)
from budgets.services.pools import cancel_pool, create_pool, resplit_pool, respond_to_pool
from budgets.services.reviews import complete_review
from budgets.tests import helpers
from directory.tests import factories as f
from timebank.models import Request

pytestmark = pytest.mark.django_db

ACTORS = [role.value for role in Role] + ["superuser"]
PRACTITIONERS = {
    Role.BROKER.value,
    Role.COMMISSIONER.value,
    Role.ADMINISTRATOR.value,
    "superuser",
}
APPROVERS = {Role.BROKER.value, Role.COMMISSIONER.value}
COORDINATING = {Role.COORDINATOR.value, Role.ADMINISTRATOR.value, "superuser"}
NOBODY: set[str] = set()

MONEY = {
    "setting": "home",
    "age": 68,
    "couple": False,
    "weekly_cost_of_care": "120.00",
    "incomes": {"state_pension": "230.25"},
}


def _budget_of(plan: SupportPlan) -> IndicativeBudget:
    assert plan.budget is not None  # the world's draft plan starts from the person's budget
    return plan.budget


def actor(name: str) -> User:
    if name == "superuser":
        return f.user(None, is_superuser=True, is_staff=True)
    return f.user(name)


class World:
    """People, their records and a broker who works with them. Each part is made on first use,
    so a case builds only what its service needs."""

    def __init__(self) -> None:
        self.broker = f.user(Role.BROKER, display_name="Bea")
        self.coordinator = f.user(Role.COORDINATOR, display_name="Cora")
        self.hood = f.neighbourhood("Millbrook")
        self.people: list[User] = []

    def person(self, name: str) -> User:
        made = f.user(Role.PERSON, display_name=name)
        helpers.assign(made, self.broker)
        self.people.append(made)
        return made

    def put_on_caseload_of(self, user: User) -> None:
        for person in self.people:
            if person.pk != user.pk:
                CaseAssignment.objects.get_or_create(person=person, practitioner=user)

    # An agreed plan with an open budget account (a direct payment), an open review and an
    # assessment with an invitation link.
    @cached_property
    def agreed(self) -> SupportPlan:
        return helpers.open_account(self.person("Pat"), self.broker).plan

    @cached_property
    def account(self) -> BudgetAccount:
        return self.agreed.account

    @cached_property
    def assessment(self) -> Assessment:
        assert self.agreed.assessment is not None
        return self.agreed.assessment

    @cached_property
    def invitation(self) -> Invitation:
        invitation, _token = invite_by_link(
            assessment=self.assessment, actor=self.agreed.person, name="Sam", relationship="family"
        )
        return invitation

    @cached_property
    def payment(self) -> LedgerTransaction:
        return post(
            account=self.account,
            actor=self.broker,
            kind="provider_payment",
            amount=Decimal("5.00"),
            effective=self.account.period_start,
            key="world-payment",
            payee="Craft club",
        ).transaction

    # A draft plan with a budget, an outcome and a line: the person is still writing it.
    @cached_property
    def draft(self) -> SupportPlan:
        person = self.person("Dee")
        helpers.budget_for(person)
        return start_plan(person=person, actor=person)

    @cached_property
    def draft_outcome(self) -> PlanOutcome:
        return add_outcome(
            plan=self.draft, actor=self.draft.person, text="Swim", wellbeing=["health"]
        )

    @cached_property
    def draft_line(self) -> PlanLine:
        return add_line(
            outcome=self.draft_outcome,
            actor=self.draft.person,
            kind="other",
            description="Swimming lessons",
            weekly_cost=Decimal("10.00"),
        )

    # A plan waiting for agreement.
    @cached_property
    def proposed(self) -> SupportPlan:
        self.draft_line  # noqa: B018 - the outcome needs a line before it is proposed
        propose_plan(plan=self.draft, actor=self.draft.person)
        self.draft.refresh_from_db()
        return self.draft

    # An agreed plan whose account is not open yet.
    @cached_property
    def agreed_without_account(self) -> SupportPlan:
        return helpers.agreed_plan(self.person("Ola"), self.broker)

    # Two people in one neighbourhood who agreed to be put in touch, and a pool between them.
    @cached_property
    def sharers(self) -> list[PlanOutcome]:
        outcomes = []
        for name in ("Sid", "Tess"):
            person = self.person(name)
            plan = start_plan(person=person, actor=person)
            set_neighbourhood(plan=plan, actor=person, neighbourhood=self.hood)
            outcomes.append(
                add_outcome(
                    plan=plan,
                    actor=person,
                    text="Swim with others",
                    wellbeing=["health"],
                    open_to_sharing=True,
                )
            )
        return outcomes

    @cached_property
    def pool(self) -> Pool:
        return create_pool(
            actor=self.broker,
            name="Swim",
            neighbourhood=self.hood,
            service=None,
            weekly_cost=Decimal("20.00"),
            members=[(outcome, 1) for outcome in self.sharers],
        )

    @cached_property
    def figure(self) -> NationalChargingFigure:
        return enter_national_figure(
            actor=self.coordinator,
            parameter="capital.upper_limit",
            value=Decimal("23250.00"),
            year="2027/28",
            applies_from=dt.date(2027, 4, 5),
            source="Circular",
        )

    @cached_property
    def stranger(self) -> User:
        """Someone on nobody's caseload."""
        return f.user(Role.PERSON, display_name="Stan")

    def prepare(self, needs: tuple[str, ...]) -> None:
        for name in needs:
            getattr(self, name)


Call = Callable[[World, User], Any]
SERVICES: dict[str, tuple[tuple[str, ...], Call, set[str]]] = {
    # --- assessment
    "start_assessment": (
        ("sharers",),
        lambda w, u: start_assessment(person=w.sharers[0].plan.person, actor=u),
        PRACTITIONERS,
    ),
    "save_domain": (
        ("assessment",),
        lambda w, u: save_domain(
            assessment=w.assessment,
            kind="practitioner",
            actor=u,
            domain_id="personal_care",
            answer="B",
            informal_support=None,
            free_text={},
        ),
        PRACTITIONERS,
    ),
    "save_about_me": (
        ("assessment",),
        lambda w, u: save_about_me(
            assessment=w.assessment, kind="practitioner", actor=u, carer=None, free_text={}
        ),
        PRACTITIONERS,
    ),
    "invite_account": (
        ("assessment",),
        lambda w, u: invite_account(
            assessment=w.assessment,
            actor=u,
            identifier=w.coordinator.username,
            relationship="friend",
        ),
        NOBODY,
    ),
    "invite_by_link": (
        ("assessment",),
        lambda w, u: invite_by_link(
            assessment=w.assessment, actor=u, name="Sam", relationship="family"
        ),
        NOBODY,
    ),
    "revoke_invitation": (
        ("invitation",),
        lambda w, u: revoke_invitation(invitation=w.invitation, actor=u),
        PRACTITIONERS,
    ),
    "add_contribution": (
        ("assessment",),
        lambda w, u: add_contribution(
            assessment=w.assessment, author=u, topic="about_me", text="She likes to swim."
        ),
        PRACTITIONERS,
    ),
    "calculate_budget": (
        ("assessment",),
        lambda w, u: calculate_budget(assessment=w.assessment, kind="person", actor=u),
        PRACTITIONERS,
    ),
    # --- charging
    "save_financial_assessment": (
        ("agreed",),
        lambda w, u: save_financial_assessment(
            person=w.agreed.person, actor=u, inputs=dict(MONEY), plan=w.agreed
        ),
        PRACTITIONERS,
    ),
    "save_local_figure": (
        (),
        lambda w, u: save_local_figure(
            actor=u,
            area="Test",
            parameter="local.dre_standard_allowance",
            value=Decimal("12.50"),
            year="2025/26",
            applies_from=dt.date(2025, 4, 6),
        ),
        COORDINATING,
    ),
    "enter_national_figure": (
        (),
        lambda w, u: enter_national_figure(
            actor=u,
            parameter="capital.upper_limit",
            value=Decimal("23250.00"),
            year="2027/28",
            applies_from=dt.date(2027, 4, 5),
            source="Circular",
        ),
        COORDINATING,
    ),
    "confirm_national_figure": (
        ("figure",),
        lambda w, u: confirm_national_figure(figure=w.figure, actor=u),
        COORDINATING,
    ),
    # --- support plans
    "start_plan": (
        ("sharers",),
        lambda w, u: start_plan(person=w.sharers[0].plan.person, actor=u),
        PRACTITIONERS,
    ),
    "use_budget": (
        ("draft",),
        lambda w, u: use_budget(plan=w.draft, budget=_budget_of(w.draft), actor=u),
        PRACTITIONERS,
    ),
    "set_neighbourhood": (
        ("draft",),
        lambda w, u: set_neighbourhood(plan=w.draft, actor=u, neighbourhood=w.hood),
        PRACTITIONERS,
    ),
    "add_outcome": (
        ("draft",),
        lambda w, u: add_outcome(plan=w.draft, actor=u, text="Cook", wellbeing=["home"]),
        PRACTITIONERS,
    ),
    "remove_outcome": (
        ("draft_outcome",),
        lambda w, u: remove_outcome(outcome=w.draft_outcome, actor=u),
        PRACTITIONERS,
    ),
    "add_line": (
        ("draft_outcome",),
        lambda w, u: add_line(
            outcome=w.draft_outcome,
            actor=u,
            kind="family",
            description="My sister drives me",
            minutes_per_week=60,
        ),
        PRACTITIONERS,
    ),
    "remove_line": (
        ("draft_line",),
        lambda w, u: remove_line(line=w.draft_line, actor=u),
        PRACTITIONERS,
    ),
    "propose_plan": (
        ("draft_line",),
        lambda w, u: propose_plan(plan=w.draft, actor=u),
        PRACTITIONERS,
    ),
    "decide_plan": (
        ("proposed",),
        lambda w, u: decide_plan(plan=w.proposed, actor=u, decision="approved"),
        APPROVERS,
    ),
    "reopen_plan": (("agreed",), lambda w, u: reopen_plan(plan=w.agreed, actor=u), PRACTITIONERS),
    # --- reviews
    "complete_review": (
        ("agreed",),
        lambda w, u: complete_review(
            plan=w.agreed, actor=u, result="working", notes="Going well.", next_in_months=6
        ),
        PRACTITIONERS,
    ),
    # --- pooling
    "create_pool": (
        ("sharers",),
        lambda w, u: create_pool(
            actor=u,
            name="Swim",
            neighbourhood=w.hood,
            service=None,
            weekly_cost=Decimal("20.00"),
            members=[(outcome, 1) for outcome in w.sharers],
        ),
        PRACTITIONERS,
    ),
    "resplit_pool": (
        ("pool",),
        lambda w, u: resplit_pool(
            pool=w.pool, actor=u, shares={m.pk: 2 for m in w.pool.members.all()}
        ),
        PRACTITIONERS,
    ),
    "cancel_pool": (("pool",), lambda w, u: cancel_pool(pool=w.pool, actor=u), PRACTITIONERS),
    "respond_to_pool": (
        ("pool",),
        lambda w, u: respond_to_pool(member=w.pool.members.all()[0], actor=u, agree=True),
        NOBODY,
    ),
    # --- budget accounts: the ledger
    "open_account": (
        ("agreed_without_account",),
        lambda w, u: open_account(
            plan=w.agreed_without_account,
            actor=u,
            kind=BudgetAccount.Kind.MANAGED,
            period_start=timezone.localdate(),
        ),
        APPROVERS,
    ),
    "post (allocation)": (
        ("account",),
        lambda w, u: post(
            account=w.account,
            actor=u,
            kind="allocation",
            amount=Decimal("10.00"),
            effective=w.account.period_start,
            key="table-allocation",
        ),
        APPROVERS,
    ),
    "post (provider payment)": (
        ("account",),
        lambda w, u: post(
            account=w.account,
            actor=u,
            kind="provider_payment",
            amount=Decimal("1.00"),
            effective=w.account.period_start,
            key="table-payment",
            payee="Craft club",
        ),
        PRACTITIONERS,
    ),
    "post (contribution)": (
        ("account",),
        lambda w, u: post(
            account=w.account,
            actor=u,
            kind="contribution",
            amount=Decimal("1.00"),
            effective=w.account.period_start,
            key="table-contribution",
        ),
        PRACTITIONERS,
    ),
    "post (refund)": (
        ("account",),
        lambda w, u: post(
            account=w.account,
            actor=u,
            kind="refund",
            amount=Decimal("1.00"),
            effective=w.account.period_start,
            key="table-refund",
            payee="Craft club",
        ),
        PRACTITIONERS,
    ),
    "reverse_transaction (allocation)": (
        ("account",),
        lambda w, u: reverse_transaction(
            account=w.account,
            actor=u,
            original_key=w.account.transactions.get(kind="allocation").key,
            reason="Allocated twice",
            key="table-reverse-allocation",
        ),
        APPROVERS,
    ),
    "reverse_transaction (payment)": (
        ("payment",),
        lambda w, u: reverse_transaction(
            account=w.account,
            actor=u,
            original_key=w.payment.key,
            reason="Paid in error",
            key="table-reverse-payment",
        ),
        PRACTITIONERS,
    ),
    # --- caseloads and break glass
    "assign_caseload": (
        ("stranger",),
        lambda w, u: assign_caseload(actor=u, person=w.stranger, practitioner=w.broker),
        COORDINATING,
    ),
    "unassign_caseload": (
        ("agreed",),
        lambda w, u: unassign_caseload(
            actor=u,
            assignment=CaseAssignment.objects.get(person=w.agreed.person, practitioner=w.broker),
        ),
        COORDINATING,
    ),
    "break_glass": (
        ("stranger",),
        lambda w, u: break_glass(
            actor=u, person=w.stranger, reason="A safeguarding call about them came in."
        ),
        PRACTITIONERS,
    ),
}

NO_ROLE_CHECK = {
    "accept_invitation": "whoever holds the one-time link accepts it for themselves",
}
"""Public functions of ``budgets.services`` that write but do not depend on the actor's role."""

READS = {
    "account_balance_pence",
    "answers_for_rules",
    "check_in_period",
    "check_local_figure",
    "check_money",
    "find_user",
    "long_date",
    "months_later",
    "open_review",
    "plan_snapshot",
    "plan_totals",
    "pounds",
    "provider_ledger",
    "split_cost",
    "time_bank_minutes_received",
    "to_rules",
    "valid_key",
}


def _public_functions() -> set[str]:
    return {
        name
        for name in budgets_services.__all__
        if inspect.isfunction(getattr(budgets_services, name))
    }


def test_every_public_service_function_is_in_the_table_or_explained() -> None:
    table = {name.split(" ")[0] for name in SERVICES}
    unclassified = _public_functions() - table - set(NO_ROLE_CHECK) - READS
    assert not unclassified, f"add these to the role table (or explain them): {unclassified}"
    assert not (table | set(NO_ROLE_CHECK) | READS) - _public_functions()


def _written() -> dict[str, list[Any]]:
    """Every row of every budgets table, the audit trail and the time bank's requests."""
    state: dict[str, list[Any]] = {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_app_config("budgets").get_models()
    }
    state["audit"] = list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True))
    state["timebank requests"] = list(Request.objects.order_by("pk").values_list("pk", flat=True))
    return state


@pytest.mark.parametrize("role", ACTORS)
@pytest.mark.parametrize("service", list(SERVICES))
def test_every_role_against_every_service_that_changes_data(service: str, role: str) -> None:
    world = World()
    needs, call, allowed = SERVICES[service]
    world.prepare(needs)
    user = actor(role)
    world.put_on_caseload_of(user)
    if role in allowed:
        call(world, user)  # no refusal
        return
    before = _written()
    with pytest.raises(access.NotAllowed) as refused:
        call(world, user)
    assert str(refused.value).endswith(".")  # a sentence to show the person
    assert _written() == before


ROLE_PREDICATES: dict[str, tuple[Callable[[User], bool], set[str]]] = {
    "is_practitioner": (access.is_practitioner, PRACTITIONERS),
    "is_approver": (access.is_approver, APPROVERS),
    "can_assign_caseloads": (access.can_assign_caseloads, COORDINATING),
    "can_enter_charging_figures": (access.can_enter_charging_figures, COORDINATING),
}


@pytest.mark.parametrize("role", ACTORS)
@pytest.mark.parametrize("predicate", list(ROLE_PREDICATES))
def test_the_role_predicates_are_the_roles_named(predicate: str, role: str) -> None:
    check, holders = ROLE_PREDICATES[predicate]
    assert check(actor(role)) is (role in holders)


def _council_pays_nothing(plan: SupportPlan) -> SupportPlan:
    """The person's charge covers the whole budget, so opening the account allocates nothing."""
    assert plan.budget is not None
    save_financial_assessment(
        person=plan.person,
        actor=plan.person,
        inputs={
            "setting": "home",
            "age": 70,
            "couple": False,
            "reached_pension_credit_age": True,
            "weekly_cost_of_care": str(plan.budget.weekly),
            "incomes": {"occupational_pension": "2000.00"},
        },
        plan=plan,
    )
    plan.refresh_from_db()
    assert plan_totals(plan).council_weekly == 0
    return plan


def test_a_broker_outside_the_caseload_cannot_open_an_account() -> None:
    """Opening an account needs the person on the approver's caseload, in the service as well as
    on the page, even when the council pays nothing in (no allocation whose own check would
    refuse it)."""
    world = World()
    plan = _council_pays_nothing(world.agreed_without_account)
    outsider = f.user(Role.BROKER)
    before = _written()
    with pytest.raises(access.NotAllowed):
        open_account(
            plan=plan,
            actor=outsider,
            kind=BudgetAccount.Kind.MANAGED,
            period_start=timezone.localdate(),
        )
    assert _written() == before
    # Once the person is on their caseload, the same call opens the account.
    helpers.assign(plan.person, outsider)
    assert open_account(
        plan=plan,
        actor=outsider,
        kind=BudgetAccount.Kind.MANAGED,
        period_start=timezone.localdate(),
    ).pk


def test_nobody_opens_their_own_budget_account() -> None:
    world = World()
    broker_person = f.user(Role.BROKER)
    plan = _council_pays_nothing(helpers.agreed_plan(broker_person, world.broker))
    helpers.assign(broker_person, broker_person)  # even were they on their own caseload
    with pytest.raises(access.NotAllowed):
        open_account(
            plan=plan,
            actor=broker_person,
            kind=BudgetAccount.Kind.MANAGED,
            period_start=timezone.localdate(),
        )
    assert not BudgetAccount.objects.filter(plan=plan).exists()


def test_views_and_services_share_the_predicates() -> None:
    """No role is named outside ``budgets.access``: views, forms, the admin and every service
    module ask its predicates."""
    import budgets.admin
    import budgets.forms
    import budgets.views
    from budgets.services import (
        _common,
        accounts,
        assessment,
        caseloads,
        charging,
        plans,
        pools,
        reviews,
    )

    for module in (
        budgets.views,
        budgets.forms,
        budgets.admin,
        _common,
        accounts,
        assessment,
        caseloads,
        charging,
        plans,
        pools,
        reviews,
    ):
        source = inspect.getsource(module)
        assert "has_role(" not in source and "Role." not in source, module.__name__
