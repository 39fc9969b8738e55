"""Demo content for self-directed support, called by the demo command as
``seed_demo(users_by_role)`` after the demo area (directory) and demo users exist.

It makes, through the same services the pages use (so everything is audited and consistent):

- the demo person's self-assessment, with the demo carer invited as family and adding their own
  words, and the demo support planner's answers beside the person's (one difference to compare);
- an indicative budget and a (provisional) financial assessment;
- a support plan buying the demo area's Saturday activity from the directory, time bank hours and
  help from family, agreed after one change request, with a direct payment account that has had
  an allocation, a contribution and two payments;
- the area's own, more generous disability-related expenses allowance (a local charging figure);
- two fictional neighbours (no sign-in) whose plans share an outcome with the demo person in the same
  neighbourhood and who agreed to be put in touch, so the broker's pooling page has something to show.

Running it again changes nothing once the demo person has a plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.services import grant_role
from budgets import access, charging
from budgets.models import (
    Assessment,
    BudgetAccount,
    CaseAssignment,
    CaseTeam,
    LocalChargingFigure,
    SupportPlan,
)
from budgets.services._common import BudgetsError
from budgets.services.accounts import open_account, post
from budgets.services.assessment import (
    add_contribution,
    calculate_budget,
    invite_account,
    save_about_me,
    save_domain,
    start_assessment,
)
from budgets.services.caseloads import assign_caseload
from budgets.services.charging import save_financial_assessment, save_local_figure
from budgets.services.plans import (
    add_line,
    add_outcome,
    decide_plan,
    plan_totals,
    propose_plan,
    set_neighbourhood,
    start_plan,
)
from directory import selectors as directory
from rules.ras import load_version

PERSON_ANSWERS = {
    "personal_care": "B",
    "eating_and_drinking": "B",
    "home_and_mobility": "B",
    "relationships_and_community": "C",
    "work_learning_volunteering": "B",
    "caring_for_others": "A",
    "staying_safe": "B",
    "decisions_and_control": "B",
}
PRACTITIONER_ANSWERS = PERSON_ANSWERS | {"personal_care": "C"}
OWN_WORDS = {
    "personal_care": "I can wash, but I need someone there in case I fall in the shower.",
    "relationships_and_community": "Since my wife died I hardly leave the house. "
    "I used to love woodwork.",
}
MONEY = {
    "setting": "home",
    "age": 68,
    "couple": False,
    "weekly_cost_of_care": "120.00",
    "incomes": {"state_pension": "230.25", "attendance_allowance_lower": "73.90"},
    "capital": [{"kind": "savings", "value": "9000.00", "description": "Savings"}],
}


def _answer(assessment: Assessment, actor: User, kind: str, answers: dict[str, str]) -> None:
    config = load_version(assessment.version_id)
    for domain in config.domains:
        save_domain(
            assessment=assessment,
            kind=kind,
            actor=actor,
            domain_id=domain.id,
            answer=answers[domain.id],
            informal_support="some" if domain.id == "eating_and_drinking" else None,
            free_text={"in_my_own_words": OWN_WORDS.get(domain.id, "")},
        )
    save_about_me(
        assessment=assessment,
        kind=kind,
        actor=actor,
        carer="ok",
        free_text={
            "what_i_can_offer": "I was a joiner for forty years and can teach woodwork.",
            "who_supports_me": "My daughter Chris visits on Sundays and does my shopping.",
        },
    )


def _service() -> object | None:
    """The demo area's Saturday activity if it is there, else any priced public service."""
    try:
        from directory.demo_area import SATURDAY_SERVICE_NAME
    except ImportError:  # pragma: no cover - the directory demo is optional
        SATURDAY_SERVICE_NAME = ""
    found = directory.public_services().filter(name=SATURDAY_SERVICE_NAME).first()
    if found is None:
        found = directory.public_services().filter(cost_options__amount__gt=0).first()
    return directory.service_for_page(found.pk) if found is not None else None


def _neighbour(username: str, name: str) -> User:
    user, made = User.objects.get_or_create(
        username=username,
        defaults={"display_name": name, "email": f"{username}@example.org"},
    )
    if made:
        user.set_unusable_password()
        user.save()
        grant_role(user, Role.PERSON)
    return user


def _caseload_for(users_by_role: Mapping[str, User], person: User) -> None:
    """Put the person on the demo broker's and commissioner's caseloads (practitioners open only
    their caseload's records), assigned by the demo coordinator or administrator."""
    assigner = users_by_role.get(Role.COORDINATOR) or users_by_role.get(Role.ADMINISTRATOR)
    for role in (Role.BROKER, Role.COMMISSIONER):
        practitioner = users_by_role.get(role)
        if practitioner is None or practitioner.pk == person.pk:
            continue
        if assigner is not None and access.can_assign_caseloads(assigner):
            assign_caseload(actor=assigner, person=person, practitioner=practitioner)
        else:  # no one to assign: the demo data is trusted, so write the assignment directly
            CaseAssignment.objects.get_or_create(person=person, practitioner=practitioner)


def demo_team(name: str, members: Iterable[User]) -> CaseTeam:
    """The team called ``name`` (made when there is none yet) with ``members`` in it, for another
    app's demo content (demo data is trusted: nobody acts, so nothing is audited; people change
    teams in the admin, which audits every change)."""
    team, _ = CaseTeam.objects.get_or_create(name=name)
    team.members.add(*members)
    return team


@transaction.atomic
def seed_demo(users_by_role: Mapping[str, User]) -> None:
    person = users_by_role.get(Role.PERSON)
    broker = users_by_role.get(Role.BROKER) or users_by_role.get(Role.COMMISSIONER)
    if person is None or broker is None or SupportPlan.objects.filter(person=person).exists():
        return
    carer = users_by_role.get(Role.CARER)
    # Charging figures are entered by an administrator or coordinator (never a broker).
    figures_by = users_by_role.get(Role.ADMINISTRATOR) or users_by_role.get(Role.COORDINATOR)
    today = timezone.localdate()
    _caseload_for(users_by_role, person)

    if (
        figures_by is not None
        and not LocalChargingFigure.objects.filter(area=charging.current_area()).exists()
    ):
        save_local_figure(
            actor=figures_by,
            area=charging.current_area(),
            parameter="local.dre_standard_allowance",
            value=Decimal("12.50"),
            year="2025/26",
            applies_from=dt.date(2025, 4, 6),
            note="Demo: the area's standard allowance for disability-related expenses.",
        )

    assessment = start_assessment(person=person, actor=person)
    _answer(assessment, person, "person", PERSON_ANSWERS)
    _answer(assessment, broker, "practitioner", PRACTITIONER_ANSWERS)
    if carer is not None:
        invite_account(
            assessment=assessment,
            actor=person,
            identifier=carer.username,
            relationship="family",
        )
        add_contribution(
            assessment=assessment,
            author=carer,
            topic="personal_care",
            text="Dad has had two falls this year; he does not always mention them.",
        )
    budget = calculate_budget(assessment=assessment, kind="person", actor=person)

    plan = start_plan(person=person, actor=person)
    hoods = list(directory.neighbourhoods()[:1])
    if hoods:
        set_neighbourhood(plan=plan, actor=person, neighbourhood=hoods[0])
    save_financial_assessment(person=person, actor=person, inputs=MONEY, plan=plan)
    social = add_outcome(
        plan=plan,
        actor=person,
        text="I want to get out of the house on Saturdays and make things with other people.",
        wellbeing=["relationships", "participation"],
        open_to_sharing=True,
    )
    service = _service()
    if service is not None:
        costs = [c.amount for c in service.cost_options.all() if c.amount]  # type: ignore[attr-defined]
        add_line(
            outcome=social,
            actor=person,
            kind="service",
            description=service.name,  # type: ignore[attr-defined]
            service=service,
            schedule="Saturdays",
            unit_cost=Decimal(costs[0]) if costs else Decimal("10.00"),
            units_per_week=Decimal(1),
        )
    add_line(
        outcome=social,
        actor=person,
        kind="time_bank",
        description="A lift there and back",
        minutes_per_week=60,
    )
    safe = add_outcome(
        plan=plan,
        actor=person,
        text="I want to feel safe washing in the mornings.",
        wellbeing=["health", "safety"],
    )
    add_line(
        outcome=safe,
        actor=person,
        kind="other",
        description="Someone nearby while I shower, three mornings a week",
        who="A personal assistant",
        weekly_cost=min(Decimal("45.00"), max(Decimal("0"), budget.weekly - Decimal("20.00"))),
        minutes_per_week=0,
    )
    add_line(
        outcome=safe,
        actor=person,
        kind="family",
        description="Chris phones every evening",
        who="Chris (daughter)",
        minutes_per_week=70,
    )
    propose_plan(plan=plan, actor=person, over_budget_reason="")
    decide_plan(
        plan=plan,
        actor=broker,
        decision="changes_requested",
        reason="Please say who you would call if the personal assistant cannot come.",
    )
    add_line(
        outcome=safe,
        actor=person,
        kind="community",
        description="Telecare alarm and the neighbourhood responder scheme",
        who="Eastmere Responders (fictional)",
        weekly_cost=Decimal("4.50"),
    )
    over = plan_totals(plan).over_budget
    propose_plan(
        plan=plan,
        actor=person,
        over_budget_reason="The alarm is needed for safety while the assistant is not there."
        if over
        else "",
    )
    decide_plan(plan=plan, actor=broker, decision="approved")
    plan.refresh_from_db()

    account = open_account(
        plan=plan,
        actor=broker,
        kind=BudgetAccount.Kind.DIRECT_PAYMENT,
        period_start=today - dt.timedelta(days=21),
    )
    totals = plan_totals(plan)
    if totals.contribution_weekly > 0:
        post(
            account=account,
            actor=person,
            kind="contribution",
            amount=totals.contribution_weekly * 2,
            effective=today - dt.timedelta(days=14),
            key=f"demo-{account.pk}-contribution",
            memo="Two weeks' contribution",
        )
    for week, line in enumerate(plan.lines.filter(weekly_cost__gt=0)[:2]):
        payee = line.service.organization.name if line.service else line.who
        try:
            post(
                account=account,
                actor=person,
                kind="provider_payment",
                payee=payee,
                amount=line.weekly_cost,
                effective=today - dt.timedelta(days=7 * (2 - week)),
                key=f"demo-{account.pk}-payment-{line.pk}",
                memo=f"{line.description[:60]}, one week",
            )
        except BudgetsError:
            break

    # Two fictional neighbours who also want company on Saturdays and agreed to be put in touch.
    if hoods:
        for username, name in (
            ("demo-neighbour-1", "Ray Example (demo neighbour)"),
            ("demo-neighbour-2", "Jo Example (demo neighbour)"),
        ):
            neighbour = _neighbour(username, name)
            _caseload_for(users_by_role, neighbour)
            their = start_plan(person=neighbour, actor=broker)
            set_neighbourhood(plan=their, actor=broker, neighbourhood=hoods[0])
            add_outcome(
                plan=their,
                actor=broker,
                text="Meet people at the weekend.",
                wellbeing=["relationships"],
                open_to_sharing=True,
            )
