from __future__ import annotations

import datetime as dt

import pytest

from accounts.roles import Role
from directory.tests import factories as f
from sharedlives import worklists
from sharedlives.services import carers, matches, referrals
from sharedlives.tests import factories as sl

pytestmark = pytest.mark.django_db
DAY = sl.DAY


def test_only_scheme_workers_get_the_section() -> None:
    assert worklists.sections_for(f.user(Role.COORDINATOR)) == []
    assert [s.key for s in worklists.sections_for(sl.worker())] == ["sharedlives"]


def test_referrals_waiting_counts_those_without_a_match_and_flags_the_old_ones() -> None:
    worker = sl.worker()
    carer = sl.carer(worker)
    old = sl.referral(worker)  # received DAY - 10
    old.received_on = DAY - dt.timedelta(days=worklists.WAITING_DAYS + 1)
    old.save()
    edge = sl.referral(worker)
    edge.received_on = DAY - dt.timedelta(days=worklists.WAITING_DAYS)
    edge.save()
    matched = sl.referral(worker)
    matches.propose_match(actor=worker, referral=matched, carer=carer, on=DAY)
    incomplete = referrals.make_referral(actor=worker, person=f.user(), today=DAY)
    task = worklists.referrals_waiting(DAY)
    assert task.count == 3
    assert task.overdue == 1
    assert [i.status for i in task.items] == [
        "Ready to match",
        "Ready to match",
        "7 answers missing",
    ]
    assert task.items[2].url.endswith(f"/referrals/{incomplete.pk}/")
    assert worklists.answers_waiting(DAY).count == 1


def test_checks_expiring_lists_the_current_check_only() -> None:
    worker = sl.worker()
    carer = sl.carer(worker)
    home = carer.checks.get(kind="home_safety")
    assert home.expires_on is not None  # a home safety check always has a due date
    day = home.expires_on - dt.timedelta(days=worklists.EXPIRY_WARNING_DAYS)
    assert worklists.checks_expiring(day).count == 1
    assert worklists.checks_expiring(day - dt.timedelta(days=1)).count == 0
    carers.record_check(
        actor=worker,
        carer=carer,
        kind="home_safety",
        checked_on=day,
        expires_on=day + dt.timedelta(days=365),
        today=day,
    )
    assert worklists.checks_expiring(day).count == 0
