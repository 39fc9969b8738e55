"""Dated parameters for social prescribing referrals. A change adds a new dated row; old rows stay so
a referral sent under an earlier rule is judged by the rule of its day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class ReferralParameters:
    effective_from: dt.date
    provider_answer_days: int  # days a community service has to accept or decline (Joy uses 14)
    source: str


PARAMETERS: tuple[ReferralParameters, ...] = (
    ReferralParameters(
        effective_from=dt.date(2026, 1, 1),
        provider_answer_days=14,
        source="Issue 17: providers accept or decline within 14 days, as Joy declines after two weeks",
    ),
)


def parameters_on(day: dt.date) -> ReferralParameters:
    """The parameters in force on this day (the latest row that had started by then)."""
    rows = sorted(
        (p for p in PARAMETERS if p.effective_from <= day), key=lambda p: p.effective_from
    )
    if not rows:
        raise ValueError(f"No social prescribing parameters in force on {day.isoformat()}")
    return rows[-1]


def answer_due(sent_on: dt.date) -> dt.date:
    """The last day a provider may answer an onward referral sent on this day."""
    return sent_on + dt.timedelta(days=parameters_on(sent_on).provider_answer_days)


def is_overdue(sent_on: dt.date, today: dt.date) -> bool:
    """Unanswered after the due day: declined automatically."""
    return today > answer_due(sent_on)
