"""Journey: a new person creates an account, completes their self-assessment with their sister (who
joins through an invitation link and adds her own words), gets an explained indicative budget and a
charge, writes a plan that buys a directory service and time bank hours, has it agreed after one
change request, records payments and downloads a statement; the broker records the first review
and the person records the next one herself; she chooses which emails she gets and stops one kind
from the link in an email without signing in.
axe-core runs on every page, and the public calculator and the plan are checked on a phone-sized
screen."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.models import NotificationPreference, User
from accounts.roles import Role
from directory.tests import factories as f
from e2e.conftest import check_accessibility
from wellbeing_hub.notifications import unsubscribe_token

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password"


@pytest.fixture
def area() -> dict[str, Any]:
    hood = f.neighbourhood("Millbrook", "52.010000", "-1.010000")
    org = f.organization(name="Millbrook Makers CIC")
    f.service(
        name="Saturday craft morning",
        organization_=org,
        at=hood,
        days="SA",
        cost="12.50",
        accepts_personal_budgets=True,
    )
    sister = f.user(Role.CARER, username="ana", display_name="Ana")
    broker = f.user(Role.BROKER, username="bea", display_name="Bea the broker")
    f.user(Role.COORDINATOR, username="cora", display_name="Cora the coordinator")
    return {"sister": sister, "broker": broker}


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


ANSWERS = [
    "I need hands-on help with most tasks, more than once a day",
    "Help with shopping or planning meals",
    "Help with heavier housework or occasional moving",
    "Someone with me for some activities each week",
    "Help to find or start something",
    "None / not applicable",
    "Someone to check on me or a telecare alarm",
    "Help with complicated decisions or paperwork",
]


def test_new_person_plans_support_with_family_and_gets_it_agreed(
    page: Page, live_server: LiveServer, area: dict[str, Any]
) -> None:
    # How much might I pay? - public, no account, checked on a phone.
    page.set_viewport_size({"width": 375, "height": 800})
    go(page, live_server, "/support-plan/how-much-might-i-pay/")
    page.get_by_role("button", name="Work out what I might pay").click()
    expect(page.get_by_role("link", name="Enter your age")).to_be_visible()
    check_accessibility(page)
    # Questions only for care homes show only when "In a care home" is chosen.
    expect(page.get_by_label("Value of your home")).to_be_hidden()
    page.get_by_label("In a care home").check()
    expect(page.get_by_label("Value of your home")).to_be_visible()
    page.get_by_label("At home or in the community").check()
    expect(page.get_by_label("Value of your home")).to_be_hidden()
    page.get_by_label("Your age").fill("70")
    page.get_by_role("group", name="Do you live with a partner?").get_by_label("No").check()
    page.get_by_label("Weekly cost of your care").fill("200")
    page.get_by_label("State Pension", exact=True).fill("221.20")
    page.get_by_label("Attendance Allowance, lower rate").fill("73.90")
    page.get_by_label("Savings and investments (total)").fill("16000")
    page.get_by_role("button", name="Work out what I might pay").click()
    assert "You might pay £69.50 a week" in page.locator("#charge-result").inner_text()
    summary = page.locator("#charge-summary").inner_text()
    assert "What counts" in summary and "What is protected" in summary
    assert "Tariff income" in page.locator("#charge-steps").inner_text()
    assert "Provisional" in page.content() and "PROVISIONAL" not in page.content()
    assert "minimum_income_guarantee" not in page.locator("main").inner_text()
    check_accessibility(page)
    page.set_viewport_size({"width": 1100, "height": 900})

    # A new person creates an account and starts their self-assessment.
    go(page, live_server, "/account/create-account/")
    page.get_by_label("Your name").fill("Rosa")
    page.get_by_label("Choose a username").fill("rosa")
    page.get_by_label("Email address").fill("rosa@example.org")
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("link", name="Your support").first.click()
    check_accessibility(page)
    page.get_by_role("button", name="Start your self-assessment").click()
    check_accessibility(page)
    assessment_url = page.url

    # Asking for the budget too early: the GOV.UK error pattern, with the questions to answer.
    page.get_by_role("button", name="Work out my indicative budget").click()
    assert page.title().startswith("Error: ")
    check_accessibility(page)
    page.locator(".govuk-error-summary").get_by_role("link").click()
    expect(page.locator("#still-to-do")).to_contain_text("Answer every question")
    page.get_by_role("link", name="Go back to the questions").click()

    # One domain per page, with help text; an empty answer is an error.
    page.get_by_role("link", name="Looking after yourself").click()
    check_accessibility(page)
    expect(page.get_by_text("Think about washing, bathing")).to_be_visible()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("link", name="Choose the answer that fits best")).to_be_visible()
    check_accessibility(page)
    for number, answer in enumerate(ANSWERS):
        page.get_by_label(answer, exact=True).check()
        if number == 0:
            page.get_by_label("Some of it").check()
            page.get_by_label("In my own words").fill(
                "Mornings are hard; my sister helps me dress."
            )
        page.get_by_role("button", name="Save and continue").click()
    check_accessibility(page)  # About me
    page.get_by_label("What I can offer").fill("I knit hats for the hospital.")
    page.get_by_label("Who supports me").fill("My sister Ana comes three times a week.")
    page.get_by_label("Caring is sustainable").check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("Your answers have been saved")).to_be_visible()

    # Invite her sister with a link.
    page.get_by_role("link", name="Invite someone to help").click()
    check_accessibility(page)
    page.get_by_label("Their name").fill("Ana")
    page.get_by_role("group", name="Who are they to you?").last.get_by_label("Family").check()
    page.get_by_role("button", name="Create an invitation link").click()
    link = page.get_by_label("Invitation link").input_value()
    check_accessibility(page)
    sign_out(page, live_server)

    sign_in(page, live_server, "ana")
    page.goto(link)
    check_accessibility(page)
    page.get_by_role("button", name="Accept and continue").click()
    check_accessibility(page)
    page.get_by_label("What is it about?").select_option(
        label="Looking after yourself: washing, dressing, using the toilet"
    )
    page.get_by_label("What would you like to add?").fill(
        "Rosa also needs help at night when she is unwell."
    )
    page.get_by_role("button", name="Add this").click()
    expect(page.get_by_text("Rosa also needs help at night")).to_be_visible()
    check_accessibility(page)
    go(page, live_server, assessment_url.removeprefix(live_server.url))
    expect(page.get_by_text("Rosa also needs help at night")).to_be_visible()
    go(page, live_server, "/support-plan/")
    sign_out(page, live_server)

    # Back as Rosa: her sister's words are attributed; work out the budget.
    sign_in(page, live_server, "rosa")
    page.goto(assessment_url)
    check_accessibility(page)
    expect(page.get_by_text("Rosa also needs help at night")).to_be_visible()
    expect(
        page.locator(".hub-thread-message").filter(has_text="Ana").filter(has_text="(Family)")
    ).to_be_visible()
    page.get_by_role("button", name="Work out my indicative budget").click()
    check_accessibility(page)
    explanation = page.locator("#budget-explanation").inner_text()
    assert "Each point is worth" in explanation and "Total:" in explanation
    weekly = page.locator("#budget-result h2").inner_text()
    assert weekly.endswith("a week")
    assert "illustrative-ras" not in page.locator("main").inner_text()
    budget_url = page.url

    # The plan: an outcome, a directory service and time bank hours.
    page.get_by_role("link", name="Plan how to use your budget").click()
    check_accessibility(page)
    page.get_by_role("button", name="Start your plan").click()
    check_accessibility(page)
    page.get_by_role("link", name="Add an outcome").click()
    check_accessibility(page)
    page.get_by_label("What do you want to achieve?").fill(
        "I want to meet people and make things on Saturdays."
    )
    page.get_by_label("Family, friends and relationships").check()
    page.get_by_label("Work, learning, training or things I enjoy doing").check()
    page.get_by_role("button", name="Save and continue").click()
    check_accessibility(page)  # how will this be met?
    page.get_by_role("link", name="A service from the directory").click()
    check_accessibility(page)
    page.get_by_label("What are you looking for?").fill("craft")
    page.get_by_role("button", name="Search").click()
    check_accessibility(page)
    page.get_by_role("link", name="Saturday craft morning").click()
    check_accessibility(page)
    expect(page.get_by_text("£12.50 per session")).to_be_visible()
    page.get_by_label("How many times a week?").fill("1")
    page.get_by_role("button", name="Add to my plan").click()
    check_accessibility(page)  # the plan with a service line
    outcome_card = page.locator(".govuk-summary-card").first
    outcome_card.get_by_role("link", name="Add support").click()
    check_accessibility(page)
    page.get_by_role("link", name="Time bank hours").click()
    check_accessibility(page)
    page.get_by_label("What help would you like from the time bank?").fill(
        "A lift to the craft morning"
    )
    page.get_by_label("Hours").fill("1")
    page.get_by_label("Minutes").select_option("30")
    page.get_by_role("button", name="Add to my plan").click()
    check_accessibility(page)
    expect(page.get_by_text("1 hour 30 minutes").first).to_be_visible()

    # Her contribution (financial assessment) attached to the plan.
    page.get_by_role("link", name="Work out your contribution").click()
    check_accessibility(page)
    page.get_by_label("At home or in the community").check()
    page.get_by_label("Your age").fill("70")
    page.get_by_role("group", name="Do you live with a partner?").get_by_label("No").check()
    page.get_by_label("State Pension", exact=True).fill("221.20")
    page.get_by_role("button", name="Work out what I might pay").click()
    # is_visible() does not wait, and the answer arrives on the next page: wait for it.
    expect(page.locator("#charge-result")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name="Back to the plan").click()
    page.get_by_role("link", name="Neighbourhood").click()
    check_accessibility(page)
    page.get_by_role("link", name="Back", exact=True).click()

    page.get_by_role("link", name="Send my plan for agreement").click()
    check_accessibility(page)
    page.get_by_role("button", name="Send for agreement").click()
    assert page.locator("#plan-status").inner_text() == "Waiting for agreement"
    plan_url = page.url
    sign_out(page, live_server)

    # A coordinator puts Rosa on Bea's caseload: a broker opens only the records of their caseload.
    sign_in(page, live_server, "cora")
    go(page, live_server, "/support-plan/caseloads/")
    check_accessibility(page)
    page.get_by_label("The person (username or email address)").fill("rosa")
    page.get_by_label("Their practitioner (username or email address)").fill("bea")
    page.get_by_role("button", name="Add to the caseload").click()
    expect(page.get_by_role("cell", name="Bea the broker", exact=True)).to_be_visible()
    sign_out(page, live_server)

    # The broker asks for one change, with a reason Rosa sees.
    sign_in(page, live_server, "bea")
    go(page, live_server, "/support-plan/")  # the broker's home: plans waiting
    page.goto(plan_url)
    check_accessibility(page)
    main = page.locator("main").inner_text()
    assert "Rosa's contribution" in main and "Your contribution" not in main
    go(page, live_server, assessment_url.removeprefix(live_server.url))
    go(page, live_server, budget_url.removeprefix(live_server.url))
    page.goto(plan_url)
    page.get_by_role("link", name="Version 1").click()
    check_accessibility(page)
    page.goto(plan_url)
    page.get_by_role("link", name="Agree or ask for a change").click()
    check_accessibility(page)
    page.get_by_label("Change asked for").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("link", name="Explain what needs to change and why")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("What needs to change, and why").fill(
        "Please add how you will get home afterwards."
    )
    page.get_by_role("button", name="Record decision").click()
    sign_out(page, live_server)

    sign_in(page, live_server, "rosa")
    page.goto(plan_url)
    check_accessibility(page)
    assert (
        "Please add how you will get home afterwards."
        in page.locator("#change-request").inner_text()
    )
    page.locator(".govuk-summary-card").first.get_by_role("link", name="Add support").click()
    page.get_by_role("link", name="Family and friends, a community group").click()
    check_accessibility(page)
    page.get_by_label("Family and friends (unpaid)").check()
    page.get_by_label("What will happen?").fill("Ana drives me home")
    page.get_by_label("Who will do it?").fill("Ana")
    page.get_by_role("button", name="Add to my plan").click()
    page.get_by_role("link", name="Send my plan for agreement").click()
    page.get_by_role("button", name="Send for agreement").click()
    sign_out(page, live_server)

    sign_in(page, live_server, "bea")
    page.goto(plan_url)
    page.get_by_role("link", name="Agree or ask for a change").click()
    page.get_by_label("Agreed").check()
    page.get_by_role("button", name="Record decision").click()
    assert page.locator("#plan-status").inner_text() == "Agreed"
    page.get_by_role("link", name="Open the budget account").click()
    check_accessibility(page)
    page.get_by_label("Direct payment (you manage the money)").check()
    page.get_by_role("button", name="Open the account").click()
    check_accessibility(page)
    expect(page.get_by_text("Rosa's contribution paid in")).to_be_visible()
    warning = page.locator("#spend-warning").inner_text()
    assert "Balance now:" in warning and " = " in warning

    # The first review: the broker records it with Rosa, after one specific error.
    page.goto(plan_url)
    page.get_by_role("link", name="Record the review").click()
    check_accessibility(page)
    page.get_by_role("button", name="Record the review").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose how the plan is working")
    check_accessibility(page)
    page.get_by_label("The plan is working: keep it as it is").check()
    page.get_by_label("What did the review find?").fill(
        "Rosa goes every Saturday and Ana drives her home."
    )
    page.get_by_label("Who took part? (optional)").fill("Rosa, Ana and Bea")
    page.get_by_label("In 12 months").check()
    page.get_by_role("button", name="Record the review").click()
    expect(page.locator("#plan-reviews")).to_contain_text("Rosa goes every Saturday")
    check_accessibility(page)
    expect(page.get_by_role("button", name="Change my plan")).to_have_count(0)
    sign_out(page, live_server)

    # Rosa records a payment and her contribution, and downloads her statement.
    sign_in(page, live_server, "rosa")
    page.goto(plan_url)
    page.set_viewport_size({"width": 375, "height": 800})
    check_accessibility(page)
    page.set_viewport_size({"width": 1100, "height": 900})
    page.get_by_role("link", name="Budget account").click()
    check_accessibility(page)
    page.get_by_label("A payment for support").check()
    page.get_by_label("Who was paid, or who paid it back?").fill("Millbrook Makers CIC")
    page.get_by_label("Amount").fill("12.50")
    page.get_by_label("Note (optional)").fill("Craft morning")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_text("This has been recorded")).to_be_visible()
    page.get_by_label("My contribution paid in").check()
    page.get_by_label("Amount").fill("5.00")
    page.get_by_role("button", name="Record").click()
    check_accessibility(page)
    statement = page.locator("#statement").inner_text()
    assert "Payment: Millbrook Makers CIC" in statement and "-£12.50" in statement
    with page.expect_download() as download:
        page.get_by_role("link", name="Download this statement (CSV)").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text())))
    assert rows[0][0] == "date"
    assert any(row[3] == "Millbrook Makers CIC" and row[5] == "-12.50" for row in rows)

    # Rosa records her own review (a supported self-review), in words for her, after one error.
    page.goto(plan_url)
    page.get_by_role("link", name="Record the review").click()
    expect(page.get_by_role("heading", name="Review your support plan")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name="Record the review").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose how the plan is working")
    check_accessibility(page)
    page.get_by_label("Some of my support needs to change").check()
    page.get_by_label("What did you find?").fill("I would like to go on Wednesdays too.")
    page.get_by_label("Who helped you with this review? (optional)").fill("Ana")
    page.get_by_label("In 6 months").check()
    page.get_by_role("button", name="Record the review").click()
    expect(page.locator("#plan-reviews")).to_contain_text("I would like to go on Wednesdays too.")
    expect(page.locator("#review-outcome")).to_contain_text("Change my plan")
    check_accessibility(page)

    # The agreed plan prints cleanly and downloads as a PDF.
    page.goto(plan_url)
    page.get_by_role("link", name="Print this plan").click()
    check_accessibility(page)
    expect(page.locator("#plan-print-facts")).to_contain_text("Rosa")
    page.emulate_media(media="print")
    expect(page.locator(".govuk-service-navigation")).to_be_hidden()
    expect(page.locator(".govuk-back-link")).to_be_hidden()
    expect(page.get_by_text("I want to meet people and make things on Saturdays.")).to_be_visible()
    page.emulate_media(media="screen")
    with page.expect_download() as pdf:
        page.get_by_role("link", name="download it as a PDF").click()
    assert pdf.value.path().read_bytes().startswith(b"%PDF-")
    go(page, live_server, "/support-plan/")  # Rosa's task list

    # And all her data.
    go(page, live_server, "/account/your-data/")
    with page.expect_download() as data:
        page.get_by_role("button", name="Download my data").click()
    text = data.value.path().read_text()
    assert "support_plan" in text and "I knit hats for the hospital." in text

    # Rosa chooses which emails she gets (issue 13), after one specific error.
    go(page, live_server, "/account/")
    page.get_by_role("link", name="Choose which emails you get").click()
    check_accessibility(page)
    page.get_by_label("None of these").check()  # unticks the others (the exclusive option)
    page.get_by_label("None of these").uncheck()
    page.get_by_role("button", name="Save your choices").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the emails you want")
    check_accessibility(page)
    page.get_by_label("Your support plan: agreed, or changes asked for").check()
    page.get_by_role("button", name="Save your choices").click()
    expect(page.get_by_text("Your email choices have been saved.")).to_be_visible()
    expect(page.get_by_label("Your support plan: agreed, or changes asked for")).to_be_checked()
    expect(
        page.get_by_label("Your receipt code when you vote on how money is spent")
    ).not_to_be_checked()
    check_accessibility(page)
    sign_out(page, live_server)

    # The link in an email's footer stops one kind without signing in.
    rosa = User.objects.get(username="rosa")
    page.goto(
        live_server.url
        + reverse("accounts:unsubscribe", args=[unsubscribe_token([rosa.pk], "support_plan")])
    )
    check_accessibility(page)
    page.get_by_role("button", name="Stop these emails").click()
    expect(page.get_by_role("heading", name="Emails stopped")).to_be_visible()
    check_accessibility(page)
    assert NotificationPreference.objects.get(user=rosa, kind="support_plan").email is False
