from __future__ import annotations

import pytest

from accounts.models import User
from accounts.roles import Role
from directory.tests import factories as f
from sharedlives import selectors
from sharedlives.demo import seed_demo
from sharedlives.models import Carer, Match, Referral

pytestmark = pytest.mark.django_db


def test_the_demo_is_fictional_complete_and_runs_twice() -> None:
    users: dict[str, User] = {
        Role.SHARED_LIVES_WORKER: f.user(Role.SHARED_LIVES_WORKER),
        Role.PERSON: f.user(Role.PERSON),
        Role.CARER: f.user(Role.CARER),
    }
    seed_demo(users)
    seed_demo(users)
    assert Carer.objects.count() == 6
    assert all("(demo" in c.name for c in Carer.objects.all())
    assert Carer.objects.filter(status=Carer.Status.APPROVED).count() == 5
    mine = Referral.objects.get(person=users[Role.PERSON])
    assert mine.matches.get().stage == Match.Stage.PROPOSED
    assert selectors.easy_read_shortlist(mine)  # something to show the person
    result = selectors.shortlist_for(mine)
    assert result is not None
    lapsed = [e for e in result.excluded if e.name.startswith("The Moss")]
    assert "Home safety check: expired" in lapsed[0].reasons[0]
    costs = selectors.placement_costs()
    assert [(c["weeks"], str(c["weekly_cost"])) for c in costs] == [(20, "645.00")]
