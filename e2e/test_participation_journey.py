"""Journey: a commissioner starts a community budget round, a resident suggests ideas, staff check
and cost them (one is not taken forward, with a public reason), the resident registers and votes,
staff close the vote and publish, and the downloaded .pb file recounts to the same winners. Then a
People's Panel: residents put their names forward, a commissioner draws the panel, members rank the
items and the ranking is published. axe-core checks every page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.roles import Role
from directory.tests import factories as f
from e2e.conftest import check_accessibility
from participation.models import Project, Round
from rules.pb import read_pb, tally

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password"


@pytest.fixture
def people() -> dict[str, Any]:
    f.neighbourhood("Millbrook", "52.010000", "-1.010000")
    f.neighbourhood("Eastfield", "52.050000", "-1.100000")
    return {
        "commissioner": f.user(Role.COMMISSIONER, username="kim", display_name="Kim"),
        "coordinator": f.user(Role.COORDINATOR, username="cody", display_name="Cody"),
        "resident": f.user(Role.PERSON, username="rosa", display_name="Rosa"),
        "neighbour": f.user(Role.PERSON, username="sam", display_name="Sam"),
    }


def new_page(browser: Browser) -> Page:
    context = browser.new_context(viewport={"width": 1100, "height": 900}, bypass_csp=True)
    return context.new_page()


def sign_in(page: Page, live_server: LiveServer, username: str) -> None:
    page.goto(f"{live_server.url}/account/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def go(page: Page, url: str) -> None:
    page.goto(url)
    check_accessibility(page)


def test_run_a_budget_round_end_to_end(
    page: Page, browser: Browser, live_server: LiveServer, people: dict[str, Any], tmp_path: Path
) -> None:
    base = f"{live_server.url}/have-your-say/"
    staff = page
    sign_in(staff, live_server, "kim")

    # Staff create the round.
    go(staff, base)
    staff.get_by_role("link", name="Start a new budget round").click()
    check_accessibility(staff)
    staff.get_by_label("Title").fill("Millbrook Wellbeing Fund")
    staff.get_by_label("Description").fill("Money for projects that help people stay well.")
    staff.get_by_label("Pot in pounds").fill("10000")
    staff.get_by_label("Most projects one person may choose").fill("2")
    staff.get_by_label("Greedy", exact=False).check()
    for label, day in [
        ("Ideas open", "2026-01-05"),
        ("Ideas close", "2026-02-01"),
        ("Pitches start", "2026-03-01"),
        ("Voting opens", "2026-04-01"),
        ("Voting closes", "2026-04-30"),
    ]:
        staff.get_by_label(label).fill(day)
    staff.get_by_role("button", name="Create round").click()
    expect(staff.locator("body")).to_contain_text("Millbrook Wellbeing Fund has been created")
    check_accessibility(staff)
    round_ = Round.objects.get()
    round_url = f"{base}rounds/{round_.slug}/"

    # A resident suggests two ideas.
    resident = new_page(browser)
    sign_in(resident, live_server, "rosa")
    go(resident, round_url)
    for title, what in [
        ("Carers' cafe", "A weekly cafe where carers can rest."),
        ("Fix the potholes", "Mend the roads."),
    ]:
        resident.get_by_role("link", name="Suggest an idea").click()
        check_accessibility(resident)
        resident.get_by_label("Name your idea").fill(title)
        resident.get_by_label("What would it do?").fill(what)
        resident.get_by_label("Who would benefit?").fill("People in Millbrook.")
        resident.get_by_role("button", name="Send your idea").click()
        expect(resident.locator("body")).to_contain_text("Your idea has been sent")
        check_accessibility(resident)
        resident.goto(round_url)
    cafe = Project.objects.get(title="Carers' cafe")
    potholes = Project.objects.get(title="Fix the potholes")

    # Staff move to checking and costing; a cost breakdown that does not add up is refused.
    go(staff, f"{round_url}manage/")
    staff.get_by_role("button", name="Move on to: Checking and costing").click()
    check_accessibility(staff)
    go(staff, f"{round_url}projects/{cafe.pk}/assess/")
    staff.get_by_label("Take it forward to the vote").check()
    staff.get_by_label("Total cost in pounds").fill("4000")
    staff.get_by_label("Cost breakdown").fill("Cafe costs: 2500\nSitting service: 1000")
    staff.get_by_role("button", name="Save decision").click()
    expect(staff.locator("body")).to_contain_text(
        "adds up to £3,500.00 but the project cost is £4,000.00"
    )
    check_accessibility(staff)
    staff.get_by_label("Cost breakdown").fill("Cafe costs: 2500\nSitting service: 1500")
    staff.get_by_role("button", name="Save decision").click()
    expect(staff.locator("body")).to_contain_text("Your decision on Carers' cafe has been saved")
    go(staff, f"{round_url}projects/{potholes.pk}/assess/")
    staff.get_by_label("Do not take it forward").check()
    staff.get_by_label("Public note or reason").fill("Roads are paid for from the highways budget.")
    staff.get_by_role("button", name="Save decision").click()
    staff.get_by_role("button", name="Move on to: Pitches").click()
    expect(staff.locator("body")).to_contain_text("is now at: Pitches")

    # The resident reads the refusal reason, writes a pitch and comments.
    go(resident, f"{round_url}projects/{potholes.pk}/")
    expect(resident.locator("body")).to_contain_text("Roads are paid for from the highways budget.")
    go(resident, f"{round_url}projects/{cafe.pk}/")
    expect(resident.locator("body")).to_contain_text("Cost breakdown")
    resident.get_by_role("link", name="Write or change the pitch").click()
    check_accessibility(resident)
    resident.get_by_label("Your pitch").fill("Carers need a break. Give them one.")
    resident.get_by_role("button", name="Save pitch").click()
    resident.get_by_label("Add a comment").fill("I would come every week.")
    resident.get_by_role("button", name="Add comment").click()
    expect(resident.locator("body")).to_contain_text("I would come every week.")
    check_accessibility(resident)

    # Voting opens; the resident registers and votes, and gets a receipt code.
    go(staff, f"{round_url}manage/")
    staff.get_by_role("button", name="Move on to: Voting").click()
    go(resident, round_url)
    resident.get_by_role("link", name="Register to vote in this round").click()
    check_accessibility(resident)
    resident.get_by_label("Which neighbourhood do you live in?").select_option(label="Millbrook")
    resident.get_by_label("Age group").select_option(label="35 to 49")
    resident.get_by_role("button", name="Register").click()
    expect(resident.locator("body")).to_contain_text("You are registered to vote")
    resident.get_by_role("link", name="Vote now").click()
    check_accessibility(resident)
    resident.get_by_label("Carers' cafe", exact=False).check()
    resident.get_by_role("button", name="Send my vote").click()
    expect(resident.locator("body")).to_contain_text("Your vote has been recorded")
    check_accessibility(resident)
    receipt = resident.locator("#receipt-code").inner_text().strip()

    # A neighbour votes on paper: one staff member enters it, another confirms it.
    go(staff, f"{round_url}paper/issue/")
    staff.get_by_label("Their username, if they have an account").fill("sam")
    staff.get_by_label("Neighbourhood they live in").select_option(label="Eastfield")
    staff.get_by_label("Age group").select_option(label="65 to 79")
    staff.get_by_role("button", name="Give paper ballot").click()
    expect(staff.locator("body")).to_contain_text("Paper ballot given")
    check_accessibility(staff)
    go(staff, f"{round_url}paper/enter/")
    staff.get_by_label("Number printed on the paper").fill("P-001")
    staff.get_by_label("Carers' cafe", exact=False).check()
    staff.get_by_role("button", name="Enter paper ballot").click()
    expect(staff.locator("body")).to_contain_text("A different person must now confirm it")
    coordinator = new_page(browser)
    sign_in(coordinator, live_server, "cody")
    go(coordinator, f"{round_url}paper/enter/")
    # Paper numbers are kept in one normal form (no dashes or spaces, capitals).
    coordinator.get_by_role("link", name="Paper P001").click()
    check_accessibility(coordinator)
    coordinator.get_by_role("button", name="It matches the paper: confirm").click()
    expect(coordinator.locator("body")).to_contain_text("is confirmed and will be counted")

    # Staff close the vote and publish.
    go(staff, f"{round_url}manage/")
    staff.get_by_role("button", name="Close voting").click()
    staff.get_by_role("button", name="Count and publish the results").click()
    expect(staff.get_by_role("heading", name="Results", exact=True)).to_be_visible()
    check_accessibility(staff)
    content = staff.content()
    assert "Funded" in content and "Turnout by neighbourhood" in content
    assert staff.locator("svg[role=img]").count() == 1

    # Anyone downloads the anonymised ballots and recounts them.
    with staff.expect_download() as download:
        staff.get_by_role("link", name="Download the anonymised ballots", exact=False).click()
    saved = tmp_path / "round.pb"
    download.value.save_as(saved)
    election = read_pb(saved)
    assert election.num_voters == 2
    recount = tally(election, rule="greedy", completion="none")
    funded = set(
        round_.results.get().projects.filter(selected=True).values_list("project_id", flat=True)
    )
    assert {int(pid) for pid in recount.selected} == funded == {cafe.pk}

    # The resident checks their receipt.
    go(resident, f"{round_url}receipts/")
    resident.get_by_label("Your receipt code").fill(receipt)
    resident.get_by_role("button", name="Check").click()
    expect(resident.locator("body")).to_contain_text("Your vote was counted")
    check_accessibility(resident)


def test_peoples_panel(
    page: Page, browser: Browser, live_server: LiveServer, people: dict[str, Any]
) -> None:
    base = f"{live_server.url}/have-your-say/"
    residents = [people["resident"], people["neighbour"]] + [
        f.user(Role.PERSON, username=f"resident{i}") for i in range(2)
    ]
    pages = []
    for person in residents:
        resident = new_page(browser)
        sign_in(resident, live_server, person.username)
        go(resident, base)
        resident.get_by_role("link", name="Put your name forward for a People's Panel").click()
        check_accessibility(resident)
        resident.get_by_label("Which neighbourhood do you live in?").select_option(
            label="Millbrook"
        )
        resident.get_by_label("Age group").select_option(label="50 to 64")
        resident.get_by_role("button", name="Put my name forward").click()
        pages.append(resident)

    sign_in(page, live_server, "kim")
    go(page, base)
    page.get_by_role("link", name="Set up a prioritisation panel").click()
    check_accessibility(page)
    page.get_by_label("Title").fill("Health priorities")
    page.get_by_label("What the panel is asked").fill("Which should be funded first?")
    page.get_by_label("How many people to draw").fill("4")
    page.get_by_label("Items to rank").fill("Hearing aids\nFalls classes\nCarers' breaks")
    page.get_by_role("button", name="Set up panel").click()
    check_accessibility(page)
    # The pool is published and the seed committed to (its hash shown) before the draw.
    page.get_by_role("button", name="Announce the draw").click()
    check_accessibility(page)
    expect(page.get_by_text("SHA-256").first).to_be_visible()
    page.get_by_role("button", name="Draw the panel and reveal the seed").click()
    expect(page.locator("body")).to_contain_text("The panel has been drawn")
    check_accessibility(page)
    panel_url = page.url

    for resident in pages:
        go(resident, panel_url)
        resident.get_by_role("link", name="Rank the items").click()
        check_accessibility(resident)
        resident.get_by_label("Place for Carers' breaks").select_option("1")
        resident.get_by_label("Place for Hearing aids").select_option("2")
        resident.get_by_label("Place for Falls classes").select_option("3")
        resident.get_by_role("button", name="Save my ranking").click()
        expect(resident.locator("body")).to_contain_text("Your ranking has been saved")

    go(page, panel_url)
    page.get_by_role("button", name="Publish the ranking").click()
    expect(page.locator("body")).to_contain_text("strong agreement")
    check_accessibility(page)
    first_place = page.locator("table").first.locator("tbody tr").first.inner_text()
    assert "Carers' breaks" in first_place
