"""Every write in social prescribing: one transactional, audited function per use case, grouped
by what people do (see ``docs/connect.md``, "Where the code is"):

- :mod:`~connect.services.referrals`: making a referral and moving it on (status);
- :mod:`~connect.services.consent`: the consent the person gives;
- :mod:`~connect.services.invitations`: the person referred, found by email or invited;
- :mod:`~connect.services.onward`: onward referrals to community services and their answers;
- :mod:`~connect.services.service_terms`: whether a service takes referrals, its typical wait;
- :mod:`~connect.services.wellbeing`: ONS4 at the first conversation and at closing;
- :mod:`~connect.services.funding`: micro-grants and time credits from community pots;
- :mod:`~connect.services._common`: :class:`ConnectError` and what they share.

Who may do what is decided by the named predicates in :mod:`connect.permissions`, asked by the
views and these services alike. Each refusal raises :class:`ConnectError` naming the field. Other
apps import the names below from ``connect.services``; code inside the app imports them from
their own module.
"""

from __future__ import annotations

from connect.services._common import ONS4, ConnectError, local_today
from connect.services.consent import record_consent
from connect.services.funding import award_funding, pot_remaining_pence
from connect.services.invitations import (
    INVITATION_DAYS,
    accept_invitation,
    find_or_invite_person,
    invitation_for,
)
from connect.services.onward import (
    answer_onward,
    decline_overdue,
    mark_attended,
    refer_onward,
    withdraw_onward,
)
from connect.services.referrals import make_referral, refer, set_status
from connect.services.service_terms import MAX_WAIT_DAYS, set_service_terms
from connect.services.wellbeing import record_wellbeing, wellbeing_stage_open

__all__ = [
    "INVITATION_DAYS",
    "MAX_WAIT_DAYS",
    "ONS4",
    "ConnectError",
    "accept_invitation",
    "answer_onward",
    "award_funding",
    "decline_overdue",
    "find_or_invite_person",
    "invitation_for",
    "local_today",
    "make_referral",
    "mark_attended",
    "pot_remaining_pence",
    "record_consent",
    "record_wellbeing",
    "refer",
    "refer_onward",
    "set_service_terms",
    "set_status",
    "wellbeing_stage_open",
    "withdraw_onward",
]
