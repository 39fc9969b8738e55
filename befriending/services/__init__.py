"""Every write in befriending and peer support: one transactional, audited function per use case,
grouped by what people do (see ``docs/befriending.md``, "Where the code is"):

- :mod:`~befriending.services.volunteers`: offering to befriend, safeguarding checks, stopping;
- :mod:`~befriending.services.befriender_requests`: asking for a befriender, or a referral;
- :mod:`~befriending.services.matches`: proposing, agreeing, ending a match, and feedback;
- :mod:`~befriending.services.contacts`: visits, calls and letters logged, and concerns read;
- :mod:`~befriending.services.peer_groups`: peer support groups, their leads and members;
- :mod:`~befriending.services._common`: :class:`BefriendingRefused` and the helpers they share.

A refusal raises :class:`BefriendingRefused` naming the field, for the view to show as a GOV.UK
error. The safeguarding rule is asked again at every step where a befriender meets someone: a
proposal, the agreement that starts a match, and every contact logged (:mod:`rules.befriending`).
When a check lapses during a match, the match is not ended: it shows on the coordinator's worklist
as paused, and no contact after the lapse can be logged until a new check is recorded.

Other apps import the names below from ``befriending.services``; code inside befriending imports
them from their own module.
"""

from __future__ import annotations

from befriending.services._common import TEXT_MAX, BefriendingRefused
from befriending.services.befriender_requests import ask_for_befriender
from befriending.services.contacts import log_contact, mark_concern_read
from befriending.services.matches import (
    LAST_MEETING_WITHIN_DAYS,
    add_feedback,
    agree,
    end_match,
    propose_match,
)
from befriending.services.peer_groups import create_group, join_group, leave_group, set_lead
from befriending.services.volunteers import apply_to_volunteer, record_check, stop_volunteering

__all__ = [
    "LAST_MEETING_WITHIN_DAYS",
    "TEXT_MAX",
    "BefriendingRefused",
    "add_feedback",
    "agree",
    "apply_to_volunteer",
    "ask_for_befriender",
    "create_group",
    "end_match",
    "join_group",
    "leave_group",
    "log_contact",
    "mark_concern_read",
    "propose_match",
    "record_check",
    "set_lead",
    "stop_volunteering",
]
