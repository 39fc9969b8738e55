"""participation.demo: the demo content is complete, consistent and safe to seed twice."""

from __future__ import annotations

import io

import pytest

from accounts.models import User
from accounts.roles import Role
from directory.tests import factories as f
from participation.demo import CURRENT_SLUG, PANEL_ITEMS, PAST_SLUG, seed_demo
from participation.models import Panel, Phase, Round
from participation.services._common import eligible_neighbourhoods
from participation.services.ballots import submit_ballot
from participation.services.registration import register_voter
from rules.pb import read_pb, tally

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_a_voting_round_a_past_round_and_a_panel() -> None:
    f.neighbourhood("Millbrook")
    f.neighbourhood("Eastfield", "52.050000", "-1.100000")
    users: dict[str, User] = {
        role: f.user(role)
        for role in (Role.PERSON, Role.COORDINATOR, Role.COMMISSIONER, Role.ADMINISTRATOR)
    }
    seed_demo(users)
    seed_demo(users)  # a second run adds nothing
    current = Round.objects.get(slug=CURRENT_SLUG)
    past = Round.objects.get(slug=PAST_SLUG)
    assert Round.objects.count() == 2
    assert current.phase == Phase.VOTING
    assert current.projects.filter(status="not-taken-forward").count() == 1
    assert current.participations.count() == 12
    assert past.phase == Phase.RESULTS
    result = past.results.get()
    assert result.ballots == 36
    recount = tally(read_pb(io.StringIO(result.pb_file)), rule="mes", completion="add1")
    assert {int(p) for p in recount.selected} == set(
        result.projects.filter(selected=True).values_list("project_id", flat=True)
    )
    panel = Panel.objects.get()
    assert panel.status == Panel.Status.PUBLISHED
    assert set(panel.result["kemeny"][:2]) == set(PANEL_ITEMS[2:4])
    assert panel.members.count() == 12
    # The demo person proposed an idea and can register and vote.
    person = users[Role.PERSON]
    assert current.projects.filter(proposed_by=person).exists()
    register_voter(
        round_=current,
        user=person,
        neighbourhood=eligible_neighbourhoods(current)[0],
        age_band="35-49",
    )
    project = current.projects.filter(status="on-ballot").first()
    assert project is not None  # the demo round has projects on the ballot
    assert submit_ballot(round_=current, voter=person, choices={project.pk: 1}).code
