"""Reviews: a person reviews a service they used, a coordinator publishes it or says why
not, and the provider replies in public."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from directory.models import Review, Service
from directory.permissions import may_reply_to_review
from directory.services._common import DirectoryError, require_moderator
from wellbeing_hub.notifications import notify, site_url


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


@transaction.atomic
def moderate_review(*, moderator: User, review: Review, publish: bool, reason: str = "") -> Review:
    require_moderator(moderator)
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
    if not may_reply_to_review(author, review):
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
