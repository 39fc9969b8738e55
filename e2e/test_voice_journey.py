"""Journey (issue 15): a carer gives feedback on a service asking not to be named to the
provider; an independent moderator removes personal details and publishes it; the provider
acknowledges and responds promising a change; the carer confirms the change was made; the
"You said, we did" board shows it. Another item goes overdue and is escalated and shown as
overdue. A quality check with three experts by experience: each scores on their own, the
provider assesses itself, the report shows the combined scores and the gap, and each expert's
time credits are issued once; two of them are paired for the visit. axe-core and the 320 px reflow check run on every page."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.roles import Role
from directory.tests import factories as f
from e2e.conftest import check_accessibility
from timebank import selectors as timebank_selectors
from timebank.tests import factories as tb
from voice import services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password"


def _london(y: int, m: int, d: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hour, minute, second, tzinfo=ZoneInfo("Europe/London"))


def sign_in(page: Page, live_server: LiveServer, username: str) -> None:
    page.goto(f"{live_server.url}/account/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/account/sign-out/")
    page.get_by_role("button", name="Sign out").click()


def test_carer_feedback_to_confirmed_change(page: Page, live_server: LiveServer) -> None:
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


def test_overdue_feedback_is_escalated_and_shown_publicly(
    page: Page, live_server: LiveServer
) -> None:
    """A complaint received on Monday 2 November 2026 must be acknowledged by Thursday 5
    November (3 working days) and answered by Thursday 19 November (10 more): by any later day
    it is overdue. The daily escalation marks it once and emails the commissioners.

    The clock is frozen with time-machine (the live server runs in this process, so its pages
    read the frozen clock too); nothing is given a date. The commissioner signs in before the
    clock is frozen, so the browser's session cookie expires by the real clock."""
    org = f.organization(name="Hillside Homecare")
    svc = f.service(organization_=org, name="Hillside Home Visits")
    moderator = f.user(Role.MODERATOR, username="mo")
    f.user(Role.COMMISSIONER, username="cy", email="commissioner@example.org")
    with time_machine.travel(_london(2026, 11, 2, 9, 30), tick=False):
        feedback = services.submit_feedback(
            about="service",
            service_id=str(svc.pk),
            kind="complaint",
            given_as="self",
            text="Nobody came on Friday.",
            identity="anonymous",
        )
        services.moderate(
            feedback=feedback,
            moderator=moderator,
            decision="published",
            reason="No personal details",
            published_text="Nobody came for a visit on a Friday.",
        )
    assert feedback.acknowledge_by == dt.date(2026, 11, 5)
    assert feedback.respond_by == dt.date(2026, 11, 19)
    sign_in(page, live_server, "cy")
    mail.outbox.clear()
    with time_machine.travel(_london(2026, 11, 5, 23, 59, 59), tick=False):  # the last moment
        call_command("escalate_overdue_feedback")
        assert not [m for m in mail.outbox if "overdue" in m.subject]
        page.goto(f"{live_server.url}/feedback/stories/{feedback.reference}/")
        expect(page.locator("main")).not_to_contain_text("Overdue")
    with time_machine.travel(_london(2026, 11, 6, 0, 0), tick=False):  # the deadline has passed
        call_command("escalate_overdue_feedback")
        call_command("escalate_overdue_feedback")  # a second run: not escalated again
        escalations = [m for m in mail.outbox if "overdue" in m.subject]
        assert len(escalations) == 1 and escalations[0].to == ["commissioner@example.org"]
        page.goto(f"{live_server.url}/feedback/stories/{feedback.reference}/")
        expect(page.locator("main")).to_contain_text("Overdue")
        check_accessibility(page)
        page.goto(f"{live_server.url}/feedback/overdue/")
        expect(page.locator("main")).to_contain_text(f"{feedback.reference}: A complaint about")
        expect(page.locator("main")).to_contain_text("respond by 19 November 2026; escalated")
        check_accessibility(page)


def score_all(page: Page, answer: str) -> None:
    for theme in (
        "Wellbeing and independence",
        "Information and advice",
        "Active and supportive communities",
        "Flexible and integrated care and support",
        "When things need to change",
        "Workforce: the people who support me",
    ):
        page.get_by_role("group", name=theme).get_by_label(answer, exact=True).check()


def test_quality_check_by_three_experts(page: Page, live_server: LiveServer) -> None:
    org = f.organization(name="Riverside Care")
    f.service(organization_=org, name="Riverside Day Centre")
    provider = f.provider_user(org)
    moderator = f.user(Role.MODERATOR, username="mo")
    coordinator = tb.coordinator()
    tb.member(kind="group", name="Borough Voice", by=coordinator)
    experts = [tb.member(by=coordinator, name=f"Expert person {n}") for n in range(3)]
    before = [timebank_selectors.balance_of(m) for m in experts]
    for member in experts[1:]:  # the first is registered through the page below
        services.register_expert(
            lead=moderator,
            who=member.user.username,
            recruited_from="time_bank",
            training="Quality checker training",
            trained_on=dt.date(2026, 10, 1),
        )

    sign_in(page, live_server, "mo")
    page.goto(f"{live_server.url}/feedback/checks/")
    check_accessibility(page)
    page.get_by_role("link", name="Register of trained experts by experience").click()
    check_accessibility(page)
    page.get_by_label("Username or email address").fill(experts[0].user.username)
    page.get_by_role("button", name="Register").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select where the expert was recruited from"
    )
    check_accessibility(page)
    page.get_by_label("The People's Panel").check()
    page.get_by_label("Training they completed").fill("Quality checker training")
    page.get_by_label("Date they finished the training").fill("2026-10-01")
    page.get_by_role("button", name="Register").click()
    expect(page.locator("main")).to_contain_text(
        f"{experts[0].user.get_full_name()}: Quality checker training, 1 October 2026 "
        "(The People's Panel)"
    )
    check_accessibility(page)
    page.goto(f"{live_server.url}/feedback/checks/")
    page.get_by_role("button", name="Plan a quality check").click()
    check_accessibility(page)
    page.get_by_label("A service or provider in the directory").check()
    page.get_by_role("button", name="Plan the check").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the name of the service being checked"
    )
    check_accessibility(page)
    page.get_by_label("Name of the service (if a service)").fill("Riverside Day Centre")
    page.get_by_label("Date of the visit").fill("2026-11-10")
    page.get_by_label("Each expert's time, in minutes").fill("180")
    page.get_by_label("Time bank organisation that thanks experts").select_option(
        label="Borough Voice"
    )
    page.get_by_role("button", name="Plan the check").click()
    expect(page.locator("h1")).to_contain_text("Riverside Day Centre")
    check_accessibility(page)
    reference = page.url.rstrip("/").split("/")[-2]
    for member in experts:
        page.get_by_label("Expert's username or email address").fill(member.user.username)
        page.get_by_label("Time credits from the time bank").check()
        page.get_by_role("button", name="Add expert").click()
    expect(page.locator("main")).to_contain_text("Expert C")
    # Experts visit in pairs: pairing one person with themselves is refused on the page.
    names = [member.user.get_full_name() or member.user.username for member in experts]
    page.get_by_label("First expert").select_option(label=f"Expert A: {names[0]}")
    page.get_by_label("Second expert").select_option(label=f"Expert A: {names[0]}")
    page.get_by_label("Date of their visit").fill("2026-11-10")
    page.get_by_label("Place or part of the service they visit").fill("Day room and lunch")
    page.get_by_role("button", name="Pair for this visit").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("cannot be paired with themselves")
    check_accessibility(page)
    page.get_by_label("Second expert").select_option(label=f"Expert B: {names[1]}")
    page.get_by_role("button", name="Pair for this visit").click()
    expect(page.locator("table")).to_contain_text(
        f"Expert A ({names[0]}) and Expert B ({names[1]})"
    )
    expect(page.locator("table")).to_contain_text("10 November 2026")
    check_accessibility(page)
    page.get_by_label("Summary of what the experts found").fill("Too early")
    page.get_by_role("button", name="Publish the report").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("At least 3 experts")
    check_accessibility(page)
    sign_out(page, live_server)

    for member, answer in zip(experts, ["4 – Mostly", "4 – Mostly", "3 – Partly"], strict=True):
        sign_in(page, live_server, member.user.username)
        page.goto(f"{live_server.url}/feedback/checks/")
        check_accessibility(page)
        page.get_by_role("link", name="Score Riverside Day Centre").click()
        check_accessibility(page)
        if answer.startswith("3"):  # one expert first sends an incomplete form
            page.get_by_role("button", name="Send my scores").click()
            expect(page.locator(".govuk-error-summary")).to_contain_text(
                "Select a score for ‘Wellbeing and independence’"
            )
            check_accessibility(page)
        score_all(page, answer)
        page.get_by_role("button", name="Send my scores").click()
        expect(page.locator("main")).to_contain_text("Scores sent")
        check_accessibility(page)
        sign_out(page, live_server)

    sign_in(page, live_server, provider.username)
    page.goto(f"{live_server.url}/feedback/checks/")
    page.get_by_role("link", name="Give your self-assessment for Riverside Day Centre").click()
    check_accessibility(page)
    score_all(page, "5 – Fully")
    page.get_by_role("button", name="Save self-assessment").click()
    check_accessibility(page)
    sign_out(page, live_server)

    sign_in(page, live_server, "mo")
    page.goto(f"{live_server.url}/feedback/checks/{reference}/manage/")
    expect(page.locator("main")).to_contain_text("3 of 3 experts have sent their scores")
    page.get_by_label("Summary of what the experts found").fill(
        "A warm welcome; people were not always asked what they wanted."
    )
    page.get_by_role("button", name="Publish the report").click()
    expect(page.locator("main")).to_contain_text("3.7")
    expect(page.locator("main")).to_contain_text("Strong agreement")
    expect(page.locator("main")).to_contain_text("1.3 higher than the experts")
    check_accessibility(page)
    # A second publish (the page resent) issues nothing more.
    page.goto(f"{live_server.url}/feedback/checks/{reference}/manage/")
    check_accessibility(page)
    sign_out(page, live_server)
    after = [timebank_selectors.balance_of(m) for m in experts]
    assert [a - b for a, b in zip(after, before, strict=True)] == [180, 180, 180]

    sign_in(page, live_server, provider.username)
    page.goto(f"{live_server.url}/feedback/checks/{reference}/")
    page.get_by_role("link", name="Respond to this report").click()
    check_accessibility(page)
    page.get_by_label("Your response to the report").fill("We will ask people at every visit.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text("We will ask people at every visit.")
    check_accessibility(page)
    page.goto(f"{live_server.url}/feedback/open-data/checks.json")
    assert "Expert person" not in page.content()


def test_coproduction_workshop_recorded_and_change_shown(
    page: Page, live_server: LiveServer
) -> None:
    f.user(Role.COMMISSIONER, username="cy")
    sign_in(page, live_server, "cy")
    page.goto(f"{live_server.url}/feedback/coproduction/")
    check_accessibility(page)
    for held_on, rung in (("2026-06-01", "3. Informing"), ("2026-12-01", "5. Engagement")):
        page.goto(f"{live_server.url}/feedback/coproduction/")
        page.get_by_role("button", name="Record a workshop").click()
        check_accessibility(page)
        if rung.startswith("3"):
            page.get_by_role("button", name="Save the self-assessment").click()
            expect(page.locator(".govuk-error-summary")).to_contain_text(
                "Select where co-delivery is on the ladder"
            )
            check_accessibility(page)
        page.get_by_label("Organisation or project").fill("The whole area")
        page.get_by_label("Date of the workshop").fill(held_on)
        page.get_by_label("Who took part").fill("6 people who use services, 3 staff")
        for kind in ("Co-commissioning", "Co-design", "Co-delivery", "Co-assessment"):
            page.get_by_role("group", name=f"{kind}: where on the ladder").get_by_label(
                rung, exact=False
            ).check()
            page.get_by_role("group", name=f"{kind}: impact").get_by_label("High").check()
            page.get_by_role("group", name=f"{kind}: effort").get_by_label("Low").check()
        page.get_by_role("button", name="Save the self-assessment").click()
        expect(page.locator("h1")).to_contain_text("The whole area")
        check_accessibility(page)
    expect(page.locator("main")).to_contain_text("Up 2 rungs")
    expect(page.locator("main")).to_contain_text("Quick win: start here")
