"""Journey (issue 17, befriending): a person asks for a befriender; the coordinator records a
volunteer's checks and is refused a match while the second reference is missing (the gap named),
then records it and proposes; the befriender and the person each agree, and only then does the
match start; the befriender logs a visit with a concern; the person ends the match well, with a
reason, a planned last meeting and feedback, and the ended match is kept. axe-core and the 320 px
reflow check run on every page."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.roles import Role
from befriending import services
from befriending.models import Match
from directory.tests import factories as f
from e2e.conftest import check_accessibility

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


def record_check(page: Page, kind: str, day: str) -> None:
    page.get_by_label(kind, exact=True).check()
    page.get_by_label("Date of the check").fill(day)
    page.get_by_role("button", name="Record check").click()
    check_accessibility(page)


def test_befriending_match_and_its_ending_with_checks_enforced(
    page: Page, live_server: LiveServer
) -> None:
    f.user(Role.COORDINATOR, username="cody", display_name="Cody Ordinator")
    vera = f.user(Role.PERSON, username="vera", display_name="Vera Volunteer")
    f.user(Role.PERSON, username="pat", display_name="Pat Person")
    services.apply_to_volunteer(
        user=vera,
        name="Vera Volunteer",
        interests=["gardening"],
        languages=["English"],
        places=["Millbrook"],
        times=["thu-pm"],
    )
    today = timezone.localdate().strftime("%d/%m/%Y")

    sign_in(page, live_server, "pat")
    page.goto(f"{live_server.url}/befriending/")
    check_accessibility(page)
    page.get_by_role("link", name="Ask for a befriender").click()
    check_accessibility(page)
    page.get_by_role("button", name="Send").click()  # nothing entered: the error pattern
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter what you would like from a befriender"
    )
    check_accessibility(page)
    page.get_by_label("What would you like from a befriender?").fill("A chat about gardening")
    page.get_by_label("Your interests (optional)").fill("gardening, birds")
    page.get_by_label("Area where you would like to meet (optional)").fill("Millbrook")
    page.get_by_label("Thursday afternoon").check()
    page.get_by_role("button", name="Send").click()
    expect(page.locator("main")).to_contain_text("You asked for a befriender")
    check_accessibility(page)
    sign_out(page, live_server)

    sign_in(page, live_server, "cody")
    page.goto(f"{live_server.url}/account/")
    expect(page.locator("main")).to_contain_text("People waiting for a befriender")
    page.goto(f"{live_server.url}/befriending/coordinate/")
    check_accessibility(page)
    page.get_by_role("link", name="Vera Volunteer").click()
    expect(page.locator("#gaps")).to_contain_text("Enhanced DBS check: none on record.")
    check_accessibility(page)
    record_check(page, "Enhanced DBS check", today)
    record_check(page, "Reference", today)
    record_check(page, "Befriending training", today)
    expect(page.locator("#gaps")).to_contain_text("Second reference: none on record.")

    page.goto(f"{live_server.url}/befriending/coordinate/")
    page.get_by_role("link", name="Pat Person").click()
    expect(page.locator("main")).to_contain_text("Who cannot befriend Pat Person")
    check_accessibility(page)
    page.get_by_label("Vera Volunteer").check()
    page.get_by_role("button", name="Propose this match").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Vera Volunteer cannot be matched: Checks not complete: Second reference: none on record."
    )
    check_accessibility(page)
    assert not Match.objects.exists()

    page.goto(f"{live_server.url}/befriending/coordinate/")
    page.get_by_role("link", name="Vera Volunteer").click()
    record_check(page, "Reference", today)
    expect(page.locator("#gaps")).to_contain_text("Checks complete")
    page.goto(f"{live_server.url}/befriending/coordinate/")
    page.get_by_role("link", name="Pat Person").click()
    expect(page.locator(".govuk-summary-card").first).to_contain_text(
        "Shares 1 interest: gardening."
    )
    page.get_by_label("Vera Volunteer").check()
    page.get_by_role("button", name="Propose this match").click()
    expect(page.locator("#stage")).to_contain_text("Asking both sides")
    check_accessibility(page)
    match_url = page.url
    sign_out(page, live_server)

    sign_in(page, live_server, "vera")
    page.goto(match_url)
    check_accessibility(page)
    page.get_by_role("button", name="Yes, I agree").click()
    expect(page.locator("main")).to_contain_text("waiting for the other side")
    expect(page.locator("#stage")).to_contain_text("Asking both sides")  # one yes is not enough
    check_accessibility(page)
    sign_out(page, live_server)

    sign_in(page, live_server, "pat")
    page.goto(f"{live_server.url}/befriending/")
    page.get_by_role("link", name="Your befriender Vera Volunteer").click()
    check_accessibility(page)
    page.get_by_role("button", name="Yes, I agree").click()
    expect(page.locator("#stage")).to_contain_text("Meeting")
    check_accessibility(page)
    sign_out(page, live_server)

    sign_in(page, live_server, "vera")
    page.goto(match_url)
    page.get_by_label("Date").fill(today)
    page.get_by_label("Met in person").check()
    page.get_by_label("How long, in minutes?").fill("75")
    page.get_by_label("Notes (optional)").fill("Looked at the bird feeders in the garden.")
    page.get_by_label("Anything worrying you about the person? (optional)").fill(
        "The back step is loose."
    )
    page.get_by_role("button", name="Log contact").click()
    expect(page.locator("table")).to_contain_text("Looked at the bird feeders")
    check_accessibility(page)
    sign_out(page, live_server)

    sign_in(page, live_server, "pat")
    page.goto(match_url)
    expect(page.locator("main")).not_to_contain_text("The back step is loose")  # for staff
    page.get_by_role("link", name="End this match").click()
    check_accessibility(page)
    page.get_by_label("The person is moving or going into care").check()
    page.get_by_role("button", name="End the match").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the date of the last meeting to say goodbye"
    )
    check_accessibility(page)
    page.get_by_label("Date of the last meeting to say goodbye").fill(today)
    page.get_by_label("How did it go? (optional)").fill("Vera was lovely. Thank you.")
    page.get_by_role("button", name="End the match").click()
    expect(page.locator("main")).to_contain_text("Vera was lovely")
    expect(page.locator("main")).to_contain_text("the person is moving or going into care")
    check_accessibility(page)
    sign_out(page, live_server)

    sign_in(page, live_server, "cody")
    page.goto(match_url)
    expect(page.locator("main")).to_contain_text("The back step is loose")
    check_accessibility(page)
    page.get_by_role("button", name="Mark as read").click()
    expect(page.locator("main")).to_contain_text("Read by the coordinator")
    check_accessibility(page)

    match = Match.objects.get()
    assert (match.stage, match.ended_by, match.end_reason) == ("ended", "person", "person_moving")
    assert match.contacts.count() == 1  # kept, with the match
