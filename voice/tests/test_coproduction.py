"""Co-production self-assessment: pre-filled from what the platform recorded, confirmed in a
workshop, change over time shown; only moderators, commissioners and administrators record."""

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from directory.tests import factories
from rules.voice.coproduction import KIND_KEYS
from timebank.tests import factories as tb
from voice import selectors
from voice.models import CoproductionAssessment
from voice.services._common import VoiceRefused
from voice.services.checks import publish_check
from voice.services.coproduction import record_coproduction
from voice.tests.test_quality_checks import full_check, train

pytestmark = pytest.mark.django_db


def answers(rung: str = "3", **extra: str) -> dict[str, str]:
    data = {
        "subject": "Riverside Care",
        "held_on": "2026-11-20",
        "participants": "4 people, 2 staff",
    }
    for kind in KIND_KEYS:
        data.update({f"{kind}_rung": rung, f"{kind}_impact": "high", f"{kind}_effort": "low"})
    return {**data, **extra}


@pytest.fixture
def s() -> dict[str, Any]:
    org = factories.organization(name="Riverside Care")
    svc = factories.service(organization_=org, name="Riverside Day Centre")
    coordinator = tb.coordinator()
    moderator = factories.user(Role.MODERATOR, username="mod")
    experts = [tb.member(by=coordinator) for _ in range(3)]
    for member in experts:
        train(moderator, member.user)
    return {
        "org": org,
        "svc": svc,
        "provider": factories.provider_user(org),
        "moderator": moderator,
        "commissioner": factories.user(Role.COMMISSIONER, username="com"),
        "voice_org": tb.member(kind="group", name="Borough Voice", by=coordinator),
        "experts": experts,
    }


def test_prefill_counts_expert_hours_for_the_organisation(s: dict[str, Any]) -> None:
    check = full_check(s, visit_date=dt.date(2026, 11, 2), minutes=150)
    publish_check(lead=s["moderator"], check=check, summary="Ok")
    rows = selectors.coproduction_prefill("Riverside Care", dt.date(2026, 11, 20))
    expert = next(r for r in rows if r["what"].startswith("Experts-by-experience time"))
    assert expert["kind"] == "co_assessment" and expert["value"] == "7 hours 30 minutes"
    assert "Riverside Care" in expert["what"]
    published = next(r for r in rows if r["what"].startswith("Quality check reports"))
    assert published["value"] == "1"
    co_signed = next(r for r in rows if "co-signed" in r["what"])
    assert co_signed["value"].startswith("Not known")
    # A visit after the workshop is not counted; an unknown subject falls back to the area
    assert (
        next(
            r
            for r in selectors.coproduction_prefill("Riverside Care", dt.date(2026, 11, 1))
            if r["what"].startswith("Experts-by-experience")
        )["value"]
        == "0 hours"
    )
    assert (
        "whole area"
        in selectors.coproduction_prefill("Elsewhere", dt.date(2026, 11, 20))[5]["what"]
    )


def test_workshop_recorded_then_prefilled_and_change_shown(s: dict[str, Any]) -> None:
    c = Client()
    c.force_login(s["commissioner"])
    r = c.post(reverse("voice:coproduction-new"), answers(co_delivery_rung=""))
    assert r.status_code == 400
    assert "Select where co-delivery is on the ladder" in r.content.decode()
    r = c.post(reverse("voice:coproduction-new"), answers())
    assert r.status_code == 302
    first = CoproductionAssessment.objects.get()
    assert first.ratings["co_delivery"] == {
        "rung": 3,
        "impact": "high",
        "effort": "low",
        "notes": "",
    }
    assert any(p["kind"] == "co_delivery" for p in first.prefill)
    # The next workshop's form starts from the last answers
    page = c.get(reverse("voice:coproduction-new") + "?subject=Riverside+Care").content.decode()
    assert "from the last workshop on 20 November 2026" in page
    assert 'value="3" checked' in page
    c.post(
        reverse("voice:coproduction-new"),
        answers(
            held_on="2026-12-01",
            co_delivery_rung="5",
            co_assessment_rung="2",
            co_assessment_effort="high",
            co_assessment_impact="low",
        ),
    )
    history = (
        Client()
        .get(reverse("voice:coproduction-history", args=["riverside-care"]))
        .content.decode()
    )
    assert "Up 2 rungs" in history and "Down 1 rung" in history and "No change" in history
    assert "Hard slog: avoid" in history and "Quick win: start here" in history
    assert "First assessment" in history


def test_only_moderators_commissioners_and_administrators_record(s: dict[str, Any]) -> None:
    for user in (s["provider"], s["experts"][0].user):
        c = Client()
        c.force_login(user)
        assert c.get(reverse("voice:coproduction-new")).status_code == 403
        assert c.post(reverse("voice:coproduction-new"), answers()).status_code == 403
    assert CoproductionAssessment.objects.count() == 0
    with pytest.raises(VoiceRefused):
        record_coproduction(
            user=s["provider"],
            subject="X",
            held_on=dt.date(2026, 11, 1),
            participants="p",
            ratings={},
            prefill=[],
        )


def test_workshop_date_cannot_be_in_the_future_and_rungs_are_checked(s: dict[str, Any]) -> None:
    ratings = {k: {"rung": 3, "impact": "high", "effort": "low"} for k in KIND_KEYS}
    with pytest.raises(VoiceRefused, match="today or in the past"):
        record_coproduction(
            user=s["moderator"],
            subject="X",
            held_on=dt.date(2099, 1, 1),
            participants="p",
            ratings=ratings,
            prefill=[],
        )
    ratings["co_design"]["rung"] = 8
    with pytest.raises(VoiceRefused, match="rung") as refused:
        record_coproduction(
            user=s["moderator"],
            subject="X",
            held_on=dt.date(2026, 1, 1),
            participants="p",
            ratings=ratings,
            prefill=[],
        )
    assert refused.value.field == "co_design_rung"
