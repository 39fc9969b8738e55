"""The time bank's pages: permissions, audit records on every view of a member's record, forms
with errors, reports with charts and CSV, and the JSON exchange endpoint."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent
from directory.tests import factories as f
from timebank import selectors
from timebank.models import Exchange, Member
from timebank.services.offers import create_offer, create_request
from timebank.services.tokens import issue_api_token
from timebank.tests import factories as tb

pytestmark = pytest.mark.django_db


def test_home_invites_people_to_join(client: Client) -> None:
    html = client.get(reverse("timebank:home")).content.decode()
    assert "Sign in to join the time bank" in html and "5 hours" in html


def test_join_form_errors_then_application(client: Client) -> None:
    person = f.user()
    client.force_login(person)
    page = client.post(reverse("timebank:join"), {"kind": "group", "name": ""})
    assert "Enter the name of the organisation or group" in page.content.decode()
    page = client.post(
        reverse("timebank:join"),
        {"kind": "person", "about": "Gardening", "availability": ["tue-am", "thu-pm"]},
    )
    assert page.status_code == 302
    member = Member.objects.get(user=person)
    assert member.availability == ["tue-am", "thu-pm"] and member.status == "applied"


def test_only_coordinators_see_applications_approve_record_checks_and_reports(
    client: Client,
) -> None:
    applicant = tb.member(approved=False)
    client.force_login(tb.member().user)
    for name, args in [
        ("timebank:coordinator", []),
        ("timebank:member", [applicant.pk]),
        ("timebank:check-new", [applicant.pk]),
        ("timebank:reports", []),
        ("timebank:reports-csv", []),
        ("timebank:rota-new", []),  # members see rotas (test_rota_slots), only set them up
        ("timebank:import", []),
        ("timebank:member-statement", [applicant.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403, name
    assert client.post(reverse("timebank:member-approve", args=[applicant.pk])).status_code == 403
    applicant.refresh_from_db()
    assert applicant.status == "applied"


def test_coordinator_approves_and_the_member_record_view_is_audited(client: Client) -> None:
    coordinator = tb.coordinator()
    applicant = tb.member(approved=False, access_needs="Uses a wheelchair")
    client.force_login(coordinator)
    page = client.get(reverse("timebank:member", args=[applicant.pk]))
    assert "Uses a wheelchair" in page.content.decode()
    assert AuditEvent.objects.filter(
        actor=coordinator, subject=applicant.user, action="view", object_type="timebank.member"
    ).exists()
    client.post(reverse("timebank:member-approve", args=[applicant.pk]))
    assert selectors.balance_of(applicant) == 300


def test_coordinator_records_a_dbs_check_with_errors_first(client: Client) -> None:
    m = tb.member()
    client.force_login(tb.coordinator())
    url = reverse("timebank:check-new", args=[m.pk])
    page = client.post(url, {"kind": "dbs_enhanced", "checked_on": "1/2/2026"})
    assert "Enter when the DBS check should be renewed" in page.content.decode()
    page = client.post(
        url, {"kind": "dbs_enhanced", "checked_on": "1/2/2026", "expires_on": "1/2/2029"}
    )
    assert page.status_code == 302 and m.checks.count() == 1


def test_members_see_only_their_own_statement_and_each_view_is_audited(client: Client) -> None:
    a, b = tb.member(), tb.member()
    tb.exchange(a, b, 120, description="Gardening")
    client.force_login(a.user)
    html = client.get(reverse("timebank:statement")).content.decode()
    assert "7 hours" in html and "Gardening" in html and "Joining credit" in html
    assert client.get(reverse("timebank:member-statement", args=[b.pk])).status_code == 403
    assert client.get(reverse("timebank:member-statement", args=[a.pk])).status_code == 200
    assert AuditEvent.objects.filter(actor=a.user, subject=a.user, action="view").count() == 2
    coordinator = tb.coordinator()
    client.force_login(coordinator)
    assert (
        "3 hours" in client.get(reverse("timebank:member-statement", args=[b.pk])).content.decode()
    )
    assert AuditEvent.objects.filter(actor=coordinator, subject=b.user, action="view").exists()


def test_exchange_pages_propose_confirm_and_refuse_with_reasons(client: Client) -> None:
    a, b = tb.member(name="Alf"), tb.member(name="Bea")
    client.force_login(a.user)
    url = reverse("timebank:exchange-new")
    form = {"direction": "gave", "other": b.pk, "day": "2/3/2026", "start": "10:00", "key": "abc"}
    page = client.post(url, {**form, "hours": 0, "minutes": 0})
    assert "The time given must be more than zero" in page.content.decode()
    page = client.post(url, {**form, "hours": -1, "minutes": 0})
    assert "The time given must be more than zero" in page.content.decode()
    page = client.post(url, {**form, "hours": 2, "minutes": 0})
    assert page.status_code == 302
    client.post(url, {**form, "hours": 2, "minutes": 0})  # a double submit
    exchange = Exchange.objects.get()
    assert exchange.giver == a and exchange.minutes == 120
    # The proposer sees no confirm button; another member cannot see it at all.
    assert (
        "Confirm exchange"
        not in client.get(reverse("timebank:exchange", args=[exchange.pk])).content.decode()
    )
    client.force_login(tb.member().user)
    assert client.get(reverse("timebank:exchange", args=[exchange.pk])).status_code == 404
    client.force_login(b.user)
    assert (
        "Confirm exchange"
        in client.get(reverse("timebank:exchange", args=[exchange.pk])).content.decode()
    )
    client.post(reverse("timebank:exchange-confirm", args=[exchange.pk]))
    assert selectors.balance_of(a) == 420 and selectors.balance_of(b) == 180
    # An overlapping exchange is refused with the reason on the form.
    client.force_login(a.user)
    c = tb.member()
    page = client.post(
        url, {**form, "other": c.pk, "start": "11:00", "key": "def", "hours": 1, "minutes": 0}
    )
    assert "already has a confirmed exchange" in page.content.decode()


def test_request_page_shows_suggestions_with_reasons_to_the_requester(client: Client) -> None:
    transport = f.term("Getting about")
    hood = f.neighbourhood("Millbrook", "52.0", "-1.0")
    helper = tb.member(name="Alf", neighbourhood=hood)
    create_offer(member=helper, title="Lifts in my car", category=transport)
    tb.member(name="Cy")  # offers nothing: not suggested
    person = tb.member(name="Bea", neighbourhood=hood)
    req = create_request(member=person, title="Lift to hospital", category=transport)
    client.force_login(person.user)
    html = client.get(reverse("timebank:request", args=[req.pk])).content.decode()
    assert "Alf" in html and "Offers &#x27;Getting about&#x27;" in html
    assert "Less than 100 m away" in html
    assert "Members not suggested" not in html  # safeguarding reasons are for coordinators
    assert AuditEvent.objects.filter(actor=person.user, object_type="timebank.request").exists()
    client.force_login(tb.coordinator())
    html = client.get(reverse("timebank:request", args=[req.pk])).content.decode()
    assert "Members not suggested" in html and "Cy: Does not offer" in html


def test_reports_show_charts_tables_and_csv_for_coordinators(client: Client) -> None:
    a, b = tb.member(), tb.member()
    tb.exchange(a, b, 90)
    tb.exchange(b, a, 30, start=tb.at(-3))
    client.force_login(tb.coordinator())
    html = client.get(reverse("timebank:reports")).content.decode()
    assert "<svg" in html and 'role="img"' in html and "<table" in html
    assert "2 hours" in html and "100%" in html and "Sound" in html
    csv_text = client.get(reverse("timebank:reports-csv")).content.decode()
    assert (
        "section,label,minutes,hours" in csv_text and "members,reciprocity share,1.0000" in csv_text
    )
    assert client.get(reverse("timebank:reports"), {"from": "bad"}).status_code == 400


def test_rota_pages_show_gaps(client: Client) -> None:
    client.force_login(tb.coordinator())
    a = tb.member(name="Alf")
    page = client.post(
        reverse("timebank:rota-new"),
        {
            "title": "Hospital lift",
            "weekday": "1",
            "start_time": "09:30",
            "duration_minutes": "90",
            "first_date": "1/1/2030",
            "end_date": "30/6/2031",
            "remind_days_before": "2",
        },
    )
    assert page.status_code == 302
    rota_url = page["Location"]
    page = client.post(rota_url, {"member": a.pk, "starting": "1/1/2030", "every_weeks": "2"})
    assert page.status_code == 302
    html = client.get(rota_url).content.decode()
    assert "to fill" in html and "Gap" in html and "Alf" in html
    page = client.post(rota_url, {"member": a.pk, "starting": "2/1/2030", "every_weeks": "1"})
    assert "choose a Tuesday" in page.content.decode()


def test_json_endpoint_needs_a_token_and_records_once(client: Client) -> None:
    a, b = tb.member(), tb.member()
    coordinator = tb.coordinator()
    token = issue_api_token(user=coordinator)
    url = reverse("timebank:api-exchanges")
    body = {
        "idempotency_key": "api-1",
        "giver": a.pk,
        "receiver": b.pk,
        "minutes": 60,
        "start": tb.at(-1).isoformat(),
        "confirm": True,
    }
    assert client.post(url, json.dumps(body), content_type="application/json").status_code == 401
    client.force_login(coordinator)  # a session alone is not enough (CSRF-safe)
    assert client.post(url, json.dumps(body), content_type="application/json").status_code == 401
    auth: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    first = client.post(url, json.dumps(body), content_type="application/json", **auth)
    again = client.post(url, json.dumps(body), content_type="application/json", **auth)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"] and first.json()["status"] == "confirmed"
    refused = client.post(
        url,
        json.dumps({**body, "idempotency_key": "api-2", "minutes": 0}),
        content_type="application/json",
        **auth,
    )
    assert refused.status_code == 422 and "more than zero" in refused.json()["error"]
    assert selectors.balance_of(a) == 360
    member_token = issue_api_token(user=b.user)
    proposed = client.post(
        url,
        json.dumps(
            {**body, "idempotency_key": "api-3", "confirm": False, "start": tb.at(-2).isoformat()}
        ),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {member_token}",
    )
    assert proposed.status_code == 201 and proposed.json()["status"] == "proposed"
    a_token = issue_api_token(user=a.user)
    confirmed = client.post(
        reverse("timebank:api-exchange-confirm", args=[proposed.json()["id"]]),
        HTTP_AUTHORIZATION=f"Bearer {a_token}",
    )
    assert confirmed.json()["status"] == "confirmed"


def test_json_endpoint_records_the_exchange_its_ledger_entry_and_audit_record_together(
    client: Client,
) -> None:
    a, b = tb.member(name="Ada"), tb.member(name="Bea")
    coordinator = tb.coordinator()
    token = issue_api_token(user=coordinator)
    body = {
        "idempotency_key": "api-audit",
        "giver": a.pk,
        "receiver": b.pk,
        "minutes": 45,
        "start": tb.at(-1).isoformat(),
        "description": "Gardening",
        "confirm": True,
    }
    page = client.post(
        reverse("timebank:api-exchanges"),
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        REMOTE_ADDR="192.0.2.7",
    )
    assert page.status_code == 201
    exchange = Exchange.objects.get(pk=page.json()["id"])
    assert exchange.status == "confirmed" and exchange.confirmed_by == coordinator
    assert exchange.proposed_by == coordinator and exchange.confirmed_at is not None
    assert exchange.description == "Gardening" and exchange.idempotency_key == "api:api-audit"
    txn = exchange.transaction
    assert txn is not None and txn.key == "exchange:api:api-audit" and txn.memo == "Gardening"
    assert {p.account.member_id: p.minutes for p in txn.postings.all()} == {a.pk: 45, b.pk: -45}
    assert selectors.balance_of(a) == 345 and selectors.balance_of(b) == 255
    assert selectors.ledger_problems() == []
    event = AuditEvent.objects.get(object_type="timebank.exchange", object_id=str(exchange.pk))
    assert event.actor == coordinator and event.subject == a.user and event.action == "create"
    assert event.summary == "Recorded an exchange: Ada gave Bea 45 minutes"
    assert event.ip_address == "192.0.2.7"


def test_json_endpoint_refuses_unknown_and_unapproved_members(client: Client) -> None:
    a, applicant = tb.member(), tb.member(approved=False, name="Cy")
    token = issue_api_token(user=tb.coordinator())
    url = reverse("timebank:api-exchanges")
    auth: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    body = {"idempotency_key": "u1", "minutes": 30, "start": tb.at(-1).isoformat(), "confirm": True}
    unknown = client.post(
        url,
        json.dumps({**body, "giver": a.pk, "receiver": applicant.pk + 1000}),
        content_type="application/json",
        **auth,
    )
    assert unknown.status_code == 422 and unknown.json()["error"] == "There is no such member."
    unapproved = client.post(
        url,
        json.dumps({**body, "giver": a.pk, "receiver": applicant.pk}),
        content_type="application/json",
        **auth,
    )
    assert unapproved.status_code == 422
    assert unapproved.json()["error"] == "Cy is not an approved member of the time bank."
    assert Exchange.objects.count() == 0 and selectors.ledger_problems() == []


def test_a_request_and_an_offer_keep_the_category_chosen(client: Client) -> None:
    """Taxonomy terms have text ids (HSDS): the category chosen on the form is kept."""
    term = f.term("Getting about")
    member = tb.member()
    client.force_login(member.user)
    client.post(
        reverse("timebank:request-new"),
        {"title": "Lift to the hospital", "category": str(term.pk)},
    )
    client.post(
        reverse("timebank:offer-new"), {"title": "Lifts in my car", "category": str(term.pk)}
    )
    assert member.requests.get().category == term
    assert member.offers.get().category == term
