"""Every write in people's voice: one transactional, audited function per use case, grouped by
what people do (see ``docs/voice.md``, "Where the code is"):

- :mod:`~voice.services.feedback`: giving feedback (online, or entered by staff);
- :mod:`~voice.services.moderation`: the independent moderator's decision;
- :mod:`~voice.services.responses`: the provider's or team's acknowledgement and response;
- :mod:`~voice.services.changes`: "you said, we did": promised changes confirmed or verified;
- :mod:`~voice.services.clocks`: the working-day clocks and the daily escalation of what is late;
- :mod:`~voice.services.checks`: experts-by-experience quality checks, their report and response;
- :mod:`~voice.services.experts`: the register of experts, and experts added to a check;
- :mod:`~voice.services.visits`: experts paired for a visit;
- :mod:`~voice.services.scores`: experts' scores and the provider's self-assessment;
- :mod:`~voice.services.coproduction`: a co-production workshop's self-assessment;
- :mod:`~voice.services._common`: :class:`VoiceRefused` and the helpers they share.

Who may do what is decided by the named predicates in :mod:`voice.permissions`, asked by the
views and these services alike. Each refusal raises :class:`VoiceRefused` naming the field, for
the view to show as a GOV.UK error. Other apps import the names below from ``voice.services``;
code inside the app imports them from their own module.
"""

from __future__ import annotations

from voice.services._common import NOT_SEEN, TEXT_MAX, VoiceRefused
from voice.services.changes import confirm_change, verify_change
from voice.services.checks import (
    CHECK_MINUTES_MAX,
    credit_key_for,
    credit_organisations,
    plan_check,
    publish_check,
    respond_to_check,
)
from voice.services.clocks import clock_area, clock_for, escalate_overdue
from voice.services.coproduction import record_coproduction
from voice.services.experts import add_expert, register_expert
from voice.services.feedback import submit_feedback
from voice.services.moderation import moderate
from voice.services.responses import acknowledge, respond
from voice.services.scores import submit_scores, submit_self_assessment
from voice.services.visits import record_visit_pair

__all__ = [
    "CHECK_MINUTES_MAX",
    "NOT_SEEN",
    "TEXT_MAX",
    "VoiceRefused",
    "acknowledge",
    "add_expert",
    "clock_area",
    "clock_for",
    "confirm_change",
    "credit_key_for",
    "credit_organisations",
    "escalate_overdue",
    "moderate",
    "plan_check",
    "publish_check",
    "record_coproduction",
    "record_visit_pair",
    "register_expert",
    "respond",
    "respond_to_check",
    "submit_feedback",
    "submit_scores",
    "submit_self_assessment",
    "verify_change",
]
