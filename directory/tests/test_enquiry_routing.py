"""Enquiries that arrive (issue 12): each goes to the organisation's members on the site, else the
service's or organisation's published email, else the area's coordinators, who pass it on; the
person is told which before sending, the thread shows what happened to each message, and the
emails carry full links."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent, User
from accounts.roles import Role
from directory import enquiry_routing, personal_data, worklists
from directory.models import Enquiry, EnquiryDelivery, Organization, Service
from directory.services import enquiries
from directory.tests import factories as f
from wellbeing_hub import notifications

pytestmark = pytest.mark.django_db

Route = EnquiryDelivery.Route
State = EnquiryDelivery.State


def _service(*, org_email: str = "", service_email: str = "") -> Service:
    org = f.organization(name="Riverside Tai Chi", email="")
    svc = f.service(organization_=org, name="Tai chi for beginners", email="")
    # Imported feeds can carry addresses a form would refuse: write them as a feed would.
    Organization.objects.filter(pk=org.pk).update(email=org_email)
    Service.objects.filter(pk=svc.pk).update(email=service_email)
    return Service.objects.select_related("organization").get(pk=svc.pk)


def _send(client: Any, capture: Any, svc: Service, person: Any = None) -> Enquiry:
    client.force_login(person or f.user())
    with capture(execute=True):
        response = client.post(
            reverse("directory:enquire", args=[svc.pk]),
            {"subject": "Thursday class", "body": "Is there room on Thursday?"},
        )
    assert response.status_code == 302
    return Enquiry.objects.get()


def _delivery(enquiry: Enquiry) -> EnquiryDelivery:
    return EnquiryDelivery.objects.get(message__enquiry=enquiry, message__from_provider=False)


def _before_sending(client: Any, svc: Service) -> str:
    client.force_login(f.user())
    html: str = client.get(reverse("directory:enquire", args=[svc.pk])).content.decode()
    return html


# --- the route, and what the person is told before sending ---------------------------------------


def test_members_on_the_site_come_first(
    client: Client, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    svc = _service(org_email="office@example.org", service_email="taichi@example.org")
    member = f.provider_user(svc.organization)
    assert "go to the staff of Riverside Tai Chi on this site" in _before_sending(client, svc)
    enquiry = _send(client, django_capture_on_commit_callbacks, svc)
    delivery = _delivery(enquiry)
    assert (delivery.route, delivery.state, delivery.recipients) == (
        Route.MEMBERS,
        State.SENT,
        [member.email],
    )
    assert [m.to for m in mail.outbox] == [[member.email]]


def test_an_inactive_member_is_passed_over_for_the_published_email(
    client: Client, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    svc = _service(service_email="taichi@example.org")
    member = f.provider_user(svc.organization)
    member.is_active = False
    member.save()
    assert "go to taichi@example.org by email" in _before_sending(client, svc)
    enquiry = _send(client, django_capture_on_commit_callbacks, svc)
    assert _delivery(enquiry).route == Route.SERVICE_EMAIL
    assert [m.to for m in mail.outbox] == [["taichi@example.org"]]


def test_a_member_without_a_valid_email_is_passed_over() -> None:
    svc = _service(org_email="office@example.org")
    member = f.provider_user(svc.organization)
    member.email = "not-an-address"
    member.save()
    assert enquiry_routing.route_for(svc) == enquiry_routing.Routing(
        Route.ORGANIZATION_EMAIL, ("office@example.org",)
    )
    member.email = "manager@example.org"  # one step back: a valid address is used
    member.save()
    assert enquiry_routing.route_for(svc).route == Route.MEMBERS


def test_the_service_email_comes_before_the_organisation_email() -> None:
    svc = _service(org_email="office@example.org", service_email="taichi@example.org")
    assert enquiry_routing.route_for(svc).recipients == ("taichi@example.org",)


@pytest.mark.parametrize("bad", ["taichi@example.org.", "www.example.org", "taichi@", " "])
def test_an_invalid_service_email_falls_back_to_the_organisation(bad: str) -> None:
    svc = _service(org_email="office@example.org", service_email=bad)
    assert enquiry_routing.route_for(svc) == enquiry_routing.Routing(
        Route.ORGANIZATION_EMAIL, ("office@example.org",)
    )


def test_an_invalid_organisation_email_falls_back_to_the_coordinators() -> None:
    coordinator = f.user(Role.COORDINATOR)
    svc = _service(org_email="office@example.org.")
    assert enquiry_routing.route_for(svc) == enquiry_routing.Routing(
        Route.COORDINATORS, (coordinator.email,)
    )


def test_no_member_and_no_email_goes_to_the_coordinators_who_pass_it_on(
    client: Client, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    coordinator = f.user(Role.COORDINATOR)
    retired = f.user(Role.COORDINATOR, is_active=False)
    svc = _service()
    before = _before_sending(client, svc)
    assert "to the council&#x27;s directory team, who will pass it on" in before
    person = f.user()
    enquiry = _send(client, django_capture_on_commit_callbacks, svc, person)
    delivery = _delivery(enquiry)
    assert (delivery.route, delivery.state) == (Route.COORDINATORS, State.WAITING)
    # The coordinators are told, with a full link to the thread; a retired coordinator is not.
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    assert retired.email not in mail.outbox[0].to
    assert mail.outbox[0].subject == "To pass on: New enquiry about Tai chi for beginners"
    link = f"{settings.SITE_URL}/find-support/enquiries/{enquiry.pk}/#message-"
    assert link in mail.outbox[0].body and link.startswith("http")
    # The person is told where it went, on the page after sending and on the thread.
    thread = client.get(reverse("directory:enquiry", args=[enquiry.pk])).content.decode()
    assert "sent to the council&#x27;s directory team, who will pass it on" in thread
    assert "Waiting for a coordinator" in thread
    # The coordinator finds it on their worklist, reads it and records how they passed it on.
    task = worklists.moderation_tasks()[0]
    assert task.label == "Enquiries to pass on to providers" and task.count == 1
    client.force_login(coordinator)
    page = client.get(reverse("directory:enquiry", args=[enquiry.pk]))
    assert page.status_code == 200 and "Record that it was passed on" in page.content.decode()
    empty = client.post(reverse("directory:enquiry", args=[enquiry.pk]), {"note": ""})
    assert empty.status_code == 400 and "Enter how you passed it on" in empty.content.decode()
    client.post(
        reverse("directory:enquiry", args=[enquiry.pk]),
        {"note": "Phoned the instructor on 3 December"},
    )
    delivery.refresh_from_db()
    assert delivery.state == State.PASSED_ON and delivery.passed_on_by == coordinator
    assert worklists.moderation_tasks()[0].count == 0
    assert AuditEvent.objects.filter(
        actor=coordinator, subject=person, action="update", summary__startswith="Passed on"
    ).exists()
    client.force_login(person)
    thread = client.get(reverse("directory:enquiry", args=[enquiry.pk])).content.decode()
    assert "Passed on to Riverside Tai Chi" in thread and "Phoned the instructor" in thread


def test_with_no_coordinator_at_all_the_enquiry_waits_and_is_not_lost(
    client: Client, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    svc = _service()
    enquiry = _send(client, django_capture_on_commit_callbacks, svc)
    assert _delivery(enquiry).state == State.WAITING and mail.outbox == []
    assert [e.pk for e in enquiry_routing.enquiries_to_pass_on()] == [enquiry.pk]


def test_a_coordinator_cannot_read_enquiries_that_reached_the_provider(
    client: Client, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    coordinator = f.user(Role.COORDINATOR)
    svc = _service(service_email="taichi@example.org")
    enquiry = _send(client, django_capture_on_commit_callbacks, svc)
    client.force_login(coordinator)
    assert client.get(reverse("directory:enquiry", args=[enquiry.pk])).status_code == 404
    client.force_login(f.user())
    assert client.get(reverse("directory:enquiry", args=[enquiry.pk])).status_code == 404


# --- delivery status ------------------------------------------------------------------------------


def test_the_status_is_sending_until_the_mail_task_has_run(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    svc = _service(service_email="taichi@example.org")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enquiry = enquiries.send_enquiry(person=f.user(), service=svc, subject="Hi", body="Room?")
    assert _delivery(enquiry).state == State.QUEUED
    for callback in callbacks:
        callback()
    assert _delivery(enquiry).state == State.SENT


def test_a_failed_email_is_shown_and_goes_to_the_coordinators(
    client: Client,
    django_capture_on_commit_callbacks: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: Any) -> None:
        raise OSError("Connection refused")

    monkeypatch.setattr(notifications, "deliver", refuse)
    coordinator = f.user(Role.COORDINATOR)
    svc = _service(service_email="taichi@example.org")
    person = f.user()
    enquiry = _send(client, django_capture_on_commit_callbacks, svc, person)
    assert _delivery(enquiry).state == State.FAILED
    thread = client.get(reverse("directory:enquiry", args=[enquiry.pk])).content.decode()
    assert "Not sent" in thread and "could not be sent" in thread
    assert [e.pk for e in enquiry_routing.enquiries_to_pass_on()] == [enquiry.pk]
    client.force_login(coordinator)
    assert client.get(reverse("directory:enquiry", args=[enquiry.pk])).status_code == 200


def test_a_provider_reply_goes_to_the_person_with_a_full_link(
    client: Client, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    svc = _service()
    provider = f.provider_user(svc.organization)
    person = f.user()
    enquiry = _send(client, django_capture_on_commit_callbacks, svc, person)
    mail.outbox.clear()
    client.force_login(provider)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("directory:enquiry", args=[enquiry.pk]), {"body": "Yes, come along."})
    reply = EnquiryDelivery.objects.get(message__from_provider=True)
    assert (reply.route, reply.state, reply.recipients) == (
        Route.PERSON,
        State.SENT,
        [person.email],
    )
    assert mail.outbox[0].to == [person.email]
    assert f"{settings.SITE_URL}/find-support/enquiries/{enquiry.pk}/#message-" in (
        mail.outbox[0].body
    )
    client.force_login(person)
    thread = client.get(reverse("directory:enquiry", args=[enquiry.pk])).content.decode()
    assert "Sent by email to the staff of Riverside Tai Chi" in thread


def test_a_person_without_an_email_still_gets_the_reply_on_the_site(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    svc = _service()
    provider = f.provider_user(svc.organization)
    person = f.user(email="")
    enquiry = enquiries.send_enquiry(person=person, service=svc, subject="Hi", body="Room?")
    with django_capture_on_commit_callbacks(execute=True):
        enquiries.reply_to_enquiry(author=provider, enquiry=enquiry, body="Yes")
    reply = EnquiryDelivery.objects.get(message__from_provider=True)
    assert reply.state == State.NOT_EMAILED and mail.outbox == []


def test_unrelated_emails_do_not_change_a_delivery(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    svc = _service(service_email="taichi@example.org")
    with django_capture_on_commit_callbacks(execute=False):
        enquiry = enquiries.send_enquiry(person=f.user(), service=svc, subject="Hi", body="Room?")
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify("Something else", "No link to a thread here.", ["a@example.org"])
    assert _delivery(enquiry).state == State.QUEUED


def test_export_and_erasure_cover_the_deliveries(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    svc = _service()
    provider = f.provider_user(svc.organization)
    person = f.user()
    enquiry = enquiries.send_enquiry(person=person, service=svc, subject="Hi", body="Room?")
    enquiries.reply_to_enquiry(author=provider, enquiry=enquiry, body="Yes")
    exported = personal_data.export(person)["enquiries"][0]["messages"]
    assert exported[1]["delivery"]["to"] == [person.email]
    personal_data.erase(person)
    assert EnquiryDelivery.objects.get(message__from_provider=True).recipients == []


def test_members_who_turned_enquiry_emails_off_read_it_on_the_site(
    client: Client, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    from accounts.models import NotificationPreference

    svc = _service(service_email="taichi@example.org")
    quiet = f.provider_user(svc.organization)
    NotificationPreference.objects.create(user=quiet, kind="enquiries", email=False)
    enquiry = _send(client, django_capture_on_commit_callbacks, svc)
    delivery = _delivery(enquiry)
    # Still the members' (they answer on the site), not emailed, and said so on the thread.
    assert (delivery.route, delivery.state, mail.outbox) == (Route.MEMBERS, State.NOT_EMAILED, [])
    thread = client.get(reverse("directory:enquiry", args=[enquiry.pk])).content.decode()
    assert "chose not to get emails about enquiries" in thread
    # One member who still wants them: that one is emailed, and the message is sent.
    keen = f.provider_user(svc.organization)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        enquiries.reply_to_enquiry(author=enquiry.person, enquiry=enquiry, body="Any news?")
    latest = EnquiryDelivery.objects.order_by("-pk").first()
    assert latest is not None and latest.recipients == [keen.email] and latest.state == State.SENT
    assert [m.to for m in mail.outbox] == [[keen.email]]


def test_erasing_a_member_of_staff_takes_their_address_out_of_other_peoples_deliveries(
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Issue 12: a provider's member and a coordinator who received enquiries are erased; the
    deliveries of the enquiries sent to them no longer name their address; the others stay."""
    svc = _service()
    leaving = f.provider_user(svc.organization)
    staying = f.provider_user(svc.organization)
    person = f.user()
    to_members = enquiries.send_enquiry(person=person, service=svc, subject="Hi", body="Room?")
    members = _delivery(to_members)
    assert members.route == Route.MEMBERS
    assert sorted(members.recipients) == sorted([leaving.email, staying.email])

    other = _service()  # nobody on the site, no address: to the coordinators
    coordinator = f.user(Role.COORDINATOR, email="Cora.Ord@example.org")
    colleague = f.user(Role.COORDINATOR)
    to_team = enquiries.send_enquiry(person=person, service=other, subject="Hi", body="Open?")
    team = _delivery(to_team)
    assert team.route == Route.COORDINATORS
    assert coordinator.email in team.recipients and colleague.email in team.recipients

    personal_data.erase(leaving)
    personal_data.erase(User.objects.get(pk=coordinator.pk))  # the address as typed, any case
    members.refresh_from_db()
    team.refresh_from_db()
    assert members.recipients == [staying.email]
    assert team.recipients == [colleague.email]
    # The person's own enquiry is kept whole: only the staff member's address went.
    assert Enquiry.objects.get(pk=to_members.pk).subject == "Hi"
