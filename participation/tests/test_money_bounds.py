"""Amounts in pounds are bounded: a 29-digit cost or pot is refused with a message, never a 500
(issue 11, finding 5)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from participation.models import Phase, Project
from participation.services._common import MAX_AMOUNT, ParticipationError
from participation.services.costing import parse_cost_lines
from participation.tests import factories as pf

pytestmark = pytest.mark.django_db

HUGE = "9" * 29
LIMIT = "no more than £9,999,999,999.99"


def client_for(user: User) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.mark.parametrize("typed", [HUGE, "1e999999999", "10000000000", "10000000000.00"])
def test_services_refuse_amounts_over_the_limit(typed: str) -> None:
    if "e" not in typed:
        with pytest.raises(ParticipationError, match=LIMIT):
            parse_cost_lines(f"Hall hire: {typed}")
    with pytest.raises(ParticipationError, match=LIMIT):
        pf.round_(pot=Decimal(typed))


def test_the_limit_itself_is_accepted() -> None:
    assert parse_cost_lines(f"Hall hire: {MAX_AMOUNT}") == [("Hall hire", MAX_AMOUNT)]
    assert pf.round_(pot=MAX_AMOUNT).pot == MAX_AMOUNT


def test_a_29_digit_pot_on_the_new_round_page_is_a_field_error() -> None:
    staff = pf.staff()
    page = client_for(staff).post(
        reverse("participation:round-new"),
        {
            "title": "Big",
            "description": "Too much",
            "pot": HUGE,
            "vote_type": "approval",
            "rule": "mes",
            "completion": "add1",
            "min_age": "16",
            "registration_rule": "self-declared",
            **{k: v.isoformat() for k, v in pf.DATES.items()},
        },
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "govuk-error-message" in html and LIMIT in html


def test_29_digit_costs_on_the_costing_page_are_field_errors() -> None:
    by = pf.staff()
    r = pf.round_(by)
    idea = pf.idea(r)
    r = pf.advance_to(r, Phase.FEASIBILITY, by)
    url = reverse("participation:project-assess", args=[r.slug, idea.pk])
    client = client_for(by)
    for cost, lines in [(HUGE, f"Hall: {HUGE}"), ("100", f"Hall: {HUGE}")]:
        page = client.post(url, {"decision": "forward", "cost": cost, "cost_lines": lines})
        assert page.status_code == 200
        html = page.content.decode()
        assert "govuk-error-message" in html and LIMIT in html
    assert Project.objects.get(pk=idea.pk).status == Project.Status.PROPOSED


def test_a_29_digit_neighbourhood_pot_is_a_field_error() -> None:
    by = pf.staff()
    r = pf.round_(by)
    hood = pf.hood()
    page = client_for(by).post(
        reverse("participation:round-pots", args=[r.slug]), {f"pot_{hood.pk}": HUGE}
    )
    assert page.status_code == 200
    assert LIMIT in page.content.decode()
