"""Listings: a provider proposes a new service, a change to a listing or facts about their
organisation; nothing public changes until a coordinator publishes it (or refuses it, with a
reason the provider sees)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from directory import listing_details
from directory.models import ListingChange, Organization, Service, TransparencyFact
from directory.permissions import can_act_for
from directory.services._common import DirectoryError, require_moderator
from directory.services.search_words import refresh_search_documents
from wellbeing_hub.notifications import notify, site_url


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
    require_moderator(moderator)
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
