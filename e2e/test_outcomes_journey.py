"""Journey (issue 16): a person answers ONS4 and SWEMWBS at the start of support (a missing
SWEMWBS answer is refused on its question), sets a goal in three steps with their daughter as a
supporter, reviews it twice, and sees the chart with reliable change marked and its data table.
axe-core checks every page; the record, the answer form and the chart also fit a 320 px screen.
A second journey: a coordinator puts a person on self-reported follow-up, her report crosses the
threshold, and the team sees her on its worklist with the reply-by date. The goal works towards an
outcome of her support plan, and her broker's review of the plan shows the change. A third: the
coordinator loads licensed wording on its page, Pat lets her daughter Sam help and hold the pen,
and Sam records Pat's answers (under the loaded wording) and writes a goal recorded as hers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.roles import Role
from budgets.tests import helpers
from directory.tests import factories as f
from e2e.conftest import check_accessibility
from rules.outcomes import default_registry

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password"
SWEMWBS_TOPICS = [
    "Optimistic about the future",
    "Feeling useful",
    "Feeling relaxed",
    "Dealing with problems well",
    "Thinking clearly",
    "Feeling close to other people",
    "Able to make up own mind",
]


def fits_320(page: Page) -> None:
    page.set_viewport_size({"width": 320, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1100, "height": 900})
    assert width <= 320, f"{page.url} is {width}px wide at a 320px viewport"


def test_person_measures_sets_a_goal_with_their_daughter_and_sees_reliable_change(
    page: Page, live_server: LiveServer
) -> None:
    pat = f.user(username="pat", display_name="Pat")
    broker = f.user(Role.BROKER, username="bea", display_name="Bea the broker")
    # Pat's support plan was agreed three months ago, with Bea as her broker; its review is due.
    plan = helpers.agreed_plan(pat, broker)
    type(plan).objects.filter(pk=plan.pk).update(created_at=timezone.now() - dt.timedelta(days=90))
    today = dt.date.today()
    page.goto(f"{live_server.url}/account/sign-in/")
    page.get_by_label("Username").fill("pat")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"{live_server.url}/outcomes/")
    expect(page.get_by_role("heading", name="Your outcome record")).to_be_visible()
    check_accessibility(page)
    fits_320(page)

    # ONS4 at the start: open wording.
    page.get_by_role("link", name="Answer ONS personal well-being (ONS4)").click()
    expect(page.get_by_text("Your starting point")).to_be_visible()
    check_accessibility(page)
    fits_320(page)
    for question, answer in [
        ("Overall, how satisfied are you with your life nowadays?", "5"),
        (
            "Overall, to what extent do you feel that the things you do in your life are worthwhile?",
            "6",
        ),
        ("Overall, how happy did you feel yesterday?", "4"),
        ("overall, how anxious did you feel yesterday?", "6"),
    ]:
        group = page.get_by_role("group", name=question)
        group.get_by_label(answer, exact=True).check()
    page.get_by_role("button", name="Save answers").click()
    expect(page.get_by_text("answers saved")).to_be_visible()
    check_accessibility(page)

    # SWEMWBS at the start: topic labels and the licence notice; a missing item is refused.
    page.goto(f"{live_server.url}/outcomes/")
    page.get_by_role("link", name="Answer Short Warwick-Edinburgh").click()
    expect(page.get_by_text("licensed wording").first).to_be_visible()
    for topic in SWEMWBS_TOPICS[:-1]:
        page.get_by_role("group", name=topic).get_by_label("3", exact=True).check()
    page.get_by_role("button", name="Save answers").click()
    expect(page.get_by_role("link", name="Answer 'able to make up own mind'")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("group", name=SWEMWBS_TOPICS[-1]).get_by_label("3", exact=True).check()
    page.get_by_role("button", name="Save answers").click()
    expect(page.get_by_role("cell", name="19.25")).to_be_visible()
    check_accessibility(page)

    # A goal in three steps, with her daughter as supporter.
    page.goto(f"{live_server.url}/outcomes/")
    page.get_by_role("link", name="Set a goal").click()
    check_accessibility(page)
    page.get_by_label("What is your goal, in your own words?").fill("Go back to my Tuesday choir")
    page.get_by_role("group", name="How close are you to your goal today?").get_by_label(
        "2", exact=True
    ).check()
    page.get_by_label("Date you started").fill((today - dt.timedelta(days=60)).isoformat())
    page.get_by_role("group", name="Which outcome in your support plan").get_by_label(
        "“Get out to the craft club”"
    ).check()
    steps = ["Find out when the choir meets", "Go along with Sam", "Go on my own"]
    for n, step in enumerate(steps, start=1):
        page.get_by_label(f"Step {n}", exact=True).fill(step)
        page.get_by_label(f"Who will help with step {n}?").fill("my daughter Sam")
        page.get_by_label(f"Date for step {n}").fill((today + dt.timedelta(days=7 * n)).isoformat())
    page.get_by_role("button", name="Save goal").click()
    expect(page.get_by_text("Goal saved")).to_be_visible()
    expect(page.get_by_role("cell", name="my daughter Sam")).to_have_count(3)
    check_accessibility(page)

    # Two reviews: 4 a month ago, then 7 today (5 points from the start: reliable).
    for days, score in [(30, "4"), (0, "7")]:
        page.get_by_role("link", name="Review this goal").click()
        check_accessibility(page)
        page.get_by_role("group", name="How close are you to your goal now?").get_by_label(
            score, exact=True
        ).check()
        page.get_by_label("Date of this review").fill((today - dt.timedelta(days=days)).isoformat())
        page.get_by_role("button", name="Save review").click()
        expect(page.get_by_text("Review saved")).to_be_visible()

    # The chart marks the reliable change; the table says it in words.
    expect(page.locator("svg[role=img] polygon")).to_have_count(1)
    expect(page.get_by_role("cell", name="Reliable improvement")).to_have_count(1)
    expect(page.get_by_text("Reliable improvement").first).to_be_visible()
    check_accessibility(page)
    fits_320(page)

    # The broker's review of the plan starts from what Pat scored.
    sign_out(page, live_server)
    sign_in(page, live_server, "bea")
    page.goto(f"{live_server.url}/support-plan/plan/{plan.pk}/review/")
    changes = page.locator("#review-outcome-changes")
    expect(changes).to_contain_text(
        "Goal “Go back to my Tuesday choir” (towards “Get out to the craft club”): 2 to 7 out of 10"
        " – reliable improvement since the start"
    )
    check_accessibility(page)
    fits_320(page)


def sign_in(page: Page, live_server: LiveServer, username: str) -> None:
    page.goto(f"{live_server.url}/account/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/account/sign-out/")
    page.get_by_role("button", name="Sign out").click()


def test_self_reported_follow_up_past_threshold_reaches_the_worklist(
    page: Page, live_server: LiveServer
) -> None:
    from accounts.roles import Role
    from budgets.models import CaseTeam

    pat = f.user(username="pat", display_name="Pat")
    f.user(Role.COORDINATOR, username="cora", display_name="Cora")
    nurse = f.user(Role.BROKER, username="nia", display_name="Nia")
    CaseTeam.objects.create(name="Gut health team").members.add(nurse)

    # The coordinator puts Pat on self-reported follow-up.
    sign_in(page, live_server, "cora")
    page.goto(f"{live_server.url}/outcomes/people/{pat.pk}/follow-up/")
    check_accessibility(page)
    page.get_by_label("Team", exact=True).select_option(label="Gut health team")
    page.get_by_label("Scale and value the threshold is on").select_option(value="swemwbs:metric")
    page.get_by_label("Threshold", exact=True).fill("17")
    page.get_by_label("Remind them if they have not reported").fill("28")
    page.get_by_label("The team replies within this many days").fill("2")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Pat is on self-reported follow-up")).to_be_visible()
    check_accessibility(page)
    sign_out(page, live_server)

    # Pat reports when she chooses; her answers are past the threshold.
    sign_in(page, live_server, "pat")
    page.goto(f"{live_server.url}/outcomes/")
    page.get_by_role("link", name="Tell us how you are").click()
    check_accessibility(page)
    for topic in SWEMWBS_TOPICS:
        page.get_by_role("group", name=topic).get_by_label("2", exact=True).check()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Your report is saved")).to_be_visible()
    check_accessibility(page)
    sign_out(page, live_server)

    # The team sees her on the worklist with a reply-by deadline.
    sign_in(page, live_server, "nia")
    page.goto(f"{live_server.url}/outcomes/worklist/")
    row = page.get_by_role("row").filter(has_text="Pat")
    expect(row).to_contain_text("Answers past the threshold")
    due = (dt.date.today() + dt.timedelta(days=2)).strftime("%-d %B %Y")
    expect(row).to_contain_text(due)
    check_accessibility(page)


def test_area_loads_licensed_wording_and_family_answer_and_write_with_permission(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    """The coordinator loads the area's licensed SWEMWBS wording (test text, not the licensed
    questions) on its page; Pat lets her daughter Sam help and makes the plan family-led with Sam
    holding the pen; Sam signs in, records Pat's SWEMWBS answers (seeing the loaded wording, not
    the topics) and writes a goal that is recorded as hers."""
    pat = f.user(username="pat", display_name="Pat")
    f.user(Role.COORDINATOR, username="cora", display_name="Cora")
    f.user(Role.CARER, username="sam", display_name="Sam")
    items = default_registry().get("swemwbs").item_ids
    wording_file = tmp_path / "swemwbs-wording.yaml"
    wording_file.write_text(
        "measure: swemwbs\nwording:\n"
        + "".join(f'  {i}: "Area question {n}"\n' for n, i in enumerate(items, start=1)),
        encoding="utf-8",
    )

    sign_in(page, live_server, "cora")
    page.goto(f"{live_server.url}/outcomes/")
    page.get_by_role("link", name="Licensed question wording").click()
    check_accessibility(page)
    page.get_by_label("Short Warwick-Edinburgh").check()
    page.get_by_label("Licence or registration reference").fill("Warwick registration 12345")
    page.get_by_label("Wording file (YAML)").set_input_files(str(wording_file))
    page.get_by_role("button", name="Check and load").click()
    expect(page.get_by_text("Wording loaded for")).to_be_visible()
    expect(page.get_by_text("Warwick registration 12345").first).to_be_visible()
    check_accessibility(page)
    sign_out(page, live_server)

    sign_in(page, live_server, "pat")
    page.goto(f"{live_server.url}/outcomes/people/{pat.pk}/helpers/")
    check_accessibility(page)
    page.get_by_label("Their username or email address").fill("sam")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Sam can now help with your record")).to_be_visible()
    page.get_by_role("link", name="Change who writes the plan").click()
    check_accessibility(page)
    page.get_by_label("A family member holds the pen for this plan").check()
    page.get_by_label("Yes: Sam").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Sam holds the pen").first).to_be_visible()
    check_accessibility(page)
    sign_out(page, live_server)

    sign_in(page, live_server, "sam")
    page.goto(f"{live_server.url}/outcomes/")
    check_accessibility(page)
    page.get_by_role("link", name="Pat").click()
    page.get_by_role("link", name="Answer Short Warwick-Edinburgh").click()
    expect(page.get_by_text("Area question 1")).to_be_visible()
    expect(page.get_by_text("Warwick registration 12345")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("Pat is answering: I am recording their answers").check()
    for n in range(1, 8):
        page.get_by_role("group", name=f"Area question {n}").get_by_label("3", exact=True).check()
    page.get_by_role("button", name="Save answers").click()
    expect(page.get_by_role("cell", name="19.25")).to_be_visible()
    expect(page.get_by_role("cell", name="Pat, recorded by Sam")).to_be_visible()
    check_accessibility(page)

    page.goto(f"{live_server.url}/outcomes/people/{pat.pk}/goals/new/")
    expect(page.get_by_text("recorded as written by Sam")).to_be_visible()
    page.get_by_label("What is your goal, in your own words?").fill("Cook Sunday lunch together")
    page.get_by_role("group", name="How close are you to your goal today?").get_by_label(
        "3", exact=True
    ).check()
    page.get_by_label("Step 1", exact=True).fill("Choose a recipe")
    page.get_by_role("button", name="Save goal").click()
    expect(page.get_by_text("written by Sam")).to_be_visible()
    check_accessibility(page)
