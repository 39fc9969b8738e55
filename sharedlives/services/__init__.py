"""Every write in Shared Lives: one transactional, audited function per use case, grouped by what
people do (see ``docs/shared-lives.md``, "Where the code is"):

- :mod:`~sharedlives.services.carers`: carer households, their assessment, checks and approval;
- :mod:`~sharedlives.services.referrals`: referrals of people who need a placement;
- :mod:`~sharedlives.services.matches`: proposing a carer, each side's yes or no, ending a match;
- :mod:`~sharedlives.services.introductions`: introductions, visits and trial stays;
- :mod:`~sharedlives.services.placements`: starting a placement and its weekly costs;
- :mod:`~sharedlives.services._common`: :class:`SharedLivesRefused` and the helpers they share.

Each refusal is a :class:`SharedLivesRefused` naming the field (and, where there are several, each
problem) for the view to show as a GOV.UK error. Other apps import the names below from
``sharedlives.services``; code inside Shared Lives imports them from their own module.
"""

from __future__ import annotations

from sharedlives.services._common import TEXT_MAX, SharedLivesRefused
from sharedlives.services.carers import (
    CARER_FIELDS,
    add_adult,
    add_carer,
    approve_carer,
    record_check,
    update_carer,
    withdraw_carer,
)
from sharedlives.services.introductions import record_event
from sharedlives.services.matches import answer, end_match, propose_match
from sharedlives.services.placements import start_placement
from sharedlives.services.referrals import (
    REFERRAL_FIELDS,
    close_referral,
    make_referral,
    update_referral,
)

__all__ = [
    "CARER_FIELDS",
    "REFERRAL_FIELDS",
    "TEXT_MAX",
    "SharedLivesRefused",
    "add_adult",
    "add_carer",
    "answer",
    "approve_carer",
    "close_referral",
    "end_match",
    "make_referral",
    "propose_match",
    "record_check",
    "record_event",
    "start_placement",
    "update_carer",
    "update_referral",
    "withdraw_carer",
]
