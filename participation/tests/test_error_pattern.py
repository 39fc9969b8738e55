"""The GOV.UK error pattern on every participation form: "Error:" in the title, a summary whose every
entry links to its field, and the same message inline by the field (issue 13)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from accounts.tests.error_pattern import error_pattern_problems
from directory.tests import factories as f
from participation.models import Phase
from participation.services.panels import announce_draw, create_panel, draw_panel, join_panel_pool
from participation.tests import factories as pf

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def assert_error_pattern(response: _MonkeyPatchedWSGIResponse, message: str) -> None:
    html = response.content.decode()
    assert message in html
    assert error_pattern_problems(html) == []


ROUND = {
    "title": "Greener Millbrook",
    "description": "Small grants for green spaces.",
    "pot": "20000",
    "vote_type": "approval",
    "max_choices": "3",
    "rule": "mes",
    "completion": "add1",
    "min_age": "16",
    "registration_rule": "self-declared",
    **{k: v.isoformat() for k, v in pf.DATES.items()},
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"voting_close": "2026-01-01"}, "The dates must be in order"),
        ({"vote_type": "cumulative", "max_points": ""}, "Say how many points"),
        ({"title": "", "vote_type": ""}, "This field is required"),
        ({"pot": "0"}, "The amount must be £1 or more"),
    ],
)
def test_new_round_form_follows_the_error_pattern(change: dict[str, str], message: str) -> None:
    pf.hood("Millbrook")
    response = client_for(pf.staff()).post(reverse("participation:round-new"), {**ROUND, **change})
    assert response.status_code == 200
    assert_error_pattern(response, message)


def test_new_round_form_with_no_neighbourhoods_still_links_its_errors() -> None:
    response = client_for(pf.staff()).post(
        reverse("participation:round-new"), {**ROUND, "vote_type": ""}
    )
    assert_error_pattern(response, "required")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"age_band": ""}, "Give your date of birth or your age group"),
        ({"date_of_birth": "2020-01-01"}, "16 or over"),
        ({"age_band": "11-15"}, "16 or over"),
        ({"date_of_birth": "2100-01-01"}, "must be in the past"),
        ({"date_of_birth": "not a date"}, "valid date"),
        ({"neighbourhood": ""}, "required"),
    ],
)
def test_registration_form_follows_the_error_pattern(data: dict[str, str], message: str) -> None:
    r, _projects, _by = pf.voting_round()
    hood = pf.hood("Millbrook")
    response = client_for(f.user()).post(
        reverse("participation:register", args=[r.slug]), {"neighbourhood": hood.pk, **data}
    )
    assert response.status_code == 200
    assert_error_pattern(response, message)


@pytest.mark.parametrize(
    ("choose", "message"),
    [
        ([], "Choose at least one project"),
        (["a", "b", "c"], "You can choose up to 2"),
    ],
)
def test_approval_ballot_follows_the_error_pattern(choose: list[str], message: str) -> None:
    r, projects, _by = pf.voting_round(max_choices=2)
    ids = dict(zip("abc", projects, strict=True))
    resident = pf.voter(r)
    response = client_for(resident).post(
        reverse("participation:vote", args=[r.slug]),
        {"projects": [str(ids[k].pk) for k in choose]},
    )
    assert response.status_code == 200
    assert_error_pattern(response, message)


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ({}, "Give points to at least one project"),
        ({0: "6", 1: "6"}, "You gave 12 points"),
        ({0: "-1"}, "greater than or equal to 0"),
    ],
)
def test_points_ballot_follows_the_error_pattern(points: dict[int, str], message: str) -> None:
    r, projects, _by = pf.voting_round(vote_type="cumulative", max_points=10)
    resident = pf.voter(r)
    response = client_for(resident).post(
        reverse("participation:vote", args=[r.slug]),
        {f"points_{projects[i].pk}": value for i, value in points.items()},
    )
    assert response.status_code == 200
    assert_error_pattern(response, message)


def test_paper_ballot_entry_follows_the_error_pattern() -> None:
    r, _projects, by = pf.voting_round()
    response = client_for(by).post(
        reverse("participation:paper-enter", args=[r.slug]), {"paper_number": ""}
    )
    assert_error_pattern(response, "required")
    response = client_for(by).post(
        reverse("participation:paper-enter", args=[r.slug]), {"paper_number": "PB-0001"}
    )
    assert_error_pattern(response, "Choose at least one project")


def test_paper_issue_follows_the_error_pattern() -> None:
    r, _projects, by = pf.voting_round()
    hood = pf.hood("Millbrook")
    response = client_for(by).post(
        reverse("participation:paper-issue", args=[r.slug]), {"neighbourhood": hood.pk}
    )
    assert_error_pattern(response, "Enter their username")


def test_panel_ranking_with_a_repeated_place_follows_the_error_pattern() -> None:
    commissioner = f.user(Role.COMMISSIONER)
    hood = pf.hood("Millbrook")
    members = []
    for _ in range(4):
        person = f.user()
        join_panel_pool(user=person, neighbourhood=hood, age_band="35-49")
        members.append(person)
    panel = create_panel(
        by=commissioner,
        title="Priorities",
        question="Which first?",
        size=4,
        items=["Parks", "Buses", "Libraries"],
    )
    panel = announce_draw(panel=panel, by=commissioner)
    panel = draw_panel(panel=panel, by=commissioner)
    seat = panel.members.first()
    assert seat is not None and seat.user is not None  # the panel has been drawn
    member = seat.user
    items = list(panel.items.all())
    response = client_for(member).post(
        reverse("participation:panel-rank", args=[panel.pk]),
        {f"item_{item.pk}": "1" for item in items},
    )
    assert_error_pattern(response, "Give each item a different place")


def test_round_pots_that_do_not_add_up_follow_the_error_pattern() -> None:
    by = pf.staff()
    r = pf.round_(by)
    hoods = [pf.hood("Millbrook"), pf.hood("Eastfield")]
    response = client_for(by).post(
        reverse("participation:round-pots", args=[r.slug]),
        {f"pot_{hoods[0].pk}": "100", f"pot_{hoods[1].pk}": "200"},
    )
    assert response.status_code == 200
    assert_error_pattern(response, "add up")


def test_voting_round_is_in_voting() -> None:
    r, _projects, _by = pf.voting_round()
    assert r.phase == Phase.VOTING


def test_an_empty_post_is_refused_with_errors_not_silently_ignored() -> None:
    """`request.POST or None` treated a POST with no fields as no POST at all: the page came back
    as if nothing had been sent, with no error."""
    r, _projects, by = pf.voting_round()
    resident = pf.voter(r)
    for client, url in [
        (client_for(by), reverse("participation:round-new")),
        (client_for(f.user()), reverse("participation:register", args=[r.slug])),
        (client_for(resident), reverse("participation:vote", args=[r.slug])),
        (client_for(by), reverse("participation:paper-issue", args=[r.slug])),
        (client_for(by), reverse("participation:panel-new")),
    ]:
        response = client.post(url, {})
        assert response.status_code == 200, url
        assert error_pattern_problems(response.content.decode()) == [], url
