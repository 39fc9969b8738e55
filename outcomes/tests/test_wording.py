"""The area loads licensed question wording on a page (coordinators and administrators only):
checked against the registry's items, recorded with who, when and which licence, audited, shown
instead of the topic labels, and withdrawable."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent, User
from accounts.roles import Role
from directory.tests import factories as f
from outcomes import access
from outcomes.measures import registry
from outcomes.models import AnswerSet, AreaWording
from outcomes.services.wording import load_wording
from rules.outcomes import default_registry

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse

pytestmark = pytest.mark.django_db

# The measure file's own items (rules/outcomes/data), in its order.
ITEMS = default_registry().get("swemwbs").item_ids
# Test wording only (not the licensed text): "Area question about <item>".
WORDING = {item: f"Area question about {item.replace('_', ' ')}" for item in ITEMS}
URL = reverse("outcomes:wording")


def upload(document: object, name: str = "swemwbs-wording.yaml") -> SimpleUploadedFile:
    content = document if isinstance(document, bytes) else yaml.safe_dump(document).encode()
    return SimpleUploadedFile(name, content, content_type="application/x-yaml")


def post(client: Client, document: object, **extra: str) -> _MonkeyPatchedWSGIResponse:
    data = {
        "measure": "swemwbs",
        "licence_reference": "Warwick WEMWBS registration 12345",
        "file": upload(document),
        **extra,
    }
    return client.post(URL, data)


@pytest.fixture
def coordinator() -> User:
    return f.user(Role.COORDINATOR, username="cora", display_name="Cora Ordinator")


def test_coordinator_loads_wording_and_people_see_it_instead_of_the_topics(
    client: Client, coordinator: User
) -> None:
    person = f.user(username="pat", display_name="Pat")
    client.force_login(person)
    answer_url = reverse("outcomes:answer", args=[person.pk, "swemwbs"])
    before = client.get(answer_url).content.decode()
    assert "Area question about" not in before and "Placeholder" in before

    client.force_login(coordinator)
    assert client.get(URL).status_code == 200
    response = post(client, {"measure": "swemwbs", "wording": WORDING})
    assert response.status_code == 302
    loaded = AreaWording.objects.get()
    assert loaded.loaded_by == coordinator and loaded.measure_version == "2026.1"
    assert loaded.licence_reference == "Warwick WEMWBS registration 12345"
    assert loaded.loaded_at is not None and loaded.withdrawn_at is None
    assert AuditEvent.objects.filter(
        actor=coordinator, object_type="outcomes.areawording", action="create"
    ).exists()
    page = client.get(URL).content.decode()
    assert "Warwick WEMWBS registration 12345" in page and "Cora Ordinator" in page

    client.force_login(person)
    after = client.get(answer_url).content.decode()
    assert "Area question about feeling relaxed" not in after  # the id text, not the topic
    assert "Area question about relaxed" in after
    assert "Placeholder" not in after
    assert "Warwick WEMWBS registration 12345" in after
    # Answers given under the loaded wording score exactly as before.
    client.post(answer_url, {**dict.fromkeys(ITEMS, "3"), "answered_on": dt.date.today()})
    assert AnswerSet.objects.get().answers == dict.fromkeys(ITEMS, 3)
    assert registry().get("swemwbs").item("useful").wording_status == "area_supplied"


def test_withdrawing_brings_the_topics_back(client: Client, coordinator: User) -> None:
    client.force_login(coordinator)
    post(client, {"wording": WORDING})
    loaded = AreaWording.objects.get()
    assert client.post(reverse("outcomes:wording-withdraw", args=[loaded.pk])).status_code == 302
    loaded.refresh_from_db()
    assert loaded.withdrawn_at is not None and loaded.withdrawn_by == coordinator
    assert registry().get("swemwbs").item("useful").wording_status == "placeholder"
    assert AuditEvent.objects.filter(object_type="outcomes.areawording", action="update").exists()


def test_loading_again_replaces_the_wording_in_force(client: Client, coordinator: User) -> None:
    client.force_login(coordinator)
    post(client, {"wording": WORDING})
    post(client, {"wording": {**WORDING, "useful": "Second question about useful"}})
    assert AreaWording.objects.filter(withdrawn_at__isnull=True).count() == 1
    assert registry().get("swemwbs").item("useful").wording == "Second question about useful"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"wording": {k: v for k, v in WORDING.items() if k != "relaxed"}}, "relaxed"),
        ({"wording": {**WORDING, "cheerful": "Extra"}}, "cheerful"),
        ({"wording": {**WORDING, "useful": "I've been <b>useful</b>"}}, "plain text"),
        ({"wording": {**WORDING, "useful": ""}}, "useful"),
        ({"wording": {**WORDING, "useful": 3}}, "text in quotes"),
        ({"wording": {**WORDING, "useful": "x" * 1001}}, "1000"),
        ({"wording": WORDING, "measure": "wemwbs"}, "The file is for"),
        ({"wording": WORDING, "version": "1999.1"}, "version"),
        ({"wording": WORDING, "colour": "blue"}, "colour"),
        ({"items": WORDING}, "wording:"),
        (["a", "list"], "wording:"),
        (b"wording: [unclosed", "not valid YAML"),
        (b"\xff\xfe\x00w\x00o", "UTF-8"),
        (b"wording:\n  useful: \x00", "binary"),
        (b"x" * (64 * 1024 + 1), "64 KB"),
    ],
)
def test_bad_files_are_refused_on_the_file_field_and_nothing_is_loaded(
    client: Client, coordinator: User, document: object, message: str
) -> None:
    client.force_login(coordinator)
    response = post(client, document)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_file-error"' in html
    assert message in html
    assert not AreaWording.objects.exists()


def test_missing_fields_and_open_measures_are_refused(client: Client, coordinator: User) -> None:
    client.force_login(coordinator)
    response = client.post(URL, {"measure": "swemwbs", "licence_reference": " "})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter the licence or registration reference" in html
    assert "Choose the wording file" in html
    # ONS4's wording is open and shipped: there is nothing to load.
    response = post(client, {"wording": {"life_satisfaction": "x"}}, measure="ons4")
    assert response.status_code == 400 and "Choose one of the measures listed" in (
        response.content.decode()
    )
    assert not AreaWording.objects.exists()


@pytest.mark.parametrize("role", [None, Role.CARER, Role.BROKER, Role.COMMISSIONER, Role.PROVIDER])
def test_only_coordinators_and_administrators_load_wording(
    client: Client, role: str | None
) -> None:
    user = f.user(role) if role else f.user()
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert post(client, {"wording": WORDING}).status_code == 403
    with pytest.raises(access.NotAllowed):
        load_wording(
            actor=user,
            measure_id="swemwbs",
            content=yaml.safe_dump({"wording": WORDING}).encode(),
            file_name="x.yaml",
            licence_reference="x",
        )
    assert not AreaWording.objects.exists()


def test_administrator_may_load(client: Client) -> None:
    client.force_login(f.user(Role.ADMINISTRATOR))
    assert post(client, {"wording": WORDING}).status_code == 302
