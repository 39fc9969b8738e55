"""Which dated checks approve a Shared Lives carer household, and what is missing on a day.

A household is approved only when, on the day, every adult who lives there has an enhanced DBS
check in date, there are two references, the home safety check is in date and the panel has
approved. The checks themselves are judged by :mod:`rules.safeguarding` (the platform's one rule
for dated checks); this module only says which are needed for a household and names them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from rules.safeguarding import Check, Gap, gaps

DBS = "dbs_enhanced"
REFERENCE = "reference"
HOME_SAFETY = "home_safety"
PANEL = "panel"
REFERENCES_NEEDED = 2
ORDINALS = ("First", "Second", "Third", "Fourth")


@dataclass(frozen=True)
class Adult:
    """An adult in the carer's home: an id the app chooses, and their name."""

    adult_id: str
    name: str


@dataclass(frozen=True)
class RecordedCheck:
    """A check as the scheme recorded it: a DBS check names the adult it is for."""

    kind: str
    checked_on: date
    expires_on: date | None = None
    adult_id: str = ""


def _dbs_kind(adult_id: str) -> str:
    return f"{DBS}:{adult_id}"


def _reference_kind(n: int) -> str:
    return f"{REFERENCE}:{n}"


def as_safeguarding_checks(recorded: Iterable[RecordedCheck]) -> list[Check]:
    """The recorded checks as :class:`rules.safeguarding.Check` kinds, one kind per requirement:
    a DBS check becomes ``dbs_enhanced:<adult>``; references are numbered in the order they were
    made (``reference:1``, ``reference:2``…), so two references are two requirements."""
    found: list[Check] = []
    references = sorted((c for c in recorded if c.kind == REFERENCE), key=lambda c: c.checked_on)
    for n, ref in enumerate(references, start=1):
        found.append(Check(_reference_kind(n), ref.checked_on, ref.expires_on))
    for check in recorded:
        if check.kind == DBS:
            found.append(Check(_dbs_kind(check.adult_id), check.checked_on, check.expires_on))
        elif check.kind != REFERENCE:
            found.append(Check(check.kind, check.checked_on, check.expires_on))
    return found


def required(adults: Sequence[Adult]) -> tuple[list[str], dict[str, str]]:
    """The kinds of check a household needs, in the order a worker would do them, with their names."""
    kinds: list[str] = []
    labels: dict[str, str] = {}
    for adult in adults:
        kind = _dbs_kind(adult.adult_id)
        kinds.append(kind)
        labels[kind] = f"Enhanced DBS check for {adult.name}"
    for n in range(1, REFERENCES_NEEDED + 1):
        kind = _reference_kind(n)
        kinds.append(kind)
        labels[kind] = f"{ORDINALS[n - 1]} reference"
    kinds += [HOME_SAFETY, PANEL]
    labels[HOME_SAFETY] = "Home safety check"
    labels[PANEL] = "Panel approval"
    return kinds, labels


def approval_gaps(
    adults: Sequence[Adult], recorded: Iterable[RecordedCheck], on: date
) -> list[Gap]:
    """Everything that stops the household being approved on ``on``, each in plain words.
    A household with no adults recorded cannot be approved: someone has to be checked."""
    found: list[Gap] = []
    if not adults:
        found.append(
            Gap(
                "adults",
                "Adults in the home: none recorded (each adult needs an enhanced DBS check).",
            )
        )
    kinds, labels = required(adults)
    found += gaps(as_safeguarding_checks(recorded), kinds, on, labels=labels)
    return found
