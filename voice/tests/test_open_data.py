import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from directory.tests import factories
from voice.services.feedback import submit_feedback
from voice.services.moderation import moderate

pytestmark = pytest.mark.django_db


def test_open_data_has_moderated_text_only_and_safe_csv() -> None:
    moderator = factories.user(Role.MODERATOR, username="mod")
    org = factories.organization(name="Org")
    svc = factories.service(organization_=org, name="Svc")
    for text, decision in (("=HYPERLINK(1)", "published"), ("kept private", "private")):
        f = submit_feedback(
            about="service",
            service_id=str(svc.pk),
            kind="idea",
            given_as="self",
            text="Nina Secretname wrote this",
            identity="named",
            name="Nina Secretname",
        )
        moderate(
            feedback=f,
            moderator=moderator,
            decision=decision,
            reason="ok",
            published_text=text,
            themes="ideas",
        )
    data = Client().get(reverse("voice:open-data-json")).json()
    assert [s["text"] for s in data["stories"]] == ["=HYPERLINK(1)"]
    assert data["stories"][0]["themes"] == ["ideas"] and data["stories"][0]["organization"] == "Org"
    csv = Client().get(reverse("voice:open-data-csv")).content.decode()
    assert "Secretname" not in csv and "kept private" not in csv
    assert "'=HYPERLINK(1)" in csv
