"""Odd input to every new page gives a page with an error (4xx or the form again), never a 500."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from connect.models import CommunityPot, ReferringOrganisation
from connect.services.consent import record_consent
from connect.services.onward import refer_onward
from connect.services.referrals import make_referral
from directory.tests import factories as f

pytestmark = pytest.mark.django_db
NASTY = ["", " ", "-1", "9" * 40, "1e999", "NaN", "٣", "0.001", "x" * 5000, "2026-02-30", "<b>"]


def _client(user: User) -> Client:
    c = Client(raise_request_exception=True)
    c.force_login(user)
    return c


def test_no_server_errors_on_odd_input() -> None:
    gp = f.user(Role.PERSON)
    practice = ReferringOrganisation.objects.create(name="Hill Street Surgery", kind="gp_practice")
    practice.staff.add(gp)
    person = f.user(Role.PERSON, email="ada@example.org")
    worker = f.user(Role.LINK_WORKER)
    org = f.organization()
    service = f.service(organization_=org, name="Lunch club")
    provider = f.provider_user(org)
    pot = CommunityPot.objects.create(name="Pot", kind="money", total_pence=1000)
    referral = make_referral(
        actor=gp, person=person, source="gp_practice", organisation=practice, reason="x"
    )
    onward_pk = None
    record_consent(actor=worker, referral=referral, share_back=True, onward=True, outcomes=True)
    onward_pk = refer_onward(actor=worker, referral=referral, service_id=service.pk).pk
    posts = [
        (gp, reverse("connect:refer"), ["referrer", "email", "name", "reason", "consent_on"]),
        (person, reverse("connect:refer_self"), ["reason", "what_matters"]),
        (worker, reverse("connect:onward_new", args=[referral.pk]), ["service"]),
        (
            worker,
            reverse("connect:funding", args=[referral.pk]),
            ["pot", "amount", "hours", "key", "purpose"],
        ),
        (
            provider,
            reverse("connect:terms_edit", args=[service.pk]),
            ["takes_referrals", "typical_wait_days"],
        ),
        (
            person,
            reverse("connect:wellbeing", args=[referral.pk, "first_conversation"]),
            ["life_satisfaction", "answered_on"],
        ),
        (worker, reverse("connect:attended", args=[onward_pk]), ["on"]),
        (provider, reverse("connect:provider_inbox"), ["onward", f"o{onward_pk}-decision"]),
    ]
    base = {
        "referrer": str(practice.pk),
        "email": "ada@example.org",
        "reason": "r",
        "pot": str(pot.pk),
        "key": "a" * 32,
        "purpose": "p",
        "takes_referrals": "yes",
        "onward": str(onward_pk),
    }
    for user, url, fields in posts:
        client = _client(user)
        assert client.get(url).status_code in (200, 302, 405)
        for field in fields:
            for value in NASTY:
                response = client.post(url, {**base, field: value})
                assert response.status_code < 500, (url, field, value)
    worker_client = _client(worker)
    for q in NASTY:  # 400: the site refuses over-long query values before the view
        onward_page = worker_client.get(reverse("connect:onward_new", args=[referral.pk]), {"q": q})
        assert onward_page.status_code in (200, 400)
        assert worker_client.get(reverse("connect:reports"), {"by": q}).status_code in (200, 400)
    assert Client().get(reverse("connect:welcome", args=["x" * 300])).status_code == 404
