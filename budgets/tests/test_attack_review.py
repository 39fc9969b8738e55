"""Issue 11 (attack review): ledger keys, bounded money, withdrawing invitations, caseloads and
break glass. Each test failed on the code before the fix."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from django.core.checks import run_checks
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.roles import Role
from budgets.access import NotAllowed
from budgets.models import (
    BreakGlassAccess,
    BudgetAccount,
    CaseAssignment,
    CaseTeam,
    Invitation,
    LedgerPosting,
    LedgerTransaction,
    PlanOutcome,
)
from budgets.services._common import BudgetsError, valid_key
from budgets.services.accounts import _store, post, reverse_transaction
from budgets.services.assessment import invite_account, start_assessment
from budgets.services.caseloads import assign_caseload
from budgets.services.plans import (
    add_line,
    add_outcome,
    propose_plan,
    reopen_plan,
    set_neighbourhood,
    start_plan,
)
from budgets.services.pools import create_pool
from budgets.tests import helpers
from directory.tests import factories as f
from rules import ledger

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.django_db

TWENTY_NINE = "9" * 29


def errors(page: Response) -> list[str]:
    return re.findall(
        r'govuk-error-message">\s*<span class="govuk-visually-hidden">Error:</span>\s*(.*?)\s*</',
        page.content.decode(),
        re.S,
    )


# --- 1. ledger keys ------------------------------------------------------------------------------


def _bad_key_transaction(account: BudgetAccount) -> LedgerTransaction:
    """A contribution stored with a key holding "/", as the old form accepted."""
    txn = ledger.transfer(
        "evil/../key with spaces",
        ledger.MoneyKind.CONTRIBUTION,
        f"person:{account.person_id}",
        account.ledger_id,
        ledger.Money(500),
        timezone.localdate(),
        "",
    )
    return _store(account, txn, account.person, "")


def test_a_key_with_a_slash_is_refused_where_entries_are_made(client: Client) -> None:
    account = helpers.open_account()
    client.force_login(account.person)
    url = reverse("budgets:account", args=[account.pk])
    before = LedgerTransaction.objects.count()
    for key in ("a/b", "x" * 101, "", "a b", "ключ"):
        page = client.post(
            url,
            {
                "kind": "contribution",
                "amount": "5.00",
                "effective": timezone.localdate().isoformat(),
                "key": key,
            },
        )
        assert page.status_code == 400, key
        assert "This form has expired. Reload the page and try again." in page.content.decode()
    assert LedgerTransaction.objects.count() == before
    with pytest.raises(BudgetsError, match="expired"):
        post(
            account=account,
            actor=account.person,
            kind="contribution",
            amount=Decimal("5"),
            effective=timezone.localdate(),
            key="a/b",
        )
    first = account.transactions.first()
    assert first is not None
    with pytest.raises(BudgetsError, match="expired"):
        reverse_transaction(
            account=account,
            actor=account.person,
            original_key=first.key,
            reason="Wrong",
            key="../x",
        )
    assert valid_key("x" * 100) and valid_key("account-1-first-allocation")


def test_an_existing_bad_key_breaks_no_page_and_can_be_corrected(client: Client) -> None:
    person, broker = f.user(Role.PERSON), f.user(Role.BROKER)
    account = helpers.open_account(person, broker)
    commissioner, admin = f.user(Role.COMMISSIONER), f.user(Role.ADMINISTRATOR)
    helpers.assign(person, commissioner, admin)
    bad = _bad_key_transaction(account)
    url = reverse("budgets:account", args=[account.pk])
    for viewer in (person, broker, commissioner, admin):
        client.force_login(viewer)
        page = client.get(url)
        assert page.status_code == 200, viewer
        assert reverse("budgets:account-correct", args=[account.pk, bad.pk]) in (
            page.content.decode()
        )
    client.force_login(broker)
    correct = reverse("budgets:account-correct", args=[account.pk, bad.pk])
    form = client.get(correct).context["form"]
    done = client.post(correct, {"reason": "Entered by mistake", "key": form["key"].value()})
    assert done.status_code == 302
    assert LedgerTransaction.objects.filter(reverses=bad).exists()
    warnings = [w for w in run_checks(databases=["default"]) if w.id == "budgets.W001"]
    assert len(warnings) == 1 and str(bad.pk) in warnings[0].msg


def test_the_key_check_is_quiet_when_every_key_is_good() -> None:
    helpers.open_account()
    assert not [w for w in run_checks(databases=["default"]) if w.id == "budgets.W001"]


# --- 2. the charging calculator's numbers ---------------------------------------------------------

CALC = {"setting": "home", "age": "70", "couple": "no", "weekly_cost_of_care": "200.00"}


@pytest.mark.parametrize(
    ("field", "label", "maximum"),
    [
        ("weekly_cost_of_care", "Weekly cost of your care", "£1,000,000.00"),
        ("income_state_pension", "State Pension", "£1,000,000.00"),
        ("housing_costs", "Rent or mortgage each week", "£1,000,000.00"),
        ("savings", "Savings and investments (total)", "£1,000,000,000.00"),
        ("home_value", "Value of your home", "£1,000,000,000.00"),
    ],
)
def test_calculator_amounts_are_bounded_with_the_field_and_range_named(
    client: Client, field: str, label: str, maximum: str
) -> None:
    url = reverse("budgets:calculator")
    # The value of a home is asked (and checked) only for care in a care home.
    base = CALC | {"setting": "care_home"} if field == "home_value" else CALC
    for huge in ("1e26", "100000000000000000000000000", TWENTY_NINE, "1E+999999"):
        page = client.post(url, base | {field: huge})
        assert page.status_code == 400, huge
        assert f"{label} must be between £0.00 and {maximum}" in errors(page), huge
    at_most = maximum.removeprefix("£").replace(",", "")
    assert client.post(url, base | {field: at_most}).status_code == 200
    over = str(Decimal(at_most) + Decimal("0.01"))
    assert client.post(url, base | {field: over}).status_code == 400


def test_persons_own_financial_assessment_is_bounded_too(client: Client) -> None:
    person = f.user(Role.PERSON)
    helpers.budget_for(person)
    plan = start_plan(person=person, actor=person)
    client.force_login(person)
    page = client.post(reverse("budgets:plan-money", args=[plan.pk]), CALC | {"savings": "1e26"})
    assert page.status_code == 400
    assert "Savings and investments (total) must be between £0.00 and £1,000,000,000.00" in (
        errors(page)
    )


# --- 3. withdrawing an invitation ----------------------------------------------------------------


def test_a_practitioner_withdraws_an_invitation_on_the_persons_behalf(client: Client) -> None:
    person, broker, sister = f.user(Role.PERSON), f.user(Role.BROKER), f.user(Role.CARER)
    helpers.assign(person, broker)
    assessment = start_assessment(person=person, actor=person)
    invitation = invite_account(
        assessment=assessment, actor=person, identifier=sister.username, relationship="family"
    )
    client.force_login(broker)
    overview = client.get(reverse("budgets:assessment", args=[assessment.pk])).content.decode()
    url = reverse("budgets:invitation-withdraw", args=[assessment.pk, invitation.pk])
    assert url in overview
    done = client.post(url)
    assert done.status_code == 302
    assert done["Location"] == reverse("budgets:assessment", args=[assessment.pk])
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert AuditEvent.objects.filter(
        actor=broker, subject=person, summary__contains="on the person's behalf"
    ).exists()


def test_others_are_refused_a_withdrawal_with_a_clear_page(client: Client) -> None:
    person, sister, friend = f.user(Role.PERSON), f.user(Role.CARER), f.user(Role.CARER)
    stranger_broker = f.user(Role.BROKER)
    assessment = start_assessment(person=person, actor=person)
    invite_account(
        assessment=assessment, actor=person, identifier=sister.username, relationship="family"
    )
    other = invite_account(
        assessment=assessment, actor=person, identifier=friend.username, relationship="friend"
    )
    url = reverse("budgets:invitation-withdraw", args=[assessment.pk, other.pk])
    client.force_login(sister)  # a contributor may read the assessment, not withdraw others
    page = client.post(url)
    assert page.status_code == 403
    assert "Only the person, or a practitioner working with them" in page.content.decode()
    client.force_login(stranger_broker)  # not on their caseload: break glass first
    page = client.post(url)
    assert page.status_code == 403
    assert "not on your caseload" in page.content.decode()
    assert Invitation.objects.get(pk=other.pk).revoked_at is None


# --- 4. money fields in plans and the ledger -----------------------------------------------------


def _outcome(person: User) -> PlanOutcome:
    helpers.budget_for(person)
    plan = start_plan(person=person, actor=person)
    return add_outcome(plan=plan, actor=person, text="Swim", wellbeing=["health"])


def test_plan_money_is_bounded_in_the_services() -> None:
    person = f.user(Role.PERSON)
    outcome = _outcome(person)
    service = f.service(cost="4.00")
    for amount in (Decimal(TWENTY_NINE), Decimal("100000.01"), Decimal("1e26")):
        with pytest.raises(BudgetsError) as error:
            add_line(
                outcome=outcome,
                actor=person,
                kind="service",
                description="",
                service=service,
                unit_cost=amount,
                units_per_week=Decimal("1"),
            )
        assert error.value.field == "unit_cost"
        with pytest.raises(BudgetsError) as error:
            add_line(
                outcome=outcome, actor=person, kind="other", description="x", weekly_cost=amount
            )
        assert error.value.field == "weekly_cost"
        assert "between £0.00 and £100,000.00" in error.value.message
    with pytest.raises(BudgetsError, match=r"at most £100,000\.00 a week"):
        add_line(
            outcome=outcome,
            actor=person,
            kind="service",
            description="",
            service=service,
            unit_cost=Decimal("100000.00"),
            units_per_week=Decimal("2"),
        )
    line = add_line(
        outcome=outcome,
        actor=person,
        kind="other",
        description="x",
        weekly_cost=Decimal("100000.00"),
    )
    assert line.weekly_cost == Decimal("100000.00")
    with pytest.raises(BudgetsError) as error:
        propose_plan(plan=outcome.plan, actor=person, top_up_weekly=Decimal(TWENTY_NINE))
    assert error.value.field == "top_up_weekly"


def test_ledger_amounts_are_bounded() -> None:
    account = helpers.open_account()
    for amount in (Decimal(TWENTY_NINE), Decimal("1000000.01"), Decimal("1e26")):
        with pytest.raises(BudgetsError) as error:
            post(
                account=account,
                actor=account.person,
                kind="contribution",
                amount=amount,
                effective=timezone.localdate(),
                key="k1",
            )
        assert error.value.field == "amount"
        assert "between £0.01 and £1,000,000.00" in error.value.message
    made = post(
        account=account,
        actor=account.person,
        kind="contribution",
        amount=Decimal("1000000.00"),
        effective=timezone.localdate(),
        key="k2",
    )
    assert made.created


@pytest.mark.parametrize(
    ("view", "data", "message"),
    [
        (
            "support-other",
            {"kind": "other", "description": "x", "weekly_cost": TWENTY_NINE},
            "Cost each week must be between £0.00 and £100,000.00",
        ),
        (
            "support-service",
            {"unit_cost": TWENTY_NINE, "units_per_week": "1"},
            "Price each time must be between £0.00 and £100,000.00",
        ),
        (
            "support-service",
            {"unit_cost": "1", "units_per_week": TWENTY_NINE},
            "How many times a week must be from 0.01 to 100",
        ),
        (
            "plan-propose",
            {"top_up_weekly": TWENTY_NINE},
            "Top-up each week must be between £0.00 and £100,000.00",
        ),
    ],
)
def test_plan_forms_refuse_29_digit_costs_by_name(
    client: Client, view: str, data: dict[str, str], message: str
) -> None:
    person = f.user(Role.PERSON)
    outcome = _outcome(person)
    service = f.service(cost="4.00")
    routes: dict[str, list[int | str]] = {
        "support-other": [outcome.plan_id, outcome.pk],
        "support-service": [outcome.plan_id, outcome.pk, service.pk],
        "plan-propose": [outcome.plan_id],
    }
    args = routes[view]
    client.force_login(person)
    page = client.post(reverse(f"budgets:{view}", args=args), data)
    assert page.status_code == 400
    assert message in errors(page)


def test_payment_form_refuses_29_digit_amounts_by_name(client: Client) -> None:
    account = helpers.open_account()
    client.force_login(account.person)
    page = client.post(
        reverse("budgets:account", args=[account.pk]),
        {
            "kind": "contribution",
            "amount": TWENTY_NINE,
            "effective": timezone.localdate().isoformat(),
            "key": "abc",
        },
    )
    assert page.status_code == 400
    assert "Amount must be between £0.01 and £1,000,000.00" in errors(page)
    assert not LedgerPosting.objects.filter(amount_pence__gt=10**8).exists()


def test_using_a_budget_needs_a_number_and_the_persons_own_budget(client: Client) -> None:
    person, other = f.user(Role.PERSON), f.user(Role.PERSON)
    helpers.budget_for(person)
    theirs = helpers.budget_for(other)
    plan = start_plan(person=person, actor=person)
    client.force_login(person)
    url = reverse("budgets:plan-use-budget", args=[plan.pk])
    assert client.post(url, {"budget": "abc"}).status_code == 302
    assert client.post(url, {"budget": "9" * 40}).status_code == 302
    assert client.post(url, {"budget": str(theirs.pk)}).status_code == 404


# --- 5. caseloads and break glass ----------------------------------------------------------------


def _person_with_everything(broker: User) -> tuple[User, BudgetAccount]:
    person = f.user(Role.PERSON)
    account = helpers.open_account(person, broker)
    return person, account


def _record_urls(account: BudgetAccount) -> list[str]:
    plan = account.plan
    return [
        reverse("budgets:assessment", args=[plan.assessment_id]),
        reverse("budgets:budget", args=[plan.assessment_id]),
        reverse("budgets:compare", args=[plan.assessment_id]),
        reverse("budgets:contribute", args=[plan.assessment_id]),
        reverse("budgets:plan", args=[plan.pk]),
        reverse("budgets:plan-money", args=[plan.pk]),
        reverse("budgets:plan-review", args=[plan.pk]),
        reverse("budgets:plan-version", args=[plan.pk, 1]),
        reverse("budgets:account", args=[account.pk]),
        reverse("budgets:account-csv", args=[account.pk]),
    ]


def test_practitioners_open_only_their_caseload(client: Client) -> None:
    own_broker, other_broker = f.user(Role.BROKER), f.user(Role.BROKER)
    person, account = _person_with_everything(own_broker)
    client.force_login(own_broker)
    for url in _record_urls(account):
        assert client.get(url).status_code == 200, url
    client.force_login(other_broker)
    for url in _record_urls(account):
        page = client.get(url)
        assert page.status_code == 403, url
        assert "This person is not on your caseload" in page.content.decode(), url
    home = client.get(reverse("budgets:home")).content.decode()
    assert person.get_full_name() not in home
    client.force_login(own_broker)
    assert person.get_full_name() in client.get(reverse("budgets:home")).content.decode()
    # The services refuse too, whatever a view does.
    with pytest.raises(NotAllowed):
        start_plan(person=person, actor=other_broker)
    with pytest.raises(NotAllowed):
        reopen_plan(plan=account.plan, actor=other_broker)


def test_a_team_shares_its_caseload() -> None:
    broker, colleague = f.user(Role.BROKER), f.user(Role.BROKER)
    person = f.user(Role.PERSON)
    team = CaseTeam.objects.create(name="North")
    team.members.add(colleague)
    coordinator = f.user(Role.COORDINATOR)
    assign_caseload(actor=coordinator, person=person, team=team)
    from budgets import access

    assert access.on_caseload(colleague, person.pk)
    assert not access.on_caseload(broker, person.pk)


def test_break_glass_needs_a_reason_is_audited_and_expires(client: Client) -> None:
    own_broker, other_broker = f.user(Role.BROKER), f.user(Role.BROKER)
    person, account = _person_with_everything(own_broker)
    url = reverse("budgets:plan", args=[account.plan_id])
    client.force_login(other_broker)
    page = client.get(url)
    form = page.context["form"]
    assert form["person"].value() == person.pk and form["next"].value() == url
    glass = reverse("budgets:break-glass")
    short = client.post(glass, {"person": person.pk, "next": url, "reason": "need"})
    assert short.status_code == 400
    assert "Say why in at least 10 characters" in errors(short)
    reason = "Safeguarding call from her GP; her broker is on leave"
    done = client.post(glass, {"person": person.pk, "next": url, "reason": reason})
    assert done.status_code == 302 and done["Location"] == url
    assert client.get(url).status_code == 200
    event = AuditEvent.objects.get(actor=other_broker, summary__startswith="Break glass")
    assert reason in event.summary and event.subject == person
    assert AuditEvent.objects.filter(
        actor=other_broker, summary="Viewed the support plan (break glass)"
    ).exists()
    # Still not on the caseload: lists do not show the person.
    assert person.get_full_name() not in client.get(reverse("budgets:home")).content.decode()
    BreakGlassAccess.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(url).status_code == 403


def test_break_glass_goes_only_to_pages_of_this_app(client: Client) -> None:
    broker = f.user(Role.BROKER)
    person = f.user(Role.PERSON)
    client.force_login(broker)
    done = client.post(
        reverse("budgets:break-glass"),
        {"person": person.pk, "next": "https://evil.example/", "reason": "A good reason here"},
    )
    assert done["Location"] == reverse("budgets:home")
    client.force_login(person)  # not a practitioner
    assert (
        client.post(
            reverse("budgets:break-glass"), {"person": broker.pk, "reason": "x" * 20}
        ).status_code
        == 403
    )


def test_caseloads_are_assigned_by_coordinators_and_audited(client: Client) -> None:
    coordinator, broker, person = f.user(Role.COORDINATOR), f.user(Role.BROKER), f.user()
    client.force_login(broker)
    assert client.get(reverse("budgets:caseloads")).status_code == 403
    with pytest.raises(NotAllowed):
        assign_caseload(actor=broker, person=person, practitioner=broker)
    client.force_login(coordinator)
    page = client.post(
        reverse("budgets:caseloads"),
        {"person": person.username, "practitioner": broker.username},
    )
    assert page.status_code == 302
    assignment = CaseAssignment.objects.get(person=person, practitioner=broker)
    assert AuditEvent.objects.filter(
        actor=coordinator, subject=person, summary__contains="caseload"
    ).exists()
    bad = client.post(reverse("budgets:caseloads"), {"person": person.username})
    assert bad.status_code == 400
    assert "Choose a practitioner or a team, not both" in errors(bad)
    client.post(reverse("budgets:caseload-remove", args=[assignment.pk]))
    assert not CaseAssignment.objects.filter(pk=assignment.pk).exists()
    assert AuditEvent.objects.filter(summary__startswith="Took").exists()


def test_pools_show_and_pool_only_the_caseload(client: Client) -> None:
    hood = f.neighbourhood("Millbrook")
    broker, other_broker = f.user(Role.BROKER), f.user(Role.BROKER)
    outcomes = []
    for _ in range(2):
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
    with pytest.raises(NotAllowed):
        create_pool(
            actor=other_broker,
            name="Swim",
            neighbourhood=hood,
            service=None,
            weekly_cost=Decimal("10"),
            members=[(o, 1) for o in outcomes],
        )
    pool = create_pool(
        actor=broker,
        name="Swim",
        neighbourhood=hood,
        service=None,
        weekly_cost=Decimal("10"),
        members=[(o, 1) for o in outcomes],
    )
    client.force_login(other_broker)
    listing = client.get(reverse("budgets:pools"), {"neighbourhood": hood.pk}).content.decode()
    assert outcomes[0].plan.person.get_full_name() not in listing
    assert "Swim" not in listing
    assert client.get(reverse("budgets:pool", args=[pool.pk])).status_code == 403
    client.force_login(broker)
    assert client.get(reverse("budgets:pool", args=[pool.pk])).status_code == 200
