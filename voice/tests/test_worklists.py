import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from directory.tests import factories
from voice import worklists
from voice.services.feedback import submit_feedback
from voice.services.moderation import moderate

pytestmark = pytest.mark.django_db


def test_moderator_home_shows_queue_and_overdue_without_names() -> None:
    moderator = factories.user(Role.MODERATOR, username="mod")
    org = factories.organization(name="Org")
    svc = factories.service(organization_=org, name="Svc")
    provider = factories.provider_user(org)
    feedback = submit_feedback(
        about="service",
        service_id=str(svc.pk),
        kind="complaint",
        given_as="self",
        text="words",
        identity="named",
        name="Nina Secretname",
        now=timezone.make_aware(dt.datetime(2026, 11, 2, 9)),
    )
    task = worklists.moderation_task(today=dt.date(2026, 11, 6))
    assert (task.count, task.overdue) == (1, 1)
    c = Client()
    c.force_login(moderator)
    page = c.get(reverse("accounts:home")).content.decode()
    assert "Feedback waiting for moderation" in page and "Secretname" not in page
    moderate(
        feedback=feedback, moderator=moderator, decision="private", reason="ok", published_text="w"
    )
    answer = worklists.responder_task(provider)
    assert answer is not None and answer.count == 1
    assert worklists.responder_task(moderator) is None
