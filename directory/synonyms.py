"""The search synonyms a coordinator edits (``/find-support/moderation/synonyms/``).

The list shipped with the product (``directory/search_synonyms.txt``) is the default; a coordinator
saves a new version (kept, with who saved it, and audited). Saving also gives the search rows a new
version number in the same transaction (``search_index.bump_version``, logged as a synonyms
change), so every server process finds on its next search that the list changed and re-reads it
(:func:`in_force`; synonyms are applied when a search is read, not when the words are indexed, so
nothing else is rebuilt): the change takes effect on the next search in every process, not only
the one that saved it.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from accounts.models import AuditEvent, User
from accounts.roles import Role
from accounts.services import record_audit
from directory import search_index, search_text
from directory.models import SearchSynonymList

MAX_LINE_CHARS = 1000
MAX_CHARS = 50_000


class SynonymError(ValueError):
    """A list that cannot be used, with what to fix."""


def shipped_text() -> str:
    return search_text.SYNONYMS_FILE.read_text(encoding="utf-8")


def current() -> SearchSynonymList | None:
    return SearchSynonymList.objects.select_related("saved_by").first()


def text_in_force() -> str:
    saved = current()
    return saved.text if saved is not None else shipped_text()


def in_force() -> search_text.Synonyms:
    """The synonyms searches use now."""
    saved = current()
    if saved is None:
        return search_text.load_synonyms()
    return search_text.parse_synonyms(saved.text)


def check(text: str) -> list[str]:
    """What is wrong with a list, line by line (nothing when it can be used)."""
    problems = []
    if len(text) > MAX_CHARS:
        problems.append(f"The list must be {MAX_CHARS:,} characters or fewer")
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if len(line) > MAX_LINE_CHARS:
            problems.append(f"Line {number}: write at most {MAX_LINE_CHARS:,} characters a line")
            continue
        sides = line.split("=>")
        if len(sides) > 2:
            problems.append(f"Line {number}: use => once at most, like: exercise => yoga, tai chi")
            continue
        if any(not search_text.phrases(side) for side in sides):
            problems.append(
                f"Line {number}: give words on both sides of =>, like: exercise => yoga, tai chi"
                if len(sides) == 2
                else f"Line {number}: give words separated by commas, like: elderly, older people"
            )
        elif len(sides) == 1 and len(search_text.phrases(line)) < 2:
            problems.append(
                f"Line {number}: give at least two words or phrases that mean the same, "
                "separated by commas, like: elderly, older people"
            )
    return problems


@transaction.atomic
def save(
    *, coordinator: User, text: str, note: str = "", request: HttpRequest | None = None
) -> SearchSynonymList:
    if not coordinator.has_role(Role.COORDINATOR, Role.ADMINISTRATOR):
        raise SynonymError("Only a coordinator can change the search synonyms.")
    text = text.replace("\r\n", "\n")
    problems = check(text)
    if problems:
        raise SynonymError("; ".join(problems))
    saved = SearchSynonymList.objects.create(text=text, saved_by=coordinator, note=note)
    search_index.bump_version(kind=search_index.SYNONYMS)  # every process re-reads the list
    record_audit(
        actor=coordinator,
        action=AuditEvent.Action.UPDATE,
        target=saved,
        summary="Changed the search synonyms" + (f": {note}" if note else ""),
        request=request,
    )
    return saved
