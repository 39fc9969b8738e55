"""Who may see and change what in Shared Lives. Views call these before a selector or a service;
services call them again, so a write is refused even if a view forgets.

- Scheme workers (role ``shared_lives_worker``) see every carer, referral and match of the scheme
  and may record either side's answer when that person tells them in person.
- A person sees their own referrals and matches (in easy read) and answers for themselves.
- A carer sees the matches proposed to their household and answers for it. A carer never sees the
  person's referral, only the first name and what the scheme worker chose to share on the match.
"""

from __future__ import annotations

from accounts.models import User
from accounts.roles import Role
from sharedlives.models import Carer, Match, Referral

WORKER_ROLES = (Role.SHARED_LIVES_WORKER,)


def is_scheme_worker(user: User) -> bool:
    return bool(user.is_authenticated) and user.has_role(*WORKER_ROLES)


def is_the_person(user: User, referral: Referral) -> bool:
    return bool(user.is_authenticated) and referral.person_id == user.pk


def is_the_carer(user: User, carer: Carer) -> bool:
    return bool(user.is_authenticated) and carer.user_id == user.pk


def may_answer_for(user: User, match: Match, side: str) -> bool:
    """The person answers for themselves, the carer for their household, a worker for either."""
    if is_scheme_worker(user):
        return side in (Match.Side.PERSON, Match.Side.CARER, Match.Side.WORKER)
    if side == Match.Side.PERSON:
        return is_the_person(user, match.referral)
    if side == Match.Side.CARER:
        return is_the_carer(user, match.carer)
    return False
