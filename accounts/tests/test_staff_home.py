"""Staff home pages (issue 13): after signing in each staff role lands on what needs doing, with
counts, deadlines and links to where the work is done; residents keep their own account page."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import User
from accounts.roles import Role
from accounts.services import grant_role
from budgets import services as budget_services
from budgets.models import CaseTeam, PlanReview, SupportPlan
from budgets.tests import helpers as budget_helpers
from directory import services as directory_services
from directory.models import ListingChange
from directory.tests import factories as f
from outcomes import services as outcome_services
from outcomes import worklists as outcome_worklists
from participation.tests import factories as pb
from timebank import services as timebank_services
from timebank.tests import factories as tb

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


def sign_in(client: Client, user: User) -> Any:
    """Sign in through the form, as a person does, and follow where it lands."""
    response = client.post(
        reverse("accounts:sign-in"), {"username": user.username, "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    return response


def section(html: str, key: str) -> str:
    found = re.search(rf'<section[^>]*data-section="{key}"[^>]*>(.*?)</section>', html, re.S)
    assert found, f"no {key} section on the page"
    return found.group(1)


def task(html: str, label: str) -> str:
    """The block of one task in a section, up to the next task."""
    marker = f'data-task="{escape(label)}"'
    assert marker in html, f"no task {label!r}"
    rest = html[html.index(marker) + len(marker) :]
    end = rest.find('data-task="')
    return rest if end == -1 else rest[:end]


def count_of(block: str) -> int:
    return int(re.search(r'data-count="(\d+)"', block).group(1))  # type: ignore[union-attr]


def overdue_of(block: str) -> int:
    found = re.search(r'data-overdue="(\d+)"', block)
    return int(found.group(1)) if found else 0


def when_of(block: str) -> str:
    return re.search(r'data-when="([\d-]+)"', block).group(1)  # type: ignore[union-attr]


def proposed_plan(person: User, broker: User | None = None) -> SupportPlan:
    if broker is not None:
        budget_helpers.assign(person, broker)
    budget_helpers.budget_for(person)
    plan = budget_services.start_plan(person=person, actor=person)
    outcome = budget_services.add_outcome(
        plan=plan, actor=person, text="Get to the allotment", wellbeing=["participation"]
    )
    budget_services.add_line(
        outcome=outcome,
        actor=person,
        kind="service",
        description="",
        service=f.service(name="Allotment club", cost="5.00"),
        unit_cost=Decimal("5.00"),
        units_per_week=Decimal(1),
    )
    budget_services.propose_plan(plan=plan, actor=person)
    plan.refresh_from_db()
    return plan


# --- everyone used to land on "Your account" -----------------------------------------------------


@pytest.mark.parametrize(
    "role", [Role.BROKER, Role.COORDINATOR, Role.COMMISSIONER, Role.PROVIDER, Role.ADMINISTRATOR]
)
def test_each_staff_role_lands_on_what_needs_doing_not_your_account(
    client: Client, role: Role
) -> None:
    staff = f.user(role)
    page = sign_in(client, staff)
    assert page.redirect_chain[-1][0] == reverse("accounts:home")
    html = page.content.decode()
    assert "What needs doing" in html
    assert '<h1 class="govuk-heading-l">Your account</h1>' not in html
    assert "data-section=" in html


@pytest.mark.parametrize("role", [Role.PERSON, Role.CARER])
def test_a_resident_keeps_their_own_account_page(client: Client, role: Role) -> None:
    resident = f.user(role)
    html = sign_in(client, resident).content.decode()
    assert '<h1 class="govuk-heading-l">Your account</h1>' in html
    assert "What needs doing" not in html


def test_signed_out_visitor_is_asked_to_sign_in(client: Client) -> None:
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302 and reverse("accounts:sign-in") in response["Location"]


# --- broker --------------------------------------------------------------------------------------


def test_broker_sees_plans_to_agree_and_reviews_due_on_their_caseload(client: Client) -> None:
    broker = f.user(Role.BROKER, display_name="Bea")
    today = timezone.localdate()
    waiting = proposed_plan(f.user(display_name="Pat"), broker)
    proposed_plan(f.user(display_name="Outsider Olu"))  # not on Bea's caseload
    overdue = budget_helpers.agreed_plan(f.user(display_name="Sam"), broker)
    soon = budget_helpers.agreed_plan(f.user(display_name="Kit"), broker)
    later = budget_helpers.agreed_plan(f.user(display_name="Lee"), broker)
    PlanReview.objects.filter(plan=overdue).update(due_on=today - dt.timedelta(days=3))
    PlanReview.objects.filter(plan=soon).update(due_on=today + dt.timedelta(days=10))
    PlanReview.objects.filter(plan=later).update(due_on=today + dt.timedelta(days=90))

    html = section(sign_in(client, broker).content.decode(), "broker")

    plans = task(html, "Plans to agree")
    assert count_of(plans) == 1
    assert when_of(plans) == today.isoformat()
    assert reverse("budgets:plan-decide", args=[waiting.pk]) in plans
    assert "Pat" in plans and "Outsider Olu" not in html

    reviews = task(html, "Reviews due")
    assert count_of(reviews) == 2 and overdue_of(reviews) == 1
    assert when_of(reviews) == (today - dt.timedelta(days=3)).isoformat()
    assert reverse("budgets:plan-review", args=[overdue.pk]) in reviews
    assert reverse("budgets:plan-review", args=[soon.pk]) in reviews
    assert "Lee" not in reviews  # due in 90 days: not yet
    assert reviews.index("Sam") < reviews.index("Kit")  # soonest first
    # Each link opens the page where the work is done.
    assert client.get(reverse("budgets:plan-decide", args=[waiting.pk])).status_code == 200
    assert client.get(reverse("budgets:plan-review", args=[overdue.pk])).status_code == 200


# --- coordinator ---------------------------------------------------------------------------------


def test_coordinator_sees_applications_requests_and_the_moderation_queue(client: Client) -> None:
    coordinator = f.user(Role.COORDINATOR)
    today = timezone.localdate()
    applicant = tb.member(approved=False, name="Ada Applicant")
    asker = tb.member(name="Rae")
    helper = tb.member(name="Hal")
    lonely = timebank_services.create_request(
        member=asker, title="Lift to the clinic", category=None
    )
    answered = timebank_services.create_request(
        member=asker, title="Help with a form", category=None
    )
    timebank_services.propose_exchange(
        by=helper.user,
        giver=helper,
        receiver=asker,
        minutes=60,
        start=tb.at(days=1),
        idempotency_key=tb.key(),
        req=answered,
    )
    timebank_services.record_check(
        coordinator=coordinator,
        member=helper,
        kind="dbs_basic",
        checked_on=today - dt.timedelta(days=300),
        expires_on=today + dt.timedelta(days=5),
    )
    svc = f.service(name="Knit and natter")
    change = directory_services.propose_listing_change(
        author=f.provider_user(svc.organization), service=svc, changes={"name": "Knit, natter"}
    )
    review = directory_services.submit_review(
        author=f.user(), service=svc, rating=4, body="Friendly.", used_service_on="May"
    )

    html = sign_in(client, coordinator).content.decode()
    timebank = section(html, "timebank")
    applications = task(timebank, "Applications to join")
    assert count_of(applications) == 1 and when_of(applications) == today.isoformat()
    assert reverse("timebank:member", args=[applicant.pk]) in applications
    requests = task(timebank, "Requests nobody has answered")
    assert count_of(requests) == 1
    assert reverse("timebank:request", args=[lonely.pk]) in requests
    assert "Help with a form" not in requests
    checks = task(timebank, "Safeguarding checks expiring")
    assert count_of(checks) == 1
    assert when_of(checks) == (today + dt.timedelta(days=5)).isoformat()

    moderation = section(html, "moderation")
    changes = task(moderation, "Listing changes to publish or refuse")
    assert count_of(changes) == 1
    assert reverse("directory:moderate-change", args=[change.pk]) in changes
    reviews = task(moderation, "Reviews to moderate")
    assert count_of(reviews) == 1
    assert reverse("directory:moderate-review", args=[review.pk]) in reviews
    assert "imports" in moderation.lower()
    for url in (
        reverse("timebank:member", args=[applicant.pk]),
        reverse("timebank:request", args=[lonely.pk]),
        reverse("directory:moderate-change", args=[change.pk]),
        reverse("directory:moderate-review", args=[review.pk]),
    ):
        assert client.get(url).status_code == 200, url


def test_waiting_too_long_is_counted(client: Client) -> None:
    from timebank import worklists

    tb.member(approved=False)
    later = timezone.localdate() + dt.timedelta(days=worklists.WAITING_DAYS + 1)
    assert worklists.applications(later).overdue == 1
    assert worklists.applications(later - dt.timedelta(days=1)).overdue == 0


# --- commissioner --------------------------------------------------------------------------------


def test_commissioner_sees_aggregates_and_rounds_but_no_one_by_name(client: Client) -> None:
    commissioner = f.user(Role.COMMISSIONER)
    broker = f.user(Role.BROKER)
    proposed_plan(f.user(display_name="Pat Private"), broker)
    budget_helpers.agreed_plan(f.user(display_name="Sam Secret"), broker, weekly="40.00")
    giver, receiver = tb.member(name="Gill Giver"), tb.member(name="Ron Receiver")
    tb.exchange(giver, receiver, 90)
    svc = f.service(name="Lunch club")
    asker = f.user(display_name="Eve Enquirer")
    answered = directory_services.send_enquiry(
        person=asker, service=svc, subject="Tuesdays?", body="Is there space?"
    )
    directory_services.send_enquiry(person=asker, service=svc, subject="Fridays?", body="And?")
    directory_services.reply_to_enquiry(
        author=f.provider_user(svc.organization), enquiry=answered, body="Yes"
    )
    today = timezone.localdate()
    dates = {
        "ideas_open": today - dt.timedelta(days=5),
        "ideas_close": today + dt.timedelta(days=9),
        "pitches_open": today + dt.timedelta(days=20),
        "voting_open": today + dt.timedelta(days=30),
        "voting_close": today + dt.timedelta(days=40),
    }
    round_ = pb.round_(commissioner, title="Green streets", dates=dates)
    pb.idea(round_)
    pb.idea(round_)

    html = sign_in(client, commissioner).content.decode()
    plans = section(html, "commissioning")
    assert 'Support plans</dt><dd class="govuk-summary-list__value">2<' in plans
    assert 'Plans: waiting for agreement</dt><dd class="govuk-summary-list__value">1<' in plans
    assert 'Plans: agreed</dt><dd class="govuk-summary-list__value">1<' in plans
    assert reverse("outcomes:aggregates") in plans
    timebank = section(html, "timebank-report")
    assert "1 hour 30 minutes" in timebank or "1 hr 30 min" in timebank
    assert reverse("timebank:reports") in timebank
    enquiries = section(html, "enquiries")
    assert 'last 90 days</dt><dd class="govuk-summary-list__value">2<' in enquiries
    assert 'answered</dt><dd class="govuk-summary-list__value">1 (50%)<' in enquiries
    rounds = section(html, "rounds")
    green = task(rounds, "Green streets (Ideas)")
    assert count_of(green) == 2
    assert when_of(green) == (today + dt.timedelta(days=9)).isoformat()
    assert "Ideas close" in green
    assert reverse("participation:round-manage", args=[round_.slug]) in green
    # Least privilege: aggregates only, never a person's record.
    main = html.split("<main")[1]
    for name in ("Pat Private", "Sam Secret", "Gill Giver", "Ron Receiver", "Eve Enquirer"):
        assert name not in main
    assert client.get(reverse("outcomes:aggregates")).status_code == 200
    assert client.get(reverse("participation:round-manage", args=[round_.slug])).status_code == 200


def test_a_round_whose_date_has_passed_is_flagged(client: Client) -> None:
    from participation import worklists

    commissioner = f.user(Role.COMMISSIONER)
    round_ = pb.round_(commissioner)  # ideas closed on 1 February 2026
    (found,) = worklists.round_tasks(dt.date(2026, 2, 2))
    assert found.overdue == 1 and found.when == dt.date(2026, 2, 1)
    (found,) = worklists.round_tasks(dt.date(2026, 2, 1))
    assert found.overdue == 0
    assert round_.slug in found.url


def test_commissioner_can_read_the_time_bank_reports(client: Client) -> None:
    client.force_login(f.user(Role.COMMISSIONER))
    page = client.get(reverse("timebank:reports"))
    assert page.status_code == 200
    # The ledger check can name accounts and memos: coordinators only.
    assert "Ledger check" not in page.content.decode()
    assert client.get(reverse("timebank:reports-csv")).status_code == 200
    client.force_login(f.user(Role.PERSON))
    assert client.get(reverse("timebank:reports")).status_code == 403
    client.force_login(f.user(Role.COORDINATOR))
    assert "Ledger check" in client.get(reverse("timebank:reports")).content.decode()


# --- provider ------------------------------------------------------------------------------------


def test_provider_sees_enquiries_to_answer_and_listing_changes_with_status(client: Client) -> None:
    svc = f.service(name="Men's shed")
    provider = f.provider_user(svc.organization)
    other = f.service(name="Someone else's club")
    asker = f.user()
    waiting = directory_services.send_enquiry(
        person=asker, service=svc, subject="Opening hours", body="When?"
    )
    answered = directory_services.send_enquiry(
        person=asker, service=svc, subject="Parking", body="Where?"
    )
    directory_services.reply_to_enquiry(author=provider, enquiry=answered, body="Out front")
    asked_again = directory_services.send_enquiry(
        person=asker, service=svc, subject="Cost", body="How much?"
    )
    directory_services.reply_to_enquiry(author=provider, enquiry=asked_again, body="Free")
    directory_services.reply_to_enquiry(author=asker, enquiry=asked_again, body="Even Sundays?")
    directory_services.send_enquiry(person=asker, service=other, subject="Not ours", body="?")
    coordinator = f.user(Role.COORDINATOR)
    pending = directory_services.propose_listing_change(
        author=provider, service=svc, changes={"description": "Tools and tea, every week."}
    )
    refused = directory_services.propose_listing_change(
        author=provider, service=svc, changes={"name": "Best shed in town"}
    )
    directory_services.decide_listing_change(
        moderator=coordinator, change=refused, publish=False, reason="Names cannot make claims"
    )

    html = section(sign_in(client, provider).content.decode(), "provider")
    enquiries = task(html, "Enquiries to answer")
    assert count_of(enquiries) == 2
    assert when_of(enquiries) == timezone.localdate().isoformat()
    assert reverse("directory:enquiry", args=[waiting.pk]) in enquiries
    assert reverse("directory:enquiry", args=[asked_again.pk]) in enquiries
    assert reverse("directory:enquiry", args=[answered.pk]) not in enquiries
    assert "Not ours" not in enquiries
    changes = task(html, "Listing changes waiting for a coordinator")
    assert count_of(changes) == 1 and overdue_of(changes) == 1
    assert ListingChange.State.PENDING.label in changes
    assert ListingChange.State.REFUSED.label in changes
    assert "Names cannot make claims" in changes
    assert reverse("directory:listing-edit", args=[svc.pk]) in changes
    assert pending.state == ListingChange.State.PENDING
    assert client.get(reverse("directory:enquiry", args=[waiting.pk])).status_code == 200


def test_provider_role_without_an_organisation_is_told_what_to_do(client: Client) -> None:
    html = section(sign_in(client, f.user(Role.PROVIDER)).content.decode(), "provider")
    assert "not linked to an organisation" in html
    assert count_of(task(html, "Enquiries to answer")) == 0


# --- outcomes team -------------------------------------------------------------------------------


def test_follow_up_team_sees_people_to_contact_with_the_next_deadline(client: Client) -> None:
    team = CaseTeam.objects.create(name="Gut health team")
    nurse = f.user(Role.BROKER, display_name="Nurse Nia")
    team.members.add(nurse)
    person = f.user(display_name="Pat Patient")
    follow_up = outcome_services.start_follow_up(
        person=person,
        actor=f.user(Role.COORDINATOR),
        team=team,
        measure_id="swemwbs",
        value_id="metric",
        threshold=Decimal("17"),
        reminder_days=14,
        response_days=2,
    )
    outcome_services.report(
        follow_up=follow_up, actor=person, answers=None, contact_me=True, note="Flare"
    )

    html = section(sign_in(client, nurse).content.decode(), "outcomes")
    work = task(html, "Follow-up: people to contact")
    assert count_of(work) == 1 and overdue_of(work) == 0
    assert when_of(work) == (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    assert reverse("outcomes:worklist") in work
    assert "Pat Patient" not in html  # the worklist itself shows (and audits) who
    later = outcome_worklists.follow_up_task(nurse, timezone.now() + dt.timedelta(days=3))
    assert later is not None and later.overdue == 1
    assert outcome_worklists.follow_up_task(f.user(Role.BROKER)) is None


# --- several roles -------------------------------------------------------------------------------


def test_a_person_with_several_roles_sees_each_section(client: Client) -> None:
    staff = f.user(Role.BROKER)
    grant_role(staff, Role.COORDINATOR)
    directory_services.add_member(organization=f.organization(), user=staff)
    CaseTeam.objects.create(name="Follow-up team")
    html = sign_in(client, staff).content.decode()
    for key in ("broker", "timebank", "moderation", "rounds", "provider", "outcomes"):
        section(html, key)
    assert 'href="#section-broker"' in html  # contents list when there are several
