"""Issue 11, finding 5: a review waiting for moderation (or refused) is seen only by its author and
the moderators (coordinators, administrators); the provider sees it once it is published, and
only then can reply to it. Every page that shows a review is checked."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from directory import permissions
from directory.models import Review
from directory.services import _common, reviews
from directory.tests import factories as f

pytestmark = pytest.mark.django_db

SECRET = "The volunteer on Tuesdays was rude to my mother."


@pytest.fixture
def setting() -> dict[str, object]:
    org = f.organization()
    service = f.service(organization_=org, name="Lunch club")
    author = f.user()
    review = Review.objects.create(
        service=service, author=author, rating=2, body=SECRET, used_service_on="May 2026"
    )
    return {
        "service": service,
        "review": review,
        "author": author,
        "provider": f.provider_user(org),
        "coordinator": f.user(Role.COORDINATOR),
        "stranger": f.user(),
    }


def _as(client: Client, user: object) -> Client:
    if user is not None:
        client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.mark.parametrize("state", [Review.State.PENDING, Review.State.REJECTED])
def test_the_provider_cannot_read_or_answer_an_unpublished_review(
    client: Client, setting: dict[str, object], state: str
) -> None:
    review = setting["review"]
    assert isinstance(review, Review)
    Review.objects.filter(pk=review.pk).update(state=state)
    _as(client, setting["provider"])
    url = reverse("directory:review-reply", args=[review.pk])
    page = client.get(url)
    assert page.status_code == 404 and SECRET not in page.content.decode()
    posted = client.post(url, {"reply": "We are sorry to hear this."})
    assert posted.status_code == 404
    review.refresh_from_db()
    assert review.provider_reply == ""
    service_page = client.get(reverse("directory:service", args=[review.service_id]))
    assert SECRET not in service_page.content.decode()
    assert client.get(reverse("directory:provider-home")).status_code == 200
    assert SECRET not in client.get(reverse("directory:provider-home")).content.decode()
    assert client.get(reverse("directory:moderation")).status_code == 403
    assert client.get(reverse("directory:moderate-review", args=[review.pk])).status_code == 403


def test_replying_through_the_service_layer_needs_a_published_review(
    setting: dict[str, object],
) -> None:
    review = setting["review"]
    assert isinstance(review, Review)
    with pytest.raises(_common.DirectoryError, match="once it is published"):
        reviews.reply_to_review(author=setting["provider"], review=review, reply="Sorry")  # type: ignore[arg-type]


def test_once_published_the_provider_reads_and_replies(
    client: Client, setting: dict[str, object]
) -> None:
    review = setting["review"]
    assert isinstance(review, Review)
    reviews.moderate_review(moderator=setting["coordinator"], review=review, publish=True)  # type: ignore[arg-type]
    _as(client, setting["provider"])
    url = reverse("directory:review-reply", args=[review.pk])
    assert SECRET in client.get(url).content.decode()
    assert client.post(url, {"reply": "We are sorry to hear this."}).status_code == 302
    review.refresh_from_db()
    assert review.provider_reply == "We are sorry to hear this."


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("author", True),
        ("coordinator", False),
        ("stranger", False),
        ("provider", False),
        (None, False),
    ],
)
def test_the_service_page_shows_a_waiting_review_to_its_author_only(
    client: Client, setting: dict[str, object], who: str | None, sees: bool
) -> None:
    _as(client, setting[who] if who else None)
    review = setting["review"]
    assert isinstance(review, Review)
    html = client.get(reverse("directory:service", args=[review.service_id])).content.decode()
    assert (SECRET in html) is sees
    assert ("Waiting for moderation" in html) is sees


def test_the_author_sees_why_their_review_was_not_published(
    client: Client, setting: dict[str, object]
) -> None:
    review = setting["review"]
    assert isinstance(review, Review)
    reviews.moderate_review(
        moderator=setting["coordinator"],  # type: ignore[arg-type]
        review=review,
        publish=False,
        reason="It names a member of staff.",
    )
    _as(client, setting["author"])
    html = client.get(reverse("directory:service", args=[review.service_id])).content.decode()
    assert "Not published" in html and "It names a member of staff." in html


def test_moderators_read_waiting_reviews(client: Client, setting: dict[str, object]) -> None:
    review = setting["review"]
    assert isinstance(review, Review)
    _as(client, setting["coordinator"])
    assert "Lunch club" in client.get(reverse("directory:moderation")).content.decode()
    html = client.get(reverse("directory:moderate-review", args=[review.pk])).content.decode()
    assert SECRET in html


@pytest.mark.parametrize("who", ["author", "coordinator", "stranger", "provider"])
def test_can_see_review_is_the_rule(setting: dict[str, object], who: str) -> None:
    review = setting["review"]
    assert isinstance(review, Review)
    user = setting[who]
    assert permissions.can_see_review(user, review) is (who in ("author", "coordinator"))  # type: ignore[arg-type]
    review.state = Review.State.PUBLISHED
    assert permissions.can_see_review(user, review) is True  # type: ignore[arg-type]
