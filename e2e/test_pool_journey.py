"""Journey (issue 19): two people with agreed plans and direct payments are suggested a pool by
their broker; one agrees and the other says no, so the pool leaves "Agreeing shares" and the one
who agreed no longer sees their answer counted; the broker re-splits, both agree, and each pays
their share from their own budget account. axe-core runs on every page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.roles import Role
from budgets import services
from budgets.models import BudgetAccount, LedgerTransaction, Pool
from budgets.tests import helpers
from directory.tests import factories as f
from e2e.conftest import check_accessibility

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password"


@pytest.fixture
def people() -> dict[str, Any]:
    hood = f.neighbourhood("Millbrook", "52.010000", "-1.010000")
    broker = f.user(Role.BROKER, username="bea", display_name="Bea the broker")
    found = {"hood": hood, "broker": broker}
    for username, name in (("ann", "Ann Ashby"), ("ben", "Ben Brook")):
        person = f.user(Role.PERSON, username=username, display_name=name)
        plan = helpers.agreed_plan(person, broker)
        services.open_account(
            plan=plan,
            actor=broker,
            kind=BudgetAccount.Kind.DIRECT_PAYMENT,
            period_start=dt.date(2026, 4, 6),
        )
        plan.neighbourhood = hood
        plan.save()
        outcome = plan.outcomes.first()
        assert outcome is not None, "an agreed plan has outcomes"
        outcome.open_to_sharing = True
        outcome.save()
        found[username] = person
    return found


def sign_in(page: Page, live_server: LiveServer, username: str) -> None:
    page.goto(f"{live_server.url}/account/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/account/sign-out/")
    page.get_by_role("button", name="Sign out").click()


def go(page: Page, live_server: LiveServer, path: str) -> None:
    page.goto(f"{live_server.url}{path}")
    check_accessibility(page)


def answer(page: Page, live_server: LiveServer, username: str, pool: Pool, button: str) -> None:
    sign_in(page, live_server, username)
    go(page, live_server, "/support-plan/")  # the suggestion is on their task list
    go(page, live_server, f"/support-plan/pools/{pool.pk}/")
    page.get_by_role("button", name=button).click()
    check_accessibility(page)
    sign_out(page, live_server)


def test_two_people_pool_one_declines_the_broker_resplits_and_both_pay(
    page: Page, live_server: LiveServer, people: dict[str, Any]
) -> None:
    # The broker suggests the pool from the people on their caseload who agreed to it.
    sign_in(page, live_server, "bea")
    go(page, live_server, f"/support-plan/pools/?neighbourhood={people['hood'].pk}")
    page.locator("a.govuk-link[href*='domain=']").first.click()
    check_accessibility(page)
    page.get_by_label("Name for the pool").fill("Swimming together")
    page.get_by_label("Weekly cost of the service for everyone together").fill("20.00")
    page.get_by_role("button", name="Suggest this pool").click()
    expect(page.locator("#pool-status")).to_have_text("Agreeing shares")
    check_accessibility(page)
    pool = Pool.objects.get()
    sign_out(page, live_server)

    # Ann agrees; Ben says no.
    answer(page, live_server, "ann", pool, "I agree to my share")
    answer(page, live_server, "ben", pool, "No thank you")

    # Ann no longer sees her answer counted for a split that will not go ahead.
    sign_in(page, live_server, "ann")
    go(page, live_server, f"/support-plan/pools/{pool.pk}/")
    expect(page.locator("#pool-status")).not_to_have_text("Agreeing shares")
    expect(page.locator("#pool-declined")).to_contain_text("re-split or cancel")
    expect(page.get_by_role("cell", name="Agreed", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="I agree to my share")).to_have_count(0)
    sign_out(page, live_server)

    # The broker re-splits: Ann 3 shares, Ben 1.
    sign_in(page, live_server, "bea")
    go(page, live_server, f"/support-plan/pools/{pool.pk}/")
    page.get_by_label("Ann Ashby: share").fill("3")
    page.get_by_label("Ben Brook: share").fill("1")
    page.get_by_role("button", name="Send the new shares").click()
    expect(page.locator("#pool-status")).to_have_text("Agreeing shares")
    expect(page.get_by_role("cell", name="£15.00")).to_be_visible()
    check_accessibility(page)
    sign_out(page, live_server)

    answer(page, live_server, "ann", pool, "I agree to my share")
    answer(page, live_server, "ben", pool, "I agree to my share")
    pool.refresh_from_db()
    assert pool.status == Pool.Status.AGREED

    # Each account shows its pool line and pays it.
    for username, share in (("ann", "£15.00"), ("ben", "£5.00")):
        account = BudgetAccount.objects.get(person=people[username])
        sign_in(page, live_server, username)
        go(page, live_server, f"/support-plan/account/{account.pk}/")
        expect(page.get_by_text(f"Your share: {share} a week")).to_be_visible()
        before = page.locator("#balance").inner_text()
        page.get_by_role("button", name="Pay this week's share").click()
        expect(page.get_by_text("This has been recorded.")).to_be_visible()
        check_accessibility(page)
        assert page.locator("#balance").inner_text() != before
        assert LedgerTransaction.objects.filter(
            account=account, kind="provider_payment", payee="Swimming together"
        ).exists()
        go(page, live_server, f"/support-plan/plan/{account.plan_id}/")  # the pool line
        expect(page.get_by_text("Swimming together").first).to_be_visible()
        sign_out(page, live_server)

    # The broker sees each account and plan in the third person.
    sign_in(page, live_server, "bea")
    go(page, live_server, "/support-plan/")
    for username, name in (("ann", "Ann Ashby"), ("ben", "Ben Brook")):
        account = BudgetAccount.objects.get(person=people[username])
        go(page, live_server, f"/support-plan/account/{account.pk}/")
        expect(page.get_by_text(f"{name}'s share:")).to_be_visible()
        go(page, live_server, f"/support-plan/plan/{account.plan_id}/")
        expect(page.get_by_text(f"{name}'s contribution")).to_be_visible()
        expect(page.get_by_text("Your contribution")).to_have_count(0)
    sign_out(page, live_server)
