"""Journey (issue 19): a member takes a rota date nobody covers; the person helped sees who is
coming; the date happens; the person helped records it as done and the hours are credited once
(a second submission of the same form credits nothing more). axe-core checks every page on the
way, and the rota pages fit a 320 px screen."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from typing import Any

import pytest
from django.db.models import F
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.roles import Role
from directory.tests import factories as f
from e2e.conftest import check_accessibility, check_reflow
from timebank import selectors, services
from timebank.models import Exchange, LedgerTransaction, Rota, RotaSlot, RotaVisit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password"


@pytest.fixture
def people() -> dict[str, Any]:
    coordinator = f.user(Role.COORDINATOR, username="cora", display_name="Cora")
    alf = f.user(username="alf", display_name="Alf")
    bea = f.user(username="bea", display_name="Bea")
    members = {}
    for user, name in ((alf, "Alf"), (bea, "Bea")):
        member = services.apply_to_join(user=user, name=name)
        members[name] = services.approve_member(coordinator=coordinator, member=member)
    today = timezone.localdate()
    first = today + timedelta(days=7 + (1 - today.weekday()) % 7)  # a Tuesday to come
    rota = services.create_rota(
        coordinator=coordinator,
        title="Lift to the hospital",
        weekday=1,
        start_time=time(9, 30),
        duration_minutes=120,
        first_date=first,
        end_date=first + timedelta(weeks=3),
        receiver=members["Bea"],
    )
    return {"rota": rota, "first": first, **members}


def sign_in(page: Page, live_server: LiveServer, username: str) -> None:
    page.goto(f"{live_server.url}/account/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/time-bank/")
    check_accessibility(page)


def sign_out(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/account/sign-out/")
    page.get_by_role("button", name="Sign out").click()


def fits_320(page: Page) -> None:
    """The shared reflow check (also run by ``check_accessibility``)."""
    check_reflow(page)


def label(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def time_passes(rota: Rota, weeks: int) -> None:
    """As if ``weeks`` weeks had gone by: the rota's dates (and members' changes) move back."""
    shift = timedelta(weeks=weeks)
    Rota.objects.filter(pk=rota.pk).update(
        first_date=F("first_date") - shift, end_date=F("end_date") - shift
    )
    RotaSlot.objects.filter(rota=rota).update(day=F("day") - shift)


def test_member_takes_a_rota_date_it_happens_and_is_credited_once(
    page: Page, live_server: LiveServer, people: dict[str, Any]
) -> None:
    rota, first = people["rota"], people["first"]

    # Alf sees the rota dates and takes the first, which nobody covers.
    sign_in(page, live_server, "alf")
    page.get_by_role("link", name="See rota dates and take one nobody covers").click()
    check_accessibility(page)
    fits_320(page)
    page.get_by_role("link", name="Lift to the hospital").click()
    check_accessibility(page)
    fits_320(page)
    page.get_by_role("button", name=f"Take {label(first)}").click()
    expect(page.get_by_text(f"You are down for {first.day} {first:%B %Y}")).to_be_visible()
    expect(page.get_by_role("button", name=f"Give back {label(first)}")).to_be_visible()
    check_accessibility(page)
    fits_320(page)
    sign_out(page, live_server)

    # Bea, the person helped, sees who is coming.
    sign_in(page, live_server, "bea")
    expect(page.locator("#coming")).to_contain_text("Alf")
    fits_320(page)
    sign_out(page, live_server)

    # The date happens.
    time_passes(rota, 5)
    day = first - timedelta(weeks=5)

    # Bea records it as done: Alf is credited two hours, once.
    sign_in(page, live_server, "bea")
    page.get_by_role("link", name="Lift to the hospital").first.click()
    check_accessibility(page)
    fits_320(page)
    done = re.compile(rf"^Done\W+credit Alf for {label(day)}$")
    button = page.get_by_role("button", name=done)
    # The form as the browser would send it again (the back button and resubmit, a double click).
    form = button.evaluate(
        "b => ({action: b.form.action, fields: Object.fromEntries(new FormData(b.form))})"
    )
    button.click()
    expect(page.get_by_text("2 hours credited")).to_be_visible()
    expect(page.locator("#past-dates")).to_contain_text("Done and credited")
    check_accessibility(page)
    fits_320(page)
    again = page.request.post(form["action"], form=form["fields"], max_redirects=0)
    assert again.status == 302  # answered with the visit already recorded
    assert RotaVisit.objects.count() == 1 and Exchange.objects.count() == 1
    assert LedgerTransaction.objects.filter(kind="exchange").count() == 1
    assert selectors.ledger_problems() == []
    page.goto(f"{live_server.url}/time-bank/")
    assert page.locator("#balance").inner_text() == "3 hours"
    sign_out(page, live_server)

    sign_in(page, live_server, "alf")
    assert page.locator("#balance").inner_text() == "7 hours"
    page.get_by_role("link", name="Your statement").click()
    assert page.locator("#statement-balance").inner_text() == "7 hours"
    expect(page.locator("#statement-entries")).to_contain_text(
        f"Lift to the hospital, {day.day} {day:%B %Y}"
    )
    check_accessibility(page)
    fits_320(page)
