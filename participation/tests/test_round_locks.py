"""Once voting opens, the rules a round is counted by cannot change, and every admin change to a
round is audited with who, which fields and before/after (issue 11, finding 3)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent, User
from participation.models import CostLine, Phase, Project, Round
from participation.services._common import ParticipationError
from participation.services.rounds import update_round
from participation.tests import factories as pf

pytestmark = pytest.mark.django_db


def admin_client() -> tuple[Client, User]:
    root = User.objects.create_superuser("root", "r@example.org", "a-long-test-password")
    client = Client()
    client.force_login(root)
    return client, root


def change_form_data(r: Round, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "slug": r.slug,
        "title": r.title,
        "description": r.description,
        "pot": str(r.pot),
        "vote_type": r.vote_type,
        "max_choices": r.max_choices or "",
        "max_points": r.max_points or "",
        "rule": r.rule,
        "completion": r.completion,
        "min_age": r.min_age,
        "registration_rule": r.registration_rule,
        "ideas_open": r.ideas_open.isoformat(),
        "ideas_close": r.ideas_close.isoformat(),
        "pitches_open": r.pitches_open.isoformat(),
        "voting_open": r.voting_open.isoformat(),
        "voting_close": r.voting_close.isoformat(),
        "created_by": r.created_by_id or "",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("pot", Decimal("99999.00")),
        ("rule", "greedy"),
        ("completion", "none"),
        ("vote_type", "cumulative"),
        ("max_choices", 1),
        ("max_points", 10),
        ("min_age", 11),
        ("registration_rule", "approved"),
    ],
)
def test_the_service_refuses_rule_changes_once_voting_opens(field: str, value: object) -> None:
    r, _projects, by = pf.voting_round()
    before = Round.objects.filter(pk=r.pk).values().get()
    with pytest.raises(ParticipationError, match="voting has opened") as caught:
        update_round(round_=r, by=by, changes={field: value})
    assert caught.value.field == field
    assert Round.objects.filter(pk=r.pk).values().get() == before


def test_before_voting_the_rules_can_change_and_the_change_is_audited() -> None:
    by = pf.staff()
    r = pf.round_(by)
    update_round(round_=r, by=by, changes={"rule": "greedy", "title": "New name"})
    r.refresh_from_db()
    assert r.rule == "greedy" and r.title == "New name"
    event = AuditEvent.objects.filter(object_id=str(r.pk), summary__contains="rule").get()
    assert event.actor == by
    assert "'mes' -> 'greedy'" in event.summary


def test_during_voting_the_title_and_closing_date_can_still_change() -> None:
    r, _projects, by = pf.voting_round()
    update_round(round_=r, by=by, changes={"title": "Renamed"})
    assert Round.objects.get(pk=r.pk).title == "Renamed"


def test_the_admin_shows_the_rules_read_only_once_voting_opens_and_audits_changes() -> None:
    r, _projects, _by = pf.voting_round()
    client, root = admin_client()
    url = reverse("admin:participation_round_change", args=[r.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "voting has opened" in page.content.decode()
    response = client.post(url, change_form_data(r, rule="greedy", pot="1.00", title="Renamed"))
    assert response.status_code == 302, response.content.decode()[:2000]
    r.refresh_from_db()
    assert r.rule == "mes" and r.pot == Decimal("10000.00")  # locked: unchanged
    assert r.title == "Renamed"
    event = AuditEvent.objects.filter(
        actor=root, object_id=str(r.pk), summary__contains="title"
    ).get()
    assert "-> 'Renamed'" in event.summary


def test_the_admin_audits_changes_before_voting_with_before_and_after() -> None:
    by = pf.staff()
    r = pf.round_(by)
    client, root = admin_client()
    url = reverse("admin:participation_round_change", args=[r.pk])
    response = client.post(url, change_form_data(r, rule="greedy", pot="12000.00"))
    assert response.status_code == 302
    summaries = list(
        AuditEvent.objects.filter(actor=root, object_id=str(r.pk)).values_list("summary", flat=True)
    )
    assert any("pot" in s and "10000.00" in s and "12000.00" in s for s in summaries), summaries
    assert any("rule" in s and "'mes' -> 'greedy'" in s for s in summaries), summaries


def test_project_costs_cannot_change_in_the_admin_once_voting_opens() -> None:
    r, projects, _by = pf.voting_round()
    client, _root = admin_client()
    project = projects[0]
    url = reverse("admin:participation_project_change", args=[project.pk])
    page = client.get(url)
    assert page.status_code == 200
    line = project.cost_lines.get()
    response = client.post(
        url,
        {
            "round": r.pk,
            "title": project.title,
            "what": project.what,
            "who_benefits": project.who_benefits,
            "district": "",
            "proposed_by": project.proposed_by_id or "",
            "public_reason": "",
            "pitch": "",
            "media_url": "",
            "decided_by": "",
            "cost_lines-TOTAL_FORMS": "1",
            "cost_lines-INITIAL_FORMS": "1",
            "cost_lines-MIN_NUM_FORMS": "0",
            "cost_lines-MAX_NUM_FORMS": "1000",
            "cost_lines-0-id": line.pk,
            "cost_lines-0-project": project.pk,
            "cost_lines-0-description": "Everything",
            "cost_lines-0-amount": "1.00",
        },
    )
    assert response.status_code in (200, 302)
    assert CostLine.objects.get(pk=line.pk).amount == Decimal("4000.00")
    assert Project.objects.get(pk=project.pk).cost == Decimal("4000.00")


def test_assessing_a_project_is_refused_once_voting_opens() -> None:
    r, projects, by = pf.voting_round()
    assert r.phase == Phase.VOTING
    with pytest.raises(ParticipationError):
        pf.cost(projects[0], by, "1.00")
