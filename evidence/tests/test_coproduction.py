"""Co-production hours: members' hours beside staff hours by month and organisation."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from directory.tests import factories as f
from evidence import selectors
from evidence.models import CoproductionSession
from timebank.tests import factories as tb

pytestmark = pytest.mark.django_db


def test_time_bank_and_sessions_side_by_side(client: Client) -> None:
    a, b = tb.member(), tb.member()
    tb.exchange(a, b, 90)
    tb.exchange(b, a, 45)
    day = tb.at(-1).date()
    coordinator = f.user(Role.COORDINATOR)
    client.force_login(coordinator)
    for member_hours, staff_hours in (("6", "2.5"), ("3.25", "")):
        response = client.post(
            reverse("evidence:session-new"),
            {
                "organisation": "Lunch club",
                "held_on": day.isoformat(),
                "description": "Menu design",
                "member_hours": member_hours,
                "staff_hours": staff_hours,
            },
        )
        assert response.status_code == 302
    rows = selectors.coproduction(day, day)
    month = day.replace(day=1)
    time_bank = next(r for r in rows if r.organisation == selectors.TIME_BANK)
    club = next(r for r in rows if r.organisation == "Lunch club")
    assert (time_bank.month, time_bank.member_hours, time_bank.staff_hours) == (
        month,
        Fraction(135, 60),
        None,
    )
    assert club.member_hours == 9.25 and club.staff_hours == 2.5
    assert club.sessions == 2 and club.sessions_without_staff_hours == 1

    page = client.get(
        reverse("evidence:coproduction"), {"start": day.isoformat(), "end": day.isoformat()}
    )
    html = page.content.decode()
    assert "Not recorded" in html  # the time bank's staff hours: never shown as 0
    assert "2.25" in html and "9.25" in html and "(and 1 session not recorded)" in html
    assert "<svg" in html and "hours by month</title>" in html
    csv = client.get(
        reverse("evidence:coproduction-csv"), {"start": day.isoformat(), "end": day.isoformat()}
    )
    lines = csv.content.decode().splitlines()
    assert lines[0] == (
        "month,organisation,member_hours,staff_hours,sessions,of_member_hours_experts_by_experience"
    )
    assert f"{month:%Y-%m},{selectors.TIME_BANK},2.25,not recorded,0,0" in lines


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"held_on": "2999-01-01"}, "held_on", "today or in the past"),
        ({"held_on": "2026-02-30"}, "held_on", "real date"),
        ({"member_hours": "-1"}, "member_hours", "0 or more"),
        ({"member_hours": "1.255"}, "member_hours", "2 decimal places"),
        ({"member_hours": "0", "staff_hours": ""}, "member_hours", "Enter the hours members gave"),
        ({"staff_hours": "20000"}, "staff_hours", "10,000 or fewer"),
    ],
)
def test_session_mistakes_are_named(
    client: Client, change: dict[str, str], field: str, words: str
) -> None:
    client.force_login(f.user(Role.COORDINATOR))
    data = {
        "organisation": "Club",
        "held_on": "2026-01-05",
        "description": "x",
        "member_hours": "2",
        "staff_hours": "1",
    } | change
    html = client.post(reverse("evidence:session-new"), data).content.decode()
    assert f'href="#id_{field}"' in html and words in html
    assert not CoproductionSession.objects.exists()


def test_residents_and_providers_cannot_record_or_see(client: Client) -> None:
    for role in (Role.PERSON, Role.PROVIDER, Role.BROKER):
        client.force_login(f.user(role))
        assert client.get(reverse("evidence:coproduction")).status_code == 403
        assert client.post(reverse("evidence:session-new"), {}).status_code == 403


def test_coordinators_record_sessions_but_do_not_build_sroi(client: Client) -> None:
    client.force_login(f.user(Role.COORDINATOR))
    assert client.get(reverse("evidence:coproduction")).status_code == 200
    assert client.get(reverse("evidence:home")).status_code == 403


def test_period_end_before_start_is_an_error(client: Client) -> None:
    client.force_login(f.user(Role.COMMISSIONER))
    html = client.get(
        reverse("evidence:coproduction"), {"start": "2026-05-01", "end": "2026-04-01"}
    ).content.decode()
    assert "The last date must be the same as or after the first date" in html
    _ = dt
