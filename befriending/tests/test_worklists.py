"""The coordinator's befriending section: concerns, paused matches, people waiting, agreements,
checks to renew; nothing for people without a coordinating role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from accounts.roles import Role
from befriending import worklists
from befriending.services import contacts, matches
from befriending.tests import factories as b
from directory.tests import factories as f

pytestmark = pytest.mark.django_db


def test_only_coordinators_get_the_section() -> None:
    assert worklists.sections_for(f.user(Role.PERSON)) == []
    assert worklists.sections_for(f.user(Role.COMMISSIONER)) == []
    [section] = worklists.sections_for(b.coordinator())
    assert section.key == "befriending"


def test_counts_and_dates() -> None:
    boss = b.coordinator()
    m = b.running_match(by=boss, on=b.TODAY)  # training runs to 5 January 2027
    contacts.log_contact(
        actor=b.volunteer_account(m.volunteer),
        match=m,
        on=b.TODAY,
        how="phone",
        minutes=20,
        concern="Fell last week",
        today=b.TODAY,
    )
    b.request(today=b.TODAY - dt.timedelta(days=15))
    b.request(today=b.TODAY - dt.timedelta(days=14))
    suggested = b.request(today=b.TODAY - dt.timedelta(days=30))  # counted under agreement
    matches.propose_match(
        actor=boss, request_=suggested, volunteer=b.volunteer(by=boss), today=b.TODAY
    )
    tasks = {t.label: t for t in worklists.coordinator_tasks(b.TODAY)}
    concerns = tasks["Concerns from befrienders to read"]
    assert (concerns.count, concerns.when) == (1, b.TODAY)
    people = tasks["People waiting for a befriender"]
    assert (people.count, people.overdue) == (2, 1)  # 15 days is late, 14 is not
    assert tasks["Matches waiting for both sides to agree"].count == 1
    assert tasks["Matches paused because a check has lapsed"].count == 0
    assert tasks["Volunteers' checks to renew in the next 30 days"].count == 0

    before = dt.date(2026, 12, 6)  # 30 days before the training runs out
    soon = {t.label: t for t in worklists.coordinator_tasks(before)}
    assert soon["Volunteers' checks to renew in the next 30 days"].count == 2
    assert soon["Volunteers' checks to renew in the next 30 days"].when == dt.date(2027, 1, 5)
    assert {t.label: t for t in worklists.coordinator_tasks(before - dt.timedelta(days=1))}[
        "Volunteers' checks to renew in the next 30 days"
    ].count == 0

    lapsed = {t.label: t for t in worklists.coordinator_tasks(dt.date(2027, 1, 6))}
    paused = lapsed["Matches paused because a check has lapsed"]
    assert paused.count == 1
    assert paused.items[0].detail == "Befriending training: expired on 5 January 2027."


def test_the_coordinators_home_page_shows_the_section(client: Client) -> None:
    b.request()
    client.force_login(b.coordinator())
    html = client.get("/account/").content.decode()
    assert "People waiting for a befriender" in html and "/befriending/coordinate/" in html
