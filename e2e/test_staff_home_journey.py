"""Journey (issue 13): each member of staff signs in and lands on their own home page of what
needs doing (broker, coordinator, commissioner, provider, a follow-up team member, and someone
with several roles), with counts, deadlines and links to where the work is done; a resident still
lands on their own account page. axe and the 320px reflow check run on every page visited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.roles import Role
from accounts.services import grant_role
from accounts.tests.test_staff_home import proposed_plan
from budgets.models import CaseTeam, PlanReview
from budgets.tests import helpers as budget_helpers
from directory import services as directory_services
from directory.tests import factories as f
from e2e.conftest import check_accessibility
from outcomes import services as outcome_services
from participation.tests import factories as pb
from timebank import services as timebank_services
from timebank.tests import factories as tb

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password"


@pytest.fixture
def area() -> dict[str, Any]:
    today = timezone.localdate()
    people: dict[str, Any] = {}
    # Broker: a plan to agree and an overdue review.
    broker = f.user(Role.BROKER, username="bea", display_name="Bea the broker")
    people["broker"] = broker
    pat = f.user(username="pat", display_name="Pat Okafor")
    people["plan"] = proposed_plan(pat, broker)
    sam_plan = budget_helpers.agreed_plan(
        f.user(display_name="Sam Whitworth-Llewellyn-Abernathy"), broker
    )
    PlanReview.objects.filter(plan=sam_plan).update(due_on=today - dt.timedelta(days=4))
    people["review_plan"] = sam_plan
    # Coordinator: an application, a request nobody answered, a listing change and a review.
    coordinator = f.user(Role.COORDINATOR, username="cora", display_name="Cora")
    people["coordinator"] = coordinator
    people["applicant"] = tb.member(approved=False, name="Ada Applicant")
    asker = tb.member(name="Rae")
    people["request"] = timebank_services.create_request(
        member=asker, title="A lift to the eye clinic on Thursdays", category=None
    )
    svc = f.service(name="Knit and natter")
    provider = f.provider_user(svc.organization)
    provider.username = "prue"
    provider.save()
    people["provider"] = provider
    directory_services.propose_listing_change(
        author=provider, service=svc, changes={"description": "Wool, tea and talk every week."}
    )
    directory_services.submit_review(
        author=f.user(), service=svc, rating=5, body="Lovely people.", used_service_on="June"
    )
    directory_services.send_enquiry(
        person=pat, service=svc, subject="Is there step-free access?", body="I use a wheelchair."
    )
    # Commissioner: a PB round with ideas to check.
    commissioner = f.user(Role.COMMISSIONER, username="cam", display_name="Cam")
    people["commissioner"] = commissioner
    dates = {
        "ideas_open": today - dt.timedelta(days=5),
        "ideas_close": today + dt.timedelta(days=9),
        "pitches_open": today + dt.timedelta(days=20),
        "voting_open": today + dt.timedelta(days=30),
        "voting_close": today + dt.timedelta(days=40),
    }
    people["round"] = pb.round_(commissioner, title="Green streets", dates=dates)
    pb.idea(people["round"])
    # A follow-up team member with someone to contact.
    team = CaseTeam.objects.create(name="Gut health team")
    nurse = f.user(Role.BROKER, username="nia", display_name="Nia")
    team.members.add(nurse)
    people["nurse"] = nurse
    follow_up = outcome_services.start_follow_up(
        person=pat,
        actor=coordinator,
        team=team,
        measure_id="swemwbs",
        value_id="metric",
        threshold=Decimal("17"),
        reminder_days=14,
        response_days=2,
    )
    outcome_services.report(follow_up=follow_up, actor=pat, answers=None, contact_me=True)
    # Someone with several roles.
    several = f.user(Role.BROKER, username="sev", display_name="Sev")
    grant_role(several, Role.COORDINATOR)
    grant_role(several, Role.COMMISSIONER)
    directory_services.add_member(organization=svc.organization, user=several)
    people["several"] = several
    people["resident"] = pat
    # The roles added for connecting people and the independent voice.
    for role, username in (
        (Role.LINK_WORKER, "lin"),
        (Role.SHARED_LIVES_WORKER, "sam"),
        (Role.MODERATOR, "mo"),
    ):
        people[username] = f.user(role, username=username, display_name=username.title())
    return people


def sign_in(page: Page, live_server: LiveServer, username: str) -> None:
    page.goto(f"{live_server.url}/account/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def sign_out(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/account/sign-out/")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def lands_on_home(page: Page, live_server: LiveServer) -> None:
    assert page.url == f"{live_server.url}{reverse('accounts:home')}"
    expect(page.get_by_role("heading", level=1)).to_have_text("What needs doing")
    check_accessibility(page)


def task(page: Page, label: str) -> Locator:
    return page.locator(f'[data-task="{label}"]')


def test_each_role_lands_on_what_needs_doing(
    page: Page, live_server: LiveServer, area: dict[str, Any]
) -> None:
    today = timezone.localdate()

    sign_in(page, live_server, "bea")
    lands_on_home(page, live_server)
    plans = task(page, "Plans to agree")
    expect(plans.locator("[data-count]")).to_have_attribute("data-count", "1")
    expect(plans.get_by_role("link", name="Pat Okafor's support plan")).to_have_attribute(
        "href", reverse("budgets:plan-decide", args=[area["plan"].pk])
    )
    reviews = task(page, "Reviews due")
    expect(reviews.locator("[data-overdue]")).to_have_attribute("data-overdue", "1")
    expect(reviews).to_contain_text(f"{today - dt.timedelta(days=4):%-d %B %Y}")
    sign_out(page, live_server)

    sign_in(page, live_server, "cora")
    lands_on_home(page, live_server)
    expect(
        task(page, "Applications to join").get_by_role("link", name="Ada Applicant")
    ).to_have_attribute("href", reverse("timebank:member", args=[area["applicant"].pk]))
    expect(task(page, "Requests nobody has answered").locator("[data-count]")).to_have_attribute(
        "data-count", "1"
    )
    expect(
        task(page, "Listing changes to publish or refuse").locator("[data-count]")
    ).to_have_attribute("data-count", "1")
    expect(task(page, "Reviews to moderate").locator("[data-count]")).to_have_attribute(
        "data-count", "1"
    )
    sign_out(page, live_server)

    sign_in(page, live_server, "cam")
    lands_on_home(page, live_server)
    main = page.locator("main").inner_text()
    assert "Support plans" in main and "Time exchanged in the last year" in main
    assert "Enquiries a provider answered" in main
    assert "Pat Okafor" not in main  # aggregates only
    rounds = task(page, "Green streets (Ideas)")
    expect(rounds).to_contain_text(f"Ideas close: {today + dt.timedelta(days=9):%-d %B %Y}")
    expect(rounds.get_by_role("link", name="Green streets (Ideas)")).to_have_attribute(
        "href", reverse("participation:round-manage", args=[area["round"].slug])
    )
    sign_out(page, live_server)

    sign_in(page, live_server, "prue")
    lands_on_home(page, live_server)
    expect(task(page, "Enquiries to answer").locator("[data-count]")).to_have_attribute(
        "data-count", "1"
    )
    expect(task(page, "Listing changes waiting for a coordinator")).to_contain_text(
        "Waiting for review"
    )
    sign_out(page, live_server)

    sign_in(page, live_server, "nia")
    lands_on_home(page, live_server)
    work = task(page, "Follow-up: people to contact")
    expect(work.locator("[data-count]")).to_have_attribute("data-count", "1")
    expect(work.get_by_role("link", name="Follow-up: people to contact")).to_have_attribute(
        "href", reverse("outcomes:worklist")
    )
    sign_out(page, live_server)

    sign_in(page, live_server, "sev")
    lands_on_home(page, live_server)
    for key in ("broker", "timebank", "moderation", "commissioning", "rounds", "provider"):
        expect(page.locator(f'[data-section="{key}"]')).to_have_count(1)
    sign_out(page, live_server)

    for username, key in (("lin", "connect"), ("sam", "sharedlives"), ("mo", "voice-moderation")):
        sign_in(page, live_server, username)
        lands_on_home(page, live_server)
        expect(page.locator(f'[data-section="{key}"]')).to_have_count(1)
        sign_out(page, live_server)

    # A resident keeps their own page.
    sign_in(page, live_server, "pat")
    assert page.url == f"{live_server.url}{reverse('accounts:home')}"
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    check_accessibility(page)
