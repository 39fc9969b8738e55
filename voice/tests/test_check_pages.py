"""Quality-check pages: who sees what, GOV.UK errors that say how to fix them, the published
report with scores, agreement and the gap, and open data."""

import csv
import io
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from directory.tests import factories
from rules.voice.quality_parameters import DOMAIN_KEYS
from timebank.tests import factories as tb
from voice.models import QualityCheck
from voice.services.checks import publish_check
from voice.services.experts import add_expert
from voice.services.scores import submit_self_assessment
from voice.tests.test_quality_checks import full_check, scores, train

pytestmark = pytest.mark.django_db


@pytest.fixture
def s() -> dict[str, Any]:
    org = factories.organization(name="Riverside Care")
    svc = factories.service(organization_=org, name="Riverside Day Centre")
    coordinator = tb.coordinator()
    moderator = factories.user(Role.MODERATOR, username="mod")
    experts = [tb.member(by=coordinator) for _ in range(4)]
    for member in experts:
        train(moderator, member.user)
    return {
        "org": org,
        "svc": svc,
        "provider": factories.provider_user(org),
        "moderator": moderator,
        "voice_org": tb.member(kind="group", name="Borough Voice", by=coordinator),
        "experts": experts,
    }


def client_for(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_plan_check_errors_then_plans(s: dict[str, Any]) -> None:
    c = client_for(s["moderator"])
    url = reverse("voice:check-plan")
    r = c.post(url, {"about": "service", "visit_date": "2026-13-40", "minutes_per_expert": "x"})
    assert r.status_code == 400
    body = r.content.decode()
    assert "govuk-error-summary" in body
    assert "Enter the name of the service being checked" in body
    assert "Enter the date of the visit as year-month-day" in body
    assert "whole number of minutes" in body
    r = c.post(
        url,
        {
            "about": "service",
            "service_name": "Riverside Day",
            "visit_date": "2026-11-10",
            "minutes_per_expert": "721",
            "credits_member": str(s["voice_org"].pk),
        },
    )
    assert r.status_code == 400 and "from 1 to 720" in r.content.decode()
    r = c.post(
        url,
        {
            "about": "service",
            "service_name": "Riverside Day",
            "visit_date": "2026-11-10",
            "minutes_per_expert": "180",
            "credits_member": str(s["voice_org"].pk),
        },
    )
    check = QualityCheck.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse(
        "voice:check-manage", args=[check.reference]
    )
    assert check.service_name == "Riverside Day Centre" and check.credits_member_name == (
        "Borough Voice"
    )


def test_only_moderators_plan_and_manage(s: dict[str, Any]) -> None:
    check = full_check(s)
    for user in (s["provider"], s["experts"][0].user):
        c = client_for(user)
        assert c.get(reverse("voice:check-plan")).status_code == 403
        assert c.get(reverse("voice:check-manage", args=[check.reference])).status_code == 403


def test_unpublished_check_is_hidden_and_experts_do_not_see_each_others_scores(
    s: dict[str, Any],
) -> None:
    check = full_check(s, n=2)
    url = reverse("voice:check", args=[check.reference])
    assert Client().get(url).status_code == 404
    assert client_for(s["provider"]).get(url).status_code == 404
    assert client_for(s["experts"][0].user).get(url).status_code == 404
    third = s["experts"][2]
    add_expert(lead=s["moderator"], check=check, who=third.user.username, reward="none")
    page = client_for(third.user).get(reverse("voice:check-score", args=[check.reference]))
    assert page.status_code == 200
    assert "Send my scores" in page.content.decode()
    assert "4 – Mostly" in page.content.decode()
    assert "checked" not in page.content.decode()  # nothing pre-filled from anyone else
    outsider = client_for(factories.user(Role.PERSON))
    assert outsider.get(reverse("voice:check-score", args=[check.reference])).status_code == 403


def test_expert_scores_page_errors_name_the_theme(s: dict[str, Any]) -> None:
    check = QualityCheck.objects.get(pk=full_check(s, n=0).pk)
    member = s["experts"][0]
    add_expert(lead=s["moderator"], check=check, who=member.user.username, reward="none")
    c = client_for(member.user)
    url = reverse("voice:check-score", args=[check.reference])
    r = c.post(url, {k: "4" for k in DOMAIN_KEYS if k != "workforce"})
    assert r.status_code == 400
    assert (
        "Select a score for ‘Workforce: the people who support me’, or ‘Did not see this’"
        in r.content.decode()
    )
    r = c.post(url, {**dict.fromkeys(DOMAIN_KEYS, "4"), "information": "not_seen"})
    assert r.status_code == 302
    assert "Scores sent" in c.get(url).content.decode()


def test_published_report_shows_scores_agreement_gap_and_response_clock(s: dict[str, Any]) -> None:
    check = full_check(s)
    submit_self_assessment(user=s["provider"], check=check, scores=scores(workforce="5"))
    r = client_for(s["moderator"]).post(
        reverse("voice:check-manage", args=[check.reference]),
        {"action": "publish", "summary": "Warm welcome; slow to reply to letters."},
    )
    assert r.status_code == 302
    body = Client().get(reverse("voice:check", args=[check.reference])).content.decode()
    assert "4, 4, 3" in body and "3.7" in body and "Strong agreement" in body
    assert "1.3 higher than the experts" in body
    assert "The same as the experts" in body
    assert "No response yet. Due by" in body
    provider = client_for(s["provider"])
    assert (
        "Respond to this report"
        in provider.get(reverse("voice:check", args=[check.reference])).content.decode()
    )
    r = provider.post(reverse("voice:check-respond", args=[check.reference]), {"text": ""})
    assert r.status_code == 400 and "Enter your response to the report" in r.content.decode()
    provider.post(reverse("voice:check-respond", args=[check.reference]), {"text": "Thank you."})
    body = Client().get(reverse("voice:check", args=[check.reference])).content.decode()
    assert "Thank you." in body


def test_publish_with_too_few_experts_is_an_error_on_the_page(s: dict[str, Any]) -> None:
    check = full_check(s, n=2)
    r = client_for(s["moderator"]).post(
        reverse("voice:check-manage", args=[check.reference]),
        {"action": "publish", "summary": "Too soon"},
    )
    assert r.status_code == 400
    assert "At least 3 experts must send their scores" in r.content.decode()


def test_add_expert_error_on_the_page(s: dict[str, Any]) -> None:
    check = full_check(s, n=0)
    r = client_for(s["moderator"]).post(
        reverse("voice:check-manage", args=[check.reference]),
        {"action": "add", "who": s["provider"].username, "reward": "none"},
    )
    assert r.status_code == 400 and "works for the provider" in r.content.decode()


def test_open_data_has_scores_and_never_experts(s: dict[str, Any]) -> None:
    check = full_check(s)
    publish_check(lead=s["moderator"], check=check, summary="Ok")
    data = json.loads(Client().get(reverse("voice:open-checks-json")).content)
    (row,) = data["checks"]
    assert row["experts"] == 3 and row["organization"] == "Riverside Care"
    workforce = next(d for d in row["domains"] if d["domain"] == "workforce")
    assert workforce["scores"] == [4, 4, 3] and workforce["combined"] == "3.7"
    assert workforce["agreement_rwg"] == "0.83" and workforce["gap"] is None
    text = json.dumps(data)
    for member in s["experts"]:
        assert member.user.username not in text and member.name not in text
    rows = list(
        csv.DictReader(io.StringIO(Client().get(reverse("voice:open-checks-csv")).content.decode()))
    )
    assert len(rows) == len(DOMAIN_KEYS)
    assert next(r for r in rows if r["domain"] == "workforce")["scores"] == "4 4 3"


def test_checks_home_lists_for_each_role(s: dict[str, Any]) -> None:
    check = full_check(s, n=1)
    assert (
        "Plan a quality check"
        in client_for(s["moderator"]).get(reverse("voice:checks")).content.decode()
    )
    provider_page = client_for(s["provider"]).get(reverse("voice:checks")).content.decode()
    assert "Give your self-assessment for Riverside Day Centre" in provider_page
    expert_page = client_for(s["experts"][0].user).get(reverse("voice:checks")).content.decode()
    assert "your scores are sent" in expert_page
    anonymous = Client().get(reverse("voice:checks")).content.decode()
    assert "Plan a quality check" not in anonymous and check.reference not in anonymous


def test_register_of_experts_page(s: dict[str, Any]) -> None:
    person = factories.user(Role.PERSON, username="newexpert", display_name="Nia New")
    c = client_for(s["moderator"])
    url = reverse("voice:check-experts")
    r = c.post(url, {"who": "newexpert", "training": "", "trained_on": "2026-10-01"})
    assert r.status_code == 400
    body = r.content.decode()
    assert "Select where the expert was recruited from" in body
    assert "Enter the training they completed" in body
    r = c.post(
        url,
        {
            "who": "newexpert",
            "recruited_from": "peoples_panel",
            "training": "Quality checker training",
            "trained_on": "2026-10-01",
        },
    )
    assert r.status_code == 302
    assert "Nia New: Quality checker training, 1 October 2026" in c.get(url).content.decode()
    assert person.voice_expert.recruited_from == "peoples_panel"
    assert client_for(s["provider"]).get(url).status_code == 403
