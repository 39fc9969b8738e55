"""Journey: find a Saturday activity near a neighbourhood that accepts personal budgets, read its
five answers and the provider's facts, send an enquiry, and get the provider's reply."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.roles import Role
from directory.models import Accessibility, ProviderKind, TransparencyFact
from directory.tests import factories as f
from e2e.conftest import check_accessibility

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password"


@pytest.fixture
def area() -> dict[str, Any]:
    hood = f.neighbourhood("Millbrook", "52.010000", "-1.010000")
    f.neighbourhood("Eastfield", "52.050000", "-1.100000")
    social = f.term("Social activities")
    org = f.organization(name="Millbrook Makers CIC", provider_kind=ProviderKind.SOCIAL_ENTERPRISE)
    TransparencyFact.objects.create(
        organization=org,
        fact="legal_status",
        value="Community interest company",
        confirmed_on="2026-03-01",
    )
    f.service(
        name="Saturday craft morning",
        organization_=org,
        at=hood,
        days="SA",
        cost="4.00",
        terms=[social],
        accepts_personal_budgets=True,
        eligibility_description="Adults who would like company and a cup of tea.",
        help_with_cost="Your personal budget or a direct payment can pay for it.",
        accessibility=[Accessibility.Feature.STEP_FREE],
    )
    f.service(name="Weekday craft club", at=hood, days="TU", terms=[social])
    person = f.user(username="rosa", display_name="Rosa")
    provider = f.provider_user(org)
    return {"person": person, "provider": provider}


def sign_in(page: Page, live_server: LiveServer, username: str) -> None:
    page.goto(f"{live_server.url}/account/sign-in/")
    check_accessibility(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_find_saturday_activity_enquire_and_get_a_reply(
    page: Page, live_server: LiveServer, area: dict[str, Any]
) -> None:
    page.goto(live_server.url)
    check_accessibility(page)
    page.get_by_role("link", name="Find local support").click()
    page.get_by_label("Near").select_option(label="Millbrook")
    page.get_by_label("Open on").select_option(label="Saturday")
    page.get_by_label("Accepts personal budgets or direct payments").check()
    page.get_by_role("button", name="Search").click()
    assert "1 service found near Millbrook" in page.locator("#result-count").inner_text()
    expect(page.locator(".hub-matched-day")).to_have_text("Open on Saturday: 10am to midday")
    expect(page.get_by_role("link", name="Clear filters")).to_be_visible()
    check_accessibility(page)

    page.get_by_role("link", name="Saturday craft morning").click()
    for question in [
        "What is the service?",
        "Who can get the service?",
        "How much does it cost?",
        "Can I get help with the cost?",
        "How to get in touch",
    ]:
        expect(page.get_by_role("heading", name=question)).to_be_visible()
    assert "Personal budgets: accepted" in page.content()
    check_accessibility(page)
    page.get_by_role("link", name="Millbrook Makers CIC").click()
    expect(page.get_by_text("Community interest company")).to_be_visible()
    expect(page.get_by_text("Not known").first).to_be_visible()
    check_accessibility(page)
    service_url = None
    page.go_back()
    service_url = page.url

    page.get_by_role("link", name="Send an enquiry").click()
    sign_in(page, live_server, "rosa")  # redirected to sign in first
    page.goto(service_url)
    page.get_by_role("link", name="Send an enquiry").click()
    expect(page.locator("#enquiry-route")).to_contain_text(
        "go to the staff of Millbrook Makers CIC on this site"
    )
    page.get_by_role("button", name="Send enquiry").click()  # empty: errors first
    expect(page.get_by_role("link", name="Enter your message")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("What is your enquiry about?").fill("Places this Saturday")
    page.get_by_label("Your message").fill("Is there room for me this Saturday?")
    page.get_by_role("button", name="Send enquiry").click()
    expect(page.get_by_text("Your enquiry has been sent")).to_be_visible()
    expect(page.locator(".hub-delivery")).to_contain_text(
        "Sent by email to the staff of Millbrook Makers CIC"
    )
    check_accessibility(page)
    page.goto(f"{live_server.url}/account/sign-out/")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, area["provider"].username)
    page.get_by_role("link", name="Enquiries").first.click()
    check_accessibility(page)
    page.get_by_role("link", name="Places this Saturday").click()
    page.get_by_label("Your reply").fill("Yes, we have two places. See you at 10am!")
    page.get_by_role("button", name="Send reply").click()
    page.goto(f"{live_server.url}/account/sign-out/")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, "rosa")
    page.get_by_role("link", name="Enquiries").first.click()
    page.get_by_role("link", name="Places this Saturday").click()
    expect(page.get_by_text("Yes, we have two places.")).to_be_visible()
    check_accessibility(page)


def sign_out(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/account/sign-out/")
    page.get_by_role("button", name="Sign out").click()


def test_an_enquiry_to_a_provider_with_no_email_is_passed_on_by_a_coordinator(
    page: Page, live_server: LiveServer
) -> None:
    org = f.organization(name="Allotment Friends")
    f.service(name="Community allotment", organization_=org, days="WE")
    f.user(username="rosa", display_name="Rosa")
    f.user(Role.COORDINATOR, username="cora", display_name="Cora")

    sign_in(page, live_server, "rosa")
    page.goto(f"{live_server.url}/find-support/?q=allotment")
    page.get_by_role("link", name="Community allotment").click()
    page.get_by_role("link", name="Send an enquiry").click()
    expect(page.locator("#enquiry-route")).to_contain_text(
        "to the council's directory team, who will pass it on"
    )
    check_accessibility(page)
    page.get_by_label("What is your enquiry about?").fill("A plot for next spring")
    page.get_by_label("Your message").fill("Is there a waiting list for a plot?")
    page.get_by_role("button", name="Send enquiry").click()
    expect(page.get_by_text("sent to the council's directory team")).to_be_visible()
    expect(page.locator(".hub-delivery")).to_contain_text("Waiting for a coordinator")
    check_accessibility(page)
    sign_out(page, live_server)

    sign_in(page, live_server, "cora")
    page.goto(f"{live_server.url}/find-support/moderation/")
    check_accessibility(page)
    page.get_by_role("link", name="A plot for next spring").click()
    page.get_by_role("button", name="Record that it was passed on").click()  # empty: error
    expect(page.get_by_role("link", name="Enter how you passed it on", exact=False)).to_be_visible()
    check_accessibility(page)
    page.get_by_label("How did you pass it on?").fill("Phoned the allotment secretary, 3 December")
    page.get_by_role("button", name="Record that it was passed on").click()
    expect(page.get_by_text("Recorded: the enquiry has been passed on.")).to_be_visible()
    check_accessibility(page)
    sign_out(page, live_server)

    sign_in(page, live_server, "rosa")
    page.get_by_role("link", name="Enquiries").first.click()
    page.get_by_role("link", name="A plot for next spring").click()
    expect(page.locator(".hub-delivery")).to_contain_text(
        "Passed on to Allotment Friends by the council's directory team: Phoned the allotment"
    )
    check_accessibility(page)


# --- the same directory on a real council's feed ------------------------------------------------

NORTH_LINCOLNSHIRE = "data/directory/north_lincolnshire_oruk1_services_2024-12.json"


@pytest.fixture
def real_area(shared_dir: Path) -> dict[str, Any]:
    """North Lincolnshire's ORUK 1.0 feed (738 services) imported as a council would."""
    from directory.oruk.importer import run_import

    path = shared_dir / NORTH_LINCOLNSHIRE
    if not path.is_file():
        pytest.skip("the North Lincolnshire feed is not in shared/")
    report, run = run_import([path], feed="North Lincolnshire")
    assert report.created == 738, report.errors
    coordinator = f.user(Role.COORDINATOR, username="cora", display_name="Cora")
    return {"run": run, "coordinator": coordinator}


def test_a_resident_and_a_coordinator_use_the_directory_on_real_imported_data(
    page: Page, live_server: LiveServer, real_area: dict[str, Any]
) -> None:
    page.goto(f"{live_server.url}/find-support/")
    check_accessibility(page)
    page.get_by_label("What are you looking for?").fill("dementia")
    page.get_by_role("button", name="Search").click()
    assert "found" in page.locator("#result-count").inner_text()
    assert "&lt;p&gt;" not in page.content() and "nbsp" not in page.locator("main").inner_text()
    expect(page.locator(".hub-result .govuk-tag", has_text="Free")).to_have_count(0)
    check_accessibility(page)

    page.locator(".hub-result a").first.click()
    for question in [
        "What is the service?",
        "Who can get the service?",
        "How much does it cost?",
        "Can I get help with the cost?",
        "How to get in touch",
    ]:
        expect(page.get_by_role("heading", name=question)).to_be_visible()
    main = page.locator("main").inner_text()
    assert "Not known — ask the provider" in main
    for invented in ("Free.", "Anyone.", "not accepted", "English"):
        assert invented not in main, invented
    assert "<p>" not in main
    check_accessibility(page)

    # The publisher never said anything is free: the filter finds nothing rather than guessing.
    page.goto(f"{live_server.url}/find-support/?price=free")
    assert "0 services found" in page.locator("#result-count").inner_text()
    check_accessibility(page)

    # A service with a long web address and list-formatted description still reflows.
    page.goto(f"{live_server.url}/find-support/?q=carecalls")
    page.locator(".hub-result a").first.click()
    expect(page.locator("main ul.govuk-list--bullet").first).to_be_visible()
    check_accessibility(page)

    # The coordinator sees the import, its report and what needs attention.
    sign_in(page, live_server, "cora")
    page.goto(f"{live_server.url}/find-support/moderation/")
    check_accessibility(page)
    page.get_by_role("link", name="All imports and their reports").click()
    expect(page.get_by_role("heading", name="North Lincolnshire")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name="See the report").first.click()
    expect(page.get_by_role("heading", name="Values repaired (", exact=False)).to_be_visible()
    expect(
        page.get_by_role("heading", name="To confirm with the provider (", exact=False)
    ).to_be_visible()
    assert "young.voice@northlincs.gov.uk" in page.content()
    check_accessibility(page)
