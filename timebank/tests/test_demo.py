"""The demo content: members, exchanges, a rota with gaps and an application; run twice is harmless."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from directory.tests import factories as f
from timebank import selectors
from timebank.demo import seed_demo
from timebank.models import Exchange, Member, Rota
from timebank.services.rotas import plan_for

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_sound_content_once() -> None:
    f.neighbourhood("Millbrook")
    f.term("Transport")
    users = {
        "coordinator": f.user(Role.COORDINATOR),
        "person": f.user(),
        "carer": f.user(Role.CARER),
    }
    seed_demo(users)
    seed_demo(users)
    assert Member.objects.filter(status="approved").count() == 7
    assert Member.objects.filter(status="applied").count() == 1
    assert Exchange.objects.filter(status="confirmed").count() == 5
    assert plan_for(Rota.objects.get()).gaps
    assert selectors.ledger_problems() == []
    person = Member.objects.get(user=users["person"])
    assert selectors.balance_of(person) == 300 - 120 - 120 - 60
