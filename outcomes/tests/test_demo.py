"""The demo content: fictional, generated, idempotent, and enough for the pages to show something."""

from __future__ import annotations

import pytest

from accounts.models import User
from accounts.roles import Role
from directory.tests import factories as f
from outcomes import demo, selectors
from outcomes.models import AnswerSet, Goal, WorkItem

pytestmark = pytest.mark.django_db


def test_seed_demo_is_fictional_idempotent_and_fills_the_reports() -> None:
    f.neighbourhood("Northgate")
    f.neighbourhood("Southbank", "52.1", "-1.1")
    users = {
        "person": f.user(username="demo-person"),
        "coordinator": f.user(Role.COORDINATOR, username="demo-coordinator"),
    }
    demo.seed_demo(users)
    count = AnswerSet.objects.count()
    demo.seed_demo(users)
    assert AnswerSet.objects.count() == count
    made = User.objects.filter(username__startswith=demo.PREFIX)
    assert made.count() == 30 and all("(demo)" in u.display_name for u in made)
    goal = Goal.objects.get(person=users["person"])
    assert goal.steps.count() == 3 and selectors.progress_of(goal).direction == "improvement"
    table = selectors.outcome_table("swemwbs", "service")
    assert table.total.stats is not None and table.total.stats.measured >= 20
    assert not WorkItem.objects.exists()
