"""Befriending pages: who may see what, the GOV.UK error pattern with the service's refusal on
the field, every view of a person's record audited, and the whole match on its page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.roles import Role
from befriending.models import Check, Contact, Match, Request, Volunteer
from befriending.services import matches
from befriending.tests import factories as b
from directory.tests import factories as f

pytestmark = pytest.mark.django_db


def test_people_ask_for_a_befriender_and_volunteer(client: Client) -> None:
    person = f.user(Role.PERSON)
    client.force_login(person)
    page = client.post(reverse("befriending:ask"), {"about": ""})
    assert page.status_code == 400
    assert "Enter what you would like from a befriender" in page.content.decode()
    page = client.post(
        reverse("befriending:ask"),
        {
            "about": "A chat",
            "interests": "Birds, music",
            "times": ["mon-am"],
            "gender_preference": "woman",
        },
    )
    assert page.status_code == 302
    item = Request.objects.get(person=person)
    assert (item.interests, item.times, item.gender_preference) == (
        "Birds, music",
        "mon-am",
        "woman",
    )
    page = client.post(reverse("befriending:volunteer-apply"), {"name": "Ann", "capacity": "6"})
    assert page.status_code == 400 and "Choose between 1 and 5 people" in page.content.decode()
    page = client.post(reverse("befriending:volunteer-apply"), {"name": "Ann", "capacity": "2"})
    assert page.status_code == 302
    assert Volunteer.objects.get(user=person).capacity == 2
    assert "You asked for a befriender" in client.get(reverse("befriending:home")).content.decode()


def test_coordinator_pages_are_for_coordinators_only(client: Client) -> None:
    m = b.running_match()
    client.force_login(b.volunteer_account(m.volunteer))
    for name, args in [
        ("befriending:coordinate", []),
        ("befriending:refer", []),
        ("befriending:volunteer", [m.volunteer.pk]),
        ("befriending:request", [m.request.pk]),
        ("befriending:group-new", []),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403, name
    client.force_login(f.user(Role.PERSON))
    assert client.get(reverse("befriending:match", args=[m.pk])).status_code == 403


def test_recording_checks_then_proposing_with_the_refusal_on_the_field(client: Client) -> None:
    boss = b.coordinator()
    v = b.volunteer(checked=False, name="Sam Okafor")
    r = b.request()
    client.force_login(boss)
    page = client.get(reverse("befriending:request", args=[r.pk]))
    html = page.content.decode()
    assert "Who cannot befriend" in html and "Enhanced DBS check: none on record." in html
    assert AuditEvent.objects.filter(subject=r.person, action="view").exists()
    page = client.post(reverse("befriending:request", args=[r.pk]), {"volunteer": v.pk})
    assert page.status_code == 400
    html = page.content.decode()
    assert "There is a problem" in html and "Sam Okafor cannot be matched" in html
    assert 'href="#id_volunteer-0"' in html
    today = timezone.localdate().strftime("%d/%m/%Y")
    url = reverse("befriending:volunteer", args=[v.pk])
    page = client.post(url, {"kind": "dbs_enhanced", "checked_on": "tomorrow"})
    assert page.status_code == 400 and "Enter date of the check as a date" in page.content.decode()
    for kind in ["dbs_enhanced", "reference", "reference", "training"]:
        assert client.post(url, {"kind": kind, "checked_on": today}).status_code == 302
    assert Check.objects.filter(volunteer=v).count() == 4
    assert "Checks complete" in client.get(url).content.decode()
    page = client.post(reverse("befriending:request", args=[r.pk]), {"volunteer": v.pk})
    assert page.status_code == 302
    assert Match.objects.get().volunteer == v


def test_both_sides_agree_on_the_match_page_then_contacts_and_ending(client: Client) -> None:
    boss = b.coordinator()
    v = b.volunteer(by=boss)
    r = b.request()
    today = timezone.localdate()
    m = matches.propose_match(actor=boss, request_=r, volunteer=v, today=today)
    url = reverse("befriending:match", args=[m.pk])
    client.force_login(b.volunteer_account(v))
    assert "Would you like this match?" in client.get(url).content.decode()
    assert client.post(url, {"agree": "1"}).status_code == 302
    assert "waiting for the other side" in client.get(url).content.decode()
    client.force_login(b.person_account(r))
    assert client.post(url, {"agree": "1"}).status_code == 302
    m.refresh_from_db()
    assert m.stage == "active"
    assert "Log a contact" not in client.get(url).content.decode()  # the person does not log
    client.force_login(b.volunteer_account(v))
    page = client.post(
        url, {"contact": "1", "contact-on": "", "contact-how": "phone", "contact-minutes": "0"}
    )
    html = page.content.decode()
    assert page.status_code == 400 and "Enter date" in html and "between 1 and 720" in html
    page = client.post(
        url,
        {
            "contact": "1",
            "contact-on": today.strftime("%d/%m/%Y"),
            "contact-how": "in_person",
            "contact-minutes": "60",
            "contact-notes": "Fed the ducks",
            "contact-concern": "Her cooker is broken",
        },
    )
    assert page.status_code == 302
    contact = Contact.objects.get()
    client.force_login(b.person_account(r))
    assert "Her cooker is broken" not in client.get(url).content.decode()  # concerns are for staff
    client.force_login(boss)
    assert "Her cooker is broken" in client.get(url).content.decode()
    client.post(reverse("befriending:concern-read", args=[contact.pk]))
    contact.refresh_from_db()
    assert contact.concern_read_on == today
    end = reverse("befriending:end", args=[m.pk])
    client.force_login(b.volunteer_account(v))
    page = client.post(end, {"reason": "volunteer_leaving"})
    assert page.status_code == 400
    assert "Enter the date of the last meeting to say goodbye" in page.content.decode()
    last = today + dt.timedelta(days=7)
    page = client.post(
        end,
        {
            "reason": "volunteer_leaving",
            "last_meeting_on": last.strftime("%d/%m/%Y"),
            "feedback": "Lovely",
        },
    )
    assert page.status_code == 302
    html = client.get(url).content.decode()
    assert "Ending: last meeting planned for" in html and "Lovely" in html
    client.force_login(b.person_account(r))
    assert "Your feedback" in client.get(url).content.decode()
    client.post(url, {"feedback": "1", "feedback-feedback": "I will miss her"})
    m.refresh_from_db()
    assert (m.person_feedback, m.volunteer_feedback) == ("I will miss her", "Lovely")


def test_a_coordinator_records_a_referral_and_an_agreement(client: Client) -> None:
    boss = b.coordinator()
    person = f.user(Role.PERSON, username="ada")
    client.force_login(boss)
    page = client.post(
        reverse("befriending:refer"), {"username": "nobody", "referrer": "GP", "about": "x"}
    )
    assert page.status_code == 400 and "No account has that username" in page.content.decode()
    page = client.post(
        reverse("befriending:refer"), {"username": "ada", "referrer": "GP", "about": "Lonely"}
    )
    assert page.status_code == 302
    r = Request.objects.get(person=person)
    v = b.volunteer(by=boss)
    m = matches.propose_match(actor=boss, request_=r, volunteer=v, today=timezone.localdate())
    url = reverse("befriending:match", args=[m.pk])
    page = client.post(url, {"agree": "1"})
    assert (
        page.status_code == 400
        and "Choose whose agreement you are recording" in page.content.decode()
    )
    assert client.post(url, {"agree": "1", "agree-side": "person"}).status_code == 302
    m.refresh_from_db()
    assert m.person_agreed_on is not None and m.volunteer_agreed_on is None


def test_group_page_shows_the_directory_meeting_details_and_members_join(client: Client) -> None:
    boss = b.coordinator()
    svc = f.service(name="Eastmere Walk and Talk", days="WE", at=f.neighbourhood())
    client.force_login(boss)
    page = client.post(reverse("befriending:group-new"), {"name": "Walkers", "service_id": "nope"})
    assert page.status_code == 400 and "Choose a service that is listed" in page.content.decode()
    page = client.post(reverse("befriending:group-new"), {"name": "Walkers", "service_id": svc.pk})
    group_url = page["Location"]
    html = client.get(group_url).content.decode()
    assert "Wednesday: 10am to midday" in html and "1 Test Street" in html
    person = f.user(Role.PERSON)
    client.force_login(person)
    client.post(group_url, {"join": "1"})
    assert "Leave the group" in client.get(group_url).content.decode()
    client.post(group_url, {"leave": "1"})
    assert "Join the group" in client.get(group_url).content.decode()
    client.force_login(boss)
    lead = b.volunteer(checked=False, name="Lee Lead")
    page = client.post(group_url, {"set_lead": "1", "lead": lead.pk})
    assert page.status_code == 400 and "Lee Lead cannot lead a group" in page.content.decode()
