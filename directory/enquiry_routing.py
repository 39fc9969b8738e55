"""Where an enquiry goes, and whether it got there.

A message from a person goes to the first of these that can receive it:

1. the organisation's members on this site (active accounts with a valid email address): they
   read and answer it here;
2. the service's email address from the feed or listing, else the organisation's;
3. the area's coordinators (the council's directory team), who pass it on by whatever means
   the provider has (a phone number, a visit) and record that they did.

An address is used only when it is a valid email address (an imported feed may carry one that
is not). The person is told which route before they send (:func:`route_for`), and each message
carries an :class:`~directory.models.EnquiryDelivery` that the thread shows: sending, sent, failed
or waiting for a coordinator.

Mail goes through :func:`wellbeing_hub.notifications.notify` like every other email, as a
background task. Its outcome comes back through Django's ``task_finished`` signal
(:func:`record_mail_outcome`): the email's link to the thread ends ``#message-<id>``, which
names the message the email was about.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

import django
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from directory.models import EnquiryDelivery, EnquiryMessage, Service
from wellbeing_hub import notifications

logger = logging.getLogger(__name__)

Route = EnquiryDelivery.Route
State = EnquiryDelivery.State

SEND_EMAIL_TASK = "wellbeing_hub.notifications.send_email"
_MESSAGE_IN_LINK = re.compile(r"/enquiries/(\d+)/#message-(\d+)")


def is_valid_email(address: str) -> bool:
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


@dataclass(frozen=True)
class Routing:
    route: str
    recipients: tuple[str, ...]

    @property
    def to_coordinators(self) -> bool:
        return self.route == Route.COORDINATORS


def coordinator_emails() -> list[str]:
    """The area's coordinators who can receive email (active, with a valid address)."""
    emails = (
        User.objects.filter(groups__name=Role.COORDINATOR, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
        .distinct()
    )
    return [e for e in emails if is_valid_email(e)]


def member_emails(service: Service) -> list[str]:
    members = service.organization.members.select_related("user").order_by("pk")
    return [
        m.user.email for m in members if m.user.is_active and is_valid_email(m.user.email or "")
    ]


def route_for(service: Service) -> Routing:
    """Where a person's message about this service goes (see the module's docstring)."""
    members = member_emails(service)
    if members:
        return Routing(Route.MEMBERS, tuple(members))
    if is_valid_email(service.email):
        return Routing(Route.SERVICE_EMAIL, (service.email,))
    if is_valid_email(service.organization.email):
        return Routing(Route.ORGANIZATION_EMAIL, (service.organization.email,))
    return Routing(Route.COORDINATORS, tuple(coordinator_emails()))


def explain(service: Service, routing: Routing) -> str:
    """What the person is told before they send."""
    name = service.organization.name
    if routing.route == Route.MEMBERS:
        return (
            f"Your message will go to the staff of {name} on this site, by email. "
            "They can reply here."
        )
    if routing.route in (Route.SERVICE_EMAIL, Route.ORGANIZATION_EMAIL):
        return (
            f"Your message will go to {routing.recipients[0]} by email, the address {name} "
            "published. Their reply will come to you by email or here."
        )
    return (
        f"{name} has not given us an email address, so your message will go to the council's "
        "directory team, who will pass it on."
    )


def thread_link(message: EnquiryMessage) -> str:
    """The full address of the message in its thread (its fragment names the message, so the
    outcome of the email can be matched to it)."""
    path = reverse("directory:enquiry", args=[message.enquiry_id])
    return notifications.site_url(f"{path}#message-{message.pk}")


ENQUIRY_KIND = "enquiries"
"""The kind of email (``wellbeing_hub.notifications.KINDS``) enquiries and replies are, which
people can turn off: they still read them on this site."""


def _kind() -> str | None:
    """The enquiries kind, where notifications know kinds of email."""
    kinds = getattr(notifications, "KINDS_BY_CODE", None)
    return ENQUIRY_KIND if kinds and ENQUIRY_KIND in kinds else None


def _who_gets_email(recipients: list[str]) -> list[str]:
    """The recipients ``notify`` will email: those whose accounts have not all turned
    enquiry emails off (an address with no account always gets it)."""
    kind = _kind()
    if kind is None or not recipients:
        return recipients
    from accounts import notification_preferences

    accounts = notification_preferences.accounts_for(recipients)
    off = notification_preferences.turned_off(
        [uid for ids in accounts.values() for uid in ids], kind
    )
    return [
        r
        for r in recipients
        if not (ids := accounts.get(r.strip().lower(), [])) or not all(i in off for i in ids)
    ]


def _notify(subject: str, body: str, recipients: list[str]) -> None:
    kind = _kind()
    if kind is not None:
        notifications.notify(subject, body, recipients, kind=kind)
    else:
        notifications.notify(subject, body, recipients)


def deliver(
    *, message: EnquiryMessage, routing: Routing, subject: str, body: str
) -> EnquiryDelivery:
    """Record where the message goes and hand the email to the mail queue. Call it inside the
    transaction that saved the message: nothing is sent if that rolls back."""
    recipients = _who_gets_email(list(routing.recipients))
    if routing.to_coordinators:
        state = State.WAITING  # until a coordinator records that they passed it on
    elif recipients:
        state = State.QUEUED
    else:
        state = State.NOT_EMAILED
    delivery = EnquiryDelivery.objects.create(
        message=message, route=routing.route, recipients=recipients, state=state
    )
    if recipients:
        _notify(subject, body, recipients)
    return delivery


def record_mail_outcome(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """``task_finished`` receiver: mark the enquiry message's delivery sent or failed.

    Only emails to a provider or a person (queued, sent or failed deliveries) change: a message
    waiting for a coordinator waits until one passes it on, whatever happened to the email that
    told the coordinators."""
    task = getattr(task_result, "task", None)
    if getattr(task, "module_path", "") != SEND_EMAIL_TASK:
        return
    args = list(getattr(task_result, "args", []) or [])
    if len(args) < 2 or not isinstance(args[1], str):
        return
    found = _MESSAGE_IN_LINK.search(args[1])
    if found is None:
        return
    status = str(getattr(getattr(task_result, "status", None), "value", ""))
    if status not in ("SUCCESSFUL", "FAILED"):
        return  # still to run, or to be retried
    # With a copy for each recipient, one copy sent makes the message sent; a failure counts
    # only while no copy has been sent.
    if status == "SUCCESSFUL":
        state, before = State.SENT, [State.QUEUED, State.FAILED]
    else:
        state, before = State.FAILED, [State.QUEUED]
    updated = EnquiryDelivery.objects.filter(
        message_id=int(found.group(2)),
        message__enquiry_id=int(found.group(1)),
        state__in=before,
    ).update(state=state, updated_at=timezone.now())
    if state == State.FAILED and updated:
        logger.warning("Enquiry message %s: the email failed", found.group(2))


def connect() -> None:
    if django.VERSION >= (6, 0):
        from django.tasks.signals import task_finished
    else:  # Django 5.2: the backport of the same framework
        from django_tasks.signals import task_finished as backport_finished

        task_finished = backport_finished
    task_finished.connect(record_mail_outcome, dispatch_uid="directory.enquiry_mail_outcome")


@dataclass(frozen=True)
class Status:
    """A message's delivery as the thread shows it: a short tag and a sentence."""

    tag: str
    colour: str
    text: str


_COLOURS = {
    State.QUEUED: "blue",
    State.SENT: "green",
    State.FAILED: "red",
    State.WAITING: "yellow",
    State.PASSED_ON: "green",
    State.NOT_EMAILED: "grey",
}


def status_of(message: EnquiryMessage) -> Status | None:
    """What the thread says about where this message went (None for a message sent before
    deliveries were recorded)."""
    delivery: EnquiryDelivery | None = getattr(message, "delivery", None)
    if delivery is None:
        return None
    enquiry = message.enquiry
    organisation = enquiry.service.organization.name
    state = State(delivery.state)
    route = Route(delivery.route)
    if route == Route.MEMBERS:
        who = f"the staff of {organisation}"
    elif route == Route.PERSON:
        who = enquiry.person.get_full_name()
    elif route == Route.COORDINATORS:
        who = "the council's directory team"
    else:
        who = ", ".join(delivery.recipients) or organisation
    tag = {
        State.QUEUED: "Sending",
        State.SENT: "Sent",
        State.FAILED: "Not sent",
        State.WAITING: "Waiting for a coordinator",
        State.PASSED_ON: "Passed on",
        State.NOT_EMAILED: "Not emailed",
    }[state]
    if state == State.QUEUED:
        text = f"Being sent by email to {who}."
    elif state == State.SENT:
        text = f"Sent by email to {who}."
    elif state == State.FAILED and route == Route.PERSON:
        text = f"The email to {who} could not be sent. They can still read the reply here."
    elif state == State.FAILED:
        text = (
            f"The email to {who} could not be sent. The council's directory team can see "
            f"this message and will pass it on to {organisation}."
        )
    elif state == State.WAITING:
        text = (
            f"{organisation} has no email address on the directory, so this went to the "
            "council's directory team, who will pass it on."
        )
    elif state == State.PASSED_ON:
        text = f"Passed on to {organisation} by the council's directory team: {delivery.passed_on_note}"
    else:
        text = (
            f"Not emailed: {who} has no email address we can use, or chose not to get emails "
            "about enquiries. It is kept here for them to read."
        )
    return Status(tag=tag, colour=_COLOURS[state], text=text)


def enquiries_to_pass_on() -> list[Any]:
    """Enquiries with a message from the person that is waiting for a coordinator or whose email
    failed, oldest waiting message first."""
    from django.db.models import Min

    from directory.models import Enquiry

    return list(
        Enquiry.objects.filter(
            messages__from_provider=False,
            messages__delivery__state__in=[State.WAITING, State.FAILED],
        )
        .annotate(waiting_since=Min("messages__sent_at"))
        .select_related("service__organization")
        .order_by("waiting_since", "pk")
    )
