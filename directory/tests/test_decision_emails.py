"""Issue 13, notifications: a provider's members are emailed when a coordinator publishes or
refuses their listing change (with the reason and an absolute link to change it), and a reviewer
when their review is published, refused (with the reason) or replied to. Each is sent as its kind,
so a person who turned that kind off gets nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core import mail

from accounts.models import NotificationPreference
from accounts.roles import Role
from directory.models import ListingChange, Review
from directory.services import listings, reviews
from directory.tests import factories as f

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]
LISTING_FOOTER = "emails about changes to your organisation's listings"
REVIEWS_FOOTER = "emails about reviews of services"


@pytest.fixture
def area() -> dict[str, Any]:
    org = f.organization(name="Oak Tree Trust")
    service = f.service(organization_=org, name="Lunch club")
    first, second = f.provider_user(org), f.provider_user(org)
    other_org = f.organization(name="Elm Trust")
    outsider = f.provider_user(other_org)
    return {
        "org": org,
        "service": service,
        "members": [first, second],
        "outsider": outsider,
        "coordinator": f.user(Role.COORDINATOR),
        "reviewer": f.user(email="rev@example.org"),
    }


def _sent(capture: Capture, action: Callable[[], Any]) -> list[mail.EmailMessage]:
    mail.outbox.clear()
    with capture(execute=True):
        action()
    return list(mail.outbox)


def _change(area: dict[str, Any]) -> ListingChange:
    return listings.propose_listing_change(
        author=area["members"][0],
        service=area["service"],
        changes={"description": "Hot lunches on Tuesdays."},
    )


def test_a_published_change_is_emailed_to_every_member_with_a_link_to_the_listing(
    django_capture_on_commit_callbacks: Capture, area: dict[str, Any]
) -> None:
    change = _change(area)
    sent = _sent(
        django_capture_on_commit_callbacks,
        lambda: listings.decide_listing_change(
            moderator=area["coordinator"], change=change, publish=True
        ),
    )
    assert sorted(m.to[0] for m in sent) == sorted(u.email for u in area["members"])
    assert area["outsider"].email not in [m.to[0] for m in sent]
    message = sent[0]
    assert message.subject == "Your change to Lunch club is published"
    assert f"{settings.SITE_URL}/find-support/services/{area['service'].pk}/" in message.body
    assert LISTING_FOOTER in message.body


def test_a_refused_change_gives_the_reason_and_a_link_to_change_it(
    django_capture_on_commit_callbacks: Capture, area: dict[str, Any]
) -> None:
    change = _change(area)
    sent = _sent(
        django_capture_on_commit_callbacks,
        lambda: listings.decide_listing_change(
            moderator=area["coordinator"],
            change=change,
            publish=False,
            reason="Say which day the lunch is.",
        ),
    )
    assert len(sent) == 2
    message = sent[0]
    assert message.subject == "Your change to Lunch club was not published"
    assert "The reason they gave:\nSay which day the lunch is." in message.body
    edit = f"{settings.SITE_URL}/find-support/services/{area['service'].pk}/edit/"
    assert f"Change it and send it again: {edit}" in message.body


def test_refused_facts_link_to_the_facts_page(
    django_capture_on_commit_callbacks: Capture, area: dict[str, Any]
) -> None:
    org = area["org"]
    change = listings.propose_facts(
        author=area["members"][0], organization=org, facts={"registered_charity": "1234567"}
    )
    sent = _sent(
        django_capture_on_commit_callbacks,
        lambda: listings.decide_listing_change(
            moderator=area["coordinator"], change=change, publish=False, reason="Not a number."
        ),
    )
    assert sent[0].subject == "Your change to Oak Tree Trust's facts was not published"
    assert f"{settings.SITE_URL}/find-support/organisations/{org.pk}/facts/" in sent[0].body


def test_a_member_who_turned_listing_emails_off_gets_none(
    django_capture_on_commit_callbacks: Capture, area: dict[str, Any]
) -> None:
    first, second = area["members"]
    NotificationPreference.objects.create(user=first, kind="listing_changes", email=False)
    change = _change(area)
    sent = _sent(
        django_capture_on_commit_callbacks,
        lambda: listings.decide_listing_change(
            moderator=area["coordinator"], change=change, publish=True
        ),
    )
    assert [m.to for m in sent] == [[second.email]]


def _review(area: dict[str, Any]) -> Review:
    return Review.objects.create(
        service=area["service"], author=area["reviewer"], rating=4, body="Friendly and warm."
    )


def test_the_reviewer_hears_their_review_is_published(
    django_capture_on_commit_callbacks: Capture, area: dict[str, Any]
) -> None:
    review = _review(area)
    (message,) = _sent(
        django_capture_on_commit_callbacks,
        lambda: reviews.moderate_review(moderator=area["coordinator"], review=review, publish=True),
    )
    assert message.to == ["rev@example.org"]
    assert message.subject == "Your review of Lunch club is published"
    link = f"{settings.SITE_URL}/find-support/services/{area['service'].pk}/#reviews"
    assert link in message.body
    assert REVIEWS_FOOTER in message.body


def test_the_reviewer_hears_why_their_review_was_not_published(
    django_capture_on_commit_callbacks: Capture, area: dict[str, Any]
) -> None:
    review = _review(area)
    (message,) = _sent(
        django_capture_on_commit_callbacks,
        lambda: reviews.moderate_review(
            moderator=area["coordinator"],
            review=review,
            publish=False,
            reason="It names a member of staff.",
        ),
    )
    assert message.subject == "Your review of Lunch club was not published"
    assert "The reason they gave:\nIt names a member of staff." in message.body


def test_the_reviewer_hears_when_the_provider_replies(
    django_capture_on_commit_callbacks: Capture, area: dict[str, Any]
) -> None:
    review = _review(area)
    Review.objects.filter(pk=review.pk).update(state=Review.State.PUBLISHED)
    review.refresh_from_db()
    (message,) = _sent(
        django_capture_on_commit_callbacks,
        lambda: reviews.reply_to_review(
            author=area["members"][0], review=review, reply="Thank you, see you Tuesday."
        ),
    )
    assert message.to == ["rev@example.org"]
    assert message.subject == "Oak Tree Trust replied to your review of Lunch club"
    assert "Thank you, see you Tuesday." in message.body
    assert (
        f"{settings.SITE_URL}/find-support/services/{area['service'].pk}/#reviews" in message.body
    )
