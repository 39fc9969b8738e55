"""Coordinators edit the search synonyms (issue 12): the shipped file is the default, a saved list
is checked line by line, audited, and used from the next search in every process (the search
rows get a new version number, so each process's in-memory copy is rebuilt)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.roles import Role
from directory import search_index, synonyms
from directory.models import SearchSynonymList
from directory.tests import factories as f

pytestmark = pytest.mark.django_db


def _found(client: Client, q: str) -> str:
    return str(client.get(reverse("directory:search"), {"q": q}).content.decode())


def test_the_shipped_list_is_the_default(client: Client) -> None:
    client.force_login(f.user(Role.COORDINATOR))
    html = client.get(reverse("directory:synonyms")).content.decode()
    assert "In use: the list the product came with" in html
    assert "older people, older person, elderly" in html
    assert synonyms.text_in_force() == synonyms.shipped_text()


def test_a_saved_list_is_used_by_the_next_search_and_audited(client: Client) -> None:
    f.service(name="Rolling balls club", description="Big inflatable balls on the park field.")
    assert "Rolling balls club" not in _found(client, "zorbing")
    before = search_index.current_version()
    coordinator = f.user(Role.COORDINATOR)
    client.force_login(coordinator)
    text = synonyms.shipped_text() + "\nzorbing, rolling balls\n"
    response = client.post(
        reverse("directory:synonyms"), {"text": text, "note": "Zorbing, asked for in May"}
    )
    assert response.status_code == 302
    assert search_index.current_version() != before  # every process's copy is now stale
    assert "Rolling balls club" in _found(client, "zorbing")
    assert AuditEvent.objects.filter(
        actor=coordinator, summary="Changed the search synonyms: Zorbing, asked for in May"
    ).exists()
    page = client.get(reverse("directory:synonyms")).content.decode()
    assert "In use since" in page and "Zorbing, asked for in May" in page
    # Back to the shipped list: the word no longer widens the search.
    client.post(reverse("directory:synonyms"), {"restore": "1"})
    assert SearchSynonymList.objects.first().text == synonyms.shipped_text()  # type: ignore[union-attr]
    assert "Rolling balls club" not in _found(client, "zorbing")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("exercise => yoga => tai chi", "Line 2: use =&gt; once at most"),
        ("exercise =>", "Line 2: give words on both sides of =&gt;"),
        ("elderly", "Line 2: give at least two words or phrases"),
        (", ,", "Line 2: give words separated by commas"),
        ("a, " + "b" * 1000, "Line 2: write at most 1,000 characters a line"),
    ],
)
def test_a_line_that_cannot_be_read_says_how_to_fix_it(
    client: Client, line: str, message: str
) -> None:
    client.force_login(f.user(Role.COORDINATOR))
    page = client.post(reverse("directory:synonyms"), {"text": f"elderly, older people\n{line}\n"})
    html = page.content.decode()
    assert page.status_code == 400 and "There is a problem" in html and message in html
    assert not SearchSynonymList.objects.exists()


def test_comments_and_blank_lines_are_fine() -> None:
    assert synonyms.check("# people\n\nelderly, older people\nexercise => yoga\n") == []


def test_only_coordinators_may_edit(client: Client) -> None:
    client.force_login(f.user(Role.PROVIDER))
    assert client.get(reverse("directory:synonyms")).status_code == 403
    assert client.post(reverse("directory:synonyms"), {"text": "a, b"}).status_code == 403
    with pytest.raises(synonyms.SynonymError):
        synonyms.save(coordinator=f.user(Role.PERSON), text="a, b")
