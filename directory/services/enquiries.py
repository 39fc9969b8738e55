"""Enquiries: a person asks a provider, the provider (or the person) replies, and a
coordinator records that they passed on an enquiry the provider could not be sent."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from directory import enquiry_routing
from directory.models import Enquiry, EnquiryDelivery, EnquiryMessage, Service
from directory.permissions import can_reply_to_enquiry
from directory.services._common import DirectoryError, require_moderator


def _send_to_provider(
    *, enquiry: Enquiry, message: EnquiryMessage, subject: str, opening: str
) -> EnquiryDelivery:
    service = enquiry.service
    routing = enquiry_routing.route_for(service)
    link = enquiry_routing.thread_link(message)
    if routing.to_coordinators:
        body = (
            f"{opening}\n\n{service.organization.name} has no email address on the directory "
            f"and nobody from it uses this site, so the enquiry came to the directory team. "
            f"Please pass it on (for example by phone) and record that you did: {link}"
        )
        subject = f"To pass on: {subject}"
    else:
        body = f"{opening}\n\nRead and reply: {link}"
    return enquiry_routing.deliver(message=message, routing=routing, subject=subject, body=body)


@transaction.atomic
def send_enquiry(
    *, person: User, service: Service, subject: str, body: str, request: HttpRequest | None = None
) -> Enquiry:
    enquiry = Enquiry.objects.create(service=service, person=person, subject=subject)
    message = EnquiryMessage.objects.create(
        enquiry=enquiry, author=person, body=body, from_provider=False
    )
    record_audit(
        actor=person,
        action=AuditEvent.Action.CREATE,
        target=enquiry,
        subject=person,
        summary=f"Sent an enquiry to {service.organization.name}",
        request=request,
    )
    _send_to_provider(
        enquiry=enquiry,
        message=message,
        subject=f"New enquiry about {service.name}",
        opening=f"{person.get_full_name()} sent an enquiry about {service.name}: {subject}",
    )
    return enquiry


@transaction.atomic
def reply_to_enquiry(
    *, author: User, enquiry: Enquiry, body: str, request: HttpRequest | None = None
) -> EnquiryMessage:
    if not can_reply_to_enquiry(author, enquiry):
        raise DirectoryError("You can only reply to your own enquiries or your organisation's.")
    from_provider = enquiry.person_id != author.pk
    message = EnquiryMessage.objects.create(
        enquiry=enquiry, author=author, body=body, from_provider=from_provider
    )
    record_audit(
        actor=author,
        action=AuditEvent.Action.UPDATE,
        target=enquiry,
        subject=enquiry.person,
        summary="Replied to an enquiry",
        request=request,
    )
    subject = f"Reply about {enquiry.service.name}"
    opening = f"There is a new reply to the enquiry '{enquiry.subject}'."
    if from_provider:
        email = enquiry.person.email or ""
        routing = enquiry_routing.Routing(
            EnquiryDelivery.Route.PERSON,
            (email,) if enquiry.person.is_active and enquiry_routing.is_valid_email(email) else (),
        )
        link = enquiry_routing.thread_link(message)
        enquiry_routing.deliver(
            message=message, routing=routing, subject=subject, body=f"{opening} Read it: {link}"
        )
    else:
        _send_to_provider(enquiry=enquiry, message=message, subject=subject, opening=opening)
    return message


@transaction.atomic
def record_passed_on(
    *,
    coordinator: User,
    enquiry: Enquiry,
    note: str,
    request: HttpRequest | None = None,
) -> int:
    """A coordinator records that they passed on the messages waiting for them (and any whose
    email failed), and how. Returns how many messages it covered."""
    require_moderator(coordinator)
    if not note.strip():
        raise DirectoryError("Say how you passed it on, for example 'Phoned 01234 567890'.")
    waiting = EnquiryDelivery.objects.select_for_update().filter(
        message__enquiry=enquiry,
        message__from_provider=False,
        state__in=[EnquiryDelivery.State.WAITING, EnquiryDelivery.State.FAILED],
    )
    count = waiting.update(
        state=EnquiryDelivery.State.PASSED_ON,
        passed_on_by=coordinator,
        passed_on_note=note.strip(),
        updated_at=timezone.now(),
    )
    if not count:
        raise DirectoryError("There is nothing in this enquiry waiting to be passed on.")
    record_audit(
        actor=coordinator,
        action=AuditEvent.Action.UPDATE,
        target=enquiry,
        subject=enquiry.person,
        summary=f"Passed on an enquiry to {enquiry.service.organization.name}",
        request=request,
    )
    return count
