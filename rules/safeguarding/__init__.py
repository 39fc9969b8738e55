"""Dated safeguarding checks: which ones a role needs, and whether a person's checks cover a day.

Shared by every part of the platform where one person goes into another's life: Shared Lives carers,
befrienders and peer-group leads (the time bank keeps its own DBS rule in ``rules.timebank``). A check
counts on a day when it was made on or before that day and has not expired by it; a check with no
expiry date (a reference, a panel approval) lasts until it is withdrawn. Each gap is reported in plain
words so a coordinator knows what to record next, not just that something is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from rules.ledger.formatting import format_date


@dataclass(frozen=True)
class Check:
    """One recorded check: its kind (a code such as ``dbs_enhanced``), when made, when it expires."""

    kind: str
    checked_on: date
    expires_on: date | None = None

    def covers(self, day: date) -> bool:
        return self.checked_on <= day and (self.expires_on is None or day <= self.expires_on)


@dataclass(frozen=True)
class Gap:
    """A required kind of check that does not cover the day, and why, in plain words."""

    kind: str
    reason: str


def valid_until(checks: Iterable[Check], kind: str, on: date) -> date | None:
    """The last day checks of ``kind`` made by ``on`` cover; ``date.max`` if one never expires.

    ``None`` when no check of that kind had been made by ``on``.
    """
    best: date | None = None
    for check in checks:
        if check.kind != kind or check.checked_on > on:
            continue
        until = check.expires_on or date.max
        if best is None or until > best:
            best = until
    return best


def gaps(
    checks: Iterable[Check],
    required: Iterable[str],
    on: date,
    *,
    labels: Mapping[str, str] | None = None,
) -> list[Gap]:
    """Each required kind of check that does not cover ``on``, in the order required.

    ``labels`` turns codes into the names people use ("Enhanced DBS check"); an unknown code is shown
    as it is.
    """
    recorded = list(checks)
    names = labels or {}
    found: list[Gap] = []
    for kind in dict.fromkeys(required):
        name = names.get(kind, kind)
        until = valid_until(recorded, kind, on)
        if until is None:
            found.append(Gap(kind, f"{name}: none on record."))
        elif until < on:
            found.append(Gap(kind, f"{name}: expired on {format_date(until)}."))
    return found


def all_clear(checks: Iterable[Check], required: Iterable[str], on: date) -> bool:
    """True when every required kind of check covers ``on``."""
    return not gaps(checks, required, on)
