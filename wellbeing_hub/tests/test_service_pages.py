"""The Service Standard basics (issue 13): accessibility statement, privacy notice, cookies,
contact and feedback pages, linked from every page, true to what the platform does; error pages
with a way back."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.template.loader import render_to_string
from django.test import Client, override_settings
from django.urls import reverse

from accounts import services as account_services
from accounts.roles import Role
from accounts.tests.error_pattern import error_pattern_problems
from directory.tests import factories as f

pytestmark = pytest.mark.django_db
PAGES = ["accessibility", "privacy", "cookies", "contact", "feedback"]


@pytest.mark.parametrize("name", PAGES)
def test_each_page_answers_and_is_in_the_footer_of_every_page(name: str) -> None:
    client = Client()
    url = reverse(name)
    assert client.get(url).status_code == 200
    for page in ["/", reverse("directory:search"), reverse("accounts:sign-in")]:
        footer = client.get(page).content.decode().split('<footer class="govuk-footer">')[1]
        assert f'href="{url}"' in footer, (page, url)


def test_the_phase_banner_links_to_feedback() -> None:
    html = Client().get("/").content.decode()
    banner = html.split('class="govuk-phase-banner"')[1].split("</div>")[0]
    assert f'href="{reverse("feedback")}"' in banner
    assert "give your feedback" in banner


def test_the_cookies_page_names_every_cookie_the_platform_sets() -> None:
    """Sign in, see a message, sign out: every cookie any response set is on the cookies page."""
    person = f.user()
    client = Client()
    seen: set[str] = set()
    responses = [
        client.get(reverse("accounts:sign-in")),
        client.post(
            reverse("accounts:sign-in"),
            {"username": person.username, "password": "a-long-test-password"},
        ),
        client.get(reverse("accounts:home")),
        client.post(reverse("accounts:sign-out")),
        client.get("/"),
    ]
    for response in responses:
        seen.update(response.cookies.keys())
    assert {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, "messages"} <= seen
    page = Client().get(reverse("cookies")).content.decode()
    for name in seen:
        assert f">{name}</h3>" in page, name
    assert "30 minutes without activity" in page


def test_the_privacy_notice_covers_every_part_that_holds_personal_data() -> None:
    """An app that registers personal data for export and erasure must be in the notice too."""
    headings = {
        "support_plan": "Your support plan and budget",
        "directory": "Finding support",
        "participation": "Have your say",
        "time_bank": "Time bank",
        "outcomes": "Outcomes and wellbeing",
        "voice": "Feedback, compliments and complaints about care",
        "connect": "Social prescribing and connecting people",
        "sharedlives": "Shared Lives",
        "befriending": "Befriending and peer support",
    }
    page = Client().get(reverse("privacy")).content.decode()
    for section in account_services._exporters:
        assert section in headings, f"{section} holds personal data: add it to the privacy notice"
        assert headings[section] in page
    for fact in ["never what you chose", "a different one confirms it", "Download your data"]:
        assert fact in page
    assert f"after {settings.SESSION_COOKIE_AGE // 60} minutes without activity" in page


def test_the_privacy_notice_links_signed_in_people_to_their_data() -> None:
    client = Client()
    client.force_login(f.user())
    page = client.get(reverse("privacy")).content.decode()
    assert f'href="{reverse("accounts:download-data")}"' in page


def test_contact_details_come_from_the_settings() -> None:
    with override_settings(CONTACT_EMAIL="wellbeing@example.gov.uk", CONTACT_PHONE="0300 123 4567"):
        for name in ["contact", "privacy", "accessibility"]:
            page = Client().get(reverse(name)).content.decode()
            assert "mailto:wellbeing@example.gov.uk" in page and "0300 123 4567" in page


def test_empty_feedback_follows_the_error_pattern() -> None:
    response = Client().post(reverse("feedback"), {})
    assert response.status_code == 200
    assert error_pattern_problems(response.content.decode()) == []


def test_feedback_goes_to_the_coordinators(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    f.user(Role.COORDINATOR, email="cody@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            reverse("feedback"), {"opinion": "satisfied", "improve": "Bigger buttons."}
        )
    assert response.status_code == 302
    assert mail.outbox[0].to == ["cody@example.org"]
    assert "Bigger buttons." in mail.outbox[0].body


def test_feedback_with_nobody_to_receive_it_says_so_rather_than_dropping_it() -> None:
    response = Client().post(reverse("feedback"), {"opinion": "satisfied"})
    assert response.status_code == 503
    assert "nobody is set up to receive it" in response.content.decode()


def test_too_long_feedback_is_refused_with_a_message() -> None:
    response = Client().post(reverse("feedback"), {"opinion": "satisfied", "improve": "x" * 1201})
    assert "1,200 characters or fewer" in response.content.decode()
    assert error_pattern_problems(response.content.decode()) == []


@pytest.mark.parametrize("template", ["404.html", "403.html", "500.html", "400.html"])
def test_error_pages_have_a_way_back(template: str) -> None:
    html = render_to_string(template)  # as Django's handlers do: no request, no context
    assert re.search(r'<a class="govuk-link" href="/">Go to the home page</a>', html), template
    assert "govuk-footer" in html


def test_a_missing_page_is_the_service_404() -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_feedback_on_the_website_leaves_feedback_about_care_its_own_address() -> None:
    """/feedback/ belongs to the voice app (feedback and complaints about care); this page's
    address must not shadow it."""
    from django.urls import resolve

    from wellbeing_hub import pages

    assert resolve(reverse("feedback")).func is pages.feedback
    assert not reverse("feedback").startswith("/feedback/")
