"""Writes for the directory: each use case is one transactional function that audits what it did."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.roles import Role
from accounts.services import record_audit
from directory import enquiry_routing, listing_details, search_index
from directory.html import plain_text
from directory.models import (
    Enquiry,
    EnquiryDelivery,
    EnquiryMessage,
    ListingChange,
    OnboardingCheck,
    Organization,
    OrganizationMember,
    Review,
    Service,
    TransparencyFact,
)
from wellbeing_hub.notifications import notify, site_url

logger = logging.getLogger(__name__)


class DirectoryError(Exception):
    """A request the directory refuses, with a message for the person who made it."""


# --- search document ----------------------------------------------------------------------------


def search_document_for(service: Service) -> str:
    terms = " ".join(
        a.taxonomy_term.name for a in service.attributes.select_related("taxonomy_term")
    )
    parts = [
        service.name,
        service.alternate_name,
        service.organization.name,
        terms,
        plain_text(service.description),  # words, not markup: "nbsp" matches nothing
        service.eligibility_description,
    ]
    return "\n".join(p for p in parts if p)


def refresh_search_documents(services: Iterable[Service]) -> int:
    changed = []
    for service in services:
        document = search_document_for(service)
        if document != service.search_document:
            service.search_document = document
            changed.append(service)
    Service.objects.bulk_update(changed, ["search_document"], batch_size=500)
    search_index.refresh(s.pk for s in changed)  # the copied tsvector follows the words
    return len(changed)


# --- who may act for a provider -----------------------------------------------------------------


def organizations_of(user: User) -> list[Organization]:
    return [
        m.organization
        for m in OrganizationMember.objects.filter(user=user).select_related("organization")
    ]


def can_act_for(user: User, organization: Organization) -> bool:
    return (
        user.is_authenticated
        and OrganizationMember.objects.filter(user=user, organization=organization).exists()
    )


def add_member(*, organization: Organization, user: User) -> None:
    OrganizationMember.objects.get_or_create(organization=organization, user=user)


# --- enquiries ------------------------------------------------------------------------------------


def _coordinator_may_see(user: User, enquiry: Enquiry) -> bool:
    """A coordinator may read an enquiry that came to the directory team, or whose email to the
    provider failed: they pass it on."""
    if not is_moderator(user):
        return False
    return EnquiryDelivery.objects.filter(
        message__enquiry=enquiry,
        message__from_provider=False,
        state__in=[
            EnquiryDelivery.State.WAITING,
            EnquiryDelivery.State.PASSED_ON,
            EnquiryDelivery.State.FAILED,
        ],
    ).exists()


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


def can_see_enquiry(user: User, enquiry: Enquiry) -> bool:
    return (
        enquiry.person_id == user.pk
        or can_act_for(user, enquiry.service.organization)
        or _coordinator_may_see(user, enquiry)
    )


def can_reply_to_enquiry(user: User, enquiry: Enquiry) -> bool:
    return enquiry.person_id == user.pk or can_act_for(user, enquiry.service.organization)


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
    _require_coordinator(coordinator)
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


# --- reviews --------------------------------------------------------------------------------------


def is_moderator(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.COORDINATOR, Role.ADMINISTRATOR)


def can_see_review(user: User, review: Review) -> bool:
    """Who may read a review: everyone once it is published; before that (waiting for
    moderation, or not published) only its author and the moderators (coordinators and
    administrators). The provider of the service is not told of it until it is published."""
    if review.state == Review.State.PUBLISHED:
        return True
    return user.is_authenticated and (review.author_id == user.pk or is_moderator(user))


@transaction.atomic
def submit_review(
    *, author: User, service: Service, rating: int, body: str, used_service_on: str
) -> Review:
    if not 1 <= rating <= 5:
        raise DirectoryError("Choose a rating from 1 to 5.")
    if Review.objects.filter(service=service, author=author).exists():
        raise DirectoryError("You have already reviewed this service.")
    return Review.objects.create(
        service=service, author=author, rating=rating, body=body, used_service_on=used_service_on
    )


def _require_coordinator(user: User) -> None:
    if not user.has_role(Role.COORDINATOR, Role.ADMINISTRATOR):
        raise DirectoryError("Only a coordinator can moderate.")


@transaction.atomic
def moderate_review(*, moderator: User, review: Review, publish: bool, reason: str = "") -> Review:
    _require_coordinator(moderator)
    if not publish and not reason.strip():
        raise DirectoryError("Give the reason the review is not published.")
    review.state = Review.State.PUBLISHED if publish else Review.State.REJECTED
    review.moderated_by = moderator
    review.moderation_reason = reason
    review.save(update_fields=["state", "moderated_by", "moderation_reason"])
    _email_reviewer_decision(review)
    return review


def _reviewer(review: Review) -> list[str]:
    author = review.author
    return [author.email] if author.is_active and author.email else []


def _reviews_link(review: Review) -> str:
    return site_url(reverse("directory:service", args=[review.service.pk]) + "#reviews")


def _email_reviewer_decision(review: Review) -> None:
    name = review.service.name
    if review.state == Review.State.PUBLISHED:
        subject = f"Your review of {name} is published"
        body = (
            f"Thank you for your review of {name}. It is now published.\n\n"
            f"See it with the other reviews: {_reviews_link(review)}"
        )
    else:
        subject = f"Your review of {name} was not published"
        body = (
            f"Thank you for your review of {name}. A coordinator did not publish it.\n\n"
            f"The reason they gave:\n{review.moderation_reason.strip()}\n\n"
            f"The service's page: {_reviews_link(review)}"
        )
    notify(subject, body, _reviewer(review), kind="reviews")


@transaction.atomic
def reply_to_review(*, author: User, review: Review, reply: str) -> Review:
    if not can_act_for(author, review.service.organization):
        raise DirectoryError("Only the provider can reply to a review of its service.")
    if review.state != Review.State.PUBLISHED:
        # A reply is public: there is nothing to reply to until the review itself is.
        raise DirectoryError("You can reply to a review once it is published.")
    review.provider_reply = reply
    review.provider_replied_at = timezone.now()
    review.save(update_fields=["provider_reply", "provider_replied_at"])
    name = review.service.name
    notify(
        f"{review.service.organization.name} replied to your review of {name}",
        f"{review.service.organization.name} replied to your review of {name}:\n\n"
        f"{reply.strip()}\n\n"
        f"See the reply with your review: {_reviews_link(review)}",
        _reviewer(review),
        kind="reviews",
    )
    return review


@transaction.atomic
def propose_new_service(
    *, author: User, organization: Organization, fields: dict[str, Any]
) -> ListingChange:
    """A provider adds a service. It is kept inactive (not public) until a coordinator publishes
    the change, which sets it active with the proposed details."""
    if not can_act_for(author, organization):
        raise DirectoryError("You can only add services for your own organisation.")
    service = Service.objects.create(
        organization=organization, name=fields["name"], status=Service.Status.INACTIVE
    )
    proposed = {**fields, "status": Service.Status.ACTIVE}
    return ListingChange.objects.create(
        organization=organization, service=service, proposed=proposed, submitted_by=author
    )


@transaction.atomic
def propose_facts(
    *, author: User, organization: Organization, facts: dict[str, str]
) -> ListingChange:
    """A provider declares facts about itself (an empty value withdraws a fact: it becomes
    unknown). Like listing changes, they are published by a coordinator."""
    if not can_act_for(author, organization):
        raise DirectoryError("You can only change your own organisation's facts.")
    known = {f.fact: f.value for f in organization.transparency_facts.all()}
    proposed = {k: v for k, v in facts.items() if known.get(k, "") != v}
    if not proposed:
        raise DirectoryError("You have not changed anything.")
    return ListingChange.objects.create(
        organization=organization, proposed={"facts": proposed}, submitted_by=author
    )


@transaction.atomic
def record_onboarding_check(
    *,
    coordinator: User,
    organization: Organization,
    check_name: str,
    confirmed_on: date,
    expires_on: date | None,
    note: str = "",
) -> OnboardingCheck:
    _require_coordinator(coordinator)
    if expires_on is not None and expires_on <= confirmed_on:
        raise DirectoryError("The renewal date must be after the date the check was confirmed.")
    check, _ = OnboardingCheck.objects.update_or_create(
        organization=organization,
        check_name=check_name,
        defaults={
            "confirmed_on": confirmed_on,
            "expires_on": expires_on,
            "confirmed_by": coordinator,
            "note": note,
        },
    )
    return check


# --- listing changes and moderation ---------------------------------------------------------------


@transaction.atomic
def propose_listing_change(
    *, author: User, service: Service, changes: dict[str, Any]
) -> ListingChange:
    if not can_act_for(author, service.organization):
        raise DirectoryError("You can only change your own organisation's listings.")
    now = (
        listing_details.current(service)
        if any(name in listing_details.DETAILS for name in changes)
        else {}
    )
    current = {
        name: now[name] if name in listing_details.DETAILS else getattr(service, name)
        for name in changes
    }
    proposed = {k: v for k, v in changes.items() if current.get(k) != v}
    if not proposed:
        raise DirectoryError("You have not changed anything.")
    return ListingChange.objects.create(
        organization=service.organization, service=service, proposed=proposed, submitted_by=author
    )


@transaction.atomic
def decide_listing_change(
    *, moderator: User, change: ListingChange, publish: bool, reason: str = ""
) -> ListingChange:
    _require_coordinator(moderator)
    change = ListingChange.objects.select_for_update().get(pk=change.pk)
    if change.state != ListingChange.State.PENDING:
        raise DirectoryError("This change has already been decided.")
    if not publish and not reason.strip():
        raise DirectoryError(
            "Give the reason the change is not published, so the provider can fix it."
        )
    if publish and change.service is not None:
        service = change.service
        details = {k: v for k, v in change.proposed.items() if k in listing_details.DETAILS}
        for name, value in change.proposed.items():
            if name not in listing_details.DETAILS:
                setattr(service, name, value)
        try:
            service.full_clean(exclude=["organization"])
        except ValidationError as error:
            # Proposed before the limits of today, or the listing already breaks one: refuse
            # it to the coordinator with the fields to fix, rather than fail.
            problems = "; ".join(
                f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
            )
            raise DirectoryError(f"This change cannot be published as it is: {problems}") from None
        service.save()
        listing_details.apply(service, details)
        refresh_search_documents([service])
    elif publish:
        # A provider's declared facts: published facts are dated the day they were confirmed.
        today = timezone.localdate()
        for fact, value in change.proposed.get("facts", {}).items():
            if value:
                TransparencyFact.objects.update_or_create(
                    organization=change.organization,
                    fact=fact,
                    defaults={
                        "value": value,
                        "confirmed_on": today,
                        "source": "Declared by the provider",
                    },
                )
            else:
                TransparencyFact.objects.filter(
                    organization=change.organization, fact=fact
                ).delete()
    change.state = ListingChange.State.PUBLISHED if publish else ListingChange.State.REFUSED
    change.decided_by = moderator
    change.decided_at = timezone.now()
    change.reason = reason
    change.save()
    _email_listing_decision(change)
    return change


def _email_listing_decision(change: ListingChange) -> None:
    """Tell the organisation's members what a coordinator decided about their change: the
    listing when it is published, the reason and the page to change it when it is not."""
    organization = change.organization
    if change.service is not None:
        what = change.service.name
        public = reverse("directory:service", args=[change.service.pk])
        edit = reverse("directory:listing-edit", args=[change.service.pk])
    else:
        what = f"{organization.name}'s facts"
        public = reverse("directory:organization", args=[organization.pk])
        edit = reverse("directory:facts-edit", args=[organization.pk])
    if change.state == ListingChange.State.PUBLISHED:
        subject = f"Your change to {what} is published"
        body = (
            f"A coordinator published your change to {what}. People can see it now.\n\n"
            f"See it: {site_url(public)}"
        )
    else:
        subject = f"Your change to {what} was not published"
        body = (
            f"A coordinator did not publish your change to {what}.\n\n"
            f"The reason they gave:\n{change.reason.strip()}\n\n"
            f"Change it and send it again: {site_url(edit)}"
        )
    recipients = list(
        User.objects.filter(organization_memberships__organization=organization, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )
    notify(subject, body, recipients, kind="listing_changes")
