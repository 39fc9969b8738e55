"""The dated checks a befriender or a peer-group lead needs before meeting anyone.

A befriender needs an enhanced DBS check, **two** references and befriending training; a peer-group
lead needs an enhanced DBS check, one reference and training. References are recorded as one kind
(``reference``); :func:`numbered` turns those made by a day into "first reference" and "second
reference", the ones still in force first, so :func:`rules.safeguarding.gaps` can say which one is
missing or lapsed, and a reference made after the day asked about does not count on that day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from rules.safeguarding import Check, Gap, gaps

DBS = "dbs_enhanced"
REFERENCE = "reference"
TRAINING = "training"

KINDS: dict[str, str] = {
    DBS: "Enhanced DBS check",
    REFERENCE: "Reference",
    TRAINING: "Befriending training",
}
"""The kinds a coordinator records, with the names people use."""

LABELS: dict[str, str] = {
    DBS: "Enhanced DBS check",
    "reference_1": "First reference",
    "reference_2": "Second reference",
    TRAINING: "Befriending training",
}

BEFRIENDER: tuple[str, ...] = (DBS, "reference_1", "reference_2", TRAINING)
PEER_LEAD: tuple[str, ...] = (DBS, "reference_1", TRAINING)


def numbered(checks: Iterable[Check], on: date) -> list[Check]:
    """The checks made by ``on``, with references numbered: those in force on ``on`` first, each
    group in the order made (then by expiry). Other kinds are unchanged.

    Each recorded reference is one referee, so two made on the same day are two references.
    """
    checks = [c for c in checks if c.checked_on <= on]
    references = sorted(
        (c for c in checks if c.kind == REFERENCE),
        key=lambda c: (not c.covers(on), c.checked_on, c.expires_on or date.max),
    )
    others = [c for c in checks if c.kind != REFERENCE]
    return others + [
        Check(f"reference_{n}", c.checked_on, c.expires_on) for n, c in enumerate(references, 1)
    ]


def befriender_gaps(checks: Iterable[Check], on: date) -> list[Gap]:
    """Each check a befriender lacks on ``on``, in plain words, in a fixed order."""
    return gaps(numbered(checks, on), BEFRIENDER, on, labels=LABELS)


def peer_lead_gaps(checks: Iterable[Check], on: date) -> list[Gap]:
    """Each check a peer-group lead lacks on ``on``, in plain words, in a fixed order."""
    return gaps(numbered(checks, on), PEER_LEAD, on, labels=LABELS)
