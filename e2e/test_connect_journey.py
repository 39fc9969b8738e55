"""Journey (issue 17, social prescribing): a community service says it is taking referrals and its
typical wait; a GP practice refers a person (the error pattern first); the link worker records
contact, the first conversation and the person's consent (a summary back and onward referral
yes, wellbeing scores in the summary no) and refers them on, seeing the service's wait where they
choose; the person answers the ONS4 questions at the first conversation; the service accepts and
records that they attended; at closing the link worker records the person's answers with help (the
empty form first: the error summary) and the referral page says so, and the link worker closes the
referral; the practice reads the letter and the JSON summary, which hold what the person agreed to
share and not their wellbeing scores. axe-core and the 320 px reflow check run on every page."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.roles import Role
from connect.models import (
    CommunityPot,
    FundingAward,
    OnwardReferral,
    Referral,
    ReferringOrganisation,
    WellbeingCheck,
)
from directory.tests import factories as f
from e2e.conftest import check_accessibility

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password"
QUESTIONS = {
    "Overall, how satisfied are you with your life nowadays?": "3",
    "Overall, to what extent do you feel that the things you do in your life are worthwhile?": "4",
    "Overall, how happy did you feel yesterday?": "2",
    "On a scale where nought is": "8",
}


def sign_in(page: Page, live_server: LiveServer, username: str) -> None:
    page.goto(f"{live_server.url}/account/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/account/sign-out/")
    page.get_by_role("button", name="Sign out").click()


def set_status(page: Page, status: str) -> None:
    page.get_by_role("group", name="New status").get_by_label(status, exact=True).check()
    page.get_by_label("Date", exact=True).fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Save status").click()
    expect(page.locator("main")).to_contain_text(f"Status{status}")
    check_accessibility(page)


def answer_ons4(
    page: Page, shift: int, button: str = "Save my answers", saved: str = "your answers are saved"
) -> None:
    for question, value in QUESTIONS.items():
        answer = str(int(value) + (shift if "nought" not in question else -shift))
        group = page.get_by_role("group", name=question)
        group.locator(f"input[type=radio][value='{answer}']").check()
    page.get_by_role("button", name=button).click()
    expect(page.locator("main")).to_contain_text(saved)
    check_accessibility(page)


def test_gp_referral_to_summary_back(page: Page, live_server: LiveServer) -> None:
    practice = ReferringOrganisation.objects.create(name="Hill Street Surgery", kind="gp_practice")
    gp = f.user(Role.PERSON, username="gina", display_name="Gina at Hill Street")
    practice.staff.add(gp)
    f.user(Role.PERSON, username="ada", display_name="Ada Lovelace", email="ada@example.org")
    f.user(Role.LINK_WORKER, username="lin", display_name="Lin the link worker")
    org = f.organization(name="Riverside Community Trust")
    service = f.service(organization_=org, name="Riverside Lunch Club")
    provider = f.provider_user(org)
    provider.username = "pat"
    provider.save()
    CommunityPot.objects.create(name="Northgate pot", kind="money", total_pence=10000)

    # The service says it is taking referrals and how long people usually wait.
    sign_in(page, live_server, "pat")
    page.goto(f"{live_server.url}/connect/services/")
    check_accessibility(page)
    page.get_by_role("link", name="referral details for Riverside Lunch Club").click()
    check_accessibility(page)
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("Typical wait before someone can start, in days").fill("400")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("365 days or fewer")
    check_accessibility(page)
    page.get_by_label("Typical wait before someone can start, in days").fill("10")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text("Typical wait: 10 days")
    check_accessibility(page)
    sign_out(page, live_server)

    # The GP practice refers Ada.
    sign_in(page, live_server, "gina")
    page.goto(f"{live_server.url}/connect/refer/")
    check_accessibility(page)
    page.get_by_role("button", name="Send referral").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the person's email address")
    expect(summary).to_contain_text("Enter the reason for the referral")
    check_accessibility(page)
    expect(page.get_by_label("Hill Street Surgery")).to_be_checked()  # her only practice
    page.get_by_label("Their email address").fill("ada@example.org")
    page.get_by_label("Reason for the referral").fill("Lonely since her husband died")
    page.get_by_label("What matters to the person").fill("Gardening and good company")
    page.get_by_label("They agree a summary can be shared back with you").check()
    page.get_by_label("They agree to be referred on to community services").check()
    page.get_by_label("Date consent was given").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Send referral").click()
    expect(page.locator("h1")).to_contain_text("Referrals from your organisation")
    check_accessibility(page)
    sign_out(page, live_server)
    referral = Referral.objects.get()
    assert referral.consent_share_back and not referral.consent_outcomes

    # The link worker: contact, first conversation, consent confirmed, onward referral.
    sign_in(page, live_server, "lin")
    page.goto(f"{live_server.url}/account/")
    expect(page.locator("main")).to_contain_text("New referrals nobody has picked up")
    check_accessibility(page)
    page.goto(f"{live_server.url}/connect/")
    check_accessibility(page)
    page.get_by_role("link", name="referral for Ada Lovelace").click()
    check_accessibility(page)
    set_status(page, "Contacted")
    set_status(page, "First conversation")
    expect(
        page.get_by_label("Share a summary back with the person who referred them")
    ).to_be_checked()
    expect(page.get_by_label("Include their wellbeing scores in the summary")).not_to_be_checked()
    page.get_by_role("button", name="Save consent").click()
    check_accessibility(page)
    page.get_by_role("link", name="Refer on to a community service").click()
    expect(page.locator("main")).to_contain_text(
        "Riverside Lunch Club (Riverside Community Trust). Taking referrals; typical wait 10 days"
    )
    check_accessibility(page)
    page.get_by_role("button", name="Send referral to the service").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose a service")
    check_accessibility(page)
    page.get_by_label("Riverside Lunch Club").check()
    page.get_by_role("button", name="Send referral to the service").click()
    expect(page.locator("main")).to_contain_text("Waiting for the service")
    check_accessibility(page)
    sign_out(page, live_server)

    # Ada answers the ONS4 questions for the first conversation.
    sign_in(page, live_server, "ada")
    page.goto(f"{live_server.url}/connect/mine/")
    check_accessibility(page)
    page.get_by_role("link", name="Tell us how you are feeling (at the first conversation)").click()
    check_accessibility(page)
    answer_ons4(page, 0)
    sign_out(page, live_server)

    # The service accepts and records that Ada came.
    sign_in(page, live_server, "pat")
    page.goto(f"{live_server.url}/connect/referrals-in/")
    expect(page.locator("main")).to_contain_text("Ada Lovelace")
    check_accessibility(page)
    page.get_by_label("Yes, accept").check()
    page.get_by_role("button", name="Send answer").click()
    expect(page.locator("main")).to_contain_text("Accepted")
    check_accessibility(page)
    page.get_by_role("button", name="Record that they attended").click()
    expect(page.locator("main")).to_contain_text("Attended")
    check_accessibility(page)
    sign_out(page, live_server)
    assert OnwardReferral.objects.get().status == OnwardReferral.Status.ATTENDED

    # At closing Ada tells Lin her answers in conversation and Lin records them with help (the
    # empty form first: the error summary); then Lin records connected and closes.
    sign_in(page, live_server, "lin")
    page.goto(f"{live_server.url}/connect/referrals/{referral.pk}/")
    page.get_by_role("link", name="Record Ada Lovelace's answers (at closing)").click()
    expect(page.locator("h1")).to_contain_text("How Ada Lovelace is feeling: at closing")
    check_accessibility(page)
    page.get_by_role("button", name="Save their answers").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Choose a number from 0 to 10")
    check_accessibility(page)
    answer_ons4(page, 3, "Save their answers", "Ada Lovelace's answers are saved, with your help")
    main = page.locator("main")
    expect(main).to_contain_text("At closing")
    # Only the closing answers were given with help; Ada answered the first ones herself.
    expect(main.get_by_text("answered with help from Lin the link worker")).to_have_count(1)
    assert WellbeingCheck.objects.filter(referral=referral).count() == 2
    set_status(page, "Connected")
    # Funding follows the referral: a micro-grant from the area's pot, posted once.
    page.get_by_role("link", name="Attach funding from a community pot").click()
    check_accessibility(page)
    page.get_by_label("Northgate pot: micro-grants, £100.00 left").check()
    page.get_by_label("Micro-grant in pounds (for a money pot)").fill("150")
    page.get_by_label("What the funding is for").fill("Gardening gloves and seeds")
    page.get_by_role("button", name="Attach funding").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("has £100.00 left")
    check_accessibility(page)
    page.get_by_label("Micro-grant in pounds (for a money pot)").fill("25")
    page.get_by_role("button", name="Attach funding").click()
    expect(page.locator("main")).to_contain_text("£25.00 from Northgate pot")
    check_accessibility(page)
    assert FundingAward.objects.count() == 1
    set_status(page, "Closed")
    expect(page.locator("main")).to_contain_text("(answered with help from Lin the link worker)")
    page.goto(f"{live_server.url}/connect/reports/?by=service")
    expect(page.locator("main")).to_contain_text("Hidden")  # one person: too few to show
    check_accessibility(page)
    sign_out(page, live_server)

    # The practice reads the summary back: what Ada agreed to share, not her wellbeing scores.
    sign_in(page, live_server, "gina")
    page.goto(f"{live_server.url}/connect/sent/")
    check_accessibility(page)
    page.get_by_role("link", name="Letter").click()
    main = page.locator("main")
    expect(main).to_contain_text("Lonely since her husband died")
    expect(main).to_contain_text("Gardening and good company")
    expect(main).to_contain_text("Riverside Lunch Club")
    expect(main).to_contain_text("Attended")
    expect(main).to_contain_text("did not agree to share their wellbeing scores")
    expect(main).not_to_contain_text("Life satisfaction")
    check_accessibility(page)
    body = page.request.get(f"{live_server.url}/connect/referrals/{referral.pk}/summary.json")
    assert body.status == 200
    data = json.loads(body.text())
    assert data["social_prescribing_status"]["code"] == "871731000000106"
    assert data["what_matters_to_me"] == "Gardening and good company"
    assert "outcome_measures" not in data and "Life satisfaction" not in body.text()
    assert service.name in body.text()


def test_a_person_without_an_account_is_invited_and_sees_their_referral(
    page: Page, live_server: LiveServer
) -> None:
    from django.core import mail

    practice = ReferringOrganisation.objects.create(name="Oak Lane Hospital", kind="hospital")
    practice.staff.add(f.user(Role.PERSON, username="hal", display_name="Hal at Oak Lane"))
    sign_in(page, live_server, "hal")
    page.goto(f"{live_server.url}/connect/refer/")
    page.get_by_label("Full name of the person you are referring").fill("Grace Hopper")
    page.get_by_label("Their email address").fill("grace@example.org")
    page.get_by_label("Reason for the referral").fill("Going home alone after a long stay")
    page.get_by_role("button", name="Send referral").click()
    expect(page.locator("main")).to_contain_text("Referral sent for Grace Hopper")
    sign_out(page, live_server)
    found = next(
        line for m in mail.outbox for line in m.body.splitlines() if "/connect/welcome/" in line
    )
    link = live_server.url + found[found.index("/connect/welcome/") :]
    page.goto(link.strip())
    check_accessibility(page)
    page.get_by_label("Choose a password").fill("short")
    page.get_by_role("button", name="Set password").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("Choose a password").fill("a long enough pass phrase")
    page.get_by_role("button", name="Set password").click()
    expect(page.locator("h1")).to_contain_text("Your social prescribing referrals")
    expect(page.locator("main")).to_contain_text("Received")
    check_accessibility(page)
    page.goto(link.strip())
    expect(page.locator("h1")).to_contain_text("This link has expired")
    check_accessibility(page)
