"""Themes from the gap in the market offered to a round still taking ideas (issue 18)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.roles import Role
from directory.tests import factories as f
from participation import selectors
from participation.models import Phase, Theme
from participation.services._common import ParticipationError
from participation.services.themes import offer_theme
from participation.tests import factories as pf

pytestmark = pytest.mark.django_db


def test_a_coordinator_offers_a_theme_and_the_round_shows_it(client: Client) -> None:
    coordinator = pf.staff(Role.COORDINATOR)
    round_ = pf.round_()
    assert list(selectors.rounds_taking_themes()) == [round_]
    offer_theme(
        actor=coordinator,
        round_=round_,
        title="  Meals and food   in Eastfield ",
        evidence="7 support plans could not find this.",
    )
    theme = Theme.objects.get()
    assert theme.title == "Meals and food in Eastfield"
    assert AuditEvent.objects.filter(summary__contains="Meals and food in Eastfield").exists()
    page = client.get(reverse("participation:round", args=[round_.slug])).content.decode()
    assert "Themes for ideas" in page and "7 support plans could not find this." in page


def test_only_round_staff_offer_themes() -> None:
    round_ = pf.round_()
    for role in (Role.PROVIDER, Role.PERSON, Role.BROKER):
        with pytest.raises(ParticipationError):
            offer_theme(actor=f.user(role), round_=round_, title="T", evidence="e")
    assert not Theme.objects.exists()


def test_a_round_past_ideas_takes_no_themes() -> None:
    staff = pf.staff()
    round_ = pf.advance_to(pf.round_(by=staff), Phase.FEASIBILITY, staff)
    assert not selectors.rounds_taking_themes().exists()
    with pytest.raises(ParticipationError) as refused:
        offer_theme(actor=staff, round_=round_, title="T", evidence="e")
    assert refused.value.field == "round"


def test_the_same_theme_once_a_round_and_a_title_is_needed() -> None:
    staff = pf.staff()
    round_ = pf.round_(by=staff)
    offer_theme(actor=staff, round_=round_, title="Company", evidence="e")
    with pytest.raises(ParticipationError) as refused:
        offer_theme(actor=staff, round_=round_, title="company", evidence="e")
    assert refused.value.field == "title"
    with pytest.raises(ParticipationError):
        offer_theme(actor=staff, round_=round_, title="   ", evidence="e")
    with pytest.raises(ParticipationError):
        offer_theme(actor=staff, round_=round_, title="x" * 151, evidence="e")
    offer_theme(actor=staff, round_=round_, title="x" * 150, evidence="e")
    with pytest.raises(IntegrityError), transaction.atomic():
        Theme.objects.create(round=round_, title="Company", evidence="e")
