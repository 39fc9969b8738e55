"""Pages: only link workers see the caseload and referral; only the referrer's staff (or a link
worker) read the message back; every view is audited; bad input gets the GOV.UK error pattern."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent, User
from accounts.roles import Role
from connect.models import Referral, ReferringOrganisation
from connect.services.consent import record_consent
from connect.services.onward import refer_onward
from connect.services.referrals import make_referral
from directory.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup() -> dict[str, Any]:
    gp = f.user(Role.PERSON)
    practice = ReferringOrganisation.objects.create(name="Hill Street Surgery", kind="gp_practice")
    practice.staff.add(gp)
    person = f.user(Role.PERSON, display_name="Ada Lovelace")
    worker = f.user(Role.LINK_WORKER)
    org = f.organization()
    service = f.service(organization_=org, name="Lunch club")
    referral = make_referral(
        actor=gp,
        person=person,
        source="gp_practice",
        organisation=practice,
        reason="SECRET-REASON",
        what_matters="SECRET-MATTERS",
        today=dt.date(2026, 3, 2),
    )
    return {"gp": gp, "person": person, "worker": worker, "service": service, "referral": referral}


def _client(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_caseload_and_referral_are_for_link_workers_only(setup: dict[str, Any]) -> None:
    url = reverse("connect:referral", args=[setup["referral"].pk])
    assert _client(setup["person"]).get(url).status_code == 403
    assert _client(setup["gp"]).get(reverse("connect:caseload")).status_code == 403
    # Brokers plan care budgets; they are not link workers and do not see these referrals.
    assert _client(f.user(Role.BROKER)).get(reverse("connect:caseload")).status_code == 403
    page = _client(setup["worker"]).get(reverse("connect:caseload"))
    assert "Ada Lovelace" in page.content.decode()
    assert _client(setup["worker"]).get(url).status_code == 200
    assert AuditEvent.objects.filter(action="view", object_type="connect.referral").count() == 1


def test_bad_date_names_the_field(setup: dict[str, Any]) -> None:
    url = reverse("connect:referral", args=[setup["referral"].pk])
    r = _client(setup["worker"]).post(
        url, {"set_status": "", "status-status": "contacted", "status-on": "soon"}
    )
    assert r.status_code == 400
    body = r.content.decode()
    assert "govuk-error-summary" in body and "Enter the date as year-month-day" in body
    r = _client(setup["worker"]).post(
        url, {"set_status": "", "status-status": "contacted", "status-on": "2026-01-01"}
    )
    assert r.status_code == 400 and "on or after" in r.content.decode()


def test_summary_json_and_letter_hold_only_what_was_agreed(setup: dict[str, Any]) -> None:
    url = reverse("connect:referral", args=[setup["referral"].pk])
    worker = _client(setup["worker"])
    worker.post(
        url, {"set_status": "", "status-status": "first_conversation", "status-on": "2026-03-05"}
    )
    gp = _client(setup["gp"])
    json_url = reverse("connect:summary_json", args=[setup["referral"].pk])
    letter_url = reverse("connect:letter", args=[setup["referral"].pk])
    for body in (gp.get(json_url).content.decode(), gp.get(letter_url).content.decode()):
        assert "SECRET" not in body and "Ada Lovelace" not in body
    assert _client(setup["person"]).get(json_url).status_code == 403
    worker.post(url, {"set_consent": "", "consent-share_back": "on"})
    assert Referral.objects.get().consent_share_back
    assert "SECRET-MATTERS" in gp.get(letter_url).content.decode()
    assert "SECRET-MATTERS" in gp.get(json_url).content.decode()


def test_person_sees_and_withdraws(setup: dict[str, Any]) -> None:
    record_consent(
        actor=setup["worker"],
        referral=setup["referral"],
        share_back=False,
        onward=True,
        outcomes=False,
    )
    onward = refer_onward(
        actor=setup["worker"], referral=setup["referral"], service_id=setup["service"].pk
    )
    person = _client(setup["person"])
    assert "Lunch club" in person.get(reverse("connect:mine")).content.decode()
    withdraw = reverse("connect:withdraw", args=[onward.pk])
    assert _client(setup["gp"]).post(withdraw).status_code == 403
    assert person.post(withdraw).status_code == 302
    assert person.post(withdraw).status_code == 409


def test_provider_accepts_and_a_decline_needs_a_reason(setup: dict[str, Any]) -> None:
    record_consent(
        actor=setup["worker"],
        referral=setup["referral"],
        share_back=False,
        onward=True,
        outcomes=False,
    )
    onward = refer_onward(
        actor=setup["worker"], referral=setup["referral"], service_id=setup["service"].pk
    )
    provider = _client(f.provider_user(setup["service"].organization))
    url = reverse("connect:provider_inbox")
    assert "Lunch club" in provider.get(url).content.decode()
    p = f"o{onward.pk}-"
    r = provider.post(url, {"onward": onward.pk, p + "decision": "decline"})
    assert r.status_code == 400 and "Choose why the service cannot take" in r.content.decode()
    r = provider.post(
        url, {"onward": onward.pk, p + "decision": "decline", p + "decline_reason": "other"}
    )
    assert r.status_code == 400 and "Enter why the service cannot take" in r.content.decode()
    r = _client(setup["gp"]).post(url, {"onward": onward.pk, p + "decision": "accept"})
    assert r.status_code == 400 and "You do not act for this service" in r.content.decode()
    assert provider.post(url, {"onward": "x", p + "decision": "accept"}).status_code == 404
    assert provider.post(url, {"onward": onward.pk, p + "decision": "accept"}).status_code == 302
    onward.refresh_from_db()
    assert onward.status == "accepted"
