"""participation.views: who may see and do what, and that every page renders."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from directory.tests import factories as f
from participation.models import Panel, PaperBallotEntry, Phase, Project, Round
from participation.services.ballots import current_choices, submit_ballot
from participation.services.rounds import advance_round
from participation.tests import factories as pf
from rules.pb import read_pb, tally

pytestmark = pytest.mark.django_db


def client_for(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_home_and_round_pages_are_public() -> None:
    r, projects, _by = pf.voting_round()
    anonymous = client_for()
    assert anonymous.get(reverse("participation:home")).status_code == 200
    page = anonymous.get(reverse("participation:round", args=[r.slug]))
    assert page.status_code == 200
    assert projects[0].title in page.content.decode()
    project_page = anonymous.get(reverse("participation:project", args=[r.slug, projects[0].pk]))
    assert "Cost breakdown" in project_page.content.decode()
    assert anonymous.get(reverse("participation:receipts", args=[r.slug])).status_code == 200
    assert anonymous.get(reverse("participation:results", args=[r.slug])).status_code == 404


@pytest.mark.parametrize(
    "name",
    ["round-manage", "round-pots", "registrations", "paper-issue", "paper-enter"],
)
def test_staff_pages_refuse_residents_and_send_anonymous_people_to_sign_in(name: str) -> None:
    r, _projects, by = pf.voting_round()
    url = reverse(f"participation:{name}", args=[r.slug])
    assert client_for().get(url).status_code == 302
    assert client_for(f.user(Role.PERSON)).get(url).status_code == 403
    assert client_for(f.user(Role.PROVIDER)).get(url).status_code == 403
    assert client_for(by).get(url).status_code == 200
    assert client_for(f.user(Role.COORDINATOR)).get(url).status_code == 200


def test_only_staff_create_and_advance_rounds() -> None:
    person = f.user(Role.PERSON)
    assert client_for(person).get(reverse("participation:round-new")).status_code == 403
    r = pf.round_()
    response = client_for(person).post(reverse("participation:round-advance", args=[r.slug]))
    assert response.status_code == 403
    r.refresh_from_db()
    assert r.phase == Phase.IDEAS


def test_staff_create_a_round_through_the_form() -> None:
    commissioner = pf.staff()
    client = client_for(commissioner)
    data = {
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
    bad = client.post(reverse("participation:round-new"), {**data, "voting_close": "2026-01-01"})
    assert bad.status_code == 200
    assert "The dates must be in order" in bad.content.decode()
    assert not Round.objects.exists()
    response = client.post(reverse("participation:round-new"), data)
    round_ = Round.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("participation:round-manage", args=[round_.slug])
    assert round_.max_choices == 3


def test_propose_cost_and_pitch_through_the_pages() -> None:
    by = pf.staff()
    r = pf.round_(by)
    resident = f.user()
    client = client_for(resident)
    response = client.post(
        reverse("participation:idea-new", args=[r.slug]),
        {"title": "Benches", "what": "Benches by the pond.", "who_benefits": "Older people."},
    )
    project = Project.objects.get()
    assert response.status_code == 302
    r = advance_round(round_=r, by=by)
    assess = reverse("participation:project-assess", args=[r.slug, project.pk])
    assert client.get(assess).status_code == 403
    staff_client = client_for(by)
    bad = staff_client.post(
        assess, {"decision": "forward", "cost": "900", "cost_lines": "Benches: 800\nFitting: 50"}
    )
    assert "adds up to £850.00 but the project cost is £900.00" in bad.content.decode()
    ok = staff_client.post(
        assess, {"decision": "forward", "cost": "850", "cost_lines": "Benches: 800\nFitting: 50"}
    )
    assert ok.status_code == 302
    pitch_url = reverse("participation:project-pitch", args=[r.slug, project.pk])
    assert client_for(f.user()).get(pitch_url).status_code == 403
    assert client.post(pitch_url, {"pitch": "Somewhere to rest."}).status_code == 302
    project.refresh_from_db()
    assert project.pitch == "Somewhere to rest."


def test_register_vote_change_and_check_receipt_through_the_pages() -> None:
    r, (a, b, _c), by = pf.voting_round()
    hood = pf.hood("Millbrook")
    resident = f.user()
    client = client_for(resident)
    vote_url = reverse("participation:vote", args=[r.slug])
    assert client.get(vote_url).status_code == 403  # register first
    client.post(
        reverse("participation:register", args=[r.slug]),
        {"neighbourhood": hood.pk, "age_band": "25-34"},
    )
    assert client.get(vote_url).status_code == 200
    done = client.post(vote_url, {"projects": [str(a.pk)]})
    code = done.context["receipt"].code
    assert code in done.content.decode()
    again = client.get(vote_url)
    assert "Change your vote" in again.content.decode()
    client.post(vote_url, {"projects": [str(b.pk)]})
    assert current_choices(r, resident) == {b.pk: 1}
    receipts = reverse("participation:receipts", args=[r.slug])
    # The old code was replaced by the new one.
    assert client_for().get(receipts, {"code": code}).context["status"] == "unknown"
    assert client_for(f.user()).get(vote_url).status_code == 403
    r = pf.advance_to(r, Phase.COUNTING, by)
    assert client.get(vote_url).status_code == 409
    assert client.post(vote_url, {"projects": [str(a.pk)]}).status_code == 409


def test_over_limit_ballot_shows_the_error_and_keeps_the_old_ballot() -> None:
    r, (a, b, c), _by = pf.voting_round(max_choices=2)
    resident = pf.voter(r)
    submit_ballot(round_=r, voter=resident, choices={a.pk: 1})
    response = client_for(resident).post(
        reverse("participation:vote", args=[r.slug]),
        {"projects": [str(a.pk), str(b.pk), str(c.pk)]},
    )
    assert response.status_code == 200
    assert "You can choose up to 2" in response.content.decode()
    assert current_choices(r, resident) == {a.pk: 1}


def test_paper_ballot_pages_and_second_person_rule() -> None:
    r, (a, _b, _c), first = pf.voting_round()
    second = pf.staff(Role.COORDINATOR)
    hood = pf.hood()
    issued = client_for(first).post(
        reverse("participation:paper-issue", args=[r.slug]),
        {"display_name": "Pat Paper", "neighbourhood": hood.pk, "age_band": "80+"},
    )
    assert issued.context["code"]
    client_for(first).post(
        reverse("participation:paper-enter", args=[r.slug]),
        {"paper_number": "101", "projects": [str(a.pk)]},
    )
    entry = PaperBallotEntry.objects.get()
    confirm = reverse("participation:paper-confirm", args=[r.slug, entry.pk])
    client_for(first).post(confirm, {"decision": "confirm"})
    entry.refresh_from_db()
    assert entry.confirmed_by is None
    assert client_for(f.user()).post(confirm, {"decision": "confirm"}).status_code == 403
    client_for(second).post(confirm, {"decision": "confirm"})
    entry.refresh_from_db()
    assert entry.confirmed_by == second


def test_results_page_and_pb_download_recount() -> None:
    r, (a, b, c), by = pf.voting_round(rule="greedy")
    for choice in ({a.pk: 1}, {a.pk: 1, b.pk: 1}, {c.pk: 1}):
        submit_ballot(round_=r, voter=pf.voter(r), choices=choice)
    r = pf.advance_to(r, Phase.RESULTS, by)
    page = client_for().get(reverse("participation:results", args=[r.slug]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "Votes and cost by project" in html
    assert "Turnout by neighbourhood" in html
    result = r.results.get()
    download = client_for().get(
        reverse("participation:results-file", args=[r.slug, result.file_name])
    )
    assert download["Content-Disposition"] == f'attachment; filename="{result.file_name}"'
    election = read_pb(io.StringIO(download.content.decode()))
    winners = {int(p) for p in tally(election, rule="greedy", completion="none").selected}
    assert winners == {row.project_id for row in result.projects.filter(selected=True)}
    assert (
        client_for()
        .get(reverse("participation:results-file", args=[r.slug, "other.pb"]))
        .status_code
        == 404
    )


def test_panel_pages_and_permissions() -> None:
    commissioner = pf.staff()
    coordinator = f.user(Role.COORDINATOR)
    assert client_for(coordinator).get(reverse("participation:panel-new")).status_code == 403
    people = [f.user() for _ in range(4)]
    hood = pf.hood()
    for person in people:
        client_for(person).post(
            reverse("participation:pool-join"), {"neighbourhood": hood.pk, "age_band": "35-49"}
        )
    client_for(commissioner).post(
        reverse("participation:panel-new"),
        {
            "title": "Priorities",
            "question": "What first?",
            "size": "3",
            "items": "Eyes\nTeeth\nEars",
        },
    )
    panel = Panel.objects.get()
    assert (
        client_for(people[0]).post(reverse("participation:panel-draw", args=[panel.pk])).status_code
        == 403
    )
    client_for(commissioner).post(reverse("participation:panel-announce", args=[panel.pk]))
    client_for(commissioner).post(reverse("participation:panel-draw", args=[panel.pk]))
    panel.refresh_from_db()
    members = [m.user for m in panel.members.all()]
    outsider = next(p for p in people if p not in members)
    rank_url = reverse("participation:panel-rank", args=[panel.pk])
    assert client_for(outsider).get(rank_url).status_code == 403
    items = list(panel.items.order_by("pk"))
    same_place = {f"item_{i.pk}": "1" for i in items}
    bad = client_for(members[0]).post(rank_url, same_place)
    assert "different place" in bad.content.decode()
    for member in members:
        client_for(member).post(rank_url, {f"item_{i.pk}": str(n) for n, i in enumerate(items, 1)})
    client_for(commissioner).post(reverse("participation:panel-publish", args=[panel.pk]))
    page = client_for().get(reverse("participation:panel", args=[panel.pk]))
    assert "strong agreement" in page.content.decode()


@pytest.mark.parametrize("value", ["+14:00", "", "²", "9" * 30, "-1"])
def test_deciding_a_registration_that_is_not_a_number_is_not_found(value: str) -> None:
    r, _projects, by = pf.voting_round()
    url = reverse("participation:registrations", args=[r.slug])
    response = client_for(by).post(url, {"registration": value, "decision": "approve"})
    assert response.status_code == 404
