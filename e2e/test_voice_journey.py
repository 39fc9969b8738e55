"""Journey (issue 15): a carer gives feedback on a service asking not to be named to the
provider; an independent moderator removes personal details and publishes it; the provider
acknowledges and responds promising a change; the carer confirms the change was made; the
"You said, we did" board shows it. axe-core and the 320 px reflow check run on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from directory.tests import factories as f
from e2e.conftest import check_accessibility

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password"


def sign_in(page, live_server, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/account/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page, live_server) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/account/sign-out/")
    page.get_by_role("button", name="Sign out").click()


def test_carer_feedback_to_confirmed_change(page, live_server) -> None:  # type: ignore[no-untyped-def]
    org = f.organization(name="Riverside Care")
    svc = f.service(organization_=org, name="Riverside Day Centre")
    provider = f.provider_user(org)
    f.user(Role.MODERATOR, username="mo", display_name="Mo the moderator")
    f.user(Role.CARER, username="cara", display_name="Cara Carington")

    sign_in(page, live_server, "cara")
    page.goto(f"{live_server.url}/feedback/give/?service={svc.pk}")
    check_accessibility(page)
    page.get_by_role("button", name="Continue").click()  # nothing chosen: the error pattern
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select what kind of feedback")
    check_accessibility(page)
    page.get_by_label("A concern").check()
    page.get_by_role("button", name="Continue").click()
    check_accessibility(page)
    page.get_by_label("As a carer or family member").check()
    page.get_by_role("button", name="Continue").click()
    check_accessibility(page)
    page.get_by_label("Tell us what happened").fill(
        "Cara Carington here. My dad waited two hours for his lunch on Tuesday."
    )
    page.get_by_role("button", name="Continue").click()
    check_accessibility(page)
    page.get_by_label("Use my name, but do not tell the provider who I am").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_contain_text("Check your answers")
    check_accessibility(page)
    page.get_by_role("button", name="Send feedback").click()
    expect(page.locator("h1")).to_contain_text("Feedback sent")
    check_accessibility(page)
    sign_out(page, live_server)

    sign_in(page, live_server, "mo")
    page.goto(f"{live_server.url}/feedback/moderation/")
    check_accessibility(page)
    page.get_by_role("link", name="about Riverside Day Centre").click()
    expect(page.locator("main")).to_contain_text("Cara Carington")  # moderators see who it is
    check_accessibility(page)
    page.get_by_label("Publish as a story").check()
    page.get_by_label("Text to publish").fill("My dad waited two hours for his lunch.")
    page.get_by_label("Themes (optional)").fill("food, waiting")
    page.get_by_label("Reason for your decision").fill("Removed the carer's name and the day")
    page.get_by_role("button", name="Save decision").click()
    check_accessibility(page)
    sign_out(page, live_server)

    sign_in(page, live_server, provider.username)
    page.goto(f"{live_server.url}/feedback/respond/")
    check_accessibility(page)
    page.get_by_role("link", name="about Riverside Day Centre").click()
    expect(page.locator("main")).to_contain_text("Withheld")
    expect(page.locator("main")).not_to_contain_text("Carington")
    check_accessibility(page)
    page.get_by_label("Acknowledgement").fill("Thank you. We are looking into lunchtimes.")
    page.get_by_role("button", name="Send acknowledgement").click()
    check_accessibility(page)
    page.get_by_label("Your full response").fill("We are sorry. Lunch was short-staffed.")
    page.get_by_label("A change you promise to make (optional)").fill(
        "A second member of staff at lunchtime"
    )
    page.get_by_role("button", name="Send response").click()
    check_accessibility(page)
    sign_out(page, live_server)

    sign_in(page, live_server, "cara")
    page.goto(f"{live_server.url}/feedback/yours/")
    expect(page.locator("main")).to_contain_text("Change promised")
    check_accessibility(page)
    page.get_by_role("button", name="Confirm this change was made").click()
    expect(page.locator("main")).to_contain_text("Change made")
    check_accessibility(page)

    page.goto(f"{live_server.url}/feedback/changes/")
    expect(page.locator("main")).to_contain_text("A second member of staff at lunchtime")
    expect(page.locator("main")).to_contain_text("confirmed by the person who gave the feedback")
    check_accessibility(page)
    page.goto(f"{live_server.url}/feedback/about/service/{svc.pk}/")
    expect(page.locator("main")).to_contain_text("My dad waited two hours")
    expect(page.locator("main")).not_to_contain_text("Carington")
    check_accessibility(page)
    page.goto(f"{live_server.url}/feedback/statistics/")
    check_accessibility(page)
