"""Journey: a person applies (an empty application is refused first); a coordinator reviews each
application on its own page, approves two members and declines one (the reason is required); one
offers lifts, the other finds the offer and the member, asks for a lift to hospital and sees the
first suggested with reasons; the time (two hours) is recorded and confirmed; both see their
balances and statements; the coordinator records a check, corrects nothing, sets up a weekly rota
and sees its gap, and opens the reports, the import page and the tokens page. axe-core and the
320px reflow check (``check_accessibility``) run on every page a member and a coordinator use."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.roles import Role
from directory.tests import factories as f
from e2e.conftest import check_accessibility
from timebank import services
from timebank.models import Member, Request

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password"


@pytest.fixture
def people() -> dict[str, Any]:
    f.neighbourhood("Millbrook", "52.010000", "-1.010000")
    f.term("Getting about")
    coordinator = f.user(Role.COORDINATOR, username="cora", display_name="Cora")
    alf = f.user(username="alf", display_name="Alf")
    bea = f.user(username="bea", display_name="Bea")
    hood = f.neighbourhood("Eastfield", "52.012000", "-1.012000")
    services.apply_to_join(
        user=alf, name="Alf", neighbourhood=hood, availability=["tue-am"], about="Driving"
    )
    services.apply_to_join(user=bea, name="Bea", neighbourhood=hood, about="Baking")
    f.user(username="dee", display_name="Dee Longname-Withaverylongsurnameindeed")
    return {"coordinator": coordinator, "alf": alf, "bea": bea}


def sign_in(page: Page, live_server: LiveServer, username: str) -> None:
    page.goto(f"{live_server.url}/account/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/time-bank/")
    check_accessibility(page)


def sign_out(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/account/sign-out/")
    page.get_by_role("button", name="Sign out").click()


def test_approve_request_suggest_give_two_hours_statements_and_rota(
    page: Page, live_server: LiveServer, people: dict[str, Any]
) -> None:
    # Dee applies: an empty application is refused, each required answer named.
    sign_in(page, live_server, "dee")
    page.get_by_role("button", name="Join the time bank").click()
    check_accessibility(page)
    page.get_by_role("button", name="Send application").click()
    expect(page.get_by_role("link", name="Enter what you could help with")).to_be_visible()
    expect(page.get_by_role("link", name="Choose your neighbourhood")).to_be_visible()
    assert page.title().startswith("Error:")
    check_accessibility(page)
    page.get_by_label("Your neighbourhood").select_option(label="Millbrook")
    page.get_by_label("What could you help with?").fill("Reading to children")
    page.get_by_role("button", name="Send application").click()
    expect(page.get_by_text("A coordinator will look at your application soon")).to_be_visible()
    check_accessibility(page)
    sign_out(page, live_server)

    # The coordinator reviews each application on its own page: approves two, declines one.
    sign_in(page, live_server, "cora")
    page.get_by_role("link", name="Members and applications").click()
    check_accessibility(page)
    expect(page.get_by_role("button", name="Approve Alf")).to_have_count(0)
    page.get_by_role("link", name="Review the application from Alf").click()
    expect(page.get_by_text("Driving")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name="Approve Alf").click()
    expect(page.get_by_text("Alf is now a member of the time bank")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name="Review the application from Bea").click()
    page.get_by_role("button", name="Approve Bea").click()
    page.get_by_role("link", name=re.compile("Review the application from Dee")).click()
    page.get_by_role("button", name="Do not approve").click()  # no reason: the error pattern
    expect(page.get_by_role("link", name="Enter the reason")).to_be_visible()
    assert page.title().startswith("Error:")
    check_accessibility(page)
    page.get_by_label("Reason").fill("We have no volunteers for reading yet")
    page.get_by_role("button", name="Do not approve").click()
    expect(page.get_by_text("No applications are waiting")).to_be_visible()
    sign_out(page, live_server)

    # Alf offers lifts.
    sign_in(page, live_server, "alf")
    assert page.locator("#balance").inner_text() == "5 hours"
    page.get_by_role("link", name="Offer help").click()
    check_accessibility(page)
    page.get_by_label("What can you offer?").fill("Lifts in my car")
    page.get_by_label("Category").select_option(label="Getting about")
    page.get_by_role("button", name="Add offer").click()
    expect(page.get_by_text("Your offer has been added")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name="Your API tokens").click()
    check_accessibility(page)
    page.get_by_role("button", name="Create a new token").click()
    expect(page.locator("#new-token")).to_be_visible()
    check_accessibility(page)  # the long token wraps
    page.goto(f"{live_server.url}/time-bank/")
    page.get_by_role("link", name="Spend time credits with a partner").click()
    check_accessibility(page)
    sign_out(page, live_server)

    # Bea finds the offer and Alf; asks for a lift; Alf is suggested with the reasons; Bea
    # records the two hours.
    sign_in(page, live_server, "bea")
    page.get_by_role("link", name="Offers of help").click()
    check_accessibility(page)
    page.get_by_role("link", name="Alf", exact=True).click()
    expect(page.locator("#profile-offers")).to_contain_text("Lifts in my car")
    check_accessibility(page)
    page.get_by_role("link", name="Ask for this").first.click()
    expect(page.get_by_text("Asking Alf")).to_be_visible()
    check_accessibility(page)
    page.goto(f"{live_server.url}/time-bank/requests/")
    check_accessibility(page)
    page.goto(f"{live_server.url}/time-bank/")
    page.get_by_role("link", name="Ask for help").click()
    page.get_by_role("button", name="Post request").click()  # empty: errors first
    expect(page.get_by_role("link", name="Enter what help you need")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("What help do you need?").fill("Lift to the hospital")
    page.get_by_label("Category").select_option(label="Getting about")
    page.get_by_label("Tuesday morning").check()
    page.get_by_role("button", name="Post request").click()
    expect(page.get_by_role("heading", name="Alf")).to_be_visible()
    expect(page.get_by_text("Offers 'Getting about'")).to_be_visible()
    expect(page.get_by_text("Free on Tuesdays 09:00–12:00")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name="Record time Alf gave you").click()
    check_accessibility(page)
    yesterday = timezone.localdate() - timedelta(days=1)
    page.get_by_label("Date").fill(f"{yesterday.day}/{yesterday.month}/{yesterday.year}")
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("Hours").fill("2")
    page.get_by_label("What was it?").fill("Lift to the hospital and back")
    page.get_by_role("button", name="Send for confirmation").click()
    expect(page.get_by_text("We have asked Alf to confirm the exchange")).to_be_visible()
    check_accessibility(page)
    sign_out(page, live_server)

    # Alf confirms; both see their balances and statements.
    sign_in(page, live_server, "alf")
    page.get_by_role("link", name=re.compile("^Alf gave Bea 2 hours on")).click()
    check_accessibility(page)
    page.get_by_role("button", name="Confirm exchange").click()
    expect(page.get_by_text("Exchange confirmed: 2 hours")).to_be_visible()
    check_accessibility(page)
    page.goto(f"{live_server.url}/time-bank/")
    assert page.locator("#balance").inner_text() == "7 hours"
    page.get_by_role("link", name="Your statement").click()
    assert page.locator("#statement-balance").inner_text() == "7 hours"
    expect(page.locator("#statement-entries")).to_contain_text("Lift to the hospital and back")
    check_accessibility(page)
    sign_out(page, live_server)
    sign_in(page, live_server, "bea")
    assert page.locator("#balance").inner_text() == "3 hours"
    page.get_by_role("link", name="Your statement").click()
    assert page.locator("#statement-balance").inner_text() == "3 hours"
    check_accessibility(page)
    sign_out(page, live_server)

    # The coordinator looks at Alf's record, records a check, reads his statement and the
    # exchange; then sets up a weekly rota for Bea; Alf covers three of four Tuesdays.
    sign_in(page, live_server, "cora")
    page.get_by_role("link", name="Members and applications").click()
    page.get_by_role("link", name="Alf", exact=True).first.click()
    check_accessibility(page)
    page.get_by_role("link", name="Record a check").click()
    check_accessibility(page)
    page.get_by_label("Reference").check()
    yesterday = timezone.localdate() - timedelta(days=1)
    page.get_by_label("Date of the check").fill(
        f"{yesterday.day}/{yesterday.month}/{yesterday.year}"
    )
    page.get_by_label("Notes (optional)").fill("Reference from a neighbour")
    page.get_by_role("button", name="Record check").click()
    expect(page.get_by_text("The check for Alf has been recorded")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name="statement", exact=True).click()
    check_accessibility(page)
    page.get_by_role("link", name=re.compile("Alf gave Bea 2 hours")).click()
    page.get_by_role("button", name="Correct exchange").click()  # no reason: the error pattern
    expect(page.get_by_role("link", name="Enter the reason")).to_be_visible()
    check_accessibility(page)
    asked = Request.objects.get(title="Lift to the hospital")  # arranged: off the open list
    page.goto(f"{live_server.url}/time-bank/requests/{asked.pk}/")
    check_accessibility(page)
    page.goto(f"{live_server.url}/time-bank/")
    page.get_by_role("link", name="Rotas").first.click()
    check_accessibility(page)
    page.get_by_role("button", name="Set up a rota").click()
    check_accessibility(page)
    today = timezone.localdate()
    first = today + timedelta(days=7 + (1 - today.weekday()) % 7)
    last = first + timedelta(weeks=3)
    page.get_by_label("What is the commitment?").fill("Lift to the hospital for Bea")
    page.get_by_label("Who is it for?").select_option(label="Bea")
    page.get_by_label("Day of the week").select_option(label="Tuesday")
    page.get_by_label("Start time").fill("09:30")
    page.get_by_label("How long, in minutes").fill("120")
    page.get_by_label("First date").fill(f"{first.day}/{first.month}/{first.year}")
    page.get_by_label("Last date").fill(f"{last.day}/{last.month}/{last.year}")
    page.get_by_role("button", name="Set up rota").click()
    until = first + timedelta(weeks=2)
    page.get_by_label("Member").select_option(label="Alf")
    page.get_by_label("First date they cover").fill(f"{first.day}/{first.month}/{first.year}")
    page.get_by_label("Last date they cover (optional)").fill(
        f"{until.day}/{until.month}/{until.year}"
    )
    page.get_by_role("button", name="Add to rota").click()
    assert page.locator("#gap-count").inner_text() == "1 gap"
    expect(page.get_by_text("The member has been added to the rota")).to_be_visible()
    check_accessibility(page)
    page.goto(f"{live_server.url}/time-bank/reports/")
    assert page.locator("#total-time").inner_text() == "2 hours"
    check_accessibility(page)
    page.get_by_label("From (YYYY-MM-DD)").fill("2026-02-30")
    page.get_by_role("button", name="Show").click()
    assert page.title().startswith("Error:")
    check_accessibility(page)
    page.goto(f"{live_server.url}/time-bank/import/")
    check_accessibility(page)
    page.goto(f"{live_server.url}/time-bank/tokens/")
    check_accessibility(page)
    page.goto(f"{live_server.url}/time-bank/offers/")
    check_accessibility(page)
    assert Member.objects.filter(status="approved").count() == 2
