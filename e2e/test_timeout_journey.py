"""Journey (WCAG 2.2.1, issue 13): a resident writing a long answer is warned before their session
ends, stays signed in, and sends it; then, with the session left to end, sends another answer,
signs in again and finds nothing lost. A short session (12 seconds, warning 6 seconds before the
end) stands in for the real 30 minutes. axe and the 320px check run on every page and on the
warning itself."""

from __future__ import annotations

import time

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import Browser, Page, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from accounts.models import User
from accounts.roles import Role
from directory.tests import factories as f
from e2e.conftest import check_accessibility
from participation.models import Project, Round
from participation.tests import factories as pf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password"
SESSION_SECONDS = 12
WARNING_SECONDS = 6
KEEP = "accounts.kept_posts.KeepPostAcrossSignInMiddleware"
LONG_ANSWER = (
    "A weekly cafe in the community centre where carers can meet, with someone to sit with the "
    "person they look after.\nIt took a long time to write this, and none of it should be lost."
)


@pytest.fixture
def short_sessions(settings: Settings) -> Settings:
    settings.SESSION_COOKIE_AGE = SESSION_SECONDS
    settings.SESSION_TIMEOUT_WARNING_SECONDS = WARNING_SECONDS
    return settings


@pytest.fixture
def round_and_resident() -> tuple[Round, User]:
    f.neighbourhood("Millbrook", "52.010000", "-1.010000")
    round_ = pf.round_(pf.staff(), title="Carers Fund")
    resident = f.user(Role.PERSON, username="rosa", display_name="Rosa")
    return round_, resident


def sign_in(page: Page, username: str = "rosa") -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def write_idea(page: Page, title: str) -> None:
    page.get_by_label("Name your idea").fill(title)
    page.get_by_label("What would it do?").fill(LONG_ANSWER)
    page.get_by_label("Who would benefit?").fill("Carers and the people they look after.")


def test_warned_before_timeout_stay_signed_in_and_lose_nothing(
    page: Page,
    live_server: LiveServer,
    short_sessions: Settings,
    round_and_resident: tuple[Round, User],
) -> None:
    round_, _resident = round_and_resident
    page.goto(
        f"{live_server.url}/account/sign-in/?next=/have-your-say/rounds/{round_.slug}/ideas/new/"
    )
    sign_in(page)
    expect(page.get_by_role("heading", name="Suggest an idea")).to_be_visible()
    loaded = time.monotonic()
    check_accessibility(page)
    write_idea(page, "Carers' cafe")

    # The warning opens before the session ends, as a modal dialog that says how long is left.
    dialog = page.get_by_role("dialog", name="You’re about to be signed out")
    expect(dialog).to_be_visible(timeout=SESSION_SECONDS * 1000)
    expect(dialog).to_contain_text("we will sign you out in")
    expect(page.get_by_role("button", name="Stay signed in")).to_be_focused()
    check_accessibility(page)
    page.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()

    # Past the moment the session would have ended without "Stay signed in".
    time.sleep(max(0.0, SESSION_SECONDS + 1 - (time.monotonic() - loaded)))
    if dialog.is_visible():  # the renewed session's own warning: answer it with Escape
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
    expect(page.get_by_label("What would it do?")).to_have_value(LONG_ANSWER)
    page.get_by_role("button", name="Send your idea").click()
    expect(page.locator("body")).to_contain_text("Your idea has been sent")
    check_accessibility(page)
    assert Project.objects.get(title="Carers' cafe").what == LONG_ANSWER.replace("\n", "\r\n")


def test_an_answer_sent_after_the_session_ended_is_kept_through_signing_in(
    page: Page,
    live_server: LiveServer,
    short_sessions: Settings,
    round_and_resident: tuple[Round, User],
) -> None:
    round_, _resident = round_and_resident
    page.goto(
        f"{live_server.url}/account/sign-in/?next=/have-your-say/rounds/{round_.slug}/ideas/new/"
    )
    sign_in(page)
    expect(page.get_by_role("heading", name="Suggest an idea")).to_be_visible()
    write_idea(page, "Carers' cafe")

    # Nobody answers the warning: the dialog says the session ended and that nothing is lost.
    ended = page.get_by_role("dialog", name="You have been signed out")
    expect(ended).to_be_visible(timeout=(SESSION_SECONDS + 5) * 1000)
    expect(ended).to_contain_text("What you typed on this page is still here")
    check_accessibility(page)
    page.get_by_role("button", name="Close and keep what I typed").click()
    expect(page.get_by_label("What would it do?")).to_have_value(LONG_ANSWER)
    page.get_by_role("button", name="Send your idea").click()

    # Sent without a session: sign in again, then send what was kept.
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    check_accessibility(page)
    assert not Project.objects.exists()
    sign_in(page)
    if KEEP in django_settings.MIDDLEWARE:
        expect(page.get_by_role("heading", name="Send what you were sending")).to_be_visible()
        expect(page.locator("main")).to_contain_text("none of it should be lost")
        check_accessibility(page)
        page.get_by_role("button", name="Send it now").click()
    else:  # the draft in the tab puts the answer back on the form
        expect(page.get_by_label("What would it do?")).to_have_value(LONG_ANSWER)
        expect(page.locator("main")).to_contain_text("We have put back what you typed")
        check_accessibility(page)
        page.get_by_role("button", name="Send your idea").click()
    expect(page.locator("body")).to_contain_text("Your idea has been sent")
    check_accessibility(page)
    assert Project.objects.get(title="Carers' cafe").what == LONG_ANSWER.replace("\n", "\r\n")


@pytest.mark.skipif(
    KEEP not in django_settings.MIDDLEWARE,
    reason=f"needs {KEEP} in settings.MIDDLEWARE (the lead adds it)",
)
def test_without_javascript_an_expired_post_is_kept_through_signing_in(
    browser: Browser,
    live_server: LiveServer,
    short_sessions: Settings,
    round_and_resident: tuple[Round, User],
) -> None:
    round_, _resident = round_and_resident
    context = browser.new_context(
        viewport={"width": 1100, "height": 900}, bypass_csp=True, java_script_enabled=False
    )
    page = context.new_page()
    page.goto(
        f"{live_server.url}/account/sign-in/?next=/have-your-say/rounds/{round_.slug}/ideas/new/"
    )
    sign_in(page)
    write_idea(page, "Carers' cafe")
    time.sleep(SESSION_SECONDS + 1)
    page.get_by_role("button", name="Send your idea").click()
    expect(page.locator("main")).to_contain_text("We have kept what you sent")
    sign_in(page)
    expect(page.locator("main")).to_contain_text("none of it should be lost")
    page.get_by_role("button", name="Send it now").click()
    expect(page.locator("body")).to_contain_text("Your idea has been sent")
    assert Project.objects.get(title="Carers' cafe").what == LONG_ANSWER.replace("\n", "\r\n")
    context.close()
