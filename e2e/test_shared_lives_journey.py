"""Journey (issue 17, Shared Lives): a scheme worker records a referral with answers missing and
sees exactly what is missing; completes it; reads the shortlist with its reasons and the carer it
excludes; asks both sides about the first household. An introduction is refused until both have
said yes. The person reads the household in easy read and says yes; the carer says yes on their
own page; the worker logs the introduction and starts the placement, which shows its weekly cost
beside the alternative's; the person later ends it with a reason and asks for a new match.
axe-core and the 320 px reflow check run on every page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.models import User
from accounts.roles import Role
from directory.tests import factories as f
from e2e.conftest import check_accessibility
from sharedlives import services
from sharedlives.models import Carer, Match

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password"


def sign_in(page: Page, live_server: LiveServer, username: str) -> None:
    page.goto(f"{live_server.url}/account/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/account/sign-out/")
    page.get_by_role("button", name="Sign out").click()


def _approved_household(worker: User, name: str, username: str, **facts: Any) -> Carer:
    today = timezone.localdate()
    start = today - dt.timedelta(days=60)
    household = services.add_carer(
        actor=worker,
        user=f.user(Role.CARER, username=username, display_name=f"{name} carer"),
        name=name,
        adults=[f"{name} adult"],
        today=start,
        **facts,
    )
    adult = household.adults.get()
    services.record_check(
        actor=worker,
        carer=household,
        kind="dbs_enhanced",
        adult=adult,
        checked_on=start,
        expires_on=start + dt.timedelta(days=1095),
        today=today,
    )
    for n in range(2):
        services.record_check(
            actor=worker,
            carer=household,
            kind="reference",
            checked_on=start + dt.timedelta(days=n),
            today=today,
        )
    services.record_check(
        actor=worker,
        carer=household,
        kind="home_safety",
        checked_on=start,
        expires_on=start + dt.timedelta(days=365),
        today=today,
    )
    services.record_check(
        actor=worker, carer=household, kind="panel", checked_on=start, today=today
    )
    services.approve_carer(actor=worker, carer=household, on=start + dt.timedelta(days=1))
    return household


def test_referral_to_placement_with_both_sides_agreeing(
    page: Page, live_server: LiveServer
) -> None:
    worker = f.user(Role.SHARED_LIVES_WORKER, username="sam", display_name="Sam Worker")
    home_facts = {
        "neighbourhood": "Millbrook",
        "languages": "English",
        "step_free": True,
        "pets": False,
        "smoking": False,
        "offers_long_term": True,
        "places": 1,
    }
    _approved_household(
        worker, "The Ash household", "ash", interests="Gardening, Music", **home_facts
    )
    _approved_household(worker, "The Birch household", "birch", interests="Chess", **home_facts)
    _approved_household(
        worker,
        "The Cedar household",
        "cedar",
        interests="Gardening",
        **{**home_facts, "smoking": True},
    )
    f.user(
        Role.PERSON,
        username="pat",
        display_name="Pat Example",
        first_name="Pat",
        email="pat@example.org",
    )

    sign_in(page, live_server, "sam")
    expect(page.locator("main")).to_contain_text("Shared Lives")  # the worker's home section
    check_accessibility(page)
    page.goto(f"{live_server.url}/shared-lives/")
    check_accessibility(page)
    page.get_by_role("link", name="Add a referral").click()
    check_accessibility(page)
    page.get_by_role("button", name="Save").click()  # nothing filled in: the error pattern
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the person's email address")
    check_accessibility(page)
    page.get_by_label("The person's email address on their account").fill("pat@example.org")
    page.get_by_label("What support do they want?").select_option("long_term")
    page.get_by_role("group", name="Do they need step-free access?").get_by_label("Yes").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text("Not ready to match")
    expect(page.locator("main")).to_contain_text("Whether they are allergic to pets")
    check_accessibility(page)

    page.get_by_role("link", name="Change the referral").click()
    page.get_by_label("About the person and what matters to them").fill("Likes a calm home.")
    page.get_by_role("group", name="Do they need a smoke-free home?").get_by_label("Yes").check()
    page.get_by_role("group", name="Are they allergic to pets?").get_by_label("Yes").check()
    page.get_by_label("Languages they speak").fill("English")
    page.get_by_label("Their interests").fill("Gardening, Music")
    page.get_by_label("Places they would like to live near").fill("Millbrook")
    check_accessibility(page)
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="See the shortlist").click()
    main = page.locator("main")
    expect(main).to_contain_text("1. The Ash household")
    expect(main).to_contain_text("Shares interests: Gardening and Music.")
    expect(main).to_contain_text("2. The Birch household")
    expect(main).to_contain_text("Someone smokes in the home, and a smoke-free home is needed.")
    check_accessibility(page)
    page.get_by_role("button", name="Ask both sides about The Ash household").click()
    expect(page.locator("h1")).to_contain_text("Pat Example and The Ash household")
    check_accessibility(page)

    page.get_by_role("group", name="What happened").get_by_label("Introduction").check()
    page.get_by_label("Date (first day)").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Log it").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Both sides must agree before an introduction: waiting for the person and the carer"
    )
    check_accessibility(page)
    sign_out(page, live_server)

    sign_in(page, live_server, "pat")
    page.goto(f"{live_server.url}/shared-lives/mine/")
    expect(page.locator("main")).to_contain_text("Their home has no steps.")
    check_accessibility(page)
    page.get_by_role("link", name="Say yes or no to The Ash household").click()
    check_accessibility(page)
    page.get_by_label("Yes, I would like to meet").check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.locator("main")).to_contain_text("You said yes. We are asking them too.")
    check_accessibility(page)
    sign_out(page, live_server)

    sign_in(page, live_server, "ash")
    page.goto(f"{live_server.url}/shared-lives/my-household/")
    check_accessibility(page)
    page.get_by_role("link", name="say yes or no to meeting Pat").click()
    check_accessibility(page)
    page.get_by_label("Yes, I would like to meet").check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.locator("main")).to_contain_text("Both sides agreed")
    sign_out(page, live_server)

    match = Match.objects.get()
    sign_in(page, live_server, "sam")
    page.goto(f"{live_server.url}/shared-lives/matches/{match.pk}/")
    page.get_by_role("group", name="What happened").get_by_label("Introduction").check()
    page.get_by_label("Date (first day)").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Log it").click()
    expect(page.locator("main")).to_contain_text("Introduction: ")
    check_accessibility(page)
    page.get_by_label("Start date").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Start the placement").click()
    expect(page.locator("main")).to_contain_text(
        "£645.00 a week, against £995.00 a week for supported living (£350.00 a week less)"
    )
    check_accessibility(page)
    sign_out(page, live_server)

    sign_in(page, live_server, "pat")
    page.goto(f"{live_server.url}/shared-lives/mine/")
    page.get_by_role("link", name="Stop or ask for a new match with The Ash household").click()
    page.get_by_role("button", name="Stop this match").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why you want to end it")
    check_accessibility(page)
    page.get_by_label("Why do you want to end it?").fill("I miss my friends in Eastmere.")
    page.get_by_role("group", name="Would you like a new match?").get_by_label("Yes").check()
    page.get_by_role("button", name="Stop this match").click()
    expect(page.locator("main")).to_contain_text("Other carers who could suit you")
    check_accessibility(page)
    match.refresh_from_db()
    assert (match.stage, match.ended_by, match.new_match_wanted) == ("ended", "person", True)
