"""Journey (issue 18): a commissioner builds an SROI for the lunch club from platform data (the
time bank's hours and the wellbeing the outcomes app measured) plus two typed proxies, reads the
sensitivity table, downloads the XLSX and the CSV, sees the project in the portfolio matrix and
tries a scenario; a person records support they could not find in their plan; a provider sees the
gap-in-the-market page for their neighbourhood (plans, time bank, searches) and its open data; a
coordinator offers the gap as a theme to a participatory budgeting round, whose page shows it.
axe and the 320px check on every page."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from accounts.models import User
from accounts.roles import Role
from budgets import services as budgets_services
from budgets.models import PlanOutcome
from directory.models import Neighbourhood
from directory.tests import factories as f
from e2e.conftest import check_accessibility
from evidence import services as evidence_services
from outcomes import services as outcome_services
from outcomes.measures import registry
from outcomes.models import Profile
from participation.tests import factories as pf
from timebank import services as timebank_services
from timebank.models import Request
from timebank.tests import factories as tb

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password"


@pytest.fixture
def area() -> Neighbourhood:
    hood = f.neighbourhood("Eastfield")
    a, b, c = tb.member(), tb.member(), tb.member()
    tb.exchange(a, b, 120)
    tb.exchange(c, b, 60)
    items = [item.id for item in registry().get("swemwbs").items]
    for _ in range(6):
        person = f.user()
        Profile.objects.create(person=person, counts_in_aggregates=True)
        for value, days in ((3, 40), (4, 1)):
            outcome_services.record_answers(
                person=person,
                actor=person,
                measure_id="swemwbs",
                answers=dict.fromkeys(items, value),
                answered_on=outcome_services.today() - dt.timedelta(days=days),
            )
    for i in range(5):
        timebank_services.create_request(
            member=tb.member(), title=f"Shopping {i}", category=None, neighbourhood=hood
        )
    Request.objects.update(created_at=timezone.now() - dt.timedelta(days=30))
    for _ in range(5):
        evidence_services.record_search_demand("dementia cafe", 0, "Eastfield")
    for _ in range(4):  # the fifth is recorded on the page by Pat
        could_not_find(f.user(Role.PERSON), hood)
    f.user(Role.COMMISSIONER, username="cam")
    f.user(Role.PROVIDER, username="prue")
    f.user(Role.COORDINATOR, username="cora")
    pat = f.user(Role.PERSON, username="pat")
    plan = budgets_services.start_plan(person=pat, actor=pat)
    budgets_services.set_neighbourhood(plan=plan, actor=pat, neighbourhood=hood)
    budgets_services.add_outcome(
        plan=plan, actor=pat, text="Eat with other people", wellbeing=["participation"]
    )
    return hood


def could_not_find(person: User, hood: Neighbourhood) -> None:
    plan = budgets_services.start_plan(person=person, actor=person)
    budgets_services.set_neighbourhood(plan=plan, actor=person, neighbourhood=hood)
    outcome = budgets_services.add_outcome(
        plan=plan, actor=person, text="Eat with others", wellbeing=["participation"]
    )
    budgets_services.add_line(
        outcome=outcome, actor=person, kind="not_found", description="Lunch", need="meals"
    )


def sign_in(page: Page, live_server: LiveServer, username: str) -> None:
    page.goto(f"{live_server.url}/account/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_commissioner_builds_an_sroi_from_platform_data(
    page: Page, live_server: LiveServer, area: Neighbourhood
) -> None:
    sign_in(page, live_server, "cam")
    page.goto(f"{live_server.url}/evidence/")
    check_accessibility(page)
    page.get_by_role("link", name="Start an SROI project").click()
    check_accessibility(page)
    # A mistake first: the GOV.UK error pattern with the field named.
    page.get_by_label("Project name").fill("")
    page.get_by_role("button", name="Save").click()
    assert page.title().startswith("Error:")
    check_accessibility(page)
    page.get_by_label("Project name").fill("Lunch club")
    page.get_by_role("button", name="Save").click()
    check_accessibility(page)

    page.get_by_role("link", name="add time-bank hours counted by the platform").click()
    check_accessibility(page)
    today = timezone.localdate()
    page.get_by_label("From (YYYY-MM-DD)").fill((today - dt.timedelta(days=7)).isoformat())
    page.get_by_label("To (YYYY-MM-DD)").fill(today.isoformat())
    page.get_by_label("Value of an hour in pounds").fill("12.00")
    page.get_by_label("Where the hourly value comes from").fill("Area's volunteer rate (fictional)")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("180 minutes in 2 confirmed exchanges").count() == 1

    page.get_by_role("link", name="Add an input").click()
    page.get_by_label("What went in").fill("Council grant")
    page.get_by_label("Money", exact=True).check()
    page.get_by_label("Who put it in").select_option("adult_social_care")
    page.get_by_label("Amount in pounds").fill("1000.00")
    page.get_by_label("Where this figure comes from").fill("Grant letter")
    page.get_by_role("button", name="Save").click()

    # The wellbeing the outcomes app measured, with a typed proxy.
    page.get_by_role("link", name="Add an outcome").click()
    check_accessibility(page)
    page.get_by_text("Count the people whose wellbeing improved").click()
    page.get_by_role("link", name="Short Warwick-Edinburgh Mental Wellbeing Scale").click()
    assert page.get_by_label("How many", exact=True).input_value() == "6"
    page.get_by_label("What changed").fill("Members feel better")
    page.get_by_label("Financial proxy: value in pounds").fill("500.00")
    page.get_by_label("Financial proxy: price year").fill(str(today.year))
    page.get_by_label("Financial proxy: where the value comes from").fill("Typed proxy one")
    page.get_by_label("Deadweight", exact=True).fill("20%")
    page.get_by_label("Where the deadweight comes from").fill("Comparison")
    page.get_by_label("Attribution", exact=True).fill("25%")
    page.get_by_label("Where the attribution comes from").fill("Members' view")
    page.get_by_label("Who gains the value").select_option("people_and_families")
    page.get_by_label("Non-cashable", exact=False).check()
    page.get_by_role("button", name="Save").click()

    # A second typed proxy.
    page.get_by_role("link", name="Add an outcome").click()
    page.get_by_label("What changed").fill("Fewer GP visits")
    page.get_by_label("For whom").fill("NHS")
    page.get_by_label("How you know (the indicator)").fill("Appointments avoided")
    page.get_by_label("How many", exact=True).fill("10")
    page.get_by_label("Where the number comes from").fill("Practice records")
    page.get_by_label("Financial proxy: value in pounds").fill("42.00")
    page.get_by_label("Financial proxy: price year").fill(str(today.year))
    page.get_by_label("Financial proxy: where the value comes from").fill("Typed proxy two")
    page.get_by_label("Deadweight", exact=True).fill("10%")
    page.get_by_label("Where the deadweight comes from").fill("Practice")
    page.get_by_label("Attribution", exact=True).fill("50%")
    page.get_by_label("Where the attribution comes from").fill("Practice")
    page.get_by_label("Who gains the value").select_option("nhs")
    page.get_by_label("Non-cashable", exact=False).check()
    page.get_by_role("button", name="Save").click()
    check_accessibility(page)

    # 6 x 500 x 0.8 x 0.75 = 1,800 and 10 x 42 x 0.9 x 0.5 = 189, each / 1.035, over £1,036 in.
    assert page.get_by_role("heading", name="Sensitivity").count() == 1
    assert page.get_by_text("£1921.74").count() >= 1  # present value
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the report as a spreadsheet (XLSX)").click()
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    assert "Sensitivity" in book.sheetnames
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the same tables as CSV").click()
    assert "Summary,Present value,1921.74" in download.value.path().read_text()

    page.goto(f"{live_server.url}/evidence/")
    check_accessibility(page)
    assert page.get_by_role("heading", name="Who invests and who gains").count() == 1
    assert page.get_by_role("rowheader", name="Council adult social care").count() == 1

    # A scenario: the lunch club at twice its size.
    page.get_by_role("link", name="Try scenarios").click()
    check_accessibility(page)
    page.get_by_label("Scale of Lunch club").fill("2")
    page.get_by_role("button", name="Work out the scenario").click()
    check_accessibility(page)
    assert page.get_by_text("Present value changes by +£1,921.74").count() == 1


def test_person_records_what_they_could_not_find(
    page: Page, live_server: LiveServer, area: Neighbourhood
) -> None:
    outcome = PlanOutcome.objects.get(plan__person__username="pat")
    sign_in(page, live_server, "pat")
    page.goto(
        f"{live_server.url}/support-plan/plan/{outcome.plan_id}/outcomes/{outcome.pk}/support/"
    )
    check_accessibility(page)
    page.get_by_role("link", name="I looked for something and could not find it").click()
    check_accessibility(page)
    page.get_by_role("button", name="Add to my plan").click()
    assert page.title().startswith("Error:")
    check_accessibility(page)
    page.get_by_label("Meals and food").check()
    page.get_by_label("What did you look for?").fill("A lunch club I can walk to")
    page.get_by_role("button", name="Add to my plan").click()
    check_accessibility(page)
    assert page.get_by_text("Could not find this").count() >= 1
    # Now 5 plans in Eastfield: the gap page shows the count, never Pat's words.
    page.goto(f"{live_server.url}/evidence/gap-in-the-market/?neighbourhood=Eastfield")
    assert page.locator("#gap-plans").get_by_role("cell", name="5").count() == 1
    assert page.get_by_text("A lunch club I can walk to").count() == 0


def test_coordinator_offers_a_gap_as_a_pb_theme(
    page: Page, live_server: LiveServer, area: Neighbourhood
) -> None:
    could_not_find(f.user(Role.PERSON), area)
    round_ = pf.round_(title="Eastfield community fund")
    sign_in(page, live_server, "cora")
    page.goto(f"{live_server.url}/evidence/gap-in-the-market/?neighbourhood=Eastfield")
    check_accessibility(page)
    page.locator("#gap-plans").get_by_role("link", name="Offer as a theme").click()
    check_accessibility(page)
    page.get_by_label("Participatory budgeting round").select_option(label=round_.title)
    assert page.get_by_label("Theme", exact=True).input_value() == "Meals and food in Eastfield"
    page.get_by_role("button", name="Offer the theme").click()
    check_accessibility(page)
    assert page.get_by_role("heading", name="Themes for ideas").count() == 1
    assert page.get_by_text("5 support plans recorded that the person could not find").count() == 1


def test_provider_sees_the_gap_in_their_neighbourhood(
    page: Page, live_server: LiveServer, area: Neighbourhood
) -> None:
    could_not_find(f.user(Role.PERSON), area)
    sign_in(page, live_server, "prue")
    page.goto(f"{live_server.url}/evidence/gap-in-the-market/")
    check_accessibility(page)
    page.get_by_label("Neighbourhood").select_option("Eastfield")
    page.get_by_role("button", name="Show").click()
    check_accessibility(page)
    assert page.get_by_text("dementia cafe").count() == 1
    assert page.get_by_role("cell", name="5").count() >= 1
    assert page.locator("#gap-plans").get_by_role("cell", name="5").count() == 1
    page.get_by_role("link", name="About the open data").click()
    check_accessibility(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="The gap in the market (CSV)").click()
    text = download.value.path().read_text()
    assert "plans,Meals and food,Eastfield,5," in text and "Open Government Licence" in text
