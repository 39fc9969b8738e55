"""Journey (issue 13): where staff still use the Django admin, it passes axe and the 320px reflow
check. The demo administrator signs in and visits the admin index, a change list and the
directory's service change form (which had 19 checkboxes without labels)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.demo_users import DEMO_PEOPLE
from accounts.models import User
from accounts.roles import Role
from directory.models import Service
from directory.tests import factories as f
from e2e.conftest import check_accessibility

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password"


@pytest.fixture
def admin_user() -> User:
    username, name = DEMO_PEOPLE[Role.ADMINISTRATOR]
    # As accounts.demo_users.create_demo_users makes the demo administrator: a superuser.
    return f.user(
        Role.ADMINISTRATOR,
        username=username,
        display_name=name,
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def services() -> Service:
    # Every inline on the service form has a row, each with its "Delete?" checkbox.
    first = f.service(
        name="Knit and natter",
        days="TU",
        cost="3.50",
        terms=[f.term("Social activities")],
        languages=[("cy", "Welsh")],
        accessibility=["Step-free access"],
        at=f.neighbourhood(),
    )
    f.service(name="Lunch club", organization_=first.organization, days="MO,WE")
    return first


def test_the_admin_passes_axe(
    page: Page, live_server: LiveServer, admin_user: User, services: Service
) -> None:
    page.goto(f"{live_server.url}/account/sign-in/?next=/admin/")
    page.get_by_label("Username").fill(admin_user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/admin/"
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    check_accessibility(page)

    page.goto(f"{live_server.url}{reverse('admin:directory_service_changelist')}")
    expect(page.get_by_role("link", name="Knit and natter")).to_be_visible()
    check_accessibility(page)

    page.goto(f"{live_server.url}{reverse('admin:accounts_user_changelist')}")
    check_accessibility(page)

    page.goto(f"{live_server.url}{reverse('admin:directory_service_change', args=[services.pk])}")
    expect(page.get_by_role("heading", name="Change service")).to_be_visible()
    check_accessibility(page)

    page.goto(f"{live_server.url}{reverse('admin:directory_service_add')}")
    check_accessibility(page)

    page.goto(
        f"{live_server.url}{reverse('admin:directory_organization_change', args=[services.organization_id])}"
    )
    check_accessibility(page)
